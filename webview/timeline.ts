// The per-rank timeline: a chart.js floating-bar chart, one row per pipeline rank, one bar per op. Colours come
// from VS Code's chart palette (--vscode-charts-*) and are re-read when the theme changes.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
  type ChartDataset,
  type Plugin,
  type ScriptableContext,
} from 'chart.js';
import { color } from 'chart.js/helpers';
import type { ScheduleReport } from '../src/protocol';
import { formatNumber } from './format';

// Only what a floating-bar chart uses, so the bundle leaves the rest of chart.js out.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

type ReportOp = NonNullable<ScheduleReport['ranks'][number]['ops']>[number];

/** What the chart draws: a schedule report, or the estimate's designed step (times in seconds). */
export interface TimelineData {
  makespan: number;
  ranks: { rank: number; ops?: ReportOp[] }[];
}

interface TimelinePoint {
  x: [number, number];
  y: string;
  op: ReportOp;
}

/** B and I share a series: both are the backward that unblocks the previous stage. */
const SERIES = [
  { key: 'F', label: 'F (forward)', ops: ['F'], cssVar: '--vscode-charts-blue', fallback: '#3794ff' },
  { key: 'B', label: 'B / I (backward)', ops: ['B', 'I'], cssVar: '--vscode-charts-green', fallback: '#89d185' },
  { key: 'W', label: 'W (weight gradient)', ops: ['W'], cssVar: '--vscode-charts-yellow', fallback: '#cca700' },
  { key: 'FB', label: 'F&B (overlapped)', ops: ['FB'], cssVar: '--vscode-charts-purple', fallback: '#b180d7' },
] as const;

interface Theme {
  series: string[];
  foreground: string;
  grid: string;
  background: string;
  fontFamily: string;
  fontSize: number;
}

function cssValue(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

function readTheme(): Theme {
  const style = getComputedStyle(document.body);
  return {
    series: SERIES.map((series) => cssValue(style, series.cssVar, series.fallback)),
    foreground: cssValue(style, '--vscode-foreground', '#cccccc'),
    grid: cssValue(style, '--vscode-editorWidget-border', cssValue(style, '--vscode-panel-border', '#80808059')),
    background: cssValue(style, '--vscode-editor-background', cssValue(style, '--vscode-sideBar-background', '#1e1e1e')),
    fontFamily: cssValue(style, '--vscode-font-family', 'sans-serif'),
    fontSize: Number.parseFloat(cssValue(style, '--vscode-font-size', '13')) || 13,
  };
}

function describeOp(op: ReportOp): string {
  const what = `${op.op} mb ${op.mb} chunk ${op.chunk} stage ${op.stage}`;
  const backward = op.backward ? ` + B of mb ${op.backward.mb} chunk ${op.backward.chunk} stage ${op.backward.stage}` : '';
  return `${what}${backward}: ${formatNumber(op.start)} → ${formatNumber(op.end)}`;
}

/** Writes each op's micro-batch number in its bar when the bar is wide enough, as in the papers' figures. */
const microbatchLabels: Plugin<'bar'> = {
  id: 'microbatchLabels',
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = theme.background;
    ctx.font = `${Math.max(9, theme.fontSize - 3)}px ${theme.fontFamily}`;
    chart.data.datasets.forEach((dataset, index) => {
      const meta = chart.getDatasetMeta(index);
      if (meta.hidden) return;
      meta.data.forEach((element, pointIndex) => {
        const point = dataset.data[pointIndex] as unknown as TimelinePoint | undefined;
        if (!point) return;
        const { x, base, y } = element.getProps(['x', 'base', 'y'], true) as { x: number; base: number; y: number };
        const text = String(point.op.mb);
        if (Math.abs(x - base) < ctx.measureText(text).width + 4) return;
        ctx.fillText(text, (x + base) / 2, y);
      });
    });
    ctx.restore();
  },
};

let theme: Theme = readTheme();

