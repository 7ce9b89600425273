// Problems → Diagnostics on the exact key (DESIGN.md §6), one collection for every config, replaced wholesale
// each time a document is analysed and cleared when it is closed or stops being a config.
import * as vscode from 'vscode';
import type { Problem, Severity } from '../../model/problems';
import type { AnalysedConfig } from '../analysis/analysis';
import { zeroBased } from './ranges';

export const DIAGNOSTIC_SOURCE = 'Parallelism Lens';
export const DIAGNOSTIC_COLLECTION = 'parallelismLens';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function toDiagnostic(problem: Problem, document: vscode.TextDocument): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(editorRange(problem, document), problem.message, SEVERITY[problem.severity]);
  diagnostic.code = problem.code;
  diagnostic.source = DIAGNOSTIC_SOURCE;
  if (problem.code === 'key/legacy') diagnostic.tags = [vscode.DiagnosticTag.Deprecated];
  return diagnostic;
}

/** The problem's range, or the first line when it is about the file as a whole. */
function editorRange(problem: Problem, document: vscode.TextDocument): vscode.Range {
  if (problem.range) {
    const r = zeroBased(problem.range);
    // validateRange clamps a range the text no longer has (the reader saw this version, but be safe).
    return document.validateRange(new vscode.Range(r.startLine, r.startCharacter, r.endLine, r.endCharacter));
  }
  return document.lineCount > 0 ? document.lineAt(0).range : new vscode.Range(0, 0, 0, 0);
}

export class ConfigDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_COLLECTION);

  publish(document: vscode.TextDocument, analysis: AnalysedConfig | undefined): void {
    if (!analysis || analysis.version !== document.version) {
      if (!analysis) this.collection.delete(document.uri);
      return;
    }
    this.collection.set(document.uri, analysis.problems.map((problem) => toDiagnostic(problem, document)));
  }

  clear(uri: vscode.Uri): void {
    this.collection.delete(uri);
  }

  dispose(): void {
    this.collection.dispose();
  }
}
