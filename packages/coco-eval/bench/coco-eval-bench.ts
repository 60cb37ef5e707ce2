/**
 * COCO evaluation benchmark: 5,000 images / 100,000 detections (generate-dataset.ts),
 * timing load, evaluate, accumulate and the whole `rcnn eval` command, for bbox and segm.
 * pycocotools cannot run on this machine (not installed, no PyPI), so the reference is
 * the figure stated in issue #7, measured on these machines: evaluate + accumulate
 * (load excluded) bbox 14.7 s, segm 15.0 s.
 *
 * Run: `npx pnpm@9.15.9 --filter @rcnn/coco-eval bench` (the CLI part needs
 * `npx pnpm@9.15.9 build` first). Writes .tmp/bench/ data and bench-results/coco-eval.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { CocoDataset, CocoEval, type IouType } from '../src/index';
import { generateBenchmarkSet } from './generate-dataset';

const PYCOCOTOOLS_SECONDS: Record<string, number> = { bbox: 14.7, segm: 15.0 };
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const dataDir = resolve('.tmp/bench');
const cliPath = resolve('../../apps/cli/dist/main.js');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const now = () => performance.now();

function writeData(): void {
  mkdirSync(dataDir, { recursive: true });
  const started = now();
  const set = generateBenchmarkSet();
  const bboxResults = set.results.map(({ segmentation: _, ...rest }) => rest);
  writeFileSync(`${dataDir}/gt.json`, JSON.stringify(set.groundTruth));
  writeFileSync(`${dataDir}/dt-bbox.json`, JSON.stringify(bboxResults));
  writeFileSync(`${dataDir}/dt-segm.json`, JSON.stringify(set.results));
  const annotations = (set.groundTruth.annotations as unknown[]).length;
  console.log(
    `data: ${(set.groundTruth.images as unknown[]).length} images, ${annotations} gt, ${set.results.length} detections ` +
      `(generated in ${((now() - started) / 1000).toFixed(1)} s)`,
  );
}

interface Timing {
  load: number;
  evaluate: number;
  accumulate: number;
  summarize: number;
  /** CPU time (user + system) of evaluate + accumulate, less sensitive to other processes than wall time. */
  evaluateAccumulateCpu: number;
  stats: number[];
}

const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

function timeInProcess(iouType: IouType): Timing {
  const started = now();
  const gt = CocoDataset.fromJson(JSON.parse(readFileSync(`${dataDir}/gt.json`, 'utf8')));
  const dt = gt.loadResults(JSON.parse(readFileSync(`${dataDir}/dt-${iouType}.json`, 'utf8')));
  const loaded = now();
  const cpuStarted = cpuMs();
  const evaluator = new CocoEval(gt, dt, iouType);
  evaluator.evaluate();
  const evaluated = now();
  evaluator.accumulate();
  const accumulated = now();
  const evaluateAccumulateCpu = cpuMs() - cpuStarted;
  const { stats } = evaluator.summarize();
  return {
    load: loaded - started,
    evaluate: evaluated - loaded,
    accumulate: accumulated - evaluated,
    summarize: now() - accumulated,
    evaluateAccumulateCpu,
    stats,
  };
}

/** CPU seconds (user + system) used by finished children, from /proc (Linux); undefined elsewhere. */
function childrenCpuSeconds(): number | undefined {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    // After the command name: cutime and cstime are fields 16 and 17 of stat, here 13 and 14.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

interface CliTiming {
  wallMs: number;
  cpuMs: number | undefined;
}

function timeCli(iouType: IouType): CliTiming[] | undefined {
  if (!existsSync(cliPath)) return undefined;
  const args = [
    cliPath,
    'eval',
    '--gt',
    `${dataDir}/gt.json`,
    '--dt',
    `${dataDir}/dt-${iouType}.json`,
    '--iou-type',
    iouType,
  ];
  const times: CliTiming[] = [];
  for (let run = 0; run < Math.max(3, RUNS); run++) {
    const cpuBefore = childrenCpuSeconds();
    const started = now();
    const child = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const wallMs = now() - started;
    const cpuAfter = childrenCpuSeconds();
    if (child.status !== 0) throw new Error(`rcnn eval failed: ${child.stderr}`);
    times.push({
      wallMs,
      cpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) * 1000,
    });
  }
  return times;
}

