// The timeline's colours, all from VS Code theme variables (light, dark and high-contrast themes each define the
// chart palette), turned into pixel words. Re-read whenever the body's theme class changes.
import { CATEGORY_B, CATEGORY_COUNT, CATEGORY_F, CATEGORY_FB, CATEGORY_W } from './replay';
import { packRgba, type PixelPalette } from './paint';

interface Rgb {
  r: number;
  g: number;
  b: number;
}

export interface TimelineTheme {
  palette: PixelPalette;
  /** CSS colours for the legend swatches, by category. */
  css: string[];
  foreground: string;
  grid: string;
  brush: string;
  font: string;
}

/** What each category is called in the legend, and the theme variable it is drawn with. */
export const SERIES = [
  { category: CATEGORY_F, label: 'F (forward)', cssVar: '--vscode-charts-blue', fallback: '#3794ff' },
  { category: CATEGORY_B, label: 'B / I (backward)', cssVar: '--vscode-charts-green', fallback: '#89d185' },
  { category: CATEGORY_W, label: 'W (weight gradient)', cssVar: '--vscode-charts-yellow', fallback: '#cca700' },
  { category: CATEGORY_FB, label: 'F&B (overlapped)', cssVar: '--vscode-charts-purple', fallback: '#b180d7' },
] as const;

export const COMM_SERIES = { label: 'exposed communication', cssVar: '--vscode-charts-red', fallback: '#f14c4c' };

let probe: CanvasRenderingContext2D | null | undefined;

/** Any CSS colour as RGB, through a canvas (which normalises names, hsl() and #rgb forms to #rrggbb or rgba()). */
function toRgb(colour: string): Rgb {
  probe ??= document.createElement('canvas').getContext('2d');
  if (!probe) return { r: 128, g: 128, b: 128 };
  probe.fillStyle = '#808080';
  probe.fillStyle = colour;
  const normal = String(probe.fillStyle);
  if (normal.startsWith('#')) return { r: parseInt(normal.slice(1, 3), 16), g: parseInt(normal.slice(3, 5), 16), b: parseInt(normal.slice(5, 7), 16) };
  const parts = /rgba?\(([^)]+)\)/.exec(normal)?.[1]?.split(',').map((part) => Number.parseFloat(part)) ?? [128, 128, 128];
  return { r: parts[0] ?? 128, g: parts[1] ?? 128, b: parts[2] ?? 128 };
}

function mix(a: Rgb, b: Rgb, weightOfB: number): Rgb {
  const blend = (x: number, y: number) => Math.round(x * (1 - weightOfB) + y * weightOfB);
  return { r: blend(a.r, b.r), g: blend(a.g, b.g), b: blend(a.b, b.b) };
}

const cssOf = ({ r, g, b }: Rgb) => `rgb(${r}, ${g}, ${b})`;

export function readTimelineTheme(): TimelineTheme {
  const style = getComputedStyle(document.body);
  const value = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const background = toRgb(value('--vscode-editor-background', value('--vscode-sideBar-background', '#1e1e1e')));
  const categories = new Uint32Array(CATEGORY_COUNT);
  const css: string[] = new Array<string>(CATEGORY_COUNT).fill('');
  for (const series of SERIES) {
    const base = toRgb(value(series.cssVar, series.fallback));
    // A later chunk is the same hue moved 40 % towards the background: lighter on dark themes, paler on light ones.
    const later = mix(base, background, 0.4);
    categories[series.category] = packRgba(base.r, base.g, base.b);
    categories[series.category + 1] = packRgba(later.r, later.g, later.b);
    css[series.category] = cssOf(base);
    css[series.category + 1] = cssOf(later);
  }
  const fontSize = Math.max(10, (Number.parseFloat(value('--vscode-font-size', '13')) || 13) - 2);
  return {
    palette: { categories, comm: toRgb(value(COMM_SERIES.cssVar, COMM_SERIES.fallback)) },
    css,
    foreground: value('--vscode-foreground', '#cccccc'),
    grid: value('--vscode-editorWidget-border', value('--vscode-panel-border', '#80808059')),
    brush: value('--vscode-focusBorder', '#007fd4'),
    font: `${fontSize}px ${value('--vscode-font-family', 'sans-serif')}`,
  };
}
