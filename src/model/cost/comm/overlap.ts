// Communication hidden behind compute, one rule for every dimension the frameworks overlap (COSTMODEL.md "Time
// terms", item 4): a collective of `commSeconds` running beside `windowSeconds` of compute it can overlap hides at
// most the window, and in practice a fraction of that (SM contention, the first chunk that has nothing to hide
// behind, synchronisation at the ends). Exposed = comm − fraction · min(comm, window). Fraction 0 is the series
// charge (no overlap); fraction 1 hides everything the window covers.
//   TP  (Megatron --tp-comm-overlap, userbuffers): window = the layer's GEMMs the collectives are split into.
//   CP  (ring attention, Transformer Engine p2p / torch context_parallel): window = the attention core.
//   EP  (--overlap-moe-expert-parallel-comm with 1F1B, outside DualPipe): window = the other micro-batch's compute.
//   DP  (--overlap-grad-reduce / --overlap-param-gather, FSDP prefetch): cost/comm/dpOverlap.ts sets the window.
// Fabric at scale (item 7): the step slows by `perDoubling` for each doubling of the GPU count past one
// non-blocking pod (FABRIC_BASE_GPUS): oversubscribed spine, longer rings, stragglers.
import { FABRIC_BASE_GPUS } from '../calibration';

export function exposedAfterOverlap(commSeconds: number, windowSeconds: number, fraction: number): number {
  if (commSeconds <= 0) return 0;
  const share = Math.min(1, Math.max(0, fraction));
  return commSeconds - share * Math.min(commSeconds, Math.max(0, windowSeconds));
}

/** Multiplier ≥ 1 on the step's synchronised part for a world of `worldSize` GPUs. */
export function fabricSlowdown(worldSize: number, perDoubling: number): number {
  if (!(worldSize > FABRIC_BASE_GPUS) || !(perDoubling > 0)) return 1;
  return 1 + perDoubling * Math.log2(worldSize / FABRIC_BASE_GPUS);
}
