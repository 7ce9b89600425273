// The pipeline shape and per-chunk cost flags that `schedule` and `compare` share (CONTRACT.md defaults).
import { numberFlag, type ParsedArgs } from './args';
import { UsageError } from './io';

export const PIPELINE_FLAGS = ['pp', 'microbatches', 'chunks', 'f', 'b', 'w', 'fb', 'p2p'] as const;

/** Costs are relative units; past this a step's sum of millions of ops could stop being a finite number. */
const MAX_COST = 1e12;

export interface PipelineFlags {
  pp: number;
  microbatches: number;
  chunks: number;
  costs: { F: number; B: number; W: number; FB: number; p2p: number };
}

export function pipelineFlags(args: ParsedArgs): PipelineFlags {
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  if (!args.values.has('pp')) throw new UsageError('--pp is required');
  if (!args.values.has('microbatches')) throw new UsageError('--microbatches is required');
  const F = numberFlag(args, 'f', 1, { min: 0, max: MAX_COST });
  const B = numberFlag(args, 'b', 2, { min: 0, max: MAX_COST });
  return {
    pp: numberFlag(args, 'pp', 0, { integer: true, min: 1 }),
    microbatches: numberFlag(args, 'microbatches', 0, { integer: true, min: 1 }),
    chunks: numberFlag(args, 'chunks', 2, { integer: true, min: 1 }),
    costs: {
      F,
      B,
      W: numberFlag(args, 'w', 1, { min: 0, max: MAX_COST }),
      // The overlapped pair defaults to no overlap gain.
      FB: numberFlag(args, 'fb', F + B, { min: 0, max: MAX_COST }),
      p2p: numberFlag(args, 'p2p', 0, { min: 0, max: MAX_COST }),
    },
  };
}
