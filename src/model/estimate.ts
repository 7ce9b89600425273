// estimate(design): per-stage costs → the schedule's simulated timeline → step time, throughput, memory per rank
// and traffic per link (DESIGN.md §4, CONTRACT.md `estimate`). Pure and synchronous; bad layouts come back as
// problems, never as exceptions.
import { findGpu, hbmCapacityBytes, type GpuSpec } from './catalog/gpus';
import type { Design, ScheduleId } from './design';
import type { Problem } from './problems';
import { gemmPeakFlopsPerSecond, linksFor, unsupportedPrecision } from './cost/compute/efficiency';
import { resolveCalibration, type Calibration, type ResolvedCalibration, type CalibrationKey, type CalibrationOrigin } from './cost/calibration';
import { fabricSlowdown } from './cost/comm/overlap';
import { rankParts, stepBreakdown, type StepBreakdown } from './stepBreakdown';
import { modelFlopsPerToken } from './cost/compute/flops';
import type { LayerSplit } from './cost/stages';
import { checkLayout } from './layoutChecks';
import { peakActivationBytes } from './cost/memory/activationPeak';
import { layerMemoryTerms, type LayerMemoryTerms } from './cost/memory/memory';
import { rankHoldings, rankMemory, stageActivationBytes, type RankHolding, type RankMemory } from './rankMemory';
import { closedForm } from './schedule/closedForm';
import { generateSchedule, planSchedule } from './schedule/index';
import { OP_B, OP_F, OP_FB, OP_I, type Schedule, type ScheduleParams, type ScheduleResult } from './schedule/ops';
import { simulate, type SimulationResult, type StageCosts, type Timeline } from './schedule/simulate';
import { sharedHoldings, sharedStageCosts, type SharedStageCosts, type StageCostEnv, type StageCostKey } from './stageCostCache';
import { stepTraffic, type Dimension } from './stepTraffic';
import { dpOverlapWindows, mostExposedDpSeconds, optimizerStepSeconds } from './stepBeyond';
import { fullestHostBytes, hostSideOf } from './cost/memory/offload';
import { expertLoad } from './cost/compute/capacity';

export interface StageEstimate {
  stage: number;
  /** Decoder layers the stage holds, from `firstLayer` (0-based) on. */
  layers: number;
  firstLayer: number;
  /** Whether it holds the embedding, the output head with the loss, and how many MTP modules. */
  embedding: boolean;
  loss: boolean;
  mtpLayers: number;
  F: number;
  B: number;
  W: number;
  FB: number;
}

export interface Estimate {
  stepTimeSeconds: number;
  tokensPerSecond: number;
  tflopsPerGpu: number;
  mfu: number;
  gpuHoursPerTrillionTokens: number;
  bubble: { seconds: number; fraction: number; closedFormSeconds: number };
  memory: { capacityBytes: number; peakBytes: number; stages: RankMemory[]; host: HostMemorySummary };
  traffic: {
    perGpuPerStep: Record<Dimension, { nvlinkBytes: number; ibBytes: number }>;
    ibBytesPerToken: number;
    exposedCommSeconds: number;
    /** Compute over communication of one MoE layer (one layer for a dense model) without overlap; null without communication. */
    computeToCommRatio: number | null;
  };
  stages: StageEstimate[];
  /** The step as a waterfall whose parts sum to stepTimeSeconds (stepBreakdown.ts). */
  breakdown: StepBreakdown;
  /** MoE routing under the expert capacity (cost/compute/capacity.ts); null for a dense model. */
  moe: MoeLoad | null;
  /** The calibration in force, each value with where it came from (cost/calibration.ts). */
  calibration: Record<CalibrationKey, { value: number; from: CalibrationOrigin }>;
}

/** The busiest expert's load and what the capacity drops (cost/compute/capacity.ts). */
export interface MoeLoad {
  /** Expert capacity factor; null without one. */
  capacityFactor: number | null;
  padded: boolean;
  /** The busiest EP rank's routed work as a multiple of the balanced share (imbalance, capped or padded). */
  busiestExpertLoad: number;
  /** Share of the busiest expert's routed token copies dropped past capacity. */
  droppedFractionOfBusiestExpert: number;
}

