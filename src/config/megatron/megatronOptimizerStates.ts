// Megatron's precision-aware optimizer keys → the plan's optimizer-state dtypes (model/cost/memory/memory.ts
// stateBytesOf). Megatron reads the dtypes only with --use-precision-aware-optimizer (OptimizerConfig asserts they
// stay fp32 otherwise), so without it they are left alone.
import { isSymbolic, type FieldPath, type MomentDtype } from '../../model/design';
import { describe, parseFlag, type DraftBuilder } from '../draft/draftBuilder';
import { isSet, type KeyLookup, type KeyValue } from './keyValue';

/**
 * A dtype as the command line (`bf16`) or a dataclass dump (`torch.bfloat16`) writes it; Megatron maps `fp8` to
 * torch.uint8 (arguments.py map_dtype), which a dump writes as `torch.uint8`.
 */
function dtypeOf(raw: unknown): MomentDtype | undefined {
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim().toLowerCase().replace(/^torch\./, '');
  const names: Record<string, MomentDtype> = {
    fp32: 'fp32', float32: 'fp32', float: 'fp32', bf16: 'bf16', bfloat16: 'bf16', fp16: 'fp16', float16: 'fp16', half: 'fp16', fp8: 'fp8', uint8: 'fp8',
  };
  return names[text];
}

function setDtype(builder: DraftBuilder, entry: KeyValue | undefined, path: FieldPath, allowed: readonly MomentDtype[]): MomentDtype | undefined {
  if (!isSet(entry)) return undefined;
  if (isSymbolic(entry.raw)) {
    builder.set(path, entry.raw, entry.keyRange, entry.valueRange);
    return undefined;
  }
  const dtype = dtypeOf(entry.raw);
  if (!dtype || !allowed.includes(dtype)) {
    builder.report('error', 'value/invalid', `${entry.name}: expected one of ${allowed.join(', ')}, got ${describe(entry.raw)}`, entry.valueRange, path);
    return undefined;
  }
  builder.set(path, dtype, entry.keyRange, entry.valueRange);
  return dtype;
}

/**
 * `use_precision_aware_optimizer` with `main_params_dtype` (fp32, fp16), `exp_avg_dtype` and `exp_avg_sq_dtype`
 * (fp32, fp16, bf16, fp8), `store_param_remainders`; `main_grads_dtype` bf16 keeps the gradient buffer and its
 * reductions in BF16, which is the plan's `gradReduceInFp32: false` (arguments.py leaves
 * accumulate_allreduce_grads_in_fp32 off when main_grads_dtype is not fp32).
 */
export function applyOptimizerStates(get: KeyLookup, builder: DraftBuilder): void {
  const flag = get('use_precision_aware_optimizer');
  if (!isSet(flag)) return;
  if (isSymbolic(flag.raw)) return builder.set('plan.precisionAwareOptimizer', flag.raw, flag.keyRange, flag.valueRange);
  const parsed = parseFlag(flag.raw);
  if (!parsed.ok || parsed.value !== true) return;
  builder.set('plan.precisionAwareOptimizer', true, flag.keyRange, flag.valueRange);
  setDtype(builder, get('main_params_dtype'), 'plan.optimizerMainParams', ['fp32', 'fp16']);
  setDtype(builder, get('exp_avg_dtype'), 'plan.optimizerExpAvg', ['fp32', 'fp16', 'bf16', 'fp8']);
  setDtype(builder, get('exp_avg_sq_dtype'), 'plan.optimizerExpAvgSq', ['fp32', 'fp16', 'bf16', 'fp8']);
  const remainders = get('store_param_remainders');
  if (isSet(remainders)) {
    const value = isSymbolic(remainders.raw) ? { ok: true as const, value: remainders.raw } : parseFlag(remainders.raw);
    if (value.ok) builder.set('plan.optimizerParamRemainders', value.value, remainders.keyRange, remainders.valueRange);
  }
  const grads = get('main_grads_dtype');
  if (!isSet(grads) || isSymbolic(grads.raw)) return;
  const gradDtype = dtypeOf(grads.raw);
  if (gradDtype === 'bf16') builder.set('plan.gradReduceInFp32', false, grads.keyRange, grads.valueRange);
  else if (gradDtype !== 'fp32') builder.report('error', 'value/invalid', `${grads.name}: expected one of fp32, bf16, got ${describe(grads.raw)}`, grads.valueRange, 'plan.gradReduceInFp32');
}

/**
 * The dtype gradients are accumulated and reduced in (`plan.gradReduceInFp32`, traffic.ts gradientBytesOf):
 * `grad_reduce_in_fp32` is the field of Megatron's DistributedDataParallelConfig that NeMo 2's precision plugin
 * and Megatron-Bridge's `ddp` / `mixed_precision` configs set, read as written. On Megatron's command line
 * arguments.py reduces in FP32 for BF16 (and so FP8) training unless `--grad-reduce-in-bf16`, and
 * `--accumulate-allreduce-grads-in-fp32` asks for FP32 (with FP16 too); without it FP16 reduces in FP16, the
 * model's default, so only the flag's being on says something.
 */
export function applyGradReduceDtype(get: KeyLookup, builder: DraftBuilder): void {
  const direct = get('grad_reduce_in_fp32');
  if (isSet(direct)) {
    const parsed = isSymbolic(direct.raw) ? { ok: true as const, value: direct.raw } : parseFlag(direct.raw);
    if (parsed.ok) builder.set('plan.gradReduceInFp32', parsed.value, direct.keyRange, direct.valueRange);
    else builder.report('error', 'value/invalid', `${direct.name}: ${parsed.message}`, direct.valueRange, 'plan.gradReduceInFp32');
    return;
  }
  const on = (entry: KeyValue | undefined): entry is KeyValue => {
    if (!isSet(entry) || isSymbolic(entry.raw)) return false;
    const parsed = parseFlag(entry.raw);
    return parsed.ok && parsed.value === true;
  };
  const inBf16 = get('grad_reduce_in_bf16');
  if (on(inBf16)) return builder.set('plan.gradReduceInFp32', false, inBf16.keyRange, inBf16.valueRange);
  const inFp32 = get('accumulate_allreduce_grads_in_fp32');
  if (on(inFp32)) builder.set('plan.gradReduceInFp32', true, inFp32.keyRange, inFp32.valueRange);
}
