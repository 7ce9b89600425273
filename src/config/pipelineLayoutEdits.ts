// A chosen pipeline layout written into the user's file, beside the sizes layoutEdits.ts writes. A search states a
// layout with plan fields (src/model/search/pipelineLayouts.ts): none for the even split, shorter first/last ranks
// (`firstStageLayers` / `lastStageLayers`), or the embedding and/or loss counted as layers (`accountForEmbedding` /
// `accountForLoss`); and in Megatron's letters (`layoutString`). Each format gets its own spelling:
//
// - a file that states a layout string (`--pipeline-model-parallel-layout`, `pipeline_model_parallel_layout`,
//   `parallel.layout`) gets an uneven chosen layout as a string in its place, since the string excludes the other
//   options; a *.plens.yaml gets `parallel.layout` for any uneven layout (its native way to state one); the even
//   split states no option in any format;
// - otherwise the options as Megatron-LM names them: `--decoder-first/last-pipeline-num-layers N` and the
//   `--account-for-embedding/loss-in-pipeline-split` switches in a script, `num_layers_in_first/last_pipeline_stage`
//   and `account_for_embedding/loss_in_pipeline_split` in NeMo and Megatron-Bridge YAML.
//
// An option the file states and the chosen layout does not is removed with its line, when that line holds nothing
// else (a YAML key, or a flag with its value and line continuation). Anything else is left to the user with the
// reason, like every other field (layoutEdits.ts).
import type { FieldPath, ParallelPlan } from '../model/design';
import type { FormatId } from './types';
import { lineBounds, plainNumberSpan, plainWordSpan, siblingLine, type FieldChange, type LayoutEditInput, type OffsetEdit } from './layoutEditBasics';

/** The plan fields that state a pipeline layout, in the order they are reported. */
export const PIPELINE_LAYOUT_FIELDS = ['layout', 'firstStageLayers', 'lastStageLayers', 'accountForEmbedding', 'accountForLoss'] as const;
type PipelineLayoutField = (typeof PIPELINE_LAYOUT_FIELDS)[number];

type EditableFormat = 'plens-yaml' | 'megatron-shell' | 'nemo-yaml' | 'megatron-bridge-yaml';

const MEGATRON_YAML_KEYS: Record<PipelineLayoutField, string> = {
  layout: 'pipeline_model_parallel_layout',
  firstStageLayers: 'num_layers_in_first_pipeline_stage',
  lastStageLayers: 'num_layers_in_last_pipeline_stage',
  accountForEmbedding: 'account_for_embedding_in_pipeline_split',
  accountForLoss: 'account_for_loss_in_pipeline_split',
};

const KEYS: Record<EditableFormat, Record<PipelineLayoutField, string>> = {
  'plens-yaml': { layout: 'layout', firstStageLayers: 'firstStageLayers', lastStageLayers: 'lastStageLayers', accountForEmbedding: 'accountForEmbedding', accountForLoss: 'accountForLoss' },
  'megatron-shell': {
    layout: '--pipeline-model-parallel-layout',
    firstStageLayers: '--decoder-first-pipeline-num-layers',
    lastStageLayers: '--decoder-last-pipeline-num-layers',
    accountForEmbedding: '--account-for-embedding-in-pipeline-split',
    accountForLoss: '--account-for-loss-in-pipeline-split',
  },
  'nemo-yaml': MEGATRON_YAML_KEYS,
  'megatron-bridge-yaml': MEGATRON_YAML_KEYS,
};

const editable = (format: FormatId): format is EditableFormat => format in KEYS;

/** A field's value as the plan holds it; an unset switch and `false` are the same. */
function valueOf(plan: ParallelPlan, field: PipelineLayoutField): string | number | true | readonly string[] | undefined {
  const value = plan[field];
  return value === false ? undefined : value;
}

const text = (value: ReturnType<typeof valueOf>): string => (value === undefined ? '(unset)' : Array.isArray(value) ? value.join(', ') : String(value));

/**
 * The target as this file states it: in layout letters where the file already uses a layout string, or a
 * *.plens.yaml takes an uneven one; as the target's own options otherwise. The same stages either way.
 */
export function restatedTarget(input: LayoutEditInput): ParallelPlan {
  const { target, current, format, targetLayout } = input;
  if (targetLayout === undefined || target.layout !== undefined) return target;
  // The even split states no option in any format: a layout string the file has goes with the others.
  const uneven = PIPELINE_LAYOUT_FIELDS.some((field) => valueOf(target, field) !== undefined);
  if (!uneven || (current.layout === undefined && format !== 'plens-yaml')) return target;
  const { firstStageLayers: _first, lastStageLayers: _last, accountForEmbedding: _embedding, accountForLoss: _loss, ...rest } = target;
  return { ...rest, layout: targetLayout };
}

export interface PipelineLayoutEditPlan {
  edits: OffsetEdit[];
  written: FieldChange[];
  notWritten: (FieldChange & { reason: string })[];
}

/** The edits that make the file state `target`'s pipeline layout (restatedTarget's form). */
export function pipelineLayoutEdits(input: LayoutEditInput, target: ParallelPlan): PipelineLayoutEditPlan {
  const out: PipelineLayoutEditPlan = { edits: [], written: [], notWritten: [] };
  for (const field of PIPELINE_LAYOUT_FIELDS) {
    const from = valueOf(input.current, field);
    const to = valueOf(target, field);
    if (text(from) === text(to)) continue;
    const change = { field, from: text(from), to: text(to) };
    const outcome = editLayoutField(input, field, from, to);
    if (typeof outcome === 'string') out.notWritten.push({ ...change, reason: outcome });
    else {
      out.edits.push(outcome);
      out.written.push(change);
    }
  }
  return out;
}