/** Host memory of the fullest host against its capacity (cost/memory/offload.ts); peakBytes is 0 without offloading. */
export interface HostMemorySummary {
  capacityBytes: number;
  peakBytes: number;
  /** GPUs sharing one host's memory (the system preset's). */
  gpusPerHost: number;
  /** The GPU↔host link and its achievable bytes per second per GPU per direction. */
  link: string;
  linkBytesPerSecond: number;
}

export interface EstimateResult {
  estimate: Estimate | null;
  problems: Problem[];
  /** The simulated step, for traces and the panel's timeline (absent when there is no estimate). */
  timeline?: SimulatedStep;
  /** Set when `beforeSimulation` declined the layout. */
  declined?: true;
  /** Set with `onlyIfFits` when the layout does not fit: what its fullest rank holds. */
  overCapacityBytes?: number;
}

/**
 * The simulated step and what it was simulated from: the panel replays `params` and `costs` through the same
 * generator and simulator instead of receiving millions of ops by message.
 */
export interface SimulatedStep {
  schedule: Schedule;
  timeline: Timeline;
  params: ScheduleParams;
  costs: StageCosts;
  /** Per stage, seconds of communication left exposed inside a forward, a backward and an F&B pair. */
  comm: { forward: Float64Array; backward: Float64Array; overlapped: Float64Array };
}

export interface EstimateOptions {
  /** Bubble fraction above which a `bubble/high` warning is raised (default 0.2). */
  maxBubbleFraction?: number;
  /** Work shared between the estimates of one layout search (createEstimateCache). */
  cache?: EstimateCache;
  /**
   * For a search, which ranks only layouts that fit: a layout over the GPU's memory comes back with a
   * `memory/over-capacity` error and no estimate, without simulating its step.
   */
  onlyIfFits?: boolean;
  /**
   * For a search: called with what the step adds to the simulated makespan at least (exposed DP synchronisation
   * and the optimizer step), which is known before the simulation; returning false skips the simulation, and the
   * result comes back `declined` without an estimate.
   */
  beforeSimulation?: (stepBeyondMakespanSeconds: number) => boolean;
  /** For a search: the key of the plan's stage costs in `cache` (stageCostCache.ts), when the search numbers them itself. */
  stageCostKey?: StageCostKey;
  /** For a search: layerMemoryTerms of the design's model and plan, worked out once for many layouts. */
  memoryTerms?: LayerMemoryTerms | undefined;
  /**
   * For a search: the caller vouches that layoutChecks.ts finds no error in the plan (search/space.ts holds only such
   * plans), so the checks, and the warnings they would add, are skipped.
   */
  layoutChecked?: boolean;
}

/**
 * What many layouts of one design share: a schedule depends only on its id and sizes (a search meets the same few
 * dozen again and again); stage costs only on the plan fields stageCostKey keeps; a simulated timeline on both;
 * a schedule's peak in-flight counts on the schedule alone. One cache serves one design's model, cluster and
 * calibration (a search's).
 */
export interface EstimateCache {
  schedules: Map<string, ScheduleResult>;
  /** Ops of the schedules held; past SCHEDULE_CACHE_OPS new ones are generated and not kept. */
  scheduleOps: number;
  stageCosts: Map<StageCostKey, SharedStageCosts>;
  /** Simulations by schedule and stage-cost key: layouts that differ only in ZeRO stage share one. */
  simulations: Map<string, SimulationResult>;
  simulationOps: number;
  peakCounts: WeakMap<Schedule, Float64Array>;
  /**
   * The resolved calibration and links per GPU and GEMM precision: they read no other plan field, and a search
   * estimates hundreds of layouts of one precision.
   */
  environments: Map<string, PricedEnvironment>;
}

/** What every layout of one GPU and precision is priced with, or, without `priced`, why that precision cannot run. */
export interface PricedEnvironment {
  unsupported: string | undefined;
  peakFlopsPerSecond: number;
  priced?: { resolved: ResolvedCalibration; env: StageCostEnv };
}

