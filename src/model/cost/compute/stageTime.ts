// What one micro-batch costs on a pipeline stage (F, B, W, F&B in seconds), and what each is made of (the parts
// the step's waterfall adds up: COSTMODEL.md "Time terms").
//
// Forward = GEMMs and attention at (peak × achieved fraction × GEMM size factor) + memory-bound kernels at HBM
// bandwidth (memoryBound.ts) + a fixed cost per layer (a third of it; the backward launches about twice the
// kernels) + the TP, CP and EP communication left exposed (overlap.ts). Backward = 2 × the forward's GEMMs and
// attention, BACKWARD_BYTES_RATIO × its memory-bound bytes, plus recomputation (full: the whole forward compute;
// selective: each module's forward, recompute.ts), plus its exposed communication (recomputing the whole MoE block
// repeats its forward all-to-all). W = the GEMMs' weight-gradient half. Routed experts run as one grouped GEMM per
// rank (Megatron's GroupedMLP / TEGroupedMLP, torchtitan's grouped_mm), so the size factor sees the rank's whole
// routed work, and the slowest rank's share is `expertImbalance` × the mean (its GEMMs, its memory-bound expert
// work, its all-to-all). DualPipe's F&B pair runs both halves' compute on the SMs the all-to-all kernels leave
// free and hides the pair's EP all-to-all behind it (DeepSeek-V3 §3.2.1).
import type { Design } from '../../design';
import type { GpuSpec } from '../../catalog/gpus';
import { activationInputBytesOf, recomputedModules } from '../memory/activations';
import { resolveCalibration, type Calibration } from '../calibration';
import { DUALPIPE_COMM_SM_FRACTION, gemmSizeFactor, headGemmFraction, type EfficiencyParams } from './efficiency';
import { layerKindForwardFlops, lmHeadPassFlops, mtpProjectionForwardFlops, type LayerFlops } from './flops';
import { BACKWARD_BYTES_RATIO, layerMemoryBoundBytes, lossMemoryBoundBytes } from './memoryBound';
import { exposedAfterOverlap } from '../comm/overlap';
import { expertLoad } from './capacity';
import { activationSettingsOf, layerKindActivationBytes } from '../memory/memory';
import { exposedTransferSeconds, hostSideOf, offloadedActivationBytes, offloadsActivations } from '../memory/offload';
import { recomputedLayerWork } from './recompute';
import type { LayerSplit, StageLayout } from '../stages';
import type { ModelComm, PassComm } from '../comm/traffic';

/** The parts a stage's op time is made of, in the waterfall's order. */
export const TIME_PARTS = ['denseGemm', 'expertGemm', 'attention', 'memoryBound', 'fixed', 'tp', 'cp', 'ep', 'offload'] as const;
export type TimePart = (typeof TIME_PARTS)[number];
export const PART_COUNT = TIME_PARTS.length;
const [DENSE, EXPERT, ATTENTION, MEMORY, FIXED, TP, CP, EP, OFFLOAD] = [0, 1, 2, 3, 4, 5, 6, 7, 8] as const;
/** The compute parts are TIME_PARTS' first ones (DENSE … FIXED): sums over them, like those over every part, run over a range. */
const COMPUTE_PART_COUNT = FIXED + 1;

export interface StageCostBreakdown {
  /** Per stage, seconds for one micro-batch. */
  F: Float64Array;
  B: Float64Array;
  W: Float64Array;
  FB: Float64Array;
  /** Per stage × PART_COUNT (TIME_PARTS order): what F, B, W and F&B are made of; each row sums to the op's time. */
  partsF: Float64Array;
  partsB: Float64Array;
  partsW: Float64Array;
  partsFB: Float64Array;
  /** Communication inside F and inside B (already counted in them), for the exposed-communication total. */
  commF: Float64Array;
  commB: Float64Array;
  /** The EP all-to-all of a forward and of a backward (before any overlap), which a DualPipe pair hides. */
  epF: Float64Array;
  epB: Float64Array;
  /** Compute-only forward and backward, for the compute-to-communication ratio. */
  computeF: Float64Array;
  computeB: Float64Array;
  /** Communication left exposed inside an F&B pair (what the overlap could not hide). */
  commFB: Float64Array;
  /** Forward + backward GEMM and attention time of one MoE layer (or, in a dense model, one layer) for one micro-batch. */
  layerComputeSeconds: number;
}