function editLayoutField(input: LayoutEditInput, field: PipelineLayoutField, from: ReturnType<typeof valueOf>, to: ReturnType<typeof valueOf>): OffsetEdit | string {
  const path = `plan.${field}` as FieldPath;
  const origin = input.origins[path];
  if (from !== undefined && origin && origin.from !== 'file') return `set by ${origin.from === 'directive' ? 'a # plens: directive' : `the ${origin.from}`}, not by a key of this file`;
  if (!editable(input.format)) return 'this format has no key for the pipeline layout that this edit writes; set it by hand';
  const key = KEYS[input.format][field];
  const entry = input.sourceMap.get(path);
  if (from !== undefined) {
    if (!entry) return 'the file sets it somewhere this edit cannot find; change it by hand';
    return to === undefined ? removeLine(input, entry, key) : replaceLayoutValue(input, field, entry.value.startOffset, entry.value.endOffset, from, to);
  }
  if (to === undefined) return 'nothing to write';
  return addLayoutLine(input, input.format, key, to);
}

/** Deletes the line of a key or flag when it holds nothing else (a flag's value and continuation included). */
function removeLine(input: LayoutEditInput, entry: { key: { startOffset: number; endOffset: number }; value: { startOffset: number; endOffset: number } }, key: string): OffsetEdit | string {
  const line = lineBounds(input.text, entry.key.startOffset);
  const end = Math.max(entry.key.endOffset, entry.value.endOffset);
  if (end > line.end) return `\`${key}\` spans several lines; remove it by hand`;
  const rest = input.text.slice(line.start, entry.key.startOffset) + input.text.slice(end, line.end);
  const continued = /\\\s*$/.test(rest);
  if (rest.replace(/\\\s*$/, '').trim() !== '') return `\`${key}\` shares its line with other settings; remove it by hand`;
  const removeFrom = line.start > 0 ? line.start - 1 : line.start;
  const removeTo = line.start > 0 ? line.end : Math.min(input.text.length, line.end + 1);
  // The last flag of a command takes no continuation; the line before it then must not keep one either.
  if (input.format === 'megatron-shell' && !continued && line.start > 0) {
    const before = lineBounds(input.text, line.start - 1);
    const previous = input.text.slice(before.start, before.end);
    const backslash = /\s*\\\s*$/.exec(previous);
    if (backslash) return { start: before.start + backslash.index, end: removeTo, text: '' };
  }
  return { start: removeFrom, end: removeTo, text: '' };
}

function replaceLayoutValue(input: LayoutEditInput, field: PipelineLayoutField, start: number, end: number, from: ReturnType<typeof valueOf>, to: ReturnType<typeof valueOf>): OffsetEdit | string {
  const raw = input.text.slice(start, end);
  if (field === 'layout') {
    if (typeof to !== 'string' || typeof from !== 'string') return 'the layout is written as a list of stages; set it by hand';
    const match = /^(\s*)(["']?)([^"'$`\s]*)\2\s*$/.exec(raw);
    if (!match) return `written as \`${raw.trim()}\`; change it where that is set`;
    const valueStart = start + match[1]!.length;
    const valueEnd = valueStart + match[2]!.length * 2 + match[3]!.length;
    // A range that stops inside the quotes keeps them; a bare value gets double quotes (`|` and `*` need them).
    const around = input.text[valueStart - 1] ?? '';
    const insideQuotes = match[2] === '' && /["']/.test(around) && input.text[valueEnd] === around;
    const quote = match[2] || (insideQuotes ? '' : '"');
    return { start: valueStart, end: valueEnd, text: `${quote}${to}${quote}` };
  }
  if (typeof from === 'number' && typeof to === 'number') {
    const span = plainNumberSpan(raw, from);
    if (!span) return `written as \`${raw.trim()}\`; change it where that is set`;
    return { start: start + span.start, end: start + span.end, text: String(to) };
  }
  // A switch that is already on stays on: only numbers and the layout string change in place.
  const span = plainWordSpan(raw);
  if (!span || input.format === 'megatron-shell') return `written as \`${raw.trim() || 'a switch'}\`; change it by hand`;
  return { start: start + span.start, end: start + span.end, text: String(to) };
}

/** One new line after the pipeline size's line (a sibling's, in a *.plens.yaml), indented and continued like it. */
function addLayoutLine(input: LayoutEditInput, format: EditableFormat, key: string, to: NonNullable<ReturnType<typeof valueOf>>): OffsetEdit | string {
  if (Array.isArray(to)) return 'a layout given as a list of stages is not written; set it by hand';
  const anchor = siblingLine(input, ['pp', 'vpp', 'tp', 'dp']);
  if (!anchor) return `no \`${key}\` and no pipeline size in the file to put it next to`;
  const line = input.text.slice(anchor.start, anchor.end);
  const indent = /^\s*/.exec(line)![0];
  if (format === 'megatron-shell') {
    const continued = /\\\s*$/.test(line) ? ' \\' : '';
    const value = to === true ? '' : typeof to === 'string' ? ` "${to}"` : ` ${to}`;
    return { start: anchor.end, end: anchor.end, text: `\n${indent}${key}${value}${continued}` };
  }
  const value = typeof to === 'string' ? `"${to}"` : String(to);
  return { start: anchor.end, end: anchor.end, text: `\n${indent}${key}: ${value}` };
}
