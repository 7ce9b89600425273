// The timeline renderer the Estimate tab, Show Schedule… and comparisons share: a canvas of per-rank rows (bars
// binned per pixel column, bins.ts), an exposed-communication lane under each row, an overview strip of the whole
// step with a brush, and a tooltip naming the op under the pointer. Zoom with the wheel, pan by dragging,
// double-click to see the whole step again (pointer.ts wires the gestures).
import type { TimelineSpec } from '../../src/protocol';
import { binTimeline, opNear, type TimeWindow } from './bins';
import { describeOp, formatTime, niceTicks } from './describe';
import { paintBins, paintOverview, plotGeometry, rowTop, type PlotGeometry } from './paint';
import { attachPointer } from './pointer';
import type { ReplayResult, TimelineData } from './replay';
import { opsOf, ReplayClient } from './replayClient';
import { COMM_SERIES, readTimelineTheme, SERIES, type TimelineTheme } from './theme';

const LABEL_CSS = 58;
const RIGHT_CSS = 10;
const AXIS_CSS = 24;
const OVERVIEW_CSS = 30;

/** One replayer for every timeline of the page; the page names the worker's script on #app (src/extension/panel/html.ts). */
let pageReplayer: ReplayClient | undefined;
function sharedReplayer(): ReplayClient {
  pageReplayer ??= new ReplayClient(document.getElementById('app')?.dataset.timelineWorker);
  return pageReplayer;
}

