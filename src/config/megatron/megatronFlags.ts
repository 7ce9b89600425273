// What only a command line needs to know about Megatron's flags: which ones are switches (argparse store_true, so
// the word after them is not theirs), the launchers' own flags, and what marks a file as a launch script. What a
// flag means for the design is megatronKeys.ts's, shared with the YAML readers.
import type { FieldPath } from '../../model/design';
import { flagKey, isLegacyFlag } from './megatronFlagNames';
import { isMegatronKey, type MegatronKey } from './megatronKeys';
import type { FlagOccurrence } from '../shell/flags';

/** The read flags that take no value (megatron/training/arguments.py `action='store_true'`). */
export const SWITCHES: ReadonlySet<MegatronKey> = new Set<MegatronKey>([
  'sequence_parallel', 'swiglu', 'untie_embeddings_and_output_weights', 'recompute_activations', 'activation_func_fp8_input_store',
  'group_query_attention', 'multi_latent_attention', 'bf16', 'fp16', 'use_distributed_optimizer', 'use_megatron_fsdp', 'use_torch_fsdp2',
  'checkpoint_activations', 'tp_comm_overlap', 'overlap_grad_reduce', 'overlap_param_gather', 'overlap_moe_expert_parallel_comm',
  'squared_relu', 'quick_geglu', 'accumulate_allreduce_grads_in_fp32', 'grad_reduce_in_bf16',
  // Dataclass booleans that default to False become store_true flags too (argument_utils.py ArgumentGroupFactory).
  'optimizer_cpu_offload', 'use_precision_aware_optimizer', 'fine_grained_activation_offloading', 'moe_pad_expert_input_to_capacity',
  'account_for_embedding_in_pipeline_split', 'account_for_loss_in_pipeline_split', 'overlap_cpu_optimizer_d2h_h2d',
]);

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

/** Flags whose presence alone marks a file as a Megatron launch script (checked before parsing). */
export const DETECTION = /(^|[\s"'(=])--(tensor-model-parallel-size|pipeline-model-parallel-size|num-layers|hidden-size|num-attention-heads|micro-batch-size|global-batch-size|seq-length|num-experts|model-parallel-size|activations-checkpoint-method)(?=[\s"'=\\)]|$)/m;

export function isFlagKnown(occurrence: FlagOccurrence): boolean {
  const name = flagKey(occurrence.flag);
  return isMegatronKey(name) || isLegacyFlag(name);
}
