// The Estimate tab: the active config's figures, memory chart, traffic, designed timeline, problems and where each
// value came from. Everything is written with textContent or drawn on a canvas: the page never parses data as
// HTML, so a config value like `<img src=x onerror=…>` shows as text (DESIGN.md §7).
import type { EstimateView, ScheduleChoice, WhatIfChanges } from '../src/protocol';
import { byId } from './dom';
import { MemoryChart } from './memoryChart';
import { TimelineView } from './timeline/view';
import { WhatIfControls } from './whatIfControls';

function cell(tag: 'td' | 'th', text: string, field?: string): HTMLElement {
  const element = document.createElement(tag);
  if (tag === 'th') element.setAttribute('scope', 'row');
  if (field) element.dataset.field = field;
  element.textContent = text;
  return element;
}

const SEVERITY_MARK: Record<string, string> = { error: '✖', warning: '⚠', info: 'ℹ' };

export class EstimatePane {
  private readonly memory = new MemoryChart(byId<HTMLCanvasElement>('memory-chart'));
  private readonly timeline = new TimelineView(byId<HTMLCanvasElement>('estimate-timeline'), byId('estimate-timeline-box'));
  private readonly controls: WhatIfControls;
  private readonly error = byId('estimate-unavailable');

  constructor(onWhatIf: (changes: WhatIfChanges) => void, onReset: () => void) {
    this.controls = new WhatIfControls(onWhatIf, onReset, (message) => this.showError(message));
  }

  offer(choices: ScheduleChoice[]): void {
    this.controls.offer(choices);
  }

  show(view: EstimateView | null): void {
    byId('estimate-empty').hidden = view !== null;
    byId('estimate').hidden = view === null;
    if (!view) {
      this.memory.clear();
      this.timeline.clear();
      return;
    }
    byId('estimate-title').textContent = `${view.fileName} — ${view.formatName}`;
    byId('estimate-design').textContent = view.designSummary ?? '';
    this.controls.show(view);
    const note = byId('what-if-note');
    note.hidden = !view.whatIf;
    note.textContent = view.whatIf?.description ?? '';
    this.error.hidden = view.unavailable === undefined;
    this.error.textContent = view.unavailable === undefined ? '' : `No estimate: ${view.unavailable}`;
    byId('estimate-body').hidden = view.figures.length === 0;
    this.renderFigures(view);
    this.renderMemory(view);
    this.renderTraffic(view);
    this.renderWaterfall(view);
    this.renderTimeline(view);
    this.renderProblems(view);
    this.renderAssumptions(view);
  }

  private showError(message: string): void {
    this.error.textContent = message;
    this.error.hidden = false;
  }

  /** One small card per figure (label over value), so the grid reflows from a narrow sidebar to a wide editor. */
  private renderFigures(view: EstimateView): void {
    const cards = view.figures.map((figure) => {
      const card = document.createElement('div');
      card.className = 'figure';
      const term = document.createElement('dt');
      term.textContent = figure.label;
      const value = document.createElement('dd');
      value.dataset.testid = `figure-${figure.id}`;
      value.textContent = figure.text;
      card.append(term, value);
      if (figure.note) {
        card.title = figure.note;
        const note = document.createElement('dd');
        note.className = 'figure-note';
        note.textContent = figure.note;
        card.append(note);
      }
      return card;
    });
    byId('estimate-figures').replaceChildren(...cards);
  }

  private renderMemory(view: EstimateView): void {
    const memory = view.memory;
    if (!memory) {
      this.memory.clear();
      byId('memory-note').textContent = '';
      return;
    }
    this.memory.draw(memory);
    const over = memory.ranks.filter((rank) => rank.totalBytes > memory.capacityBytes).length;
    const gpu = over > 0
      ? `${over} of ${memory.ranks.length} ranks need more than the GPU's ${memory.capacityText}.`
      : `Every rank fits in the GPU's ${memory.capacityText}.`;
    // Offloaded bytes live beside the chart, not in its HBM bars: the fullest host against the host's memory.
    byId('memory-note').textContent = memory.hostText ? `${gpu} Offloaded: ${memory.hostText}.` : gpu;
  }

  private renderTraffic(view: EstimateView): void {
    const traffic = view.traffic;
    byId('traffic-rows').replaceChildren(...(traffic?.rows ?? []).map((row) => {
      const tr = document.createElement('tr');
      tr.dataset.testid = `traffic-${row.dimension}`;
      tr.append(cell('th', row.label), cell('td', row.nvlinkText, 'nvlink'), cell('td', row.ibText, 'ib'));
      return tr;
    }));
    byId('ib-per-token').textContent = traffic?.ibBytesPerTokenText ?? '';
    byId('exposed-comm').textContent = traffic?.exposedCommText ?? '';
    byId('compute-comm').textContent = traffic?.computeToCommText ?? '';
  }

  /** One row per part; its bar starts where the previous part ended (set through the CSSOM, which the CSP allows). */
  private renderWaterfall(view: EstimateView): void {
    const waterfall = view.waterfall;
    byId('waterfall-rows').replaceChildren(...(waterfall?.rows ?? []).map((row) => {
      const tr = document.createElement('tr');
      tr.dataset.testid = `waterfall-${row.id}`;
      const barCell = document.createElement('td');
      barCell.className = 'waterfall-bar-col';
      const bar = document.createElement('div');
      bar.className = `waterfall-bar part-${row.id}`;
      bar.style.marginLeft = `${(row.startFraction * 100).toFixed(2)}%`;
      bar.style.width = `${Math.max(0, row.widthFraction * 100).toFixed(2)}%`;
      barCell.append(bar);
      tr.append(cell('th', row.label), cell('td', row.secondsText, 'seconds'), cell('td', row.shareText, 'share'), barCell);
      return tr;
    }));
    byId('waterfall-total').textContent = waterfall?.totalText ?? '';
  }

  private renderTimeline(view: EstimateView): void {
    const box = byId('estimate-timeline-box');
    box.hidden = !view.timeline;
    if (view.timeline) this.timeline.show(view.timeline);
    else this.timeline.clear();
  }

  private renderProblems(view: EstimateView): void {
    const items = view.problems.map((problem) => {
      const item = document.createElement('li');
      item.className = `problem ${problem.severity}`;
      item.dataset.code = problem.code;
      const head = document.createElement('span');
      head.className = 'problem-code';
      head.textContent = `${SEVERITY_MARK[problem.severity] ?? ''} ${problem.code}${problem.line ? ` · line ${problem.line}` : ''}`;
      const message = document.createElement('span');
      message.className = 'problem-message';
      message.textContent = problem.message;
      item.append(head, message);
      return item;
    });
    if (items.length === 0) {
      const none = document.createElement('li');
      none.className = 'note';
      none.textContent = 'None.';
      items.push(none);
    }
    byId('estimate-problems').replaceChildren(...items);
  }

  private renderAssumptions(view: EstimateView): void {
    byId('assumptions').replaceChildren(...view.assumptions.map((row) => {
      const tr = document.createElement('tr');
      tr.dataset.field = row.field;
      tr.dataset.from = row.from;
      const label = cell('th', row.label);
      label.title = row.field;
      tr.append(label, cell('td', row.value, 'value'), cell('td', row.fromText, 'from'));
      return tr;
    }));
  }
}
