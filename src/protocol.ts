// The messages between the extension host and the panel's webview: the only module both sides import.
// Everything here crosses `postMessage`, so it is plain JSON data (no typed arrays, no functions, no HTML).
import type { StageMemory } from './model/cost/memory/memory';
import type { ScheduleId } from './model/design';
import type { ScheduleReport, ScheduleRequest } from './model/schedule/report';

export type { ScheduleId, ScheduleReport, ScheduleRequest };

/** What the panel's controls can ask for: one schedule simulated at one size (uniform costs unless given). */
export type ScheduleQuery = Pick<ScheduleRequest, 'schedule' | 'pp' | 'microbatches' | 'chunks' | 'costs'>;

export interface ScheduleChoice {
  id: ScheduleId;
  label: string;
}

// ── host → webview ─────────────────────────────────────────────────────────────────────────────────────────

/** Sent once the page says it is ready: what the controls offer. */
export interface InitMessage {
  type: 'init';
  schedules: ScheduleChoice[];
  defaults: ScheduleQuery;
  /** Which surface the page is: the narrow activity-bar view offers to open the wide panel beside the editor. */
  surface: 'view' | 'editor';
}

/**
 * What the timeline renderer needs to rebuild a simulated step: the schedule, its sizes and the per-stage costs.
 * The page replays them through the model's own generator and simulator (webview/timeline/replay.ts), so a step of
 * millions of ops crosses postMessage as a few hundred numbers and cannot differ from what the host simulated.
 */
export interface TimelineSpec {
  schedule: ScheduleId;
  ranks: number;
  microbatches: number;
  chunks?: number;
  /** Per stage within a pipe, in `unit`. */
  costs: { forward: number[]; backward: number[]; weight: number[]; overlapped?: number[]; p2p: number };
  /** Per stage, exposed communication inside a forward, a backward and an F&B pair, drawn as a lane under each rank. */
  comm?: { forward: number[]; backward: number[]; overlapped: number[] };
  /** Seconds for an estimate; the cost units of the query for Show Schedule…. */
  unit: 'seconds' | 'units';
}

/** A simulated schedule: the figures (`report`, without op lists) and what the timeline replays. */
export interface ScheduleMessage {
  type: 'schedule';
  query: ScheduleQuery;
  report: ScheduleReport;
  timeline: TimelineSpec;
}

/** The query could not be simulated (a schedule constraint, a bad size); `message` states the rule. */
export interface ScheduleErrorMessage {
  type: 'scheduleError';
  query: ScheduleQuery;
  code: string;
  message: string;
}

/** A large query is being simulated off the main thread; its result follows as `schedule` or `scheduleError`. */
export interface ScheduleRunningMessage {
  type: 'scheduleRunning';
  query: ScheduleQuery;
  /** An upper bound on the ops being simulated. */
  opsBound: number;
}

/** One headline number: the raw value (SI units: seconds, bytes, fractions) and the text people read. */
export interface EstimateFigure {
  id: 'step-time' | 'tokens-per-second' | 'mfu' | 'tflops-per-gpu' | 'gpu-hours' | 'bubble' | 'bubble-closed-form' | 'peak-memory';
  label: string;
  text: string;
  value: number;
  /** A second line: what the figure is measured against (a closed form, the GPU's HBM). */
  note?: string;
}

/** Per-GPU memory of one pipeline rank, by what it holds (the model's bytes). */
export interface EstimateMemoryRank extends StageMemory {
  rank: number;
  /** Formatted total, e.g. "61.2 GiB". */
  totalText: string;
  /** What this GPU keeps in host memory, e.g. "120 GiB"; absent when the design offloads nothing. */
  hostText?: string;
}

export type TrafficDimension = 'tp' | 'cp' | 'ep' | 'pp' | 'dp';

export interface EstimateTrafficRow {
  dimension: TrafficDimension;
  label: string;
  nvlinkBytes: number;
  ibBytes: number;
  nvlinkText: string;
  ibText: string;
}

export interface EstimateProblem {
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  /** 1-based line in the file, when the problem is about a place in it. */
  line?: number;
}

/** Where one design value came from (DESIGN.md §7 "honest numbers": every figure traced to its inputs). */
export interface EstimateAssumption {
  field: string;
  label: string;
  value: string;
  from: 'file' | 'directive' | 'workspace' | 'setting' | 'catalog' | 'default' | 'derived' | 'flag' | 'what-if';
  /** In words: "this file (line 12)", "the built-in catalog: catalog model deepseek-v3". */
  fromText: string;
}

/** What-if values the panel may try on the active config without touching its file. */
export interface WhatIfChanges {
  schedule?: ScheduleId;
  pp?: number;
  microBatchSize?: number;
}

/**
 * The active config's estimate as the panel draws it: a plain JSON view model built on the host by
 * `buildEstimateView` (src/extension/panel/estimateView.ts). File text inside it (values, messages) is data the page
 * writes with textContent only.
 */
