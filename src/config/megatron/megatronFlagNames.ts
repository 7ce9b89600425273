// How Megatron's command line names the fields megatronKeys.ts reads (launch scripts and the functional-test YAML
// spell them `--flag-name`), and the flags it no longer accepts, with what replaced them.
import type { SourceRange } from '../../model/problems';
import type { DraftBuilder } from '../draft/draftBuilder';

/** CLI names that differ from the dataclass field (FORMATS.md A.0.3: `--num-experts`). */
const FLAG_ALIASES: Readonly<Record<string, string>> = {
  num_experts: 'num_moe_experts',
  // argument_utils.py passes these to TransformerConfig under its field names.
  decoder_first_pipeline_num_layers: 'num_layers_in_first_pipeline_stage',
  decoder_last_pipeline_num_layers: 'num_layers_in_last_pipeline_stage',
};

/** `--tensor-model-parallel-size` → tensor_model_parallel_size, and a CLI alias → its field name. */
export function flagKey(flag: string): string {
  const plain = flag.replace(/^-+/, '').replace(/-/g, '_').toLowerCase();
  return FLAG_ALIASES[plain] ?? plain;
}

// Flags current Megatron no longer accepts, and what replaced them (FORMATS.md A.2). arguments.py prints
// "--checkpoint-activations is no longer valid, use --recompute-activations" and calls --model-parallel-size "Old
// model parallel argument, do not use"; the sc21 scripts' flags (--activations-checkpoint-method, --DDP-impl) are
// no longer defined.
const LEGACY_FLAGS: Readonly<Record<string, string>> = {
  model_parallel_size: '--tensor-model-parallel-size',
  checkpoint_activations: '--recompute-granularity full --recompute-method uniform (Megatron suggests --recompute-activations)',
  activations_checkpoint_method: '--recompute-granularity full --recompute-method',
  activations_checkpoint_num_layers: '--recompute-num-layers',
  distribute_checkpointed_activations: '--distribute-saved-activations',
  ddp_impl: 'nothing: Megatron always uses its own DDP now (see --use-distributed-optimizer, --overlap-grad-reduce)',
  num_layers_per_stage: '--decoder-first-pipeline-num-layers / --decoder-last-pipeline-num-layers',
};

export function isLegacyFlag(name: string): boolean {
  return LEGACY_FLAGS[name] !== undefined;
}

/** Warns at a flag Megatron no longer accepts (`name` as flagKey gives it); false when the flag is current. */
export function reportLegacyFlag(builder: DraftBuilder, name: string, written: string, keyRange: SourceRange): boolean {
  const replacement = LEGACY_FLAGS[name];
  if (replacement === undefined) return false;
  builder.report('warning', 'key/legacy', `\`${written}\` is no longer a Megatron-LM flag; use ${replacement}.`, keyRange);
  return true;
}
