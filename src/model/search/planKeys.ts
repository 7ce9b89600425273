// Numbers for the plan fields a search's shared work reads: the stage costs of one stage holding every layer, the
// pricing context and the activation terms read TP, CP, EP, ETP, the micro-batch size and the recomputation
// (sharedPricing.ts says why), so the families with the same six share them. A search asks for such a key tens of
// thousands of times, mostly for plans it built a moment before: a number is built and hashed faster than a string.
import type { ParallelPlan, RecomputeModule } from '../design';

export type SharedPlanKey = number | string;

/** The plan fields a key reads besides EP. */
export type KeyedFields = Pick<ParallelPlan, 'tp' | 'cp' | 'etp' | 'microBatchSize' | 'recompute' | 'recomputeModules'>;

export class PlanKeys {
  /** One more than the largest degree (the world size), and than the largest micro-batch size: the key's digits. */
  private readonly degreeBase: number;
  private readonly batchBase: number;
  /** The recomputations with a module list seen so far, numbered; looked up by the list's identity first (a family's plans share it). */
  private readonly byModules = new WeakMap<readonly RecomputeModule[], Map<string, number>>();
  private readonly byName = new Map<string, number>();

  constructor(worldSize: number, maxMicroBatchSize: number) {
    this.degreeBase = Math.max(1, worldSize) + 1;
    this.batchBase = Math.max(1, maxMicroBatchSize) + 1;
  }

  /** The key of (TP, CP, EP, ETP, micro-batch size, recomputation). */
  shared(plan: ParallelPlan): SharedPlanKey {
    return this.keyOf(plan, plan.ep);
  }

  /** The same key with EP 1: what a stage costs without its all-to-all (sharedPricing.ts workWithoutAllToAll). */
  withoutExperts(plan: KeyedFields): SharedPlanKey {
    return this.keyOf(plan, 1);
  }

  /**
   * The key of the activation terms (cost/memory/memory.ts layerMemoryTerms): they read EP only as whether it is
   * above 1 (the dispatched tokens a rank keeps), so the plans with EP 2 and above share one.
   */
  activations(plan: ParallelPlan): SharedPlanKey {
    return this.keyOf(plan, Math.min(plan.ep, 2));
  }

  private keyOf(plan: KeyedFields, ep: number): SharedPlanKey {
    const base = this.degreeBase;
    const { tp, cp, etp, microBatchSize } = plan;
    const recompute = this.recomputeNumber(plan);
    const key = ((((recompute * this.batchBase + microBatchSize) * base + tp) * base + cp) * base + ep) * base + etp;
    // Degrees or batch sizes out of range (a plan the space would not hold) or a key past 2^53: a string, never a clash.
    const inRange = microBatchSize < this.batchBase && tp < base && cp < base && ep < base && etp < base && Number.isSafeInteger(key);
    return inRange ? key : `${tp}/${cp}/${ep}/${etp}/${microBatchSize}/${recompute}`;
  }

  private recomputeNumber(plan: KeyedFields): number {
    const modules = plan.recomputeModules;
    // Without a module list the recomputation is one of three: numbered without a lookup.
    if (modules === undefined) return plan.recompute === 'none' ? 0 : plan.recompute === 'full' ? 1 : 2;
    let byRecompute = this.byModules.get(modules);
    if (!byRecompute) this.byModules.set(modules, (byRecompute = new Map()));
    let known = byRecompute.get(plan.recompute);
    if (known === undefined) {
      // Another list with the same modules in the same order gets the same number; 0 to 2 are taken above.
      const name = `${plan.recompute}/${modules.join('+')}`;
      known = this.byName.get(name);
      if (known === undefined) this.byName.set(name, (known = this.byName.size + 3));
      byRecompute.set(plan.recompute, known);
    }
    return known;
  }
}
