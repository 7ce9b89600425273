// `plens search --workers N` as it ships: cli.js and searchWorker.js bundled side by side by the build's own
// targets (scripts/esbuildOptions.mjs cliTargets, what scripts/build.mjs writes to dist/), run as a child process.
// Two workers give the same ranking as one, and say they ran on two, so a worker file the bundle cannot find (which
// would quietly search in one thread) fails here. In-process (from sources) there is no worker file: one thread.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSearch } from '../../src/cli/commands/search';
import { memoryIo } from '../../src/cli/io';
// @ts-expect-error: a plain .mjs shared with scripts/build.mjs, without type declarations.
import { cliTargets } from '../../scripts/esbuildOptions.mjs';

const folder = mkdtempSync(join(tmpdir(), 'plens-search-cli-'));
const FILE = 'llama3-8b-16.plens.yaml';
const TEXT = `model:
  name: llama3-8b
cluster:
  gpu: H100-SXM
  nodes: 2
  gpusPerNode: 8
parallel:
  tp: 1
  pp: 1
  dp: 16
  zero: 1
schedule: 1f1b
training:
  seqLength: 2048
  microBatchSize: 1
  globalBatchSize: 64
  precision: bf16
  recompute: selective
`;

beforeAll(() => {
  for (const target of cliTargets(false, folder, 'test') as object[]) buildSync({ ...target, sourcemap: false, logLevel: 'silent' });
  writeFileSync(join(folder, FILE), TEXT);
});

interface SearchJson {
  space: number; evaluated: number; pruned: number; status: string; workers: number;
  results: { plan: object; estimate: { stepTimeSeconds: number } }[];
}

function plensOut(...args: string[]): string {
  const run = spawnSync(process.execPath, [join(folder, 'cli.js'), 'search', FILE, ...args], { cwd: folder, encoding: 'utf8', timeout: 60_000 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout;
}

const plens = (...args: string[]) => JSON.parse(plensOut('--json', ...args)) as SearchJson;

const ranking = (json: SearchJson) => json.results.map((r) => [r.plan, r.estimate.stepTimeSeconds]);

describe('plens search --workers', () => {
  it('the bundled plens on 2 workers ranks as on 1 and says how many ran', () => {
    const one = plens('--workers', '1');
    const two = plens('--workers', '2');
    expect(one.workers).toBe(1);
    expect(two.workers).toBe(2);
    expect(two.status).toBe('complete');
    expect(one.results.length).toBe(10);
    expect(ranking(two)).toEqual(ranking(one));
    expect(two.space).toBe(one.space);
    expect(two.evaluated + two.pruned).toBe(two.space);
    // The whole of every result crosses from the workers intact, and the CSV is the same byte for byte.
    expect(JSON.stringify(two.results)).toBe(JSON.stringify(one.results));
    expect(plensOut('--csv', '--workers', '2')).toBe(plensOut('--csv', '--workers', '1'));
  });

  it('from sources there is no worker file: the search runs in this thread, and --workers 0 is refused', async () => {
    const io = memoryIo({ [FILE]: TEXT });
    await runSearch([FILE, '--json', '--workers', '4', '--top', '3'], io);
    expect(JSON.parse(io.out).workers).toBe(1);
    await expect(runSearch([FILE, '--json', '--workers', '0'], memoryIo({ [FILE]: TEXT }))).rejects.toThrow(/--workers must be at least 1/);
  });
});