export interface StageCostInput {
  design: Design;
  gpu: GpuSpec;
  efficiency: EfficiencyParams;
  comm: ModelComm;
  split: LayerSplit;
  /** Peak FLOP/s of the GEMMs' precision (after any override). */
  peakFlopsPerSecond: number;
  /** The calibration in force; resolved from the design when absent. */
  calibration?: Calibration;
}

/** Forward FLOPs of one micro-batch through a stage (summed over its TP/CP group), by the classes priced apart. */
export interface StageWork {
  /** Every dense GEMM, the LM head's (and MTP heads') included. */
  denseMatmulFlops: number;
  expertMatmulFlops: number;
  attentionFlops: number;
  /** The part of denseMatmulFlops that is output-head logits (BF16 even in FP8 training). */
  headMatmulFlops: number;
  /** Output heads on the stage (the LM head and each MTP module's), each followed by its loss. */
  heads: number;
}

function classify(flops: LayerFlops, times: number): StageWork {
  return {
    denseMatmulFlops: times * (flops.attentionProjections + flops.denseMlp + flops.moeShared + flops.router),
    expertMatmulFlops: times * flops.moeRouted,
    attentionFlops: times * flops.attentionCore,
    headMatmulFlops: 0,
    heads: 0,
  };
}

function add(a: StageWork, b: StageWork): StageWork {
  return {
    denseMatmulFlops: a.denseMatmulFlops + b.denseMatmulFlops,
    expertMatmulFlops: a.expertMatmulFlops + b.expertMatmulFlops,
    attentionFlops: a.attentionFlops + b.attentionFlops,
    headMatmulFlops: a.headMatmulFlops + b.headMatmulFlops,
    heads: a.heads + b.heads,
  };
}

/** The forward FLOPs of one micro-batch through each kind of piece a stage holds (flops.ts). */
interface PieceFlops {
  dense: LayerFlops;
  moe: LayerFlops;
  head: number;
  mtpProjection: number;
}

function pieceFlops(design: Design): PieceFlops {
  const { model, plan } = design;
  const shape = { microBatchSize: plan.microBatchSize, seqLength: plan.seqLength };
  const dense = layerKindForwardFlops(model, 'dense', shape);
  return {
    dense,
    moe: model.experts > 0 ? layerKindForwardFlops(model, 'moe', shape) : dense,
    head: lmHeadPassFlops(model, shape).forward,
    mtpProjection: mtpProjectionForwardFlops(model, shape),
  };
}

export function stageWork(design: Design, layout: StageLayout): StageWork {
  return stageWorkOf(pieceFlops(design), layout);
}

function stageWorkOf(pieces: PieceFlops, layout: StageLayout): StageWork {
  const { dense, moe, head } = pieces;
  let work = add(classify(dense, layout.layers - layout.moeLayers), classify(moe, layout.moeLayers));
  const headWork: StageWork = { denseMatmulFlops: head, expertMatmulFlops: 0, attentionFlops: 0, headMatmulFlops: head, heads: 1 };
  if (layout.head) work = add(work, headWork);
  if (layout.mtpLayers > 0) {
    // DeepSeek-V3 §2.2: each MTP module is a 2h→h projection, one layer (MoE in an MoE model) and the shared head.
    const module = add(add(classify(moe, 1), { ...headWork, denseMatmulFlops: pieces.mtpProjection, headMatmulFlops: 0, heads: 0 }), headWork);
    for (let i = 0; i < layout.mtpLayers; i++) work = add(work, module);
  }
  return work;
}

/** Per-GPU rates and per-layer terms every stage shares. */
interface Rates {
  matmul: number;
  /** The output head's GEMMs: BF16 under FP8 training, one large GEMM (its own size factor). */
  head: number;
  expert: number;
  attention: number;
  hbm: number;
}

/**
 * The first `count` parts of row `row` of `parts`. Index loops, here and in the other functions a search calls per
 * stage: an array's iterator is an object per loop until the code is optimised, and a search prices rows cold.
 */
function sumParts(parts: ArrayLike<number>, row: number, count: number = PART_COUNT): number {
  const start = row * PART_COUNT;
  let total = 0;
  for (let i = 0; i < count; i++) total += parts[start + i]!;
  return total;
}

