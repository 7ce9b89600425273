// The search's bounds are sound on random layouts of random designs: a time bound never exceeds the layout's
// simulated makespan, a memory bound never exceeds its peak, and what the search shares between PP and DP degrees
// (one stage's costs, the activation terms) does not depend on them. With sound bounds the search returns what
// estimating every layout would (complete.test.ts); here each bound is checked against the estimate directly,
// including layouts far from the top and layouts that do not fit.
import { describe, expect, it } from 'vitest';
import { findGpu } from '../../../src/model/catalog/gpus';
import { findModel } from '../../../src/model/catalog/models';
import type { Design, ParallelPlan } from '../../../src/model/design';
import { costEnvironment, createEstimateCache, estimate, peakFlopsOf, priceLayout, pricedEnvironment } from '../../../src/model/estimate';
import { stepBeyondAtLeast, windowsAtLeast } from '../../../src/model/search/beyondBound';
import { enumerateFamilies } from '../../../src/model/search';
import { choicePlan } from '../../../src/model/search/space';
import { busiestRankBound, meanBusyBound, overlapsPairs, pipelineBound } from '../../../src/model/search/bound';
import { boundFromFloor, boundWithInFlight, chunksPerRank, inFlightSumOf, memoryFloor, memoryLowerBound, wholeModel } from '../../../src/model/search/memoryBound';
import { PlanKeys } from '../../../src/model/search/planKeys';
import { ScheduleBounds } from '../../../src/model/search/scheduleBounds';
import { SharedPricing } from '../../../src/model/search/sharedPricing';
import { scheduleFacts } from '../../../src/model/search/scheduleFacts';
import { enumerateShapes } from '../../../src/model/search/space';
import { PAIR_SLOWDOWN, stageCostsOf, stageTimesOf, stageTimesWithAllToAll, wholeStageSeconds, wholeStageWithAllToAll } from '../../../src/model/cost/compute/stageTime';
import { holdingMemory, rankHoldings, rankMemory } from '../../../src/model/rankMemory';
import { stageCount } from '../../../src/model/layoutChecks';
import { DEFAULT_MEMORY_RESERVE, layerMemoryTerms } from '../../../src/model/cost/memory/memory';
import { splitLayers } from '../../../src/model/cost/stages';
import { stageActivationBytes } from '../../../src/model/rankMemory';
import { planSchedule } from '../../../src/model/schedule/index';
import { OP_B, OP_F, OP_FB, OP_I, OP_W } from '../../../src/model/schedule/ops';
import { sharedStageCosts, stageCostBase, stageCostGroups } from '../../../src/model/stageCostCache';
import { seededRandom } from '../../testInputs';

const MODELS = ['llama3-8b', 'mixtral-8x7b', 'qwen3-30b-a3b', 'deepseek-v2', 'deepseek-v3', 'gpt3-175b'];
const GPUS = ['H100-SXM', 'A100-80GB', 'H800'];

/** A random design: model, 1–4 nodes of 8, a batch that several DP degrees divide, sometimes a small HBM, sometimes offloading or torchtitan. */
function randomDesign(random: () => number): Design {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const nodes = pick([1, 2, 4]);
  const world = nodes * 8;
  const globalBatchSize = world * pick([1, 2, 3, 4]);
  const plan: ParallelPlan = {
    tp: 1, pp: 1, vpp: 1, cp: 1, ep: 1, etp: 1, dp: world, zero: 1, sequenceParallel: false, seqLength: pick([1024, 2048, 4096]), microBatchSize: 1,
    globalBatchSize, microbatches: globalBatchSize / world, schedule: '1f1b', recompute: 'selective', precision: 'bf16', nodeLimit: null,
    ...(random() < 0.2 ? { activationOffloadLayers: 1 } : {}),
    ...(random() < 0.2 ? { framework: 'torchtitan' as const } : {}),
    ...(random() < 0.3 ? { epCommOverlap: true, tpCommOverlap: true } : {}),
    // Node-limited routing (DeepSeek-V3 §2.1.2) prices the EP all-to-all by the nodes an EP group spans.
    ...(random() < 0.3 ? { nodeLimit: pick([1, 2]) } : {}),
  };
  const hbmGB = random() < 0.5 ? pick([24, 40, 64]) : undefined;
  return {
    model: findModel(pick(MODELS))!.arch,
    plan,
    cluster: { gpu: pick(GPUS), gpusPerNode: 8, nodes, worldSize: world, ...(hbmGB ? { hbmGB } : {}) },
  };
}

