// The panel page: receives data by message, draws it, sends intents back. The last view is kept in the
// webview state so a hidden and re-shown panel redraws at once (getState/setState, not retainContextWhenHidden).
import { isHostMessage, type HostMessage, type InitMessage, type ScheduleErrorMessage, type ScheduleId, type ScheduleMessage, type WebviewMessage } from '../src/protocol';
import { Controls } from './controls';
import { monitorCspViolations } from './cspMonitor';
import { renderFigures } from './figures';
import { TimelineChart } from './timeline';

interface PanelState {
  init?: InitMessage;
  view?: ScheduleMessage | ScheduleErrorMessage;
}

function byId<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`panel page is missing #${id}`);
  return found as T;
}

// First, so that anything the policy blocks while the page starts is counted.
monitorCspViolations(byId('csp-violations'));

const vscode = acquireVsCodeApi<PanelState>();
const state: PanelState = vscode.getState() ?? {};
const send = (message: WebviewMessage) => vscode.postMessage(message);

const errorBox = byId('error');
const emptyNote = byId('empty');
const result = byId('result');
const omitted = byId('omitted');
const status = byId('status');
const timeline = new TimelineChart(byId<HTMLCanvasElement>('timeline'), byId('chart-box'));
const controls = new Controls(
  (query) => send({ type: 'runSchedule', query }),
  (message) => showError(message),
);

function showError(message: string): void {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

function showSchedule(message: ScheduleMessage): void {
  const { report } = message;
  errorBox.hidden = true;
  emptyNote.hidden = true;
  result.hidden = false;
  const chunks = report.schedule === 'interleaved-1f1b' ? `, v = ${report.chunks}` : '';
  byId('title').textContent = `${labelOf(report.schedule)} — p = ${report.pp}, m = ${report.microbatches}${chunks}`;
  omitted.hidden = !message.opsOmitted;
  omitted.textContent = message.opsOmitted
    ? `The timeline is not drawn: ${message.opsOmitted.ops.toLocaleString('en-US')} ops are more than the ${message.opsOmitted.limit.toLocaleString('en-US')} the chart draws. The figures below are complete.`
    : '';
  renderFigures(report);
  byId('chart-column').hidden = Boolean(message.opsOmitted);
  byId('chart-note').textContent = chartNote(report.schedule);
  if (message.opsOmitted) timeline.clear();
  else timeline.draw(report);
}

/** What the bar shading and numbers mean for this schedule (chunk 1 is drawn lighter, see timeline.ts). */
function chartNote(schedule: ScheduleId): string {
  const numbers = 'Numbers in bars: micro-batch.';
  switch (schedule) {
    case 'dualpipe':
      return `${numbers} Lighter bars: micro-batches entering at the last rank (DualPipe's second direction).`;
    case 'zbv':
    case 'dualpipev':
      return `${numbers} Lighter bars: each rank's second chunk (V placement, stage 2p−1−rank).`;
    case 'interleaved-1f1b':
      return `${numbers} Lighter bars: model chunks after each rank's first.`;
    default:
      return numbers;
  }
}

function labelOf(id: string): string {
  return state.init?.schedules.find((choice) => choice.id === id)?.label ?? id;
}

function apply(message: HostMessage): void {
  if (message.type === 'schedule' || message.type === 'scheduleError') status.hidden = true;
  switch (message.type) {
    case 'init':
      state.init = message;
      controls.offer(message.schedules);
      controls.show(state.view?.query ?? message.defaults);
      break;
    case 'schedule':
      state.view = message;
      controls.show(message.query);
      showSchedule(message);
      break;
    case 'scheduleError':
      state.view = message;
      result.hidden = true;
      showError(message.message);
      break;
    case 'scheduleRunning':
      status.textContent = `Simulating ${labelOf(message.query.schedule)} with p = ${message.query.pp}, m = ${message.query.microbatches} (up to ${message.opsBound.toLocaleString('en-US')} ops)…`;
      status.hidden = false;
      return;
    case 'estimate':
      // The active file's estimate is drawn by the estimate view once it exists; this page shows schedules.
      return;
  }
  vscode.setState(state);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isHostMessage(event.data)) apply(event.data);
});

if (state.init) apply(state.init);
if (state.view) apply(state.view);
send({ type: 'ready' });
