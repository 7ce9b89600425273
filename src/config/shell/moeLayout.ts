// Megatron's list-valued flags written as Python expressions: `--moe-layer-freq [0]*3+[1]*58` (1 = MoE layer)
// and `--pipeline-model-parallel-layout "Et|(tt|)*30mL"` (FORMATS.md A.2).

const MAX_ITEMS = 100_000;

/** `[0]*3+[1]*58` → [0,0,0,1,…]; an integer k means every k-th layer is MoE. Undefined when not understood. */
export function parseMoeLayerFreq(text: string, layers: number | undefined): number[] | undefined {
  const compact = text.replace(/\s+/g, '').replace(/^\((.*)\)$/, '$1');
  if (/^\d+$/.test(compact)) {
    const every = Number(compact);
    if (every < 1 || layers === undefined || layers > MAX_ITEMS) return undefined;
    return Array.from({ length: layers }, (_, i) => (i % every === 0 ? 1 : 0));
  }
  const items: number[] = [];
  for (const term of compact.split('+')) {
    const match = /^\[([\d,]*)\](?:\*(\d+))?$/.exec(term);
    if (!match) return undefined;
    const list = (match[1] ?? '').split(',').filter((x) => x !== '').map(Number);
    const times = match[2] === undefined ? 1 : Number(match[2]);
    if (items.length + list.length * times > MAX_ITEMS) return undefined;
    for (let i = 0; i < times; i++) items.push(...list);
  }
  return items;
}

/** Leading dense layers of a MoE pattern (DeepSeek-V3: 3). */
export function leadingDense(pattern: readonly number[]): number {
  const first = pattern.findIndex((x) => x !== 0);
  return first < 0 ? pattern.length : first;
}

/** Stages of a pipeline layout: `(…)*n` and `x*n` repeat, `|` separates stages, commas are cosmetic. */
export function countLayoutStages(layout: string): number | undefined {
  let text = layout.replace(/[\s,"']/g, '');
  for (let round = 0; round < 20 && text.includes('('); round++) {
    const next = text.replace(/\(([^()]*)\)\*(\d+)/g, (_, body: string, times: string) => {
      const count = Number(times);
      return count * body.length > MAX_ITEMS ? '' : body.repeat(count);
    });
    if (next === text) return undefined;
    text = next;
  }
  if (!/^[A-Za-z|*\d]*$/.test(text) || text.length > MAX_ITEMS) return undefined;
  return text.split('|').length;
}