/** An op takes 21 B of schedule arrays (schedule/ops.ts): some 85 MB of schedules at most. */
const SCHEDULE_CACHE_OPS = 4_000_000;
/** A kept timeline takes 16 B per op: some 32 MB of timelines at most. */
const SIMULATION_CACHE_OPS = 2_000_000;

export function createEstimateCache(): EstimateCache {
  return { schedules: new Map(), scheduleOps: 0, stageCosts: new Map(), simulations: new Map(), simulationOps: 0, peakCounts: new WeakMap(), environments: new Map() };
}

const SECONDS_PER_HOUR = 3600;

export function estimate(design: Design, options: EstimateOptions = {}): EstimateResult {
  const priced = priceLayout(design, options);
  return 'report' in priced ? priced.report() : priced;
}

/**
 * A layout priced as far as a search ranks it: its step time, its peak memory and whether it fits. The rest of its
 * estimate (bubble, traffic summary, per-stage rows, problems) is built by `report`, which a search asks of the
 * layouts it returns only: it estimates hundreds and returns ten.
 */
export interface PricedLayout {
  stepTimeSeconds: number;
  peakBytes: number;
  /** Some rank over the GPU's memory: the report holds a `memory/over-capacity` error. */
  overCapacity: boolean;
  /** The fullest host over its memory (offloading): the report holds a `memory/host-over-capacity` error. */
  hostOverCapacity: boolean;
  /** The layout's estimate as estimate() returns it. */
  report(): EstimateResult;
}

/**
 * The problem that keeps every layout of `design` from being priced, whatever its parallel degrees: a GPU plens does
 * not know, or a precision the GPU does not run; undefined when layouts can be priced. A layout search asks first.
 */
export function pricingProblem(design: Design): Problem | undefined {
  const gpu = findGpu(design.cluster.gpu);
  if (!gpu) return unknownGpuProblem(design);
  const environment = pricedEnvironment(design, gpu, undefined);
  return environment.priced ? undefined : precisionProblem(design, gpu, environment.unsupported);
}

function unknownGpuProblem(design: Design): Problem {
  return { severity: 'error', code: 'cluster/unknown-gpu', field: 'cluster.gpu', message: `unknown GPU "${design.cluster.gpu}" (plens catalog gpus lists the known ones)` };
}

function precisionProblem({ plan }: Design, gpu: GpuSpec, unsupported: string | undefined): Problem {
  const field = plan.fp8Recipe && plan.precision === 'fp8' ? 'plan.fp8Recipe' : 'plan.precision';
  return { severity: 'error', code: 'precision/unsupported', field, message: unsupported ?? `${gpu.id} has no ${plan.precision.toUpperCase()} tensor cores` };
}

