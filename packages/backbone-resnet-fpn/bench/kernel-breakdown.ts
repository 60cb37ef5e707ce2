/** One kernel launch as tf.profile reports it. */
interface ProfiledKernel {
  readonly name: string;
  readonly inputShapes: number[][];
  readonly outputShapes: number[][];
  readonly kernelTimeMs: unknown; // tf.profile resolves it to a number (or an error record)
}

/** Time, FLOPs and launches per kernel group. */
export interface KernelGroupTotals {
  ms: number;
  flops: number;
  calls: number;
}

function group(kernel: ProfiledKernel): { name: string; flops: number } {
  if (kernel.name !== 'FusedConv2D' && kernel.name !== 'Conv2D') return { name: kernel.name, flops: 0 };
  const [, inHeight] = kernel.inputShapes[0]!;
  const [kernelHeight, kernelWidth, inChannels] = kernel.inputShapes[1]!;
  const [, outHeight, outWidth, outChannels] = kernel.outputShapes[0]!;
  const stride = Math.round(inHeight! / outHeight!);
  return {
    name: `conv ${kernelHeight}x${kernelWidth}${stride > 1 ? `/${stride}` : ''}`,
    flops: 2 * outHeight! * outWidth! * outChannels! * kernelHeight! * kernelWidth! * inChannels!,
  };
}

/**
 * Sums a tf.profile kernel list by group: convolutions by kernel size and stride (with their
 * FLOPs), other kernels by name; op-level `__op` entries are skipped (they repeat their kernels).
 * Sorted by time, largest first.
 */
export function kernelBreakdown(kernels: readonly ProfiledKernel[]): Record<string, KernelGroupTotals> {
  const totals = new Map<string, KernelGroupTotals>();
  for (const kernel of kernels) {
    if (kernel.name.endsWith('__op')) continue;
    const { name, flops } = group(kernel);
    const entry = totals.get(name) ?? { ms: 0, flops: 0, calls: 0 };
    entry.ms += Number(kernel.kernelTimeMs);
    entry.flops += flops;
    entry.calls += 1;
    totals.set(name, entry);
  }
  return Object.fromEntries([...totals].sort((a, b) => b[1].ms - a[1].ms));
}
