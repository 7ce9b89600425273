import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { completeDesign } from '../../../src/config/completion/complete';
import { readNemoYaml } from '../../../src/config/nemo/nemoYaml';
import { countLayoutStages } from '../../../src/config/megatron/megatronLayout';

const fixture = (path: string) => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8');
const read = (path: string) => readNemoYaml(fixture(path), path.split('/').pop()!)!;
const line = (result: ReturnType<typeof read>, field: Parameters<typeof result.sourceMap.get>[0]) => result.sourceMap.get(field)?.key.line;

describe('NeMo-Framework-Launcher YAML', () => {
  it('GPT-3 175B: TP4 PP8 VP6 on 128×8, ffn from ${multiply:4, ${.hidden_size}}', () => {
    const result = read('nemo/launcher_gpt3_175b.yaml');
    expect(result.format).toBe('nemo-yaml');
    // The one note: the vocabulary comes from the tokenizer, padded as Megatron pads it (issue 10 item 3).
    expect(result.problems.map((p) => [p.code, p.range?.line])).toEqual([['value/derived', 114]]);
    expect(result.design.model.vocab).toBe(50688);
    expect(result.design.plan).toMatchObject({ tp: 4, pp: 8, vpp: 6, cp: 1, microBatchSize: 1, globalBatchSize: 2048, seqLength: 2048, sequenceParallel: true, precision: 'bf16', zero: 1 });
    expect(result.design.model).toMatchObject({ layers: 96, hidden: 12288, heads: 96, ffnHidden: 4 * 12288 });
    expect(result.design.cluster).toEqual({ nodes: 128, gpusPerNode: 8 });
    expect([line(result, 'plan.tp'), line(result, 'plan.pp'), line(result, 'plan.vpp'), line(result, 'model.ffnHidden'), line(result, 'cluster.nodes')]).toEqual([62, 63, 64, 71, 16]);
    const done = completeDesign(result, {});
    // 128·8 = 1024 GPUs / (4·8·1) = dp 32; 2048 / (1·32) = 64 micro-batches.
    expect(done.design!.plan).toMatchObject({ dp: 32, microbatches: 64, schedule: 'interleaved-1f1b' });
    expect(done.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('Llama 3.1 405B: TP8 PP9 VP7 CP2 on 576×8 with 16 query groups', () => {
    const result = read('nemo/launcher_llama3_1_405b.yaml');
    // The one note: the vocabulary comes from the tokenizer, padded as Megatron pads it (issue 10 item 3).
    expect(result.problems.map((p) => [p.code, p.range?.line])).toEqual([['value/derived', 99]]);
    expect(result.design.model.vocab).toBe(129024);
    expect(result.design.plan).toMatchObject({ tp: 8, pp: 9, vpp: 7, cp: 2, globalBatchSize: 2016, seqLength: 8192 });
    expect(result.design.model).toMatchObject({ layers: 126, hidden: 16384, heads: 128, kvHeads: 16, ffnHidden: 53248, activation: 'swiglu' });
    expect(line(result, 'plan.cp')).toBe(63);
    const done = completeDesign(result, {});
    // 4608 / (8·9·2) = 32; 2016 / 32 = 63 micro-batches; 126 layers = 9·7 stages × 2.
    expect(done.design!.plan).toMatchObject({ dp: 32, microbatches: 63 });
    expect(done.problems.filter((p) => p.severity !== 'info')).toEqual([]);
  });

  it('Mixtral 8x7B: TP1 PP4 VP8 EP8, 8 experts top-2', () => {
    const result = read('nemo/launcher_mixtral_8x7b.yaml');
    expect(result.design.plan).toMatchObject({ tp: 1, pp: 4, vpp: 8, ep: 8, seqLength: 4096, globalBatchSize: 256 });
    expect(result.design.model).toMatchObject({ layers: 32, hidden: 4096, heads: 32, kvHeads: 8, experts: 8, topK: 2, ffnHidden: 14336 });
    expect(line(result, 'plan.ep')).toBe(59);
    const done = completeDesign(result, {});
    expect(done.design!.model.expertFfnHidden).toBe(14336);
    expect(done.design!.plan).toMatchObject({ dp: 16, microbatches: 16 });
  });

  it('NeMo 1.x base config: null VP, `${model.encoder_seq_length}` and the GPT-2-sized defaults', () => {
    const result = read('nemo/nemo1_megatron_gpt_config.yaml');
    // The one note: the vocabulary comes from the tokenizer, padded as Megatron pads it (issue 10 item 3).
    expect(result.problems.map((p) => [p.code, p.range?.line])).toEqual([['value/derived', 137]]);
    expect(result.design.model.vocab).toBe(50304);
    expect(result.design.plan).toMatchObject({ tp: 1, pp: 1, microBatchSize: 4, globalBatchSize: 8, seqLength: 512, recompute: 'none' });
    expect(result.design.plan.vpp).toBeUndefined();
    expect(result.design.model).toMatchObject({ layers: 12, hidden: 768, heads: 12, ffnHidden: 3072, tiedEmbeddings: true });
    expect(line(result, 'plan.seqLength')).toBe(90);
  });
});

describe('Megatron-Bridge ConfigContainer YAML', () => {
  it('DeepSeek-V3: TP2 PP8 VP4 EP64, MLA, FP8 from mixed_precision, 3 dense layers from moe_layer_freq', () => {
    const result = read('nemo/mbridge_deepseek_v3_pretrain_h100_fp8_sc_v1.yaml');
    expect(result.format).toBe('megatron-bridge-yaml');
    expect(result.problems).toEqual([]);
    expect(result.design.plan).toMatchObject({ tp: 2, pp: 8, vpp: 4, ep: 64, etp: 1, cp: 1, globalBatchSize: 8192, microBatchSize: 1, seqLength: 4096, precision: 'fp8', recompute: 'selective', zero: 1 });
    expect(result.design.model).toMatchObject({ layers: 61, hidden: 7168, heads: 128, experts: 256, topK: 8, expertFfnHidden: 2048, sharedExperts: 1, denseLayers: 3, mtpLayers: 1, vocab: 129280, attention: 'mla' });
    expect(result.design.model.mla).toEqual({ qLoraRank: 1536, kvLoraRank: 512, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 });
    expect([line(result, 'plan.tp'), line(result, 'plan.pp'), line(result, 'plan.vpp'), line(result, 'plan.globalBatchSize')]).toEqual([579, 545, 618, 789]);
  });

  it('reads Megatron-FSDP from ddp: and PyTorch FSDP2 from dist:, with the sharding strategy choosing the stage', () => {
    const text = readFileSync('test/fixtures/nemo/mbridge_deepseek_v3_pretrain_h100_fp8_sc_v1.yaml', 'utf8');
    const withDdp = (megatronFsdp: string, strategy: string) => text
      .replace('  data_parallel_sharding_strategy: no_shard\n', `  data_parallel_sharding_strategy: ${strategy}\n`)
      .replace('  use_distributed_optimizer: true\n  use_megatron_fsdp: false\n', `  use_distributed_optimizer: true\n  use_megatron_fsdp: ${megatronFsdp}\n`);
    const fsdp = readNemoYaml(withDdp('true', 'optim_grads_params'), 'bridge.yaml')!;
    expect(fsdp.design.plan.zero).toBe(3);
    expect(fsdp.sourceMap.get('plan.zero')!.key.line).toBe(118);
    expect(readNemoYaml(withDdp('true', 'optim_grads'), 'bridge.yaml')!.design.plan.zero).toBe(2);
    const fsdp2 = readNemoYaml(text.replace('  use_torch_fsdp2: false\n', '  use_torch_fsdp2: true\n'), 'bridge.yaml')!;
    // FSDP2 on with the dump's default no_shard strategy: no sharding.
    expect(fsdp2.design.plan.zero).toBe(0);
  });

  it('counts the stages of its pipeline layout: Et|(tt|)*30mL = 32 = PP8 × VP4', () => {
    expect(countLayoutStages('Et|(tt|)*30mL')).toBe(32);
    expect(countLayoutStages('Et*2|(tt|)*5t|tmL')).toBe(8);
    // Megatron's help example: E, t, t, t, m, m, an empty stage, L.
    expect(countLayoutStages('E|(t|)*3,m|m||L')).toBe(8);
    expect(countLayoutStages('(t|)*99999999999')).toBeUndefined();
  });
});

describe('Megatron functional-test YAML', () => {
  it('DeepSeek-V3 proxy: TP2 (not the directory name\'s TP1) PP4, VP2 from the layout, EP16, MLA', () => {
    const result = read('megatron-lm/functest_deepseekv3_proxy_tp1pp4emp16_model_config.yaml');
    expect(result.format).toBe('megatron-functest-yaml');
    // The one note: the vocabulary comes from the tokenizer, padded as Megatron pads it (issue 10 item 3).
    expect(result.problems.map((p) => [p.code, p.range?.line])).toEqual([['value/derived', 54]]);
    expect(result.design.model.vocab).toBe(258560);
    expect(result.design.plan).toMatchObject({ tp: 2, pp: 4, vpp: 2, ep: 16, etp: 1, cp: 1, microBatchSize: 1, globalBatchSize: 512, seqLength: 4096, sequenceParallel: true, precision: 'bf16', zero: 1 });
    expect(result.design.model).toMatchObject({ layers: 14, experts: 64, topK: 8, denseLayers: 3, sharedExperts: 1, mtpLayers: 1, attention: 'mla' });
    expect(line(result, 'plan.tp')).toBe(22);
    expect(result.sourceMap.get('plan.vpp')!.key).toMatchObject({ line: 24, column: 3 });
  });

  it('GPT-3 7B: VP from --num-layers-per-virtual-pipeline-stage 1 → (32 / 4) / 1 = 8', () => {
    const result = read('megatron-lm/functest_gpt3_7b_tp1_pp4_vp_model_config.yaml');
    expect(result.design.plan).toMatchObject({ tp: 1, pp: 4, vpp: 8, globalBatchSize: 8, seqLength: 8192 });
    expect(result.design.model).toMatchObject({ layers: 32, hidden: 4096, heads: 32, kvHeads: 8, vocab: 131073, tiedEmbeddings: false });
    expect(line(result, 'plan.vpp')).toBe(48);
  });

  it('warns about legacy flags and keeps ${VAR} values symbolic', () => {
    const result = readNemoYaml('MODEL_ARGS:\n  --model-parallel-size: 2\n  --pipeline-model-parallel-size: ${PP}\n', 'model_config.yaml')!;
    expect(result.problems.map((p) => [p.code, p.range?.line])).toEqual([['key/legacy', 2]]);
    expect(result.design.plan.pp).toEqual({ symbolic: '${PP}' });
  });
});

describe('OmegaConf interpolations', () => {
  it('resolves siblings, absolute paths, the training. prefix and divide_ceil; keeps env lookups symbolic', () => {
    const text = [
      'trainer: {num_nodes: 4, devices: 8}',
      'model:',
      '  hidden_size: 1024',
      '  num_attention_heads: ${divide_ceil:${.hidden_size}, 128}',
      '  num_layers: ${training.model.pipeline_model_parallel_size}',
      '  pipeline_model_parallel_size: ${multiply:2, 3}',
      '  tensor_model_parallel_size: ${oc.env:TP}',
      '  micro_batch_size: ${.micro_batch_size}',
      '',
    ].join('\n');
    const result = readNemoYaml(text, 'x.yaml')!;
    expect(result.design.model).toMatchObject({ hidden: 1024, heads: 8, layers: 6 });
    expect(result.design.plan).toMatchObject({ pp: 6, tp: { symbolic: '${oc.env:TP}' }, microBatchSize: { symbolic: '${.micro_batch_size}' } });
  });

  it('answers undefined for YAML that is not a training config', () => {
    expect(readNemoYaml('model:\n  name: resnet\n', 'x.yaml')).toBeUndefined();
    expect(readNemoYaml('version: 2\nservices: {}\n', 'docker-compose.yml')).toBeUndefined();
  });
});
