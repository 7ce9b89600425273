// Reading one FILE for estimate / trace / search: the matching reader, then completion with the command-line
// flags on top (CONTRACT.md: flags override the file). Unreadable or unrecognised input is a usage error (exit 2).
import { readConfig } from '../../config/index';
import { completeDesign, type Completion } from '../../config/completion/complete';
import type { FormatId, ReadResult } from '../../config/types';
import { emptyDraft, type DesignDraft } from '../../model/design';
import { parseScheduleId, SCHEDULE_IDS } from '../../model/schedule/index';
import { numberFlag, type ParsedArgs } from '../args';
import { readCalibrationText } from '../../config/plens/calibrationInput';
import { readPlensYaml } from '../../config/plens/plensYaml';
import { UsageError, type CliIo } from '../io';

/** Far beyond any cluster; past these a world size stops being a count the model can work with. */
const MAX_NODES = 1_000_000;
const MAX_GPUS_PER_NODE = 65_536;

/** Flags every design-reading command accepts. */
export const DESIGN_FLAGS = ['model', 'gpu', 'nodes', 'gpus-per-node', 'schedule', 'calibration'] as const;
/** `--allow-outside`: files a `# plens: model=` directive names may lie outside the config's folder and the cwd. */
export const DESIGN_SWITCHES = ['allow-outside'] as const;

export interface LoadOptions {
  allowOutside?: boolean;
}

/** Reader problems that mean the input is not a config to read at all: a usage error (exit 2), not a finding. */
const UNREADABLE_CODES = new Set(['input/binary', 'input/too-large']);

export interface LoadedDesign {
  file: string;
  format: FormatId;
  read: ReadResult;
  completion: Completion;
}

function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash + 1);
}

function readText(io: CliIo, path: string): string {
  try {
    return io.readFile(path);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${path}: cannot read (${error instanceof Error ? error.message : String(error)})`);
  }
}

function parseText(text: string, path: string): ReadResult {
  const read = readConfig(text, path);
  if (!read) throw new UsageError(`${path}:1:1: not a training config plens recognises (Megatron-LM, NeMo, torchtitan, DeepSpeed, HF config.json or *.plens.yaml)`);
  const unreadable = read.problems.find((problem) => UNREADABLE_CODES.has(problem.code));
  if (unreadable) throw new UsageError(`${path}: ${unreadable.message}`);
  return read;
}

function parseFile(io: CliIo, path: string): ReadResult {
  return parseText(readText(io, path), path);
}

/** The flags as a draft that completion puts above the file. */
export function flagDraft(args: ParsedArgs, io: CliIo): DesignDraft {
  const draft = emptyDraft();
  const model = args.values.get('model');
  if (model !== undefined) {
    if (io.exists(model)) {
      const read = parseFile(io, model);
      draft.model = read.design.model;
      if (read.design.modelId !== undefined) draft.modelId = read.design.modelId;
    } else {
      draft.modelId = model;
    }
  }
  const gpu = args.values.get('gpu');
  if (gpu !== undefined) draft.cluster.gpu = gpu;
  if (args.values.has('nodes')) draft.cluster.nodes = numberFlag(args, 'nodes', 1, { integer: true, min: 1, max: MAX_NODES });
  if (args.values.has('gpus-per-node')) draft.cluster.gpusPerNode = numberFlag(args, 'gpus-per-node', 8, { integer: true, min: 1, max: MAX_GPUS_PER_NODE });
  const schedule = args.values.get('schedule');
  if (schedule !== undefined) {
    const id = parseScheduleId(schedule);
    if (!id) throw new UsageError(`unknown schedule "${schedule}": use one of ${SCHEDULE_IDS.join(', ')}`);
    draft.plan.schedule = id;
  }
  const calibrationFile = args.values.get('calibration');
  if (calibrationFile !== undefined) {
    const { calibration, messages } = readCalibrationText(readText(io, calibrationFile));
    if (messages.length > 0) throw new UsageError(`${calibrationFile}: ${messages[0]}`);
    draft.calibration = calibration;
  }
  return draft;
}

/**
 * A `plens.yaml` in the config's folder completes it as the workspace plens.yaml does in the editor (DESIGN.md §2):
 * the way to name the model or cluster for a file that cannot carry a `# plens:` comment. One that cannot be used
 * is said on stderr, never silently skipped.
 */
function besideDraft(io: CliIo, file: string, base: string): DesignDraft | undefined {
  const path = `${base}plens.yaml`;
  if (file === path || file.endsWith('/plens.yaml') || !io.exists(path)) return undefined;
  let text: string;
  try {
    text = io.readFile(path, { within: [base === '' ? '.' : base] });
  } catch (error) {
    io.stderr(`${path}: not used: ${error instanceof Error ? error.message : String(error)}\n`);
    return undefined;
  }
  const read = readPlensYaml(text, path);
  const failed = read?.problems.find((problem) => problem.severity === 'error');
  if (!read || failed) {
    io.stderr(`${path}: not used: ${failed ? failed.message : 'not a plens file'}\n`);
    return undefined;
  }
  return read.design;
}

export function loadDesign(io: CliIo, file: string, flags: DesignDraft, options: LoadOptions = {}): LoadedDesign {
  const text = readText(io, file);
  const read = parseText(text, file);
  const base = dirname(file);
  // A directive's file is workspace content: inside the config's folder or the working directory, bounded.
  const within = options.allowOutside ? undefined : [base === '' ? '.' : base, '.'];
  const workspace = besideDraft(io, file, base);
  const completion = completeDesign(read, {
    text,
    flags,
    ...(workspace ? { workspace } : {}),
    readFile: (relative) => {
      const path = relative.startsWith('/') ? relative : base + relative;
      try {
        return io.readFile(path, within ? { within } : {});
      } catch (error) {
        if (error instanceof UsageError) return { refused: error.message };
        throw error;
      }
    },
    readModelFile: readConfig,
  });
  return { file, format: read.format, read, completion };
}
