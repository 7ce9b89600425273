// Which published rows the time model's constants may be fitted on, and which are held out. Chosen by a rule,
// written down before any modern row was estimated, and never changed after seeing errors (docs/VALIDATION.md):
//
//   Modern rows (test/fixtures/published_runs_modern.json): group the rows by `hardware.gpu` (the exact
//   system: H100 Grand Teton for torchtitan, DGX H100, DGX B200, GB200 NVL72); within each group, in file order,
//   rows alternate fit, held-out, fit, … starting with fit. Every hardware family therefore has held-out rows,
//   and MoE rows fall on both sides for B200 and GB200.
//   A100 rows (test/fixtures/published_runs.json): all in the fit table. The Ampere constants were chosen looking
//   at every one of them before this split existed, so none can honestly be called held out.
//
// The lists below are that rule's output, kept as data so a moved row shows up in review; a test re-derives them.

export type Role = 'fit' | 'held-out';

export const MODERN_FIT_IDS: readonly string[] = [
  'torchtitan-t1-llama3.1-8b-8gpu-fsdp-bf16',
  'torchtitan-t1-llama3.1-8b-8gpu-fsdp-compile-float8',
  'torchtitan-t2-llama3.1-8b-8gpu-fsdp4-cp2-seq65536',
  'torchtitan-t2-llama3.1-8b-8gpu-fsdp1-cp8-seq262144',
  'torchtitan-t3-llama3.1-8b-128gpu-fsdp-compile-bf16',
  'nemo-24.09-H100-GPT3-175B-128gpu',
  'nemo-24.09-H100-LLAMA2-13B-16gpu',
  'nemo-24.09-H100-Nemotron-340B-128gpu',
  'nemo-25.02-H100-GPT3-175B-512gpu',
  'nemo-25.02-B200-GPT3-175B-512gpu',
  'nemo-25.02-B200-Nemotron-15B-64gpu',
  'nemo-25.02-B200-Mixtral-8x7B-64gpu',
  'nemo-25.04-GB200-GPT3-175B-128gpu',
  'nemo-25.04-GB200-Nemotron-340B-128gpu',
  'nemo-25.04-GB200-Mixtral-8x22B-256gpu',
];

export const MODERN_HELD_OUT_IDS: readonly string[] = [
  'torchtitan-t1-llama3.1-8b-8gpu-fsdp-compile-bf16',
  'torchtitan-t2-llama3.1-8b-8gpu-fsdp8-cp1-seq32768',
  'torchtitan-t2-llama3.1-8b-8gpu-fsdp2-cp4-seq131072',
  'torchtitan-t3-llama3.1-8b-128gpu-fsdp-bf16',
  'torchtitan-t3-llama3.1-8b-128gpu-fsdp-compile-float8',
  'nemo-24.09-H100-LLAMA2-7B-8gpu',
  'nemo-24.09-H100-LLAMA2-70B-64gpu',
  'nemo-24.09-H100-LLAMA3-8B-8gpu-cp2',
  'nemo-25.02-B200-LLAMA3-70B-64gpu',
  'nemo-25.02-B200-Nemotron-340B-128gpu',
  'nemo-25.02-B200-Mixtral-8x22B-256gpu',
  'nemo-25.04-GB200-Nemotron-15B-64gpu',
  'nemo-25.04-GB200-Mixtral-8x7B-64gpu',
];

/** The rule itself, for the test that keeps the lists above honest. */
export function splitByRule(rows: readonly { id: string; hardware: { gpu: string } }[]): Map<string, Role> {
  const seenPerGroup = new Map<string, number>();
  const roles = new Map<string, Role>();
  for (const row of rows) {
    const seen = seenPerGroup.get(row.hardware.gpu) ?? 0;
    roles.set(row.id, seen % 2 === 0 ? 'fit' : 'held-out');
    seenPerGroup.set(row.hardware.gpu, seen + 1);
  }
  return roles;
}

export function roleOf(id: string): Role | undefined {
  if (MODERN_FIT_IDS.includes(id)) return 'fit';
  if (MODERN_HELD_OUT_IDS.includes(id)) return 'held-out';
  return undefined;
}
