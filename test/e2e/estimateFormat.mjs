// The rounding the panel, hover and CodeLens use (src/extension/format.ts), restated so the end-to-end test can
// turn `plens estimate --json` numbers into the text the panel must show. Three significant figures, whole
// percents from 1 % up, GiB for memory.

const GIB = 2 ** 30;

export function significant(value, digits = 3) {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  if (magnitude >= digits) {
    const step = 10 ** (magnitude - digits + 1);
    return String(Math.round(value / step) * step);
  }
  return String(Number(value.toPrecision(digits)));
}

export function formatSeconds(seconds) {
  const abs = Math.abs(seconds);
  if (abs === 0) return '0 s';
  if (abs < 1e-3) return `${significant(seconds * 1e6)} µs`;
  if (abs < 1) return `${significant(seconds * 1e3)} ms`;
  if (abs < 600) return `${significant(seconds)} s`;
  if (abs < 36_000) return `${significant(seconds / 60)} min`;
  return `${significant(seconds / 3600)} h`;
}

export function formatPercent(fraction) {
  const percent = fraction * 100;
  if (percent === 0) return '0%';
  if (Math.abs(percent) < 0.95) return `${significant(percent, 1)}%`;
  return `${Math.round(percent)}%`;
}

export function formatPeakMemory(peakBytes, capacityBytes) {
  return `${significant(peakBytes / GIB)}/${significant(capacityBytes / GIB)} GiB`;
}

/** The three figures the panel's headline must agree on with the CLI. */
export function expectedEstimateTexts(estimate) {
  return {
    'step-time': formatSeconds(estimate.stepTimeSeconds),
    mfu: formatPercent(estimate.mfu),
    'peak-memory': formatPeakMemory(estimate.memory.peakBytes, estimate.memory.capacityBytes),
  };
}