/** estimate() as far as its step time and memory (PricedLayout), or its result when it stops before (a problem, declined). */
export function priceLayout(design: Design, options: EstimateOptions = {}): PricedLayout | EstimateResult {
  const problems = options.layoutChecked ? [] : checkLayout(design);
  const gpu = findGpu(design.cluster.gpu);
  if (!gpu) problems.push(unknownGpuProblem(design));
  if (!gpu || problems.some((p) => p.severity === 'error')) return { estimate: null, problems };

  const { plan, model, cluster } = design;
  const { unsupported, peakFlopsPerSecond, priced } = pricedEnvironment(design, gpu, options.cache);
  if (!priced) {
    problems.push(precisionProblem(design, gpu, unsupported));
    return { estimate: null, problems };
  }
  const { resolved, env } = priced;
  const cal = resolved.values;
  const { links } = env;
  const shared = sharedStageCosts(design, env, options.cache, options.stageCostKey === undefined ? {} : { key: options.stageCostKey });
  const { placement, comm, split, costs, key: costKey } = shared;
  const context = { design, placement, links };

  const run = planSchedule(plan);
  const scheduleId = run.id;
  const generated = cachedSchedule(scheduleId, run.params, options.cache);
  if (!generated.ok) {
    problems.push({ severity: 'error', code: 'schedule/constraint', field: 'plan.schedule', message: generated.error.message });
    return { estimate: null, problems };
  }
  const schedule = generated.schedule;
  // Memory depends on the op order, not on its timing, so it is known before the simulation.
  const holdings = options.cache ? sharedHoldings(design, shared) : rankHoldings(design, split);
  const terms = options.memoryTerms ?? (options.cache ? (shared.memoryTerms ??= layerMemoryTerms(model, plan)) : layerMemoryTerms(model, plan));
  const memoryStages = layoutMemory(design, split, schedule, holdings, terms, options.cache);
  const capacityBytes = hbmCapacityBytes(cluster, gpu);
  let peakBytes = 0;
  for (const m of memoryStages) peakBytes = Math.max(peakBytes, m.totalBytes);
  if (options.onlyIfFits && peakBytes > capacityBytes) {
    problems.push({ severity: 'error', code: 'memory/over-capacity', field: 'plan.pp', message: 'the layout does not fit in memory (estimated without its step, onlyIfFits)' });
    return { estimate: null, problems, overCapacityBytes: peakBytes };
  }
  const traffic = stepTraffic(context, comm, split, holdings.map((h) => h.parameters));

  // DP synchronisation hides behind compute as cost/comm/dpOverlap.ts states for each ZeRO stage: reductions behind the
  // last backward of each chunk (per micro-batch for ZeRO-2), FSDP gathers behind the forward they prefetch for.
  let maxF = 0;
  let maxB = 0;
  for (const f of costs.F) maxF = Math.max(maxF, f);
  for (const b of costs.B) maxB = Math.max(maxB, b);
  const exposedDpSeconds = mostExposedDpSeconds(design, cal, traffic.dpPerRank, dpOverlapWindows(maxF, maxB, schedule.chunks, split));
  const { optimizerSeconds, parameterCopySeconds } = optimizerStepSeconds(design, gpu, cal, memoryStages);
  const host = hostSideOf(gpu, cluster);

  // The fabric term only adds (its slowdown is at least 1), so these two are what the step adds at least.
  if (options.beforeSimulation && !options.beforeSimulation(exposedDpSeconds + optimizerSeconds + parameterCopySeconds)) return { estimate: null, problems, declined: true };
  const overlapsSends = scheduleId === 'dualpipe' || scheduleId === 'dualpipev';
  const simulatedCosts: StageCosts = {
    forward: costs.F, backward: costs.B, weight: costs.W, overlapped: costs.FB,
    // DualPipe hides the PP sends inside its overlapped pairs (DeepSeek-V3 §3.2.1).
    p2p: overlapsSends ? 0 : comm.ppSend.seconds,
  };
  const simulated = cachedSimulation(schedule, costKey, options.cache, () => simulate(schedule, simulatedCosts));
  if (!simulated.ok) {
    problems.push({ severity: 'error', code: 'schedule/invalid', field: 'plan.schedule', message: simulated.error.message });
    return { estimate: null, problems };
  }
  const timeline = simulated.timeline;
  // The rank with the most work sets the step; its exposed communication is what overlap did not hide.
  let busiest = 0;
  for (let r = 1; r < schedule.ranks; r++) if (timeline.busy[r]! > timeline.busy[busiest]!) busiest = r;

  const fabricSeconds = (fabricSlowdown(cluster.worldSize, cal.fabricSlowdownPerDoubling) - 1) * (timeline.makespan + exposedDpSeconds);
  const breakdown = stepBreakdown(rankParts(schedule, busiest, costs), timeline.makespan, exposedDpSeconds, optimizerSeconds, fabricSeconds, parameterCopySeconds);
  const stepTimeSeconds = breakdown.totalSeconds;
  const hostMemory = hostMemorySummary(design, memoryStages, host);

  const report = (): EstimateResult => {
    const reported = [...problems];
    let exposedInOps = 0;
    for (let i = schedule.rankStart[busiest]!; i < schedule.rankStart[busiest + 1]!; i++) {
      const kind = schedule.kind[i]!;
      const stage = schedule.stage[i]!;
      if (kind === OP_F) exposedInOps += costs.commF[stage]!;
      else if (kind === OP_B || kind === OP_I) exposedInOps += costs.commB[stage]!;
      else if (kind === OP_FB) exposedInOps += costs.commFB[stage]!;
    }
    const tokensPerStep = plan.globalBatchSize * plan.seqLength;
    const modelFlopsPerStep = modelFlopsPerToken(model, plan.seqLength) * tokensPerStep;
    const tflopsPerGpu = modelFlopsPerStep / (cluster.worldSize * stepTimeSeconds) / 1e12;

    const closed = closedForm(scheduleId, { ranks: plan.pp, microbatches: plan.microbatches, chunks: schedule.chunks }, bottleneckCosts(costs));
    // The bubble is the busiest rank's idle time: lighter ranks (fewer layers) also idle for load imbalance,
    // which is not the schedule's doing.
    const idle = closed.metric === 'idleInOwnSpan' ? timeline.idleInOwnSpan : timeline.idleVsMakespan;
    const bubbleSeconds = Math.max(0, idle[busiest]!);
    const bubbleFraction = timeline.makespan > 0 ? bubbleSeconds / timeline.makespan : 0;
    if (bubbleFraction > (options.maxBubbleFraction ?? 0.2)) {
      reported.push({ severity: 'warning', code: 'bubble/high', field: 'plan.schedule', message: `pipeline bubble is ${(bubbleFraction * 100).toFixed(0)} % of the step (${scheduleId}, PP ${plan.pp}, ${plan.microbatches} micro-batches)` });
    }

    for (const m of memoryStages) {
      if (m.totalBytes > capacityBytes) {
        reported.push({ severity: 'error', code: 'memory/over-capacity', field: 'plan.pp', message: `pipeline stage ${m.stage} needs ${gib(m.totalBytes)} GiB per GPU (weights ${gib(m.parametersBytes)}, gradients ${gib(m.gradientsBytes)}, optimizer ${gib(m.optimizerBytes)}, activations ${gib(m.activationsBytes)}) of ${gib(capacityBytes)} GiB` });
      }
    }

    const moe = model.experts > 0 ? moeLoad(design, cal) : null;
    if (moe && moe.droppedFractionOfBusiestExpert > 0) {
      reported.push({ severity: 'info', code: 'moe/tokens-dropped', field: 'plan.expertCapacityFactor', message: `expert capacity ${moe.capacityFactor} is under the expert imbalance ${cal.expertImbalance}: the busiest expert drops ${(100 * moe.droppedFractionOfBusiestExpert).toFixed(0)} % of the token copies routed to it${moe.padded ? '' : '; the average expert drops less, depending on the routing'}` });
    }
    if (hostMemory.peakBytes > hostMemory.capacityBytes) {
      reported.push({ severity: 'error', code: 'memory/host-over-capacity', field: 'cluster.hostMemoryGB', message: `offloading needs ${gib(hostMemory.peakBytes)} GiB of host memory on the fullest host (${hostMemory.gpusPerHost} GPUs) of ${gib(hostMemory.capacityBytes)} GiB` });
    }

    const layerComm = model.experts > 0 ? comm.moe : comm.dense;
    const layerCommSeconds = (['tp', 'cp', 'ep'] as const).reduce((sum, d) => sum + layerComm[d].forward.seconds + layerComm[d].backward.seconds, 0);

    return {
      problems: reported,
      timeline: { schedule, timeline, params: run.params, costs: simulatedCosts, comm: { forward: costs.commF, backward: costs.commB, overlapped: costs.commFB } },
      estimate: {
        stepTimeSeconds,
        tokensPerSecond: tokensPerStep / stepTimeSeconds,
        tflopsPerGpu,
        mfu: (tflopsPerGpu * 1e12) / peakFlopsPerSecond,
        gpuHoursPerTrillionTokens: (cluster.worldSize * stepTimeSeconds * (1e12 / tokensPerStep)) / SECONDS_PER_HOUR,
        bubble: { seconds: bubbleSeconds, fraction: bubbleFraction, closedFormSeconds: closed.bubble },
        memory: { capacityBytes, peakBytes, stages: memoryStages, host: hostMemory },
        traffic: {
          perGpuPerStep: traffic.perGpuPerStep,
          ibBytesPerToken: traffic.ibBytesPerToken,
          exposedCommSeconds: exposedInOps + Math.max(0, exposedDpSeconds),
          computeToCommRatio: layerCommSeconds > 0 ? costs.layerComputeSeconds / layerCommSeconds : null,
        },
        stages: split.stages.map((s, i) => ({
          stage: i, layers: s.layers, firstLayer: s.firstLayer, embedding: s.embedding, loss: s.head, mtpLayers: s.mtpLayers, F: costs.F[i]!, B: costs.B[i]!, W: costs.W[i]!, FB: costs.FB[i]! })),
        breakdown,
        moe,
        calibration: calibrationReport(cal, resolved.origins),
      },
    };
  };
  return { stepTimeSeconds, peakBytes, overCapacity: peakBytes > capacityBytes, hostOverCapacity: hostMemory.peakBytes > hostMemory.capacityBytes, report };
}

