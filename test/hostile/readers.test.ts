// Hostile text for the readers themselves (issue 10): nesting 10⁵ levels deep in every format with a recursive
// parser is refused as `reader/too-deep` at once, shell arithmetic wraps as bash's 64-bit integers do, and a file
// with CR-only line ends reads line by line like the same file with LF.
import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureGrammars } from '../../src/cli/grammars';
import { readConfig } from '../../src/config/index';
import { MAX_NESTING, tooDeepAt } from '../../src/config/draft/nesting';
import { evaluateArithmetic } from '../../src/config/shell/arithmetic';
import { bundlePlens, HANG_BOUND_MS } from './cli';

// Compiling the grammars can take many seconds on a busy machine; a set-up, not a timing.
beforeAll(async () => { await ensureGrammars(); }, 120_000);

const LEVELS = 100_000;

/** Reads, returning the problem codes and how long it took (a hang bound, not a speed target). */
function read(text: string, name: string): { codes: string[]; ms: number } {
  const started = performance.now();
  const result = readConfig(text, name);
  return { codes: result?.problems.map((problem) => problem.code) ?? [], ms: performance.now() - started };
}

describe('nesting 10⁵ levels deep', () => {
  const cases: [string, string, string][] = [
    ['JSON arrays', 'deep.json', `{"train_batch_size": 8, "x": ${'['.repeat(LEVELS)}${']'.repeat(LEVELS)}}`],
    ['JSON objects', 'config.json', `{"hidden_size": 8, "x": ${'{"a":'.repeat(LEVELS)}1${'}'.repeat(LEVELS)}}`],
    ['YAML flow sequences', 'deep.yaml', `trainer:\n  num_nodes: 1\nx: ${'['.repeat(LEVELS)}${']'.repeat(LEVELS)}\n`],
    ['YAML flow mappings', 'deep.yaml', `trainer:\n  num_nodes: 1\nx: ${'{a: '.repeat(LEVELS)}1${'}'.repeat(LEVELS)}\n`],
    ['YAML compact block sequences', 'deep.yaml', `trainer:\n  num_nodes: 1\nx:\n  ${'- '.repeat(LEVELS)}1\n`],
    ['YAML dashes after a key', 'deep.yaml', `trainer:\n  num_nodes: 1\nx: ${'- '.repeat(LEVELS)}1\n`],
    ['TOML arrays', 'deep.toml', `[training]\nlocal_batch_size = 8\nx = ${'['.repeat(LEVELS)}${']'.repeat(LEVELS)}\n`],
    ['TOML inline tables', 'deep.toml', `[training]\nlocal_batch_size = 8\nx = ${'{a='.repeat(LEVELS)}1${'}'.repeat(LEVELS)}\n`],
    ['Python calls', 'config_registry.py', `from torchtitan.config import JobConfig\nx = ${'f('.repeat(LEVELS)}1${')'.repeat(LEVELS)}\n`],
    ['Python lists', 'recipe.py', `import nemo_run as run\nx = ${'['.repeat(LEVELS)}${']'.repeat(LEVELS)}\n`],
  ];
  it.each(cases)('%s: reader/too-deep', (_name, file, text) => {
    const { codes, ms } = read(text, file);
    expect(codes).toEqual(['reader/too-deep']);
    expect(ms).toBeLessThan(HANG_BOUND_MS);
  });

  it('the limit is past any real config: every fixture nests far less', () => {
    const fixtures = ['nemo/nemo1_megatron_gpt_config.yaml', 'nemo/mbridge_deepseek_v3_pretrain_h100_fp8_sc_v1.yaml', 'torchtitan/llama4_17bx128e.toml', 'hf/deepseek_v3_config.json', 'python/torchtitan_config_registry.py', 'python/nemo2_recipe.py'];
    for (const fixture of fixtures) {
      const text = readFileSync(`test/fixtures/${fixture}`, 'utf8');
      const kind = fixture.endsWith('.json') ? 'json' : fixture.endsWith('.toml') ? 'toml' : fixture.endsWith('.py') ? 'python' : 'yaml';
      expect([fixture, tooDeepAt(text, kind, 20)]).toEqual([fixture, undefined]);
    }
    expect(tooDeepAt(`x = ${'['.repeat(MAX_NESTING)}${']'.repeat(MAX_NESTING)}\n`, 'toml')).toBeUndefined();
    expect(tooDeepAt(`x = ${'['.repeat(MAX_NESTING + 1)}${']'.repeat(MAX_NESTING + 1)}\n`, 'toml')).toBeDefined();
  });

  it('brackets inside strings and comments do not count', () => {
    expect(tooDeepAt(`{"a": "${'['.repeat(1000)}"}`, 'json')).toBeUndefined();
    expect(tooDeepAt(`a: 1 # ${'['.repeat(1000)}\nb: '${'{'.repeat(1000)}'\n`, 'yaml')).toBeUndefined();
    expect(tooDeepAt(`x = """${'('.repeat(1000)}"""\n# ${'('.repeat(1000)}\n`, 'python')).toBeUndefined();
  });

  it('plens check on a 10⁵-deep JSON: the exact problem, exit 1, within the bound', () => {
    const plens = bundlePlens();
    const path = `${plens.folder}/deep.json`;
    writeFileSync(path, cases[0]![2]);
    const result = plens.run(['check', path]);
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`${path}:1:1: error reader/too-deep: the file nests more than 256 levels deep (line 1); no training config does, so it is not parsed`);
  });
});