/**
 * What every stage of a plan shares (rates, per-layer bytes and recomputation, the communication), worked out once;
 * a stage's row then depends only on what it holds, so the rows are kept by their contents (a search prices many
 * splits of one plan, and most of their stages hold the same).
 */
export interface StageCostContext {
  design: Design;
  comm: ModelComm;
  cal: Calibration;
  gpuShare: number;
  imbalance: number;
  rates: Rates;
  pieces: PieceFlops;
  lossBytes: { forward: number; backward: number };
  denseLayerBytes: number;
  moeLayerBytes: number;
  /** Per part (dense, expert, attention GEMMs in seconds, then HBM seconds): one layer's selective recompute. */
  denseRecompute: readonly [number, number, number, number];
  moeRecompute: readonly [number, number, number, number];
  recomputeAll: boolean;
  moeAllToAllAgain: boolean;
  dualPipe: boolean;
  offloadLayerBytes: ReturnType<typeof layerKindActivationBytes> | undefined;
  hostLinkBytesPerSecond: number;
  cpWindowShare: { forward: number; backward: number };
  layerComputeSeconds: number;
  rows: Map<string | number, StageRow>;
  splitRows: WeakMap<LayerSplit, StageRow[]>;
}

/**
 * One stage's F, B and W parts (TIME_PARTS order) and what the breakdown keeps beside them, at the offsets below.
 * One plain array: a search keeps tens of thousands of rows, and a small typed array costs an ArrayBuffer and a
 * backing store, an object's number fields a heap number each.
 */
export type StageRow = readonly number[];
const F_PARTS = 0;
const B_PARTS = PART_COUNT;
const W_PARTS = 2 * PART_COUNT;
const [EP_F, EP_B, COMPUTE_F, COMPUTE_B, COMM_F, COMM_B, F_TOTAL, B_TOTAL, W_TOTAL] = Array.from({ length: 9 }, (_, i) => 3 * PART_COUNT + i) as [number, number, number, number, number, number, number, number, number];
const ROW_LENGTH = 3 * PART_COUNT + 9;

export function stageCosts(input: StageCostInput): StageCostBreakdown {
  return stageCostsOf(stageCostContext(input), input.split);
}

