// The design: what a training run is (model), how it is laid out (plan) and where it runs (cluster).
// Readers produce drafts of it; the model consumes complete ones. Field names follow CONTRACT.md's JSON.
import type { Calibration } from './cost/calibration';

export type ScheduleId =
  | 'gpipe'
  | '1f1b'
  | 'interleaved-1f1b'
  | 'zb-h1'
  | 'zb-h2'
  | 'zbv'
  | 'dualpipe'
  | 'dualpipev';

export type Precision = 'bf16' | 'fp16' | 'fp8';
/**
 * How FP8 (or FP4) GEMM inputs are scaled (Megatron `--fp8-recipe`, Transformer Engine recipes, torchao
 * Float8Linear): `delayed` per-tensor scaling from an amax history (TE DelayedScaling, Megatron's default);
 * `tensorwise` per-tensor current scaling (TE Float8CurrentScaling, torchao `tensorwise`); `blockwise` 1×128 /
 * 128×128 blocks (DeepSeek-V3 §3.3, TE Float8BlockScaling); `mxfp8` 32-element microscaling (Blackwell);
 * `nvfp4` FP4 GEMMs with 16-element microscaling (Blackwell). Only meaningful with precision fp8.
 */
export type Fp8Recipe = 'delayed' | 'tensorwise' | 'blockwise' | 'mxfp8' | 'nvfp4';
export const FP8_RECIPES: readonly Fp8Recipe[] = ['delayed', 'tensorwise', 'blockwise', 'mxfp8', 'nvfp4'];
export type Recompute = 'none' | 'selective' | 'full';
/**
 * Megatron-LM's `--recompute-modules` (TransformerConfig.recompute_modules), used with selective recompute:
 * core_attn (attention core), layernorm (input and pre-MLP norms), mla_up_proj (MLA up-projections and RoPE),
 * moe_act (routed experts' activation function), mlp (dense MLP), moe (whole MoE layer), shared_experts.
 */
export type RecomputeModule = 'core_attn' | 'layernorm' | 'mla_up_proj' | 'moe_act' | 'mlp' | 'moe' | 'shared_experts';
export const RECOMPUTE_MODULES: readonly RecomputeModule[] = ['core_attn', 'layernorm', 'mla_up_proj', 'moe_act', 'mlp', 'moe', 'shared_experts'];
/** Megatron's default `recompute_modules` for selective recompute: the attention core only. */
export const DEFAULT_RECOMPUTE_MODULES: readonly RecomputeModule[] = ['core_attn'];
/**
 * Megatron's fine-grained activation offloading modules (TransformerConfig.offload_modules, cost/memory/offload.ts): each
 * copies what it saves for its backward (its input) to host memory. `gdp_qkv` (GatedDeltaProduct mixers) is read by
 * the readers but has no layer in the models here.
 */
export type ActivationOffloadModule = 'attn_norm' | 'qkv_linear' | 'core_attn' | 'attn_proj' | 'mlp_norm' | 'expert_fc1' | 'moe_act' | 'fused_group_mlp';
export const ACTIVATION_OFFLOAD_MODULES: readonly ActivationOffloadModule[] = ['attn_norm', 'qkv_linear', 'core_attn', 'attn_proj', 'mlp_norm', 'expert_fc1', 'moe_act', 'fused_group_mlp'];
/**
 * The training code whose runtime behaviour decides what `selective` recompute keeps, how the loss holds its logits
 * and which training states stay resident (docs/MEMORY.md). `megatron` covers Megatron-LM, NeMo, Megatron-Bridge
 * and Megatron-DeepSpeed, which share Megatron-Core's layers and fused cross-entropy.
 */
export type TrainingFramework = 'megatron' | 'torchtitan';
export type AttentionKind = 'mha' | 'gqa' | 'mla';
export type MlpActivation = 'swiglu' | 'gelu';
export type ZeroStage = 0 | 1 | 2 | 3;
/** How Adam's moments are stored (Megatron --exp-avg-dtype / --exp-avg-sq-dtype; fp8 is Transformer Engine's uint8 with scales). */
export type MomentDtype = 'fp32' | 'bf16' | 'fp16' | 'fp8';
export const MOMENT_DTYPES: readonly MomentDtype[] = ['fp32', 'bf16', 'fp16', 'fp8'];

