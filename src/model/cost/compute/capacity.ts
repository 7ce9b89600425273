// Expert capacity (Megatron --moe-expert-capacity-factor, --moe-pad-expert-input-to-capacity; COSTMODEL.md §7
// row 11). Each expert takes at most capacity = factor × its balanced share (top-k × tokens / experts) of
// routed token copies; copies past it are dropped. Padding fills every expert's input up to capacity, so every
// expert computes and exchanges exactly capacity slots.
//
// The time model prices the busiest EP rank at `expertImbalance` × the balanced share (stageTime.ts). A capacity
// caps that rank at the factor; padding raises every rank, and the all-to-all, to it. The balanced share itself
// (what the average expert receives) is unchanged without padding: drops come from the experts over capacity.
import type { ParallelPlan } from '../../design';

export interface ExpertLoad {
  /** The busiest EP rank's routed work and all-to-all, as a multiple of the balanced share. */
  busiest: number;
  /** What every rank's dispatch and combine carry, as a multiple of the balanced token copies. */
  traffic: number;
  /** Share of the busiest expert's routed token copies dropped past capacity (0 without a capacity). */
  droppedOfBusiest: number;
}

/** `imbalance`: the busiest rank's routed load over the mean without a capacity (calibration `expertImbalance`). */
export function expertLoad(plan: Partial<Pick<ParallelPlan, 'expertCapacityFactor' | 'padExpertsToCapacity'>>, imbalance: number): ExpertLoad {
  const factor = plan.expertCapacityFactor;
  if (factor === undefined || factor === null || !(factor > 0)) return { busiest: imbalance, traffic: 1, droppedOfBusiest: 0 };
  const droppedOfBusiest = imbalance > factor ? (imbalance - factor) / imbalance : 0;
  if (plan.padExpertsToCapacity) return { busiest: factor, traffic: factor, droppedOfBusiest };
  // Below 1 the average expert is over capacity too, and the drops shrink what every rank exchanges.
  return { busiest: Math.min(imbalance, factor), traffic: Math.min(1, factor), droppedOfBusiest };
}