export class TimelineChart {
  private chart: Chart<'bar', TimelinePoint[], string> | undefined;
  /** The JSON of what the chart was built from: the axis title, the makespan and each rank's ops. */
  private drawnKey: string | undefined;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly box: HTMLElement) {
    // VS Code swaps body classes (vscode-light / -dark / -high-contrast) on a theme change.
    new MutationObserver(() => this.applyTheme()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  /**
   * Rebuilding up to 20k bars takes long enough to feel, and the estimate tab asks for a draw after every analysis
   * of the active file, most often with the same step; the key costs one JSON pass over the ops.
   */
  draw(report: TimelineData, axisTitle = 'time (units of the op costs)'): void {
    const key = JSON.stringify([axisTitle, report.makespan, report.ranks.map((rank) => [rank.rank, rank.ops ?? []])]);
    if (this.chart && key === this.drawnKey) return;
    this.drawnKey = key;
    const labels = report.ranks.map((rank) => `rank ${rank.rank}`);
    const datasets: ChartDataset<'bar', TimelinePoint[]>[] = SERIES.map((series, index) => ({
      label: series.label,
      data: report.ranks.flatMap((rank) =>
        (rank.ops ?? [])
          .filter((op) => (series.ops as readonly string[]).includes(op.op))
          .map((op) => ({ x: [op.start, op.end] as [number, number], y: `rank ${rank.rank}`, op })),
      ),
      backgroundColor: (context: ScriptableContext<'bar'>) => barColour(index, context),
      borderColor: () => theme.background,
      borderWidth: 1,
      borderSkipped: false,
      grouped: false,
      categoryPercentage: 0.85,
      barPercentage: 1,
    }));
    // chart.js sizes the canvas to its box; the box's height follows the number of ranks.
    // Rows of ~22 px plus room for the time axis and a legend that may wrap to four lines in a narrow sidebar.
    this.box.style.height = `${Math.max(160, report.ranks.length * 22 + 120)}px`;
    this.chart?.destroy();
    this.chart = new Chart<'bar', TimelinePoint[], string>(this.canvas, {
      type: 'bar',
      data: { labels, datasets },
      plugins: [microbatchLabels],
      options: {
        indexAxis: 'y',
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { type: 'linear', min: 0, max: report.makespan, title: { display: true, text: axisTitle } },
          // Every rank gets its label: a skipped one reads as a missing rank.
          y: { type: 'category', ticks: { autoSkip: false } },
        },
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 14, boxHeight: 10, filter: (item, data) => (data.datasets[item.datasetIndex ?? 0]?.data.length ?? 0) > 0 } },
          tooltip: {
            callbacks: {
              label: (item) => describeOp((item.raw as TimelinePoint).op),
            },
          },
        },
      },
    });
    this.applyTheme();
  }

  clear(): void {
    this.chart?.destroy();
    this.chart = undefined;
    this.drawnKey = undefined;
  }

  private applyTheme(): void {
    theme = readTheme();
    const chart = this.chart;
    if (!chart) return;
    const font = { family: theme.fontFamily, size: Math.max(10, theme.fontSize - 1) };
    chart.options.color = theme.foreground;
    chart.options.font = font;
    for (const axis of ['x', 'y'] as const) {
      const scale = chart.options.scales?.[axis];
      if (!scale) continue;
      scale.grid = { ...scale.grid, color: theme.grid };
      scale.border = { ...scale.border, color: theme.grid };
      scale.ticks = { ...scale.ticks, color: theme.foreground, font };
      if ('title' in scale && scale.title) scale.title = { ...scale.title, color: theme.foreground, font };
    }
    const legend = chart.options.plugins?.legend;
    if (legend?.labels) legend.labels = { ...legend.labels, color: theme.foreground, font };
    chart.update();
  }
}

/** Direction or chunk 1 (DualPipe's reverse pipe, a second interleaved chunk) is drawn lighter. */
function barColour(seriesIndex: number, context: ScriptableContext<'bar'>): string {
  const base = theme.series[seriesIndex] ?? '#888888';
  const point = context.raw as TimelinePoint | undefined;
  if (!point || point.op.chunk === 0) return base;
  return color(base).alpha(0.6).rgbString();
}
