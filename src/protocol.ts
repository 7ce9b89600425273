// The messages between the extension host and the panel's webview: the only module both sides import.
// Everything here crosses `postMessage`, so it is plain JSON data (no typed arrays, no functions, no HTML).
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
}

/** A simulated schedule. `opsOmitted` says the op lists were left out because they are too many to draw. */
export interface ScheduleMessage {
  type: 'schedule';
  query: ScheduleQuery;
  report: ScheduleReport;
  opsOmitted?: { ops: number; limit: number };
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

/**
 * Reserved for the active file's estimate (headline numbers, memory per stage, traffic). Its payload is
 * typed by the estimate presenter when it lands; until then the page ignores it.
 */
export interface EstimateMessage {
  type: 'estimate';
  fileName: string;
  estimate: unknown;
}

export type HostMessage = InitMessage | ScheduleMessage | ScheduleErrorMessage | ScheduleRunningMessage | EstimateMessage;

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

export type WebviewMessage = ReadyMessage | RunScheduleMessage;

const HOST_TYPES: ReadonlySet<string> = new Set<HostMessage['type']>(['init', 'schedule', 'scheduleError', 'scheduleRunning', 'estimate']);
const WEBVIEW_TYPES: ReadonlySet<string> = new Set<WebviewMessage['type']>(['ready', 'runSchedule']);

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
  return true;
}
