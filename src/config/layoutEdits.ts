// A chosen layout written back into the user's own file: for each layout field that differs, replace the value
// where the file states it as a plain literal, or add one line next to a sibling key when the file does not set
// it. Formatting, comments and every other byte stay as they were. What cannot be written clearly (a value that
// comes through `$PP`, a directive, a setting, a key this format has no spelling for) is listed with the reason,
// never guessed. Pure: the editor's Apply and `plens search --apply` both use it.
import type { FieldPath, ParallelPlan, ScheduleId } from '../model/design';
import { LAYOUT_FIELDS, lineBounds, plainNumberSpan, plainWordSpan, siblingLine, type FieldChange, type LayoutEditInput, type LayoutField, type OffsetEdit } from './layoutEditBasics';
import { pipelineLayoutEdits, restatedTarget } from './pipelineLayoutEdits';

export { LAYOUT_FIELDS, plainNumberSpan, type FieldChange, type LayoutEditInput, type LayoutField, type OffsetEdit } from './layoutEditBasics';

export interface LayoutEditPlan {
  edits: OffsetEdit[];
  written: FieldChange[];
  /** Changes left to the user, each with why. */
  notWritten: (FieldChange & { reason: string })[];
}

/** Where each field lives in the formats we can add a line to: the key, and the keys it goes next to. */
const PLENS_KEYS: Partial<Record<LayoutField, { key: string; siblings: LayoutField[] }>> = {
  tp: { key: 'tp', siblings: ['pp', 'ep', 'cp', 'dp', 'zero'] },
  pp: { key: 'pp', siblings: ['tp', 'ep', 'cp', 'dp', 'zero'] },
  vpp: { key: 'vpp', siblings: ['pp', 'tp', 'ep', 'cp', 'dp'] },
  cp: { key: 'cp', siblings: ['tp', 'pp', 'ep', 'dp'] },
  ep: { key: 'ep', siblings: ['pp', 'tp', 'cp', 'dp'] },
  dp: { key: 'dp', siblings: ['tp', 'pp', 'ep', 'cp'] },
  zero: { key: 'zero', siblings: ['dp', 'tp', 'pp', 'ep', 'cp'] },
  sequenceParallel: { key: 'sequenceParallel', siblings: ['tp', 'pp', 'ep', 'cp', 'dp'] },
  microBatchSize: { key: 'microBatchSize', siblings: [] },
  recompute: { key: 'recompute', siblings: ['microBatchSize'] },
};

const MEGATRON_FLAGS: Partial<Record<LayoutField, string>> = {
  tp: '--tensor-model-parallel-size',
  pp: '--pipeline-model-parallel-size',
  vpp: '--num-virtual-stages-per-pipeline-rank',
  cp: '--context-parallel-size',
  ep: '--expert-model-parallel-size',
  microBatchSize: '--micro-batch-size',
};
const MEGATRON_SIBLINGS: LayoutField[] = ['pp', 'tp', 'cp', 'ep', 'microBatchSize'];

/** torchtitan's `pipeline_parallel_schedule` names (torch.distributed.pipelining). */
const TORCHTITAN_SCHEDULES: Partial<Record<ScheduleId, string>> = {
  gpipe: 'GPipe',
  '1f1b': '1F1B',
  'interleaved-1f1b': 'Interleaved1F1B',
  'zb-h1': 'InterleavedZeroBubble',
  zbv: 'ZBVZeroBubble',
  dualpipev: 'DualPipeV',
};

function valueText(plan: ParallelPlan, field: LayoutField): string {
  return String(plan[field]);
}

export function layoutEdits(given: LayoutEditInput): LayoutEditPlan {
  const input = { ...given, target: restatedTarget(given) };
  const plan: LayoutEditPlan = { edits: [], written: [], notWritten: [] };
  for (const field of LAYOUT_FIELDS) {
    const from = valueText(input.current, field);
    const to = valueText(input.target, field);
    if (from === to) continue;
    const change = { field, from, to };
    const outcome = editField(input, field);
    if (typeof outcome === 'string') plan.notWritten.push({ ...change, reason: outcome });
    else {
      plan.edits.push(outcome);
      plan.written.push(change);
    }
  }
  // recomputeModules rides on recompute: a module list the target does not share is the user's to write.
  const modules = (p: ParallelPlan) => (p.recompute === 'selective' ? (p.recomputeModules ?? []).join(', ') : '');
  if (input.target.recompute === 'selective' && modules(input.current) !== modules(input.target) && input.target.recomputeModules) {
    plan.notWritten.push({ field: 'recompute', from: modules(input.current) || '(default)', to: modules(input.target), reason: 'the recompute module list is not written; set it by hand' });
  }
  const layout = pipelineLayoutEdits(input, input.target);
  plan.edits.push(...layout.edits);
  plan.written.push(...layout.written);
  plan.notWritten.push(...layout.notWritten);
  plan.edits.sort((a, b) => a.start - b.start || a.end - b.end);
  return plan;
}

