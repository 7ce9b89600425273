// Modern published runs (test/fixtures/published_runs_modern.json: H100, B200, GB200; BF16 and FP8; dense and
// MoE) mapped onto designs. What a row does not state is assumed the framework's way, and each assumption is listed
// beside the row in docs/VALIDATION.md. Nothing here is tuned per row.
import type { Design, Fp8Recipe, ModelArch, ParallelPlan, Recompute } from '../src/model/design';

export interface ModernRow {
  id: string;
  model: {
    name: string; layers: number; hidden: number; heads: number; kv_heads: number; ffn_hidden: number; vocab: number;
    activation: string; seq_len: number;
    moe: { experts_routed: number; experts_shared: number; top_k: number; expert_ffn_hidden: number } | null;
  };
  hardware: { gpu: string; gpus_per_node: number; nvlink_domain?: number; num_gpus: number };
  parallel: { tp: number; pp: number; dp: number; cp: number; ep: number; etp: number | null; sp: boolean; zero_stage: string; interleave_v: number | null };
  batch: { global_batch_seqs: number; micro_batch: number };
  recompute: string | null;
  precision: string;
  reported: { metric: string; value: number; unit: string };
}

function gpuOf(name: string): string {
  if (name.startsWith('GB200')) return 'GB200';
  if (name.startsWith('B200')) return 'B200';
  if (name.includes('96GB HBM2e')) return 'H100-96GB';
  return 'H100-SXM';
}

function recipeOf(precision: string, assumptions: string[]): Fp8Recipe | undefined {
  const text = precision.toLowerCase();
  if (text.includes('tensorwise') || text.includes('current scaling')) return 'tensorwise';
  if (text.includes('blockwise')) return 'blockwise';
  if (text.includes('mxfp8')) return 'mxfp8';
  assumptions.push('FP8 recipe not stated: delayed scaling (Transformer Engine default)');
  return 'delayed';
}

function recomputeOf(text: string | null, assumptions: string[]): Recompute {
  if (text === null) {
    assumptions.push('no recomputation (not in the table; NeMo performance recipes)');
    return 'none';
  }
  if (text.startsWith('full')) return 'full';
  if (text.startsWith('selective')) {
    // With framework torchtitan, `selective` is torchtitan's op-level SAC (recompute.ts, layerMemory.ts).
    assumptions.push('torchtitan SAC variant not stated: op-level (selective_ac_option "op", the llama3_8b.toml of the benchmark\'s torchtitan)');
    return 'selective';
  }
  return 'none';
}

export function mapModernRow(row: ModernRow): { design: Design; assumptions: string[] } {
  const { model: m, parallel: p, batch, hardware } = row;
  const assumptions: string[] = [];
  const moe = m.moe;
  const gated = m.activation.toLowerCase().includes('swiglu');
  const torchtitan = row.id.startsWith('torchtitan');
  const arch: ModelArch = {
    name: m.name, layers: m.layers, hidden: m.hidden, heads: m.heads, kvHeads: m.kv_heads, headDim: m.hidden / m.heads,
    ffnHidden: m.ffn_hidden, vocab: m.vocab,
    experts: moe?.experts_routed ?? 0, topK: moe?.top_k ?? 0, expertFfnHidden: moe?.expert_ffn_hidden ?? 0,
    sharedExperts: moe?.experts_shared ?? 0, denseLayers: 0, mtpLayers: 0,
    tiedEmbeddings: m.name.startsWith('GPT-3'), activation: gated ? 'swiglu' : 'gelu',
    attention: m.kv_heads < m.heads ? 'gqa' : 'mha',
  };
  const fp8 = row.precision.toUpperCase().startsWith('FP8');
  const zero = p.zero_stage.startsWith('FSDP') ? 3 : 1;
  if (zero === 1) assumptions.push('distributed optimizer (NeMo default)');
  const vpp = p.interleave_v ?? 1;
  const plan: ParallelPlan = {
    tp: p.tp, pp: p.pp, vpp, cp: p.cp, ep: p.ep, etp: p.etp ?? 1, dp: p.dp, zero, sequenceParallel: p.sp,
    seqLength: m.seq_len, microBatchSize: batch.micro_batch, globalBatchSize: batch.global_batch_seqs,
    microbatches: batch.global_batch_seqs / (batch.micro_batch * p.dp),
    schedule: vpp > 1 ? 'interleaved-1f1b' : '1f1b', recompute: recomputeOf(row.recompute, assumptions),
    precision: fp8 ? 'fp8' : 'bf16', nodeLimit: null,
    compile: torchtitan && (row.id.includes('compile') || row.id.includes('-t2-')),
    // Each framework's own defaults, as completion gives a file of that framework (config/complete.ts): NeMo's
    // performance recipes turn TP comm overlap on with TP > 1, overlap DP grad reduce and param gather, and
    // Transformer Engine's CP ring (p2p) overlaps with attention; torchtitan is its own framework (op-level SAC,
    // FSDP2 states, its ring attention overlapping), its FSDP prefetch priced by dpOverlap.ts's window rule.
    cpCommOverlap: true,
    ...(torchtitan ? { framework: 'torchtitan' as const } : { tpCommOverlap: p.tp > 1, overlapGradReduce: true, overlapParamGather: true }),
  };
  if (fp8) plan.fp8Recipe = recipeOf(row.precision, assumptions);
  // NeMo 2.2 (the 25.02 container) and later performance recipes set grad_reduce_in_fp32 = False
  // (pretrain_performance_optimizations, scripts/performance); NeMo 2.0/2.1 (24.09) kept Megatron's FP32.
  if (/^nemo-25\./.test(row.id)) {
    plan.gradReduceInFp32 = false;
    assumptions.push('gradients reduced in BF16 (NeMo ≥ 25.02 performance recipes)');
  }
  if (!torchtitan) assumptions.push('NeMo overlap defaults (TP comm overlap, DP overlap, CP ring)');
  const gpusPerNode = hardware.nvlink_domain ?? hardware.gpus_per_node;
  const design: Design = {
    model: arch,
    plan,
    cluster: { gpu: gpuOf(hardware.gpu), gpusPerNode, nodes: Math.ceil(hardware.num_gpus / gpusPerNode), worldSize: hardware.num_gpus },
  };
  return { design, assumptions };
}
