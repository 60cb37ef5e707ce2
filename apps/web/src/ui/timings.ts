import type { DetectionReport } from '../protocol';

/** The order stages run in (`GeneralizedRcnn.predict`). */
const STAGES = ['transform', 'backbone', 'rpn', 'roiHeads', 'postprocess'] as const;

/** Device work of a stage (`StageCounts` of the protocol). */
type Counts = Readonly<Record<string, { readonly reads: number; readonly compiles: number }>>;

/**
 * One line of stage wall times, e.g. `transform 3 ms · backbone 120 ms · … · total 410 ms`.
 * On webgpu a stage without a read-back may finish its GPU work in a later stage's time; with
 * `counts`, a stage that read back or compiled shaders says how often, e.g. `rpn 80 ms (2 reads, 14 shaders)`.
 */
export function formatTimings(
  stages: Readonly<Record<string, number>>,
  loadMs?: number,
  totalMs?: number,
  counts: Counts = {},
): string {
  const work = (stage: string): string => {
    const { reads = 0, compiles = 0 } = counts[stage] ?? {};
    const parts = [reads ? `${reads} reads` : '', compiles ? `${compiles} shaders` : ''].filter(Boolean);
    return parts.length ? ` (${parts.join(', ')})` : '';
  };
  const parts = STAGES.filter((stage) => stages[stage] !== undefined).map(
    (stage) => `${stage} ${stages[stage]!.toFixed(0)} ms${work(stage)}`,
  );
  if (totalMs !== undefined) parts.push(`total ${totalMs.toFixed(0)} ms`);
  if (loadMs !== undefined) parts.push(`(model load ${loadMs.toFixed(0)} ms)`);
  return parts.join(' · ') || '-';
}

/**
 * Shows a detection's stage times and device work in `output`; `data-stages` carries them as
 * JSON (`{ times, counts }`, see `DetectionReport`) for tests and tools.
 */
export function showTimings(output: HTMLElement, report: DetectionReport, loadMs?: number): void {
  output.textContent = formatTimings(report.stages, loadMs, report.totalMs, report.counts);
  output.dataset.stages = JSON.stringify({ times: report.stages, counts: report.counts });
}
