// What the layout edits share (layoutEdits.ts for the sizes, pipelineLayoutEdits.ts for the pipeline layout): the
// edit input and result shapes, and how a value or a line is found in the file's text.
import type { FieldPath, ParallelPlan } from '../model/design';
import type { FormatId, Origin, SourceMap } from './types';

/** The layout fields a search changes, in the order they are reported. */
export const LAYOUT_FIELDS = ['tp', 'pp', 'vpp', 'cp', 'ep', 'dp', 'zero', 'sequenceParallel', 'schedule', 'microBatchSize', 'recompute'] as const;
export type LayoutField = (typeof LAYOUT_FIELDS)[number];

export interface OffsetEdit {
  start: number;
  end: number;
  text: string;
}

export interface FieldChange {
  /** A ParallelPlan field: one of LAYOUT_FIELDS for an edit, any that differs when the edited file is read again. */
  field: string;
  from: string;
  to: string;
}

export interface LayoutEditInput {
  text: string;
  format: FormatId;
  sourceMap: SourceMap;
  origins: Record<string, Origin>;
  current: ParallelPlan;
  target: ParallelPlan;
  /**
   * The target's pipeline layout in Megatron's letters (a search result's `pipelineLayout.layout`): lets a file that
   * states a layout string, or a *.plens.yaml, take the chosen layout as a string (pipelineLayoutEdits.ts).
   */
  targetLayout?: string;
}

/** The literal number inside a value's text (`16`, `"16"`, ` 16 `), when it is the number the design holds. */
export function plainNumberSpan(text: string, expected: number): { start: number; end: number } | undefined {
  const match = /^(\s*)(["']?)(\d+)\2\s*$/.exec(text);
  if (!match || Number(match[3]) !== expected) return undefined;
  const start = match[1]!.length + match[2]!.length;
  return { start, end: start + match[3]!.length };
}

/** A bare or quoted word (`dualpipe`, `"1F1B"`), for schedule and recompute values. */
export function plainWordSpan(text: string): { start: number; end: number } | undefined {
  const match = /^(\s*)(["']?)([A-Za-z0-9_-]+)\2\s*$/.exec(text);
  if (!match) return undefined;
  const start = match[1]!.length + match[2]!.length;
  return { start, end: start + match[3]!.length };
}

export function lineBounds(text: string, offset: number): { start: number; end: number } {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const newline = text.indexOf('\n', offset);
  return { start, end: newline < 0 ? text.length : newline };
}

/** The line of the first sibling field the file sets, for a new key to follow. */
export function siblingLine(input: LayoutEditInput, siblings: readonly LayoutField[]): { start: number; end: number } | undefined {
  for (const sibling of siblings) {
    const entry = input.sourceMap.get(`plan.${sibling}` as FieldPath);
    if (entry && input.origins[`plan.${sibling}`]?.from === 'file') return lineBounds(input.text, entry.key.startOffset);
  }
  return undefined;
}
