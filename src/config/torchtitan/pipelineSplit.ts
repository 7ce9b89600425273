// torchtitan's pipeline split (torchtitan/distributed/pipeline_parallel.py, v0.2.2 and later): an explicit
// `module_fqns_per_model_part` (module names per stage) or, without it, the generated split in which the embedding
// and the output head weigh `pipeline_parallel_first/last_stage_less_layers` layers (default 1 each). Both become
// the plan's pipeline layout (model/pipelineLayout.ts), which checks them.
import { isSymbolic } from '../../model/design';
import { describe, type DraftBuilder } from '../draft/draftBuilder';
import type { Setting, Settings } from './setting';

/** A module name → its layout letter: `tok_embeddings` E, `layers.N` t, the output head L; norms carry no weight. */
function letterOf(fqn: string): string | undefined {
  if (fqn === 'tok_embeddings') return 'E';
  if (/^layers\.\d+$/.test(fqn)) return 't';
  if (fqn === 'output' || fqn === 'lm_head') return 'L';
  return fqn === 'norm' ? '' : undefined;
}

export function readPipelineSplit(builder: DraftBuilder, settings: Settings, pp: number | undefined): void {
  const parts = settings.get('parallelism.module_fqns_per_model_part');
  if (parts && parts.value !== null && parts.value !== undefined) {
    readModelParts(builder, parts, pp);
    return;
  }
  if (pp === undefined || pp <= 1) return;
  const ppSetting = settings.get('parallelism.pipeline_parallel_degree');
  for (const [name, field] of [['first', 'plan.embeddingWeight'], ['last', 'plan.lossWeight']] as const) {
    const setting = settings.get(`parallelism.pipeline_parallel_${name}_stage_less_layers`);
    const value = setting?.value;
    if (setting && isSymbolic(value)) builder.set(field, value, setting.key, setting.valueRange);
    else if (setting && typeof value === 'number' && Number.isInteger(value) && value >= 0) builder.set(field, value, setting.key, setting.valueRange);
    else if (setting) builder.report('error', 'value/invalid', `pipeline_parallel_${name}_stage_less_layers: expected a whole number ≥ 0, got ${describe(value)}`, setting.valueRange, field);
    // torchtitan's default weight of 1, said at the pipeline degree that turns the split on.
    else if (ppSetting) builder.set(field, 1, ppSetting.key, ppSetting.valueRange);
  }
}

function readModelParts(builder: DraftBuilder, parts: Setting, pp: number | undefined): void {
  const value = parts.value;
  if (!Array.isArray(value) || value.length === 0 || !value.every((stage) => Array.isArray(stage) && stage.every((fqn) => typeof fqn === 'string'))) {
    builder.report('error', 'value/invalid', `module_fqns_per_model_part: expected a list of module-name lists, one per stage, got ${describe(value)}`, parts.valueRange, 'plan.layout');
    return;
  }
  const unknown = new Set<string>();
  const stages = (value as string[][]).map((stage) => stage.map((fqn) => letterOf(fqn) ?? (unknown.add(fqn), '')).join(''));
  if (unknown.size > 0) {
    builder.report('info', 'value/not-modelled', `module_fqns_per_model_part: read; the estimate does not model ${[...unknown].slice(0, 5).join(', ')} (only tok_embeddings, layers.N, norm and output)`, parts.valueRange, 'plan.layout');
  }
  builder.set('plan.layout', stages, parts.key, parts.valueRange);
  if (pp !== undefined && stages.length % pp === 0) builder.set('plan.vpp', stages.length / pp, parts.key, parts.valueRange);
}