function moeLoad({ plan }: Design, cal: Calibration): MoeLoad {
  const load = expertLoad(plan, Math.max(1, cal.expertImbalance));
  const capacity = plan.expertCapacityFactor !== undefined && plan.expertCapacityFactor > 0 ? plan.expertCapacityFactor : null;
  return { capacityFactor: capacity, padded: capacity !== null && plan.padExpertsToCapacity === true, busiestExpertLoad: load.busiest, droppedFractionOfBusiestExpert: load.droppedOfBusiest };
}

function hostMemorySummary(design: Design, stages: readonly RankMemory[], host: ReturnType<typeof hostSideOf>): HostMemorySummary {
  const gpusPerRank = design.cluster.worldSize / Math.max(1, design.plan.pp);
  return {
    capacityBytes: host.memoryBytes,
    peakBytes: fullestHostBytes(stages.map((m) => m.host.totalBytes), gpusPerRank, host),
    gpusPerHost: host.gpus,
    link: host.link,
    linkBytesPerSecond: host.linkBytesPerSecond,
  };
}

function calibrationReport(values: Calibration, origins: Record<CalibrationKey, CalibrationOrigin>): Estimate['calibration'] {
  const report = {} as Estimate['calibration'];
  for (const key of Object.keys(values) as CalibrationKey[]) report[key] = { value: values[key], from: origins[key] };
  return report;
}

