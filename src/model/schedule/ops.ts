// The shared vocabulary of schedules: op kinds, the struct-of-arrays op table that generators fill and the
// simulator reads, and the typed error a generator returns when its constraints do not hold.
import type { ScheduleId } from '../design';

/** Forward of one chunk. */
export const OP_F = 0;
/** Full backward (input- and weight-gradient). */
export const OP_B = 1;
/** Input-gradient backward; a W of the same micro-batch and chunk follows later. */
export const OP_I = 2;
/** Weight-gradient backward. */
export const OP_W = 3;
/** A forward of one chunk overlapped with the full backward of another (DualPipe, DualPipeV). */
export const OP_FB = 4;

export type OpKind = typeof OP_F | typeof OP_B | typeof OP_I | typeof OP_W | typeof OP_FB;
export const OP_NAMES = ['F', 'B', 'I', 'W', 'FB'] as const;
export type OpName = (typeof OP_NAMES)[number];

/**
 * Every rank's ordered op list, as parallel typed arrays. Ops of rank r are the indices
 * [rankStart[r], rankStart[r+1]) in execution order.
 *
 * `pipe` separates DualPipe's two directions (0 enters at rank 0, 1 at rank p−1); it is 0 elsewhere.
 * `stage` is the global stage index within the op's pipe, `chunk` the rank-local model chunk
 * (for DualPipe the chunk equals the direction). For FB ops the `back*` arrays name the backward half;
 * for every other op they equal the op's own fields.
 */
export interface Schedule {
  id: ScheduleId;
  /** Pipeline ranks (devices). */
  ranks: number;
  /** Micro-batches per step; for DualPipe both directions together. */
  microbatches: number;
  /** Model chunks per rank. */
  chunks: number;
  /** Stages in one pipe; stage s runs on rank stageRank[pipe·stages + s]. */
  stages: number;
  pipes: number;
  stageRank: Int32Array;
  opCount: number;
  rankStart: Int32Array;
  kind: Uint8Array;
  mb: Int32Array;
  chunk: Uint8Array;
  stage: Int32Array;
  pipe: Uint8Array;
  backMb: Int32Array;
  backChunk: Uint8Array;
  backStage: Int32Array;
  backPipe: Uint8Array;
}

/** A broken constraint of a schedule, with the rule in words. Returned, never thrown, for user input. */
export interface ScheduleError {
  code: 'schedule/constraint';
  schedule: ScheduleId;
  message: string;
}

export type ScheduleResult = { ok: true; schedule: Schedule } | { ok: false; error: ScheduleError };

export interface ScheduleParams {
  /** Pipeline ranks (devices). For DualPipeV, devices too (2·ranks stages). */
  ranks: number;
  microbatches: number;
  /** Chunks per rank for interleaved 1F1B (v); ignored by the others. */
  chunks?: number;
  /** Megatron's microbatch_group_size_per_vp_stage for interleaved 1F1B; defaults to ranks. */
  groupSize?: number;
}
