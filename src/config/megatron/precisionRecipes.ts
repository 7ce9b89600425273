// NeMo 2 and Megatron-Bridge name their mixed-precision settings by recipe (`bf16_with_mxfp8_mixed`); each name
// sets Megatron's fp8 / fp8_recipe / fp4 fields (megatron/bridge/training/mixed_precision.py). The low-precision
// part of a name decides the GEMM precision and recipe, so a Blackwell recipe is never read as BF16.
import type { Fp8Recipe } from '../../model/design';

export interface RecipePrecision {
  precision: 'bf16' | 'fp16' | 'fp8';
  /** Absent: the name sets FP8 without choosing a scaling (Megatron's delayed scaling, completion's default). */
  fp8Recipe?: Fp8Recipe;
}

/**
 * `bf16_mixed`, `fp16_with_fp8_mixed`, `bf16_with_fp8_current_scaling_mixed`, `bf16_with_fp8_subchannel_scaling_mixed`,
 * `bf16_with_mxfp8_mixed`, `bf16_with_nvfp4_mixed` (also with a model prefix, `nemotron_h_…`); undefined for a
 * name that is not a mixed-precision recipe.
 */
export function precisionOfRecipeName(name: string): RecipePrecision | undefined {
  const match = /(?:^|_)(bf16|fp16)_(?:with_(\w+?)_)?mixed$/.exec(name.trim().toLowerCase());
  if (!match) return undefined;
  const low = match[2];
  if (low === undefined) return { precision: match[1] === 'fp16' ? 'fp16' : 'bf16' };
  if (low.includes('nvfp4') || low === 'fp4') return { precision: 'fp8', fp8Recipe: 'nvfp4' };
  if (low.includes('mxfp8')) return { precision: 'fp8', fp8Recipe: 'mxfp8' };
  if (low.includes('current_scaling')) return { precision: 'fp8', fp8Recipe: 'tensorwise' };
  if (low.includes('subchannel') || low.includes('blockwise')) return { precision: 'fp8', fp8Recipe: 'blockwise' };
  if (low.includes('fp8')) return { precision: 'fp8', fp8Recipe: 'delayed' };
  return undefined;
}
