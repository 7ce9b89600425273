// plens check (CONTRACT.md): every problem of each FILE as `file:line:col: severity code: message`, the form
// editors and CI annotate, plus optional thresholds on the estimate. Exit 1 on an error or a crossed threshold,
// 2 when a file cannot be read or is not a config.
import { designProblems } from '../../config/completion/designProblems';
import type { Problem } from '../../model/problems';
import { estimate, type EstimateResult } from '../../model/estimate';
import { DEFAULT_BUBBLE_WARNING_FRACTION, DEFAULT_MEMORY_WARNING_FRACTION, nearCapacity } from '../../model/warnings';
import { formatGiB } from '../../format';
import { numberFlag, parseArgs, type ParsedArgs } from '../args';
import { tablePercent } from '../format';
import { UsageError, type CliIo } from '../io';
import { DESIGN_FLAGS, DESIGN_SWITCHES, flagDraft, loadDesign, type LoadedDesign } from './loadDesign';

export const CHECK_USAGE = 'plens check FILE... [--max-bubble FRACTION] [--max-memory FRACTION] [--model ID|FILE] [--gpu ID] [--nodes N] [--gpus-per-node N] [--schedule ID] [--allow-outside] [--json]';

interface Threshold {
  fraction: number | null;
  max: number;
  crossed: boolean;
}

interface FileReport {
  file: string;
  format: string | null;
  problems: Problem[];
  thresholds: { bubble?: Threshold; memory?: Threshold };
  /** Set when the file could not be read or recognised (exit 2). */
  unreadable?: string;
}

function fractionFlag(args: ParsedArgs, name: string): number | undefined {
  return args.values.has(name) ? numberFlag(args, name, 0, { min: 0 }) : undefined;
}

export async function runCheck(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { values: ['max-bubble', 'max-memory', ...DESIGN_FLAGS], switches: ['json', ...DESIGN_SWITCHES] });
  if (args.positionals.length === 0) throw new UsageError(`no FILE given. Usage: ${CHECK_USAGE}`);
  const maxBubble = fractionFlag(args, 'max-bubble');
  const maxMemory = fractionFlag(args, 'max-memory');
  const flags = flagDraft(args, io);
  const reports = args.positionals.map((file) => checkFile(io, file, flags, maxBubble, maxMemory, args.switches.has('allow-outside')));

  if (args.switches.has('json')) {
    const json = reports.map(toJson);
    io.stdout(`${JSON.stringify(json.length === 1 ? json[0] : json, null, 2)}\n`);
  } else {
    io.stdout(reports.map(toText).join(''));
    const errors = reports.reduce((n, report) => n + report.problems.filter((p) => p.severity === 'error').length, 0);
    const warnings = reports.reduce((n, report) => n + report.problems.filter((p) => p.severity === 'warning').length, 0);
    const unreadable = reports.filter((report) => report.unreadable).length;
    io.stdout(`${reports.length} file${reports.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}` +
      `${unreadable > 0 ? `, ${unreadable} not read (see stderr)` : ''}\n`);
  }
  for (const report of reports) if (report.unreadable) io.stderr(`${report.unreadable}\n`);
  if (reports.some((report) => report.unreadable)) return 2;
  const failed = reports.some((report) => report.problems.some((p) => p.severity === 'error') || report.thresholds.bubble?.crossed || report.thresholds.memory?.crossed);
  return failed ? 1 : 0;
}

