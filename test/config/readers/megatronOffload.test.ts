// Megatron's offloading and optimizer-state keys as Megatron reads them (megatronOffload.ts, megatronOptimizerStates.ts):
// the command line and the dataclass configs differ in what turns activation offload on and in the optimizer fraction's default.
import { describe, expect, it } from 'vitest';
import { readNemoYaml } from '../../../src/config/nemo/nemoYaml';

const flags = (args: Record<string, string | number | boolean>) => readNemoYaml(
  `MODEL_ARGS:\n  --num-layers: 16\n  --pipeline-model-parallel-size: 1\n${Object.entries(args).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n`, 'model_config.yaml')!;
const nemo = (fields: Record<string, string | number | boolean>) => readNemoYaml(
  `trainer:\n  devices: 8\nmodel:\n  num_layers: 16\n  pipeline_model_parallel_size: 1\n${Object.entries(fields).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n`, 'megatron_gpt_config.yaml')!;
const codes = (result: ReturnType<typeof flags>) => result.problems.map((p) => p.code);

describe('activation offload', () => {
  it('on the command line, a layer count turns it on by itself', () => {
    const result = flags({ '--cpu-offloading-num-layers': 3 });
    expect(result.design.plan.activationOffloadLayers).toBe(3);
    expect(result.sourceMap.get('plan.activationOffloadLayers')!.key.line).toBe(4);
  });

  it('in a dataclass config, only with the switch', () => {
    expect(nemo({ cpu_offloading_num_layers: 3 }).design.plan.activationOffloadLayers).toBeUndefined();
    expect(nemo({ cpu_offloading_num_layers: 3, cpu_offloading: true }).design.plan.activationOffloadLayers).toBe(3);
  });

  it('says that the switch without layers offloads nothing, and that weights-only offload keeps activations', () => {
    const bare = flags({ '--cpu-offloading': true });
    expect(bare.design.plan.activationOffloadLayers).toBe(0);
    expect(codes(bare)).toContain('value/no-effect');
    expect(flags({ '--cpu-offloading-num-layers': 3, '--cpu-offloading-activations': false }).design.plan.activationOffloadLayers).toBe(0);
  });

  it('states what Megatron refuses: pipeline parallelism, recomputation, all layers', () => {
    const result = readNemoYaml('MODEL_ARGS:\n  --num-layers: 16\n  --pipeline-model-parallel-size: 2\n  --recompute-granularity: full\n  --cpu-offloading-num-layers: 16\n', 'model_config.yaml')!;
    const warning = result.problems.find((p) => p.code === 'value/unsupported')!;
    expect(warning.message).toBe('--cpu-offloading-num-layers: Megatron-LM refuses CPU offloading with pipeline parallelism and activation recomputation and offloading all 16 layers (at most 15); the estimate offloads as asked');
    expect(result.design.plan.activationOffloadLayers).toBe(16);
  });
});

describe('fine-grained activation offload', () => {
  it('takes the module list with the switch, as a flag list or a dataclass list', () => {
    const result = flags({ '--fine-grained-activation-offloading': true, '--offload-modules': 'core_attn attn_proj core_attn' });
    expect(result.design.plan.activationOffloadModules).toEqual(['core_attn', 'attn_proj']);
    expect(result.sourceMap.get('plan.activationOffloadModules')!.key.line).toBe(5);
    expect(nemo({ fine_grained_activation_offloading: true, offload_modules: '[expert_fc1, moe_act]' }).design.plan.activationOffloadModules).toEqual(['expert_fc1', 'moe_act']);
    expect(flags({ '--offload-modules': 'core_attn' }).design.plan.activationOffloadModules).toBeUndefined();
  });

  it('states what Megatron refuses: no modules, unknown ones, beside cpu_offloading; gdp_qkv has no layer here', () => {
    const bare = flags({ '--fine-grained-activation-offloading': true });
    expect(bare.design.plan.activationOffloadModules).toEqual([]);
    expect(codes(bare)).toEqual(['value/unsupported']);
    const unknown = flags({ '--fine-grained-activation-offloading': true, '--offload-modules': 'core_attn mlp' });
    expect(unknown.problems.find((p) => p.code === 'value/invalid')!.message).toMatch(/does not know mlp/);
    const both = flags({ '--fine-grained-activation-offloading': true, '--offload-modules': 'core_attn', '--cpu-offloading-num-layers': 2 });
    expect(both.problems.filter((p) => p.code === 'value/unsupported').map((p) => p.message)).toContainEqual(expect.stringMatching(/refuses fine-grained activation offloading with cpu_offloading/));
    expect(codes(flags({ '--fine-grained-activation-offloading': true, '--offload-modules': 'gdp_qkv' }))).toEqual(['value/no-effect']);
  });
});