export interface EstimateView {
  /** The file's base name and its format in words. */
  fileName: string;
  formatName: string;
  /** The design in one line ("deepseek-v3 on 2048 × H800 …"), absent when completion gave none. */
  designSummary?: string;
  /** The values the what-if controls start from (the design's, or the what-if's). */
  controls?: { schedule: ScheduleId; pp: number; microBatchSize: number };
  /** Set when the figures are for changed values, not the file's. */
  whatIf?: { changes: WhatIfChanges; description: string };
  /** Why there are no figures, when there are none. */
  unavailable?: string;
  figures: EstimateFigure[];
  memory?: {
    capacityBytes: number; capacityText: string; peakBytes: number; warningFraction?: number; ranks: EstimateMemoryRank[];
    /** The fullest host's memory against its capacity (formatHostMemory); absent when the design offloads nothing. */
    hostText?: string;
  };
  traffic?: {
    rows: EstimateTrafficRow[];
    ibBytesPerTokenText: string;
    exposedCommText: string;
    computeToCommText: string;
  };
  /** The designed step, replayed by the page's timeline; its makespan is `makespanSeconds`. */
  timeline?: TimelineSpec & { makespanSeconds: number };
  /** Where the step goes (estimate.breakdown): parts in order, each starting where the previous ended; they sum to the step. */
  waterfall?: { rows: EstimateWaterfallRow[]; totalText: string };
  problems: EstimateProblem[];
  assumptions: EstimateAssumption[];
}

export interface EstimateWaterfallRow {
  id: string;
  label: string;
  secondsText: string;
  shareText: string;
  /** Where the bar starts and how wide it is, as fractions of the step. */
  startFraction: number;
  widthFraction: number;
}

/** The active config's estimate, or `estimate: null` when no recognised config is open (the page shows schedules). */
export interface EstimateMessage {
  type: 'estimate';
  fileName: string;
  estimate: EstimateView | null;
}

/** One layout of a search, as the Search tab's table shows it (SI values for sorting, texts for reading). */
export interface SearchRow {
  /** Position in the search's ranking, from 1; 0 for the file's own layout. */
  rank: number;
  /**
   * TP 1 · PP 16 · VPP 1 · EP 64 · CP 1 · DP 128 · ZeRO 1 · DualPipe · mbs 1 · recompute … · layout …;
   * `pipelineLayout`: `even`, `first N, last N`, `+E +L` or the file's layout string (search/pipelineLayouts.ts).
   */
  layout: { tp: number; pp: number; vpp: number; ep: number; cp: number; dp: number; zero: number; schedule: string; microBatchSize: number; recompute: string; pipelineLayout: string };
  stepSeconds: number;
  mfu: number;
  peakBytes: number;
  capacityBytes: number;
  bubbleFraction: number;
  ibBytesPerToken: number;
  fits: boolean;
  texts: { step: string; mfu: string; peak: string; bubble: string; ib: string };
}

/** A layout search of the active config: running (rows empty), done, cancelled or failed. */
export interface SearchMessage {
  type: 'search';
  /** Identifies the search an Apply refers to; a newer search makes older rows stale. */
  searchId: number;
  fileName: string;
  state: 'running' | 'done' | 'cancelled' | 'error';
  /** "412 layouts estimated, 96 fit, in 4.9 s" or why it failed. */
  summary: string;
  /** The file's own layout (rank 0) first, when it has an estimate, then the results best first. */
  rows: SearchRow[];
}

/** One schedule of the active config, estimated at the config's PP and micro-batches (the Compare tab's chart). */
export interface ScheduleComparisonRow {
  schedule: ScheduleId;
  label: string;
  /** The schedule the config (or its what-if) uses. */
  current: boolean;
  /** Absent when the schedule cannot run this layout; `reason` says why. */
  figures?: {
    stepSeconds: number;
    /** The simulated pipeline's makespan (the step without DP synchronisation and optimizer). */
    makespanSeconds: number;
    bubbleSeconds: number;
    bubbleFraction: number;
    /** The fullest rank's activation bytes at the schedule's peak. */
    peakActivationBytes: number;
    /** The most (micro-batch, chunk) activations any rank holds at once. */
    peakInFlight: number;
    peakBytes: number;
    capacityBytes: number;
    texts: { step: string; makespan: string; bubble: string; activations: string; peak: string };
  };
  reason?: string;
}

export interface ScheduleComparisonMessage {
  type: 'scheduleComparison';
  fileName: string;
  /** "PP 16, 120 micro-batches of 1 × 4096 tokens", or why there is no comparison. */
  summary: string;
  rows: ScheduleComparisonRow[];
}

/** Whether a change of a figure is good for the run: lower step time is, lower MFU is not. */
export type Verdict = 'better' | 'worse' | 'same' | 'changed';

/** One row of a side-by-side comparison: the same figure or setting for the left (A) and the right (B) design. */
export interface ComparisonRow {
  id: string;
  label: string;
  left: string;
  right: string;
  /** B − A in the figure's unit ("−1.2 s", "+3.1 points"); empty for settings and missing figures. */
  deltaText: string;
  /** (B − A) / A, signed ("−4.4%"); empty when A is 0 or missing. */
  percentText: string;
  verdict: Verdict;
}

