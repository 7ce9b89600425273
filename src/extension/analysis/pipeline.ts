// One document's text → reader → completion → estimate → the problems to show (DESIGN.md §2), as a pure function
// so the editor surface can be tested without an editor. Guarded for the editor's sake (DESIGN.md §7): a size
// limit, an op budget before simulating, and no exception escapes.
import { designProblems } from '../../config/completion/designProblems';
import { completeDesign, readConfig, type Completion, type CompletionContext } from '../../config/index';
import type { ReadResult, Reader } from '../../config/types';
import type { DesignDraft } from '../../model/design';
import { estimate, type Estimate, type EstimateResult } from '../../model/estimate';
import { nearCapacity } from '../../model/warnings';
import type { Problem } from '../../model/problems';
import { scheduleOps } from './whatIf';

/** Above this many schedule ops the estimate is left to the CLI (`plens estimate`), which has no editor to block. */
export const MAX_EDITOR_OPS = 3_000_000;

/** The editor's cut-off families: the readers' kinds, with *.plens.yaml apart from other YAML. */
export type EditorFormat = 'plens-yaml' | 'yaml' | 'shell' | 'toml' | 'json' | 'python';

/**
 * Above these sizes the editor does not read the file: the analysis runs on the extension host's thread, and at
 * each cut-off it costs about one 16 ms frame of CPU, measured by `npm run bench` (rows "editor cut-off") on files
 * grown from real ones (bench/largeConfigs.ts); DESIGN.md §7 gives the figures and the load. Real configs are a
 * few KiB: the largest fixtures are 22 KiB of NeMo YAML and 7.6 KiB of shell.
 */
export const EDITOR_CUTOFF_CHARS: Readonly<Record<EditorFormat, number>> = {
  'plens-yaml': 32 * 1024,
  yaml: 40 * 1024,
  shell: 24 * 1024,
  toml: 24 * 1024,
  json: 64 * 1024,
  python: 24 * 1024,
};

const FORMAT_LABEL: Readonly<Record<EditorFormat, string>> = {
  'plens-yaml': 'Parallelism Lens YAML', yaml: 'YAML', shell: 'shell', toml: 'TOML', json: 'JSON', python: 'Python',
};

/** The cut-off family by name; a name that does not say gets the smallest cut-off, as it could be any format. */
export function editorFormat(fileName: string): EditorFormat | undefined {
  const lower = fileName.toLowerCase();
  if (/\.plens\.ya?ml$/.test(lower)) return 'plens-yaml';
  if (/\.ya?ml$/.test(lower)) return 'yaml';
  if (/\.jsonc?$/.test(lower)) return 'json';
  if (/\.toml$/.test(lower)) return 'toml';
  if (/\.py$/.test(lower)) return 'python';
  if (/\.(sh|bash|slurm|sbatch)$/.test(lower)) return 'shell';
  return undefined;
}

export function editorCutoffChars(fileName: string): number {
  const format = editorFormat(fileName);
  return format ? EDITOR_CUTOFF_CHARS[format] : Math.min(...Object.values(EDITOR_CUTOFF_CHARS));
}

/** The largest cut-off: text above it is not read for any format (nor the files its directives name). */
export const MAX_EDITOR_CHARS = Math.max(...Object.values(EDITOR_CUTOFF_CHARS));

