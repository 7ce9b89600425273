// `plens trace FILE --out OUT.json`: the estimated step's per-rank timeline as Chrome trace events (seconds → µs).
import { designProblems } from '../../config/completion/designProblems';
import { estimate } from '../../model/estimate';
import { chromeTrace } from '../../model/trace';
import { formatSeconds } from '../../format';
import { parseArgs } from '../args';
import { UsageError, type CliIo } from '../io';
import { problemJson } from './estimateJson';
import { DESIGN_FLAGS, DESIGN_SWITCHES, flagDraft, loadDesign } from './loadDesign';

export const TRACE_USAGE = 'plens trace FILE --out OUT.json [--model ID|FILE] [--gpu ID] [--nodes N] [--gpus-per-node N] [--schedule ID] [--allow-outside]';

const MICROSECONDS_PER_SECOND = 1e6;
/** Each op is about 100 bytes of trace JSON; past a million the file is too large to open or to build as a string. */
const MAX_TRACED_OPS = 1_000_000;

export async function runTrace(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { values: [...DESIGN_FLAGS, 'out'], switches: [...DESIGN_SWITCHES] });
  if (args.positionals.length !== 1) throw new UsageError('name exactly one FILE to trace');
  const out = args.values.get('out');
  if (out === undefined) throw new UsageError('--out OUT.json is required');
  const file = args.positionals[0]!;
  const loaded = loadDesign(io, file, flagDraft(args, io), { allowOutside: args.switches.has('allow-outside') });
  const design = loaded.completion.design;
  const result = design ? estimate(design) : undefined;
  if (!result?.estimate || !result.timeline) {
    const problems = designProblems({ read: loaded.read, completion: loaded.completion, result }).filter((p) => p.severity === 'error');
    const first = problems[0] ? problemJson(problems[0]) : undefined;
    const where = first?.line !== undefined ? `${file}:${first.line}:${first.column}` : file;
    throw new UsageError(`${where}: cannot estimate this design${first ? `: ${first.code}: ${first.message}` : ''}`);
  }
  const ops = result.timeline.schedule.kind.length;
  if (ops > MAX_TRACED_OPS) {
    throw new UsageError(`${file}: the estimated step has ${ops.toLocaleString('en-US')} ops, above the ${MAX_TRACED_OPS.toLocaleString('en-US')} a trace file holds (about 100 MB of JSON); fewer micro-batches per step trace fine`);
  }
  const trace = chromeTrace(result.timeline.schedule, result.timeline.timeline, MICROSECONDS_PER_SECOND);
  io.writeFile(out, JSON.stringify(trace));
  const drawn = trace.traceEvents.filter((event) => event.ph === 'X').length;
  io.stdout(`wrote ${out}: ${result.timeline.schedule.ranks} pipeline ranks, ${drawn} ops, step ${formatSeconds(result.estimate.stepTimeSeconds)} (open it in Perfetto or chrome://tracing)\n`);
  return 0;
}
