// Activation: the config editor surface, one panel session, its two surfaces and the commands, every registration
// owned by context.subscriptions so deactivation releases them all.
import * as vscode from 'vscode';
import { SETTINGS_SECTION, warningThresholds } from './analysis/analysis';
import { COMMAND_COMPARE_WITH, COMMAND_SEARCH_LAYOUTS, registerCommands, defaultQuery } from './commands';
import { CompareWith } from './compare/compareWith';
import { ReportExport } from './report/reportExport';
import { LayoutSearch } from './search/layoutSearch';
import { registerConfigFeatures } from './editor/configFeatures';
import { ScheduleJobs } from './schedule/scheduleJobs';
import type { PresentOptions } from './panel/estimatePresenter';
import { EstimatesViewProvider, PANEL_VIEW_TYPE, PanelSession, SchedulePanel, VIEW_ID } from './panel/panel';

export function activate(context: vscode.ExtensionContext): void {
  const jobs = new ScheduleJobs(vscode.Uri.joinPath(context.extensionUri, 'dist', 'scheduleWorker.js').fsPath);
  const session: PanelSession = new PanelSession(() => defaultQuery(), jobs, estimateSettings, () => SchedulePanel.createOrShow(context.extensionUri, session));

  const viewProvider = new EstimatesViewProvider(context.extensionUri, session);
  const features = registerConfigFeatures(context);
  const openBeside = () => SchedulePanel.createOrShow(context.extensionUri, session);
  const search = new LayoutSearch(vscode.Uri.joinPath(context.extensionUri, 'dist', 'searchWorker.js').fsPath, features, session, openBeside);
  session.searchHandlers = { search: () => void search.run(), apply: (searchId, rank) => void search.apply(searchId, rank) };
  const compareWith = new CompareWith(features, session, openBeside);
  const reportExport = new ReportExport(session, String((context.extension.packageJSON as { version?: unknown }).version ?? ''));
  session.actionHandlers = { compareWith: () => void compareWith.run(), exportReport: (message) => void reportExport.run(message) };
  const showActive = () => {
    const active = features.current();
    // Focus in the panel or a non-config file leaves the last config shown; closing it clears the panel.
    if (active) session.showConfig(active.uri.toString(), active.uri.path, active);
  };
  context.subscriptions.push(
    session,
    viewProvider,
    features,
    features.onDidAnalyse(showActive),
    vscode.workspace.onDidCloseTextDocument((document) => session.forgetConfig(document.uri.toString())),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(SETTINGS_SECTION)) session.refreshEstimate();
    }),
    vscode.window.registerWebviewViewProvider(VIEW_ID, viewProvider),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
        SchedulePanel.revive(panel, context.extensionUri, session);
      },
    }),
    search,
    vscode.commands.registerCommand(COMMAND_SEARCH_LAYOUTS, () => search.run()),
    vscode.commands.registerCommand(COMMAND_COMPARE_WITH, () => compareWith.run()),
    ...registerCommands(context.extensionUri, session),
  );
  showActive();
}

/** The thresholds the panel's estimate (and its what-ifs) are judged by: the active file's, as its diagnostics use. */
function estimateSettings(): Omit<PresentOptions, 'whatIf'> {
  return warningThresholds(vscode.workspace.getConfiguration(SETTINGS_SECTION, vscode.window.activeTextEditor?.document.uri));
}

export function deactivate(): void {}
