// Two small languages Megatron accepts as values: the pipeline layout (`Et*2|(tt|)*5t|tmL`, arguments.py help:
// "E, L, t, m denote embedding, loss, transformer decoder layer, and mtp layer … Stages are split by '|'.
// Replicated stages or layers can be described with multiplication. Commas can be used cosmetically") and the MoE
// layer pattern (`[0]*3+[1]*58`, `([0]*3+[1]*11)`, a YAML list, or an integer frequency). The layout's grammar
// and rules live in the model (pipelineLayout.ts).
import { parseLayoutString } from '../../model/pipelineLayout';

/** Patterns longer than this are not expanded (a typo such as `[1]*100000000` must not hang a hover). */
const MAX_EXPANDED = 200_000;

/** Pipeline stages a layout describes: `Et|(tt|)*30mL` → 32 (FORMATS.md A.2); undefined when it does not parse. */
export function countLayoutStages(layout: string): number | undefined {
  const parsed = parseLayoutString(layout);
  return parsed.ok ? parsed.stages.length : undefined;
}

/**
 * The MoE layer pattern as leading dense layers and, for an integer frequency N > 1, the MoE interval
 * (Megatron: layer i is MoE when i % N == 0).
 */
export function leadingDenseLayers(raw: unknown): { denseLayers?: number; interval?: number } {
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 1) return { denseLayers: 0, interval: raw };
  const pattern = Array.isArray(raw) ? raw : typeof raw === 'string' ? parsePatternExpression(raw) : undefined;
  if (!pattern || pattern.length === 0 || !pattern.every((x) => x === 0 || x === 1)) return {};
  const firstMoe = pattern.indexOf(1);
  return { denseLayers: firstMoe < 0 ? pattern.length : firstMoe };
}

/** `[0]*3+[1]*58`, optionally in parentheses, or a Python list literal `[0,0,1]`. */
function parsePatternExpression(text: string): number[] | undefined {
  const trimmed = text.trim().replace(/^\((.*)\)$/s, '$1').replace(/\s/g, '');
  if (/^\d+$/.test(trimmed)) return undefined;
  const out: number[] = [];
  for (const term of trimmed.split('+')) {
    const match = /^\[([01](?:,[01])*)\](?:\*(\d+))?$/.exec(term);
    if (!match) return undefined;
    const items = match[1]!.split(',').map(Number);
    const times = match[2] === undefined ? 1 : Number(match[2]);
    if (out.length + items.length * times > MAX_EXPANDED) return undefined;
    for (let i = 0; i < times; i++) out.push(...items);
  }
  return out;
}
