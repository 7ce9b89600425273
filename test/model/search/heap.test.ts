// The search's queue pops by (key, order), whatever the order of pushes and pops: checked against a sorted list on
// random interleavings, with many equal keys (bounds shared by families tie often).
import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../../src/model/search/heap';
import { seededRandom } from '../../testInputs';

describe('MinHeap', () => {
  it('pops the least (key, order) first on random interleavings of pushes and pops', () => {
    const random = seededRandom(41);
    for (let round = 0; round < 50; round++) {
      const heap = new MinHeap<number>();
      const reference: { key: number; order: number }[] = [];
      let order = 0;
      for (let step = 0; step < 400; step++) {
        if (reference.length === 0 || random() < 0.6) {
          const key = Math.floor(random() * 8);
          heap.push(key, order, order);
          reference.push({ key, order });
          order++;
        } else {
          reference.sort((a, b) => a.key - b.key || a.order - b.order);
          const expected = reference.shift()!;
          expect(heap.peekKey()).toBe(expected.key);
          expect(heap.pop()).toBe(expected.order);
        }
        expect(heap.size).toBe(reference.length);
      }
    }
  });

  it('an empty heap pops nothing', () => {
    const heap = new MinHeap<string>();
    expect(heap.pop()).toBeUndefined();
    heap.push(1, 0, 'a');
    expect(heap.pop()).toBe('a');
    expect(heap.size).toBe(0);
  });
});