function checkFile(io: CliIo, file: string, flags: ReturnType<typeof flagDraft>, maxBubble: number | undefined, maxMemory: number | undefined, allowOutside: boolean): FileReport {
  let loaded: LoadedDesign;
  try {
    loaded = loadDesign(io, file, flags, { allowOutside });
  } catch (error) {
    // One file that cannot be read never stops the others; a bug still names itself as one.
    const message = error instanceof UsageError ? error.message : `${file}: internal error: ${error instanceof Error ? error.message : String(error)}`;
    return { file, format: null, problems: [], thresholds: {}, unreadable: message };
  }
  const { completion } = loaded;
  // The editor's default thresholds unless the flags set limits of their own (model/warnings.ts).
  const result = completion.design ? withoutOwnBubbleWarning(estimate(completion.design, { maxBubbleFraction: DEFAULT_BUBBLE_WARNING_FRACTION }), maxBubble) : undefined;
  const extra = result?.estimate && maxMemory === undefined ? nearCapacity(result.estimate, DEFAULT_MEMORY_WARNING_FRACTION) : [];
  const problems = designProblems({ read: loaded.read, completion, result, extra });
  const report: FileReport = { file, format: loaded.format, problems, thresholds: {} };
  const anchor = completion.origins['plan.schedule']?.range ?? completion.origins['plan.pp']?.range;
  if (maxBubble !== undefined) {
    const fraction = result?.estimate?.bubble.fraction ?? null;
    report.thresholds.bubble = { fraction, max: maxBubble, crossed: fraction === null || fraction > maxBubble };
    if (fraction === null) problems.push(unavailable('bubble', anchor));
    else if (fraction > maxBubble) problems.push(at({ severity: 'error', code: 'threshold/bubble', field: 'plan.schedule', message: `pipeline bubble is ${tablePercent(fraction)} of the step, above --max-bubble ${tablePercent(maxBubble)}` }, anchor));
  }
  if (maxMemory !== undefined) {
    const memory = result?.estimate?.memory;
    const fraction = memory && memory.capacityBytes > 0 ? memory.peakBytes / memory.capacityBytes : null;
    report.thresholds.memory = { fraction, max: maxMemory, crossed: fraction === null || fraction > maxMemory };
    const ppRange = completion.origins['plan.pp']?.range ?? anchor;
    if (fraction === null) problems.push(unavailable('memory', ppRange));
    else if (fraction > maxMemory) {
      problems.push(at({ severity: 'error', code: 'threshold/memory', field: 'plan.pp', message: `peak stage memory is ${tablePercent(fraction)} of HBM (${formatGiB(memory!.peakBytes)} of ${formatGiB(memory!.capacityBytes)}), above --max-memory ${tablePercent(maxMemory)}` }, ppRange));
    }
  }
  return report;
}

/**
 * With --max-bubble the threshold/bubble error states the bubble against the user's limit; the model's bubble/high
 * warning on the same key would state the same fact again (or, at its own 20 % default, one the user overrode).
 */
function withoutOwnBubbleWarning(result: EstimateResult, maxBubble: number | undefined): EstimateResult {
  return maxBubble === undefined ? result : { ...result, problems: result.problems.filter((p) => p.code !== 'bubble/high') };
}

function at(problem: Problem, range: Problem['range'] | undefined): Problem {
  return range ? { ...problem, range } : problem;
}

function unavailable(what: 'bubble' | 'memory', range: Problem['range'] | undefined): Problem {
  return at({ severity: 'error', code: `threshold/${what}`, message: `the --max-${what} threshold cannot be checked: there is no estimate for this file (see the errors above)` }, range);
}


function sortByPosition(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => (a.range?.startOffset ?? -1) - (b.range?.startOffset ?? -1));
}

function toText(report: FileReport): string {
  return sortByPosition(report.problems)
    .map((p) => `${report.file}:${p.range?.line ?? 1}:${p.range?.column ?? 1}: ${p.severity} ${p.code}: ${p.message.replace(/\s*\n\s*/g, ' ')}\n`)
    .join('');
}

function toJson(report: FileReport): Record<string, unknown> {
  return {
    file: report.file,
    format: report.format,
    ...(report.unreadable ? { error: report.unreadable } : {}),
    problems: sortByPosition(report.problems).map((p) => ({
      severity: p.severity, code: p.code, message: p.message, ...(p.field ? { field: p.field } : {}),
      ...(p.range ? { line: p.range.line, column: p.range.column, endLine: p.range.endLine, endColumn: p.range.endColumn } : {}),
    })),
    thresholds: report.thresholds,
  };
}
