// `estimate.stages[]` of `plens estimate --json` against Megatron-LM's own split for each way a Megatron config
// states its pipeline layout. Every expected split below was worked out by hand from Megatron's code
// (transformer_block.get_num_layers_to_build, transformer_layer.get_transformer_layer_offset,
// PipelineParallelLayerLayout), not from plens: stage s is chunk ⌊s/pp⌋ of rank s mod pp.
import { describe, expect, it } from 'vitest';
import { runEstimate } from '../../src/cli/commands/estimate';
import { memoryIo } from '../../src/cli/io';

interface Case {
  name: string;
  layers: number;
  pp: number;
  mtp?: number;
  flags: Record<string, string | number | boolean>;
  /** Decoder layers per model stage. */
  expected: number[];
  /** Stages holding the embedding, the loss and the MTP modules (default first, last, last). */
  embeddingStage?: number;
  lossStage?: number;
  mtpStage?: number;
}

/** A Megatron functional-test config (`MODEL_ARGS` of `--flags`): a small dense GPT, one data-parallel replica. */
function functestYaml(c: Case): string {
  const args: Record<string, string | number | boolean> = {
    '--num-layers': c.layers, '--hidden-size': 1024, '--num-attention-heads': 16, '--ffn-hidden-size': 4096,
    '--vocab-size': 32000, '--seq-length': 1024, '--micro-batch-size': 1, '--global-batch-size': 128,
    '--tensor-model-parallel-size': 1, '--pipeline-model-parallel-size': c.pp, '--bf16': true,
    ...(c.mtp ? { '--mtp-num-layers': c.mtp } : {}),
    ...c.flags,
  };
  const lines = Object.entries(args).map(([key, value]) => `  ${key}: ${typeof value === 'string' ? JSON.stringify(value) : value}`);
  return `# plens: gpu=H100-SXM\nMODEL_ARGS:\n${lines.join('\n')}\n`;
}

async function estimateJson(fileName: string, text: string) {
  const io = memoryIo({ [fileName]: text });
  await runEstimate([fileName, '--json'], io);
  return JSON.parse(io.out);
}

const repeat = (value: number, times: number): number[] => new Array<number>(times).fill(value);

const CASES: Case[] = [
  // Uneven first/last: the named rank keeps its count, the middle ranks share the rest evenly.
  { name: '--decoder-first-pipeline-num-layers 2 (14 layers, pp 4): (14−2)/3 = 4 on the rest', layers: 14, pp: 4,
    flags: { '--decoder-first-pipeline-num-layers': 2 }, expected: [2, 4, 4, 4] },
  { name: '--decoder-last-pipeline-num-layers 2 (14 layers, pp 4)', layers: 14, pp: 4,
    flags: { '--decoder-last-pipeline-num-layers': 2 }, expected: [4, 4, 4, 2] },
  { name: 'first 3 and last 3 (16 layers, pp 4): middle (16−6)/2 = 5', layers: 16, pp: 4,
    flags: { '--decoder-first-pipeline-num-layers': 3, '--decoder-last-pipeline-num-layers': 3 }, expected: [3, 5, 5, 3] },
  // With vpp each rank's count splits over its chunks: rank 0 → 2/2 = 1 per chunk, middle ranks 16/2 = 8 → 4.
  { name: 'first 2 and last 2 with 2 virtual stages (20 layers, pp 4)', layers: 20, pp: 4,
    flags: { '--decoder-first-pipeline-num-layers': 2, '--decoder-last-pipeline-num-layers': 2, '--num-virtual-stages-per-pipeline-rank': 2 },
    expected: [1, 4, 4, 1, 1, 4, 4, 1] },
  // Embedding / loss counted as a layer: (L + 1 or 2)/pp per rank, one slot taken on the first / last stage.
  { name: '--account-for-embedding-in-pipeline-split (15 layers, pp 4): 16/4 = 4, first stage 3', layers: 15, pp: 4,
    flags: { '--account-for-embedding-in-pipeline-split': true }, expected: [3, 4, 4, 4] },
  { name: '--account-for-loss-in-pipeline-split (15 layers, pp 4)', layers: 15, pp: 4,
    flags: { '--account-for-loss-in-pipeline-split': true }, expected: [4, 4, 4, 3] },
  { name: 'both accounted (14 layers, pp 4)', layers: 14, pp: 4,
    flags: { '--account-for-embedding-in-pipeline-split': true, '--account-for-loss-in-pipeline-split': true }, expected: [3, 4, 4, 3] },
  { name: 'both accounted, 2 virtual stages (14 layers, pp 4): 16/4/2 = 2 per chunk', layers: 14, pp: 4,
    flags: { '--account-for-embedding-in-pipeline-split': true, '--account-for-loss-in-pipeline-split': true, '--num-virtual-stages-per-pipeline-rank': 2 },
    expected: [1, 2, 2, 2, 2, 2, 2, 1] },
  // --num-layers-per-virtual-pipeline-stage counts the accounted embedding and loss too: (14+2)/4 = 4 per rank → vpp 2.
  { name: 'both accounted with --num-layers-per-virtual-pipeline-stage 2 (14 layers, pp 4)', layers: 14, pp: 4,
    flags: { '--account-for-embedding-in-pipeline-split': true, '--account-for-loss-in-pipeline-split': true, '--num-layers-per-virtual-pipeline-stage': 2 },
    expected: [1, 2, 2, 2, 2, 2, 2, 1] },
  // The run: 126 decoder layers, 16 ranks × 8 chunks, embedding and loss as stages of their own.
  { name: '126 layers on 16 × 8 with embedding and loss accounted: 128/16/8 = 1 per chunk', layers: 126, pp: 16,
    flags: { '--account-for-embedding-in-pipeline-split': true, '--account-for-loss-in-pipeline-split': true, '--num-virtual-stages-per-pipeline-rank': 8 },
    expected: [0, ...repeat(1, 126), 0] },
  // Layout strings: stages in model order, `(…)*n` then `x*n`.
  { name: 'layout Et*3|(tt|)*29,m|L (DeepSeek-V3: 61 layers + 1 MTP, pp 16, so vpp 2)', layers: 61, pp: 16, mtp: 1,
    flags: { '--pipeline-model-parallel-layout': 'Et*3|(tt|)*29,m|L' }, expected: [3, ...repeat(2, 29), 0, 0], mtpStage: 30 },
  { name: 'layout Et*2|(t*3|)*2tL (9 layers, pp 4)', layers: 9, pp: 4,
    flags: { '--pipeline-model-parallel-layout': 'Et*2|(t*3|)*2tL' }, expected: [2, 3, 3, 1] },
  { name: 'layout E|(t*4|)*3,L: embedding and loss alone (12 layers, pp 5)', layers: 12, pp: 5,
    flags: { '--pipeline-model-parallel-layout': 'E|(t*4|)*3,L' }, expected: [0, 4, 4, 4, 0] },
  { name: 'layout Ett|(ttt|)*3(tt|)*3ttmL over 2 chunks (19 layers + MTP, pp 4)', layers: 19, pp: 4, mtp: 1,
    flags: { '--pipeline-model-parallel-layout': 'Ett|(ttt|)*3(tt|)*3ttmL' }, expected: [2, 3, 3, 3, 2, 2, 2, 2], mtpStage: 7 },
];

