// The Pareto front of points where less is better on both axes (step time and peak memory for a layout search):
// the points no other point matches or beats on both. Pure; O(n log n) by one sweep along x.

export interface ParetoPoint {
  x: number;
  y: number;
}

/**
 * Indices of the non-dominated points, ordered by x (then y). A point is dominated when another is no worse on both
 * axes and better on one; of exact duplicates the first is kept, so the front has no repeated point. Points with a
 * non-finite coordinate are never on it.
 */
export function paretoFront(points: readonly ParetoPoint[]): number[] {
  const order = points
    .map((point, index) => ({ point, index }))
    .filter(({ point }) => Number.isFinite(point.x) && Number.isFinite(point.y))
    .sort((a, b) => a.point.x - b.point.x || a.point.y - b.point.y || a.index - b.index);
  const front: number[] = [];
  let bestY = Infinity;
  // Sorted by x then y, a point is on the front exactly when its y beats every y seen before it.
  for (const { point, index } of order) {
    if (point.y < bestY) {
      front.push(index);
      bestY = point.y;
    }
  }
  return front;
}
