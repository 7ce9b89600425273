// The Compare tab's chart: for each schedule of the active config one horizontal bar per figure (makespan, bubble,
// peak activations), three small chart.js charts side by side so each keeps its own unit. The config's own
// schedule is drawn in the theme's blue, the others in its chart line colour; a schedule that cannot run the
// layout has no bar (the table beside says why). Colours from VS Code theme variables only.
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import type { ScheduleComparisonRow } from '../src/protocol';
import { readChartTheme, themeColour, type ChartTheme } from './chartTheme';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

const GIB = 2 ** 30;

export interface ScheduleMetric {
  id: 'makespan' | 'bubble' | 'activations';
  title: string;
  value: (figures: NonNullable<ScheduleComparisonRow['figures']>) => number;
  text: (figures: NonNullable<ScheduleComparisonRow['figures']>) => string;
}

export const SCHEDULE_METRICS: readonly ScheduleMetric[] = [
  { id: 'makespan', title: 'Pipeline makespan (s)', value: (f) => f.makespanSeconds, text: (f) => f.texts.makespan },
  { id: 'bubble', title: 'Bubble (% of step)', value: (f) => f.bubbleFraction * 100, text: (f) => f.texts.bubble },
  { id: 'activations', title: 'Peak activations (GiB per GPU)', value: (f) => f.peakActivationBytes / GIB, text: (f) => f.texts.activations },
];

interface Colours extends ChartTheme {
  current: string;
  other: string;
}

function readColours(): Colours {
  const style = getComputedStyle(document.body);
  const css = (name: string, fallback: string) => themeColour(style, name, fallback);
  return {
    ...readChartTheme(style),
    current: css('--vscode-charts-blue', '#3794ff'),
    other: css('--vscode-charts-lines', css('--vscode-descriptionForeground', '#8b949e')),
  };
}

export class ScheduleChart {
  private readonly charts = new Map<string, Chart<'bar', (number | null)[], string>>();
  private rows: ScheduleComparisonRow[] | undefined;
  private colours = readColours();

  constructor(private readonly canvases: Record<ScheduleMetric['id'], HTMLCanvasElement>) {
    new MutationObserver(() => {
      this.colours = readColours();
      if (this.rows) this.draw(this.rows);
    }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  draw(rows: ScheduleComparisonRow[]): void {
    this.rows = rows;
    const colours = this.colours;
    const axis = { grid: { color: colours.grid }, border: { color: colours.grid }, ticks: { color: colours.foreground, font: colours.font } };
    for (const metric of SCHEDULE_METRICS) {
      this.charts.get(metric.id)?.destroy();
      const chart = new Chart<'bar', (number | null)[], string>(this.canvases[metric.id], {
        type: 'bar',
        data: {
          labels: rows.map((row) => row.label),
          datasets: [{
            label: metric.title,
            data: rows.map((row) => (row.figures ? metric.value(row.figures) : null)),
            backgroundColor: rows.map((row) => (row.current ? colours.current : colours.other)),
            borderColor: colours.foreground,
            borderWidth: rows.map((row) => (row.current ? 1 : 0)),
          }],
        },
        options: {
          indexAxis: 'y',
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          color: colours.foreground,
          font: colours.font,
          scales: {
            x: { beginAtZero: true, title: { display: true, text: metric.title, color: colours.foreground, font: colours.font }, ...axis },
            y: axis,
          },
          plugins: {
            legend: { display: false },
            tooltip: {
              callbacks: {
                label: (item) => {
                  const row = rows[item.dataIndex];
                  return row?.figures ? metric.text(row.figures) : (row?.reason ?? '');
                },
              },
            },
          },
        },
      });
      this.charts.set(metric.id, chart);
    }
  }

  clear(): void {
    for (const chart of this.charts.values()) chart.destroy();
    this.charts.clear();
    this.rows = undefined;
  }
}
