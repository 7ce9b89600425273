import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/cli/commands/check';
import { memoryIo } from '../../src/cli/io';

const broken = readFileSync(new URL('../config/data/broken.plens.yaml', import.meta.url), 'utf8');
// Llama 3 8B over one 8-GPU node, TP 4 × PP 2: fits comfortably (8B / 8 ≈ 1B parameters per GPU).
const good = 'model: llama3-8b\ncluster: {gpu: H100, nodes: 1}\nparallel:\n  tp: 4\n  pp: 2\n  zero: 1\nschedule: 1f1b\ntraining: {seqLength: 4096, microBatchSize: 1, globalBatchSize: 16}\n';

describe('plens check', () => {
  it('prints each problem as file:line:col: severity code: message and exits 1 on errors', async () => {
    const io = memoryIo({ 'broken.plens.yaml': broken });
    expect(await runCheck(['broken.plens.yaml'], io)).toBe(1);
    const lines = io.out.split('\n');
    expect(lines).toContain('broken.plens.yaml:4:3: warning key/unknown: unknown key `cluster.nodez`; did you mean `nodes`?');
    expect(lines).toContain('broken.plens.yaml:6:7: error value/invalid: tp: expected a whole number ≥ 1, got "two"');
    expect(lines.some((line) => line.startsWith('broken.plens.yaml:11:14: error value/invalid: precision'))).toBe(true);
    // Sorted by position in the file.
    const positions = lines.filter((line) => /^broken\.plens\.yaml:\d+:\d+:/.test(line)).map((line) => Number(line.split(':')[1]));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('exits 0 for a layout without errors', async () => {
    const io = memoryIo({ 'good.plens.yaml': good });
    expect(await runCheck(['good.plens.yaml'], io)).toBe(0);
    expect(io.out).not.toMatch(/: error /);
    expect(io.out).toContain('1 file checked: 0 errors');
  });

  it('--max-bubble and --max-memory turn a crossed threshold into an error at the layout keys', async () => {
    const io = memoryIo({ 'good.plens.yaml': good });
    // PP 2 with 1F1B always idles: (p−1)(F+B) of the step is bubble, so a limit of 0 is crossed.
    expect(await runCheck(['good.plens.yaml', '--max-bubble', '0'], io)).toBe(1);
    expect(io.out).toMatch(/^good\.plens\.yaml:7:11: error threshold\/bubble: pipeline bubble is \d+(\.\d)?% of the step, above --max-bubble 0%$/m);
    const memory = memoryIo({ 'good.plens.yaml': good });
    expect(await runCheck(['good.plens.yaml', '--max-memory', '0.01'], memory)).toBe(1);
    expect(memory.out).toMatch(/^good\.plens\.yaml:5:7: error threshold\/memory: peak stage memory is /m);
    const relaxed = memoryIo({ 'good.plens.yaml': good });
    expect(await runCheck(['good.plens.yaml', '--max-bubble', '0.99', '--max-memory', '0.99'], relaxed)).toBe(0);
  });

  it('--max-bubble states a large bubble once: its threshold error replaces the model\'s bubble/high warning', async () => {
    // Two micro-batches over PP 2: 1F1B idles about (p−1)/(m+p−1), a third of the step, above the model's 20 % default.
    const idle = good.replace('globalBatchSize: 16', 'globalBatchSize: 2');
    const bubbleLines = (out: string) => out.split('\n').filter((line) => line.startsWith('idle.plens.yaml:7:11:'));
    const plain = memoryIo({ 'idle.plens.yaml': idle });
    expect(await runCheck(['idle.plens.yaml'], plain)).toBe(0);
    expect(bubbleLines(plain.out)).toEqual([expect.stringMatching(/^idle\.plens\.yaml:7:11: warning bubble\/high: /)]);

    const limited = memoryIo({ 'idle.plens.yaml': idle });
    expect(await runCheck(['idle.plens.yaml', '--max-bubble', '0.1'], limited)).toBe(1);
    expect(bubbleLines(limited.out)).toEqual([expect.stringMatching(/^idle\.plens\.yaml:7:11: error threshold\/bubble: pipeline bubble is \d+\.\d% of the step, above --max-bubble 10%$/)]);
    expect(limited.out).toContain('1 file checked: 1 error, 0 warnings');

    const json = memoryIo({ 'idle.plens.yaml': idle });
    await runCheck(['idle.plens.yaml', '--max-bubble', '0.1', '--json'], json);
    const report = JSON.parse(json.out) as { problems: { code: string }[]; thresholds: { bubble: { fraction: number } } };
    expect(report.problems.map((p) => p.code)).toEqual(['threshold/bubble']);
    // The text gives the same bubble as the JSON, to the tenth of a percent.
    const shown = Number(/bubble is (\d+\.\d)%/.exec(limited.out)![1]);
    expect(Math.abs(shown - report.thresholds.bubble.fraction * 100)).toBeLessThanOrEqual(0.05);

    // A limit above the bubble is the user's answer to the question the 20 % default asks: nothing to report.
    const relaxed = memoryIo({ 'idle.plens.yaml': idle });
    expect(await runCheck(['idle.plens.yaml', '--max-bubble', '0.5'], relaxed)).toBe(0);
    expect(bubbleLines(relaxed.out)).toEqual([]);
  });

  it('--json prints one document with problems and thresholds', async () => {
    const io = memoryIo({ 'good.plens.yaml': good, 'broken.plens.yaml': broken });
    expect(await runCheck(['good.plens.yaml', 'broken.plens.yaml', '--json', '--max-bubble', '0.99'], io)).toBe(1);
    const json = JSON.parse(io.out) as { file: string; format: string; problems: { code: string; line?: number }[]; thresholds: { bubble?: { crossed: boolean; max: number } } }[];
    expect(json.map((report) => [report.file, report.format])).toEqual([['good.plens.yaml', 'plens-yaml'], ['broken.plens.yaml', 'plens-yaml']]);
    expect(json[0]!.thresholds.bubble).toMatchObject({ crossed: false, max: 0.99 });
    expect(json[1]!.problems).toContainEqual(expect.objectContaining({ code: 'value/invalid', line: 6 }));
  });

  it('exits 2 with one line on stderr for a missing file or one that is not a config', async () => {
    const io = memoryIo({ 'notes.yaml': 'shopping:\n  - milk\n' });
    expect(await runCheck(['missing.yaml'], io)).toBe(2);
    expect(io.err).toBe('missing.yaml: no such file\n');
    const other = memoryIo({ 'notes.yaml': 'shopping:\n  - milk\n' });
    expect(await runCheck(['notes.yaml'], other)).toBe(2);
    expect(other.err).toMatch(/^notes\.yaml:1:1: not a training config/);
    await expect(runCheck(['notes.yaml', '--max-bubble', 'lots'], other)).rejects.toThrow('--max-bubble must be a decimal number');
  });
});
