// The `plens` executable as it ships (scripts/esbuildOptions.mjs cliTargets: cli.js running plens.js): with the code
// cache a run writes (src/cli/launch.ts), without one, with one that is damaged and with one left from another
// bundle, every run prints the same. A cache is used only when its first bytes are the bundle's SHA-256.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs shared with scripts/build.mjs, without type declarations.
import { cliTargets } from '../../scripts/esbuildOptions.mjs';

const folder = mkdtempSync(join(tmpdir(), 'plens-launch-'));
const cache = join(folder, 'plens.cache');
const searchCache = join(folder, 'plens.search.cache');

beforeAll(() => {
  for (const target of cliTargets(false, folder, 'test') as object[]) buildSync({ ...target, sourcemap: false, logLevel: 'silent' });
  // The grammars travel beside the bundle, as scripts/build.mjs copies them.
  copyFileSync('node_modules/web-tree-sitter/web-tree-sitter.wasm', join(folder, 'web-tree-sitter.wasm'));
  copyFileSync('node_modules/tree-sitter-bash/tree-sitter-bash.wasm', join(folder, 'tree-sitter-bash.wasm'));
  writeFileSync(join(folder, SCRIPT), SCRIPT_TEXT);
});

function plens(args: string[], env: Record<string, string> = {}): { stdout: string; stderr: string; status: number | null } {
  const run = spawnSync(process.execPath, [join(folder, 'cli.js'), ...args], { cwd: folder, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  return { stdout: run.stdout, stderr: run.stderr, status: run.status };
}

const ARGS = ['catalog', 'gpus', '--json'];
const SCRIPT = 'train.sh';
const SCRIPT_TEXT = '#!/bin/bash\n# plens: model=llama3-8b gpu=H100\ntorchrun --nnodes 1 --nproc-per-node 8 pretrain_gpt.py --tensor-model-parallel-size 2 --micro-batch-size 1 --global-batch-size 64 --seq-length 4096 --bf16\n';

describe('plens prints what a config holds', () => {
  it('with the characters a terminal acts on written out, on stdout and stderr', () => {
    writeFileSync(join(folder, 'hostile.plens.yaml'), 'model: llama3-8b\ncluster:\n  gpu: "H\\e]0;owned\\a\\e[2J\\u202e"\n  nodes: 1\n  gpusPerNode: 8\nparallel: {tp: 8}\ntraining: {globalBatchSize: 8, seqLength: 2048}\n');
    const estimate = plens(['estimate', 'hostile.plens.yaml']);
    const search = plens(['search', 'hostile.plens.yaml']);
    expect(estimate.stdout).toContain('H\\u001B]0;owned\\u0007\\u001B[2J\\u202E');
    expect(search.status).toBe(2);
    expect(search.stderr).toContain('no layout can be priced: unknown GPU "H\\u001B]0;owned');
    for (const text of [estimate.stdout, estimate.stderr, search.stdout, search.stderr]) expect(text).not.toMatch(/[\u001b\u0007\u202e]/);
  });
});

describe('plens launcher and its code cache', () => {
  it('writes a cache headed by the bundle\'s SHA-256 when asked, and prints the same with it, without it and with a damaged one', () => {
    rmSync(cache, { force: true });
    const plain = plens(ARGS);
    expect(plain.status).toBe(0);
    expect(plain.stderr).toBe('');
    expect(JSON.parse(plain.stdout)).toBeTruthy();
    expect(existsSync(cache)).toBe(false);

    expect(plens(ARGS, { PLENS_WRITE_CODE_CACHE: '1' })).toEqual(plain);
    const written = readFileSync(cache);
    expect(written.subarray(0, 32)).toEqual(createHash('sha256').update(readFileSync(join(folder, 'plens.js'), 'utf8')).digest());
    expect(written.length).toBeGreaterThan(10_000);
    expect(plens(ARGS)).toEqual(plain);

    // V8's own data damaged behind a right header, a header alone, and noise: each run compiles as usual.
    const damaged = Buffer.from(written);
    for (let i = 40; i < damaged.length; i += 97) damaged[i] = damaged[i]! ^ 0xff;
    for (const bytes of [damaged, written.subarray(0, 32), Buffer.from('not a cache')]) {
      writeFileSync(cache, bytes);
      expect(plens(ARGS)).toEqual(plain);
    }
  });

  it('does not run a cache left from another bundle', () => {
    writeFileSync(cache, Buffer.alloc(0));
    plens(ARGS, { PLENS_WRITE_CODE_CACHE: '1' });
    const before = readFileSync(cache);
    // A bundle one comment longer: its digest differs, so the old cache is passed over.
    appendFileSync(join(folder, 'plens.js'), '\n// another build\n');
    const run = plens(['--version']);
    expect(run).toEqual({ stdout: 'test\n', stderr: '', status: 0 });
    expect(readFileSync(cache)).toEqual(before);
  });

  it('reads a launch script from the cache too (the shell grammar loads: no dynamic import in the bundle)', () => {
    rmSync(cache, { force: true });
    const args = ['estimate', SCRIPT, '--json'];
    const plain = plens(args);
    expect(plens(args, { PLENS_WRITE_CODE_CACHE: '1' })).toEqual(plain);
    expect(existsSync(cache)).toBe(true);
    const cached = plens(args);
    expect(cached).toEqual(plain);
    expect(cached.status).toBe(0);
    const read = JSON.parse(cached.stdout) as { format: string; design: { plan: { tp: number } }; problems: { code: string }[] };
    expect(read.format).toBe('megatron-shell');
    expect(read.design.plan.tp).toBe(2);
    expect(read.problems.map((p) => p.code)).not.toContain('reader/not-initialised');
  });

  it('keeps a cache of its own for search, whose V8 flags differ', () => {
    rmSync(searchCache, { force: true });
    plens(['search', '--help'], { PLENS_WRITE_CODE_CACHE: '1' });
    expect(existsSync(searchCache)).toBe(true);
    expect(plens(['search', '--help']).status).toBe(0);
  });
});
