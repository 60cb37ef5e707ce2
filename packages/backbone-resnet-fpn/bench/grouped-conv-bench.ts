/**
 * Four ways to run ResNeXt-50 32x4d's grouped 3x3 convolutions on tfjs (which has no `groups`),
 * at the shapes of an 800x800 input, on the current backend (wasm by default):
 *   split     - one conv2d per group on channel slices, concatenated (what core's Conv2d does for wide groups)
 *   depthwise - depthwiseConv2d with channel multiplier = outputs per group, then a per-group sum
 *   im2col    - 9 shifted slices, then one batched matMul per group
 *   dense     - a block-diagonal filter (groups x the FLOPs) in a single conv2d
 * Run: `npx vite-node --config vitest.config.ts bench/grouped-conv-bench.ts [--runs 5]`.
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

const GROUPS = 32;
const runsIndex = process.argv.indexOf('--runs');
const runs = runsIndex >= 0 ? Number(process.argv[runsIndex + 1]) : 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(run: () => tf.Tensor): number {
  run().dispose();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const y = run();
    y.dataSync(); // bench only: makes deferred backends finish
    times.push(performance.now() - start);
    y.dispose();
  }
  return median(times);
}

async function main(): Promise<void> {
  await tf.setBackend(process.env.BACKEND ?? 'wasm');
  await tf.ready();
  console.log(`backend ${tf.getBackend()}, median of ${runs}`);
  console.log(
    '| map | channels | per group | GFLOP | split ms | depthwise ms | im2col ms | dense ms | max diff |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [size, channels] of [
    [200, 128],
    [100, 256],
    [50, 512],
    [25, 1024],
  ] as const) {
    const perGroup = channels / GROUPS;
    const x = tf.randomUniform([1, size, size, channels], -1, 1, 'float32', 1) as tf.Tensor4D;
    // [3, 3, perGroup, channels]: group g's filter is output slice g (HWIO per group, side by side).
    const filter = tf.randomUniform([3, 3, perGroup, channels], -0.1, 0.1, 'float32', 2) as tf.Tensor4D;
    const groupFilters = tf.split(filter, GROUPS, 3) as tf.Tensor4D[];
    const dense = tf.tidy(() =>
      tf.concat(
        groupFilters.map((w, g) =>
          tf.pad(w, [
            [0, 0],
            [0, 0],
            [g * perGroup, channels - (g + 1) * perGroup],
            [0, 0],
          ]),
        ),
        3,
      ),
    ) as tf.Tensor4D;
    // depthwise filter [3, 3, channels, perGroup]: input channel (g, i), multiplier m -> W[g * perGroup + m, i].
    const depthwiseFilter = tf.tidy(() =>
      tf.reshape(tf.transpose(tf.reshape(filter, [3, 3, perGroup, GROUPS, perGroup]), [0, 1, 3, 2, 4]), [
        3,
        3,
        channels,
        perGroup,
      ]),
    ) as tf.Tensor4D;
    const matMulFilter = tf.tidy(() =>
      tf.reshape(tf.transpose(tf.reshape(filter, [9, perGroup, GROUPS, perGroup]), [2, 0, 1, 3]), [
        GROUPS,
        9 * perGroup,
        perGroup,
      ]),
    );
    const strategies: Record<string, () => tf.Tensor> = {
      split: () =>
        tf.tidy(() =>
          tf.concat(
            (tf.split(x, GROUPS, 3) as tf.Tensor4D[]).map((part, g) =>
              tf.conv2d(part, groupFilters[g]!, 1, 1),
            ),
            3,
          ),
        ),
      depthwise: () =>
        tf.tidy(() =>
          tf.reshape(
            tf.sum(
              tf.reshape(tf.depthwiseConv2d(x, depthwiseFilter, 1, 1), [
                1,
                size,
                size,
                GROUPS,
                perGroup,
                perGroup,
              ]),
              4,
            ),
            [1, size, size, channels],
          ),
        ),
      im2col: () =>
        tf.tidy(() => {
          const padded = tf.pad(x, [
            [0, 0],
            [1, 1],
            [1, 1],
            [0, 0],
          ]);
          const taps: tf.Tensor[] = [];
          for (let dy = 0; dy < 3; dy++) {
            for (let dx = 0; dx < 3; dx++)
              taps.push(tf.slice(padded, [0, dy, dx, 0], [1, size, size, channels]));
          }
          const patches = tf.reshape(tf.stack(taps, 3), [size * size, 9, GROUPS, perGroup]);
          const byGroup = tf.reshape(tf.transpose(patches, [2, 0, 1, 3]), [
            GROUPS,
            size * size,
            9 * perGroup,
          ]);
          return tf.reshape(tf.transpose(tf.matMul(byGroup, matMulFilter), [1, 0, 2]), [
            1,
            size,
            size,
            channels,
          ]);
        }),
      dense: () => tf.conv2d(x, dense, 1, 1),
    };
    const reference = strategies.split!();
    let worst = 0;
    for (const run of Object.values(strategies)) {
      const y = run();
      worst = Math.max(
        worst,
        tf.tidy(() => tf.max(tf.abs(tf.sub(y, reference))).dataSync()[0]!),
      );
      y.dispose();
    }
    const ms = Object.fromEntries(Object.entries(strategies).map(([name, run]) => [name, time(run)]));
    const gflop = (2 * size * size * channels * perGroup * 9) / 1e9;
    console.log(
      `| ${size}x${size} | ${channels} | ${perGroup} | ${gflop.toFixed(2)} | ${ms.split!.toFixed(0)} | ${ms.depthwise!.toFixed(0)} | ${ms.im2col!.toFixed(0)} | ${ms.dense!.toFixed(0)} | ${worst.toExponential(1)} |`,
    );
    tf.dispose([x, filter, dense, depthwiseFilter, matMulFilter, reference, ...groupFilters]);
  }
}

await main();
