// Numbers and file text as people read them in hovers, CodeLens, the status bar, the panel and `plens` text output:
// one set of helpers so that the editor and the terminal print a figure the same way. Pure (no `vscode`, no Node),
// so it is unit-tested without an editor. DESIGN.md §7 "honest numbers": about three significant figures, always a unit.
import type { Estimate } from './model/estimate';
import type { Origin } from './config/types';

const GIB = 2 ** 30;
const SIGNIFICANT = 3;

/** Three significant figures, trailing zeros dropped ("12.3", "0.0421", "1230"). */
export function significant(value: number, digits = SIGNIFICANT): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  // At or above 10^digits, toPrecision would switch to exponent notation; whole numbers read better.
  if (magnitude >= digits) {
    const step = 10 ** (magnitude - digits + 1);
    return String(Math.round(value / step) * step);
  }
  return String(Number(value.toPrecision(digits)));
}

/** A duration with the unit that keeps it readable: µs, ms, s, min, h. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const abs = Math.abs(seconds);
  if (abs === 0) return '0 s';
  if (abs < 1e-3) return `${significant(seconds * 1e6)} µs`;
  if (abs < 1) return `${significant(seconds * 1e3)} ms`;
  if (abs < 600) return `${significant(seconds)} s`;
  if (abs < 36_000) return `${significant(seconds / 60)} min`;
  return `${significant(seconds / 3600)} h`;
}

/**
 * A fraction as a percentage: whole percents from 1 % up (the cost model's efficiencies are not known better than
 * that), one significant digit below ("0.4%") so a small but non-zero share never reads as nothing. `decimals`
 * adds places where a figure is compared with a limit or with its neighbours in a table ("20.4%" against "20%").
 */
export function formatPercent(fraction: number, decimals = 0): string {
  if (!Number.isFinite(fraction)) return '—';
  const percent = fraction * 100;
  if (percent === 0) return '0%';
  const scale = 10 ** decimals;
  if (Math.abs(percent) * scale < 0.95) return `${significant(percent, 1)}%`;
  return `${Math.round(percent * scale) / scale}%`;
}

/** Bytes in GiB (the unit the model's capacities are in: 80 GiB for an "80GB" H100). */
export function formatGiB(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  return `${significant(bytes / GIB)} GiB`;
}

/**
 * Host memory of the fullest host when a design offloads (estimate.memory.host), the line the CLI, the hovers and the
 * panel print: "host memory 957 GiB of 2050 GiB per host of 8 GPUs (46.7%), over PCIe 5.0". Undefined when nothing
 * is offloaded, so that a design without offloading shows no host line at all.
 */
export function formatHostMemory(host: Estimate['memory']['host']): string | undefined {
  if (!(host.peakBytes > 0)) return undefined;
  return `host memory ${formatGiB(host.peakBytes)} of ${formatGiB(host.capacityBytes)} per host of ${host.gpusPerHost} GPUs (${formatPercent(host.peakBytes / host.capacityBytes, 1)}), over ${host.link}`;
}

/** Peak over capacity, one unit: "61.2/80 GiB". */
export function formatPeakMemory(peakBytes: number, capacityBytes: number): string {
  return `${significant(peakBytes / GIB)}/${significant(capacityBytes / GIB)} GiB`;
}

const DECIMAL_PREFIXES = ['', 'k', 'M', 'G', 'T', 'P'];

/** A value scaled by powers of 1000 until at most three digits precede the point: "13.2 GB", "142 k", "950". */
function withDecimalPrefix(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '—';
  let scaled = value;
  let prefix = 0;
  // 999.5 and up would round to "1000" at three significant figures: that is the next prefix's "1".
  while (Math.abs(scaled) >= 999.5 && prefix < DECIMAL_PREFIXES.length - 1) {
    scaled /= 1000;
    prefix++;
  }
  const suffix = `${DECIMAL_PREFIXES[prefix]}${unit}`;
  return suffix === '' ? significant(scaled) : `${significant(scaled)} ${suffix}`;
}

/** Bytes with a decimal prefix, for traffic: "13.2 GB". */
export function formatBytes(bytes: number): string {
  return withDecimalPrefix(bytes, 'B');
}

/** A count with an SI prefix: "4.01 M", "142 k", "950". */
export function formatQuantity(value: number): string {
  return withDecimalPrefix(value, '');
}

/** The formats readers recognise, in the words their users know them by. */
export const FORMAT_NAMES: Record<string, string> = {
  'plens-yaml': 'Parallelism Lens design', 'megatron-shell': 'Megatron-LM launch script', 'megatron-functest-yaml': 'Megatron-LM test config',
  'nemo-yaml': 'NeMo config', 'megatron-bridge-yaml': 'Megatron-Bridge config', 'torchtitan-toml': 'torchtitan TOML',
  'torchtitan-python': 'torchtitan Python config', 'nemo-python': 'NeMo recipe', 'deepspeed-json': 'DeepSpeed config', 'hf-config-json': 'Hugging Face config.json',
};

/** The headline of an estimate: "step 12.3 s · MFU 41% · bubble 6% · peak 61.2/80 GiB". */
export function headline(estimate: Estimate): string {
  return [
    `step ${formatSeconds(estimate.stepTimeSeconds)}`,
    `MFU ${formatPercent(estimate.mfu)}`,
    `bubble ${formatPercent(estimate.bubble.fraction)}`,
    `peak ${formatPeakMemory(estimate.memory.peakBytes, estimate.memory.capacityBytes)}`,
  ].join(' · ');
}

/** True when some pipeline stage needs more memory than the GPU has. */
export function overCapacity(estimate: Estimate): boolean {
  return estimate.memory.peakBytes > estimate.memory.capacityBytes;
}

const MARKDOWN_SPECIAL = /[\\`*_{}[\]()#+\-.!|~>]/g;

/**
 * File text made inert for a Markdown hover: HTML metacharacters become entities (so `<img onerror=…>` shows as
 * text even where HTML is allowed) and Markdown punctuation is backslash-escaped (so `[x](command:…)` is no link).
 * Line breaks become spaces: a value is shown on one line.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(MARKDOWN_SPECIAL, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;');
}

/** Where a value came from, in plain words (escape before Markdown: a detail may quote the file). */
export function describeOrigin(origin: Origin | undefined): string {
  if (!origin) return 'not set';
  const where = origin.range ? ` (line ${origin.range.line})` : '';
  switch (origin.from) {
    case 'file': return `this file${where}`;
    case 'directive': return origin.detail && origin.detail !== 'plens directive' ? `${origin.detail}${where}` : `a plens: directive${where}`;
    case 'workspace': return 'the workspace plens.yaml';
    case 'setting': return origin.detail ? `setting ${origin.detail}` : 'the extension settings';
    case 'catalog': return origin.detail ? `the built-in catalog: ${origin.detail}` : 'the built-in catalog';
    case 'default': return origin.detail ? `a default: ${origin.detail}` : 'a default';
    case 'derived': return origin.detail ? `derived: ${origin.detail}` : 'derived from other values';
    case 'flag': return 'a command-line flag';
  }
}
