// torchtitan's op-level selective activation checkpointing (`activation_checkpoint.mode = "selective"`,
// `selective_ac_option = "op"`, its default): every transformer block runs under a policy that keeps the outputs
// of the matmuls (`aten.mm`) except every second one, counted in the order the block calls them, of the attention
// kernel (output and log-sum-exp) and of TP's reduce-scatters, and recomputes everything else during the backward.
// Read in torchtitan's `parallelisms/parallelize_llama.py` at 9dec370 (2024-12-26, the commit of its published
// memory tables) and `distributed/activation_checkpoint.py` today (same rule; the MoE router's gate is forced to
// recompute and left out of the count; grouped expert GEMMs are not in the list, all-to-all outputs are).
//
// A dense Llama block calls q, k, v, o, gate, up, down: it keeps q (mm 1), v (3), gate (5) and down (7), the
// attention output and log-sum-exp, and its own input (the checkpoint's input); k, o and up are recomputed, with
// every norm, RoPE and SwiGLU. Under Float8 the matmul still returns a 16-bit tensor, and that is what is kept.
// TP: column-parallel outputs divide by t; a row-parallel matmul's output (o, down) is partial sums of the whole
// width on every rank, and with TP its reduce-scatter output (h/t) is kept as well. torchtitan's TP always shards
// the norms' sequence (SP), so replicated tensors divide by t whenever t > 1.
//
// MoE blocks (torchtitan's DeepSeek-V3, Llama 4; not validated against a measured run): the router's gate is
// recomputed and uncounted, the routed experts' grouped GEMMs and their SwiGLU are recomputed, the dispatched and
// combined token copies (all-to-all outputs, k·h each) are kept when EP > 1, and the shared expert's matmuls
// continue the block's count after the attention's.
import type { ModelArch } from '../../design';
import { type ActivationSettings, type ActivationTensor, BYTES_PER_ELEMENT, type Placement } from './activations';

/** One matmul of a block, in the order torchtitan's forward calls it, per token. */
export interface BlockMatmul {
  name: string;
  /** Width of the input (the contracted dimension). */
  inputs: number;
  /** Width of the output. */
  outputs: number;
  placement: Placement;
}

const A = BYTES_PER_ELEMENT.bf16;
const FP32 = BYTES_PER_ELEMENT.fp32;

/** The attention matmuls in call order (torchtitan's Llama and DeepSeek-V3 attention). */
export function attentionMatmuls(arch: ModelArch): BlockMatmul[] {
  const h = arch.hidden;
  const a = arch.heads;
  if (arch.attention === 'mla' && arch.mla) {
    const { qLoraRank, kvLoraRank, qkNopeHeadDim, qkRopeHeadDim, vHeadDim } = arch.mla;
    const qk = a * (qkNopeHeadDim + qkRopeHeadDim);
    const q: BlockMatmul[] = qLoraRank > 0
      ? [{ name: 'attention.wq_a', inputs: h, outputs: qLoraRank, placement: 'wholeWidth' },
        { name: 'attention.wq_b', inputs: qLoraRank, outputs: qk, placement: 'attention' }]
      : [{ name: 'attention.wq', inputs: h, outputs: qk, placement: 'attention' }];
    return [
      ...q,
      { name: 'attention.wkv_a', inputs: h, outputs: kvLoraRank + qkRopeHeadDim, placement: 'wholeWidth' },
      { name: 'attention.wkv_b', inputs: kvLoraRank, outputs: a * (qkNopeHeadDim + vHeadDim), placement: 'attention' },
      { name: 'attention.wo', inputs: a * vHeadDim, outputs: h, placement: 'wholeWidth' },
    ];
  }
  const d = arch.headDim;
  return [
    { name: 'attention.wq', inputs: h, outputs: a * d, placement: 'attention' },
    { name: 'attention.wk', inputs: h, outputs: arch.kvHeads * d, placement: 'attention' },
    { name: 'attention.wv', inputs: h, outputs: arch.kvHeads * d, placement: 'attention' },
    { name: 'attention.wo', inputs: a * d, outputs: h, placement: 'wholeWidth' },
  ];
}

/** A (gated) MLP's matmuls in call order: gate (w1), up (w3), down (w2). */
function mlpMatmuls(prefix: string, h: number, width: number, gatedActivation: boolean): BlockMatmul[] {
  const up: BlockMatmul[] = gatedActivation ? [{ name: `${prefix}.w3`, inputs: h, outputs: width, placement: 'mlp' }] : [];
  return [
    { name: `${prefix}.w1`, inputs: h, outputs: width, placement: 'mlp' },
    ...up,
    { name: `${prefix}.w2`, inputs: width, outputs: h, placement: 'wholeWidth' },
  ];
}

/** The block's counted matmuls in call order (the router's gate and grouped expert GEMMs are not counted). */
export function countedMatmuls(arch: ModelArch, kind: 'dense' | 'moe'): BlockMatmul[] {
  const gated = arch.activation === 'swiglu';
  if (kind === 'dense') return [...attentionMatmuls(arch), ...mlpMatmuls('mlp', arch.hidden, arch.ffnHidden, gated)];
  const shared = arch.sharedExperts * arch.expertFfnHidden;
  return [...attentionMatmuls(arch), ...(shared > 0 ? mlpMatmuls('moe.shared', arch.hidden, shared, gated) : [])];
}

/** Which counted matmuls the policy keeps: the 1st, 3rd, 5th … (every second one is recomputed). */
export function keptMatmuls(arch: ModelArch, kind: 'dense' | 'moe'): { kept: BlockMatmul[]; recomputed: BlockMatmul[] } {
  const kept: BlockMatmul[] = [];
  const recomputed: BlockMatmul[] = [];
  countedMatmuls(arch, kind).forEach((matmul, index) => ((index + 1) % 2 === 0 ? recomputed : kept).push(matmul));
  return { kept, recomputed };
}

/** The tensors one block keeps per token under torchtitan's op-level policy. */
export function opCheckpointTensors(arch: ModelArch, kind: 'dense' | 'moe', settings: Pick<ActivationSettings, 'tp' | 'ep'>): ActivationTensor[] {
  const h = arch.hidden;
  const out: ActivationTensor[] = [{ name: 'layer.input', elements: h, bytesPerElement: A, placement: 'replicated' }];
  for (const matmul of keptMatmuls(arch, kind).kept) out.push({ name: matmul.name, elements: matmul.outputs, bytesPerElement: A, placement: matmul.placement });
  const valueWidth = arch.attention === 'mla' && arch.mla ? arch.heads * arch.mla.vHeadDim : arch.heads * arch.headDim;
  out.push({ name: 'attention.output', elements: valueWidth, bytesPerElement: A, placement: 'attention' });
  out.push({ name: 'attention.softmax_lse', elements: arch.heads, bytesPerElement: FP32, placement: 'attentionCore' });
  // Reduce-scatters after the attention and after the MLP (and after a shared expert) keep h/t each.
  if (Math.max(1, settings.tp) > 1) {
    const reductions = 2 + (kind === 'moe' && arch.sharedExperts > 0 ? 1 : 0);
    out.push({ name: 'tp.reduce_scatter_outputs', elements: reductions * h, bytesPerElement: A, placement: 'replicated' });
  }
  if (kind === 'moe' && Math.max(1, settings.ep ?? 1) > 1) {
    out.push({ name: 'moe.dispatched_tokens', elements: arch.topK * h, bytesPerElement: A, placement: 'routed' });
    out.push({ name: 'moe.combined_tokens', elements: arch.topK * h, bytesPerElement: A, placement: 'routed' });
  }
  return out;
}