/** Two estimates side by side ("Compare with…"): figures with Δ and %, then the settings that differ. */
export interface EstimateComparison {
  left: { title: string; summary: string };
  right: { title: string; summary: string };
  figures: ComparisonRow[];
  settings: ComparisonRow[];
  /** Why a side has no estimate, when one has none. */
  notes: string[];
}

export interface ComparisonMessage {
  type: 'comparison';
  comparison: EstimateComparison;
}

export type HostMessage = InitMessage | ScheduleMessage | ScheduleErrorMessage | ScheduleRunningMessage | EstimateMessage | SearchMessage | ScheduleComparisonMessage | ComparisonMessage;

// ── webview → host ─────────────────────────────────────────────────────────────────────────────────────────

/** The page has loaded its script and listens; the host answers with `init` and the current view. */
export interface ReadyMessage {
  type: 'ready';
}

/** The user pressed Run: simulate this query. An intent only; the host never edits a file for it. */
export interface RunScheduleMessage {
  type: 'runSchedule';
  query: ScheduleQuery;
}

/** Re-estimate the active config with these values; the host never edits the file for it. */
export interface WhatIfMessage {
  type: 'whatIf';
  changes: WhatIfChanges;
}

/** Back to the file's own values. */
export interface WhatIfResetMessage {
  type: 'whatIfReset';
}

/** Open (or bring forward) the wide panel beside the editor. */
export interface OpenBesideMessage {
  type: 'openBeside';
}

/** Search layouts of the active config (the panel's button; the command does the same). */
export interface SearchLayoutsMessage {
  type: 'searchLayouts';
}

/** Write result row `rank` of search `searchId` into its file, as one undoable edit. */
export interface ApplyLayoutMessage {
  type: 'applyLayout';
  searchId: number;
  rank: number;
}

/** The Compare tab is showing: estimate every schedule of the active config (work done only when looked at). */
export interface CompareSchedulesMessage {
  type: 'compareSchedules';
}

/** Run "Compare with…" (the Compare tab's button; the command does the same). */
export interface CompareWithMessage {
  type: 'compareWith';
}

/**
 * Export the panel as a report (HTML or CSV, through a save dialog). `images` are the page's own figures as PNG data
 * URLs, drawn from its canvases onto the theme's background so they read the same outside the editor; the host
 * keeps only PNG data URLs of bounded size (src/extension/report/reportHtml.ts reportImage).
 */
export interface ExportReportMessage {
  type: 'exportReport';
  format: 'html' | 'csv';
  images: Partial<Record<ReportImageId, string>>;
}

export type ReportImageId = 'timeline' | 'memory' | 'schedules';

export type WebviewMessage = ReadyMessage | RunScheduleMessage | WhatIfMessage | WhatIfResetMessage | OpenBesideMessage | SearchLayoutsMessage | ApplyLayoutMessage | CompareSchedulesMessage | CompareWithMessage | ExportReportMessage;

const HOST_TYPES: ReadonlySet<string> = new Set<HostMessage['type']>(['init', 'schedule', 'scheduleError', 'scheduleRunning', 'estimate', 'search', 'scheduleComparison', 'comparison']);
const WEBVIEW_TYPES: ReadonlySet<string> = new Set<WebviewMessage['type']>(['ready', 'runSchedule', 'whatIf', 'whatIfReset', 'openBeside', 'searchLayouts', 'applyLayout', 'compareSchedules', 'compareWith', 'exportReport']);

function hasType(value: unknown, types: ReadonlySet<string>): boolean {
  if (typeof value !== 'object' || value === null || !('type' in value)) return false;
  const type = (value as { type: unknown }).type;
  return typeof type === 'string' && types.has(type);
}

/** Messages arrive untyped; each side checks the discriminant before trusting the shape. */
export function isHostMessage(value: unknown): value is HostMessage {
  return hasType(value, HOST_TYPES);
}

export function isWebviewMessage(value: unknown): value is WebviewMessage {
  if (!hasType(value, WEBVIEW_TYPES)) return false;
  if ((value as WebviewMessage).type === 'runSchedule') {
    const query = (value as { query?: unknown }).query;
    return typeof query === 'object' && query !== null;
  }
  if ((value as WebviewMessage).type === 'applyLayout') {
    const { searchId, rank } = value as { searchId?: unknown; rank?: unknown };
    return Number.isInteger(searchId) && Number.isInteger(rank);
  }
  if ((value as WebviewMessage).type === 'exportReport') {
    const { format, images } = value as { format?: unknown; images?: unknown };
    return (format === 'html' || format === 'csv') && typeof images === 'object' && images !== null;
  }
  if ((value as WebviewMessage).type === 'whatIf') {
    const changes = (value as { changes?: unknown }).changes;
    return typeof changes === 'object' && changes !== null;
  }
  return true;
}
