// The panel's figures as PNG data URLs for Export: each chart's canvas drawn onto the theme's editor background
// (the canvases themselves are transparent, so an image without it would lose its text on another background);
// several canvases side by side make one image.
import type { ReportImageId } from '../src/protocol';
import { byId } from './dom';

const GAP_PIXELS = 16;

/** One PNG of the canvases that have been drawn, left to right; undefined when none has. */
export function canvasesImage(canvases: readonly HTMLCanvasElement[]): string | undefined {
  const drawn = canvases.filter((canvas) => canvas.width > 0 && canvas.height > 0);
  if (drawn.length === 0) return undefined;
  const out = document.createElement('canvas');
  out.width = drawn.reduce((sum, canvas) => sum + canvas.width, 0) + GAP_PIXELS * (drawn.length - 1);
  out.height = Math.max(...drawn.map((canvas) => canvas.height));
  const context = out.getContext('2d');
  if (!context) return undefined;
  const style = getComputedStyle(document.body);
  context.fillStyle = style.getPropertyValue('--vscode-editor-background').trim() || style.getPropertyValue('--vscode-sideBar-background').trim() || '#1e1e1e';
  context.fillRect(0, 0, out.width, out.height);
  let x = 0;
  for (const canvas of drawn) {
    context.drawImage(canvas, x, 0);
    x += canvas.width + GAP_PIXELS;
  }
  return out.toDataURL('image/png');
}

/** The figures a report shows, from the canvases the page has drawn (a tab never opened contributes none). */
export function reportImages(): Partial<Record<ReportImageId, string>> {
  const images: Partial<Record<ReportImageId, string>> = {};
  const timeline = byId('estimate-timeline-box').hidden ? undefined : canvasesImage([byId<HTMLCanvasElement>('estimate-timeline')]);
  const memory = canvasesImage([byId<HTMLCanvasElement>('memory-chart')]);
  const schedules = byId('schedules-body').hidden ? undefined : canvasesImage(['schedules-makespan', 'schedules-bubble', 'schedules-activations'].map((id) => byId<HTMLCanvasElement>(id)));
  if (timeline) images.timeline = timeline;
  if (memory) images.memory = memory;
  if (schedules) images.schedules = schedules;
  return images;
}
