// A binary min-heap on (key, order): the search opens the layout with the lowest bound first, and equal bounds in
// the space's order, so two runs open the same layouts in the same order. Sifting moves a hole instead of swapping
// pairs, and compares in place rather than through a helper: a search pushes and pops tens of thousands of entries,
// mostly before its code is optimised, when every number passed to a call is boxed.
export class MinHeap<T> {
  private readonly keys: number[] = [];
  private readonly orders: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peekKey(): number {
    return this.keys[0]!;
  }

  push(key: number, order: number, item: T): void {
    const { keys, orders, items } = this;
    let i = items.length;
    keys.push(key);
    orders.push(order);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentKey = keys[parent]!;
      // Up past the parent only while the entry comes first: a lower key, or the same key earlier in the order.
      if (!(key < parentKey || (key === parentKey && order < orders[parent]!))) break;
      keys[i] = parentKey;
      orders[i] = orders[parent]!;
      items[i] = items[parent]!;
      i = parent;
    }
    keys[i] = key;
    orders[i] = order;
    items[i] = item;
  }

  pop(): T | undefined {
    const { keys, orders, items } = this;
    const n = items.length;
    if (n === 0) return undefined;
    const top = items[0]!;
    const key = keys.pop()!;
    const order = orders.pop()!;
    const item = items.pop()!;
    const size = n - 1;
    if (size === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      let least = left;
      if (right < size && (keys[right]! < keys[left]! || (keys[right] === keys[left] && orders[right]! < orders[left]!))) least = right;
      const leastKey = keys[least]!;
      if (!(leastKey < key || (leastKey === key && orders[least]! < order))) break;
      keys[i] = leastKey;
      orders[i] = orders[least]!;
      items[i] = items[least]!;
      i = least;
    }
    keys[i] = key;
    orders[i] = order;
    items[i] = item;
    return top;
  }
}
