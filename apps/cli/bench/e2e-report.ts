/** What e2e.ts measured for one preset (milliseconds, medians over the timed runs). */
export interface PresetReport {
  name: string;
  options: Record<string, unknown>;
  /** One run per thread count, in the order of `torch`. */
  ours: {
    backend: string;
    threads: number;
    /** Which kernels ran (`nativeKernelsSummary()`). */
    kernelsLine: string;
    medianMs: number;
    runsMs: number[];
    warmupMs: number[];
    stagesMs: Record<string, number>;
    detections: number;
    loadMs: number;
    kernels?: Record<string, { ms: number; calls: number }>;
    profiledMs?: number;
  }[];
  torch: {
    threads: number;
    medianMs: number;
    runsMs: number[];
    stagesMs: Record<string, number>;
    detections: number;
  }[];
}

export interface E2eReport {
  size: number;
  runs: number;
  warmup: number;
  backend: string;
  cpu: string;
  cores: number;
  node: string;
  date: string;
  wallSeconds: number;
  presets: PresetReport[];
}

/** Report rows: label and how to read the figure from a stage table (ours uses torchvision's keys). */
const ROWS: [label: string, read: (stages: Record<string, number>) => number | undefined][] = [
  ['transform', (s) => s.transform],
  ['backbone (ResNet-50 + FPN)', (s) => s.backbone],
  ['rpn', (s) => s.rpn],
  ['· rpn head (3x3 conv + 1x1s)', (s) => s['rpn/head']],
  ['· anchors, decode, top-k, NMS', (s) => difference(s.rpn, [s['rpn/head']])],
  ['roi_heads', (s) => s.roi_heads ?? s.roiHeads],
  ...(['box', 'mask', 'keypoint'] as const).flatMap(
    (branch): [string, (s: Record<string, number>) => number | undefined][] => [
      [`· ${branch} RoIAlign`, (s) => s[`${branch}/roi_pool`]],
      [`· ${branch} head`, (s) => s[`${branch}/head`]],
      [`· ${branch} predictor`, (s) => s[`${branch}/predictor`]],
    ],
  ),
  ['· rest (detections: decode, NMS; mask/keypoint glue)', (s) => roiRest(s)],
  ['postprocess (to original pixels; ours + paste, RLE, read-back)', (s) => s.postprocess],
];

function difference(total: number | undefined, parts: (number | undefined)[]): number | undefined {
  if (total === undefined) return undefined;
  return total - parts.reduce<number>((sum, part) => sum + (part ?? 0), 0);
}

function roiRest(stages: Record<string, number>): number | undefined {
  const parts = Object.entries(stages)
    .filter(([key]) => /^(box|mask|keypoint)\//.test(key))
    .map(([, value]) => value);
  return difference(stages.roi_heads ?? stages.roiHeads, parts);
}

const ms = (value: number | undefined) => (value === undefined ? '' : value.toFixed(0));
const ratio = (ours: number | undefined, reference: number | undefined) =>
  ours === undefined || reference === undefined || reference <= 0 ? '' : `${(ours / reference).toFixed(1)}x`;

/** Prints the summary, the per-stage tables and the kernel profile as markdown. */
export function printReport(report: E2eReport): void {
  const threads = report.presets[0]?.torch.map((t) => t.threads) ?? [];
  const lines: string[] = [];
  lines.push(
    `## ${report.size}x${report.size}, median of ${report.runs} runs after ${report.warmup} warm-up (${report.date.slice(0, 10)}, ${report.cpu}, ${report.cores} cores, Node ${report.node}, whole script ${report.wallSeconds.toFixed(0)} s)`,
    '',
    ...[
      ...new Set(
        report.presets.flatMap((p) => p.ours.map((o) => `- ours at ${o.threads}T: ${o.kernelsLine}`)),
      ),
    ],
    '',
    `| preset | detections | ${threads.map((t) => `torch ${t}T ms | ours ${t}T ms | ours / torch ${t}T`).join(' | ')} | ours first run ms |`,
    `| --- | ---: | ${threads.map(() => '---: | ---: | ---:').join(' | ')} | ---: |`,
  );
  for (const preset of report.presets) {
    const cells = preset.torch.map((t, i) => {
      const ours = preset.ours[i]?.medianMs;
      return `${ms(t.medianMs)} | ${ms(ours)} | ${ratio(ours, t.medianMs)}`;
    });
    lines.push(
      `| ${preset.name} | ${preset.ours[0]?.detections} (torch ${preset.torch[0]?.detections}) | ${cells.join(' | ')} | ${ms(preset.ours[0]?.warmupMs[0])} |`,
    );
  }
  for (const preset of report.presets) {
    lines.push(
      '',
      `### ${preset.name} (${JSON.stringify(preset.options)})`,
      '',
      `| stage | ${threads.map((t) => `torch ${t}T | ours ${t}T | ratio ${t}T`).join(' | ')} | share of ours 1T |`,
      `| --- | ${threads.map(() => '---: | ---: | ---:').join(' | ')} | ---: |`,
    );
    const first = preset.ours[0];
    for (const [label, read] of ROWS) {
      const cells = preset.torch.map((t, i) => {
        const mine = preset.ours[i] ? read(preset.ours[i].stagesMs) : undefined;
        const theirs = read(t.stagesMs);
        return { mine, theirs, text: `${ms(theirs)} | ${ms(mine)} | ${ratio(mine, theirs)}` };
      });
      if (cells.every(({ mine, theirs }) => mine === undefined && theirs === undefined)) continue;
      const mineFirst = first ? read(first.stagesMs) : undefined;
      const share =
        mineFirst === undefined || !first ? '' : `${((100 * mineFirst) / first.medianMs).toFixed(1)}%`;
      lines.push(`| ${label} | ${cells.map(({ text }) => text).join(' | ')} | ${share} |`);
    }
    lines.push(
      `| total | ${preset.torch.map((t, i) => `${ms(t.medianMs)} | ${ms(preset.ours[i]?.medianMs)} | ${ratio(preset.ours[i]?.medianMs, t.medianMs)}`).join(' | ')} | |`,
    );
    const kernels = first?.kernels;
    if (kernels) {
      const total = Object.values(kernels).reduce((sum, k) => sum + k.ms, 0);
      lines.push(
        '',
        `Kernels of one profiled run of ${preset.name} at ${first.threads}T (wall ${ms(first.profiledMs)} ms, ${ms(total)} ms in kernels; the rest is JavaScript between kernels: NMS loops, RLE, read-backs):`,
        '',
        '| kernel | calls | ms | share of kernel time |',
        '| --- | ---: | ---: | ---: |',
      );
      const sorted = Object.entries(kernels).sort((a, b) => b[1].ms - a[1].ms);
      for (const [name, kernel] of sorted.slice(0, 12)) {
        lines.push(
          `| ${name} | ${kernel.calls} | ${ms(kernel.ms)} | ${((100 * kernel.ms) / total).toFixed(1)}% |`,
        );
      }
    }
  }
  console.log(lines.join('\n'));
}
