// The variables a script has set by the point being read. A value remembers which names it depended on that the
// file itself never set (environment, positional parameters, command output): those make a value unresolved.
export interface ShellValue {
  text: string;
  /** Array elements, when the variable is an array (`X=( … )`). */
  items?: string[];
  /** Names the value depended on that this file does not set (`SLURM_NNODES`, `$1`, `$(…)`). */
  unresolved: string[];
  /** Where the file last assigned it (`NAME=value`), as offsets, when a plain assignment did. */
  at?: { start: number; end: number };
}

export type ShellEnv = Map<string, ShellValue>;

/** Keeps the unresolved-name lists short: one name is enough to say why a value is unknown. */
export function mergeUnresolved(a: readonly string[], b: readonly string[]): string[] {
  if (b.length === 0) return a.slice();
  const merged = a.slice();
  for (const name of b) if (!merged.includes(name) && merged.length < 8) merged.push(name);
  return merged;
}
