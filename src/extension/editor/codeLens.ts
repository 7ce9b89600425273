// The headline numbers at the top of a recognised config (DESIGN.md §6): one CodeLens that opens the panel, or
// says why there is no estimate and opens the Problems view.
import * as vscode from 'vscode';
import type { AnalysedConfig, ConfigAnalyser } from '../analysis/analysis';
import { lensTitle } from './summary';

/** The wide panel beside the editor: the timeline and memory charts need more than the side bar's width. */
export const OPEN_PANEL_COMMAND = 'parallelismLens.openPanelBeside';

export class ConfigCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscription: vscode.Disposable;
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly analyser: ConfigAnalyser, private readonly enabled: () => boolean) {
    this.subscription = analyser.onDidChange(() => this.changed.fire());
  }

  /** Settings changed (the lens switched on or off). */
  refresh(): void {
    this.changed.fire();
  }

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!this.enabled()) return [];
    const analysis = await this.analyser.ensure(document);
    if (!analysis || token.isCancellationRequested) return [];
    return [lensFor(analysis)];
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function lensFor(analysis: AnalysedConfig): vscode.CodeLens {
  const top = new vscode.Range(0, 0, 0, 0);
  const title = lensTitle(analysis.estimate?.estimate ?? null, analysis.problems);
  if (analysis.estimate?.estimate) {
    return new vscode.CodeLens(top, { title, command: OPEN_PANEL_COMMAND, tooltip: 'Estimated by Parallelism Lens: open the panel beside the editor for the timeline, memory per rank and traffic' });
  }
  return new vscode.CodeLens(top, { title, command: 'workbench.actions.view.problems', tooltip: 'Show the problems that stop the estimate' });
}
