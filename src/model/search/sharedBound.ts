// The k-th best score of a search split into parts (one per worker thread), shared through a SharedArrayBuffer:
// each part lowers it when its own k-th best improves and prunes against the least it sees. That is sound, since
// the part that set it has k layouts that score no worse, so the whole search's k-th best is no worse either.
// Scores are seconds or bytes, never negative, and IEEE doubles ≥ 0 order as their bit patterns do: an atomic
// integer minimum over the bits keeps the least score without a lock.

export class SharedBound {
  readonly buffer: SharedArrayBuffer;
  private readonly bits: BigInt64Array;
  private readonly number = new Float64Array(1);
  private readonly numberBits = new BigInt64Array(this.number.buffer);

  /** A new bound at +∞, or (given the buffer another thread made) the same bound. */
  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(8);
    this.bits = new BigInt64Array(this.buffer);
    if (!buffer) Atomics.store(this.bits, 0, this.bitsOf(Number.POSITIVE_INFINITY));
  }

  get value(): number {
    this.numberBits[0] = Atomics.load(this.bits, 0);
    return this.number[0]!;
  }

  /** Lowers the bound to `score` when it is lower (NaN and negative scores are ignored). */
  lower(score: number): void {
    if (!(score >= 0)) return;
    const wanted = this.bitsOf(score);
    for (;;) {
      const current = Atomics.load(this.bits, 0);
      if (wanted >= current) return;
      if (Atomics.compareExchange(this.bits, 0, current, wanted) === current) return;
    }
  }

  private bitsOf(score: number): bigint {
    this.number[0] = score;
    return this.numberBits[0]!;
  }
}
