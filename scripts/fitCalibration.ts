// Fits the catalog's free plateaus (efficiency.ts) on the FIT rows only (scripts/validationSplit.ts; every A100 row
// is a fit row): coordinate descent over a 0.01 grid, minimising per group the median |error| plus a quarter of the
// max. It never reads a held-out row. Run: npm run fit (prints the values to copy into efficiency.ts).
import type { Calibration } from '../src/model/cost/calibration';
import type { Design } from '../src/model/design';
import { estimate } from '../src/model/estimate';
import { mapRow, type RunRow } from './validation';
import { mapModernRow, type ModernRow } from './validationModern';
import { MODERN_FIT_IDS } from './validationSplit';

interface FitCase { group: string; design: Design; measure: (d: Design) => number | null; reported: number }

export type Params = Record<string, number>;

/** Which parameter sets which calibration value on a row of a group. */
function calibrationOf(group: string, precision: string, p: Params): Partial<Calibration> {
  const fixed = { layerFixedSeconds: p.layerFixed!, moeLayerFixedSeconds: p.moeLayerFixed! };
  if (group === 'A100') return { ...fixed, gemmFraction: p.ampereGemm!, attentionFraction: p.ampereAttention! };
  if (group === 'H100-96GB') return { ...fixed, gemmFraction: precision === 'fp8' ? p.tealFp8Gemm! : p.tealBf16Gemm!, attentionFraction: p.tealAttention! };
  if (group === 'H100') return { ...fixed, gemmFraction: p.hopperFp8Gemm!, expertGemmFraction: p.hopperFp8Gemm! * 0.85 };
  return { ...fixed, gemmFraction: p.blackwellFp8Gemm!, expertGemmFraction: p.blackwellFp8Gemm! * 0.85, attentionFraction: p.blackwellAttention! };
}

const GROUP_PARAMS: Record<string, string[]> = {
  A100: ['ampereGemm', 'ampereAttention'],
  'H100-96GB': ['tealBf16Gemm', 'tealFp8Gemm', 'tealAttention'],
  H100: ['hopperFp8Gemm'],
  Blackwell: ['blackwellFp8Gemm', 'blackwellAttention', 'moeLayerFixed'],
};

export function fitCases(a100: { runs: RunRow[] }, modern: { runs: ModernRow[] }): FitCase[] {
  const cases: FitCase[] = [];
  for (const row of a100.runs) {
    const mapped = mapRow(row);
    if (!mapped.design || row.id.includes('zero3')) continue;
    const unit = row.reported.unit;
    cases.push({
      group: 'A100', design: mapped.design, reported: row.reported.value,
      measure: (d) => {
        const e = estimate(d).estimate;
        if (!e) return null;
        if (unit === 's') return e.stepTimeSeconds;
        const { layers: l, hidden: h, vocab: v } = d.model;
        const s = d.plan.seqLength;
        return (96 * d.plan.globalBatchSize * s * l * h * h * (1 + s / (6 * h) + v / (16 * l * h))) / (d.cluster.worldSize * e.stepTimeSeconds) / 1e12;
      },
    });
  }
  for (const row of modern.runs) {
    if (!MODERN_FIT_IDS.includes(row.id)) continue;
    const { design } = mapModernRow(row);
    const group = design.cluster.gpu === 'H100-96GB' ? 'H100-96GB' : design.cluster.gpu === 'H100-SXM' ? 'H100' : 'Blackwell';
    cases.push({ group, design, reported: row.reported.value, measure: (d) => { const e = estimate(d).estimate; return e ? e.tokensPerSecond / d.cluster.worldSize : null; } });
  }
  return cases;
}

function score(cases: FitCase[], p: Params): number {
  const errors: number[] = [];
  for (const c of cases) {
    const d = { ...c.design, calibration: calibrationOf(c.group, c.design.plan.precision, p) };
    const m = c.measure(d);
    errors.push(m === null ? 10 : Math.abs(m / c.reported - 1));
  }
  errors.sort((a, b) => a - b);
  const mid = errors.length / 2;
  const median = errors.length % 2 ? errors[Math.floor(mid)]! : (errors[mid - 1]! + errors[mid]!) / 2;
  return median + 0.25 * errors[errors.length - 1]!;
}

export function fit(cases: FitCase[], start: Params): Params {
  const p = { ...start };
  for (let round = 0; round < 3; round++) {
    for (const name of ['layerFixed', ...Object.values(GROUP_PARAMS).flat()]) {
      const group = Object.entries(GROUP_PARAMS).find(([, names]) => names.includes(name))?.[0];
      const subset = group ? cases.filter((c) => c.group === group) : cases;
      const grid = name === 'layerFixed' || name === 'moeLayerFixed' ? [0, 20e-6, 40e-6, 60e-6, 80e-6, 100e-6, 120e-6, 160e-6, 200e-6, 250e-6, 300e-6, 400e-6, 500e-6] : Array.from({ length: 71 }, (_, i) => 0.2 + i * 0.01);
      let best = p[name]!;
      let bestScore = score(subset, p);
      for (const value of grid) {
        const s = score(subset, { ...p, [name]: value });
        if (s < bestScore - 1e-9) { best = value; bestScore = s; }
      }
      p[name] = best;
    }
  }
  return p;
}
