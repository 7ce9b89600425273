// The panel's host side: one session (what is being shown) and the two surfaces that show it — the webview view
// in the activity bar and the same page opened beside the editor. Each surface sets its options and HTML once,
// then only messages flow (vscode-extension-samples' webview-view-sample / webview-sample shape).
import * as vscode from 'vscode';
import { SCHEDULE_IDS, SCHEDULE_LABELS } from '../../model/schedule/index';
import { isWebviewMessage, type ComparisonMessage, type EstimateComparison, type EstimateMessage, type ExportReportMessage, type HostMessage, type InitMessage, type ScheduleComparisonMessage, type SearchMessage, type ScheduleId, type ScheduleQuery, type WhatIfChanges } from '../../protocol';
import { presentEstimate, type PresentOptions } from './estimatePresenter';
import { panelWebviewOptions, renderPanelHtml } from './html';
import type { PipelineResult } from '../analysis/pipeline';
import { ScheduleJobs, type ScheduleView } from '../schedule/scheduleJobs';
import { opBound } from '../schedule/scheduleRunner';
import { compareSchedules, comparisonSummary } from '../compare/scheduleComparison';
import { sanitizeQuery } from '../schedule/scheduleQuery';
import { applyWhatIf } from '../analysis/whatIf';

export const VIEW_ID = 'parallelismLens.panel';
export const PANEL_VIEW_TYPE = 'parallelismLens.schedulePanel';

/** The config whose estimate the panel shows: the last active one, kept while its document is open. */
interface ShownConfig {
  key: string;
  fileName: string;
  analysed: PipelineResult;
}

/** What every surface shows; a run from any surface or command updates all of them. */
export class PanelSession implements vscode.Disposable {
  private readonly webviews = new Set<vscode.Webview>();
  private current: ScheduleView | undefined;
  private generation = 0;
  private config: ShownConfig | undefined;
  private whatIf: WhatIfChanges | undefined;
  private estimateMessage: EstimateMessage | undefined;
  private searchMessage: SearchMessage | undefined;
  /** The schedule comparison and the estimate it was made for (made again only for a new estimate). */
  private schedules: { for: EstimateMessage; message: ScheduleComparisonMessage } | undefined;
  private comparisonMessage: ComparisonMessage | undefined;
  /** What the Search tab's buttons ask for (set once the layout search exists). */
  searchHandlers: { search(): void; apply(searchId: number, rank: number): void } | undefined;
  /** What the Compare tab's and the Export buttons ask for. */
  actionHandlers: { compareWith(): void; exportReport(message: ExportReportMessage): void } | undefined;

  constructor(
    private readonly defaults: () => ScheduleQuery,
    private readonly jobs: ScheduleJobs,
    private readonly estimateOptions: () => Omit<PresentOptions, 'whatIf'> = () => ({}),
    /** Opens the wide panel beside the editor (the view's button asks for it). */
    private readonly openBeside: () => void = () => undefined,
  ) {}

  /** A config became active or was analysed again: its estimate replaces the one shown (a what-if is kept for the same file). */
  showConfig(key: string, fileName: string, analysed: PipelineResult): void {
    if (this.config?.key !== key) this.whatIf = undefined;
    this.config = { key, fileName, analysed };
    this.publishEstimate();
  }

  /** The shown config's document was closed: the panel goes back to schedules only. */
  forgetConfig(key: string): void {
    if (this.config?.key !== key) return;
    this.config = undefined;
    this.whatIf = undefined;
    this.publishEstimate();
  }

  /** Settings the estimate view depends on changed. */
  refreshEstimate(): void {
    if (this.config) this.publishEstimate();
  }

  private publishEstimate(): void {
    const config = this.config;
    let message: EstimateMessage;
    if (!config) {
      message = { type: 'estimate', fileName: '', estimate: null };
    } else {
      const options: PresentOptions = { ...this.estimateOptions(), ...(this.whatIf ? { whatIf: this.whatIf } : {}) };
      message = { type: 'estimate', fileName: config.fileName, estimate: presentEstimate(config.fileName, config.analysed, options) };
    }
    this.estimateMessage = message;
    this.broadcast(message);
  }