/** Multi-head latent attention dimensions (DeepSeek-V2/V3). */
export interface MlaDims {
  qLoraRank: number;
  kvLoraRank: number;
  qkNopeHeadDim: number;
  qkRopeHeadDim: number;
  vHeadDim: number;
}

export interface ModelArch {
  name: string;
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  /** Per-head dimension; hidden / heads when the model does not say otherwise. */
  headDim: number;
  /** Dense MLP width (used by dense models and by the leading dense layers of an MoE model). */
  ffnHidden: number;
  vocab: number;
  /** Routed experts per MoE layer; 0 for a dense model. */
  experts: number;
  topK: number;
  expertFfnHidden: number;
  sharedExperts: number;
  /** Leading dense layers of an MoE model (DeepSeek-V3: 3). */
  denseLayers: number;
  /**
   * After the leading dense layers, every n-th layer is MoE and the others are dense (torchtitan Llama 4
   * `interleave_moe_layer_step`: 2 for 17bx128e, 1 for 17bx16e). Absent means 1 (every layer MoE).
   */
  moeLayerInterval?: number;
  /** Multi-token-prediction modules after the last layer (DeepSeek-V3: 1). */
  mtpLayers: number;
  tiedEmbeddings: boolean;
  activation: MlpActivation;
  attention: AttentionKind;
  mla?: MlaDims;
  /**
   * Dropout probability on the hidden states: after attention, after the MLP and on the embedding (Megatron
   * `hidden_dropout`, HF `hidden_dropout` / `resid_pdrop`). Above 0 each keeps a 1-byte mask per element for the
   * backward. Absent: GeLU (GPT-era) models 0.1, the others 0 (memory.ts).
   */
  hiddenDropout?: number;
  /**
   * Dropout probability on the attention probabilities (Megatron `attention_dropout`). Flash attention keeps no
   * mask for it (it saves the RNG seed and offset and regenerates the mask in the backward); without flash the
   * s² scores keep a 1-byte mask and a 2-byte dropped copy. Absent: as hiddenDropout.
   */
  attentionDropout?: number;
}