/** One field's edit, or why there is none. */
function editField(input: LayoutEditInput, field: LayoutField): OffsetEdit | string {
  const path = `plan.${field}` as FieldPath;
  const origin = input.origins[path];
  const to = valueText(input.target, field);
  if (origin?.from === 'derived') return `derived from the other sizes here; it becomes ${to} when they change`;
  if (origin && origin.from !== 'file' && origin.from !== 'default' && origin.from !== 'catalog') {
    return `set by ${origin.from === 'directive' ? 'a # plens: directive' : `the ${origin.from}`}, not by a key of this file`;
  }
  const source = input.sourceMap.get(path)?.value ?? (origin?.from === 'file' ? origin.range : undefined);
  if (source) return replaceValue(input, field, source.startOffset, source.endOffset);
  return addLine(input, field);
}

function replaceValue(input: LayoutEditInput, field: LayoutField, start: number, end: number): OffsetEdit | string {
  const raw = input.text.slice(start, end);
  const target = input.target;
  if (field === 'schedule') {
    const name = input.format === 'plens-yaml' ? target.schedule : input.format === 'torchtitan-toml' ? TORCHTITAN_SCHEDULES[target.schedule] : undefined;
    if (!name) return `this format has no schedule key for ${target.schedule}`;
    const span = plainWordSpan(raw);
    if (!span) return `written as \`${raw.trim()}\`; change it where that is set`;
    return { start: start + span.start, end: start + span.end, text: name };
  }
  if (field === 'sequenceParallel') {
    const span = input.format === 'plens-yaml' ? plainWordSpan(raw) : undefined;
    if (!span) return `written as \`${raw.trim() || 'a switch'}\`; change it by hand`;
    return { start: start + span.start, end: start + span.end, text: String(target.sequenceParallel) };
  }
  if (field === 'recompute') {
    if (input.format !== 'plens-yaml') return 'recomputation is spelled over several keys in this format; set it by hand';
    const span = plainWordSpan(raw);
    if (!span) return `written as \`${raw.trim()}\`; change it where that is set`;
    return { start: start + span.start, end: start + span.end, text: target.recompute };
  }
  const current = input.current[field];
  const span = typeof current === 'number' ? plainNumberSpan(raw, current) : undefined;
  if (!span) return `written as \`${raw.trim()}\`; change it where that is set`;
  return { start: start + span.start, end: start + span.end, text: String(target[field]) };
}

/** A key the file does not set: one new line after a sibling's line, indented like it. */
function addLine(input: LayoutEditInput, field: LayoutField): OffsetEdit | string {
  const value = valueText(input.target, field);
  if (field === 'schedule') return `this format has no schedule key for ${value}${input.format.startsWith('megatron') ? ' (Megatron-LM runs interleaved 1F1B when the virtual pipeline size is above 1)' : ''}`;
  if (input.format === 'plens-yaml') {
    const spec = PLENS_KEYS[field];
    if (!spec) return 'no key of this file sets it';
    const anchor = siblingLine(input, spec.siblings);
    if (!anchor) return `no \`${spec.key}:\` key and no sibling key to put it next to`;
    const indent = /^\s*/.exec(input.text.slice(anchor.start, anchor.end))![0];
    return { start: anchor.end, end: anchor.end, text: `\n${indent}${spec.key}: ${value}` };
  }
  if (input.format === 'megatron-shell') {
    // ZeRO-1 (the distributed optimizer) and sequence parallelism are switches, written without a value.
    const zeroOne = field === 'zero' && input.target.zero === 1 && input.current.zero === 0;
    const sequenceOn = field === 'sequenceParallel' && input.target.sequenceParallel;
    const flag = zeroOne ? '--use-distributed-optimizer' : sequenceOn ? '--sequence-parallel' : MEGATRON_FLAGS[field];
    if (!flag) return 'Megatron-LM sets it through several flags; set it by hand';
    const anchor = siblingLine(input, MEGATRON_SIBLINGS);
    if (!anchor) return `no ${flag} flag and no parallel-size flag to put it next to`;
    const line = input.text.slice(anchor.start, anchor.end);
    const indent = /^\s*/.exec(line)![0];
    // Continue the command the way the sibling's line does: with a trailing backslash, or as an array item.
    const continued = /\\\s*$/.test(line) ? ' \\' : '';
    return { start: anchor.end, end: anchor.end, text: `\n${indent}${flag}${zeroOne || sequenceOn ? '' : ` ${value}`}${continued}` };
  }
  return 'no key of this file sets it, and a new key would need a place this format does not make clear';
}