writeData();
const report: Record<string, unknown> = {
  runs: RUNS,
  node: process.version,
  cpu: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
  loadAverageBefore: loadavg(),
  date: new Date().toISOString(),
};
for (const iouType of ['bbox', 'segm'] as IouType[]) {
  timeInProcess(iouType); // warm-up
  const timings = Array.from({ length: RUNS }, () => timeInProcess(iouType));
  const pick = (key: 'load' | 'evaluate' | 'accumulate' | 'summarize') => median(timings.map((t) => t[key]));
  const evalAccumulate = median(timings.map((t) => t.evaluate + t.accumulate));
  const evalAccumulateCpu = median(timings.map((t) => t.evaluateAccumulateCpu));
  const cli = timeCli(iouType);
  const cliWall = cli ? median(cli.map((t) => t.wallMs)) : undefined;
  const cliCpu = cli?.every((t) => t.cpuMs !== undefined) ? median(cli.map((t) => t.cpuMs!)) : undefined;
  const reference = PYCOCOTOOLS_SECONDS[iouType] * 1000;
  const row = {
    loadMs: pick('load'),
    evaluateMs: pick('evaluate'),
    accumulateMs: pick('accumulate'),
    summarizeMs: pick('summarize'),
    evaluateAccumulateMs: evalAccumulate,
    evaluateAccumulateCpuMs: evalAccumulateCpu,
    cliWallMs: cliWall ?? null,
    cliCpuMs: cliCpu ?? null,
    pycocotoolsEvaluateAccumulateMs: reference,
    speedupEvaluateAccumulate: reference / evalAccumulate,
    speedupEvaluateAccumulateCpu: reference / evalAccumulateCpu,
    speedupWholeCommandWall: cliWall ? reference / cliWall : null,
    speedupWholeCommandCpu: cliCpu ? reference / cliCpu : null,
    stats: timings[0].stats,
  };
  report[iouType] = row;
  console.log(
    `${iouType}: in process (warm, median of ${RUNS}): load ${row.loadMs.toFixed(0)} ms, evaluate ${row.evaluateMs.toFixed(0)} ms, ` +
      `accumulate ${row.accumulateMs.toFixed(0)} ms -> evaluate+accumulate ${evalAccumulate.toFixed(0)} ms ` +
      `(${row.speedupEvaluateAccumulate.toFixed(1)}x pycocotools' ${reference / 1000} s); ` +
      `its CPU time ${evalAccumulateCpu.toFixed(0)} ms (${row.speedupEvaluateAccumulateCpu.toFixed(1)}x)`,
  );
  console.log(
    cliWall
      ? `  whole \`rcnn eval\` (cold process, median of ${cli!.length}): wall ${cliWall.toFixed(0)} ms ` +
          `(${(reference / cliWall).toFixed(1)}x)` +
          (cliCpu ? `, CPU ${cliCpu.toFixed(0)} ms (${(reference / cliCpu).toFixed(1)}x)` : '')
      : '  CLI not built (run `npx pnpm@9.15.9 build` to time the whole command)',
  );
  console.log(`  stats ${row.stats.map((value) => value.toFixed(3)).join(' ')}`);
}
report.loadAverageAfter = loadavg();
console.log(
  `load average before ${(report.loadAverageBefore as number[]).map((v) => v.toFixed(1)).join(' ')}, after ${loadavg()
    .map((v) => v.toFixed(1))
    .join(' ')}`,
);
mkdirSync(resolve('bench-results'), { recursive: true });
writeFileSync(resolve('bench-results/coco-eval.json'), `${JSON.stringify(report, null, 2)}\n`);
