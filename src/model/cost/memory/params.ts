// Parameter counts of a model architecture, split the way memory sharding needs them: routed experts (sharded by
// EP·ETP) apart from everything else (sharded by TP), embedding and head apart from transformer layers.
// Counted: every weight matrix and every normalisation weight vector (one h-vector per norm). Not counted: biases
// (GPT-3 has 13h per layer, < 0.01 % of its parameters) and learned position embeddings (s·h, 0.01 % for GPT-3).

import type { ModelArch } from '../../design';

/** Whether layer `index` (0-based) is an MoE layer: after the dense prefix, every `moeLayerInterval`-th layer. */
export function isMoeLayer(arch: ModelArch, index: number): boolean {
  if (arch.experts <= 0 || index < arch.denseLayers || index >= arch.layers) return false;
  const interval = Math.max(1, Math.floor(arch.moeLayerInterval ?? 1));
  // torchtitan llama4: moe_enabled = (layer_id + 1) % interleave_moe_layer_step == 0.
  return (index - arch.denseLayers + 1) % interval === 0;
}

/**
 * How many of the `count` layers from `first` are MoE layers (isMoeLayer), counted without visiting each: a search
 * asks this of thousands of chunks. Layer i is one when i − denseLayers + 1 is a multiple of the interval.
 */
export function moeLayersIn(arch: ModelArch, first: number, count: number): number {
  const low = Math.max(first, arch.denseLayers);
  const high = Math.min(first + count, arch.layers);
  if (arch.experts <= 0 || low >= high) return 0;
  const interval = Math.max(1, Math.floor(arch.moeLayerInterval ?? 1));
  return Math.floor((high - arch.denseLayers) / interval) - Math.floor((low - arch.denseLayers) / interval);
}

export function moeLayerCount(arch: ModelArch): number {
  return moeLayersIn(arch, 0, arch.layers);
}

/** Weights of the attention projections of one layer (Q, K, V, output; MLA's LoRA down/up projections). */
export function attentionParams(arch: ModelArch): number {
  const { hidden: h, heads: a, kvHeads, headDim: d } = arch;
  if (arch.attention === 'mla' && arch.mla) {
    const { qLoraRank, kvLoraRank, qkNopeHeadDim, qkRopeHeadDim, vHeadDim } = arch.mla;
    const qkHead = qkNopeHeadDim + qkRopeHeadDim;
    // q_lora_rank 0 (DeepSeek-V2-Lite, torchtitan "16B"): one h → a·(nope+rope) projection, no q norm.
    const query = qLoraRank > 0 ? h * qLoraRank + qLoraRank + qLoraRank * a * qkHead : h * a * qkHead;
    // wkv_a: h → kv_lora + rope (the rope key is shared by all heads); kv norm; wkv_b: kv_lora → a·(nope + v).
    const keyValue = h * (kvLoraRank + qkRopeHeadDim) + kvLoraRank + kvLoraRank * a * (qkNopeHeadDim + vHeadDim);
    return query + keyValue + a * vHeadDim * h;
  }
  return h * a * d + 2 * h * kvHeads * d + a * d * h;
}

/** Matrices of one MLP of width `width`: SwiGLU has gate, up and down (3), GeLU has up and down (2). */
export function mlpParams(arch: ModelArch, width: number): number {
  return (arch.activation === 'swiglu' ? 3 : 2) * arch.hidden * width;
}

export interface ParameterCounts {
  /** The model without MTP modules: embedding + layers + final norm + head (head counted once if tied). */
  total: number;
  /** Parameters one token touches (top-k routed experts only), without MTP. */
  active: number;
  totalWithMtp: number;
  activeWithMtp: number;
  /** Input embedding V·h. */
  embedding: number;
  /** Output head V·h; 0 when tied to the embedding. */
  lmHead: number;
  /** total − embedding − lmHead. */
  nonEmbedding: number;
  /** Per-layer pieces. */
  perLayer: {
    attention: number;
    /** Two norm vectors of a layer (MLA's q/kv norms are inside `attention`). */
    norms: number;
    denseMlp: number;
    /** One MoE layer: routed + shared experts + router. */
    moe: number;
    /** A whole dense layer: attention + norms + dense MLP. */
    denseLayer: number;
    /** A whole MoE layer: attention + norms + moe. */
    moeLayer: number;
  };
  /** One expert's matrices. */
  expert: number;
  /** All routed experts of one MoE layer (what EP shards). */
  routedExpertsPerLayer: number;
  sharedExpertsPerLayer: number;
  routerPerLayer: number;
  denseLayerCount: number;
  moeLayerCount: number;
  /** One MTP module's own parameters (projection 2h→h, its layer, norms); embedding and head are shared. */
  mtpPerModule: number;
}

export function parameterCounts(arch: ModelArch): ParameterCounts {
  const h = arch.hidden;
  const attention = attentionParams(arch);
  const norms = 2 * h;
  const denseMlp = mlpParams(arch, arch.ffnHidden);
  const expert = mlpParams(arch, arch.expertFfnHidden);
  const isMoeModel = arch.experts > 0;
  const routedExpertsPerLayer = isMoeModel ? arch.experts * expert : 0;
  const sharedExpertsPerLayer = isMoeModel ? arch.sharedExperts * expert : 0;
  const routerPerLayer = isMoeModel ? h * arch.experts : 0;
  const moe = routedExpertsPerLayer + sharedExpertsPerLayer + routerPerLayer;
  const denseLayer = attention + norms + denseMlp;
  const moeLayer = attention + norms + moe;
  const moeLayers = moeLayerCount(arch);
  const denseLayers = arch.layers - moeLayers;

  const embedding = arch.vocab * h;
  const lmHead = arch.tiedEmbeddings ? 0 : arch.vocab * h;
  const finalNorm = h;
  const layersTotal = denseLayers * denseLayer + moeLayers * moeLayer;
  const total = embedding + layersTotal + finalNorm + lmHead;

  const activeMoeLayer = attention + norms + (isMoeModel ? (arch.topK + arch.sharedExperts) * expert + routerPerLayer : 0);
  // The head is active for every token; a tied head shares the embedding's weights, which are counted once.
  const active = embedding + denseLayers * denseLayer + moeLayers * activeMoeLayer + finalNorm + lmHead;

  // DeepSeek-V3 §2.2: MTP module = norms of the two inputs, a 2h→h projection, one transformer layer, own final norm.
  const mtpLayer = isMoeModel ? moeLayer : denseLayer;
  const mtpActiveLayer = isMoeModel ? activeMoeLayer : denseLayer;
  const mtpOwn = 3 * h + 2 * h * h;
  const mtpPerModule = mtpOwn + mtpLayer;

  return {
    total,
    active,
    totalWithMtp: total + arch.mtpLayers * mtpPerModule,
    activeWithMtp: active + arch.mtpLayers * (mtpOwn + mtpActiveLayer),
    embedding,
    lmHead,
    nonEmbedding: total - embedding - lmHead,
    perLayer: { attention, norms, denseMlp, moe, denseLayer, moeLayer },
    expert,
    routedExpertsPerLayer,
    sharedExpertsPerLayer,
    routerPerLayer,
    denseLayerCount: denseLayers,
    moeLayerCount: moeLayers,
    mtpPerModule,
  };
}
