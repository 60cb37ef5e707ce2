/** What the loop reports after every iteration. */
export interface ProgressRecord {
  /** Iterations completed (1 after the first step). */
  readonly iteration: number;
  readonly iterations: number;
  /** Each loss term by its namespaced key. */
  readonly losses: Readonly<Record<string, number>>;
  /** Sum of the terms. */
  readonly total: number;
  /** Learning rate of this step. */
  readonly lr: number;
  /** Global gradient norm before clipping (when clipping is on). */
  readonly gradNorm?: number;
  /** Seconds per iteration, mean over the last 20. */
  readonly secondsPerIteration: number;
  /** Memory after the step: the process's resident set (tensors on the wasm heap included) and tfjs's live tensors. */
  readonly memory?: { readonly rssMegabytes: number; readonly tensors: number };
  /** Seconds left at that pace. */
  readonly etaSeconds: number;
  /** Metrics of an evaluation run after this iteration, if one ran. */
  readonly evaluation?: Readonly<Record<string, number>>;
  /** Checkpoint written after this iteration, if any. */
  readonly checkpoint?: string;
}

/** Mean step time over a sliding window (torchvision's SmoothedValue idea). */
export class StepTimer {
  private readonly times: number[] = [];

  constructor(private readonly window = 20) {}

  add(seconds: number): number {
    this.times.push(seconds);
    if (this.times.length > this.window) this.times.shift();
    return this.times.reduce((a, b) => a + b, 0) / this.times.length;
  }
}

/** A one-line terminal rendering of a progress record, like torchvision's MetricLogger line. */
export function formatProgress(record: ProgressRecord): string {
  const eta = formatDuration(record.etaSeconds);
  const terms = Object.entries(record.losses)
    .map(([key, value]) => `${key}: ${value.toFixed(4)}`)
    .join('  ');
  const width = String(record.iterations).length;
  return (
    `[${String(record.iteration).padStart(width)}/${record.iterations}]  eta: ${eta}  lr: ${record.lr.toPrecision(4)}  ` +
    `loss: ${record.total.toFixed(4)}  ${terms}  time: ${record.secondsPerIteration.toFixed(3)} s/it` +
    (record.memory ? `  mem: ${Math.round(record.memory.rssMegabytes)} MB` : '')
  );
}

function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