export function stageCostContext(input: Omit<StageCostInput, 'split'>): StageCostContext {
  const { design, gpu, efficiency, comm, peakFlopsPerSecond } = input;
  const cal = input.calibration ?? resolveCalibration(design, gpu).values;
  const { plan, model } = design;
  // flops.ts counts a micro-batch over its whole TP/CP group; one GPU does 1/(tp·cp) of it (balanced EP too).
  const gpuShare = plan.tp * plan.cp;
  const tokens = (plan.microBatchSize * plan.seqLength) / gpuShare;
  const imbalance = busiestExpertLoad(design, cal);
  // Small GEMMs fill the GPU less: a dense h × h/t projection over the micro-batch's tokens sets the dense factor;
  // the rank's grouped expert GEMM (all its routed copies, h × f/etp) sets the expert factor, whatever the EP size.
  const denseGemmFlops = 2 * tokens * plan.tp * model.hidden * (model.hidden / plan.tp);
  const groupedExpertFlops = 2 * tokens * model.topK * imbalance * model.hidden * (model.expertFfnHidden / plan.etp);
  // The attention core, embedding-side norms and the LM head stay in BF16 under FP8 training (DeepSeek-V3 §3.3).
  const attentionPeak = design.cluster.peakTflops && plan.precision !== 'fp8' ? peakFlopsPerSecond : gpu.peakFlopsPerSecond.bf16;
  // The output head is not an FP8 GEMM in any framework we read: Megatron builds it as its own ColumnParallelLinear,
  // outside Transformer Engine's fp8_autocast modules; torchtitan's float8 / MX converters skip `output`; DeepSeek-V3
  // §3.3 keeps it in BF16. Under FP8 it runs at the BF16 peak and the GPU's BF16 plateau (efficiency.ts).
  const fp8 = plan.precision === 'fp8';
  const headPeak = fp8 ? gpu.peakFlopsPerSecond.bf16 : peakFlopsPerSecond;
  const headFraction = fp8 ? headGemmFraction(gpu) : cal.gemmFraction;
  const headGemmFlops = 2 * tokens * plan.tp * model.hidden * (model.vocab / plan.tp);
  const rates: Rates = {
    matmul: peakFlopsPerSecond * cal.gemmFraction * gemmSizeFactor(denseGemmFlops, peakFlopsPerSecond, efficiency),
    head: headPeak * headFraction * gemmSizeFactor(headGemmFlops, headPeak, efficiency),
    expert: peakFlopsPerSecond * cal.expertGemmFraction * gemmSizeFactor(groupedExpertFlops, peakFlopsPerSecond, efficiency),
    attention: attentionPeak * cal.attentionFraction,
    hbm: gpu.hbmBytesPerSecond * cal.hbmFraction,
  };
  const shape = { microBatchSize: plan.microBatchSize, seqLength: plan.seqLength };
  const denseBytes = layerMemoryBoundBytes(model, 'dense', shape, plan);
  const lossBytes = lossMemoryBoundBytes(model, shape, plan);
  const moeBytes = layerMemoryBoundBytes(model, 'moe', shape, plan);
  const layerBytes = (kind: 'dense' | 'moe') => (kind === 'dense' ? denseBytes.denseBytes : moeBytes.denseBytes + imbalance * moeBytes.expertBytes);
  const recomputeAll = plan.recompute === 'full';
  // Selective recompute: each module's forward again (recompute.ts), by part.
  const recomputeParts = (kind: 'dense' | 'moe'): [number, number, number, number] => {
    if (recomputeAll || (kind === 'moe' && model.experts === 0)) return [0, 0, 0, 0];
    // Each framework's selective recompute redoes different work (recompute.ts: Megatron's modules, torchtitan's ops).
    const work = recomputedLayerWork(model, kind, shape, { ...plan, activationInputBytes: activationInputBytesOf(plan) });
    const redone = classify(work.flops, 1);
    const hbmBytes = work.hbmBytes;
    return [
      redone.denseMatmulFlops / rates.matmul / gpuShare, (imbalance * redone.expertMatmulFlops) / rates.expert / gpuShare,
      redone.attentionFlops / rates.attention / gpuShare, hbmBytes / rates.hbm,
    ];
  };
  const denseRecompute = recomputeParts('dense');
  const moeRecompute = recomputeParts('moe');
  // Recomputing the whole MoE block runs its dispatch and combine again (the checkpoint wraps the token dispatcher).
  const moeAllToAllAgain = recomputedModules(plan).has('moe');
  const dualPipe = plan.schedule === 'dualpipe' || plan.schedule === 'dualpipev';
  // Activation offload copies each offloaded layer's activations to the host and back (offload.ts).
  const offloadLayerBytes = offloadsActivations(plan) ? layerKindActivationBytes(model, plan, activationSettingsOf(model, plan)) : undefined;
  const hostLinkBytesPerSecond = hostSideOf(gpu, design.cluster).linkBytesPerSecond;
  // What attention the CP exchange can hide behind: TE's p2p ring sends the next block during each step; PyTorch's
  // default all-gather rotater (torchtitan) is waited for after the first of c steps, so its forward gather hides
  // behind 1/c of the attention; in the backward the dK/dV sends overlap every step (traffic.ts).
  const cpWindowShare = { forward: plan.framework === 'torchtitan' ? 1 / Math.max(1, plan.cp) : 1, backward: 1 };

  const pieces = pieceFlops(design);
  const oneLayer: StageLayout = { stage: 0, firstLayer: 0, layers: 1, moeLayers: model.experts > 0 ? 1 : 0, embedding: false, head: false, mtpLayers: 0 };
  const layerWork = stageWorkOf(pieces, oneLayer);
  const layerForward = (layerWork.denseMatmulFlops / rates.matmul + (imbalance * layerWork.expertMatmulFlops) / rates.expert + layerWork.attentionFlops / rates.attention) / gpuShare;
  // GEMM and attention work only, as DeepSeek-V3 §3.2.1 compares a chunk's computation with its all-to-all.
  const recomputeOne = model.experts > 0 ? moeRecompute : denseRecompute;
  const layerRecompute = recomputeAll ? layerForward : recomputeOne[0] + recomputeOne[1] + recomputeOne[2];
  return {
    design, comm, cal, gpuShare, imbalance, rates, pieces, lossBytes, denseLayerBytes: layerBytes('dense'), moeLayerBytes: layerBytes('moe'),
    denseRecompute, moeRecompute, recomputeAll, moeAllToAllAgain, dualPipe, offloadLayerBytes, hostLinkBytesPerSecond, cpWindowShare,
    layerComputeSeconds: 3 * layerForward + layerRecompute, rows: new Map(), splitRows: new WeakMap(),
  };
}

