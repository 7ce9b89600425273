// Problems are values, not exceptions: readers and the model return them with a stable code and, where the
// input is a file, the exact range they are about.

export type Severity = 'error' | 'warning' | 'info';

/** A span of a file. Offsets are 0-based UTF-16 indices; lines and columns are 1-based (CONTRACT.md). */
export interface SourceRange {
  startOffset: number;
  endOffset: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Problem {
  severity: Severity;
  /** Stable, namespaced code such as `value/unresolved`, `layout/world-size`, `schedule/constraint`. */
  code: string;
  message: string;
  range?: SourceRange;
  /** The design field the problem is about, when there is one ("plan.pp"): the value a fix would change. */
  field?: string;
  /**
   * Other fields the fact involves (`layout/world-size`: the other parallel sizes and the node count), in the
   * order a presenter should try them when `field` was not written in the file.
   */
  related?: string[];
}