/** Keys that make a large file worth a word about why it is not estimated. */
const CONFIG_HINT = /tensor[_-]model[_-]parallel[_-]size|tensor_parallel_degree|pipeline[_-]model[_-]parallel[_-]size|pipeline_parallel_degree|train_micro_batch_size_per_gpu|(^|\s)(#|\/\/)\s*plens:/;

export interface PipelineInput {
  text: string;
  fileName: string;
  settings?: DesignDraft;
  workspace?: DesignDraft;
  /** Files a `model=./config.json` directive names, already read (the editor reads them asynchronously first). */
  readFile?: (relativePath: string) => string | { refused: string } | undefined;
  bubbleWarningFraction?: number;
  /** Warn when a rank's peak memory is above this fraction of HBM but still fits (setting memoryWarningFraction). */
  memoryWarningFraction?: number;
}

export interface PipelineResult {
  read: ReadResult;
  completion: Completion | undefined;
  estimate: EstimateResult | undefined;
  /** Everything to show, each fact once with a range where one is known (designProblems), repeats folded. */
  problems: Problem[];
}

export function analyseText(input: PipelineInput, reader: Reader = readConfig): PipelineResult | undefined {
  if (input.text.length > editorCutoffChars(input.fileName)) return tooLarge(input);
  let read: ReadResult | undefined;
  try {
    read = reader(input.text, input.fileName);
  } catch (error) {
    return internal(undefined, error);
  }
  if (!read) return undefined;
  try {
    const context: CompletionContext = { text: input.text, readModelFile: reader };
    if (input.readFile) context.readFile = boundedModelFiles(input.readFile);
    if (input.workspace) context.workspace = input.workspace;
    if (input.settings) context.settings = input.settings;
    const completion = completeDesign(read, context);
    const extra: Problem[] = [];
    let result: EstimateResult | undefined;
    // As `plens estimate` does: estimate whenever completion gave a design; the model says when it cannot.
    if (completion.design) {
      const ops = scheduleOps(completion.design.plan);
      if (ops > MAX_EDITOR_OPS) {
        extra.push({ severity: 'info', code: 'estimate/budget', field: 'plan.microbatches', related: ['plan.globalBatchSize', 'plan.pp'], message: `${completion.design.plan.microbatches} micro-batches × ${completion.design.plan.pp} ranks is more schedule than the editor simulates (${MAX_EDITOR_OPS.toLocaleString('en-US')} ops); run \`plens estimate\` for this file` });
      } else {
        const options = input.bubbleWarningFraction === undefined ? {} : { maxBubbleFraction: input.bubbleWarningFraction };
        result = estimate(completion.design, options);
        if (result.estimate && input.memoryWarningFraction !== undefined) extra.push(...nearCapacity(result.estimate, input.memoryWarningFraction));
      }
    }
    return { read, completion, estimate: result, problems: mergeRepeats(designProblems({ read, completion, result, extra })) };
  } catch (error) {
    return internal(read, error);
  }
}

export { nearCapacity };

/**
 * Presentation: the same code on the same range said again (one `memory/over-capacity` per pipeline stage)
 * becomes one diagnostic, the first message and a count of the others. Distinct facts are already distinct
 * (designProblems); this only keeps sixteen squiggles on one key from reading as sixteen problems.
 */
export function mergeRepeats(problems: Problem[]): Problem[] {
  const groups = new Map<string, Problem[]>();
  const order: string[] = [];
  for (const problem of problems) {
    const r = problem.range;
    const key = `${problem.severity}|${problem.code}|${r ? `${r.startOffset}:${r.endOffset}` : problem.field ?? ''}`;
    const group = groups.get(key);
    if (group) {
      if (!group.some((p) => p.message === problem.message)) group.push(problem);
    } else {
      groups.set(key, [problem]);
      order.push(key);
    }
  }
  return order.map((key) => {
    const group = groups.get(key)!;
    const first = group[0]!;
    if (group.length === 1) return first;
    return { ...first, message: `${first.message} (and ${group.length - 1} more like it)` };
  });
}

function tooLarge(input: PipelineInput): PipelineResult | undefined {
  const named = /\.plens\.ya?ml$/i.test(input.fileName);
  if (!named && !CONFIG_HINT.test(input.text.slice(0, 65_536))) return undefined;
  const format = editorFormat(input.fileName);
  const kind = format ? `${FORMAT_LABEL[format]} files` : 'files of this kind';
  const cutoff = kibibytes(editorCutoffChars(input.fileName));
  const problem: Problem = { severity: 'info', code: 'input/too-large', message: `This file is ${kibibytes(input.text.length)} KiB; Parallelism Lens reads ${kind} up to ${cutoff} KiB in the editor, so that reading one never holds the editor up. Run \`plens estimate\` on it instead.` };
  return { read: { format: 'plens-yaml', design: { model: {}, plan: {}, cluster: {} }, sourceMap: new Map(), problems: [problem] }, completion: undefined, estimate: undefined, problems: [problem] };
}

function kibibytes(chars: number): string {
  return (chars / 1024).toFixed(chars < 10 * 1024 ? 1 : 0);
}

/** A file a directive names is read on the same thread as the config: the same per-format cut-off applies. */
function boundedModelFiles(readFile: NonNullable<PipelineInput['readFile']>): NonNullable<PipelineInput['readFile']> {
  return (relativePath) => {
    const file = readFile(relativePath);
    if (typeof file !== 'string' || file.length <= editorCutoffChars(relativePath)) return file;
    return { refused: `it is ${kibibytes(file.length)} KiB, larger than the editor reads (${kibibytes(editorCutoffChars(relativePath))} KiB); run \`plens estimate\` on the config instead` };
  };
}

function internal(read: ReadResult | undefined, error: unknown): PipelineResult | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const problem: Problem = { severity: 'error', code: 'extension/internal', message: `Parallelism Lens could not analyse this file (a bug; please report it): ${message}` };
  const base: ReadResult = read ?? { format: 'plens-yaml', design: { model: {}, plan: {}, cluster: {} }, sourceMap: new Map(), problems: [] };
  return { read: base, completion: undefined, estimate: undefined, problems: [...base.problems, problem] };
}