/** What a stage's row reads of its layout: its counts, and where its layers start only when activations are offloaded. */
function rowKey(context: StageCostContext, layout: StageLayout): string | number {
  const { layers, moeLayers, mtpLayers } = layout;
  const flags = (layout.embedding ? 1 : 0) + (layout.head ? 2 : 0);
  if (context.offloadLayerBytes || layers >= 4096 || moeLayers >= 4096 || mtpLayers >= 64) {
    return `${layers}/${moeLayers}/${mtpLayers}/${flags}/${context.offloadLayerBytes ? layout.firstLayer : ''}`;
  }
  return ((flags * 64 + mtpLayers) * 4096 + moeLayers) * 4096 + layers;
}

/** The MoE layers a stage's all-to-all runs for: its MoE layers, and its MTP modules in an MoE model. */
function allToAllLayers(design: Design, layout: StageLayout): number {
  return layout.moeLayers + (design.model.experts > 0 ? layout.mtpLayers : 0);
}

/** The EP all-to-all of a forward and of a backward through `moeLayers` MoE layers; recomputing the MoE block repeats the forward's. */
function allToAllSeconds(ep: PassComm, imbalance: number, moeLayers: number, moeAllToAllAgain: boolean): { epF: number; epB: number } {
  return { epF: imbalance * moeLayers * ep.forward.seconds, epB: imbalance * moeLayers * (ep.backward.seconds + (moeAllToAllAgain ? ep.forward.seconds : 0)) };
}

/** The busiest EP rank's routed load: the imbalance, capped (or padded) by the expert capacity (capacity.ts); 1 without experts. */
function busiestExpertLoad(design: Design, cal: Calibration): number {
  return design.model.experts > 0 ? expertLoad(design.plan, Math.max(1, cal.expertImbalance)).busiest : 1;
}

/** Each stage's EP all-to-all under `design`'s plan (allToAllSeconds), from one MoE layer's (`expertAllToAll`). */
function stageAllToAll(design: Design, cal: Calibration, expertAllToAll: PassComm): (layout: StageLayout) => { epF: number; epB: number } {
  const imbalance = busiestExpertLoad(design, cal);
  const again = recomputedModules(design.plan).has('moe');
  return (layout) => allToAllSeconds(expertAllToAll, imbalance, allToAllLayers(design, layout), again);
}

/** What a pass leaves exposed of its all-to-all: the overlap hides a share behind its compute; DualPipe's lone ops hide none (its pairs do). */
function exposedAllToAll(seconds: number, computeSeconds: number, design: Design, cal: Calibration, dualPipe: boolean): number {
  return design.plan.epCommOverlap && !dualPipe ? exposedAfterOverlap(seconds, computeSeconds, cal.epOverlap) : seconds;
}

