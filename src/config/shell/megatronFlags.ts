// Megatron-LM flag → design field (FORMATS.md A.1/A.2), and the flags Megatron no longer accepts with what
// replaced them. The flag names come from megatron/training/arguments.py (`--` + field name with dashes).
import type { FieldPath } from '../../model/design';
import type { FlagOccurrence } from './flags';

export type FlagRule =
  | { kind: 'int'; field: FieldPath }
  /** A switch: its presence sets the field to `value`; the word after it is not read. */
  | { kind: 'switch'; field: FieldPath; value: unknown }
  /** Read in a second pass because it combines with other flags (VPP, MLA, precision, ZeRO, MoE layout). */
  | { kind: 'deferred'; takesValue: boolean };

export const MEGATRON_FLAGS: Record<string, FlagRule> = {
  '--tensor-model-parallel-size': { kind: 'int', field: 'plan.tp' },
  '--pipeline-model-parallel-size': { kind: 'int', field: 'plan.pp' },
  '--expert-model-parallel-size': { kind: 'int', field: 'plan.ep' },
  '--expert-tensor-parallel-size': { kind: 'int', field: 'plan.etp' },
  '--context-parallel-size': { kind: 'int', field: 'plan.cp' },
  '--sequence-parallel': { kind: 'switch', field: 'plan.sequenceParallel', value: true },
  '--micro-batch-size': { kind: 'int', field: 'plan.microBatchSize' },
  '--global-batch-size': { kind: 'int', field: 'plan.globalBatchSize' },
  '--seq-length': { kind: 'int', field: 'plan.seqLength' },
  '--num-layers': { kind: 'int', field: 'model.layers' },
  '--hidden-size': { kind: 'int', field: 'model.hidden' },
  '--ffn-hidden-size': { kind: 'int', field: 'model.ffnHidden' },
  '--num-attention-heads': { kind: 'int', field: 'model.heads' },
  '--kv-channels': { kind: 'int', field: 'model.headDim' },
  '--vocab-size': { kind: 'int', field: 'model.vocab' },
  '--num-experts': { kind: 'int', field: 'model.experts' },
  '--moe-router-topk': { kind: 'int', field: 'model.topK' },
  '--moe-ffn-hidden-size': { kind: 'int', field: 'model.expertFfnHidden' },
  '--mtp-num-layers': { kind: 'int', field: 'model.mtpLayers' },
  '--swiglu': { kind: 'switch', field: 'model.activation', value: 'swiglu' },
  '--untie-embeddings-and-output-weights': { kind: 'switch', field: 'model.tiedEmbeddings', value: false },
  '--recompute-activations': { kind: 'switch', field: 'plan.recompute', value: 'selective' },
  '--num-layers-per-virtual-pipeline-stage': { kind: 'deferred', takesValue: true },
  '--num-virtual-stages-per-pipeline-rank': { kind: 'deferred', takesValue: true },
  '--pipeline-model-parallel-layout': { kind: 'deferred', takesValue: true },
  '--recompute-granularity': { kind: 'deferred', takesValue: true },
  // nargs='*': the names follow as separate words (arguments.py; TransformerConfig.recompute_modules).
  '--recompute-modules': { kind: 'deferred', takesValue: true },
  '--activation-func-fp8-input-store': { kind: 'switch', field: 'plan.activationFp8InputStore', value: true },
  '--group-query-attention': { kind: 'deferred', takesValue: false },
  '--num-query-groups': { kind: 'deferred', takesValue: true },
  '--moe-shared-expert-intermediate-size': { kind: 'deferred', takesValue: true },
  '--moe-layer-freq': { kind: 'deferred', takesValue: true },
  '--multi-latent-attention': { kind: 'deferred', takesValue: false },
  '--q-lora-rank': { kind: 'deferred', takesValue: true },
  '--kv-lora-rank': { kind: 'deferred', takesValue: true },
  '--qk-head-dim': { kind: 'deferred', takesValue: true },
  '--qk-pos-emb-head-dim': { kind: 'deferred', takesValue: true },
  '--v-head-dim': { kind: 'deferred', takesValue: true },
  '--bf16': { kind: 'deferred', takesValue: false },
  '--fp16': { kind: 'deferred', takesValue: false },
  '--fp8-format': { kind: 'deferred', takesValue: true },
  '--use-distributed-optimizer': { kind: 'deferred', takesValue: false },
  '--use-megatron-fsdp': { kind: 'deferred', takesValue: false },
  '--use-torch-fsdp2': { kind: 'deferred', takesValue: false },
  '--data-parallel-sharding-strategy': { kind: 'deferred', takesValue: true },
  // Megatron-DeepSpeed's own flag (microsoft/Megatron-DeepSpeed).
  '--zero-stage': { kind: 'deferred', takesValue: true },
};

