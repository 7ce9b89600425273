// The step as a waterfall (COSTMODEL.md "Time terms", CONTRACT.md `estimate.breakdown`): what the busiest pipeline
// rank spends its ops on, by part (compute by kind, fixed costs, exposed TP / CP / EP communication), its idle
// time (the bubble, including waits for PP sends), then the exposed DP synchronisation, the optimizer step and the
// fabric-at-scale term. The parts add up to the step time by construction: the bubble is the makespan minus the
// rank's op parts, and the step is the sum.
import type { Schedule } from './schedule/ops';
import { OP_F, OP_FB, OP_I, OP_W } from './schedule/ops';
import { PART_COUNT, type StageCostBreakdown } from './cost/compute/stageTime';

export interface StepBreakdown {
  /** Compute of the busiest rank's ops, by kind (seconds per step). */
  compute: { denseGemm: number; expertGemm: number; attention: number; memoryBound: number };
  /** Fixed costs per layer and per MoE layer (launches, syncs, dispatcher bookkeeping). */
  fixedSeconds: number;
  /** Communication not hidden by overlap, per dimension (PP sends show up as waits, inside the bubble). */
  exposedComm: { tp: number; cp: number; ep: number; dp: number };
  /** The busiest rank's idle time over the makespan: schedule bubble, waits for PP sends, imbalance. */
  bubbleSeconds: number;
  optimizerSeconds: number;
  /** Slowdown of fabrics past one non-blocking pod (0 below FABRIC_BASE_GPUS or with the knob at 0). */
  fabricSeconds: number;
  /**
   * Copies between GPU and host memory left exposed (cost/memory/offload.ts): activation offload inside the busiest rank's
   * ops, plus the sharded weights parameter offload copies up for each gather. The offloaded optimizer's copies and
   * CPU step are in optimizerSeconds.
   */
  hostTransferSeconds: number;
  /** The sum of the above: the step time. */
  totalSeconds: number;
}

/** Sum of the parts (TIME_PARTS order) of every op `rank` runs in one step. */
export function rankParts(schedule: Schedule, rank: number, costs: StageCostBreakdown): Float64Array {
  const total = new Float64Array(PART_COUNT);
  for (let i = schedule.rankStart[rank]!; i < schedule.rankStart[rank + 1]!; i++) {
    const kind = schedule.kind[i]!;
    const row = schedule.stage[i]! * PART_COUNT;
    const parts = kind === OP_F ? costs.partsF : kind === OP_W ? costs.partsW : kind === OP_FB ? costs.partsFB : costs.partsB;
    for (let p = 0; p < PART_COUNT; p++) {
      // An I op is the backward without its weight-gradient part.
      const seconds = kind === OP_I ? costs.partsB[row + p]! - costs.partsW[row + p]! : parts[row + p]!;
      total[p] = total[p]! + seconds;
    }
  }
  return total;
}

export function stepBreakdown(
  parts: Float64Array, makespanSeconds: number, exposedDpSeconds: number, optimizerSeconds: number, fabricSeconds: number, parameterCopySeconds = 0,
): StepBreakdown {
  let opSeconds = 0;
  for (const p of parts) opSeconds += p;
  const bubbleSeconds = makespanSeconds - opSeconds;
  const [denseGemm, expertGemm, attention, memoryBound, fixedSeconds, tp, cp, ep, offload] = parts as unknown as number[];
  return {
    compute: { denseGemm: denseGemm!, expertGemm: expertGemm!, attention: attention!, memoryBound: memoryBound! },
    fixedSeconds: fixedSeconds!,
    exposedComm: { tp: tp!, cp: cp!, ep: ep!, dp: exposedDpSeconds },
    bubbleSeconds,
    optimizerSeconds,
    fabricSeconds,
    hostTransferSeconds: offload! + parameterCopySeconds,
    totalSeconds: opSeconds + bubbleSeconds + exposedDpSeconds + optimizerSeconds + fabricSeconds + parameterCopySeconds,
  };
}

export type WaterfallPart =
  | 'denseGemm' | 'expertGemm' | 'attention' | 'memoryBound' | 'fixed' | 'tp' | 'cp' | 'ep' | 'host' | 'bubble' | 'dp' | 'optimizer' | 'fabric';

/** The waterfall in the order people read a step: compute, exposed communication inside it, then what follows. */
export function waterfallRows(b: StepBreakdown): { id: WaterfallPart; label: string; seconds: number }[] {
  return [
    { id: 'denseGemm', label: 'dense GEMMs', seconds: b.compute.denseGemm },
    { id: 'expertGemm', label: 'expert GEMMs', seconds: b.compute.expertGemm },
    { id: 'attention', label: 'attention', seconds: b.compute.attention },
    { id: 'memoryBound', label: 'memory-bound (norms, activations, routing, casts)', seconds: b.compute.memoryBound },
    { id: 'fixed', label: 'fixed per-layer costs', seconds: b.fixedSeconds },
    { id: 'tp', label: 'exposed TP communication', seconds: b.exposedComm.tp },
    { id: 'cp', label: 'exposed CP communication', seconds: b.exposedComm.cp },
    { id: 'ep', label: 'exposed EP all-to-all', seconds: b.exposedComm.ep },
    // Only designs that offload have host copies; the row would be an empty bar for everyone else.
    ...(b.hostTransferSeconds > 0 ? [{ id: 'host' as const, label: 'exposed host copies (offloading)', seconds: b.hostTransferSeconds }] : []),
    { id: 'bubble', label: 'pipeline bubble (incl. waits for PP sends)', seconds: b.bubbleSeconds },
    { id: 'dp', label: 'exposed DP synchronisation', seconds: b.exposedComm.dp },
    { id: 'optimizer', label: 'optimizer step', seconds: b.optimizerSeconds },
    { id: 'fabric', label: 'fabric at scale', seconds: b.fabricSeconds },
  ];
}
