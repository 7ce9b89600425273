// Simulator throughput and the latency of one generate+simulate, the numbers the schedule engine promises.
import type { ScheduleId } from '../src/model/design';
import { generateSchedule, simulate, uniformCosts } from '../src/model/schedule/index';
import { medianMilliseconds, type BenchRow } from './measure';

function throughput(id: ScheduleId, ranks: number, microbatches: number, runs = 15): BenchRow {
  const generated = generateSchedule(id, { ranks, microbatches });
  if (!generated.ok) throw new Error(generated.error.message);
  const schedule = generated.schedule;
  const costs = uniformCosts(schedule.stages, { F: 1, B: 2, W: 1, FB: 2.5 });
  const milliseconds = medianMilliseconds(() => {
    const result = simulate(schedule, costs);
    if (!result.ok) throw new Error(result.error.message);
  }, runs);
  return { name: `simulate ${id} PP=${ranks} m=${microbatches} (${schedule.opCount} ops)`, value: schedule.opCount / (milliseconds / 1000) / 1e6, unit: 'M ops/s' };
}

export function benchSchedules(): BenchRow[] {
  const oneShot = medianMilliseconds(() => {
    const generated = generateSchedule('dualpipe', { ranks: 16, microbatches: 128 });
    if (!generated.ok) throw new Error(generated.error.message);
    const result = simulate(generated.schedule, uniformCosts(generated.schedule.stages, { F: 1, B: 2, W: 1, FB: 2.5 }));
    if (!result.ok) throw new Error(result.error.message);
  }, 200);
  return [
    throughput('1f1b', 64, 1024),
    // Issue 12's two sizes: 10^5 ops, and 2·10^6 (the size `plens schedule --summary` is held to from outside).
    throughput('1f1b', 8, 6250),
    throughput('1f1b', 64, 16384, 5),
    throughput('dualpipe', 64, 1024),
    { name: 'generate+simulate dualpipe PP=16 m=128 (median)', value: oneShot, unit: 'ms' },
  ];
}
