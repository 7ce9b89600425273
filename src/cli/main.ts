// plens: the cost model in terminals and CI. Exit codes: 0 success, 1 a check failed, 2 usage or input error
// (one line on stderr, never a stack trace).
import { CATALOG_USAGE, runCatalog } from './commands/catalog';
import { CHECK_USAGE, runCheck } from './commands/check';
import { COMPARE_USAGE, runCompare } from './commands/compare';
import { ESTIMATE_USAGE, runEstimate } from './commands/estimate';
import { runSchedule, SCHEDULE_USAGE } from './commands/schedule';
import { runSearch, SEARCH_USAGE } from './commands/search';
import { runTrace, TRACE_USAGE } from './commands/trace';
import { ensureGrammars } from './grammars';
import { OutputError, processIo, UsageError, type CliIo } from './io';

declare const PLENS_VERSION: string | undefined;

type Command = (argv: string[], io: CliIo) => Promise<number>;

/** An argument that may name a file the shell or Python reader parses (any name that is not YAML, JSON or TOML). */
const mayNeedGrammar = (arg: string): boolean => !arg.startsWith('--') && !/\.(ya?ml|jsonc?|toml)$/i.test(arg);

/**
 * Commands that read config files need the shell and Python grammars loaded first; compiling them costs about a
 * second of CPU, so only when some argument may be a launch script or a Python config.
 */
const readsFiles = (run: Command): Command => async (argv, io) => {
  if (argv.some(mayNeedGrammar)) await ensureGrammars();
  return run(argv, io);
};

const COMMANDS: Record<string, { run: Command; usage: string; summary: string }> = {
  schedule: { run: runSchedule, usage: SCHEDULE_USAGE, summary: 'generate and simulate one pipeline schedule' },
  compare: { run: runCompare, usage: COMPARE_USAGE, summary: 'compare pipeline schedules side by side' },
  estimate: { run: readsFiles(runEstimate), usage: ESTIMATE_USAGE, summary: 'estimate step time, memory per stage and traffic for config files' },
  trace: { run: readsFiles(runTrace), usage: TRACE_USAGE, summary: "write a config's estimated step as a Chrome trace" },
  search: { run: readsFiles(runSearch), usage: SEARCH_USAGE, summary: 'search layouts for the model and cluster of a config' },
  check: { run: readsFiles(runCheck), usage: CHECK_USAGE, summary: 'report problems in config files, gcc-style; exit 1 on errors or crossed thresholds' },
  catalog: { run: runCatalog, usage: CATALOG_USAGE, summary: 'list built-in models and GPUs' },
};

export function usage(): string {
  const lines = ['Parallelism Lens: what a training layout costs, before you spend GPU-hours.', '', 'Usage:'];
  for (const [name, command] of Object.entries(COMMANDS)) lines.push(`  plens ${name.padEnd(9)} ${command.summary}`);
  lines.push('', 'plens COMMAND --help shows its options. plens --version prints the version.', '');
  return lines.join('\n');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${typeof PLENS_VERSION === 'string' ? PLENS_VERSION : 'dev'}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`plens: unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`Usage: ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`plens ${name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof OutputError) {
      io.stderr(`plens ${name}: ${error.message}\n`);
      return 1;
    }
    // A bug, not the user's input: still one line, with enough to report it.
    io.stderr(`plens ${name}: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}
