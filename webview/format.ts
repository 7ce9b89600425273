// Numbers for people: whole numbers as they are, others to three decimals at most (the schedule costs are
// given to that precision, so more digits would claim accuracy the inputs do not have).
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(3)));
}

export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(1)}%`;
}
