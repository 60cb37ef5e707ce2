/** How often each native kernel ran in oneDNN and how often it fell back to tfjs-wasm, and why. */
export interface KernelStats {
  native: number;
  fallback: number;
  /** Distinct fallback reasons, in the order first seen. */
  reasons: string[];
}

const stats = new Map<string, KernelStats>();

function entry(kernelName: string): KernelStats {
  let found = stats.get(kernelName);
  if (!found) {
    found = { native: 0, fallback: 0, reasons: [] };
    stats.set(kernelName, found);
  }
  return found;
}

/** Counts a call that ran natively. */
export function countNative(kernelName: string): void {
  entry(kernelName).native++;
}

/** Counts a call that fell back, remembering `reason` once. */
export function countFallback(kernelName: string, reason: string): void {
  const found = entry(kernelName);
  found.fallback++;
  if (!found.reasons.includes(reason) && found.reasons.length < 20) found.reasons.push(reason);
}

/** A copy of the counters since the process started (or the last reset), by tfjs kernel name. */
export function nativeKernelStats(): Record<string, KernelStats> {
  return Object.fromEntries(
    [...stats].map(([name, value]) => [name, { ...value, reasons: [...value.reasons] }]),
  );
}

/** Zeroes the counters. */
export function resetNativeKernelStats(): void {
  stats.clear();
}
