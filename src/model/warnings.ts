// The warning thresholds the editor's settings default to, and the near-capacity warning, in one place so that
// `plens` and the editor report the same problems for the same file (a DeepSeek-V3 layout at 97 % of HBM warns in
// both). The editor passes its settings instead of these defaults.
import type { Estimate } from './estimate';
import type { Problem } from './problems';

/** package.json `parallelismLens.bubbleWarningFraction`'s default. */
export const DEFAULT_BUBBLE_WARNING_FRACTION = 0.1;
/** package.json `parallelismLens.memoryWarningFraction`'s default. */
export const DEFAULT_MEMORY_WARNING_FRACTION = 0.9;

/**
 * Ranks that fit but leave less headroom than the threshold: a `memory/near-capacity` warning on the PP key,
 * worst first. Over capacity is the model's `memory/over-capacity` error already.
 */
export function nearCapacity(estimate: Estimate, fraction: number): Problem[] {
  const { capacityBytes, stages } = estimate.memory;
  const limit = fraction * capacityBytes;
  const tight = stages.filter((m) => m.totalBytes > limit && m.totalBytes <= capacityBytes).sort((a, b) => b.totalBytes - a.totalBytes);
  const worst = tight[0];
  if (!worst) return [];
  const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(1);
  const others = tight.length > 1 ? ` (and ${tight.length - 1} more rank${tight.length > 2 ? 's' : ''} above it)` : '';
  return [{
    severity: 'warning', code: 'memory/near-capacity', field: 'plan.pp',
    message: `pipeline rank ${worst.stage} needs ${gib(worst.totalBytes)} of ${gib(capacityBytes)} GiB per GPU (${Math.round((worst.totalBytes / capacityBytes) * 100)} % of HBM), above the ${Math.round(fraction * 100)} % warning threshold (setting parallelismLens.memoryWarningFraction)${others}`,
  }];
}
