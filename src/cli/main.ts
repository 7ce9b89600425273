// plens: the cost model in terminals and CI. Exit codes: 0 success, 1 a check failed, 2 usage or input error
// (one line on stderr, never a stack trace).
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
  if (argv.some(mayNeedGrammar)) await (await import('./grammars')).ensureGrammars();
  return run(argv, io);
};

interface CommandModule { run: Command; usage: string }

/**
 * Each command's module is loaded only when it runs (or shows its help): `plens schedule` does not evaluate the
 * config readers, the cost model or the search, so it starts sooner.
 */
const COMMANDS: Record<string, { load: () => Promise<CommandModule>; summary: string }> = {
  schedule: {
    load: async () => { const m = await import('./commands/schedule'); return { run: m.runSchedule, usage: m.SCHEDULE_USAGE }; },
    summary: 'generate and simulate one pipeline schedule',
  },
  compare: {
    load: async () => { const m = await import('./commands/compare'); return { run: m.runCompare, usage: m.COMPARE_USAGE }; },
    summary: 'compare pipeline schedules side by side',
  },
  estimate: {
    load: async () => { const m = await import('./commands/estimate'); return { run: readsFiles(m.runEstimate), usage: m.ESTIMATE_USAGE }; },
    summary: 'estimate step time, memory per stage and traffic for config files',
  },
  trace: {
    load: async () => { const m = await import('./commands/trace'); return { run: readsFiles(m.runTrace), usage: m.TRACE_USAGE }; },
    summary: "write a config's estimated step as a Chrome trace",
  },
  search: {
    load: async () => { const m = await import('./commands/search'); return { run: readsFiles(m.runSearch), usage: m.SEARCH_USAGE }; },
    summary: 'search layouts for the model and cluster of a config',
  },
  check: {
    load: async () => { const m = await import('./commands/check'); return { run: readsFiles(m.runCheck), usage: m.CHECK_USAGE }; },
    summary: 'report problems in config files, gcc-style; exit 1 on errors or crossed thresholds',
  },
  catalog: {
    load: async () => { const m = await import('./commands/catalog'); return { run: m.runCatalog, usage: m.CATALOG_USAGE }; },
    summary: 'list built-in models and GPUs',
  },
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
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr(`plens: unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    return 2;
  }
  const command = await entry.load();
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
