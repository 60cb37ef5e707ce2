/** The order stages run in (`GeneralizedRcnn.predict`). */
const STAGES = ['transform', 'backbone', 'rpn', 'roiHeads', 'postprocess'] as const;

/**
 * One line of stage wall times, e.g. `transform 3 ms · backbone 120 ms · … · total 410 ms`.
 * On webgpu a stage without a read-back may finish its GPU work in a later stage's time.
 */
export function formatTimings(
  stages: Readonly<Record<string, number>>,
  loadMs?: number,
  totalMs?: number,
): string {
  const parts = STAGES.filter((stage) => stages[stage] !== undefined).map(
    (stage) => `${stage} ${stages[stage]!.toFixed(0)} ms`,
  );
  if (totalMs !== undefined) parts.push(`total ${totalMs.toFixed(0)} ms`);
  if (loadMs !== undefined) parts.push(`(model load ${loadMs.toFixed(0)} ms)`);
  return parts.join(' · ') || '-';
}
