// Bins to pixels: where each rank's row and communication lane sit on the canvas, and the row pixels written
// straight into an RGBA buffer (one putImageData instead of thousands of fillRects). Pure: no DOM.
import type { Bins } from './bins';
import { CATEGORY_COUNT, IDLE } from './replay';

/** Device pixels. Row r's bars occupy [rowTop(r), rowTop(r) + rowHeight), its lane the next laneHeight pixels. */
export interface PlotGeometry {
  left: number;
  top: number;
  width: number;
  ranks: number;
  rowHeight: number;
  laneHeight: number;
  pitch: number;
  /** Height of the bars and lanes together. */
  height: number;
}

export function rowTop(geometry: PlotGeometry, rank: number): number {
  return geometry.top + rank * geometry.pitch;
}

/** Rows shrink with the number of ranks so that 64 ranks still fit on a screen; lanes only when there is comm. */
export function plotGeometry(ranks: number, withLanes: boolean, left: number, top: number, width: number, pixelRatio: number): PlotGeometry {
  const rowCss = ranks <= 8 ? 20 : ranks <= 16 ? 16 : ranks <= 32 ? 11 : 7;
  const rowHeight = Math.max(2, Math.round(rowCss * pixelRatio));
  const laneHeight = withLanes ? Math.max(1, Math.round((ranks <= 32 ? 3 : 2) * pixelRatio)) : 0;
  const gap = Math.max(1, Math.round((ranks <= 32 ? 3 : 1) * pixelRatio));
  const pitch = rowHeight + laneHeight + gap;
  return { left, top, width: Math.max(1, Math.floor(width)), ranks, rowHeight, laneHeight, pitch, height: ranks * pitch };
}

/** Colours as little-endian RGBA words (0xAABBGGRR), the byte order of ImageData on every platform VS Code runs on. */
export interface PixelPalette {
  categories: Uint32Array;
  comm: { r: number; g: number; b: number };
}

export function packRgba(r: number, g: number, b: number, a = 255): number {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/**
 * Writes the bars and lanes into `pixels` (geometry.width × geometry.height words, row-major). Idle stays
 * transparent, so the page background shows through; a lane's alpha is its column's share of communication.
 */
export function paintBins(bins: Bins, geometry: PlotGeometry, palette: PixelPalette, pixels: Uint32Array): void {
  const { width, rowHeight, laneHeight, pitch } = geometry;
  const columns = Math.min(width, bins.columns);
  pixels.fill(0);
  const rowWords = new Uint32Array(width);
  const laneWords = new Uint32Array(width);
  for (let rank = 0; rank < bins.ranks; rank++) {
    const base = rank * bins.columns;
    rowWords.fill(0);
    laneWords.fill(0);
    for (let c = 0; c < columns; c++) {
      const category = bins.category[base + c]!;
      if (category !== IDLE && category < CATEGORY_COUNT) rowWords[c] = palette.categories[category]!;
      const share = bins.comm[base + c]!;
      // A faint share is still worth seeing: the lane's alpha starts at a quarter once there is any.
      if (share > 0.01) laneWords[c] = packRgba(palette.comm.r, palette.comm.g, palette.comm.b, Math.round(255 * Math.min(1, 0.25 + 0.75 * share)));
    }
    const top = rank * pitch;
    for (let y = 0; y < rowHeight; y++) pixels.set(rowWords, (top + y) * width);
    for (let y = 0; y < laneHeight; y++) pixels.set(laneWords, (top + rowHeight + y) * width);
  }
}

/**
 * The overview strip: the whole step in `height` pixel rows, each showing the rank that falls on it (ranks share
 * rows when there are more ranks than pixels, and take several when there are fewer). No lanes.
 */
export function paintOverview(bins: Bins, width: number, height: number, palette: PixelPalette, pixels: Uint32Array): void {
  const columns = Math.min(width, bins.columns);
  pixels.fill(0);
  for (let y = 0; y < height; y++) {
    const rank = Math.min(bins.ranks - 1, Math.floor((y * bins.ranks) / height));
    const base = rank * bins.columns;
    const row = y * width;
    for (let c = 0; c < columns; c++) {
      const category = bins.category[base + c]!;
      if (category !== IDLE && category < CATEGORY_COUNT) pixels[row + c] = palette.categories[category]!;
    }
  }
}
