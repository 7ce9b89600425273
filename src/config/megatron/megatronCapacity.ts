// Megatron's expert-capacity keys → the plan's capacity (model/cost/compute/capacity.ts). `moe_token_drop_policy` (which
// copies are dropped) changes no cost and stays acknowledged (notModelled.ts).
import { isSymbolic } from '../../model/design';
import { describe, parseFlag, type DraftBuilder } from '../draft/draftBuilder';
import { isSet, type KeyLookup } from './keyValue';

/** `moe_expert_capacity_factor` (None: no capacity) and `moe_pad_expert_input_to_capacity`. */
export function applyExpertCapacity(get: KeyLookup, builder: DraftBuilder): void {
  const factor = get('moe_expert_capacity_factor');
  const none = !isSet(factor) || (typeof factor.raw === 'string' && /^(none|null)$/i.test(factor.raw.trim()));
  if (!none) {
    if (isSymbolic(factor.raw)) builder.set('plan.expertCapacityFactor', factor.raw, factor.keyRange, factor.valueRange);
    else if (typeof factor.raw === 'number' && factor.raw > 0) builder.set('plan.expertCapacityFactor', factor.raw, factor.keyRange, factor.valueRange);
    else builder.report('error', 'value/invalid', `${factor.name}: expected a positive number or None, got ${describe(factor.raw)}`, factor.valueRange, 'plan.expertCapacityFactor');
  }
  const pad = get('moe_pad_expert_input_to_capacity');
  if (!isSet(pad)) return;
  const parsed = isSymbolic(pad.raw) ? { ok: true as const, value: pad.raw } : parseFlag(pad.raw);
  if (!parsed.ok) return builder.report('error', 'value/invalid', `${pad.name}: ${parsed.message}`, pad.valueRange, 'plan.padExpertsToCapacity');
  builder.set('plan.padExpertsToCapacity', parsed.value, pad.keyRange, pad.valueRange);
  // Megatron's TransformerConfig: padding needs a capacity factor.
  if (parsed.value === true && none) builder.report('warning', 'value/unsupported', `${pad.name}: Megatron-LM requires moe_expert_capacity_factor with padding to capacity; nothing is padded`, pad.keyRange, 'plan.padExpertsToCapacity');
}