/** Dense peak FLOP/s of the GEMMs' precision, after the cluster's override. */
export function peakFlopsOf(design: Design, gpu: GpuSpec): number {
  return design.cluster.peakTflops ? design.cluster.peakTflops * 1e12 : gemmPeakFlopsPerSecond(gpu, design.plan.precision, design.plan.fp8Recipe);
}

/** The GPU's peak for the plan's precision, the resolved calibration and the links: once per GPU and precision of a cache (its cluster and calibration are the cache's own). */
export function pricedEnvironment(design: Design, gpu: GpuSpec, cache: EstimateCache | undefined): PricedEnvironment {
  const { plan, cluster } = design;
  const key = `${gpu.id}/${plan.precision}/${plan.fp8Recipe ?? ''}`;
  const known = cache?.environments.get(key);
  if (known) return known;
  const peakFlopsPerSecond = peakFlopsOf(design, gpu);
  const unsupported = cluster.peakTflops ? undefined : unsupportedPrecision(gpu, plan.precision, plan.fp8Recipe);
  let priced: PricedEnvironment['priced'];
  // The calibration's catalog fractions exist only for a precision the GPU runs.
  if (!unsupported && peakFlopsPerSecond > 0) {
    const resolved = resolveCalibration(design, gpu);
    priced = { resolved, env: costEnvironment(design, gpu, peakFlopsPerSecond, resolved.values, resolved.efficiency) };
  }
  const environment = { unsupported, peakFlopsPerSecond, ...(priced ? { priced } : {}) };
  cache?.environments.set(key, environment);
  return environment;
}