export class TimelineView {
  private data: TimelineData | undefined;
  private key: string | undefined;
  /** The spec being replayed in the worker, while it is. */
  private replaying: string | undefined;
  private window: TimeWindow = { start: 0, end: 1 };
  private theme: TimelineTheme = readTimelineTheme();
  private geometry: PlotGeometry | undefined;
  private overviewPixels: ImageData | undefined;
  private pending = 0;
  private readonly overview = document.createElement('canvas');
  private readonly tooltip = document.createElement('div');
  private readonly legend = document.createElement('div');
  private readonly note = document.createElement('p');
  /** Milliseconds the last draw of the rows took (binning and painting), for the bench and the curious. */
  lastDrawMs = 0;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly box: HTMLElement, private readonly replayer: Pick<ReplayClient, 'replay'> = sharedReplayer()) {
    box.classList.add('timeline-box');
    this.overview.className = 'timeline-overview';
    this.overview.dataset.testid = `${canvas.dataset.testid ?? 'timeline'}-overview`;
    this.overview.setAttribute('role', 'img');
    this.overview.setAttribute('aria-label', 'The whole step; drag to choose the part shown above');
    this.tooltip.className = 'timeline-tooltip';
    this.tooltip.dataset.testid = `${canvas.dataset.testid ?? 'timeline'}-tooltip`;
    this.tooltip.setAttribute('role', 'tooltip');
    this.tooltip.hidden = true;
    this.legend.className = 'timeline-legend';
    this.note.className = 'note';
    this.note.hidden = true;
    box.append(this.overview, this.legend, this.note, this.tooltip);
    attachPointer(canvas, this.overview, {
      zoom: (x, factor) => this.zoomAt(x, factor),
      pan: (dx) => this.panBy(dx),
      reset: () => this.setWindow({ start: 0, end: this.data?.makespan ?? 1 }),
      hover: (x, y) => this.hover(x, y),
      leave: () => (this.tooltip.hidden = true),
      brush: (x0, x1) => this.brush(x0, x1),
    });
    // VS Code swaps body classes (vscode-light / -dark / -high-contrast) on a theme change.
    new MutationObserver(() => {
      this.theme = readTimelineTheme();
      this.overviewPixels = undefined;
      this.renderLegend();
      this.request();
    }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
    new ResizeObserver(() => {
      this.overviewPixels = undefined;
      this.request();
    }).observe(box);
  }

  /** Replays the spec when it differs from the one drawn (the Estimate tab asks again after every analysis). */
  show(spec: TimelineSpec): void {
    const key = JSON.stringify(spec);
    if (key === this.key && (this.data || this.replaying === key)) return;
    this.key = key;
    const replayed = this.replayer.replay(spec);
    if (!(replayed instanceof Promise)) {
      this.replaying = undefined;
      this.accept(replayed, 'page');
      return;
    }
    // The last step stays on screen (its hover too) until the new one is replayed; a newer spec wins.
    this.replaying = key;
    this.note.textContent = `Replaying ${opsOf(spec).toLocaleString('en-US')} ops of the step…`;
    this.note.hidden = false;
    void replayed.then((result) => {
      if (this.replaying !== key) return;
      this.replaying = undefined;
      this.accept(result, 'worker');
    });
  }

  private accept(replayed: ReplayResult, where: 'page' | 'worker'): void {
    this.canvas.dataset.replayedBy = where;
    if (!replayed.ok) {
      this.clear();
      this.note.textContent = `The timeline cannot be drawn: ${replayed.message}`;
      this.note.hidden = false;
      return;
    }
    this.note.hidden = true;
    this.data = replayed.data;
    this.window = { start: 0, end: this.data.makespan };
    this.overviewPixels = undefined;
    this.renderLegend();
    this.draw();
  }

  clear(): void {
    this.data = undefined;
    this.key = undefined;
    this.replaying = undefined;
    this.tooltip.hidden = true;
    this.canvas.getContext('2d')?.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.overview.getContext('2d')?.clearRect(0, 0, this.overview.width, this.overview.height);
    this.legend.replaceChildren();
  }

  private request(): void {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = 0;
      this.draw();
    });
  }

  private setWindow(window: TimeWindow): void {
    const makespan = this.data?.makespan ?? 1;
    const span = Math.min(makespan, Math.max(makespan * 1e-7, window.end - window.start));
    const start = Math.min(Math.max(0, window.start), makespan - span);
    this.window = { start, end: start + span };
    this.request();
  }

  /** The time under canvas x (CSS pixels), or undefined off the plot. */
  private timeAt(cssX: number): number | undefined {
    const g = this.geometry;
    if (!g) return undefined;
    const x = cssX * devicePixelRatio - g.left;
    if (x < 0 || x > g.width) return undefined;
    return this.window.start + (x / g.width) * (this.window.end - this.window.start);
  }

  private zoomAt(cssX: number, factor: number): void {
    const time = this.timeAt(cssX) ?? (this.window.start + this.window.end) / 2;
    const span = (this.window.end - this.window.start) * factor;
    const ratio = span / (this.window.end - this.window.start);
    this.setWindow({ start: time - (time - this.window.start) * ratio, end: time - (time - this.window.start) * ratio + span });
  }

  private panBy(cssDx: number): void {
    const g = this.geometry;
    if (!g) return;
    const shift = ((cssDx * devicePixelRatio) / g.width) * (this.window.end - this.window.start);
    this.setWindow({ start: this.window.start - shift, end: this.window.end - shift });
  }

  /** A drag on the overview selects that part of the step; a click centres the current span there. */
  private brush(cssX0: number, cssX1: number): void {
    if (!this.data) return;
    const width = this.overview.clientWidth - LABEL_CSS - RIGHT_CSS;
    const toTime = (x: number) => (Math.min(Math.max(0, x - LABEL_CSS), width) / width) * this.data!.makespan;
    const [a, b] = [toTime(Math.min(cssX0, cssX1)), toTime(Math.max(cssX0, cssX1))];
    if (Math.abs(cssX1 - cssX0) < 3) {
      const span = this.window.end - this.window.start;
      this.setWindow({ start: a - span / 2, end: a + span / 2 });
    } else this.setWindow({ start: a, end: b });
  }

  private hover(cssX: number, cssY: number): void {
    const g = this.geometry;
    const data = this.data;
    const time = this.timeAt(cssX);
    if (!g || !data || time === undefined) {
      this.tooltip.hidden = true;
      return;
    }
    const rank = Math.floor((cssY * devicePixelRatio - g.top) / g.pitch);
    const halfColumn = (0.5 * (this.window.end - this.window.start)) / g.width;
    const op = opNear(data, rank, time, halfColumn);
    if (op === undefined) {
      this.tooltip.hidden = true;
      return;
    }
    this.tooltip.replaceChildren(...[`rank ${rank}`, ...describeOp(data, op)].map((line) => {
      const div = document.createElement('div');
      div.textContent = line;
      return div;
    }));
    this.tooltip.hidden = false;
    // Keep the tooltip inside the box: flip to the pointer's left in the right half.
    const left = cssX > this.box.clientWidth / 2 ? cssX - this.tooltip.offsetWidth - 12 : cssX + 12;
    this.tooltip.style.left = `${Math.max(0, left)}px`;
    this.tooltip.style.top = `${cssY + 14}px`;
  }

  private draw(): void {
    const data = this.data;
    if (!data) return;
    const ratio = devicePixelRatio;
    const cssWidth = Math.max(120, this.box.clientWidth);
    const geometry = plotGeometry(data.ranks, data.comm !== undefined && data.comm.some((value) => value > 0), Math.round(LABEL_CSS * ratio), Math.round(4 * ratio), (cssWidth - LABEL_CSS - RIGHT_CSS) * ratio, ratio);
    this.geometry = geometry;
    const cssHeight = Math.ceil((geometry.top + geometry.height) / ratio) + AXIS_CSS;
    this.resize(this.canvas, cssWidth, cssHeight);
    const context = this.canvas.getContext('2d');
    if (!context) return;
    context.clearRect(0, 0, this.canvas.width, this.canvas.height);
    const began = performance.now();
    const bins = binTimeline(data, this.window, geometry.width);
    const image = context.createImageData(geometry.width, geometry.height);
    paintBins(bins, geometry, this.theme.palette, new Uint32Array(image.data.buffer));
    context.putImageData(image, geometry.left, geometry.top);
    this.lastDrawMs = performance.now() - began;
    this.canvas.dataset.plot = JSON.stringify({ ...geometry, windowStart: this.window.start, windowEnd: this.window.end, makespan: data.makespan });
    this.drawLabels(context, geometry, data);
    this.drawOverview(cssWidth);
  }

  private resize(canvas: HTMLCanvasElement, cssWidth: number, cssHeight: number): void {
    const width = Math.round(cssWidth * devicePixelRatio);
    const height = Math.round(cssHeight * devicePixelRatio);
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    canvas.style.height = `${cssHeight}px`;
  }

  private drawLabels(context: CanvasRenderingContext2D, g: PlotGeometry, data: TimelineData): void {
    const ratio = devicePixelRatio;
    context.save();
    context.scale(ratio, ratio);
    context.font = this.theme.font;
    context.fillStyle = this.theme.foreground;
    context.textBaseline = 'middle';
    context.textAlign = 'right';
    const fontPx = Number.parseFloat(this.theme.font) || 11;
    // Label every rank when rows are tall enough for the text, else every k-th (always rank 0 and the last).
    const every = Math.max(1, Math.ceil((fontPx + 1) / (g.pitch / ratio)));
    const lastLabelled = data.ranks - 1 - ((data.ranks - 1) % every);
    for (let rank = 0; rank < data.ranks; rank++) {
      // The last rank too, when it does not crowd the label before it.
      const isLast = rank === data.ranks - 1 && rank - lastLabelled >= every / 2;
      if (rank % every !== 0 && !isLast) continue;
      context.fillText(`rank ${rank}`, g.left / ratio - 6, (rowTop(g, rank) + g.rowHeight / 2) / ratio);
    }
    const axisY = (g.top + g.height) / ratio + 2;
    context.strokeStyle = this.theme.grid;
    context.beginPath();
    context.moveTo(g.left / ratio, axisY);
    context.lineTo((g.left + g.width) / ratio, axisY);
    context.stroke();
    context.textAlign = 'center';
    context.textBaseline = 'top';
    const ticks = niceTicks(this.window.start, this.window.end, Math.max(2, Math.floor(g.width / ratio / 90)));
    for (const tick of ticks) {
      const x = (g.left + ((tick - this.window.start) / (this.window.end - this.window.start)) * g.width) / ratio;
      context.beginPath();
      context.moveTo(x, axisY);
      context.lineTo(x, axisY + 4);
      context.stroke();
      context.fillText(formatTime(data, tick), x, axisY + 6);
    }
    context.restore();
  }

  private drawOverview(cssWidth: number): void {
    const data = this.data;
    if (!data) return;
    const ratio = devicePixelRatio;
    this.resize(this.overview, cssWidth, OVERVIEW_CSS);
    const context = this.overview.getContext('2d');
    if (!context) return;
    const left = Math.round(LABEL_CSS * ratio);
    const width = Math.max(1, Math.floor((cssWidth - LABEL_CSS - RIGHT_CSS) * ratio));
    const height = this.overview.height;
    if (!this.overviewPixels || this.overviewPixels.width !== width || this.overviewPixels.height !== height) {
      // The whole step with every rank squeezed into the strip: the bubble's shape at a glance.
      const image = context.createImageData(width, height);
      paintOverview(binTimeline(data, { start: 0, end: data.makespan }, width), width, height, this.theme.palette, new Uint32Array(image.data.buffer));
      this.overviewPixels = image;
    }
    context.clearRect(0, 0, this.overview.width, height);
    context.putImageData(this.overviewPixels, left, 0);
    const x0 = left + (this.window.start / data.makespan) * width;
    const x1 = left + (this.window.end / data.makespan) * width;
    context.strokeStyle = this.theme.brush;
    context.lineWidth = Math.max(1, Math.round(ratio * 1.5));
    context.strokeRect(x0, 1, Math.max(2, x1 - x0), height - 2);
  }

  private renderLegend(): void {
    const data = this.data;
    if (!data) return;
    const present = new Set(data.category);
    const items: HTMLElement[] = [];
    const item = (colour: string, label: string) => {
      const span = document.createElement('span');
      span.className = 'timeline-legend-item';
      const swatch = document.createElement('span');
      swatch.className = 'timeline-swatch';
      swatch.style.backgroundColor = colour;
      span.append(swatch, document.createTextNode(label));
      items.push(span);
    };
    for (const series of SERIES) {
      if (present.has(series.category)) item(this.theme.css[series.category]!, series.label);
      if (present.has(series.category + 1)) item(this.theme.css[series.category + 1]!, `${series.label.split(' ')[0]}, later chunk`);
    }
    if (data.comm?.some((value) => value > 0)) {
      const { r, g, b } = this.theme.palette.comm;
      item(`rgb(${r}, ${g}, ${b})`, `${COMM_SERIES.label} (lane under each rank)`);
    }
    const hint = document.createElement('span');
    hint.className = 'timeline-hint';
    hint.textContent = 'Wheel: zoom · drag: pan · double-click: whole step';
    items.push(hint);
    this.legend.replaceChildren(...items);
  }
}
