// The pipeline layouts a search tries for one PP × stage count: the ones a Megatron-LM user writes, not every
// composition of layers into stages (that grows as C(L−1, S−1)). For S stages on p ranks (pipelineLayout.ts reads
// each as Megatron does):
//
// - the even split: no option when the layers divide; when they do not, cost/stages.ts shortens the first and last
//   stages, and the row states that split as a layout string (Megatron refuses layers that do not divide PP unless
//   an option says how, so a row without one could not be applied);
// - the embedding and/or the loss counted as a layer (`--account-for-embedding/loss-in-pipeline-split`), when the
//   L + 1 or L + 2 slots split evenly over the stages;
// - the first and/or the last rank with fewer decoder layers (`--decoder-first/last-pipeline-num-layers`), the
//   middle ranks sharing the rest evenly. Each end gives up at most what it carries beyond its layers, in decoder
//   layers' worth, at least 1: the last rank the output head's and the MTP modules' forward FLOPs (balancedLayout.ts
//   layoutWeights), the first rank the embedding's parameters (its lookup costs next to nothing; its weights,
//   gradients and optimizer state are what make the first rank heavy). Reductions come in steps of the chunks per
//   rank (each chunk of a rank holds the same count).
//
// Layouts that give the same stages are tried once (the first in the order above: even, accounting, first/last).
// Every layout is stated as plan fields, so an estimate of the plan gives the same split the search priced.
import type { Design, ParallelPlan, ScheduleId } from '../design';
import { layoutWeights } from '../balancedLayout';
import { parameterCounts } from '../cost/memory/params';
import { splitLayers } from '../cost/stages';
import { formatLayout, type StageHolding } from '../pipelineLayout';

/** The plan fields that state a layout; none for the even split. */
export type LayoutFields = Pick<ParallelPlan, 'layout' | 'firstStageLayers' | 'lastStageLayers' | 'accountForEmbedding' | 'accountForLoss'>;

export interface LayoutOption {
  fields: LayoutFields;
  /** The stages in Megatron's layout letters (`Et*3|(t*4|)*14t*2mL`): what the layout holds, whichever way it is stated. */
  layoutString: string;
  /** Decoder layers per model stage. */
  stageLayers: number[];
  /** Whether it is the even split (with shortened first and last stages when the layers do not divide). */
  even: boolean;
}

/** Most layers each end of the pipeline gives up (see the head of this file), at least 1 each. */
export interface EndLimits {
  /** The first rank: the embedding's parameters in decoder layers' worth. */
  first: number;
  /** The last rank: the output head's and the MTP modules' forward FLOPs in decoder layers' worth. */
  last: number;
}

export function endReductionLimits(design: Design): EndLimits {
  const { model } = design;
  const counts = parameterCounts(model);
  const layerParams = counts.nonEmbedding / Math.max(1, model.layers);
  const weights = layoutWeights(design);
  const meanLayer = weights.layers.reduce((sum, w) => sum + w, 0) / Math.max(1, weights.layers.length);
  const layersWorth = (part: number, layer: number) => (layer > 0 ? Math.max(1, Math.ceil(part / layer - 1e-9)) : 1);
  return { first: layersWorth(counts.embedding, layerParams), last: layersWorth(weights.loss + weights.mtp, meanLayer) };
}

/**
 * The layouts to try for `pp` ranks running a schedule with `stages` model stages, in a fixed order, without
 * duplicates. `evenAllowed`: whether the plain split is one (interleaving needs it to divide; the others fall back
 * to shortened ends). `limits`: endReductionLimits(design).
 */
