// Megatron's --recompute-modules (nargs='*') and --activation-func-fp8-input-store, the native format's
// training.recomputeModules / activationFp8InputStore, and the YAML dialects' recompute_modules reach the design.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { completeDesign } from '../../../src/config/completion/complete';
import { readMegatronShell } from '../../../src/config/megatron/megatronShell';
import { readNemoYaml } from '../../../src/config/nemo/nemoYaml';
import { readPlensYaml } from '../../../src/config/plens/plensYaml';
import { loadShellGrammar } from '../../testInputs';

describe('Megatron launch scripts', () => {
  beforeAll(loadShellGrammar);

  it('reads the four modules of the DeepSeek-V3 sbatch fixture (line 49: mlp moe mla_up_proj layernorm)', () => {
    const result = readMegatronShell(readFileSync('test/fixtures/megatron-lm/sbatch_mfsdp_deepseek_v3.sh', 'utf8'), 'sbatch_mfsdp_deepseek_v3.sh');
    expect(result?.design.plan.recomputeModules).toEqual(['mlp', 'moe', 'mla_up_proj', 'layernorm']);
    expect(result?.sourceMap.get('plan.recomputeModules')?.key.line).toBe(49);
    expect(result?.design.plan.recompute).toBe('selective');
  });

  it('stops at the first word that is not a module, and reads the FP8 activation-input switch', () => {
    const script = 'torchrun pretrain_gpt.py --num-layers 4 --activation-func-fp8-input-store --recompute-granularity selective --recompute-modules moe_act layernorm moe_act extra.txt\n';
    const result = readMegatronShell(script, 'run.sh');
    expect(result?.design.plan.recomputeModules).toEqual(['moe_act', 'layernorm']);
    expect(result?.design.plan.activationFp8InputStore).toBe(true);
    const piped = readMegatronShell('torchrun pretrain_gpt.py --num-layers 4 --recompute-modules moe_act 2>&1 | tee log.txt\n', 'run.sh');
    expect(piped?.design.plan.recomputeModules).toEqual(['moe_act']);
  });

  it('an unknown module name is an info problem, not a value', () => {
    const result = readMegatronShell('torchrun pretrain_gpt.py --num-layers 4 --recompute-modules attention_core\n', 'run.sh');
    expect(result?.design.plan.recomputeModules).toBeUndefined();
    expect(result?.problems.map((p) => p.code)).toContain('value/unsupported');
  });
});

describe('*.plens.yaml', () => {
  const yaml = (training: string) => `model: deepseek-v3\nparallel:\n  tp: 1\ntraining:\n${training}`;

  it('reads a flow list and a block list of modules, and the FP8 input store', () => {
    const flow = readPlensYaml(yaml('  recomputeModules: [layernorm, mla_up_proj, moe_act]\n  activationFp8InputStore: true\n'), 'x.plens.yaml');
    expect(flow?.design.plan.recomputeModules).toEqual(['layernorm', 'mla_up_proj', 'moe_act']);
    expect(flow?.design.plan.activationFp8InputStore).toBe(true);
    expect(flow?.sourceMap.get('plan.recomputeModules')?.key.line).toBe(5);
    const block = readPlensYaml(yaml('  recomputeModules:\n    - core_attn\n    - moe\n'), 'x.plens.yaml');
    expect(block?.design.plan.recomputeModules).toEqual(['core_attn', 'moe']);
  });

  it('a name Megatron does not know is an error at the value', () => {
    const result = readPlensYaml(yaml('  recomputeModules: [layernorm, attention]\n'), 'x.plens.yaml');
    expect(result?.design.plan.recomputeModules).toBeUndefined();
    const problem = result?.problems.find((p) => p.code === 'value/invalid');
    expect(problem?.message).toContain('"attention"');
    expect(problem?.range?.line).toBe(5);
  });

  it('naming modules implies selective recompute when recompute is not given', () => {
    const read = readPlensYaml(yaml('  recomputeModules: [moe_act]\n'), 'x.plens.yaml');
    const completed = read ? completeDesign(read) : undefined;
    expect(completed?.design?.plan.recompute).toBe('selective');
    expect(completed?.design?.plan.recomputeModules).toEqual(['moe_act']);
    expect(completed?.origins['plan.recompute']?.from).toBe('derived');
  });
});