/** What the stage costs of every layout of one design read besides the plan: GPU, calibration, links. */
export function costEnvironment(
  design: Design, gpu: GpuSpec, peakFlopsPerSecond: number,
  calibration = resolveCalibration(design, gpu).values, efficiency = resolveCalibration(design, gpu).efficiency,
): StageCostEnv {
  return { gpu, efficiency, calibration, links: linksFor(gpu, efficiency, design.cluster), peakFlopsPerSecond };
}

/** Per-rank memory of a layout: each in-flight chunk weighs what its own stage holds (ranks of DualPipe and V schedules hold unequal stages). */
function layoutMemory(design: Design, split: LayerSplit, schedule: Schedule, holdings: RankHolding[], terms: LayerMemoryTerms, cache: EstimateCache | undefined): RankMemory[] {
  const counts = peakCounts(schedule, cache);
  const stageBytes = stageActivationBytes(design, split, terms);
  const activationPeaks = equalStagesPerRank(schedule, stageBytes) ? counts.map((count, r) => count * stageBytes[schedule.stageRank.indexOf(r)]!) : peakActivationBytes(schedule, stageBytes);
  const memoryStages: RankMemory[] = [];
  for (let r = 0; r < schedule.ranks; r++) memoryStages.push(rankMemory(design, r, holdings[r]!, counts[r]!, activationPeaks[r]!, terms));
  return memoryStages;
}

/** Most chunks in flight on each rank: a property of the op order alone, so one count serves every layout of a schedule. */
export function peakCounts(schedule: Schedule, cache: EstimateCache | undefined): Float64Array {
  const known = cache?.peakCounts.get(schedule);
  if (known) return known;
  const counts = peakActivationBytes(schedule, new Float64Array(schedule.pipes * schedule.stages).fill(1));
  cache?.peakCounts.set(schedule, counts);
  return counts;
}

/** Whether every rank's stages weigh the same: then a rank's peak bytes are its peak count times that weight. */
function equalStagesPerRank(schedule: Schedule, stageBytes: Float64Array): boolean {
  if (schedule.pipes !== 1) return false;
  const first = new Float64Array(schedule.ranks).fill(-1);
  for (let s = 0; s < schedule.stages; s++) {
    const r = schedule.stageRank[s]!;
    if (first[r] === -1) first[r] = stageBytes[s]!;
    else if (first[r] !== stageBytes[s]) return false;
  }
  return true;
}

function cachedSimulation(schedule: Schedule, costKey: StageCostKey, cache: EstimateCache | undefined, run: () => SimulationResult): SimulationResult {
  if (!cache) return run();
  const key = `${schedule.id}/${schedule.ranks}/${schedule.microbatches}/${schedule.chunks}/${costKey}`;
  const known = cache.simulations.get(key);
  if (known) return known;
  const simulated = run();
  if (cache.simulationOps + schedule.opCount <= SIMULATION_CACHE_OPS) {
    cache.simulations.set(key, simulated);
    cache.simulationOps += schedule.opCount;
  }
  return simulated;
}

export function cachedSchedule(id: ScheduleId, params: ScheduleParams, cache: EstimateCache | undefined): ScheduleResult {
  if (!cache) return generateSchedule(id, params);
  const key = `${id}/${params.ranks}/${params.microbatches}/${params.chunks}`;
  const known = cache.schedules.get(key);
  if (known) return known;
  const generated = generateSchedule(id, params);
  const ops = generated.ok ? generated.schedule.opCount : 0;
  if (cache.scheduleOps + ops <= SCHEDULE_CACHE_OPS) {
    cache.schedules.set(key, generated);
    cache.scheduleOps += ops;
  }
  return generated;
}

/** The slowest stage's costs, for the closed-form bubble shown beside the simulation. */
function bottleneckCosts(costs: { F: Float64Array; B: Float64Array; W: Float64Array; FB: Float64Array }) {
  let worst = 0;
  for (let s = 1; s < costs.F.length; s++) if (costs.F[s]! + costs.B[s]! > costs.F[worst]! + costs.B[worst]!) worst = s;
  return { F: costs.F[worst]!, B: costs.B[worst]!, W: costs.W[worst]!, FB: costs.FB[worst]! };
}

function gib(bytes: number): string {
  return (bytes / 2 ** 30).toFixed(1);
}
