// "Parallelism Lens: Search Layouts" on the active config: the search runs in worker threads, one part per core
// (src/worker/searchDriver.ts, never on the extension host's own thread), behind a cancellable progress notification, its table goes to the panel, and Apply writes a row's layout into the file
// as one WorkspaceEdit (one Undo), computed by the same pure function as `plens search --apply`.
import * as vscode from 'vscode';
import { layoutEdits, applyOffsetEdits, planLayoutApply, type FieldChange } from '../../config/layoutEdits';
import type { ParallelPlan } from '../../model/design';
import { pricingProblem } from '../../model/estimate';
import { noLayoutReason, type SearchResult } from '../../model/search/index';
import type { SearchMessage } from '../../protocol';
import type { ConfigFeatures } from '../editor/configFeatures';
import type { PanelSession } from '../panel/panel';
import { searchRows } from './searchView';
import { defaultSearchWorkers, SearchWorkerPool, type WorkerSearch } from '../../worker/searchDriver';
import type { Design } from '../../model/design';

// Like `plens search`, the editor's search is complete: no time budget, so its answer does not depend on the
// machine's load. The progress notification's Cancel stops it.
const TOP = 25;
/** A search's workers wait this long, warm, for the next search (a warm search takes about half a cold one). */
const WORKER_IDLE_MS = 120_000;

interface Searched {
  id: number;
  uri: vscode.Uri;
  fileName: string;
  /** Each result row's plan and its pipeline layout in Megatron's letters, for Apply. */
  plans: Map<number, { plan: ParallelPlan; layout: string }>;
}

export class LayoutSearch implements vscode.Disposable {
  private searchId = 0;
  private running: WorkerSearch | undefined;
  private readonly pool: SearchWorkerPool;
  private last: Searched | undefined;

  constructor(
    workerPath: string,
    private readonly features: ConfigFeatures,
    private readonly session: PanelSession,
    private readonly openPanel: () => void,
  ) {
    this.pool = new SearchWorkerPool(workerPath, { idleMs: WORKER_IDLE_MS });
  }

