// The estimate's simulated step as the spec the panel's timeline replays: the schedule's sizes and per-stage costs
// as plain numbers (typed arrays do not cross postMessage as JSON). Pure, no `vscode`.
import type { EstimateResult } from '../../model/estimate';
import type { EstimateView } from '../../protocol';

export function timelineView(simulated: EstimateResult['timeline']): EstimateView['timeline'] {
  if (!simulated) return undefined;
  const { schedule, timeline, params, costs, comm } = simulated;
  const list = (values: Float64Array) => Array.from(values);
  return {
    schedule: schedule.id,
    ranks: params.ranks,
    microbatches: params.microbatches,
    ...(params.chunks !== undefined ? { chunks: params.chunks } : {}),
    costs: {
      forward: list(costs.forward),
      backward: list(costs.backward),
      weight: list(costs.weight),
      ...(costs.overlapped ? { overlapped: list(costs.overlapped) } : {}),
      p2p: costs.p2p,
    },
    comm: { forward: list(comm.forward), backward: list(comm.backward), overlapped: list(comm.overlapped) },
    unit: 'seconds',
    makespanSeconds: timeline.makespan,
  };
}
