// The Search tab's scatter: step time against peak memory for every row, the Pareto front of the layouts that fit
// joined by a line, layouts over HBM crossed out, the file's own layout as a diamond, the GPU's HBM as a dashed
// line. Clicking a point selects its row in the table. Colours from VS Code theme variables only.
import { Chart, Legend, LinearScale, LineElement, PointElement, ScatterController, Tooltip, type Plugin } from 'chart.js';
import { paretoFront } from '../src/model/pareto';
import { readChartTheme, themeColour, type ChartTheme } from './chartTheme';
import type { SearchRow } from '../src/protocol';

Chart.register(ScatterController, PointElement, LineElement, LinearScale, Tooltip, Legend);

const GIB = 2 ** 30;

interface Colours extends ChartTheme {
  front: string;
  fits: string;
  over: string;
  current: string;
}

function readColours(): Colours {
  const style = getComputedStyle(document.body);
  const css = (name: string, fallback: string) => themeColour(style, name, fallback);
  return {
    ...readChartTheme(style),
    front: css('--vscode-charts-blue', '#3794ff'),
    fits: css('--vscode-charts-lines', css('--vscode-descriptionForeground', '#8b949e')),
    over: css('--vscode-charts-red', '#f14c4c'),
    current: css('--vscode-charts-orange', '#d18616'),
  };
}

interface ScatterPoint {
  x: number;
  y: number;
  rank: number;
}

/** Which rows are on the front: among the layouts that fit, the ones no other beats on both step time and memory. */
export function frontRanks(rows: readonly SearchRow[]): Set<number> {
  const fitting = rows.filter((row) => row.fits);
  return new Set(paretoFront(fitting.map((row) => ({ x: row.stepSeconds, y: row.peakBytes }))).map((index) => fitting[index]!.rank));
}

export class SearchScatter {
  private chart: Chart<'scatter', ScatterPoint[]> | undefined;
  private rows: SearchRow[] | undefined;
  private colours = readColours();

  constructor(private readonly canvas: HTMLCanvasElement, private readonly onSelect: (rank: number) => void) {
    new MutationObserver(() => {
      this.colours = readColours();
      if (this.rows) this.draw(this.rows);
    }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  draw(rows: SearchRow[]): void {
    this.rows = rows;
    const colours = this.colours;
    const front = frontRanks(rows);
    const point = (row: SearchRow): ScatterPoint => ({ x: row.stepSeconds, y: row.peakBytes / GIB, rank: row.rank });
    const frontPoints = rows.filter((row) => front.has(row.rank)).map(point).sort((a, b) => a.x - b.x);
    const axis = { grid: { color: colours.grid }, border: { color: colours.grid }, ticks: { color: colours.foreground, font: colours.font } };
    const byRank = new Map(rows.map((row) => [row.rank, row]));
    this.chart?.destroy();
    this.chart = new Chart<'scatter', ScatterPoint[]>(this.canvas, {
      type: 'scatter',
      data: {
        datasets: [
          { label: 'Pareto front (fits)', data: frontPoints, showLine: true, borderColor: colours.front, backgroundColor: colours.front, pointRadius: 5, pointHoverRadius: 7 },
          { label: 'fits', data: rows.filter((row) => row.fits && !front.has(row.rank) && row.rank !== 0).map(point), borderColor: colours.fits, backgroundColor: colours.fits, pointRadius: 3.5, pointHoverRadius: 6 },
          { label: 'over HBM', data: rows.filter((row) => !row.fits && row.rank !== 0).map(point), borderColor: colours.over, backgroundColor: colours.over, pointStyle: 'crossRot', pointRadius: 5, borderWidth: 2 },
          { label: 'this file', data: rows.filter((row) => row.rank === 0).map(point), borderColor: colours.foreground, backgroundColor: colours.current, pointStyle: 'rectRot', pointRadius: 7, pointHoverRadius: 9, borderWidth: 1 },
        ],
      },
      plugins: [hbmLine(rows, colours), publishPoints],
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        color: colours.foreground,
        font: colours.font,
        scales: {
          x: { title: { display: true, text: 'step time (s)', color: colours.foreground, font: colours.font }, ...axis },
          y: { beginAtZero: true, suggestedMax: ((rows[0]?.capacityBytes ?? 0) / GIB) * 1.05, title: { display: true, text: 'peak memory (GiB per GPU)', color: colours.foreground, font: colours.font }, ...axis },
        },
        onClick: (_event, elements) => {
          const hit = elements[0];
          const data = hit ? this.chart?.data.datasets[hit.datasetIndex]?.data[hit.index] : undefined;
          if (data) this.onSelect(data.rank);
        },
        plugins: {
          legend: { position: 'bottom', labels: { usePointStyle: true, color: colours.foreground, font: colours.font } },
          tooltip: {
            callbacks: {
              label: (item) => {
                const row = byRank.get((item.raw as ScatterPoint).rank);
                if (!row) return '';
                const l = row.layout;
                return `${row.rank === 0 ? 'now' : `#${row.rank}`}: ${row.texts.step}, ${row.texts.peak} — TP ${l.tp} · PP ${l.pp} · EP ${l.ep} · DP ${l.dp} · ${l.schedule}`;
              },
            },
          },
        },
      },
    });
  }

  clear(): void {
    this.chart?.destroy();
    this.chart = undefined;
    this.rows = undefined;
  }
}

/**
 * Where each point was drawn, in CSS pixels of the canvas, as data-points (the page's test interface, like the
 * timeline's data-plot): an end-to-end test clicks a point there and checks that its row is selected.
 */
const publishPoints: Plugin<'scatter'> = {
  id: 'publishPoints',
  afterRender(chart) {
    const points: { rank: number; x: number; y: number; dataset: number }[] = [];
    chart.data.datasets.forEach((dataset, index) => {
      chart.getDatasetMeta(index).data.forEach((element, at) => {
        const rank = (dataset.data[at] as ScatterPoint | undefined)?.rank;
        if (rank !== undefined) points.push({ rank, x: Math.round(element.x), y: Math.round(element.y), dataset: index });
      });
    });
    chart.canvas.dataset.points = JSON.stringify(points);
  },
};

/** The GPU's HBM as a dashed horizontal line, labelled at the right. */
function hbmLine(rows: readonly SearchRow[], colours: Colours): Plugin<'scatter'> {
  const capacityBytes = rows[0]?.capacityBytes;
  return {
    id: 'hbmLine',
    afterDatasetsDraw(chart) {
      const y = chart.scales.y;
      if (!y || capacityBytes === undefined) return;
      const pixel = y.getPixelForValue(capacityBytes / GIB);
      const { ctx, chartArea } = chart;
      if (pixel < chartArea.top || pixel > chartArea.bottom) return;
      ctx.save();
      ctx.strokeStyle = colours.over;
      ctx.fillStyle = colours.over;
      ctx.setLineDash([5, 4]);
      ctx.beginPath();
      ctx.moveTo(chartArea.left, pixel);
      ctx.lineTo(chartArea.right, pixel);
      ctx.stroke();
      ctx.font = `${colours.font.size - 1}px ${colours.font.family}`;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'bottom';
      ctx.fillText(`HBM ${(capacityBytes / GIB).toFixed(0)} GiB`, chartArea.right - 2, pixel - 2);
      ctx.restore();
    },
  };
}