  /** The config the panel shows, with the what-if it is tried with. */
  shown(): { key: string; fileName: string; analysed: PipelineResult; whatIf: WhatIfChanges | undefined } | undefined {
    return this.config ? { key: this.config.key, fileName: this.config.fileName, analysed: this.config.analysed, whatIf: this.whatIf } : undefined;
  }

  /** The views the panel shows now, for an export. */
  views(): { estimate: EstimateMessage | undefined; schedules: ScheduleComparisonMessage | undefined; comparison: EstimateComparison | undefined } {
    const schedules = this.schedules && this.schedules.for === this.estimateMessage ? this.schedules.message : undefined;
    return { estimate: this.estimateMessage, schedules, comparison: this.comparisonMessage?.comparison };
  }

  /** Two estimates side by side ("Compare with…"), shown in the Compare tab of every surface. */
  showComparison(comparison: EstimateComparison): void {
    this.comparisonMessage = { type: 'comparison', comparison };
    this.broadcast(this.comparisonMessage);
  }

  /** Every schedule at the shown config's PP and micro-batches; estimated once per estimate, when asked. */
  private publishSchedules(): void {
    const config = this.config;
    const shown = this.estimateMessage;
    const design = config?.analysed.completion?.design;
    if (!config || !shown || !design) return;
    if (this.schedules?.for !== shown) {
      const options = this.estimateOptions();
      const estimateOptions = options.bubbleWarningFraction === undefined ? {} : { maxBubbleFraction: options.bubbleWarningFraction };
      const applied = this.whatIf ? applyWhatIf(design, this.whatIf) : undefined;
      const fileName = config.fileName.slice(config.fileName.lastIndexOf('/') + 1);
      let message: ScheduleComparisonMessage;
      if (typeof applied === 'string') {
        message = { type: 'scheduleComparison', fileName, summary: `no comparison: ${applied}`, rows: [] };
      } else {
        const compared = applied?.design ?? design;
        message = { type: 'scheduleComparison', fileName, summary: comparisonSummary(compared), rows: compareSchedules(compared, applied ? undefined : config.analysed.estimate, estimateOptions) };
      }
      this.schedules = { for: shown, message };
    }
    this.broadcast(this.schedules.message);
  }

  /** A layout search's state or results: shown in the Search tab of every surface. */
  showSearch(message: SearchMessage): void {
    this.searchMessage = message;
    this.broadcast(message);
  }

  get lastQuery(): ScheduleQuery | undefined {
    return this.current?.query;
  }

  /** Simulates the query and shows it everywhere; undefined when a newer query came first. */
  async run(query: ScheduleQuery): Promise<ScheduleView | undefined> {
    const generation = ++this.generation;
    if (this.jobs.needsWorker(query)) this.broadcast({ type: 'scheduleRunning', query, opsBound: opBound(query) });
    const view = await this.jobs.run(query);
    if (!view || generation !== this.generation) return undefined;
    this.current = view;
    this.broadcast(view);
    return view;
  }

  /** Connects a page: answers its `ready` with the controls' choices and the current view, runs its intents. */
  attach(webview: vscode.Webview, surface: InitMessage['surface']): vscode.Disposable {
    this.webviews.add(webview);
    const listener = webview.onDidReceiveMessage((raw: unknown) => this.receive(webview, surface, raw));
    return new vscode.Disposable(() => {
      listener.dispose();
      this.webviews.delete(webview);
    });
  }

  dispose(): void {
    this.jobs.dispose();
    this.webviews.clear();
  }

