// Memory per GPU by pipeline rank: a stacked chart.js bar per rank (parameters, gradients, optimizer state,
// activations, recompute working set, other) with the GPU's HBM drawn as a line across, and the warning fraction dashed below it.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type Plugin } from 'chart.js';
import type { EstimateMemoryRank, EstimateView } from '../src/protocol';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

const GIB = 2 ** 30;

const PARTS = [
  { key: 'parametersBytes', label: 'parameters', cssVar: '--vscode-charts-blue', fallback: '#3794ff' },
  { key: 'gradientsBytes', label: 'gradients', cssVar: '--vscode-charts-purple', fallback: '#b180d7' },
  { key: 'optimizerBytes', label: 'optimizer', cssVar: '--vscode-charts-yellow', fallback: '#cca700' },
  { key: 'activationsBytes', label: 'activations', cssVar: '--vscode-charts-green', fallback: '#89d185' },
  { key: 'transientBytes', label: 'recompute working set', cssVar: '--vscode-charts-foreground', fallback: '#8b949e' },
  { key: 'otherBytes', label: 'other', cssVar: '--vscode-charts-orange', fallback: '#d18616' },
] as const satisfies readonly { key: keyof EstimateMemoryRank; label: string; cssVar: string; fallback: string }[];

type Memory = NonNullable<EstimateView['memory']>;

interface Colours {
  parts: string[];
  hbm: string;
  foreground: string;
  grid: string;
  fontFamily: string;
  fontSize: number;
}

function readColours(): Colours {
  const style = getComputedStyle(document.body);
  const css = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    parts: PARTS.map((part) => css(part.cssVar, part.fallback)),
    hbm: css('--vscode-charts-red', '#f14c4c'),
    foreground: css('--vscode-foreground', '#cccccc'),
    grid: css('--vscode-editorWidget-border', css('--vscode-panel-border', '#80808059')),
    fontFamily: css('--vscode-font-family', 'sans-serif'),
    fontSize: Number.parseFloat(css('--vscode-font-size', '13')) || 13,
  };
}

export class MemoryChart {
  private chart: Chart<'bar', number[], string> | undefined;
  private memory: Memory | undefined;
  /** The JSON of the memory the chart was built from. */
  private drawnKey: string | undefined;
  private colours = readColours();

  constructor(private readonly canvas: HTMLCanvasElement) {
    new MutationObserver(() => {
      this.colours = readColours();
      if (this.memory) this.build(this.memory);
    }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  /** The host sends an estimate after every analysis, most often with the same figures (a comment was typed). */
  draw(memory: Memory): void {
    const key = JSON.stringify(memory);
    if (this.chart && key === this.drawnKey) return;
    this.drawnKey = key;
    this.build(memory);
  }

  private build(memory: Memory): void {
    this.memory = memory;
    const colours = this.colours;
    const capacityGiB = memory.capacityBytes / GIB;
    const font = { family: colours.fontFamily, size: Math.max(10, colours.fontSize - 1) };
    const axis = { grid: { color: colours.grid }, border: { color: colours.grid }, ticks: { color: colours.foreground, font } };
    this.chart?.destroy();
    this.chart = new Chart<'bar', number[], string>(this.canvas, {
      type: 'bar',
      data: {
        labels: memory.ranks.map((rank) => `rank ${rank.rank}`),
        datasets: PARTS.map((part, index) => ({
          label: part.label,
          data: memory.ranks.map((rank) => rank[part.key] / GIB),
          backgroundColor: colours.parts[index] ?? '#888888',
          stack: 'memory',
        })),
      },
      plugins: [capacityLines(memory, colours)],
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        color: colours.foreground,
        font,
        scales: {
          x: { stacked: true, ...axis },
          y: {
            stacked: true,
            beginAtZero: true,
            // Room above the HBM line for its label even when every rank fits well below it.
            suggestedMax: Math.max(capacityGiB * 1.1, memory.peakBytes / GIB),
            title: { display: true, text: 'GiB per GPU', color: colours.foreground, font },
            ...axis,
          },
        },
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 14, boxHeight: 10, color: colours.foreground, font } },
          tooltip: {
            callbacks: {
              label: (item) => `${item.dataset.label ?? ''}: ${(item.raw as number).toFixed(1)} GiB`,
              footer: (items) => {
                const rank = memory.ranks[items[0]?.dataIndex ?? -1];
                if (!rank) return '';
                const total = `total ${rank.totalText} of ${memory.capacityText}`;
                return rank.hostText ? [total, `in host memory ${rank.hostText} per GPU`] : total;
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
    this.memory = undefined;
    this.drawnKey = undefined;
  }
}

/** The HBM capacity as a solid line and the warning fraction as a dashed one, labelled at the right. */
function capacityLines(memory: Memory, colours: Colours): Plugin<'bar'> {
  return {
    id: 'capacityLines',
    afterDatasetsDraw(chart) {
      const { ctx, chartArea, scales } = chart;
      const y = scales.y;
      if (!y) return;
      const lines = [{ bytes: memory.capacityBytes, dash: [] as number[], text: `HBM ${memory.capacityText}` }];
      if (memory.warningFraction !== undefined) lines.push({ bytes: memory.capacityBytes * memory.warningFraction, dash: [5, 4], text: `${Math.round(memory.warningFraction * 100)}% warning` });
      ctx.save();
      ctx.strokeStyle = colours.hbm;
      ctx.fillStyle = colours.hbm;
      ctx.lineWidth = 2;
      ctx.font = `${Math.max(10, colours.fontSize - 2)}px ${colours.fontFamily}`;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'bottom';
      for (const line of lines) {
        const pixel = y.getPixelForValue(line.bytes / GIB);
        if (pixel < chartArea.top || pixel > chartArea.bottom) continue;
        ctx.setLineDash(line.dash);
        ctx.beginPath();
        ctx.moveTo(chartArea.left, pixel);
        ctx.lineTo(chartArea.right, pixel);
        ctx.stroke();
        ctx.fillText(line.text, chartArea.right - 2, pixel - 2);
      }
      ctx.restore();
    },
  };
}
