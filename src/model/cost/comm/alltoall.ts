// MoE expert-parallel all-to-all: where one token's k expert copies go and which links they cross.
//
// The DeepSeek-V3 scheme (arXiv 2412.19437 §3.2.2, COSTMODEL.md §2.4): a token crosses IB once per destination
// node, landing on the GPU with the same local index, and is then forwarded over NVLink to the expert GPUs of
// that node; the results come back the same way (reduced per node). Node-limited routing first picks M nodes,
// then the top-k experts among those nodes' experts.
//
// With uniform routing over E experts on N nodes (E/N per node), the expected number of distinct nodes a
// token's k experts fall on is N·(1 − C(E−E/N, k)/C(E, k)); under a node limit M the same formula applies
// to the M chosen nodes and their M·E/N experts. The token's own node is one of the N with probability 1/N per
// destination, so (N−1)/N of the destination nodes are reached over IB. A destination GPU is reached over
// NVLink unless it is the landing GPU itself (1 of the g GPUs per node).
//
// Dispatch is FP8 when training in FP8 (1 byte per element plus one FP32 scale per 128 elements: 7,392 B for
// h = 7168), combine stays BF16 (paper §3.3.2). The backward sends the same volumes the other way (gradient
// of the combine in FP8, of the dispatch in BF16), so it costs what the forward costs.
import type { Precision } from '../../design';
import { BYTES_PER_ELEMENT, FP8_CACHED_BYTES } from '../memory/activations';
import type { GroupPlacement } from './placement';

export interface ExpertRouting {
  experts: number;
  topK: number;
  hidden: number;
  /** Most nodes one token may be sent to; null when unlimited. */
  nodeLimit: number | null;
  precision: Precision;
}

export interface TokenAllToAll {
  /** Expected distinct destination nodes per token. */
  destinationNodes: number;
  /** Of those, the nodes other than the token's own (reached over IB). */
  remoteNodes: number;
  /** Expected distinct destination GPUs per token. */
  destinationGpus: number;
  dispatchBytesPerCopy: number;
  combineBytesPerCopy: number;
  /** One MoE layer's forward (dispatch + combine) for one token; the backward moves the same. */
  ibBytesPerToken: number;
  nvlinkBytesPerToken: number;
}

const BF16_BYTES = BYTES_PER_ELEMENT.bf16;

export function dispatchBytesPerElement(precision: Precision): number {
  return precision === 'fp8' ? FP8_CACHED_BYTES : BF16_BYTES;
}

/** C(a, k) / C(b, k): the chance that k distinct picks from b items all avoid b − a given ones. */
export function chooseRatio(a: number, b: number, k: number): number {
  if (k <= 0) return 1;
  if (a < k) return 0;
  let ratio = 1;
  for (let i = 0; i < k; i++) ratio *= (a - i) / (b - i);
  return ratio;
}

/** Expected distinct bins hit by k distinct picks from `items` spread evenly over `bins`. */
export function expectedDistinctBins(bins: number, items: number, k: number): number {
  if (bins <= 1) return Math.min(1, bins);
  const perBin = items / bins;
  return bins * (1 - chooseRatio(items - perBin, items, Math.min(k, items)));
}

export function tokenAllToAll(routing: ExpertRouting, ep: GroupPlacement): TokenAllToAll {
  const { experts, topK, hidden, nodeLimit, precision } = routing;
  const nodes = ep.nodes;
  const gpusPerNode = ep.perNode;
  const expertsPerNode = experts / nodes;
  const limited = nodeLimit !== null && nodeLimit > 0 && nodeLimit < nodes;
  const candidateNodes = limited ? nodeLimit : nodes;
  const candidateExperts = candidateNodes * expertsPerNode;
  const k = Math.min(topK, candidateExperts);
  const destinationNodes = expectedDistinctBins(candidateNodes, candidateExperts, k);
  const remoteNodes = (destinationNodes * (nodes - 1)) / nodes;
  const destinationGpus = expectedDistinctBins(candidateNodes * gpusPerNode, candidateExperts, k);
  const nvlinkCopies = (destinationGpus * (gpusPerNode - 1)) / gpusPerNode;
  const dispatchBytesPerCopy = hidden * dispatchBytesPerElement(precision);
  const combineBytesPerCopy = hidden * BF16_BYTES;
  const perCopy = dispatchBytesPerCopy + combineBytesPerCopy;
  return {
    destinationNodes,
    remoteNodes,
    destinationGpus,
    dispatchBytesPerCopy,
    combineBytesPerCopy,
    ibBytesPerToken: remoteNodes * perCopy,
    nvlinkBytesPerToken: nvlinkCopies * perCopy,
  };
}