/** Random layouts of random designs, with each layout's family. */
function* randomLayouts(seed: number, designs: number, perDesign: number) {
  const random = seededRandom(seed);
  for (let d = 0; d < designs; d++) {
    const design = randomDesign(random);
    const families = enumerateFamilies(design, { maxMicroBatchSize: 4 });
    if (families.length === 0) continue;
    for (let i = 0; i < perDesign; i++) {
      const family = families[Math.floor(random() * families.length)]!;
      const choice = family.schedules[Math.floor(random() * family.schedules.length)]!;
      const zero = family.zeros[Math.floor(random() * family.zeros.length)]!;
      yield { design, family, choice, plan: { ...choicePlan(family.plan, choice), zero } as ParallelPlan };
    }
  }
}

const SLACK = 1 + 1e-9;

function environment(design: Design) {
  const gpu = findGpu(design.cluster.gpu)!;
  return costEnvironment(design, gpu, peakFlopsOf(design, gpu));
}

/** One stage holding every layer of `design`'s plan, priced in a context of its own. */
function wholeStage(design: Design, env: ReturnType<typeof environment>) {
  return wholeStageSeconds(stageCostBase(design, env).context, splitLayers(design, 1));
}

/**
 * The ranks' mean busy time: every op of the schedule at the simulator's cost (an I op is B − W, an F&B pair its
 * stage's F&B cost), summed and divided over the ranks. The makespan is at least the busiest rank's, so at least
 * this; it has no bubble in it, so a work bound that overreaches shows here first.
 */
function meanRankBusy(facts: NonNullable<ReturnType<typeof scheduleFacts>>, costs: { F: ArrayLike<number>; B: ArrayLike<number>; W: ArrayLike<number>; FB: ArrayLike<number> }): number {
  const { rankStart, kind, stage, count } = facts.counts;
  const ranks = rankStart.length - 1;
  let total = 0;
  for (let i = 0; i < rankStart[ranks]!; i++) {
    const s = stage[i]!;
    const k = kind[i]!;
    const seconds = k === OP_F ? costs.F[s]! : k === OP_B ? costs.B[s]! : k === OP_I ? costs.B[s]! - costs.W[s]! : k === OP_W ? costs.W[s]! : k === OP_FB ? costs.FB[s]! : 0;
    total += count[i]! * seconds;
  }
  return total / ranks;
}

