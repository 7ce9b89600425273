import { describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main';
import { memoryIo } from '../../src/cli/io';

async function plens(...argv: string[]) {
  const io = memoryIo();
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err, files: io.files };
}

describe('plens schedule', () => {
  test('--json prints the contract object for DualPipe PP=4 m=8', async () => {
    const { code, out } = await plens('schedule', '--schedule', 'dualpipe', '--pp', '4', '--microbatches', '8', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ schedule: 'dualpipe', pp: 4, microbatches: 8, chunks: 2, costs: { F: 1, B: 2, W: 1, FB: 3, p2p: 0 }, makespan: 26 });
    expect(report.ranks).toHaveLength(4);
    expect(report.ranks[0]).toMatchObject({ rank: 0, busy: 24, idleVsMakespan: 2, idleInOwnSpan: 2, peakActivations: 5 });
    expect(report.ranks[0].ops[0]).toEqual({ op: 'F', mb: 0, chunk: 0, stage: 0, start: 0, end: 1 });
    const overlapped = report.ranks[0].ops.find((op: { op: string }) => op.op === 'FB');
    expect(overlapped.backward).toEqual({ mb: 1, chunk: 1, stage: 3 });
    expect(report.closedForm).toMatchObject({ formula: '(p/2-1)(F&B+B-3W)', bubble: 2, holds: true });
  });

  test('--summary leaves op lists out and keeps the rest', async () => {
    const { code, out } = await plens('schedule', '--schedule', '1F1B', '--pp', '64', '--microbatches', '65536', '--json', '--summary');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.ranks[0].ops).toBeUndefined();
    expect(report.makespan).toBe((65536 + 63) * 3);
    expect(report.ranks[63].idleVsMakespan).toBe(63 * 3);
  });

  test('aliases are accepted without regard to case', async () => {
    for (const alias of ['ZBVZeroBubble', 'zb1p', 'Interleaved1F1B', 'PipeDream-Flush', 'DualPipeV']) {
      const { code } = await plens('schedule', '--schedule', alias, '--pp', '4', '--microbatches', '8', '--json', '--summary');
      expect(code, alias).toBe(0);
    }
  });

  test('text output has a table per rank and a timeline', async () => {
    const { code, out } = await plens('schedule', '--schedule', 'zb-h1', '--pp', '4', '--microbatches', '8');
    expect(code).toBe(0);
    expect(out).toContain('makespan 27');
    expect(out).toMatch(/rank 3 \|[FBbW.]+\|/);
  });

  test('--trace writes Chrome trace events, one process per rank', async () => {
    const { code, files } = await plens('schedule', '--schedule', 'dualpipe', '--pp', '8', '--microbatches', '20', '--trace', 'out.json');
    expect(code).toBe(0);
    const trace = JSON.parse(files['out.json']!);
    const complete = trace.traceEvents.filter((event: { ph: string }) => event.ph === 'X');
    expect(new Set(complete.map((event: { pid: number }) => event.pid)).size).toBe(8);
    expect(complete[0]).toMatchObject({ name: 'F mb0 c0', pid: 0, ts: 0, dur: 1000 });
  });

  test.each([
    [['--schedule', 'dualpipe', '--pp', '5', '--microbatches', '20'], /even/i],
    [['--schedule', 'dualpipe', '--pp', '8', '--microbatches', '0'], /microbatches must be at least 1/],
    [['--schedule', 'chimera', '--pp', '8', '--microbatches', '8'], /unknown schedule "chimera"/],
    [['--schedule', '1f1b', '--pp', 'eight', '--microbatches', '8'], /--pp must be a decimal number/],
    [['--schedule', '1f1b', '--pp', '8'], /--microbatches is required/],
    [['--schedule', '1f1b', '--pp', '8', '--microbatches', '8', '--bogus'], /unknown option --bogus/],
    [['--schedule', '1f1b', '--pp', '8', '--microbatches', '8', '--w', '3'], /cannot exceed/],
    [['--schedule', 'interleaved-1f1b', '--pp', '4', '--microbatches', '10'], /mod/],
  ])('bad input %j exits 2 with one clear line', async (argv, message) => {
    const { code, err, out } = await plens('schedule', ...argv);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(message);
    expect(err).not.toMatch(/at .*\.ts:\d+/);
  });

  test('--help and --version', async () => {
    expect((await plens('--help')).out).toContain('plens schedule');
    expect((await plens('schedule', '--help')).out).toContain('--microbatches');
    expect((await plens('--version')).code).toBe(0);
  });
});

describe('plens compare', () => {
  test('DualPipe vs 1F1B vs ZB-H1 for PP=8, 20 micro-batches', async () => {
    const { code, out } = await plens('compare', '--pp', '8', '--microbatches', '20', '--json');
    expect(code).toBe(0);
    const { schedules } = JSON.parse(out);
    const bubble = (id: string) => Math.max(...schedules.find((s: { schedule: string }) => s.schedule === id).ranks.map((r: { idleVsMakespan: number }) => r.idleVsMakespan));
    // (p−1)(F+B) = 21, (p−1)(F+B−2W) = 7, (p/2−1)(F&B+B−3W) = 6 at F=1, B=2, W=1, F&B=3.
    expect(bubble('1f1b')).toBe(21);
    expect(bubble('zb-h1')).toBe(7);
    expect(bubble('dualpipe')).toBe(6);
  });
});
