import { describe, expect, it } from 'vitest';
import { runScheduleQuery } from '../../src/extension/schedule/scheduleRunner';

describe('runScheduleQuery', () => {
  it('DualPipe p = 8, m = 20 with F=1, B=2, W=1, F&B=F+B: bubble (p/2−1)(F&B+B−3W) = 6, busy 20·(F+B) = 60', () => {
    const message = runScheduleQuery({ schedule: 'dualpipe', pp: 8, microbatches: 20 });
    expect(message.type).toBe('schedule');
    if (message.type !== 'schedule') return;
    const { report } = message;
    expect(report.makespan).toBe(66);
    expect(report.closedForm.bubble).toBe(6);
    expect(report.closedForm.holds).toBe(true);
    for (const rank of report.ranks) {
      expect(rank.busy).toBe(60);
      expect(rank.idleVsMakespan).toBe(6);
      // DESIGN.md §3: DualPipe's peak is p + 1 activations per device.
      expect(rank.peakActivations).toBe(9);
    }
    expect(message.timeline).toMatchObject({ schedule: 'dualpipe', ranks: 8, microbatches: 20, unit: 'units' });
    // The message crosses postMessage: it must survive JSON unchanged (no typed arrays).
    expect(JSON.parse(JSON.stringify(message))).toEqual(message);
  });

  it('sends no op lists, only the spec the page replays, whatever the size', () => {
    const message = runScheduleQuery({ schedule: '1f1b', pp: 64, microbatches: 1024 });
    expect(message.type).toBe('schedule');
    if (message.type !== 'schedule') return;
    expect(message.report.ranks.every((rank) => rank.ops === undefined)).toBe(true);
    expect(message.timeline.costs.forward).toHaveLength(64);
    expect(JSON.stringify(message).length).toBeLessThan(20_000);
    // (p−1)(F+B) = 63 · 3 on top of m(F+B) = 1024 · 3.
    expect(message.report.makespan).toBe(1087 * 3);
  });

  it('returns the rule as an error for an odd DualPipe pipeline', () => {
    const message = runScheduleQuery({ schedule: 'dualpipe', pp: 7, microbatches: 20 });
    expect(message.type).toBe('scheduleError');
    if (message.type === 'scheduleError') expect(message.message).toMatch(/even number of pipeline ranks/);
  });
});