function stageRow(context: StageCostContext, layout: StageLayout): StageRow {
  const { design, comm, cal, gpuShare, imbalance, rates, lossBytes, denseRecompute, moeRecompute, recomputeAll, offloadLayerBytes } = context;
  const { plan, model } = design;
  const work = stageWorkOf(context.pieces, layout);
  const denseLayers = layout.layers - layout.moeLayers + (model.experts > 0 ? 0 : layout.mtpLayers);
  const moeLayers = allToAllLayers(design, layout);
  const row: number[] = new Array<number>(ROW_LENGTH).fill(0);
  row[F_PARTS + DENSE] = ((work.denseMatmulFlops - work.headMatmulFlops) / rates.matmul + work.headMatmulFlops / rates.head) / gpuShare;
  row[F_PARTS + EXPERT] = (imbalance * work.expertMatmulFlops) / rates.expert / gpuShare;
  row[F_PARTS + ATTENTION] = work.attentionFlops / rates.attention / gpuShare;
  const layersMemory = (denseLayers * context.denseLayerBytes + moeLayers * context.moeLayerBytes) / rates.hbm;
  row[F_PARTS + MEMORY] = layersMemory + (work.heads * lossBytes.forward) / rates.hbm;
  const fixed = (denseLayers + moeLayers) * cal.layerFixedSeconds + moeLayers * cal.moeLayerFixedSeconds;
  row[F_PARTS + FIXED] = fixed / 3;
  for (let part = DENSE; part <= ATTENTION; part++) {
    // Full recompute checkpoints the layers only: the output head is never recomputed.
    const headForward = part === DENSE ? work.headMatmulFlops / rates.head / gpuShare : 0;
    const redone = recomputeAll ? row[F_PARTS + part]! - headForward : denseLayers * denseRecompute[part]! + moeLayers * moeRecompute[part]!;
    row[B_PARTS + part] = 2 * row[F_PARTS + part]! + redone;
  }
  row[B_PARTS + MEMORY] = BACKWARD_BYTES_RATIO * layersMemory + (work.heads * lossBytes.backward) / rates.hbm
    + (recomputeAll ? layersMemory : denseLayers * denseRecompute[3] + moeLayers * moeRecompute[3]);
  row[B_PARTS + FIXED] = (2 * fixed) / 3;
  row[W_PARTS + DENSE] = row[F_PARTS + DENSE]!;
  row[W_PARTS + EXPERT] = row[F_PARTS + EXPERT]!;

  const commOf = (pass: 'forward' | 'backward', dim: 'tp' | 'cp') => denseLayers * comm.dense[dim][pass].seconds + moeLayers * comm.moe[dim][pass].seconds;
  const { epF, epB } = allToAllSeconds(comm.moe.ep, imbalance, moeLayers, context.moeAllToAllAgain);
  const expose = (parts: number, pass: 'forward' | 'backward', ep: number) => {
    const gemms = row[parts + DENSE]! + row[parts + EXPERT]!;
    const computeSeconds = sumParts(row, parts / PART_COUNT, COMPUTE_PART_COUNT);
    row[parts + TP] = plan.tpCommOverlap ? exposedAfterOverlap(commOf(pass, 'tp'), gemms, cal.tpOverlap) : commOf(pass, 'tp');
    row[parts + CP] = plan.cpCommOverlap ? exposedAfterOverlap(commOf(pass, 'cp'), row[parts + ATTENTION]! * context.cpWindowShare[pass], cal.cpOverlap) : commOf(pass, 'cp');
    row[parts + EP] = exposedAllToAll(ep, computeSeconds, design, cal, context.dualPipe);
  };
  expose(F_PARTS, 'forward', epF);
  expose(B_PARTS, 'backward', epB);
  if (offloadLayerBytes) {
    const bytes = offloadedActivationBytes(model, plan, layout, offloadLayerBytes);
    row[F_PARTS + OFFLOAD] = exposedTransferSeconds(bytes, context.hostLinkBytesPerSecond, sumParts(row, 0, COMPUTE_PART_COUNT), layout.layers);
    row[B_PARTS + OFFLOAD] = exposedTransferSeconds(bytes, context.hostLinkBytesPerSecond, sumParts(row, 1, COMPUTE_PART_COUNT), layout.layers);
  }
  row[EP_F] = epF;
  row[EP_B] = epB;
  row[COMPUTE_F] = sumParts(row, 0, COMPUTE_PART_COUNT);
  row[COMPUTE_B] = sumParts(row, 1, COMPUTE_PART_COUNT);
  row[COMM_F] = row[F_PARTS + TP]! + row[F_PARTS + CP]! + row[F_PARTS + EP]!;
  row[COMM_B] = row[B_PARTS + TP]! + row[B_PARTS + CP]! + row[B_PARTS + EP]!;
  row[F_TOTAL] = sumParts(row, 0);
  row[B_TOTAL] = sumParts(row, 1);
  row[W_TOTAL] = sumParts(row, 2);
  return row;
}

/** The rows of a split's stages, in order; a split seen before (a search keeps one per stage contents) is looked up once. */
function rowsOf(context: StageCostContext, split: LayerSplit): StageRow[] {
  let rows = context.splitRows.get(split);
  if (rows) return rows;
  rows = split.stages.map((layout) => {
    const key = rowKey(context, layout);
    let row = context.rows.get(key);
    if (!row) context.rows.set(key, (row = stageRow(context, layout)));
    return row;
  });
  context.splitRows.set(split, rows);
  return rows;
}

/** How much slower a pair's compute runs on the SMs its all-to-all kernels leave free. */
export const PAIR_SLOWDOWN = 1 / (1 - DUALPIPE_COMM_SM_FRACTION);