describe('shell arithmetic wraps like bash (signed 64-bit)', () => {
  const value = (expression: string, vars: Record<string, string> = {}) => evaluateArithmetic(expression, (name) => vars[name]).value;
  it.each([
    ['2**62', 4611686018427387904],
    ['2**63', -9223372036854775808],
    ['2**64', 0],
    ['9223372036854775807 + 1', -9223372036854775808],
    ['-9223372036854775808 - 1', 9223372036854775807],
    ['3037000500 * 3037000500', -9223372036709301616],
    ['2**100000000', 0],
    ['7 / -2', -3],
    ['-7 % 3', -1],
    ['010', 8],
    ['0x10', 16],
    ['TP * PP', 32],
  ] as const)('$(( %s )) = %d', (expression, expected) => {
    expect(value(expression, { TP: '8', PP: '4' })).toBe(expected);
  });

  it('what bash refuses stays unresolved: 08, a negative exponent, division by zero', () => {
    expect(value('08')).toBeUndefined();
    expect(value('2 ** -1')).toBeUndefined();
    expect(value('1 / 0')).toBeUndefined();
  });
});

describe('CR-only line ends', () => {
  const fixtures = [
    'megatron-lm/train_gpt3_175b_distributed.sh',
    'megatron-lm/functest_gpt3_7b_tp1_pp4_vp_model_config.yaml',
    'nemo/launcher_gpt3_175b.yaml',
    'torchtitan/llama3_405b.toml',
    'deepspeed/ds_config_func_bs8_zero2_offload.json',
    'python/torchtitan_config_registry.py',
  ];
  it.each(fixtures)('%s reads the same design, on the same lines, with CR as with LF', (fixture) => {
    const lf = readFileSync(`test/fixtures/${fixture}`, 'utf8').replace(/\r\n/g, '\n');
    const cr = lf.replace(/\n/g, '\r');
    const name = fixture.split('/').pop()!;
    const fromLf = readConfig(lf, name)!;
    const fromCr = readConfig(cr, name)!;
    expect(fromCr.design).toEqual(fromLf.design);
    const lines = (result: typeof fromLf) => [...result.sourceMap].map(([field, { key }]) => `${field}@${key.line}`);
    expect(lines(fromCr)).toEqual(lines(fromLf));
    expect(fromCr.problems.map((p) => `${p.code}@${p.range?.line}`)).toEqual(fromLf.problems.map((p) => `${p.code}@${p.range?.line}`));
  });
});
