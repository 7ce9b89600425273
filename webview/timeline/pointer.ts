// The timeline's gestures, as callbacks in CSS pixels relative to each canvas: wheel to zoom around the pointer,
// drag to pan, double-click to reset, hover for the tooltip, and a drag (or click) on the overview strip.
export interface PointerHandlers {
  zoom(x: number, factor: number): void;
  pan(dx: number): void;
  reset(): void;
  hover(x: number, y: number): void;
  leave(): void;
  brush(x0: number, x1: number): void;
}

function local(element: HTMLElement, event: MouseEvent): { x: number; y: number } {
  const rect = element.getBoundingClientRect();
  return { x: event.clientX - rect.left, y: event.clientY - rect.top };
}

export function attachPointer(main: HTMLCanvasElement, overview: HTMLCanvasElement, on: PointerHandlers): void {
  main.addEventListener('wheel', (event) => {
    event.preventDefault();
    // A notch (100 px of deltaY) zooms by about 1.2×; trackpads send many small deltas.
    on.zoom(local(main, event).x, Math.exp(event.deltaY * 0.0018));
  }, { passive: false });

  let dragX: number | undefined;
  main.addEventListener('pointerdown', (event) => {
    dragX = event.clientX;
    main.setPointerCapture(event.pointerId);
  });
  main.addEventListener('pointermove', (event) => {
    if (dragX === undefined) {
      const { x, y } = local(main, event);
      on.hover(x, y);
      return;
    }
    on.pan(event.clientX - dragX);
    dragX = event.clientX;
  });
  const endDrag = (event: PointerEvent) => {
    dragX = undefined;
    if (main.hasPointerCapture(event.pointerId)) main.releasePointerCapture(event.pointerId);
  };
  main.addEventListener('pointerup', endDrag);
  main.addEventListener('pointercancel', endDrag);
  main.addEventListener('pointerleave', () => on.leave());
  main.addEventListener('dblclick', () => on.reset());

  let brushFrom: number | undefined;
  overview.addEventListener('pointerdown', (event) => {
    brushFrom = local(overview, event).x;
    overview.setPointerCapture(event.pointerId);
  });
  overview.addEventListener('pointermove', (event) => {
    if (brushFrom === undefined) return;
    const x = local(overview, event).x;
    if (Math.abs(x - brushFrom) >= 3) on.brush(brushFrom, x);
  });
  overview.addEventListener('pointerup', (event) => {
    if (brushFrom !== undefined) on.brush(brushFrom, local(overview, event).x);
    brushFrom = undefined;
    if (overview.hasPointerCapture(event.pointerId)) overview.releasePointerCapture(event.pointerId);
  });
}