/** The text with the edits made (edits sorted, not overlapping). */
export function applyOffsetEdits(text: string, edits: readonly OffsetEdit[]): string {
  let out = '';
  let at = 0;
  // An insertion at the offset where a removal starts goes first, so the removal does not swallow it.
  for (const edit of [...edits].sort((a, b) => a.start - b.start || a.end - b.end)) {
    out += text.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + text.slice(at);
}

/** The change as a unified diff: one hunk from the first changed line to the last, one line of context. */
export function lineDiff(path: string, before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tailA = a.length - 1;
  let tailB = b.length - 1;
  while (tailA >= head && tailB >= head && a[tailA] === b[tailB]) {
    tailA--;
    tailB--;
  }
  if (head > tailA && head > tailB) return '';
  const from = Math.max(0, head - 1);
  const toA = Math.min(a.length - 1, tailA + 1);
  const toB = Math.min(b.length - 1, tailB + 1);
  const lines = [`--- ${path}`, `+++ ${path}`, `@@ -${from + 1},${toA - from + 1} +${from + 1},${toB - from + 1} @@`];
  for (let i = from; i < head; i++) lines.push(` ${a[i]}`);
  lines.push(...middleDiff(a.slice(head, tailA + 1), b.slice(head, tailB + 1)));
  for (let i = Math.max(tailA + 1, head); i <= toA; i++) lines.push(` ${a[i]}`);
  return lines.join('\n') + '\n';
}

/** Lines between the first and last change, unchanged ones kept as context (a longest common subsequence). */
function middleDiff(a: string[], b: string[]): string[] {
  // A layout edit touches a handful of lines; past this the lines are simply listed as removed and added.
  if (a.length * b.length > 250_000) return [...a.map((line) => `-${line}`), ...b.map((line) => `+${line}`)];
  const common: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) common[i]![j] = a[i] === b[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(` ${a[i++]}`);
      j++;
    } else if (i < a.length && (j >= b.length || common[i + 1]![j]! >= common[i]![j + 1]!)) out.push(`-${a[i++]}`);
    else out.push(`+${b[j++]}`);
  }
  return out;
}

/**
 * Every plan field where `plan` (the file read again after the edits) still differs from `target`: not only the
 * layout sizes, since a search may also have chosen, say, sequence parallelism, and the row's figures need it.
 */
export function layoutDifferences(plan: ParallelPlan, target: ParallelPlan): FieldChange[] {
  const text = (value: unknown) => (value === undefined ? '(unset)' : Array.isArray(value) ? value.join(', ') : String(value));
  const fields = [...new Set([...Object.keys(target), ...Object.keys(plan)])];
  const ordered = [...LAYOUT_FIELDS.filter((field) => fields.includes(field)), ...fields.filter((field) => !(LAYOUT_FIELDS as readonly string[]).includes(field))];
  const of = (p: ParallelPlan, field: string) => (p as unknown as Record<string, unknown>)[field];
  return ordered
    .filter((field) => JSON.stringify(of(plan, field)) !== JSON.stringify(of(target, field)))
    .map((field) => ({ field, from: text(of(plan, field)), to: text(of(target, field)) }));
}

export interface LayoutApply {
  edits: OffsetEdit[];
  after: string;
  written: FieldChange[];
  /** Fields where the edited file still gives another value than the chosen layout (`from` is the file's). */
  remaining: (FieldChange & { reason: string })[];
}

/**
 * The edits for `target`, checked by reading the edited text again (`reread`, the caller's reader and completion):
 * what still differs is reported with the reason the edit left it, so Apply never claims more than the file says.
 */
export function planLayoutApply(given: LayoutEditInput, reread: (text: string) => ParallelPlan | undefined): LayoutApply {
  const plan = layoutEdits(given);
  // The chosen layout as this file states it (the same stages): what the edited file is compared with.
  const input = { ...given, target: restatedTarget(given) };
  const after = applyOffsetEdits(input.text, plan.edits);
  const reason = (field: string) => plan.notWritten.find((n) => n.field === field)?.reason ?? 'not a key this edit writes; set it by hand';
  const replan = plan.edits.length > 0 ? reread(after) : input.current;
  const remaining = replan
    ? layoutDifferences(replan, input.target).map((d) => ({ ...d, reason: reason(d.field) }))
    : [...plan.notWritten, ...plan.written.map((w) => ({ ...w, reason: 'the edited file could not be read back' }))];
  return { edits: plan.edits, after, written: plan.written, remaining };
}
