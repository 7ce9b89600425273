// Timing helpers for `npm run bench`: warm up, then take the median of repeated runs.
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
}

export function medianMilliseconds(work: () => void, runs: number): number {
  for (let i = 0; i < Math.min(20, runs); i++) work();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    work();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}
