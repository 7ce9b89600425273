// Keys a reader knows but the estimate does not model. What we read, we use or we say so: each reader keeps its
// modelled keys in its own table and these in this one, and a key it collects is in exactly one of the two
// (megatronKeys.ts checks that at the type level). A key set to something other than its default gets one info
// problem `value/not-modelled` at its line saying what the estimate leaves out; at its default it changes nothing
// and is not mentioned (a Megatron-Bridge dump lists every field).
import type { SourceRange } from '../../model/problems';
import type { DraftBuilder } from './draftBuilder';
import { isSymbolic } from '../../model/design';

export interface Acknowledged {
  /** What the estimate leaves out, completing "read; the estimate does not model …". */
  what: string;
  /** Whether the value is the framework's default (a default changes nothing and is not reported). */
  isDefault: (raw: unknown) => boolean;
  /** A switch without which this key has no effect (NeMo lists cpu_offloading_num_layers with offloading off). */
  onlyWith?: string;
}

const off = (raw: unknown): boolean => raw === null || raw === undefined || raw === false || raw === 0 || (typeof raw === 'string' && /^(false|none|null|0|)$/i.test(raw.trim()));
const oneOf = (...defaults: string[]) => (raw: unknown): boolean => off(raw) || (typeof raw === 'string' && defaults.includes(raw.trim().toLowerCase().replace(/^torch\./, '')));
const numberIs = (value: number) => (raw: unknown): boolean => raw === null || raw === undefined || Number(raw) === value;

/** Megatron-LM fields (TransformerConfig, OptimizerConfig, DDP config) by their snake_case names. */
export const MEGATRON_NOT_MODELLED = {
  // Transformer Engine's current CPU offload warns that offload_weights is deprecated and does nothing with it.
  cpu_offloading_weights: { what: 'weight offloading to host memory (deprecated in Transformer Engine, whose CPU offload ignores it; the weights stay in HBM here)', isDefault: off, onlyWith: 'cpu_offloading' },
  // probs or position choose which copies an over-full expert drops, not how many: compute and traffic are the same.
  moe_token_drop_policy: { what: 'which tokens are dropped past capacity (the policy changes which, not how many: no cost moves)', isDefault: oneOf('probs'), onlyWith: 'moe_expert_capacity_factor' },
  cp_comm_type: { what: 'the context-parallel communication type: CP traffic is priced as ring P2P', isDefault: oneOf('p2p') },
  // Flash (flash-attn) and fused (cuDNN) attention keep no s² tensor; unfused (TE) and local (Megatron's own) do.
  attention_backend: {
    what: 'unfused attention: the estimate assumes flash or fused attention, so the s² scores it keeps (2 bytes each, 5 with attention dropout) and its slower kernels are not counted',
    isDefault: keepsNoScores,
  },
} satisfies Record<string, Acknowledged>;

/** DeepSpeed JSON keys, by their path. */
export const DEEPSPEED_NOT_MODELLED = {
  // Offload to the CPU is modelled (deepspeedJson.ts); to NVMe (ZeRO-Infinity) it is only acknowledged.
  'zero_optimization.offload_optimizer': { what: 'optimizer offload to NVMe (optimizer state stays in HBM here)', isDefault: notNvme },
  'zero_optimization.offload_param': { what: 'parameter offload to NVMe (weights stay in HBM here)', isDefault: notNvme },
  // ZeRO++'s other two parts (arXiv 2306.10209 §3.1, §3.3) and MiCS shard groups (runtime/zero/config.py).
  'zero_optimization.zero_quantized_weights': { what: 'ZeRO++ quantized weight gathers (qwZ: INT8 with block scales; gathers are priced in 16 bits here)', isDefault: off },
  'zero_optimization.zero_quantized_gradients': { what: 'ZeRO++ quantized gradient reduction (qgZ: INT4 all-to-all; the reduce-scatter is priced at the gradient width here)', isDefault: off },
  'zero_optimization.mics_shard_size': { what: 'MiCS shard groups (states are sharded over all of DP here, with no replicas)', isDefault: numberIs(-1) },
  // deepspeed.checkpointing (used by models that call it, as Megatron-DeepSpeed does; DeepSpeed's config-json docs).
  'activation_checkpointing.partition_activations': { what: 'checkpointed activations partitioned across the model-parallel ranks (kept activations are not divided by TP for it here, nor their all-gather in the backward priced)', isDefault: off },
  'activation_checkpointing.cpu_checkpointing': { what: 'checkpointed activations offloaded to host memory (they stay in HBM here, with no PCIe traffic)', isDefault: off },
  'activation_checkpointing.contiguous_memory_optimization': { what: 'copying checkpoints into one contiguous buffer (fragmentation and the copy are not priced)', isDefault: off },
  'activation_checkpointing.synchronize_checkpoint_boundary': { what: 'a device synchronisation at every checkpoint boundary', isDefault: off },
} satisfies Record<string, Acknowledged>;

/** torchtitan settings, by section and name (`training.enable_cpu_offload` is modelled: settings.ts). */
export const TORCHTITAN_NOT_MODELLED: Readonly<Record<string, Acknowledged>> = {};

/** Megatron's AttnBackend (flash 1, fused 2, unfused 3, local 4, auto 5), by name or number; auto picks flash or fused. */
function keepsNoScores(raw: unknown): boolean {
  if (raw === 1 || raw === 2 || raw === 5) return true;
  return oneOf('auto', 'flash', 'fused')(typeof raw === 'string' ? raw.replace(/^\s*attnbackend\./i, '') : raw);
}

/** DeepSpeed's offload sections by their `device`: only NVMe is left unmodelled (a symbolic device might be it). */
function notNvme(raw: unknown): boolean {
  return !(typeof raw === 'string' && /^nvme$/i.test(raw.trim()));
}

/** Whether a value switches its feature on (a symbolic value might). */
export function isOn(raw: unknown): boolean {
  return isSymbolic(raw) || !off(raw);
}

/** Reports a known-but-not-modelled key at its line when its value is not the framework's default. */
export function acknowledge(builder: DraftBuilder, known: Acknowledged, name: string, raw: unknown, range: SourceRange | undefined): void {
  // `auto` reads as symbolic (DeepSpeed's "computed elsewhere"), but to Megatron it is a word like any other
  // (`--attention-backend auto`, its default).
  const value = isSymbolic(raw) && raw.symbolic.trim().toLowerCase() === 'auto' ? 'auto' : raw;
  if (!isSymbolic(value) && known.isDefault(value)) return;
  builder.report('info', 'value/not-modelled', `${name}: read; the estimate does not model ${known.what}`, range);
}