  private receive(webview: vscode.Webview, surface: InitMessage['surface'], raw: unknown): void {
    if (!isWebviewMessage(raw)) return;
    switch (raw.type) {
      case 'ready':
        void post(webview, {
          type: 'init',
          schedules: SCHEDULE_IDS.map((id) => ({ id, label: SCHEDULE_LABELS[id] })),
          defaults: this.current?.query ?? this.defaults(),
          surface,
        });
        if (this.current) void post(webview, this.current);
        if (this.estimateMessage) void post(webview, this.estimateMessage);
        if (this.searchMessage) void post(webview, this.searchMessage);
        if (this.comparisonMessage) void post(webview, this.comparisonMessage);
        return;
      case 'runSchedule': {
        const query = sanitizeQuery(raw.query);
        if (query.ok) void this.run(query.value);
        else void post(webview, { type: 'scheduleError', query: this.current?.query ?? this.defaults(), code: 'schedule/request', message: query.message });
        return;
      }
      case 'whatIf':
        if (!this.config) return;
        this.whatIf = whatIfChanges(raw.changes);
        this.publishEstimate();
        return;
      case 'whatIfReset':
        this.whatIf = undefined;
        this.publishEstimate();
        return;
      case 'openBeside':
        this.openBeside();
        return;
      case 'searchLayouts':
        this.searchHandlers?.search();
        return;
      case 'applyLayout':
        this.searchHandlers?.apply(raw.searchId, raw.rank);
        return;
      case 'compareSchedules':
        this.publishSchedules();
        return;
      case 'compareWith':
        this.actionHandlers?.compareWith();
        return;
      case 'exportReport':
        this.actionHandlers?.exportReport(raw);
        return;
    }
  }

  private broadcast(message: HostMessage): void {
    for (const webview of this.webviews) void post(webview, message);
  }
}

/** Only the fields the controls set, with their JSON types; applyWhatIf checks the values. */
function whatIfChanges(raw: unknown): WhatIfChanges {
  const fields = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const changes: WhatIfChanges = {};
  if (typeof fields.schedule === 'string') changes.schedule = fields.schedule as ScheduleId;
  if (typeof fields.pp === 'number') changes.pp = fields.pp;
  if (typeof fields.microBatchSize === 'number') changes.microBatchSize = fields.microBatchSize;
  return changes;
}

/** A hidden page cannot receive messages; it asks again with `ready` when shown, so a failed post is harmless. */
function post(webview: vscode.Webview, message: HostMessage): Thenable<boolean> {
  return webview.postMessage(message).then(undefined, () => false);
}

function setUpPage(webview: vscode.Webview, extensionUri: vscode.Uri, session: PanelSession, surface: InitMessage['surface']): vscode.Disposable {
  webview.options = panelWebviewOptions(extensionUri);
  webview.html = renderPanelHtml(webview, extensionUri);
  return session.attach(webview, surface);
}

/** The activity-bar view. */
export class EstimatesViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri, private readonly session: PanelSession) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    const attached = setUpPage(view.webview, this.extensionUri, this.session, 'view');
    this.disposables.push(attached, view.onDidDispose(() => attached.dispose()));
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}

/** The same page in an editor column, one at a time. */
export class SchedulePanel implements vscode.Disposable {
  private static current: SchedulePanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  static createOrShow(extensionUri: vscode.Uri, session: PanelSession): SchedulePanel {
    const editor = vscode.window.activeTextEditor;
    if (SchedulePanel.current) {
      // The panel is for looking beside the config: one sharing the config's group moves to the next one.
      const panel = SchedulePanel.current.panel;
      const sharesGroup = editor !== undefined && panel.viewColumn === editor.viewColumn;
      panel.reveal(sharesGroup ? vscode.ViewColumn.Beside : undefined, true);
      return SchedulePanel.current;
    }
    const column = editor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Parallelism Lens', { viewColumn: column, preserveFocus: true }, panelWebviewOptions(extensionUri));
    SchedulePanel.current = new SchedulePanel(panel, extensionUri, session);
    return SchedulePanel.current;
  }

  /** After a window reload VS Code hands back the panel it had open; the page redraws from its saved state. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, session: PanelSession): void {
    SchedulePanel.current?.dispose();
    SchedulePanel.current = new SchedulePanel(panel, extensionUri, session);
  }

  private constructor(private readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, session: PanelSession) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    this.disposables.push(setUpPage(panel.webview, extensionUri, session, 'editor'), panel.onDidDispose(() => this.dispose()));
  }

  dispose(): void {
    if (SchedulePanel.current === this) SchedulePanel.current = undefined;
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.panel.dispose();
  }
}
