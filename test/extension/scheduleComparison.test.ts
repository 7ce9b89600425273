import { describe, expect, it } from 'vitest';
import { estimate } from '../../src/model/estimate';
import { SCHEDULE_IDS } from '../../src/model/schedule/index';
import { compareSchedules, comparisonSummary } from '../../src/extension/compare/scheduleComparison';
import { withValue } from '../../src/extension/analysis/whatIf';
import { analyseData } from './helpers';

describe('compareSchedules on deepseek-v3.plens.yaml (PP 16, 120 micro-batches, DualPipe)', () => {
  const result = analyseData('deepseek-v3.plens.yaml');
  const design = result.completion!.design!;
  const rows = compareSchedules(design, result.estimate);

  it('has one row per schedule, the file\'s own marked current and reusing its estimate', () => {
    expect(rows.map((row) => row.schedule)).toEqual([...SCHEDULE_IDS]);
    expect(rows.filter((row) => row.current).map((row) => row.schedule)).toEqual(['dualpipe']);
    const own = rows.find((row) => row.current)!;
    expect(own.figures!.stepSeconds).toBe(result.estimate!.estimate!.stepTimeSeconds);
    expect(own.figures!.makespanSeconds).toBe(result.estimate!.timeline!.timeline.makespan);
  });

  it('estimates each other schedule as the estimate does for that schedule', () => {
    const zbh1 = rows.find((row) => row.schedule === 'zb-h1')!;
    const changed = withValue(design, 'plan.schedule', 'zb-h1');
    if (typeof changed === 'string') throw new Error(changed);
    const direct = estimate(changed).estimate!;
    expect(zbh1.figures!.stepSeconds).toBe(direct.stepTimeSeconds);
    expect(zbh1.figures!.bubbleFraction).toBe(direct.bubble.fraction);
    expect(zbh1.figures!.peakActivationBytes).toBe(Math.max(...direct.memory.stages.map((s) => s.activationsBytes)));
  });

  it('orders the schedules by what they are known for: ZB-H2 has no bubble, GPipe holds every micro-batch', () => {
    const by = (id: string) => rows.find((row) => row.schedule === id)!.figures!;
    expect(by('zb-h2').bubbleFraction).toBe(0);
    expect(by('1f1b').bubbleFraction).toBeGreaterThan(by('zb-h1').bubbleFraction);
    expect(by('gpipe').peakInFlight).toBe(design.plan.microbatches);
    expect(by('gpipe').peakActivationBytes).toBeGreaterThan(by('1f1b').peakActivationBytes);
    expect(by('1f1b').peakInFlight).toBe(design.plan.pp);
  });

  it('says why a schedule cannot run the layout instead of leaving it out', () => {
    const interleaved = rows.find((row) => row.schedule === 'interleaved-1f1b')!;
    expect(interleaved.figures).toBeUndefined();
    expect(interleaved.reason).toMatch(/\w/);
  });

  it('states what it holds fixed', () => {
    expect(comparisonSummary(design)).toMatch(/^PP 16, 120 micro-batches/);
  });
});