describe('optimizer offload', () => {
  it('takes the fraction, 1.0 by default on the command line', () => {
    expect(flags({ '--optimizer-cpu-offload': true, '--use-precision-aware-optimizer': true }).design.plan.optimizerOffloadFraction).toBe(1);
    expect(flags({ '--optimizer-cpu-offload': true, '--optimizer-offload-fraction': 0.25 }).design.plan.optimizerOffloadFraction).toBe(0.25);
    expect(flags({ '--optimizer-offload-fraction': 0.25 }).design.plan.optimizerOffloadFraction).toBeUndefined();
  });

  it("and OptimizerConfig's 0.0 in a dataclass config, said once", () => {
    const result = nemo({ optimizer_cpu_offload: true, use_precision_aware_optimizer: true });
    expect(result.design.plan.optimizerOffloadFraction).toBe(0);
    expect(codes(result).filter((c) => c === 'value/defaulted')).toHaveLength(1);
  });

  it('warns that Megatron needs the precision-aware optimizer, and refuses a fraction outside 0–1', () => {
    expect(codes(flags({ '--optimizer-cpu-offload': true }))).toContain('value/unsupported');
    const bad = flags({ '--optimizer-cpu-offload': true, '--optimizer-offload-fraction': 1.5 });
    expect(bad.problems.find((p) => p.code === 'value/invalid')!.message).toBe('--optimizer-offload-fraction: expected a fraction from 0 to 1, got 1.5');
  });
});

describe('precision-aware optimizer', () => {
  it('reads the dtypes only with the switch, BF16 main gradients as a BF16 gradient buffer', () => {
    const result = flags({ '--use-precision-aware-optimizer': true, '--exp-avg-dtype': 'bf16', '--exp-avg-sq-dtype': 'fp8', '--main-grads-dtype': 'bf16', '--main-params-dtype': 'fp16' });
    expect(result.design.plan).toMatchObject({
      precisionAwareOptimizer: true, optimizerExpAvg: 'bf16', optimizerExpAvgSq: 'fp8', optimizerMainParams: 'fp16', gradReduceInFp32: false,
    });
    expect(result.sourceMap.get('plan.optimizerExpAvg')!.key.line).toBe(5);
    expect(flags({ '--exp-avg-dtype': 'bf16' }).design.plan.optimizerExpAvg).toBeUndefined();
  });

  it('takes the dtypes as a dataclass dump writes them, and refuses others', () => {
    const dump = nemo({ use_precision_aware_optimizer: true, exp_avg_dtype: 'torch.bfloat16', exp_avg_sq_dtype: 'torch.uint8', main_grads_dtype: 'torch.float32', store_param_remainders: false });
    expect(dump.design.plan).toMatchObject({ optimizerExpAvg: 'bf16', optimizerExpAvgSq: 'fp8', optimizerParamRemainders: false });
    expect(dump.design.plan.gradReduceInFp32).toBeUndefined();
    const bad = flags({ '--use-precision-aware-optimizer': true, '--main-params-dtype': 'bf16' });
    expect(bad.problems.find((p) => p.code === 'value/invalid')!.message).toBe('--main-params-dtype: expected one of fp32, fp16, got "bf16"');
  });
});

describe('expert capacity', () => {
  it('reads the factor and padding; None is no capacity', () => {
    expect(flags({ '--moe-expert-capacity-factor': 1.25, '--moe-pad-expert-input-to-capacity': true }).design.plan).toMatchObject({ expertCapacityFactor: 1.25, padExpertsToCapacity: true });
    expect(nemo({ moe_expert_capacity_factor: 'null' }).design.plan.expertCapacityFactor).toBeUndefined();
  });

  it('warns that Megatron pads only with a capacity, and refuses a factor that is not positive', () => {
    expect(codes(flags({ '--moe-pad-expert-input-to-capacity': true }))).toContain('value/unsupported');
    expect(flags({ '--moe-expert-capacity-factor': -1 }).problems.find((p) => p.code === 'value/invalid')!.message).toBe('--moe-expert-capacity-factor: expected a positive number or None, got -1');
  });
});
