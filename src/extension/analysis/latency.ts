// How long the editor's own work takes, for the "Parallelism Lens" output channel at debug level (Developer: Set
// Log Level… → Parallelism Lens → Debug). Only our part is timed: VS Code's hover delay and rendering are not.
// Pure, so the line format is tested without VS Code.

/** Milliseconds since `since` (a performance.now() reading), to a hundredth. */
export function elapsedMs(since: number, now: number = performance.now()): number {
  return Math.round((now - since) * 100) / 100;
}

export interface AnalysisTiming {
  file: string;
  version: number;
  /** Reading settings, the workspace plens.yaml and model files (asynchronous, may wait on the disk). */
  inputMs: number;
  /** The synchronous pipeline: read, complete, estimate, problems. */
  analysisMs: number;
  recognised: boolean;
}

export function analysisLine({ file, version, inputMs, analysisMs, recognised }: AnalysisTiming): string {
  return `analysis ${analysisMs.toFixed(2)} ms (+ ${inputMs.toFixed(2)} ms reading inputs) ${file} v${version}` +
    (recognised ? '' : ': not a config a reader recognises');
}

export interface HoverTiming {
  file: string;
  /** The design field under the cursor, or undefined when the hover found none. */
  field: string | undefined;
  /** Building the hover: finding the field, neighbour comparisons, Markdown. */
  hoverMs: number;
  /** Waiting for the document's analysis first (0 when it was cached). */
  waitMs: number;
}

export function hoverLine({ file, field, hoverMs, waitMs }: HoverTiming): string {
  return `hover ${hoverMs.toFixed(2)} ms (+ ${waitMs.toFixed(2)} ms waiting for the analysis) ${file}` + (field ? ` at ${field}` : ': no field here');
}
