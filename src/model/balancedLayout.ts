// The most balanced pipeline layout for p ranks × v chunks: the model's pieces in order (embedding, decoder layers,
// MTP modules, output head with loss) cut into p·v contiguous stages so that the slowest stage is as fast as it
// can be. Each piece weighs its forward FLOPs for one micro-batch (stageTime.ts stageWork): MoE and dense layers
// differ, the LM head often outweighs a layer, the embedding lookup weighs nothing. The bottleneck is found by
// bisection on a greedy packing (the classic linear-partition argument: packing left to right within a bound uses
// the fewest stages), then stages are split further until there are p·v of them, which never raises the maximum.
import type { Design } from './design';
import type { StageLayout } from './cost/stages';
import { stageWork } from './cost/compute/stageTime';
import { isMoeLayer } from './cost/memory/params';
import { formatLayout, layoutRuleBroken, type StageHolding } from './pipelineLayout';

/** A piece's forward cost, in any unit shared by all pieces. */
export interface LayoutWeights {
  embedding: number;
  /** One entry per decoder layer, in order. */
  layers: readonly number[];
  /** All MTP modules together (they must share a stage); 0 items when the model has none. */
  mtpLayers: number;
  mtp: number;
  loss: number;
}

interface Piece {
  kind: 'E' | 't' | 'm' | 'L' | 'mL';
  weight: number;
}

const BISECTION_STEPS = 60;

/** The most balanced layout for `ranks × chunks` stages, in model order. */
export function mostBalancedLayout(weights: LayoutWeights, ranks: number, chunks: number): StageHolding[] {
  const stageCount = ranks * chunks;
  const shape = { layers: weights.layers.length, mtpLayers: weights.mtpLayers, ranks, stageCount };
  const apart = pack(pieces(weights, false), stageCount, weights.mtpLayers);
  // MTP must sit in the last chunk of its rank; if balancing put it earlier, it shares the head's stage instead.
  if (!layoutRuleBroken(apart, shape)) return apart;
  return pack(pieces(weights, true), stageCount, weights.mtpLayers);
}

/** The most balanced layout of a design for `pp × vpp`, in Megatron's letters (`Et*3|(tt|)*29m|L`). */
export function balancedLayoutString(design: Design, pp: number, vpp: number): string {
  return formatLayout(mostBalancedLayout(layoutWeights(design), pp, vpp));
}

/** Forward FLOPs of each piece of the design's model. */
export function layoutWeights(design: Design): LayoutWeights {
  const { model } = design;
  const flopsOf = (layout: Partial<StageLayout>): number => {
    const work = stageWork(design, { stage: 0, firstLayer: 0, layers: 0, moeLayers: 0, embedding: false, head: false, mtpLayers: 0, ...layout });
    return work.denseMatmulFlops + work.expertMatmulFlops + work.attentionFlops;
  };
  const dense = flopsOf({ layers: 1 });
  const moe = model.experts > 0 ? flopsOf({ layers: 1, moeLayers: 1 }) : dense;
  return {
    embedding: 0,
    layers: Array.from({ length: model.layers }, (_, i) => (isMoeLayer(model, i) ? moe : dense)),
    mtpLayers: model.mtpLayers,
    mtp: model.mtpLayers > 0 ? flopsOf({ mtpLayers: model.mtpLayers }) : 0,
    loss: flopsOf({ head: true }),
  };
}

function pieces(weights: LayoutWeights, mtpWithLoss: boolean): Piece[] {
  const out: Piece[] = [{ kind: 'E', weight: weights.embedding }];
  for (const weight of weights.layers) out.push({ kind: 't', weight });
  if (weights.mtpLayers > 0 && !mtpWithLoss) out.push({ kind: 'm', weight: weights.mtp });
  out.push(weights.mtpLayers > 0 && mtpWithLoss ? { kind: 'mL', weight: weights.mtp + weights.loss } : { kind: 'L', weight: weights.loss });
  return out;
}

/** Cuts the pieces into exactly `stageCount` contiguous stages with the smallest possible heaviest stage. */
function pack(items: Piece[], stageCount: number, mtpLayers: number): StageHolding[] {
  let low = Math.max(...items.map((p) => p.weight));
  let high = items.reduce((sum, p) => sum + p.weight, 0);
  if (greedy(items, low).length > stageCount) {
    for (let step = 0; step < BISECTION_STEPS && high - low > high * 1e-12; step++) {
      const mid = (low + high) / 2;
      if (greedy(items, mid).length <= stageCount) high = mid;
      else low = mid;
    }
  } else high = low;
  const groups = greedy(items, high);
  // Fewer groups than stages: split the heaviest group that has two pieces at its most even cut.
  while (groups.length < stageCount) {
    let heaviest = -1;
    for (let g = 0; g < groups.length; g++) {
      if (groups[g]!.length > 1 && (heaviest < 0 || sum(groups[g]!) > sum(groups[heaviest]!))) heaviest = g;
    }
    if (heaviest < 0) {
      // Every stage holds one piece: the rest stay empty, just before the last stage (which holds the loss).
      groups.splice(groups.length - 1, 0, []);
      continue;
    }
    const group = groups[heaviest]!;
    let cut = 1;
    let best = Infinity;
    for (let c = 1; c < group.length; c++) {
      const worst = Math.max(sum(group.slice(0, c)), sum(group.slice(c)));
      if (worst < best) [best, cut] = [worst, c];
    }
    groups.splice(heaviest, 1, group.slice(0, cut), group.slice(cut));
  }
  return groups.map((group) => ({
    embedding: group.some((p) => p.kind === 'E'),
    decoderLayers: group.filter((p) => p.kind === 't').length,
    mtpLayers: group.some((p) => p.kind === 'm' || p.kind === 'mL') ? mtpLayers : 0,
    loss: group.some((p) => p.kind === 'L' || p.kind === 'mL'),
  }));
}

function sum(group: readonly Piece[]): number {
  return group.reduce((total, p) => total + p.weight, 0);
}

/** Left to right, a new stage whenever the next piece would push the current one past `bound`. */
function greedy(items: readonly Piece[], bound: number): Piece[][] {
  const groups: Piece[][] = [[]];
  let load = 0;
  for (const item of items) {
    const current = groups[groups.length - 1]!;
    if (current.length > 0 && load + item.weight > bound * (1 + 1e-12)) {
      groups.push([item]);
      load = item.weight;
    } else {
      current.push(item);
      load += item.weight;
    }
  }
  return groups;
}
