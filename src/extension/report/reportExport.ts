// The panel's Export: the shown estimate as a self-contained HTML report or as CSV, written where the user chooses
// in a save dialog (which asks before replacing a file); nothing is written without that choice.
import * as vscode from 'vscode';
import type { Estimate } from '../../model/estimate';
import { estimate } from '../../model/estimate';
import type { ExportReportMessage } from '../../protocol';
import type { PanelSession } from '../panel/panel';
import { MAX_EDITOR_OPS } from '../analysis/pipeline';
import { reportCsv } from './reportCsv';
import { reportHtml, reportImage } from './reportHtml';
import { applyWhatIf, scheduleOps } from '../analysis/whatIf';

export class ReportExport {
  constructor(private readonly session: PanelSession, private readonly version: string) {}

  async run(message: ExportReportMessage): Promise<void> {
    const shown = this.session.shown();
    const { estimate: estimateMessage, schedules, comparison } = this.session.views();
    const view = estimateMessage?.estimate;
    if (!shown || !view) {
      void vscode.window.showWarningMessage('Parallelism Lens: open a training config first; the report is of its estimate.');
      return;
    }
    const html = message.format === 'html';
    const stem = view.fileName.replace(/\.(plens\.)?(ya?ml|json|toml|sh|py)$/i, '') || 'estimate';
    const target = await vscode.window.showSaveDialog({
      title: html ? 'Export the estimate as an HTML report' : 'Export the estimate\'s tables as CSV',
      defaultUri: besideConfig(shown.key, `${stem}-${html ? 'report.html' : 'tables.csv'}`),
      filters: html ? { 'HTML report': ['html'] } : { CSV: ['csv'] },
      saveLabel: 'Export',
    });
    if (!target) return;
    const images = {
      ...(reportImage(message.images.timeline) ? { timeline: message.images.timeline } : {}),
      ...(reportImage(message.images.memory) ? { memory: message.images.memory } : {}),
      ...(reportImage(message.images.schedules) ? { schedules: message.images.schedules } : {}),
    };
    const text = html
      ? reportHtml({ view, images, ...(schedules ? { schedules } : {}), ...(comparison ? { comparison } : {}), generatedAt: new Date().toISOString(), version: this.version })
      : reportCsv({ estimate: shownEstimate(shown), view, ...(schedules ? { schedules } : {}), ...(comparison ? { comparison } : {}) });
    try {
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    } catch (error) {
      void vscode.window.showErrorMessage(`Parallelism Lens: ${target.fsPath} could not be written: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    void vscode.window.showInformationMessage(`Parallelism Lens: ${html ? 'report' : 'tables'} written to ${vscode.workspace.asRelativePath(target)}.`);
  }
}

/** The estimate the panel shows: the file's, or its what-if's (estimated again, as the panel did, within the editor's budget). */
function shownEstimate(shown: NonNullable<ReturnType<PanelSession['shown']>>): Estimate | null {
  const design = shown.analysed.completion?.design;
  if (!shown.whatIf || !design) return shown.analysed.estimate?.estimate ?? null;
  const applied = applyWhatIf(design, shown.whatIf);
  if (typeof applied === 'string' || Object.keys(applied.changes).length === 0) return shown.analysed.estimate?.estimate ?? null;
  if (scheduleOps(applied.design.plan) > MAX_EDITOR_OPS) return null;
  return estimate(applied.design).estimate;
}

/** The name in the config's own folder (its URI's scheme kept: a remote workspace's files are not `file:`); in the workspace folder for an unsaved config. */
function besideConfig(key: string, name: string): vscode.Uri | undefined {
  const config = vscode.Uri.parse(key);
  if (config.scheme !== 'untitled') return vscode.Uri.joinPath(config, '..', name);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder ? vscode.Uri.joinPath(folder, name) : undefined;
}
