// Two small languages Megatron accepts as values: the pipeline layout (`Et*2|(tt|)*5t|tmL`, arguments.py help:
// "E, L, t, m denote embedding, loss, transformer decoder layer, and mtp layer … Stages are split by '|'.
// Replicated stages or layers can be described with multiplication. Commas can be used cosmetically") and the MoE
// layer pattern (`[0]*3+[1]*58`, `([0]*3+[1]*11)`, a YAML list, or an integer frequency).

/** Expanded layouts longer than this are not expanded (a typo such as `*100000000` must not hang a hover). */
const MAX_EXPANDED = 200_000;

/** Expands `(...)*n` and `x*n` repetitions; undefined when the text is not a layout or expands too far. */
export function expandLayout(layout: string): string | undefined {
  let text = layout.replace(/[,\s]/g, '');
  if (!/^[EtmL|()*0-9]*$/.test(text)) return undefined;
  // Innermost groups first, then single-letter repeats; each pass removes at least one operator.
  for (let guard = 0; guard < 1000; guard++) {
    const group = /\(([^()]*)\)\*(\d+)/.exec(text);
    if (!group) break;
    const repeated = repeat(group[1]!, Number(group[2]));
    if (repeated === undefined) return undefined;
    text = text.slice(0, group.index) + repeated + text.slice(group.index + group[0].length);
    if (text.length > MAX_EXPANDED) return undefined;
  }
  text = text.replace(/\(([^()]*)\)/g, '$1');
  let failed = false;
  text = text.replace(/([EtmL|])\*(\d+)/g, (_, unit: string, times: string) => repeat(unit, Number(times)) ?? ((failed = true), ''));
  if (failed || text.length > MAX_EXPANDED || /[()*0-9]/.test(text)) return undefined;
  return text;
}

function repeat(unit: string, times: number): string | undefined {
  if (!Number.isSafeInteger(times) || unit.length * times > MAX_EXPANDED) return undefined;
  return unit.repeat(times);
}

/** Pipeline stages a layout describes: `Et|(tt|)*30mL` → 32 (FORMATS.md A.2). */
export function countLayoutStages(layout: string): number | undefined {
  const expanded = expandLayout(layout);
  if (expanded === undefined || expanded === '') return undefined;
  return expanded.split('|').length;
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
