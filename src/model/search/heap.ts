// A binary min-heap on (key, order): the search opens the layout with the lowest bound first, and equal bounds in
// the space's order, so two runs open the same layouts in the same order. Sifting moves a hole instead of swapping
// pairs: a search pushes and pops tens of thousands of entries.
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
    let i = this.items.length;
    this.keys.push(key);
    this.orders.push(order);
    this.items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(key, order, this.keys[parent]!, this.orders[parent]!)) break;
      this.move(parent, i);
      i = parent;
    }
    this.place(i, key, order, item);
  }

  pop(): T | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const top = this.items[0]!;
    const key = this.keys.pop()!;
    const order = this.orders.pop()!;
    const item = this.items.pop()!;
    const size = n - 1;
    if (size === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      const least = right < size && before(this.keys[right]!, this.orders[right]!, this.keys[left]!, this.orders[left]!) ? right : left;
      if (!before(this.keys[least]!, this.orders[least]!, key, order)) break;
      this.move(least, i);
      i = least;
    }
    this.place(i, key, order, item);
    return top;
  }

  private move(from: number, to: number): void {
    this.keys[to] = this.keys[from]!;
    this.orders[to] = this.orders[from]!;
    this.items[to] = this.items[from]!;
  }

  private place(i: number, key: number, order: number, item: T): void {
    this.keys[i] = key;
    this.orders[i] = order;
    this.items[i] = item;
  }
}

function before(keyA: number, orderA: number, keyB: number, orderB: number): boolean {
  return keyA < keyB || (keyA === keyB && orderA < orderB);
}
