// Traffic of one training step per GPU, by dimension and link (CONTRACT.md `traffic.perGpuPerStep`), averaged
// over the pipeline ranks, and what crosses IB per trained token.
import type { Design } from './design';
import { addBytes, type LinkBytes } from './cost/comm/collectives';
import type { LayerSplit } from './cost/stages';
import { dataParallelComm, type CommContext, type DataParallelComm, type GpuParams, type ModelComm } from './cost/comm/traffic';

export type Dimension = 'tp' | 'ep' | 'pp' | 'dp' | 'cp';

export interface StepTraffic {
  perGpuPerStep: Record<Dimension, LinkBytes>;
  ibBytesPerToken: number;
  /** Per pipeline rank: the DP/ZeRO synchronisation of the weights that rank holds. */
  dpPerRank: DataParallelComm[];
}

const ZERO: LinkBytes = { nvlinkBytes: 0, ibBytes: 0 };

/** Stage boundaries one micro-batch crosses between different ranks, per pipe. */
function rankCrossings(design: Design, stageCount: number): number {
  const { schedule, pp } = design.plan;
  if (pp <= 1) return 0;
  // V placements turn around on the same rank (stage p−1 → p), so one boundary needs no send.
  if (schedule === 'zbv' || schedule === 'dualpipev') return stageCount - 2;
  return stageCount - 1;
}

/** `rankParameters`: per pipeline rank, the weights one of its GPUs holds (memory.ts gpuParameters). */
export function stepTraffic(context: CommContext, comm: ModelComm, split: LayerSplit, rankParameters: readonly GpuParams[]): StepTraffic {
  const { design } = context;
  const { plan, model, cluster } = design;
  const m = plan.microbatches;
  const pp = Math.max(1, plan.pp);
  let tp = ZERO;
  let cp = ZERO;
  let ep = ZERO;
  for (const stage of split.stages) {
    const moeLayers = stage.moeLayers + (model.experts > 0 ? stage.mtpLayers : 0);
    const denseLayers = stage.layers + stage.mtpLayers - moeLayers;
    for (const [layers, layer] of [[denseLayers, comm.dense], [moeLayers, comm.moe]] as const) {
      const times = (layers * m) / pp;
      tp = addBytes(addBytes(tp, layer.tp.forward, times), layer.tp.backward, times);
      cp = addBytes(addBytes(cp, layer.cp.forward, times), layer.cp.backward, times);
      ep = addBytes(addBytes(ep, layer.ep.forward, times), layer.ep.backward, times);
    }
  }
  // Every micro-batch sends its activation forward and its gradient back across each rank boundary.
  const sends = (2 * m * rankCrossings(design, split.stages.length)) / pp;
  const ppBytes = addBytes(ZERO, comm.ppSend, sends);
  const dpPerRank: DataParallelComm[] = [];
  let dp = ZERO;
  for (let rank = 0; rank < pp; rank++) {
    const sync = dataParallelComm(context, rankParameters[rank]!);
    dpPerRank.push(sync);
    dp = addBytes(dp, sync.total, 1 / pp);
  }
  const perGpuPerStep = { tp, ep, pp: ppBytes, dp, cp };
  const ibPerGpu = tp.ibBytes + ep.ibBytes + ppBytes.ibBytes + dp.ibBytes + cp.ibBytes;
  const tokensPerStep = plan.globalBatchSize * plan.seqLength;
  return { perGpuPerStep, ibBytesPerToken: (ibPerGpu * cluster.worldSize) / tokensPerStep, dpPerRank };
}