export interface ParallelPlan {
  tp: number;
  pp: number;
  /** Virtual pipeline chunks per rank (interleaving); 1 when not interleaved. */
  vpp: number;
  /**
   * What each pipeline stage holds (pipelineLayout.ts): Megatron's layout string (`Et*3|(tt|)*29m|L`) or one
   * string per stage in the same letters. Excludes the four options below.
   */
  layout?: string | string[];
  /** Decoder layers on the first pipeline rank (over all its chunks); Megatron `--decoder-first-pipeline-num-layers`. */
  firstStageLayers?: number;
  /** Decoder layers on the last pipeline rank; Megatron `--decoder-last-pipeline-num-layers`. */
  lastStageLayers?: number;
  /** The embedding counts as one layer of the split (`--account-for-embedding-in-pipeline-split`). */
  accountForEmbedding?: boolean;
  /** The loss (output head) counts as one layer of the split (`--account-for-loss-in-pipeline-split`). */
  accountForLoss?: boolean;
  /**
   * torchtitan's split: the embedding and the output head count as this many layers each
   * (`pipeline_parallel_first/last_stage_less_layers`, default 1), the remainder going to the first stages.
   */
  embeddingWeight?: number;
  lossWeight?: number;
  cp: number;
  ep: number;
  /** Expert tensor parallelism. */
  etp: number;
  dp: number;
  /**
   * Copies of each ZeRO shard group (cost/comm/shardGroups.ts): the states are sharded over dp·cp / replicas ranks and
   * the shard groups replicated (torchtitan `data_parallel_replicate_degree` with sharding, i.e. HSDP; Megatron
   * `--num-distributed-optimizer-instances`). Absent or 1: shards span all of data parallelism.
   */
  dataParallelReplicas?: number;
  /**
   * ZeRO++ hierarchical partitioning (hpZ, DeepSpeed `zero_hpz_partition_size`; cost/comm/shardGroups.ts): besides its
   * ZeRO-3 shard, each GPU keeps a secondary 16-bit copy of the weights sharded over this many consecutive ranks of
   * its shard group, and every weight gather of a step but the first runs inside that group. Absent or 1: none.
   * Only ZeRO-3 without PP re-gathers weights, so elsewhere it changes nothing (an info problem says so).
   */
  hpzPartitionSize?: number;
  zero: ZeroStage;
  sequenceParallel: boolean;
  seqLength: number;
  microBatchSize: number;
  globalBatchSize: number;
  /** Micro-batches per step per pipeline: globalBatchSize / (microBatchSize · dp). */
  microbatches: number;
  schedule: ScheduleId;
  recompute: Recompute;
  /** With `recompute: selective`, the modules recomputed; absent means DEFAULT_RECOMPUTE_MODULES. */
  recomputeModules?: readonly RecomputeModule[];
  /** Absent means `megatron`. With `torchtitan`, `selective` is its op-level policy unless recomputeLayerInterval is set. */
  framework?: TrainingFramework;
  /**
   * torchtitan's layer-level selective checkpointing (`selective_ac_option = "N"`): every N-th layer is fully
   * recomputed, the others keep everything. Only read with `framework: torchtitan` and `recompute: selective`.
   */
  recomputeLayerInterval?: number;
  /**
   * The MLP activation's input (SwiGLU gate/up) kept in FP8 for the backward (Megatron
   * `--activation-func-fp8-input-store`; DeepSeek-V3 §3.3.3 stores the MoE SwiGLU input in FP8). Default false.
   */
  activationFp8InputStore?: boolean;
  precision: Precision;
  /** With precision fp8: the scaling recipe; absent means `delayed` (Megatron and Transformer Engine default). */
  fp8Recipe?: Fp8Recipe;
  /**
   * Communication overlap per dimension, as the framework runs it (absent: not overlapped; completion fills each
   * framework's default). `tpCommOverlap`: Megatron --tp-comm-overlap; `epCommOverlap`:
   * --overlap-moe-expert-parallel-comm (outside DualPipe, which has its own rule); `cpCommOverlap`: ring attention
   * overlapping its KV exchange with attention; `overlapGradReduce` / `overlapParamGather`: --overlap-grad-reduce /
   * --overlap-param-gather (overlapGradReduce false charges the DP collectives in series after the backward; absent
   * keeps cost/comm/dpOverlap.ts's window rule, what FSDP prefetch and Megatron's bucketed reduction do).
   */
  tpCommOverlap?: boolean;
  epCommOverlap?: boolean;
  cpCommOverlap?: boolean;
  overlapGradReduce?: boolean;
  overlapParamGather?: boolean;
  /**
   * Gradients accumulated and reduced in FP32 (Megatron DDP `grad_reduce_in_fp32`, which Megatron turns on for BF16;
   * torchtitan's FSDP2 reduce dtype). Absent means true for BF16 and FP8; false keeps the gradient buffer and its
   * reduce-scatter / all-reduce in BF16, as NeMo's performance recipes since 25.02 do. FP16 always reduces in FP16.
   */
  gradReduceInFp32?: boolean;
  /** torch.compile (torchtitan `compile`): fuses memory-bound elementwise kernels. */
  compile?: boolean;
  /**
   * Megatron's precision-aware optimizer (`--use-precision-aware-optimizer`, Transformer Engine's FusedAdam): the
   * optimizer keeps master weights and moments in the dtypes below (each absent: fp32), and with BF16 weights and
   * FP32 master weights only the 16 bits the BF16 weight lacks (`optimizerParamRemainders`, OptimizerConfig's
   * store_param_remainders, default true). Main gradients in BF16 are `gradReduceInFp32: false`. Absent or false:
   * the framework's states (cost/memory/memory.ts stateBytesOf).
   */
  precisionAwareOptimizer?: boolean;
  optimizerMainParams?: 'fp32' | 'fp16';
  optimizerExpAvg?: MomentDtype;
  optimizerExpAvgSq?: MomentDtype;
  optimizerParamRemainders?: boolean;
  /**
   * Activation offload (cost/memory/offload.ts): of each pipeline stage's decoder layers, how many (the first ones) keep
   * their activations in host memory between their forward and their backward (Megatron `--cpu-offloading` with
   * `--cpu-offloading-num-layers`, Transformer Engine's CPU offload context). Absent or 0: none.
   */
  activationOffloadLayers?: number;
  /**
   * Fine-grained activation offload (cost/memory/offload.ts): in every decoder layer of a stage but its last, the tensors
   * these modules save for the backward wait in host memory (Megatron `--fine-grained-activation-offloading` with
   * `--offload-modules`). Non-empty, it replaces activationOffloadLayers (Megatron refuses the two together).
   */
  activationOffloadModules?: ActivationOffloadModule[];
  /**
   * Share (0–1) of each GPU's optimizer state (master weights and moments) kept and stepped on the host CPU, with
   * the gradients it steps copied there (Megatron `--optimizer-cpu-offload` × `--optimizer-offload-fraction`;
   * DeepSpeed `offload_optimizer`, FSDP CPU offload: 1). Absent or 0: none.
   */
  optimizerOffloadFraction?: number;
  /**
   * The offloaded optimizer's gradient copies, host Adam and weight copies pipelined parameter by parameter
   * (Megatron `--overlap-cpu-optimizer-d2h-h2d`; cost/memory/offload.ts optimizerOffloadStep). Absent or false: in series.
   */
  optimizerOffloadOverlap?: boolean;
  /**
   * The sharded parameters live in host memory and are copied in for each gather (DeepSpeed ZeRO-3
   * `offload_param`, FSDP2's CPU offload). Only ZeRO-3 without PP shards the weights a GPU holds.
   */
  parameterOffload?: boolean;
  /** MoE node-limited routing: most nodes one token is sent to; null when unlimited. */
  nodeLimit: number | null;
  /**
   * MoE expert capacity (cost/compute/capacity.ts): each expert takes at most this multiple of its balanced share of routed
   * token copies and drops the rest (Megatron --moe-expert-capacity-factor). Absent: no capacity, nothing dropped.
   */
  expertCapacityFactor?: number;
  /** Pad every expert's input to its capacity (--moe-pad-expert-input-to-capacity): compute and all-to-all at capacity. */
  padExpertsToCapacity?: boolean;
}

