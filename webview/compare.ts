// The Compare tab: every schedule at the active config's PP and micro-batches (chart and table), and "Compare
// with…": two estimates side by side, each change marked better or worse. Text only (textContent), like every
// panel part; the verdict is a word and a mark as well as a colour, so it reads in any theme.
import type { ComparisonRow, EstimateComparison, ScheduleComparisonMessage } from '../src/protocol';
import { byId } from './dom';
import { ScheduleChart } from './scheduleChart';

const VERDICT_TEXT: Record<ComparisonRow['verdict'], string> = { better: '▲ better', worse: '▼ worse', same: 'same', changed: 'changed' };

function cell(tag: 'td' | 'th', text: string, field?: string): HTMLElement {
  const element = document.createElement(tag);
  if (tag === 'th') element.setAttribute('scope', 'row');
  if (field) element.dataset.field = field;
  element.textContent = text;
  return element;
}

export class ComparePane {
  private readonly chart = new ScheduleChart({
    makespan: byId<HTMLCanvasElement>('schedules-makespan'),
    bubble: byId<HTMLCanvasElement>('schedules-bubble'),
    activations: byId<HTMLCanvasElement>('schedules-activations'),
  });

  constructor(onCompareWith: () => void) {
    byId('compare-with').addEventListener('click', onCompareWith);
  }

  showSchedules(message: ScheduleComparisonMessage | undefined): void {
    const rows = message?.rows ?? [];
    byId('schedules-summary').textContent = message ? `${message.fileName}: ${message.summary}` : 'Open a training config to compare its schedules.';
    byId('schedules-body').hidden = rows.length === 0;
    if (rows.length === 0) {
      this.chart.clear();
      byId('schedules-rows').replaceChildren();
      return;
    }
    this.chart.draw(rows);
    byId('schedules-rows').replaceChildren(...rows.map((row) => {
      const tr = document.createElement('tr');
      tr.dataset.testid = `schedules-row-${row.schedule}`;
      if (row.current) tr.className = 'current';
      const name = cell('th', row.current ? `${row.label} (this config)` : row.label);
      const f = row.figures;
      if (!f) {
        const reason = cell('td', `not possible: ${row.reason ?? 'no estimate'}`, 'reason');
        reason.setAttribute('colspan', '5');
        reason.className = 'reason';
        tr.append(name, reason);
        return tr;
      }
      const peak = cell('td', f.texts.peak, 'peak');
      if (f.peakBytes > f.capacityBytes) peak.className = 'over';
      tr.append(name, cell('td', f.texts.step, 'step'), cell('td', f.texts.makespan, 'makespan'), cell('td', f.texts.bubble, 'bubble'), cell('td', f.texts.activations, 'activations'), peak);
      return tr;
    }));
  }

  showComparison(comparison: EstimateComparison | undefined): void {
    byId('comparison').hidden = !comparison;
    if (!comparison) return;
    byId('comparison-left').textContent = comparison.left.title;
    byId('comparison-right').textContent = comparison.right.title;
    byId('comparison-left-summary').textContent = `A: ${comparison.left.summary}`;
    byId('comparison-right-summary').textContent = `B: ${comparison.right.summary}`;
    const notes = byId('comparison-notes');
    notes.hidden = comparison.notes.length === 0;
    notes.textContent = comparison.notes.join(' ');
    byId('comparison-figures').replaceChildren(...comparison.figures.map((row) => this.row(row, true)));
    byId('comparison-settings').replaceChildren(...comparison.settings.map((row) => this.row(row, false)));
  }

  private row(row: ComparisonRow, figure: boolean): HTMLTableRowElement {
    const tr = document.createElement('tr');
    tr.dataset.testid = `comparison-${row.id}`;
    tr.dataset.verdict = row.verdict;
    tr.className = `verdict-${row.verdict}`;
    const verdict = cell('td', VERDICT_TEXT[row.verdict], 'verdict');
    tr.append(cell('th', row.label), cell('td', row.left, 'left'), cell('td', row.right, 'right'));
    if (figure) tr.append(cell('td', row.deltaText, 'delta'), cell('td', row.percentText, 'percent'));
    tr.append(verdict);
    return tr;
  }

  /** The figures as images for a report (empty when the tab was never drawn). */
  canvases(): HTMLCanvasElement[] {
    return ['schedules-makespan', 'schedules-bubble', 'schedules-activations'].map((id) => byId<HTMLCanvasElement>(id));
  }
}
