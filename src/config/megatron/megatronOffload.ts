// Megatron's offloading keys → the plan's offload fields (model/cost/memory/offload.ts), read as Megatron reads them, with
// Megatron's own refusals said at the line (docs/MEMORY.md "Offloading").
import { ACTIVATION_OFFLOAD_MODULES, isSymbolic, type ActivationOffloadModule } from '../../model/design';
import { describe, parseCount, parseFlag, type DraftBuilder } from '../draft/draftBuilder';
import { isSet, type KeyLookup, type KeyValue } from './keyValue';

/** A flag's value when it is a plain boolean (or a word for one); undefined when absent or symbolic. */
function flagOf(entry: KeyValue | undefined): boolean | undefined {
  if (!isSet(entry) || isSymbolic(entry.raw)) return undefined;
  const parsed = parseFlag(entry.raw);
  return parsed.ok && typeof parsed.value === 'boolean' ? parsed.value : undefined;
}

/**
 * Activation offload. Transformer Engine's CPU offload context offloads the first `cpu_offloading_num_layers`
 * layers when `cpu_offloading` is on; on the command line a positive count turns it on by itself (arguments.py:
 * `if args.cpu_offloading_num_layers > 0: args.cpu_offloading = True`), in a dataclass config it does nothing
 * without the switch. `cpu_offloading_activations: false` offloads weights only (acknowledged elsewhere).
 */
export function applyActivationOffload(get: KeyLookup, builder: DraftBuilder, commandLine: boolean): void {
  const switchEntry = get('cpu_offloading');
  const layers = get('cpu_offloading_num_layers');
  const count = isSet(layers) && typeof layers.raw === 'number' ? layers.raw : 0;
  const on = flagOf(switchEntry) === true || (commandLine && (count > 0 || (isSet(layers) && isSymbolic(layers.raw))));
  if (!on) return;
  const anchor = isSet(layers) ? layers : switchEntry!;
  if (flagOf(get('cpu_offloading_activations')) === false) {
    builder.set('plan.activationOffloadLayers', 0, anchor.keyRange, anchor.valueRange);
    return;
  }
  if (!isSet(layers) || count === 0) {
    builder.report('info', 'value/no-effect', `${switchEntry?.name ?? 'cpu_offloading'}: with cpu_offloading_num_layers 0 Transformer Engine offloads no layer's activations`, anchor.keyRange, 'plan.activationOffloadLayers');
    builder.set('plan.activationOffloadLayers', 0, anchor.keyRange, anchor.valueRange);
    return;
  }
  const parsed = isSymbolic(layers.raw) ? { ok: true as const, value: layers.raw } : parseCount(layers.raw, 0);
  if (!parsed.ok) return builder.report('error', 'value/invalid', `${layers.name}: ${parsed.message}`, layers.valueRange, 'plan.activationOffloadLayers');
  builder.set('plan.activationOffloadLayers', parsed.value, layers.keyRange, layers.valueRange);
  // TransformerConfig.__post_init__ refuses these; the estimate still prices what the file asks for.
  const refusals: string[] = [];
  const pp = builder.draft.plan.pp;
  if (typeof pp === 'number' && pp > 1) refusals.push('pipeline parallelism');
  const recompute = builder.draft.plan.recompute;
  if (recompute === 'selective' || recompute === 'full') refusals.push('activation recomputation');
  const modelLayers = builder.draft.model.layers;
  if (typeof modelLayers === 'number' && count >= modelLayers) refusals.push(`offloading all ${modelLayers} layers (at most ${modelLayers - 1})`);
  if (refusals.length > 0) {
    builder.report('warning', 'value/unsupported', `${layers.name}: Megatron-LM refuses CPU offloading with ${refusals.join(' and ')}; the estimate offloads as asked`, layers.keyRange, 'plan.activationOffloadLayers');
  }
}

/**
 * Fine-grained activation offload (TransformerConfig.fine_grained_activation_offloading with offload_modules, both
 * dataclass fields and --flags): the modules' saved tensors go to the host (model/cost/memory/offload.ts). Megatron asserts
 * a non-empty list of known modules and refuses it beside cpu_offloading; `gdp_qkv` belongs to GatedDeltaProduct
 * mixers, which no model here has.
 */