/** Launcher flags: torchrun, the `deepspeed` launcher and `#SBATCH` directives. */
export const LAUNCHER_FLAGS: Record<string, FieldPath> = {
  '--nproc_per_node': 'cluster.gpusPerNode',
  '--nproc-per-node': 'cluster.gpusPerNode',
  '--nnodes': 'cluster.nodes',
  '--num_nodes': 'cluster.nodes',
  '--num-nodes': 'cluster.nodes',
  '--num_gpus': 'cluster.gpusPerNode',
  '--num-gpus': 'cluster.gpusPerNode',
};

export const SBATCH_FLAGS: Record<string, FieldPath> = {
  '--nodes': 'cluster.nodes',
  '--gpus-per-node': 'cluster.gpusPerNode',
  '--gres': 'cluster.gpusPerNode',
};

export interface LegacyFlag {
  replacement: string;
  takesValue: boolean;
  /** What the old flag meant for the design, when it meant something. */
  apply?: { field: FieldPath; value: unknown };
  /** Read its value as this current flag. */
  alias?: string;
}

// Sources: arguments.py prints "--checkpoint-activations is no longer valid, use --recompute-activations" and
// calls --model-parallel-size "Old model parallel argument, do not use"; the sc21 scripts' flags
// (--activations-checkpoint-method, --DDP-impl) are no longer defined (FORMATS.md A.2). In the Megatron of that
// time a checkpoint method alone turned on full-layer recomputation.
export const LEGACY_FLAGS: Record<string, LegacyFlag> = {
  '--model-parallel-size': { replacement: '--tensor-model-parallel-size', takesValue: true, alias: '--tensor-model-parallel-size' },
  '--checkpoint-activations': { replacement: '--recompute-granularity full --recompute-method uniform (Megatron suggests --recompute-activations)', takesValue: false, apply: { field: 'plan.recompute', value: 'full' } },
  '--activations-checkpoint-method': { replacement: '--recompute-granularity full --recompute-method', takesValue: true, apply: { field: 'plan.recompute', value: 'full' } },
  '--activations-checkpoint-num-layers': { replacement: '--recompute-num-layers', takesValue: true },
  '--distribute-checkpointed-activations': { replacement: '--distribute-saved-activations', takesValue: false },
  '--DDP-impl': { replacement: 'nothing: Megatron always uses its own DDP now (see --use-distributed-optimizer, --overlap-grad-reduce)', takesValue: true },
  '--num-layers-per-stage': { replacement: '--decoder-first-pipeline-num-layers / --decoder-last-pipeline-num-layers', takesValue: true },
};

/** Flags whose presence alone marks a file as a Megatron launch script (checked before parsing). */
export const DETECTION = /(^|[\s"'(=])--(tensor-model-parallel-size|pipeline-model-parallel-size|num-layers|hidden-size|num-attention-heads|micro-batch-size|global-batch-size|seq-length|num-experts|model-parallel-size|activations-checkpoint-method)(?=[\s"'=\\)]|$)/m;

export function isFlagKnown(occurrence: FlagOccurrence): boolean {
  return occurrence.flag in MEGATRON_FLAGS || occurrence.flag in LEGACY_FLAGS;
}