export interface ClusterSpec {
  /** A GPU catalog id (e.g. "H800"). */
  gpu: string;
  /** GPUs that share one NVLink domain. */
  gpusPerNode: number;
  nodes: number;
  worldSize: number;
  /** Optional overrides of the GPU preset (CONTRACT.md native format `cluster:`): achievable GB/s per direction. */
  nvlinkGBps?: number;
  ibGBps?: number;
  /** HBM per GPU in GB, overriding the preset. */
  hbmGB?: number;
  /** Dense peak TFLOP/s of the precision in use, overriding the preset. */
  peakTflops?: number;
  /** CPU memory of one host (the system a preset's GPUs share) in GB, overriding the preset. */
  hostMemoryGB?: number;
  /** Achievable GB/s per GPU per direction between a GPU and host memory (PCIe or C2C), overriding the preset. */
  hostLinkGBps?: number;
}

export interface Design {
  model: ModelArch;
  plan: ParallelPlan;
  cluster: ClusterSpec;
  /** User-set calibration (CONTRACT.md `calibration:`); what is absent comes from the catalog (cost/calibration.ts). */
  calibration?: Partial<Calibration>;
}

/** A value a file sets in a way we cannot evaluate (`$PP`, `${TP:-1}`, `"auto"`); its text is kept for display. */
export interface Symbolic {
  symbolic: string;
}

export function isSymbolic(value: unknown): value is Symbolic {
  return typeof value === 'object' && value !== null && typeof (value as Symbolic).symbolic === 'string';
}

/** Each field may be missing, known, or symbolic. */
export type Draft<T> = { [K in keyof T]?: T[K] | Symbolic };

/** What a reader recovers from one file, before completion fills the gaps. */
export interface DesignDraft {
  /** Calibration values a layer sets (native `calibration:` block, workspace plens.yaml, settings, --calibration). */
  calibration?: Draft<Calibration>;
  /** A catalog model id the file names (torchtitan flavour, `model: deepseek-v3`), when it names one. */
  modelId?: string | Symbolic;
  model: Draft<ModelArch>;
  plan: Draft<ParallelPlan>;
  cluster: Draft<ClusterSpec>;
}

/** A design field's path, as used in SourceMap keys and `origins`: "plan.pp", "model.layers", "cluster.gpu". */
export type FieldPath = `model.${keyof ModelArch & string}` | `plan.${keyof ParallelPlan & string}` | `cluster.${keyof ClusterSpec & string}` | `calibration.${keyof Calibration & string}` | 'modelId';

/** A design's value at a field path (`modelId` is the model's name). */
export function fieldValue(design: Design, field: FieldPath): unknown {
  if (field === 'modelId') return design.model.name;
  const [part, key] = field.split('.') as ['model' | 'plan' | 'cluster' | 'calibration', string];
  return (design[part] as unknown as Record<string, unknown> | undefined)?.[key];
}

export function emptyDraft(): DesignDraft {
  return { model: {}, plan: {}, cluster: {} };
}
