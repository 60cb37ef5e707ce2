/** A growable list of run lengths (or pixel offsets) in a Uint32Array; avoids per-mask allocations. */
export class RunBuffer {
  data: Uint32Array;
  length = 0;

  constructor(capacity = 256) {
    this.data = new Uint32Array(capacity);
  }

  /** Makes room for `extra` more values. */
  reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.data.length) return;
    const bigger = new Uint32Array(Math.max(needed, this.data.length * 2));
    bigger.set(this.data.subarray(0, this.length));
    this.data = bigger;
  }

  push(value: number): void {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = value;
  }

  /** A copy of the values, exactly sized. */
  toArray(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}
