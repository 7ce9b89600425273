// Quick fixes where the correct edit is clear (DESIGN.md §6): the nearest valid PP, TP, EP or micro-batch count,
// or a legacy key's current spelling. Each is one WorkspaceEdit that replaces only the value (or key) text, so
// the user's choice is one undoable step; nothing is applied unless the user picks it (DESIGN.md §7).
import * as vscode from 'vscode';
import type { Design, FieldPath } from '../../model/design';
import { stageCount } from '../../model/layoutChecks';
import type { SourceRange } from '../../model/problems';
import type { AnalysedConfig, ConfigAnalyser } from '../analysis/analysis';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import { expertChoices, globalBatchFor, isWorldFixed, legacyRename, microbatchChoices, pipelineChoices, plainNumberSpan, tensorChoices } from './fixCandidates';
import { balancedLayoutFix, type TextEdit } from './layoutFix';
import { zeroBased } from './ranges';

// Codes of src/model/layoutChecks.ts whose fix is a size: layers over stages (empty or uneven), experts over EP.
const PIPELINE_CODES = new Set(['layout/layers-pp']);
const EXPERT_CODES = new Set(['layout/experts-ep', 'layout/ep-dp']);

export class ConfigQuickFixes implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly analyser: ConfigAnalyser) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
    if (ours.length === 0) return [];
    // Only on the analysis of this very text: an edit computed for older text could land in the wrong place.
    const analysis = this.analyser.peek(document);
    if (!analysis) return [];
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of ours) {
      try {
        actions.push(...fixesFor(diagnostic, document, analysis));
      } catch {
        // A fix that cannot be worked out is simply not offered.
      }
    }
    return actions;
  }
}

function fixesFor(diagnostic: vscode.Diagnostic, document: vscode.TextDocument, analysis: AnalysedConfig): vscode.CodeAction[] {
  const code = typeof diagnostic.code === 'object' ? String(diagnostic.code.value) : String(diagnostic.code ?? '');
  if (code === 'key/legacy') return legacyFix(diagnostic, document);
  const design = analysis.completion?.design;
  if (!design) return [];
  const origins = analysis.completion!.origins;
  if (PIPELINE_CODES.has(code) || code === 'layout/pipeline-layout') {
    const layout = balancedLayoutFix(analysis.read.format, design, analysis.read.sourceMap, document.getText());
    const layoutAction = layout ? [editAction(layout.title, document, layout.edit, diagnostic, code === 'layout/pipeline-layout')] : [];
    if (code === 'layout/pipeline-layout') return layoutAction;
    return [...layoutAction, ...sizeFixes(diagnostic, document, analysis, 'plan.pp', design.plan.pp, pipelineChoices(design, isWorldFixed(origins)),
      (pp) => `Set pipeline-parallel size to ${pp} (${layersPerStage(design, pp)})`)];
  }
  if (code === 'layout/heads-tp') {
    return sizeFixes(diagnostic, document, analysis, 'plan.tp', design.plan.tp, tensorChoices(design, isWorldFixed(origins)),
      (tp) => `Set tensor-parallel size to ${tp} (${design.model.heads / tp} heads per GPU)`);
  }
  if (EXPERT_CODES.has(code)) {
    return sizeFixes(diagnostic, document, analysis, 'plan.ep', design.plan.ep, expertChoices(design),
      (ep) => `Set expert-parallel size to ${ep} (${design.model.experts / ep} experts per GPU)`);
  }
  if (code === 'schedule/constraint') return microbatchFixes(diagnostic, document, analysis, design);
  return [];
}

function layersPerStage(design: Design, pp: number): string {
  return `${design.model.layers / stageCount({ plan: { ...design.plan, pp } })} layers per stage`;
}

function sizeFixes(diagnostic: vscode.Diagnostic, document: vscode.TextDocument, analysis: AnalysedConfig, field: FieldPath, current: number, choices: number[], title: (n: number) => string): vscode.CodeAction[] {
  const target = editableValue(document, analysis, field, current);
  if (!target) return [];
  return choices.map((value, index) => replaceAction(title(value), document, target, String(value), diagnostic, index === 0));
}

/** DualPipe's even m ≥ 2p, interleaving's group rule: set the micro-batch count, or the global batch that gives it. */
function microbatchFixes(diagnostic: vscode.Diagnostic, document: vscode.TextDocument, analysis: AnalysedConfig, design: Design): vscode.CodeAction[] {
  const choices = microbatchChoices(design);
  if (choices.length === 0) return [];
  const direct = editableValue(document, analysis, 'plan.microbatches', design.plan.microbatches);
  if (direct) {
    return choices.map((m, i) => replaceAction(`Set micro-batches per step to ${m}`, document, direct, String(m), diagnostic, i === 0));
  }
  const batch = editableValue(document, analysis, 'plan.globalBatchSize', design.plan.globalBatchSize);
  if (!batch) return [];
  return choices.map((m, i) => {
    const global = globalBatchFor(design, m);
    return replaceAction(`Set global batch size to ${global} (${m} micro-batches of ${design.plan.microBatchSize} × dp ${design.plan.dp})`, document, batch, String(global), diagnostic, i === 0);
  });
}

function legacyFix(diagnostic: vscode.Diagnostic, document: vscode.TextDocument): vscode.CodeAction[] {
  const text = document.getText(diagnostic.range);
  const rename = legacyRename(text);
  if (!rename) return [];
  const start = document.offsetAt(diagnostic.range.start);
  const range = new vscode.Range(document.positionAt(start + rename.start), document.positionAt(start + rename.end));
  return [replaceAction(`Rename to ${rename.replacement}`, document, range, rename.replacement, diagnostic, true)];
}

/**
 * The range of a field's value in this document when the file (or a directive in it) wrote it as the plain
 * number the design uses: `pp: 16`, `--pipeline-model-parallel-size 16`, `"pp=16"`. A value that came through a
 * variable (`$PP`) or from elsewhere is not edited: the clear edit would be somewhere the user did not look.
 */
function editableValue(document: vscode.TextDocument, analysis: AnalysedConfig, field: FieldPath, current: number): vscode.Range | undefined {
  const origin = analysis.completion?.origins[field];
  if (!origin || (origin.from !== 'file' && origin.from !== 'directive')) return undefined;
  const source: SourceRange | undefined = origin.from === 'file' ? analysis.read.sourceMap.get(field)?.value ?? origin.range : origin.range;
  if (!source) return undefined;
  const r = zeroBased(source);
  const range = new vscode.Range(r.startLine, r.startCharacter, r.endLine, r.endCharacter);
  const span = plainNumberSpan(document.getText(range), current);
  if (!span) return undefined;
  const start = document.offsetAt(range.start);
  return new vscode.Range(document.positionAt(start + span.start), document.positionAt(start + span.end));
}

function editAction(title: string, document: vscode.TextDocument, edit: TextEdit, diagnostic: vscode.Diagnostic, preferred: boolean): vscode.CodeAction {
  const range = new vscode.Range(document.positionAt(edit.startOffset), document.positionAt(edit.endOffset));
  return replaceAction(title, document, range, edit.text, diagnostic, preferred);
}

function replaceAction(title: string, document: vscode.TextDocument, range: vscode.Range, text: string, diagnostic: vscode.Diagnostic, preferred: boolean): vscode.CodeAction {
  const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
  action.edit = new vscode.WorkspaceEdit();
  action.edit.replace(document.uri, range, text);
  action.diagnostics = [diagnostic];
  action.isPreferred = preferred;
  return action;
}
