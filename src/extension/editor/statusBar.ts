// The headline for the active editor in the status bar (DESIGN.md §6); hidden when the active file is not a
// recognised training config.
import * as vscode from 'vscode';
import type { AnalysedConfig } from '../analysis/analysis';
import { OPEN_PANEL_COMMAND } from './codeLens';
import { escapeMarkdown, FORMAT_NAMES, headline } from '../../format';
import { statusText } from './summary';

export class ConfigStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('parallelismLens.headline', vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = 'Parallelism Lens estimate';
    this.item.command = OPEN_PANEL_COMMAND;
  }

  show(analysis: AnalysedConfig | undefined): void {
    if (!analysis) {
      this.item.hide();
      return;
    }
    const estimate = analysis.estimate?.estimate ?? null;
    this.item.text = statusText(estimate, analysis.problems);
    const tooltip = new vscode.MarkdownString();
    tooltip.isTrusted = false;
    tooltip.supportHtml = false;
    const name = FORMAT_NAMES[analysis.read.format] ?? analysis.read.format;
    const file = analysis.uri.path.slice(analysis.uri.path.lastIndexOf('/') + 1);
    tooltip.appendMarkdown(`**Parallelism Lens** · ${escapeMarkdown(name)} · ${escapeMarkdown(file)}\n\n`);
    tooltip.appendMarkdown(estimate ? `${escapeMarkdown(headline(estimate))}\n\nClick to open the panel beside the editor.` : 'No estimate: see the Problems view.');
    this.item.tooltip = tooltip;
    this.item.backgroundColor = estimate ? undefined : new vscode.ThemeColor('statusBarItem.warningBackground');
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