describe('NeMo / Megatron-Bridge and functional-test YAML', () => {
  it('reads the Bridge DeepSeek-V3 recipe\'s modules (line 558: recompute_modules: [mla_up_proj, mlp]) under selective (line 556)', () => {
    const result = readNemoYaml(readFileSync('test/fixtures/nemo/mbridge_deepseek_v3_pretrain_h100_fp8_sc_v1.yaml', 'utf8'), 'x.yaml');
    expect(result?.format).toBe('megatron-bridge-yaml');
    expect(result?.design.plan.recomputeModules).toEqual(['mla_up_proj', 'mlp']);
    expect(result?.sourceMap.get('plan.recomputeModules')?.key.line).toBe(558);
    expect(result?.design.plan.recompute).toBe('selective');
    expect(result?.sourceMap.get('plan.recompute')?.key.line).toBe(556);
    // recompute_method and recompute_num_layers are null there: nothing to say about them.
    expect(result?.problems.filter((p) => p.field === 'plan.recompute' || p.field === 'plan.recomputeModules')).toEqual([]);
  });

  const functest = (args: string) => `MODEL_ARGS:\n  --num-layers: 4\n  --hidden-size: 64\n${args}`;

  it('reads the functional-test flag\'s words as one string, with or without brackets', () => {
    const words = readNemoYaml(functest('  --recompute-granularity: selective\n  --recompute-modules: mla_up_proj moe_act mla_up_proj\n'), 'x.yaml');
    expect(words?.format).toBe('megatron-functest-yaml');
    expect(words?.design.plan.recomputeModules).toEqual(['mla_up_proj', 'moe_act']);
    expect(words?.sourceMap.get('plan.recomputeModules')?.key.line).toBe(5);
    const bracketed = readNemoYaml(functest('  --recompute-modules: "[layernorm, moe]"\n'), 'x.yaml');
    expect(bracketed?.design.plan.recomputeModules).toEqual(['layernorm', 'moe']);
  });

  it('reads the flag written as a YAML list, flow or block', () => {
    const flow = readNemoYaml(functest('  --recompute-granularity: selective\n  --recompute-modules: [mla_up_proj, moe_act]\n'), 'x.yaml');
    expect(flow?.design.plan.recomputeModules).toEqual(['mla_up_proj', 'moe_act']);
    expect(flow?.sourceMap.get('plan.recomputeModules')?.value.line).toBe(5);
    const block = readNemoYaml(functest('  --recompute-modules:\n    - layernorm\n    - moe_act\n'), 'x.yaml');
    expect(block?.design.plan.recomputeModules).toEqual(['layernorm', 'moe_act']);
  });

  it('keeps the known names and notes the others', () => {
    const result = readNemoYaml(functest('  --recompute-modules: moe_act mhc\n'), 'x.yaml');
    expect(result?.design.plan.recomputeModules).toEqual(['moe_act']);
    expect(result?.problems.find((p) => p.code === 'value/unsupported')?.message).toContain('mhc not modelled');
  });

  it('notes block recomputation of a few layers, which the estimate approximates by every layer', () => {
    const result = readNemoYaml(functest('  --recompute-granularity: full\n  --recompute-method: block\n  --recompute-num-layers: 2\n'), 'x.yaml');
    expect(result?.design.plan.recompute).toBe('full');
    const note = result?.problems.find((p) => p.code === 'value/unsupported');
    expect(note).toMatchObject({ severity: 'info', field: 'plan.recompute' });
    expect(note?.message).toContain('only the first 2 layers of each pipeline stage');
    expect(note?.range?.line).toBe(5);
    const uniform = readNemoYaml(functest('  --recompute-granularity: full\n  --recompute-method: uniform\n  --recompute-num-layers: 1\n'), 'x.yaml');
    expect(uniform?.problems.filter((p) => p.field === 'plan.recompute')).toEqual([]);
  });
});