export function layoutOptions(design: Design, pp: number, schedule: ScheduleId, stages: number, evenAllowed: boolean, limits: EndLimits): LayoutOption[] {
  const layers = design.model.layers;
  const out: LayoutOption[] = [];
  const seen = new Set<string>();
  const add = (fields: LayoutFields, even: boolean) => {
    const split = splitLayers({ ...design, plan: { ...design.plan, ...withoutLayout, pp, vpp: stages / pp, schedule, ...fields } }, stages);
    const holdings: StageHolding[] = split.stages.map((s) => ({ embedding: s.embedding, decoderLayers: s.layers, mtpLayers: s.mtpLayers, loss: s.head }));
    const layoutString = formatLayout(holdings);
    if (seen.has(layoutString)) return;
    seen.add(layoutString);
    const stated = even && layers % stages !== 0 ? { layout: layoutString } : fields;
    out.push({ fields: stated, layoutString, stageLayers: holdings.map((h) => h.decoderLayers), even });
  };
  if (pp <= 1) {
    add({}, true);
    return out;
  }
  if (evenAllowed && stages <= layers) add({}, true);
  // torchtitan's weighted split (the file's embedding and output weights) is its own way to balance the ends, and
  // Megatron's options do not combine with it (pipelineLayout.ts).
  if (design.plan.embeddingWeight !== undefined || design.plan.lossWeight !== undefined) return out;
  // Accounting: L + k slots, one stage slot each for the embedding and/or the loss.
  for (const fields of [{ accountForEmbedding: true }, { accountForLoss: true }, { accountForEmbedding: true, accountForLoss: true }] as LayoutFields[]) {
    const slots = layers + (fields.accountForEmbedding ? 1 : 0) + (fields.accountForLoss ? 1 : 0);
    if (slots % stages === 0 && slots / stages >= 1) add(fields, false);
  }
  // First/last ranks shorter by a and b layers (multiples of the chunks per rank); middle ranks m = (L + a + b)/p.
  // Not for the V placements: Megatron's options count a rank's chunks in its interleaved order, while a V rank
  // holds stages r and 2p−1−r, so its first rank holds both ends and the options would not say what it holds.
  const chunks = stages / pp;
  const vShape = schedule === 'zbv' || schedule === 'dualpipev';
  if (Number.isInteger(chunks) && !vShape) {
    const roundUp = (layers: number) => Math.ceil(layers / chunks) * chunks;
    for (let a = 0; a <= roundUp(limits.first); a += chunks) {
      for (let b = 0; b <= roundUp(limits.last); b += chunks) {
        if (a === 0 && b === 0) continue;
        if ((layers + a + b) % pp !== 0) continue;
        const middle = (layers + a + b) / pp;
        if (middle % chunks !== 0 || middle - a < chunks || middle - b < chunks) continue;
        const fields: LayoutFields = {};
        if (a > 0) fields.firstStageLayers = middle - a;
        if (b > 0) fields.lastStageLayers = middle - b;
        add(fields, false);
      }
    }
  }
  return out;
}

/** A plan with none of Megatron's layout options set: the file's belong to its own PP × VPP (search/space.ts drops them too). */
const withoutLayout: Pick<ParallelPlan, 'layout' | 'firstStageLayers' | 'lastStageLayers' | 'accountForEmbedding' | 'accountForLoss'> = {
  layout: undefined, firstStageLayers: undefined, lastStageLayers: undefined, accountForEmbedding: undefined, accountForLoss: undefined,
};

/** How a search result states its pipeline layout (docs/CONTRACT.md, `plens search --json`). */
export interface PipelineLayoutSummary {
  /**
   * `even`, `first-last` (firstStageLayers / lastStageLayers), `account` (accountForEmbedding / accountForLoss) or
   * `layout` (the plan states the split as a layout string: the even split of layers that do not divide).
   */
  source: 'even' | 'first-last' | 'account' | 'layout';
  /** What each stage holds, in Megatron's layout letters (`--pipeline-model-parallel-layout`). */
  layout: string;
  /** Decoder layers per model stage, in model order. */
  stageLayers: number[];
  firstStageLayers?: number;
  lastStageLayers?: number;
  accountForEmbedding?: boolean;
  accountForLoss?: boolean;
}

/** The layout of a search result: the plan's own fields and the stages its estimate priced. */
export function pipelineLayoutSummary(plan: ParallelPlan, estimate: { stages: readonly { layers: number; embedding: boolean; loss: boolean; mtpLayers: number }[] }): PipelineLayoutSummary {
  const holdings: StageHolding[] = estimate.stages.map((s) => ({ embedding: s.embedding, decoderLayers: s.layers, mtpLayers: s.mtpLayers, loss: s.loss }));
  const summary: PipelineLayoutSummary = {
    source: plan.layout !== undefined ? 'layout' : plan.firstStageLayers !== undefined || plan.lastStageLayers !== undefined ? 'first-last' : plan.accountForEmbedding || plan.accountForLoss ? 'account' : 'even',
    layout: formatLayout(holdings),
    stageLayers: holdings.map((h) => h.decoderLayers),
  };
  if (plan.firstStageLayers !== undefined) summary.firstStageLayers = plan.firstStageLayers;
  if (plan.lastStageLayers !== undefined) summary.lastStageLayers = plan.lastStageLayers;
  if (plan.accountForEmbedding) summary.accountForEmbedding = true;
  if (plan.accountForLoss) summary.accountForLoss = true;
  return summary;
}

/**
 * A short label for tables: `even`, `first 3, last 2`, `+E +L` (embedding and loss counted as layers), or the layout
 * string a plan states.
 */
export function pipelineLayoutLabel(plan: Pick<ParallelPlan, LayoutFieldName>): string {
  if (plan.layout !== undefined) return [plan.layout].flat().join('|');
  const parts: string[] = [];
  if (plan.firstStageLayers !== undefined) parts.push(`first ${plan.firstStageLayers}`);
  if (plan.lastStageLayers !== undefined) parts.push(`last ${plan.lastStageLayers}`);
  if (plan.accountForEmbedding) parts.push('+E');
  if (plan.accountForLoss) parts.push('+L');
  return parts.length > 0 ? parts.join(', ') : 'even';
}

type LayoutFieldName = keyof LayoutFields;
