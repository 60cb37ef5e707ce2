/** Options of {@link argsortDescending}. */
export interface ArgsortOptions {
  /**
   * `true`: equal values keep their index order (`torch.sort(..., stable=True)`, which
   * torchvision 0.14's CPU nms kernel uses). `false` (default): the tie order of
   * `torch.sort(..., descending=True)` without `stable`, i.e. libstdc++'s `std::sort`.
   */
  readonly stable?: boolean;
}

/**
 * The index order of `torch.sort(values, descending=True)` on CPU, ties included.
 *
 * torch 1.13's CPU sort without `stable=True` is libstdc++'s `std::sort` (introsort:
 * median-of-three quicksort down to 16-element runs, heap sort once the recursion
 * passes 2*floor(log2 n), then one insertion-sort pass) with NaN ordered first. It
 * is not stable, so for equal values the order depends on exactly those steps; this
 * reimplements them, because torchvision's batched_nms (above 1000 boxes) re-sorts its
 * result that way. Checked against torch.sort on tie-heavy and adversarial inputs
 * (boxes/__fixtures__/box-ops.safetensors, `sort/*`).
 *
 * @param values any numbers; NaN sorts first, as in torch
 * @returns a new Int32Array of indices into `values`, highest first
 */
export function argsortDescending(
  values: ArrayLike<number>,
  { stable = false }: ArgsortOptions = {},
): Int32Array {
  const n = values.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < 2) return order;
  if (stable) {
    return order.sort((a, b) => {
      const x = values[a]!;
      const y = values[b]!;
      if (Number.isNaN(x) !== Number.isNaN(y)) return Number.isNaN(x) ? -1 : 1;
      return y - x || a - b; // NaN - NaN and Inf - Inf are NaN, falsy: index order
    });
  }
  new TorchSortOrder(values, order).run();
  return order;
}

/** Runs below this length are left to the final insertion sort (libstdc++ `_S_threshold`). */
const RUN_THRESHOLD = 16;

class TorchSortOrder {
  constructor(
    private readonly keys: ArrayLike<number>,
    private readonly order: Int32Array,
  ) {}

  run(): void {
    const n = this.order.length;
    this.introsort(0, n, 2 * Math.floor(Math.log2(n)));
    if (n > RUN_THRESHOLD) {
      this.insertionSort(0, RUN_THRESHOLD);
      for (let i = RUN_THRESHOLD; i < n; i++) this.linearInsert(i);
    } else {
      this.insertionSort(0, n);
    }
  }

  /** Whether element `a` goes before element `b` (descending, NaN first): torch's KeyValueCompDesc. */
  private before(a: number, b: number): boolean {
    const x = this.keys[a]!;
    const y = this.keys[b]!;
    return (Number.isNaN(x) && !Number.isNaN(y)) || x > y;
  }

  private swap(i: number, j: number): void {
    const order = this.order;
    const kept = order[i]!;
    order[i] = order[j]!;
    order[j] = kept;
  }

  private introsort(first: number, last: number, depthLimit: number): void {
    let end = last;
    let depth = depthLimit;
    while (end - first > RUN_THRESHOLD) {
      if (depth === 0) {
        this.heapSort(first, end);
        return;
      }
      depth--;
      const cut = this.partitionAroundMedian(first, end);
      this.introsort(cut, end, depth);
      end = cut;
    }
  }

  /** Moves the median of (first+1, middle, last-1) to `first`, then partitions [first+1, last) around it. */
  private partitionAroundMedian(first: number, last: number): number {
    const order = this.order;
    const middle = first + Math.floor((last - first) / 2);
    const a = order[first + 1]!;
    const b = order[middle]!;
    const c = order[last - 1]!;
    let median: number;
    if (this.before(a, b)) {
      if (this.before(b, c)) median = middle;
      else if (this.before(a, c)) median = last - 1;
      else median = first + 1;
    } else if (this.before(a, c)) median = first + 1;
    else if (this.before(b, c)) median = last - 1;
    else median = middle;
    this.swap(first, median);

    let low = first + 1;
    let high = last;
    for (;;) {
      while (this.before(order[low]!, order[first]!)) low++;
      high--;
      while (this.before(order[first]!, order[high]!)) high--;
      if (low >= high) return low;
      this.swap(low, high);
      low++;
    }
  }

  private heapSort(first: number, last: number): void {
    const length = last - first;
    for (let parent = Math.floor((length - 2) / 2); parent >= 0; parent--) {
      this.siftDown(first, parent, length, this.order[first + parent]!);
    }
    for (let end = last - 1; end > first; end--) {
      const moved = this.order[end]!;
      this.order[end] = this.order[first]!;
      this.siftDown(first, 0, end - first, moved);
    }
  }

  /** libstdc++ `__adjust_heap`: walk the hole down to a leaf, then push `value` back up. */
  private siftDown(first: number, hole: number, length: number, value: number): void {
    const order = this.order;
    const top = hole;
    let child = hole;
    let position = hole;
    while (child < Math.floor((length - 1) / 2)) {
      child = 2 * (child + 1);
      if (this.before(order[first + child]!, order[first + child - 1]!)) child--;
      order[first + position] = order[first + child]!;
      position = child;
    }
    if ((length & 1) === 0 && child === Math.floor((length - 2) / 2)) {
      child = 2 * (child + 1);
      order[first + position] = order[first + child - 1]!;
      position = child - 1;
    }
    let parent = Math.floor((position - 1) / 2);
    while (position > top && this.before(order[first + parent]!, value)) {
      order[first + position] = order[first + parent]!;
      position = parent;
      parent = Math.floor((position - 1) / 2);
    }
    order[first + position] = value;
  }

  private insertionSort(first: number, last: number): void {
    const order = this.order;
    for (let i = first + 1; i < last; i++) {
      const value = order[i]!;
      if (this.before(value, order[first]!)) {
        order.copyWithin(first + 1, first, i);
        order[first] = value;
      } else {
        this.linearInsert(i);
      }
    }
  }

  /** Shifts element `i` left past every element it goes before (no lower bound check: a smaller element exists). */
  private linearInsert(i: number): void {
    const order = this.order;
    const value = order[i]!;
    let position = i;
    while (this.before(value, order[position - 1]!)) {
      order[position] = order[position - 1]!;
      position--;
    }
    order[position] = value;
  }
}