describe('search bounds on random layouts', () => {
  it('the busiest rank and fill-and-drain bounds are at most the simulated makespan', () => {
    let checked = 0;
    for (const { design, plan } of randomLayouts(21, 24, 12)) {
      const result = estimate({ ...design, plan });
      if (!result.estimate || !result.timeline) continue;
      const env = environment({ ...design, plan });
      const { costs, comm } = sharedStageCosts({ ...design, plan }, env, undefined);
      const run = planSchedule(plan);
      const facts = scheduleFacts(run.id, run.params);
      if (!facts) throw new Error(`${run.id} does not apply`);
      const makespan = result.timeline.timeline.makespan;
      expect(busiestRankBound(facts.counts, costs)).toBeLessThanOrEqual(makespan * SLACK);
      const p2p = overlapsPairs(plan.schedule) ? 0 : comm.ppSend.seconds;
      expect(pipelineBound(plan.schedule, costs, plan.microbatches, plan.pp, p2p)).toBeLessThanOrEqual(makespan * SLACK);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('the work bound, with a pair schedule\'s share of paired work and priced without the all-to-all at EP 1, is at most the simulated makespan', () => {
    let checked = 0;
    let paired = 0;
    let moe = 0;
    for (const { design, plan } of randomLayouts(28, 32, 12)) {
      const result = estimate({ ...design, plan });
      if (!result.estimate || !result.timeline) continue;
      const env = environment({ ...design, plan });
      const onePipelineRank: ParallelPlan = { ...plan, pp: 1, dp: design.cluster.worldSize / (plan.tp * plan.cp), schedule: '1f1b', vpp: 1 };
      const whole = wholeStage({ ...design, plan: onePipelineRank }, env);
      const run = planSchedule(plan);
      const facts = scheduleFacts(run.id, run.params);
      if (!facts) throw new Error(`${run.id} does not apply`);
      const pairs = overlapsPairs(plan.schedule);
      const shares = facts.shares;
      if (shares.forward > 0) paired++;
      expect(pairs || shares.forward === 0).toBe(true);
      const bound = meanBusyBound(whole, plan.microbatches, plan.pp, pairs, shares);
      expect(bound).toBeLessThanOrEqual(result.timeline.timeline.makespan * SLACK);
      // Sharper: the ranks' mean busy time on the layout's own stage costs, which has no bubble.
      const { costs } = sharedStageCosts({ ...design, plan }, env, undefined);
      expect(bound).toBeLessThanOrEqual(meanRankBusy(facts, costs) * SLACK);
      // Priced with EP 1 (no all-to-all), the whole stage bounds every EP degree's work without its all-to-all.
      const withoutExperts: ParallelPlan = { ...onePipelineRank, ep: 1 };
      const free = wholeStage({ ...design, plan: withoutExperts }, env);
      // A DualPipe stage carries its whole all-to-all (none hidden by overlap), so taking it off leaves the rest.
      const pairedPlan: ParallelPlan = { ...onePipelineRank, schedule: 'dualpipe' };
      const pairedWhole = wholeStage({ ...design, plan: pairedPlan }, env);
      expect(free.F).toBeCloseTo(pairedWhole.F - pairedWhole.epF, 12);
      expect(free.B).toBeCloseTo(pairedWhole.B - pairedWhole.epB, 12);
      expect(meanBusyBound(free, plan.microbatches, plan.pp, pairs, shares)).toBeLessThanOrEqual(result.timeline.timeline.makespan * SLACK);
      // That stage with the plan's own all-to-all added is the stage priced with it.
      const onePlan = { ...design, plan: onePipelineRank };
      const composed = wholeStageWithAllToAll(free, onePlan, stageCostGroups(onePlan, env).comm.moe.ep, env.calibration, splitLayers(onePlan, 1));
      for (const field of ['F', 'B', 'epF', 'epB', 'computeF', 'computeB'] as const) expect(composed[field]).toBeCloseTo(whole[field], 12);
      if (design.model.experts > 0 && plan.ep > 1) moe++;
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
    expect(paired).toBeGreaterThan(10);
    expect(moe).toBeGreaterThan(20);
  });

  it('for DualPipe with an all-to-all about as long as its compute (DeepSeek-V3 over IB), the work bound is at most the ranks\' mean busy time', () => {
    // The random designs above have little all-to-all; here it is most of a layer's time, so what the bound counts
    // of it (the unpaired ops pay all of theirs, a pair the longer of its compute and its all-to-all) binds.
    let pairsBind = 0;
    for (const schedule of ['dualpipe', 'dualpipev'] as const) {
      for (const [pp, ep, microbatches] of [[2, 32, 8], [4, 16, 8], [4, 16, 24], [8, 8, 16], [8, 8, 64]] as const) {
        const world = 64;
        const dp = world / pp;
        const design: Design = {
          model: findModel('deepseek-v3')!.arch,
          plan: {
            tp: 1, pp, vpp: 1, cp: 1, ep, etp: 1, dp, zero: 1, sequenceParallel: false, seqLength: 4096, microBatchSize: 1, globalBatchSize: microbatches * dp,
            microbatches, schedule, recompute: 'selective', precision: 'fp8', nodeLimit: null,
          },
          cluster: { gpu: 'H800', gpusPerNode: 8, nodes: 8, worldSize: world },
        };
        const env = environment(design);
        const onePipelineRank: ParallelPlan = { ...design.plan, pp: 1, dp: world, schedule: '1f1b', vpp: 1 };
        const whole = wholeStage({ ...design, plan: onePipelineRank }, env);
        const run = planSchedule(design.plan);
        const facts = scheduleFacts(run.id, run.params)!;
        const { costs } = sharedStageCosts(design, env, undefined);
        const bound = meanBusyBound(whole, microbatches, pp, true, facts.shares);
        expect(bound).toBeLessThanOrEqual(meanRankBusy(facts, costs) * SLACK);
        // What the bound would be if every op could hide its all-to-all: the pairs' share of work does more here.
        const shares = facts.shares;
        const slower = (PAIR_SLOWDOWN - 1) * (shares.forward * whole.computeF + shares.backward * whole.computeB);
        const allHidden = (microbatches * (whole.F + whole.B - whole.epF - whole.epB + slower)) / pp;
        if (bound > allHidden * (1 + 1e-6)) pairsBind++;
      }
    }
    expect(pairsBind).toBeGreaterThanOrEqual(5);
  });

  it('the schedule-aware memory bound is at most the peak memory, fitting or not', () => {
    let checked = 0;
    let overCapacity = 0;
    for (const { design, plan } of randomLayouts(22, 24, 12)) {
      const result = estimate({ ...design, plan });
      if (!result.estimate) continue;
      const withPlan = { ...design, plan };
      const terms = layerMemoryTerms(design.model, plan);
      const run = planSchedule(plan);
      const facts = scheduleFacts(run.id, run.params);
      if (!facts) throw new Error(`${run.id} does not apply`);
      const stageBytes = stageActivationBytes(withPlan, splitLayers(withPlan, stageCount(withPlan)), terms);
      expect(stageBytes.length).toBe(facts.stages);
      const inFlight = inFlightSumOf(facts.rankStages, facts.peaks, stageBytes);
      const bound = memoryLowerBound(design, plan, [plan.zero], chunksPerRank([plan]), terms, inFlight);
      expect(bound).toBeLessThanOrEqual(result.estimate.memory.peakBytes * SLACK);
      if (result.estimate.memory.peakBytes > result.estimate.memory.capacityBytes) overCapacity++;
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
    expect(overCapacity).toBeGreaterThan(10);
  });

  it('a family\'s schedules\' in-flight counts bound the peak of each of its layouts, and their least bounds every one', () => {
    let checked = 0;
    let overCapacity = 0;
    const random = seededRandom(29);
    for (let d = 0; d < 24; d++) {
      const design = randomDesign(random);
      const families = enumerateFamilies(design, { maxMicroBatchSize: 4 });
      if (families.length === 0) continue;
      const gpu = findGpu(design.cluster.gpu)!;
      const env = costEnvironment(design, gpu, peakFlopsOf(design, gpu));
      const keys = new PlanKeys(design.cluster.worldSize, 4);
      const pricing = new SharedPricing(design, env, keys);
      const bounds = new ScheduleBounds(pricing, keys, 1);
      for (let f = 0; f < 4; f++) {
        const family = families[Math.floor(random() * families.length)]!;
        const terms = pricing.termsOf(family.plan);
        const floor = memoryFloor(design, family.plan, family.zeros, terms, pricing.wholeModelOf(family.plan, terms));
        const counted = bounds.listInFlight(family, terms, floor);
        expect(counted.bytes.length).toBe(family.schedules.length);
        family.schedules.forEach((choice, scheduleIndex) => {
          expect(counted.least).toBeLessThanOrEqual(counted.bytes[scheduleIndex]!);
          for (const zero of family.zeros) {
            const plan: ParallelPlan = { ...choicePlan(family.plan, choice), zero };
            const result = estimate({ ...design, plan });
            if (!result.estimate) continue;
            const peak = result.estimate.memory.peakBytes;
            expect(boundWithInFlight(floor, counted.bytes[scheduleIndex]!)).toBeLessThanOrEqual(peak * SLACK);
            if (peak > result.estimate.memory.capacityBytes) overCapacity++;
            checked++;
          }
        });
        // The families of another EP degree (above 1) with the same terms and schedule list are counted once.
        expect(bounds.listInFlight(family, terms, floor)).toBe(counted);
      }
    }
    expect(checked).toBeGreaterThan(300);
    expect(overCapacity).toBeGreaterThan(30);
  });

  it('one stage\'s costs and the activation terms do not read the PP or DP degree', () => {
    let checked = 0;
    let expertParallel = 0;
    for (const { design, plan } of randomLayouts(23, 24, 8)) {
      const env = environment({ ...design, plan });
      const other: ParallelPlan = { ...plan, pp: 1, dp: design.cluster.worldSize / (plan.tp * plan.cp), schedule: '1f1b', vpp: 1 };
      const own = sharedStageCosts({ ...design, plan: { ...plan, schedule: '1f1b', vpp: 1 } }, env, undefined, { stages: 1 }).costs;
      const shared = sharedStageCosts({ ...design, plan: other }, env, undefined, { stages: 1 }).costs;
      for (const field of ['F', 'B', 'epF', 'epB'] as const) expect(shared[field]).toEqual(own[field]);
      expect(layerMemoryTerms(design.model, other)).toEqual(layerMemoryTerms(design.model, plan));
      if (plan.ep > 1) {
        // Of EP they read only whether it is above 1: terms worked out at EP 2 give every rank what its own give.
        const own = layerMemoryTerms(design.model, plan);
        const atTwo = layerMemoryTerms(design.model, { ...plan, ep: 2 });
        expect({ ...atTwo, settings: { ...atTwo.settings, ep: plan.ep } }).toEqual(own);
        for (const holding of rankHoldings({ ...design, plan }, splitLayers({ ...design, plan }, stageCount({ plan })))) {
          expect(holdingMemory({ ...design, plan }, holding, 3, undefined, atTwo)).toEqual(holdingMemory({ ...design, plan }, holding, 3, undefined, own));
        }
        expertParallel++;
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
    expect(expertParallel).toBeGreaterThan(10);
  });

  it('the memory floor is rankMemory\'s least total over the ZeRO stages, plus (1 + reserve fraction) × the bytes in flight', () => {
    let checked = 0;
    const random = seededRandom(24);
    for (const layout of randomLayouts(24, 24, 6)) {
      // The floor prices only the highest ZeRO stage below 3 (and ZeRO-3): the others keep no less, also with the
      // optimizer state offloaded or ZeRO++'s secondary shards.
      const offloads = { optimizerOffloadFraction: 0.5 };
      const hpz = { hpzPartitionSize: 8 };
      for (const extra of [{}, offloads, hpz]) {
        const design = { ...layout.design, plan: { ...layout.design.plan, ...extra } };
        const family = { ...layout.family, plan: { ...layout.family.plan, ...extra } };
        const plan = { ...layout.plan, ...extra };
        const terms = layerMemoryTerms(design.model, plan);
        const whole = wholeModel(design, plan, terms);
        const floor = memoryFloor(design, family.plan, family.zeros, terms, whole);
        const inFlight = random() * 4 * whole.activationBytes;
        let direct = Number.POSITIVE_INFINITY;
        const counted = Math.max(inFlight, floor.wholeActivationBytes);
        for (const zero of family.zeros) direct = Math.min(direct, rankMemory({ ...design, plan: { ...plan, zero } }, 0, whole.holding, 1, counted, terms).totalBytes);
        const pp = Math.max(1, plan.pp);
        const expected = (direct + (pp - 1) * DEFAULT_MEMORY_RESERVE.fixedBytes) / pp;
        const bound = boundFromFloor(floor, 1, inFlight);
        expect(bound).toBeLessThanOrEqual(expected);
        expect(bound).toBeGreaterThanOrEqual(expected * (1 - 1e-9));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(150);
  });

  it('a split priced at EP 1 with the plan\'s all-to-all added per stage has the F, B, W and F&B of the split priced with it', () => {
    let checked = 0;
    let overlapped = 0;
    for (const { design, plan } of randomLayouts(31, 40, 8)) {
      if (design.model.experts <= 0 || plan.ep <= 1) continue;
      const withPlan = { ...design, plan };
      const env = environment(withPlan);
      const split = splitLayers(withPlan, stageCount(withPlan));
      for (const schedule of ['1f1b', 'dualpipe'] as const) {
        const priced = { ...design, plan: { ...plan, schedule } };
        const own = stageTimesOf(stageCostBase(priced, env).context, split);
        const withoutExperts = { ...design, plan: { ...plan, schedule, ep: 1 } };
        const groups = stageCostGroups(priced, env);
        const composed = stageTimesWithAllToAll(stageCostBase(withoutExperts, env).context, split, priced, groups.comm.moe.ep, env.calibration);
        for (const field of ['F', 'B', 'W', 'FB'] as const) {
          expect(composed[field].length).toBe(own[field].length);
          for (let s = 0; s < own[field].length; s++) expect(composed[field][s]).toBeCloseTo(own[field][s]!, 12);
        }
        if (plan.epCommOverlap) overlapped++;
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
    expect(overlapped).toBeGreaterThan(5);
    // A small-expert MoE over IB on 32 nodes: a pair's all-to-all outlasts its compute, and F&B carries the rest.
    let exposedPairs = 0;
    for (const gpu of ['H800', 'H100-SXM']) {
      const design: Design = {
        model: findModel('qwen3-30b-a3b')!.arch,
        plan: {
          tp: 1, pp: 2, vpp: 1, cp: 1, ep: 128, etp: 1, dp: 128, zero: 1, sequenceParallel: false, seqLength: 4096, microBatchSize: 1, globalBatchSize: 1024,
          microbatches: 8, schedule: 'dualpipe', recompute: 'selective', precision: 'fp8', nodeLimit: null,
        },
        cluster: { gpu, gpusPerNode: 8, nodes: 32, worldSize: 256 },
      };
      const env = environment(design);
      const split = splitLayers(design, stageCount(design));
      const atOne = stageCostBase({ ...design, plan: { ...design.plan, ep: 1 } }, env).context;
      const own = stageTimesOf(stageCostBase(design, env).context, split);
      const composed = stageTimesWithAllToAll(atOne, split, design, stageCostGroups(design, env).comm.moe.ep, env.calibration);
      const free = stageTimesOf(atOne, split);
      for (let s = 0; s < own.FB.length; s++) {
        expect(composed.FB[s]).toBeCloseTo(own.FB[s]!, 12);
        if (own.FB[s]! > free.FB[s]! * (1 + 1e-6)) exposedPairs++;
      }
    }
    expect(exposedPairs).toBe(4);
  });

  it('one context prices every split of a plan as a fresh one does, and its F, B, W and F&B alone match the breakdown', () => {
    let checked = 0;
    for (const { design, family } of randomLayouts(25, 16, 4)) {
      const first = { ...design, plan: choicePlan(family.plan, family.schedules[0]!) };
      const env = environment(first);
      const shared = stageCostBase(first, env);
      for (const choice of family.schedules) {
        const plan = choicePlan(family.plan, choice);
        if (overlapsPairs(plan.schedule) !== overlapsPairs(first.plan.schedule)) continue;
        const withPlan = { ...design, plan };
        const split = splitLayers(withPlan, stageCount(withPlan));
        const fresh = sharedStageCosts(withPlan, env, undefined).costs;
        const reused = stageCostsOf(shared.context, split);
        expect(reused).toEqual(fresh);
        const times = stageTimesOf(shared.context, split);
        for (const field of ['F', 'B', 'W', 'FB'] as const) expect(Array.from(times[field])).toEqual(Array.from(fresh[field]));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('a stage\'s costs do not read the PP or DP degree either: a context priced at PP 1 prices every split of the layout as its own does', () => {
    let checked = 0;
    for (const { design, plan } of randomLayouts(27, 24, 8)) {
      const withPlan = { ...design, plan };
      const env = environment(withPlan);
      const onePipelineRank: ParallelPlan = { ...plan, pp: 1, dp: design.cluster.worldSize / (plan.tp * plan.cp), vpp: 1 };
      const shared = stageCostBase({ ...design, plan: onePipelineRank }, env);
      const own = sharedStageCosts(withPlan, env, undefined).costs;
      expect(stageCostsOf(shared.context, splitLayers(withPlan, stageCount(withPlan)))).toEqual(own);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('what a step adds beyond its makespan, worked out before its stages are priced, is at most what its estimate adds, and within a hair of it', () => {
    let checked = 0;
    let exposedDp = 0;
    for (const { design, family, choice, plan } of randomLayouts(43, 40, 8)) {
      const layout = { ...design, plan };
      const gpu = findGpu(design.cluster.gpu)!;
      const cache = createEstimateCache();
      const env = pricedEnvironment(layout, gpu, cache).priced?.env;
      const run = planSchedule(plan);
      const facts = scheduleFacts(run.id, run.params);
      if (!env || !facts) continue;
      let late: number | undefined;
      priceLayout(layout, { cache, beforeSimulation: (beyondSeconds) => ((late = beyondSeconds), true) });
      if (late === undefined) continue;
      const pricing = new SharedPricing(design, env, new PlanKeys(design.cluster.worldSize, 4));
      const split = pricing.splitOf(plan, choice.content);
      const windows = windowsAtLeast(split, pricing.stageTimesOf(family, choice, overlapsPairs(plan.schedule)), facts.rankStages);
      const early = stepBeyondAtLeast(layout, gpu, env, pricing.placementOf(plan), rankHoldings(layout, split), windows, layerMemoryTerms(design.model, plan));
      expect(early).toBeLessThanOrEqual(late);
      expect(early).toBeGreaterThanOrEqual(late * (1 - 1e-6));
      // Layouts whose exposed DP time reads the windows: what shows that the windows are the estimate's.
      const withoutWindows = stepBeyondAtLeast(layout, gpu, env, pricing.placementOf(plan), rankHoldings(layout, split), { ...windows, forwardSeconds: 0, backwardSeconds: 0 }, layerMemoryTerms(design.model, plan));
      if (withoutWindows > late * (1 + 1e-6)) exposedDp++;
      checked++;
    }
    expect(checked).toBeGreaterThan(150);
    expect(exposedDp).toBeGreaterThan(30);
  });

  it('a stage-contents number stands for one split, in every family of the space', () => {
    const random = seededRandom(26);
    let checked = 0;
    for (let d = 0; d < 8; d++) {
      const design = randomDesign(random);
      const splits = new Map<number, string>();
      for (const shape of enumerateShapes(design, { maxMicroBatchSize: 2 })) {
        for (const batch of shape.batches) {
          for (const choice of batch.schedules) {
            const plan = choicePlan({ ...shape.base, microBatchSize: batch.microBatchSize, microbatches: batch.microbatches }, choice);
            const split = JSON.stringify(splitLayers({ ...design, plan }, stageCount({ plan })));
            const seen = splits.get(choice.content);
            if (seen === undefined) splits.set(choice.content, split);
            else expect(split).toEqual(seen);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
  });
});
