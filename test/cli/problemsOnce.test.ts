// Every presenter of the CLI says each fact once, at the line of the key it is about: the uneven layer split of the
// DeepSeek-V3 example and the world-size mismatch of Megatron-LM's GPT-3 175B script.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/cli/commands/check';
import { runEstimate } from '../../src/cli/commands/estimate';
import { runTrace } from '../../src/cli/commands/trace';
import { ensureGrammars } from '../../src/cli/grammars';
import { memoryIo } from '../../src/cli/io';

const DSV3 = 'examples/deepseek-v3.plens.yaml';
const GPT3 = 'test/fixtures/megatron-lm/train_gpt3_175b_distributed.sh';
const io = () => memoryIo({ [DSV3]: readFileSync(DSV3, 'utf8'), [GPT3]: readFileSync(GPT3, 'utf8') });

interface ProblemJson { severity: string; code: string; message: string; line?: number; column?: number }

beforeAll(async () => {
  await ensureGrammars();
});

describe('plens estimate --json', () => {
  it('DeepSeek-V3: 61 layers over 16 stages once, a warning on `pp: 16` (line 12, column 7)', async () => {
    const out = io();
    await runEstimate([DSV3, '--json'], out);
    const problems = (JSON.parse(out.out) as { problems: ProblemJson[] }).problems;
    expect(problems.filter((p) => p.code.startsWith('layout/')).map((p) => [p.severity, p.code, p.line, p.column]))
      .toEqual([['warning', 'layout/layers-pp', 12, 7]]);
    expect(problems.filter((p) => p.message.includes('61 layers'))).toHaveLength(1);
  });

  it('GPT-3 175B: TP 8 × PP 16 on 8 GPUs once, on the TP value (line 56, column 31), and no estimate', async () => {
    const out = io();
    expect(await runEstimate([GPT3, '--json'], out)).toBe(1);
    const json = JSON.parse(out.out) as { problems: ProblemJson[]; estimate: unknown };
    expect(json.estimate).toBeNull();
    expect(json.problems.filter((p) => p.code === 'layout/world-size').map((p) => [p.line, p.column])).toEqual([[56, 31]]);
    expect(json.problems.filter((p) => p.message.includes('= 128'))).toHaveLength(1);
  });
});

describe('plens estimate (text) and plens check', () => {
  it('print one line per fact', async () => {
    const text = io();
    await runEstimate([DSV3, GPT3], text);
    expect(text.out.split('\n').filter((line) => line.includes('61 layers'))).toEqual([
      expect.stringMatching(/^examples\/deepseek-v3\.plens\.yaml:12:7: warning layout\/layers-pp: /),
    ]);
    expect(text.out.split('\n').filter((line) => line.includes('layout/world-size'))).toEqual([
      `${GPT3}:56:31: error layout/world-size: tp·pp·cp·dp = 8·16·1·1 = 128, but the cluster has 8 GPUs (1 node × 8)`,
    ]);
    const check = io();
    expect(await runCheck([DSV3, GPT3], check)).toBe(1);
    const lines = check.out.split('\n');
    expect(lines.filter((line) => line.includes('layout/'))).toEqual([
      expect.stringMatching(/^examples\/deepseek-v3\.plens\.yaml:12:7: warning layout\/layers-pp: 61 layers/),
      `${GPT3}:56:31: error layout/world-size: tp·pp·cp·dp = 8·16·1·1 = 128, but the cluster has 8 GPUs (1 node × 8)`,
    ]);
    // Three value/defaulted notes and the world size: one error; the layer split and DeepSeek-V3's 97 % of HBM
    // (memory/near-capacity, as the editor warns at its default threshold): two warnings over both files.
    expect(lines).toContain('2 files checked: 1 error, 2 warnings');
  });

  it('plens trace names the first error at its line', async () => {
    await expect(runTrace([GPT3, '--out', 'x.json'], io())).rejects.toThrow(`${GPT3}:56:31: cannot estimate this design: layout/world-size:`);
  });
});