/**
 * The parts of an F&B pair of a stage's forward (`forward`) and its mirror's backward (`backward`) into `parts` at
 * `offset`; returns the pair's time. DualPipe's rank r holds stage r of one direction and stage p−1−r of the other
 * (V placement likewise), so a pair on one rank couples stage s with stage S−1−s.
 */
function pairInto(forward: StageRow, backward: StageRow, parts: Float64Array | number[], offset: number): number {
  for (let part = 0; part < COMPUTE_PART_COUNT; part++) parts[offset + part] = (forward[F_PARTS + part]! + backward[B_PARTS + part]!) * PAIR_SLOWDOWN;
  let pairedCompute = 0;
  for (let part = 0; part < COMPUTE_PART_COUNT; part++) pairedCompute += parts[offset + part]!;
  const hiddenComm = forward[EP_F]! + backward[EP_B]!;
  parts[offset + TP] = forward[F_PARTS + TP]! + backward[B_PARTS + TP]!;
  parts[offset + CP] = forward[F_PARTS + CP]! + backward[B_PARTS + CP]!;
  parts[offset + EP] = Math.max(0, hiddenComm - pairedCompute);
  parts[offset + OFFLOAD] = forward[F_PARTS + OFFLOAD]! + backward[B_PARTS + OFFLOAD]!;
  let total = 0;
  for (let part = 0; part < PART_COUNT; part++) total += parts[offset + part]!;
  return total;
}

/** F, B, W and F&B per stage: what a search's bounds read of the stage costs (a breakdown is one too). */
export interface StageTimes {
  F: ArrayLike<number>;
  B: ArrayLike<number>;
  W: ArrayLike<number>;
  FB: ArrayLike<number>;
}

const pairScratch: number[] = new Array<number>(PART_COUNT).fill(0);

/** stageCostsOf's F, B, W and F&B alone. */
export function stageTimesOf(context: StageCostContext, split: LayerSplit): StageTimes {
  return timesOfRows(rowsOf(context, split));
}

/**
 * stageTimesOf a plan with its EP all-to-all, from the rows of the same plan priced without one (`withoutAllToAll`:
 * a context whose plan differs only in having EP 1, with the same pairing) and one MoE layer's all-to-all under the
 * plan (`expertAllToAll`, ModelComm's moe.ep). A row's other parts do not read EP (wholeStageWithAllToAll), so each
 * stage adds what its own row would expose: F and B their all-to-all after any overlap, an F&B pair what its
 * compute does not cover. A search's schedule bounds share one EP-1 context between every EP degree.
 */
export function stageTimesWithAllToAll(
  withoutAllToAll: StageCostContext, split: LayerSplit, design: Design, expertAllToAll: PassComm, cal: Calibration,
): StageTimes {
  const allToAllOf = stageAllToAll(design, cal, expertAllToAll);
  const { dualPipe } = withoutAllToAll;
  const epF: number[] = [];
  const epB: number[] = [];
  for (let s = 0; s < split.stages.length; s++) {
    const seconds = allToAllOf(split.stages[s]!);
    epF.push(seconds.epF);
    epB.push(seconds.epB);
  }
  const expose = (seconds: number, computeSeconds: number) => exposedAllToAll(seconds, computeSeconds, design, cal, dualPipe);
  return timesOfRows(rowsOf(withoutAllToAll, split), { epF, epB, expose });
}

/** F, B, W and F&B of a split's rows; with `allToAll`, each stage's all-to-all added as its own row would expose it. */
function timesOfRows(
  rows: readonly StageRow[], allToAll?: { epF: readonly number[]; epB: readonly number[]; expose: (seconds: number, computeSeconds: number) => number },
): StageTimes {
  const n = rows.length;
  const F: number[] = [];
  const B: number[] = [];
  const W: number[] = [];
  const FB: number[] = [];
  for (let s = 0; s < n; s++) {
    const row = rows[s]!;
    const pairSeconds = pairInto(row, rows[n - 1 - s]!, pairScratch, 0);
    W.push(row[W_TOTAL]!);
    if (!allToAll) {
      F.push(row[F_TOTAL]!);
      B.push(row[B_TOTAL]!);
      FB.push(pairSeconds);
      continue;
    }
    F.push(row[F_TOTAL]! + allToAll.expose(allToAll.epF[s]!, row[COMPUTE_F]!));
    B.push(row[B_TOTAL]! + allToAll.expose(allToAll.epB[s]!, row[COMPUTE_B]!));
    // The pair's compute, as pairInto left it in the scratch row.
    const pairedCompute = sumParts(pairScratch, 0, COMPUTE_PART_COUNT);
    FB.push(pairSeconds + Math.max(0, allToAll.epF[s]! + allToAll.epB[n - 1 - s]! - pairedCompute));
  }
  return { F, B, W, FB };
}

