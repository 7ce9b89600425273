// Hover on a config key (DESIGN.md §6): finds the design field whose key or value is under the cursor (or a
// `plens:` directive that set it) and shows hoverText's Markdown, untrusted and without HTML (DESIGN.md §7).
import * as vscode from 'vscode';
import type { FieldPath } from '../../model/design';
import type { SourceRange } from '../../model/problems';
import type { AnalysedConfig, ConfigAnalyser } from '../analysis/analysis';
import { hoverMarkdown } from './hoverText';
import { elapsedMs, hoverLine } from '../analysis/latency';
import { containsOffset, zeroBased } from './ranges';
import { compareNeighbours, comparesNeighbours } from '../analysis/whatIf';

interface FieldAt {
  field: FieldPath;
  key: SourceRange;
  value: SourceRange | undefined;
}

export class ConfigHover implements vscode.HoverProvider {
  constructor(private readonly analyser: ConfigAnalyser, private readonly log: vscode.LogOutputChannel) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const asked = performance.now();
    const analysis = await this.analyser.ensure(document);
    if (!analysis || token.isCancellationRequested || analysis.version !== document.version) return undefined;
    const waitMs = elapsedMs(asked);
    const building = performance.now();
    let found: FieldAt | undefined;
    try {
      found = fieldAt(analysis, document.offsetAt(position));
      return found && this.hoverAt(analysis, document, found);
    } catch {
      return undefined;
    } finally {
      this.log.debug(hoverLine({ file: document.uri.toString(true), field: found?.field, hoverMs: elapsedMs(building), waitMs }));
    }
  }

  private hoverAt(analysis: AnalysedConfig, document: vscode.TextDocument, found: FieldAt): vscode.Hover {
    const completion = analysis.completion;
    const design = completion?.design;
    const estimate = analysis.estimate?.estimate ?? null;
    const variants = design && estimate && comparesNeighbours(found.field) ? compareNeighbours(design, found.field, estimate) : [];
    const reason = analysis.problems.find((p) => p.severity === 'error')?.message;
    const markdown = new vscode.MarkdownString(hoverMarkdown({
      field: found.field,
      writtenText: found.value ? document.getText(toRange(found.value)) : undefined,
      design,
      origin: completion?.origins[found.field],
      estimate,
      ...(estimate || !reason ? {} : { noEstimateReason: reason }),
      variants,
    }));
    // File text is escaped by hoverMarkdown; these make sure nothing in it could run or render as HTML anyway.
    markdown.isTrusted = false;
    markdown.supportHtml = false;
    markdown.supportThemeIcons = false;
    return new vscode.Hover(markdown, toRange(found.key));
  }
}

/** The smallest key-or-value span containing the offset: nested keys (a value inside a larger span) win. */
function fieldAt(analysis: AnalysedConfig, offset: number): FieldAt | undefined {
  let best: FieldAt | undefined;
  let bestSize = Infinity;
  const consider = (field: FieldPath, key: SourceRange, value: SourceRange | undefined) => {
    for (const span of value ? [key, value] : [key]) {
      const size = span.endOffset - span.startOffset;
      if (containsOffset(span, offset) && size < bestSize) {
        best = { field, key, value };
        bestSize = size;
      }
    }
  };
  for (const [field, ranges] of analysis.read.sourceMap) consider(field, ranges.key, ranges.value);
  // Directive values (`# plens: gpu=H800`) carry their origin's range.
  for (const [field, origin] of Object.entries(analysis.completion?.origins ?? {})) {
    if (origin.from === 'directive' && origin.range) consider(field as FieldPath, origin.range, origin.range);
  }
  return best;
}

function toRange(range: SourceRange): vscode.Range {
  const r = zeroBased(range);
  return new vscode.Range(r.startLine, r.startCharacter, r.endLine, r.endCharacter);
}
