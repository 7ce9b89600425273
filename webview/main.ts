// The panel page: receives data by message, draws it, sends intents back. Two tabs: the active config's estimate
// and the schedule tool. The last views are kept in the webview state so a hidden and re-shown panel redraws at
// once (getState/setState, not retainContextWhenHidden).
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import type { VscodeTabs } from '@vscode-elements/elements/dist/vscode-tabs/vscode-tabs.js';
import { isHostMessage, type ComparisonMessage, type EstimateMessage, type HostMessage, type InitMessage, type ScheduleComparisonMessage, type ScheduleErrorMessage, type ScheduleId, type ScheduleMessage, type SearchMessage, type WebviewMessage } from '../src/protocol';
import { ComparePane } from './compare';
import { reportImages } from './reportImages';
import { Controls } from './controls';
import { monitorCspViolations } from './cspMonitor';
import { byId } from './dom';
import { EstimatePane } from './estimate';
import { SearchPane } from './search';
import { renderFigures } from './figures';
import { TimelineView } from './timeline/view';

interface PanelState {
  init?: InitMessage;
  view?: ScheduleMessage | ScheduleErrorMessage;
  estimate?: EstimateMessage;
  search?: SearchMessage;
  schedules?: ScheduleComparisonMessage;
  comparison?: ComparisonMessage;
  /** The tab the user last looked at. */
  tab?: number;
}

const ESTIMATE_TAB = 0;
const SCHEDULE_TAB = 1;
const SEARCH_TAB = 2;
const COMPARE_TAB = 3;

// First, so that anything the policy blocks while the page starts is counted.
monitorCspViolations(byId('csp-violations'));

const vscode = acquireVsCodeApi<PanelState>();
const state: PanelState = vscode.getState() ?? {};
const send = (message: WebviewMessage) => vscode.postMessage(message);

const errorBox = byId('error');
const emptyNote = byId('empty');
const result = byId('result');
const status = byId('status');
const timeline = new TimelineView(byId<HTMLCanvasElement>('timeline'), byId('chart-box'));
const controls = new Controls(
  (query) => send({ type: 'runSchedule', query }),
  (message) => showError(message),
);
const tabs = byId<VscodeTabs>('tabs');
const estimatePane = new EstimatePane(
  (changes) => send({ type: 'whatIf', changes }),
  () => send({ type: 'whatIfReset' }),
);

function selectTab(index: number): void {
  state.tab = index;
  if (tabs.selectedIndex !== index) tabs.selectedIndex = index;
  if (index === COMPARE_TAB) requestSchedules();
}

/** The schedule comparison is estimated only while its tab is looked at (eight estimates per config). */
function requestSchedules(): void {
  if (state.estimate?.estimate) send({ type: 'compareSchedules' });
}

const comparePane = new ComparePane(() => send({ type: 'compareWith' }));

const searchPane = new SearchPane(
  () => send({ type: 'searchLayouts' }),
  (searchId, rank) => send({ type: 'applyLayout', searchId, rank }),
);

byId('open-beside').addEventListener('click', () => send({ type: 'openBeside' }));
byId('export-html').addEventListener('click', () => send({ type: 'exportReport', format: 'html', images: reportImages() }));
byId('export-csv').addEventListener('click', () => send({ type: 'exportReport', format: 'csv', images: {} }));

tabs.addEventListener('vsc-tabs-select', (event) => {
  state.tab = event.detail.selectedIndex;
  if (state.tab === COMPARE_TAB) requestSchedules();
  vscode.setState(state);
});

/** The host repeats the current views when a page (re)loads; only a different query is a new run to bring forward. */
function isNewRun(message: ScheduleMessage | ScheduleErrorMessage): boolean {
  return JSON.stringify(state.view?.query) !== JSON.stringify(message.query) || state.view?.type !== message.type;
}

/** A new config (or the first) brings the Estimate tab forward; re-analyses of the same file leave the tab alone. */
function showEstimate(message: EstimateMessage, restoring: boolean): void {
  const previous = state.estimate;
  state.estimate = message;
  estimatePane.show(message.estimate);
  if (message.estimate === null) {
    state.schedules = undefined;
    comparePane.showSchedules(undefined);
  } else if (!restoring && state.tab === COMPARE_TAB) {
    requestSchedules();
  }
  if (message.estimate === null) {
    if (!restoring) selectTab(SCHEDULE_TAB);
  } else if (!restoring && (previous?.estimate == null || previous.fileName !== message.fileName)) {
    selectTab(ESTIMATE_TAB);
  }
}

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
  renderFigures(report);
  byId('chart-note').textContent = chartNote(report.schedule);
  timeline.show(message.timeline);
}

/** What the bar shading means for this schedule (a later chunk is drawn lighter, see timeline/theme.ts). */
function chartNote(schedule: ScheduleId): string {
  const hover = 'Hover a bar for its op; each pixel column shows the op kind that fills most of it.';
  switch (schedule) {
    case 'dualpipe':
      return `${hover} Lighter bars: micro-batches entering at the last rank (DualPipe's second direction).`;
    case 'zbv':
    case 'dualpipev':
      return `${hover} Lighter bars: each rank's second chunk (V placement, stage 2p−1−rank).`;
    case 'interleaved-1f1b':
      return `${hover} Lighter bars: model chunks after each rank's first.`;
    default:
      return hover;
  }
}

function labelOf(id: string): string {
  return state.init?.schedules.find((choice) => choice.id === id)?.label ?? id;
}

function apply(message: HostMessage, restoring = false): void {
  if (message.type === 'schedule' || message.type === 'scheduleError') status.hidden = true;
  switch (message.type) {
    case 'init':
      state.init = message;
      byId('surface-actions').hidden = message.surface !== 'view';
      controls.offer(message.schedules);
      estimatePane.offer(message.schedules);
      controls.show(state.view?.query ?? message.defaults);
      break;
    case 'schedule':
      if (!restoring && isNewRun(message)) selectTab(SCHEDULE_TAB);
      state.view = message;
      controls.show(message.query);
      showSchedule(message);
      break;
    case 'scheduleError':
      if (!restoring) selectTab(SCHEDULE_TAB);
      state.view = message;
      result.hidden = true;
      showError(message.message);
      break;
    case 'scheduleRunning':
      status.textContent = `Simulating ${labelOf(message.query.schedule)} with p = ${message.query.pp}, m = ${message.query.microbatches} (up to ${message.opsBound.toLocaleString('en-US')} ops)…`;
      status.hidden = false;
      return;
    case 'estimate':
      showEstimate(message, restoring);
      break;
    case 'search':
      // A search that starts brings its tab forward; its result arrives where the user is looking.
      if (!restoring && message.state === 'running') selectTab(SEARCH_TAB);
      state.search = message;
      searchPane.show(message);
      break;
    case 'scheduleComparison':
      state.schedules = message;
      comparePane.showSchedules(message);
      break;
    case 'comparison':
      if (!restoring) selectTab(COMPARE_TAB);
      state.comparison = message;
      comparePane.showComparison(message.comparison);
      break;
  }
  vscode.setState(state);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isHostMessage(event.data)) apply(event.data);
});

if (state.init) apply(state.init, true);
if (state.view) apply(state.view, true);
if (state.estimate) apply(state.estimate, true);
if (state.search) apply(state.search, true);
if (state.schedules) apply(state.schedules, true);
if (state.comparison) apply(state.comparison, true);
if (state.tab !== undefined) selectTab(state.tab);
send({ type: 'ready' });
