// Interleaved 1F1B in Megatron's order (forward_backward_pipelining_with_interleaving): each rank holds v chunks,
// stage = chunk·p + rank. Micro-batches are walked in groups of N (microbatch_group_size_per_vp_stage, default p):
// inside a group all micro-batches pass chunk 0, then chunk 1, and so on. Backwards walk the same table with the
// chunk order reversed. PyTorch's ScheduleInterleaved1F1B gives the same order when N = m / max(1, ⌊m/p⌋).
//
// Megatron's rules on m: N ∈ [p, m], and m mod N is 0 or at least p (before 2024-11 Megatron asked m mod p = 0;
// with the default N = p both rules say the same).
import { constraintError, loopedStageRank } from './builder';
import { OP_B, OP_F, type ScheduleError, type ScheduleParams } from './ops';
import { repeat, type ScheduleProgramResult } from './program';

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

export function programInterleaved1F1B(params: ScheduleParams): ScheduleProgramResult {
  const broken = checkInterleaved1F1B(params);
  if (broken) return { ok: false, error: broken };
  const { ranks, microbatches, chunks = 2, groupSize } = params;
  const group = groupSize ?? ranks;

  // The virtual-id table, by arithmetic: entry k is the (micro-batch, chunk) of the k-th forward on every rank.
  // Whole groups of N micro-batches come first, each walked chunk by chunk; a last, shorter group may follow.
  const total = microbatches * chunks;
  const wholeGroupIds = Math.floor(microbatches / group) * group * chunks;
  const lastGroupStart = Math.floor(microbatches / group) * group;
  const lastGroupSize = microbatches - lastGroupStart;
  const idMb = (id: number): number => id < wholeGroupIds
    ? Math.floor(id / (group * chunks)) * group + (id % group)
    : lastGroupStart + ((id - wholeGroupIds) % lastGroupSize);
  const idChunk = (id: number): number => id < wholeGroupIds
    ? Math.floor((id % (group * chunks)) / group)
    : Math.floor((id - wholeGroupIds) / lastGroupSize);

  const stages = ranks * chunks;
  return {
    ok: true,
    program: {
      id: 'interleaved-1f1b', ranks, microbatches, chunks, stages, pipes: 1, stageRank: loopedStageRank(ranks, chunks),
      expectedOps: 2 * total * ranks,
      rankPhases: (rank, sink) => {
        const forward = (id: number) => {
          const chunk = idChunk(id);
          sink.op(OP_F, idMb(id), chunk, chunk * ranks + rank, 0);
        };
        const backward = (id: number) => {
          const chunk = chunks - 1 - idChunk(id);
          sink.op(OP_B, idMb(id), chunk, chunk * ranks + rank, 0);
        };
        const warmup = Math.min((ranks - rank - 1) * 2 + (chunks - 1) * group, total);
        return [
          // Phase 1: warm-up forwards, deeper on early ranks so later chunks are primed.
          repeat(warmup, forward),
          // Phase 2: steady state, forward k + warm-up then backward k.
          repeat(total - warmup, (id) => {
            forward(id + warmup);
            backward(id);
          }),
          // Phase 3: cool-down backwards.
          repeat(warmup, (k) => backward(total - warmup + k)),
        ];
      },
    },
  };
}
