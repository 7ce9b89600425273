// Formatting for people, used only at the CLI's edge. Figures of an estimate go through ../format.ts, as in the
// editor, so that a step time or a peak memory reads the same in both.
import { formatPercent } from '../format';

/**
 * A fraction as a percentage with one decimal: the terminal's tables and limits are read by comparing rows, files
 * and thresholds, where the status bar's whole percents would hide the difference ("20.4%, above 20%").
 */
export function tablePercent(fraction: number): string {
  return formatPercent(fraction, 1);
}

/** A number with at most `digits` decimals and no trailing zeros: 6, 1.5, 0.3333. */
export function formatNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Number(value.toFixed(digits));
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

/** Right-aligned columns under a header row; the first column is left-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
