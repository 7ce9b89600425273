// Peak activation bytes per pipeline rank, replaying each rank's ops in order with the simulator's rule (a
// chunk's activations are allocated when its F starts and freed when its full B, or its W, ends; an FB holds
// both while it runs) but weighting each chunk by its own stage's bytes. A rank that holds stages of different
// sizes (DualPipe's rank 0: three dense layers plus the embedding in one direction, the last MoE layers, MTP
// and head in the other) then peaks at what it actually holds rather than p + 1 copies of its largest chunk.
import { OP_B, OP_F, OP_FB, OP_W, type Schedule } from '../../schedule/ops';

/** `bytesPerStage[s]`: one micro-batch's activations through stage s (indexed like the schedule's `stage`). */
export function peakActivationBytes(schedule: Schedule, bytesPerStage: ArrayLike<number>): Float64Array {
  const peaks = new Float64Array(schedule.ranks);
  const { rankStart, kind, stage, backStage } = schedule;
  for (let r = 0; r < schedule.ranks; r++) {
    let held = 0;
    let peak = 0;
    for (let i = rankStart[r]!; i < rankStart[r + 1]!; i++) {
      const k = kind[i]!;
      if (k === OP_F || k === OP_FB) held += bytesPerStage[stage[i]!] ?? 0;
      if (held > peak) peak = held;
      if (k === OP_B || k === OP_W || k === OP_FB) held -= bytesPerStage[backStage[i]!] ?? 0;
    }
    peaks[r] = peak;
  }
  return peaks;
}