describe('estimate.stages follows the Megatron pipeline flags', () => {
  it.each(CASES)('$name', async (c) => {
    const json = await estimateJson('model_config.yaml', functestYaml(c));
    const errors = json.problems.filter((p: { severity: string }) => p.severity === 'error');
    expect(errors).toEqual([]);
    const stages = json.estimate.stages as { layers: number; embedding: boolean; loss: boolean; mtpLayers: number; firstLayer: number }[];
    expect(stages.map((s) => s.layers)).toEqual(c.expected);
    expect(stages.findIndex((s) => s.embedding)).toBe(c.embeddingStage ?? 0);
    expect(stages.findIndex((s) => s.loss)).toBe(c.lossStage ?? c.expected.length - 1);
    if (c.mtp) expect(stages.findIndex((s) => s.mtpLayers === c.mtp)).toBe(c.mtpStage);
    // Layers follow one another through the stages in model order.
    let next = 0;
    for (const s of stages) {
      expect(s.firstLayer).toBe(next);
      next += s.layers;
    }
    expect(next).toBe(c.layers);
    expect(json.estimate.stepTimeSeconds).toBeGreaterThan(0);
  });
});

describe('the same splits from NeMo / Megatron-Bridge keys and the native format', () => {
  it('reads num_layers_in_first/last_pipeline_stage from a Bridge-style model block', async () => {
    const text = [
      '# plens: gpu=H100-SXM', 'model:', '  num_layers: 16', '  hidden_size: 1024', '  num_attention_heads: 16', '  ffn_hidden_size: 4096',
      '  vocab_size: 32000', '  seq_length: 1024', '  tensor_model_parallel_size: 1', '  pipeline_model_parallel_size: 4',
      '  num_layers_in_first_pipeline_stage: 3', '  num_layers_in_last_pipeline_stage: 3', 'train:', '  micro_batch_size: 1', '  global_batch_size: 64', '',
    ].join('\n');
    const json = await estimateJson('bridge.yaml', text);
    expect(json.estimate.stages.map((s: { layers: number }) => s.layers)).toEqual([3, 5, 5, 3]);
  });

  it('takes parallel.layout as a list with one stage per entry', async () => {
    const text = [
      'model: {name: small, layers: 6, hidden: 1024, heads: 16, kvHeads: 16, ffnHidden: 4096, vocab: 32000}',
      'cluster: {gpu: H100-SXM, gpusPerNode: 8, nodes: 1}',
      'parallel: {tp: 2, pp: 4, layout: [Et, tt, tt, tL]}',
      'training: {seqLength: 1024, microBatchSize: 1, globalBatchSize: 32}', '',
    ].join('\n');
    const json = await estimateJson('small.plens.yaml', text);
    expect(json.problems.filter((p: { severity: string }) => p.severity === 'error')).toEqual([]);
    expect(json.estimate.stages.map((s: { layers: number }) => s.layers)).toEqual([1, 2, 2, 1]);
  });
});

