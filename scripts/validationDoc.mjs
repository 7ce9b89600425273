// The fit/held-out split as docs/VALIDATION.md states it (written before any modern row was estimated; the rule and
// lists are scripts/validationSplit.ts).
export function splitSection() {
  return [
  "## Fit and held-out rows (chosen before any modern row was estimated)",
  "",
  "The constants of the time model may be fitted only on **fit** rows; **held-out** rows are never used to choose a",
  "constant, and their errors are reported as they come out. The rule (also in `scripts/validationSplit.ts`, as data,",
  "with a test that re-derives it):",
  "",
  "- Modern rows (`test/fixtures/published_runs_modern.json`, H100 / B200 / GB200): group by `hardware.gpu` (the",
  "  exact system: torchtitan's H100 Grand Teton, DGX H100, DGX B200, GB200 NVL72). Within each group, in file",
  "  order, rows alternate fit, held-out, fit, … starting with fit. Reason: a rule that needs no look at the",
  "  numbers, leaves every hardware family with held-out rows (5 + 3 + 3 + 2), and puts MoE rows on both sides for",
  "  B200 and GB200.",
  "- A100 rows (`test/fixtures/published_runs.json`): all fit. The Ampere constants were set looking at every one",
  "  of them before this split existed, so none can honestly be called held out.",
  "",
  "Fit (15): torchtitan-t1-llama3.1-8b-8gpu-fsdp-bf16, torchtitan-t1-llama3.1-8b-8gpu-fsdp-compile-float8,",
  "torchtitan-t2-llama3.1-8b-8gpu-fsdp4-cp2-seq65536, torchtitan-t2-llama3.1-8b-8gpu-fsdp1-cp8-seq262144,",
  "torchtitan-t3-llama3.1-8b-128gpu-fsdp-compile-bf16, nemo-24.09-H100-GPT3-175B-128gpu,",
  "nemo-24.09-H100-LLAMA2-13B-16gpu, nemo-24.09-H100-Nemotron-340B-128gpu, nemo-25.02-H100-GPT3-175B-512gpu,",
  "nemo-25.02-B200-GPT3-175B-512gpu, nemo-25.02-B200-Nemotron-15B-64gpu, nemo-25.02-B200-Mixtral-8x7B-64gpu,",
  "nemo-25.04-GB200-GPT3-175B-128gpu, nemo-25.04-GB200-Nemotron-340B-128gpu, nemo-25.04-GB200-Mixtral-8x22B-256gpu.",
  "",
  "Held out (13): torchtitan-t1-llama3.1-8b-8gpu-fsdp-compile-bf16, torchtitan-t2-llama3.1-8b-8gpu-fsdp8-cp1-seq32768,",
  "torchtitan-t2-llama3.1-8b-8gpu-fsdp2-cp4-seq131072, torchtitan-t3-llama3.1-8b-128gpu-fsdp-bf16,",
  "torchtitan-t3-llama3.1-8b-128gpu-fsdp-compile-float8, nemo-24.09-H100-LLAMA2-7B-8gpu,",
  "nemo-24.09-H100-LLAMA2-70B-64gpu, nemo-24.09-H100-LLAMA3-8B-8gpu-cp2, nemo-25.02-B200-LLAMA3-70B-64gpu,",
  "nemo-25.02-B200-Nemotron-340B-128gpu, nemo-25.02-B200-Mixtral-8x22B-256gpu, nemo-25.04-GB200-Nemotron-15B-64gpu,",
  "nemo-25.04-GB200-Mixtral-8x7B-64gpu."
];
}
