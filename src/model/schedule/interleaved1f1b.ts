// Interleaved 1F1B in Megatron's order (forward_backward_pipelining_with_interleaving): each rank holds v chunks,
// stage = chunk·p + rank. Micro-batches are walked in groups of N (microbatch_group_size_per_vp_stage, default p):
// inside a group all micro-batches pass chunk 0, then chunk 1, and so on. Backwards walk the same table with the
// chunk order reversed. PyTorch's ScheduleInterleaved1F1B gives the same order when N = m / max(1, ⌊m/p⌋).
//
// Megatron's rules on m: N ∈ [p, m], and m mod N is 0 or at least p (before 2024-11 Megatron asked m mod p = 0;
// with the default N = p both rules say the same).
import { constraintError, loopedStageRank, ScheduleBuilder } from './builder';
import { OP_B, OP_F, type ScheduleError, type ScheduleParams, type ScheduleResult } from './ops';

/** Megatron's rules on the micro-batch group (see above); no ops are built. */
export function checkInterleaved1F1B({ ranks, microbatches, groupSize }: ScheduleParams): ScheduleError | undefined {
  const group = groupSize ?? ranks;
  if (!Number.isInteger(group) || group < ranks || group > microbatches) {
    return constraintError('interleaved-1f1b',
      `interleaved 1F1B needs the micro-batch group size N between PP (${ranks}) and the micro-batches (${microbatches}), got ${group}` +
      (microbatches < ranks ? `: use at least ${ranks} micro-batches` : '')).error;
  }
  const remainder = microbatches % group;
  if (remainder !== 0 && remainder < ranks) {
    return constraintError('interleaved-1f1b',
      `interleaved 1F1B needs micro-batches mod N (${microbatches} mod ${group} = ${remainder}) to be 0 or at least PP (${ranks})`).error;
  }
  return undefined;
}

export function generateInterleaved1F1B(params: ScheduleParams): ScheduleResult {
  const broken = checkInterleaved1F1B(params);
  if (broken) return { ok: false, error: broken };
  const { ranks, microbatches, chunks = 2, groupSize } = params;
  const group = groupSize ?? ranks;

  // The virtual-id table: entry k is the (micro-batch, chunk) of the k-th forward on every rank.
  const total = microbatches * chunks;
  const tableMb = new Int32Array(total);
  const tableChunk = new Int32Array(total);
  let k = 0;
  for (let low = 0; low < microbatches; low += group) {
    const high = Math.min(low + group, microbatches);
    for (let chunk = 0; chunk < chunks; chunk++) {
      for (let mb = low; mb < high; mb++) {
        tableMb[k] = mb;
        tableChunk[k] = chunk;
        k++;
      }
    }
  }

  const stages = ranks * chunks;
  const builder = new ScheduleBuilder('interleaved-1f1b', ranks, microbatches, chunks, stages, 1, loopedStageRank(ranks, chunks), 2 * total * ranks);
  const forward = (rank: number, id: number) => builder.push(OP_F, tableMb[id]!, tableChunk[id]!, tableChunk[id]! * ranks + rank);
  const backward = (rank: number, id: number) => {
    const chunk = chunks - 1 - tableChunk[id]!;
    builder.push(OP_B, tableMb[id]!, chunk, chunk * ranks + rank);
  };
  for (let rank = 0; rank < ranks; rank++) {
    builder.rank(rank);
    const warmup = Math.min((ranks - rank - 1) * 2 + (chunks - 1) * group, total);
    // Phase 1: warm-up forwards, deeper on early ranks so later chunks are primed.
    for (let id = 0; id < warmup; id++) forward(rank, id);
    // Phase 2: steady state, forward k + warm-up then backward k.
    for (let id = 0; id < total - warmup; id++) {
      forward(rank, id + warmup);
      backward(rank, id);
    }
    // Phase 3: cool-down backwards.
    for (let id = total - warmup; id < total; id++) backward(rank, id);
  }
  return { ok: true, schedule: builder.finish() };
}
