// Activation: one panel session, its two surfaces and the commands, every registration owned by
// context.subscriptions so deactivation releases them all.
import * as vscode from 'vscode';
import { registerCommands, defaultQuery } from './commands';
import { ScheduleJobs } from './scheduleJobs';
import { EstimatesViewProvider, PANEL_VIEW_TYPE, PanelSession, SchedulePanel, VIEW_ID } from './panel';

export function activate(context: vscode.ExtensionContext): void {
  const jobs = new ScheduleJobs(vscode.Uri.joinPath(context.extensionUri, 'dist', 'scheduleWorker.js').fsPath);
  const session: PanelSession = new PanelSession(() => defaultQuery(), jobs);
  const viewProvider = new EstimatesViewProvider(context.extensionUri, session);
  context.subscriptions.push(
    session,
    viewProvider,
    vscode.window.registerWebviewViewProvider(VIEW_ID, viewProvider),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
        SchedulePanel.revive(panel, context.extensionUri, session);
      },
    }),
    ...registerCommands(context.extensionUri, session),
  );
}

export function deactivate(): void {}