/** F, B, their EP all-to-all and their compute alone, for one micro-batch through one stage. */
export interface StageWorkSeconds {
  F: number;
  B: number;
  epF: number;
  epB: number;
  computeF: number;
  computeB: number;
}

/** The times of a split of one stage holding every layer: a step's work per micro-batch (search/bound.ts). */
export function wholeStageSeconds(context: StageCostContext, split: LayerSplit): StageWorkSeconds {
  if (split.stages.length !== 1) throw new Error(`wholeStageSeconds: a split of ${split.stages.length} stages, not 1`);
  const row = rowsOf(context, split)[0]!;
  return { F: row[F_TOTAL]!, B: row[B_TOTAL]!, epF: row[EP_F]!, epB: row[EP_B]!, computeF: row[COMPUTE_F]!, computeB: row[COMPUTE_B]! };
}

/**
 * wholeStageSeconds of a plan with its EP all-to-all, from the same stage priced without one (at EP 1: the rest of
 * its row is the same, test/model/search/bounds.test.ts checks it) and one MoE layer's all-to-all under the plan
 * (`expertAllToAll`: ModelComm's moe.ep, the only communication it reads), priced as a stage that does not pair F
 * with B. No context of its own: a search prices thousands of these for its work bounds, most of them never again.
 */
export function wholeStageWithAllToAll(withoutAllToAll: StageWorkSeconds, design: Design, expertAllToAll: PassComm, cal: Calibration, split: LayerSplit): StageWorkSeconds {
  if (split.stages.length !== 1) throw new Error(`wholeStageWithAllToAll: a split of ${split.stages.length} stages, not 1`);
  const { epF, epB } = stageAllToAll(design, cal, expertAllToAll)(split.stages[0]!);
  const { computeF, computeB } = withoutAllToAll;
  return {
    F: withoutAllToAll.F + exposedAllToAll(epF, computeF, design, cal, false),
    B: withoutAllToAll.B + exposedAllToAll(epB, computeB, design, cal, false),
    epF, epB, computeF, computeB,
  };
}

/** The stage costs of one split of the context's plan; stages that hold the same share one row. */
export function stageCostsOf(context: StageCostContext, split: LayerSplit): StageCostBreakdown {
  const rows = rowsOf(context, split);
  const n = rows.length;
  const parts = () => new Float64Array(n * PART_COUNT);
  const out: StageCostBreakdown = {
    F: new Float64Array(n), B: new Float64Array(n), W: new Float64Array(n), FB: new Float64Array(n),
    partsF: parts(), partsB: parts(), partsW: parts(), partsFB: parts(),
    commF: new Float64Array(n), commB: new Float64Array(n), epF: new Float64Array(n), epB: new Float64Array(n),
    computeF: new Float64Array(n), computeB: new Float64Array(n), commFB: new Float64Array(n), layerComputeSeconds: context.layerComputeSeconds,
  };
  for (let s = 0; s < n; s++) {
    const row = rows[s]!;
    const f = s * PART_COUNT;
    for (let part = 0; part < PART_COUNT; part++) {
      out.partsF[f + part] = row[F_PARTS + part]!;
      out.partsB[f + part] = row[B_PARTS + part]!;
      out.partsW[f + part] = row[W_PARTS + part]!;
    }
    out.epF[s] = row[EP_F]!;
    out.epB[s] = row[EP_B]!;
    out.computeF[s] = row[COMPUTE_F]!;
    out.computeB[s] = row[COMPUTE_B]!;
    out.commF[s] = row[COMM_F]!;
    out.commB[s] = row[COMM_B]!;
    out.F[s] = row[F_TOTAL]!;
    out.B[s] = row[B_TOTAL]!;
    out.W[s] = row[W_TOTAL]!;
    out.FB[s] = pairInto(row, rows[n - 1 - s]!, out.partsFB, f);
    out.commFB[s] = out.partsFB[f + TP]! + out.partsFB[f + CP]! + out.partsFB[f + EP]!;
  }
  return out;
}