describe("Megatron's layout rules are errors at the key", () => {
  const broken: [string, Case['flags'], number, number, RegExp][] = [
    ['stage count not a multiple of pp', { '--pipeline-model-parallel-layout': 'Et|tt|tL' }, 6, 2, /3 stages, not a multiple of pp = 2/],
    ['E not first', { '--pipeline-model-parallel-layout': 'tE|tt|tt|tL' }, 8, 4, /first unit of the layout must be the embedding/],
    ['L twice', { '--pipeline-model-parallel-layout': 'EtL|tt|tt|tL' }, 7, 4, /loss \(L\) must appear exactly once, found 2/],
    ['decoder count', { '--pipeline-model-parallel-layout': 'Et|tt|tt|tL' }, 8, 4, /6 decoder layers \(t\) but the model has 8/],
    ['nested groups', { '--pipeline-model-parallel-layout': 'E((t|)*2)*2L' }, 4, 4, /parenthesis/],
    ['layout with first-stage layers', { '--pipeline-model-parallel-layout': 'Et|tt|tt|tL', '--decoder-first-pipeline-num-layers': 1 }, 6, 4, /cannot be set with the other/],
    ['uneven with accounting', { '--decoder-first-pipeline-num-layers': 1, '--account-for-loss-in-pipeline-split': true }, 7, 4, /cannot be set together/],
    ['middle ranks uneven', { '--decoder-first-pipeline-num-layers': 2 }, 13, 4, /11 layers on the middle ranks do not split evenly over 3 ranks/],
    ['accounted total not divisible', { '--account-for-loss-in-pipeline-split': true }, 14, 4, /15 do not split evenly over pp = 4/],
  ];
  it.each(broken)('%s', async (_, flags, layers, pp, message) => {
    const json = await estimateJson('model_config.yaml', functestYaml({ name: '', layers, pp, flags, expected: [] }));
    const errors = json.problems.filter((p: { severity: string; code: string }) => p.severity === 'error');
    expect(errors.map((p: { code: string }) => p.code)).toEqual(['layout/pipeline-layout']);
    expect(errors[0].message).toMatch(message);
    expect(errors[0].line).toBeGreaterThan(1);
    expect(json.estimate).toBeNull();
  });
});

describe("torchtitan's split (pipeline_parallel.py _generate_llm_fqn_per_model_part), Llama 3 8B: 32 layers", () => {
  const toml = (parallelism: string[]) => [
    '[job]', 'description = "split"', '[model]', 'name = "llama3"', 'flavor = "8B"',
    '[training]', 'local_batch_size = 16', 'seq_len = 8192',
    '[parallelism]', 'data_parallel_shard_degree = 1', 'tensor_parallel_degree = 8', 'pipeline_parallel_degree = 4', ...parallelism, '',
  ].join('\n');
  const split = async (parallelism: string[]) => {
    const json = await estimateJson('llama.toml', `# plens: gpu=H100-SXM nodes=4\n${toml(parallelism)}`);
    expect(json.problems.filter((p: { severity: string }) => p.severity === 'error')).toEqual([]);
    return json.estimate.stages.map((s: { layers: number }) => s.layers);
  };
  it('default weights 1 and 1: 34 effective layers, 8 per stage, 2 extra to the first stages', async () => {
    // [9, 9, 8, 8] effective; the first gives 1 to the embedding, the last 1 to the output head.
    expect(await split(['pipeline_parallel_schedule = "1F1B"'])).toEqual([8, 9, 8, 7]);
  });
  it('first_stage_less_layers 2, last 3: 37 effective, [10, 9, 9, 9]', async () => {
    expect(await split(['pipeline_parallel_schedule = "1F1B"', 'pipeline_parallel_first_stage_less_layers = 2', 'pipeline_parallel_last_stage_less_layers = 3'])).toEqual([8, 9, 9, 6]);
  });
  it('layers_per_stage 3 with Interleaved1F1B: ⌈34/3⌉ = 12 stages, 2 per stage and 10 extra', async () => {
    expect(await split(['pipeline_parallel_schedule = "Interleaved1F1B"', 'pipeline_parallel_layers_per_stage = 3'])).toEqual([2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 1]);
  });
  it('module_fqns_per_model_part names each stage', async () => {
    const names = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `"layers.${from + i}"`).join(', ');
    const parts = `module_fqns_per_model_part = [["tok_embeddings", ${names(0, 5)}], [${names(5, 16)}], [${names(16, 27)}], [${names(27, 32)}, "norm", "output"]]`;
    expect(await split(['pipeline_parallel_schedule = "1F1B"', parts])).toEqual([5, 11, 11, 5]);
  });
});