  async run(): Promise<void> {
    const analysis = this.features.current();
    const design = analysis?.completion?.design;
    if (!analysis || !design) {
      void vscode.window.showWarningMessage('Parallelism Lens: open a training config whose design is complete to search its layouts (the Problems view says what is missing).');
      return;
    }
    this.stopWorker();
    const id = ++this.searchId;
    const fileName = analysis.uri.path.slice(analysis.uri.path.lastIndexOf('/') + 1);
    const post = (message: Omit<SearchMessage, 'type' | 'searchId' | 'fileName'>) => this.session.showSearch({ type: 'search', searchId: id, fileName, ...message });
    this.openPanel();
    const unpriced = pricingProblem(design);
    if (unpriced) return post({ state: 'error', summary: `No layout can be priced: ${unpriced.message}.`, rows: [] });
    post({ state: 'running', summary: `Searching every layout of ${fileName}…`, rows: [] });
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Parallelism Lens: searching layouts of ${fileName}`, cancellable: true },
      (progress, token) => this.search(design, progress, token),
    );
    if (id !== this.searchId) return;
    if (outcome === 'cancelled') return post({ state: 'cancelled', summary: 'Search cancelled.', rows: [] });
    if (outcome instanceof Error) return post({ state: 'error', summary: `The search failed: ${outcome.message}`, rows: [] });
    const estimate = analysis.estimate?.estimate;
    const { rows, summary } = searchRows(outcome, estimate ? { plan: design.plan, estimate } : undefined);
    const plans = new Map<number, { plan: ParallelPlan; layout: string }>(outcome.results.map((candidate, index) => [index + 1, { plan: candidate.plan, layout: candidate.pipelineLayout.layout }]));
    this.last = { id, uri: analysis.uri, fileName, plans };
    const none = noLayoutReason(outcome, design);
    post({ state: 'done', summary: none ? `${summary}. No layout to rank: ${none}.` : summary, rows });
  }

  private async search(design: Design, progress: vscode.Progress<{ message?: string; increment?: number }>, token: vscode.CancellationToken): Promise<SearchResult | Error | 'cancelled'> {
    // Bounds rule out most of the space without an estimate (DeepSeek-V3: 669 of 8.2 M estimated), so a bar of
    // estimated ÷ space would sit near zero: the notification stays indeterminate and counts the layouts instead.
    const running = this.pool.search(design, {
      workers: defaultSearchWorkers(), objective: 'step-time', top: TOP,
      onProgress: ({ evaluated, space }) => progress.report({ message: `${evaluated.toLocaleString('en-US')} layouts estimated; ${space.toLocaleString('en-US')} in the space` }),
    });
    this.running = running;
    const subscription = token.onCancellationRequested(() => void running.cancel());
    try {
      const result = await running.result;
      return result.status === 'cancelled' ? 'cancelled' : result;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    } finally {
      subscription.dispose();
      if (this.running === running) this.running = undefined;
    }
  }

  /** Writes row `rank` of search `searchId` into its file as one undoable edit; says what it could not write. */
  async apply(searchId: number, rank: number): Promise<void> {
    const last = this.last;
    const chosen = last?.id === searchId ? last.plans.get(rank) : undefined;
    if (!last || !chosen) {
      void vscode.window.showWarningMessage('Parallelism Lens: that search result is no longer current; search again.');
      return;
    }
    const document = await vscode.workspace.openTextDocument(last.uri);
    const analysis = await this.features.analyse(document);
    const current = analysis?.completion?.design?.plan;
    if (!analysis?.completion || !current) {
      void vscode.window.showWarningMessage(`Parallelism Lens: ${last.fileName} no longer gives a complete design; nothing was changed.`);
      return;
    }
    const text = document.getText();
    const input = { text, format: analysis.read.format, sourceMap: analysis.read.sourceMap, origins: analysis.completion.origins, current, target: chosen.plan, targetLayout: chosen.layout };
    // Read the edited text back the way the editor reads the file, so the message says what the file will give.
    const edited = applyOffsetEdits(text, layoutEdits(input).edits);
    const reread = (await this.features.analyseEdited(document, edited))?.completion?.design?.plan;
    const plan = planLayoutApply(input, () => reread);
    if (plan.edits.length === 0) {
      void vscode.window.showWarningMessage(`Parallelism Lens: layout #${rank} cannot be written into ${last.fileName}: ${describeRemaining(plan.remaining) || 'it is the file\'s layout already'}.`);
      return;
    }
    // A newer edit of the document would make the offsets wrong: only apply to the text they were computed on.
    if (document.getText() !== text) {
      void vscode.window.showWarningMessage(`Parallelism Lens: ${last.fileName} changed while the edit was worked out; nothing was changed, apply again.`);
      return;
    }
    const edit = new vscode.WorkspaceEdit();
    for (const change of plan.edits) edit.replace(document.uri, new vscode.Range(document.positionAt(change.start), document.positionAt(change.end)), change.text);
    if (!(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showErrorMessage(`Parallelism Lens: ${last.fileName} could not be edited.`);
      return;
    }
    const shown = vscode.window.visibleTextEditors.find((editor) => editor.document === document);
    await vscode.window.showTextDocument(document, { viewColumn: shown?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false });
    const left = describeRemaining(plan.remaining);
    void vscode.window.showInformationMessage(`Parallelism Lens: layout #${rank} written into ${last.fileName}: ${describeChanges(plan.written)} (Undo restores it).${left ? ` Not written: ${left}.` : ''}`);
  }

  private stopWorker(): void {
    void this.running?.cancel();
    this.running = undefined;
  }

  dispose(): void {
    this.stopWorker();
    void this.pool.dispose();
  }
}

function describeChanges(changes: FieldChange[]): string {
  return changes.map((change) => `${change.field} ${change.from} → ${change.to}`).join(', ');
}

function describeRemaining(remaining: (FieldChange & { reason: string })[]): string {
  return remaining.map((left) => `${left.field} ${left.to} (${left.reason})`).join('; ');
}
