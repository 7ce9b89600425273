import { describe, expect, it } from 'vitest';
import { paretoFront, type ParetoPoint } from '../../src/model/pareto';

/** The definition, checked pair by pair: no other point is no worse on both axes and better on one. */
function dominated(points: readonly ParetoPoint[], index: number): boolean {
  const p = points[index]!;
  return points.some((q, other) => other !== index && q.x <= p.x && q.y <= p.y && (q.x < p.x || q.y < p.y));
}

describe('paretoFront', () => {
  it('keeps the points nothing beats on both axes, ordered by x', () => {
    const points = [{ x: 3, y: 1 }, { x: 1, y: 5 }, { x: 2, y: 2 }, { x: 2.5, y: 3 }, { x: 4, y: 0.5 }];
    expect(paretoFront(points)).toEqual([1, 2, 0, 4]);
  });

  it('drops a point that ties on one axis and loses on the other', () => {
    expect(paretoFront([{ x: 1, y: 2 }, { x: 1, y: 3 }, { x: 2, y: 2 }])).toEqual([0]);
  });

  it('keeps one of exact duplicates', () => {
    expect(paretoFront([{ x: 1, y: 1 }, { x: 1, y: 1 }])).toEqual([0]);
  });

  it('ignores points with a non-finite coordinate and handles no points', () => {
    expect(paretoFront([{ x: Number.NaN, y: 0 }, { x: 1, y: Infinity }, { x: 2, y: 2 }])).toEqual([2]);
    expect(paretoFront([])).toEqual([]);
  });

  it('agrees with the pairwise definition on random clouds', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 50; trial++) {
      // Coarse values so that ties on one axis happen often.
      const points = Array.from({ length: 1 + Math.floor(random() * 40) }, () => ({ x: Math.floor(random() * 10), y: Math.floor(random() * 10) }));
      const front = new Set(paretoFront(points));
      points.forEach((point, index) => {
        const firstOfItsKind = points.findIndex((q) => q.x === point.x && q.y === point.y) === index;
        expect(front.has(index), `${JSON.stringify(point)} in trial ${trial}`).toBe(!dominated(points, index) && firstOfItsKind);
      });
    }
  });
});