export function applyFineGrainedOffload(get: KeyLookup, builder: DraftBuilder): void {
  const switchEntry = get('fine_grained_activation_offloading');
  if (flagOf(switchEntry) !== true) return;
  const list = get('offload_modules');
  const anchor = isSet(list) ? list : switchEntry!;
  if (isSet(list) && isSymbolic(list.raw)) return builder.set('plan.activationOffloadModules', list.raw, list.keyRange, list.valueRange);
  const names = !isSet(list) ? [] : Array.isArray(list.raw) ? list.raw.map((item) => String(item).trim())
    : typeof list.raw === 'string' ? list.raw.replace(/[[\]'"]/g, ' ').split(/[\s,]+/).filter((word) => word.length > 0) : undefined;
  if (!names) {
    return builder.report('error', 'value/invalid', `${anchor.name}: expected a list of ${ACTIVATION_OFFLOAD_MODULES.join(', ')}, got ${describe(list!.raw)}`, anchor.valueRange, 'plan.activationOffloadModules');
  }
  const modules: ActivationOffloadModule[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    const module = ACTIVATION_OFFLOAD_MODULES.find((known) => known === name);
    if (module) {
      if (!modules.includes(module)) modules.push(module);
    } else if (name !== 'gdp_qkv') unknown.push(name);
  }
  if (names.length === 0) {
    builder.report('warning', 'value/unsupported', `${switchEntry!.name}: Megatron-LM requires offload_modules with fine-grained activation offloading; nothing is offloaded`, switchEntry!.keyRange, 'plan.activationOffloadModules');
  } else if (unknown.length > 0) {
    builder.report('error', 'value/invalid', `${anchor.name}: Megatron-LM does not know ${unknown.join(', ')} (known: ${[...ACTIVATION_OFFLOAD_MODULES, 'gdp_qkv'].join(', ')})`, anchor.valueRange, 'plan.activationOffloadModules');
  } else if (modules.length === 0) {
    builder.report('info', 'value/no-effect', `${anchor.name}: gdp_qkv offloads inside GatedDeltaProduct mixers, which this model does not have`, anchor.valueRange, 'plan.activationOffloadModules');
  }
  builder.set('plan.activationOffloadModules', modules, anchor.keyRange, anchor.valueRange);
  if (flagOf(get('cpu_offloading')) === true || (isSet(get('cpu_offloading_num_layers')) && Number(get('cpu_offloading_num_layers')!.raw) > 0)) {
    builder.report('warning', 'value/unsupported', `${switchEntry!.name}: Megatron-LM refuses fine-grained activation offloading with cpu_offloading; the estimate offloads the modules only`, switchEntry!.keyRange, 'plan.activationOffloadModules');
  }
}

/**
 * Optimizer offload: Megatron's HybridDeviceOptimizer steps `optimizer_offload_fraction` of each GPU's optimizer
 * state on the CPU, its copies and host Adam pipelined under `overlap_cpu_optimizer_d2h_h2d`. The fraction defaults to 1.0 on the command line (arguments.py) and to 0.0 in OptimizerConfig,
 * which NeMo 2 and Megatron-Bridge configs fill in.
 */
export function applyOptimizerOffload(get: KeyLookup, builder: DraftBuilder, commandLine: boolean): void {
  const offload = get('optimizer_cpu_offload');
  const overlap = get('overlap_cpu_optimizer_d2h_h2d');
  if (flagOf(offload) !== true) {
    if (flagOf(overlap) === true) builder.report('info', 'value/no-effect', `${overlap!.name}: without optimizer_cpu_offload there are no host copies to overlap`, overlap!.keyRange, 'plan.optimizerOffloadOverlap');
    return;
  }
  // HybridDeviceOptimizer pipelines the gradient copies, host Adam and weight copies (model/cost/memory/offload.ts).
  const overlapped = flagOf(overlap);
  if (overlapped !== undefined) builder.set('plan.optimizerOffloadOverlap', overlapped, overlap!.keyRange, overlap!.valueRange);
  const fraction = get('optimizer_offload_fraction');
  if (isSet(fraction)) {
    if (isSymbolic(fraction.raw)) return builder.set('plan.optimizerOffloadFraction', fraction.raw, fraction.keyRange, fraction.valueRange);
    const value = typeof fraction.raw === 'number' ? fraction.raw : Number.NaN;
    if (!(value >= 0 && value <= 1)) {
      return builder.report('error', 'value/invalid', `${fraction.name}: expected a fraction from 0 to 1, got ${describe(fraction.raw)}`, fraction.valueRange, 'plan.optimizerOffloadFraction');
    }
    builder.set('plan.optimizerOffloadFraction', value, fraction.keyRange, fraction.valueRange);
  } else {
    builder.set('plan.optimizerOffloadFraction', commandLine ? 1 : 0, offload!.keyRange, offload!.valueRange);
    if (!commandLine) builder.report('info', 'value/defaulted', `${offload!.name}: optimizer_offload_fraction is not given and OptimizerConfig's default is 0.0: nothing is offloaded`, offload!.keyRange, 'plan.optimizerOffloadFraction');
  }
  // arguments.py: "The optimizer cpu offload must be used in conjunction with `--use-precision-aware-optimizer`".
  if (flagOf(get('use_precision_aware_optimizer')) !== true) {
    builder.report('warning', 'value/unsupported', `${offload!.name}: Megatron-LM requires use_precision_aware_optimizer with optimizer CPU offload`, offload!.keyRange, 'plan.optimizerOffloadFraction');
  }
}
