/**
 * Where one training step of the default small Mask R-CNN (`rcnn train`'s defaults: half-width
 * ResNet-18-FPN with GroupNorm, 4 synthetic 256x300 images) spends its time on wasm: every kernel
 * call timed (wasm kernels are synchronous), attributed to the stage whose forward recorded it
 * (backbone, rpn, box head, mask, the rest) and to the forward or backward pass. Run:
 * `npx vite-node --config vitest.config.ts bench/train-step-profile.ts [--steps 2] [--native 0|1]
 * [--kernels all|dnn] [--threads 1] [--top 25]`.
 */
import '@tensorflow/tfjs-backend-wasm';
import '@rcnn/train-kernels/register-gradients';
import { variableGradsAsync } from '@rcnn/core';
import { registerTrainingKernels } from '@rcnn/train-kernels';
import * as tf from '@tensorflow/tfjs-core';
import { registerNativeKernels } from '../src/index';
import { loadNativeAddon } from '../src/native-addon';
import { argument, disposeBatch, makeDetector, syntheticBatch } from './train-step-setup';

const steps = Number(argument('steps', '2'));
const native = argument('native', '1') === '1';
/** `dnn`: only the oneDNN convolutions and matmuls natively (what the package served before). */
const only = argument('kernels', 'all');
const DNN = [
  'Conv2D',
  'FusedConv2D',
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'BatchMatMul',
  '_FusedMatMul',
];
const top = Number(argument('top', '25'));

let stage = 'other';
let pass: 'fwd' | 'bwd' = 'fwd';
const table = new Map<string, { ms: number; calls: number }>();
const add = (key: string, ms: number) => {
  const entry = table.get(key) ?? { ms: 0, calls: 0 };
  entry.ms += ms;
  entry.calls += 1;
  table.set(key, entry);
};

async function main() {
  registerTrainingKernels({ backends: ['wasm'] });
  await tf.setBackend('wasm');
  tf.enableProdMode();
  if (native) {
    const threads = Number(argument('threads', '1'));
    console.log(
      JSON.stringify(registerNativeKernels({ threads, ...(only === 'dnn' ? { kernels: DNN } : {}) })),
    );
  }
  // Every wasm kernel timed.
  for (const config of tf.getKernelsForBackend('wasm')) {
    const inner = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const start = performance.now();
        const out = inner(args);
        const ms = performance.now() - start;
        add(`kernel ${pass} ${config.kernelName}`, ms);
        add(`stage ${pass} ${stage}`, ms);
        add(`kernels ${pass}`, ms);
        add(`by-stage ${pass} ${stage} ${config.kernelName}`, ms);
        if (native && /Conv|MatMul/.test(config.kernelName)) {
          const shape = (Object.values(args.inputs)[0] as tf.TensorInfo).shape.join('x');
          const impl = loadNativeAddon().addon?.lastImplementation();
          add(`impl ${config.kernelName} ${impl} ${shape}`, ms);
        }
        return out;
      },
    });
  }
  // Backward kernels attributed to the stage that recorded the op.
  const engine = tf.engine() as unknown as {
    addTapeNode: (...args: unknown[]) => void;
    state: { activeTape: { gradient?: (dys: tf.Tensor[]) => Record<string, () => tf.Tensor> }[] | null };
  };
  const addTapeNode = engine.addTapeNode.bind(engine);
  engine.addTapeNode = (...args: unknown[]) => {
    addTapeNode(...args);
    const node = engine.state.activeTape?.at(-1);
    const recordedIn = stage;
    const gradient = node?.gradient;
    if (node && gradient) {
      node.gradient = (dys) => {
        const previous = stage;
        stage = recordedIn;
        let thunks: Record<string, () => tf.Tensor>;
        try {
          thunks = gradient(dys);
        } finally {
          stage = previous;
        }
        return Object.fromEntries(
          Object.entries(thunks).map(([name, thunk]) => [
            name,
            () => {
              const previous = stage;
              stage = recordedIn;
              try {
                return thunk();
              } finally {
                stage = previous;
              }
            },
          ]),
        );
      };
    }
  };
  const model = makeDetector();
  const inStage = <A extends unknown[], R>(name: string, fn: (...args: A) => R) =>
    ((...args: A) => {
      const previous = stage;
      stage = name;
      const start = performance.now();
      const finish = () => {
        add(`wall fwd ${name}`, performance.now() - start);
        stage = previous;
      };
      const out = fn(...args);
      if (out instanceof Promise) return out.finally(finish) as R;
      finish();
      return out;
    }) as (...args: A) => R;
  type Fn = (...args: unknown[]) => unknown;
  type Part = { forward: Fn; loss: Fn };
  const m = model as unknown as {
    backbone: Part;
    proposalGenerator: Part;
    roiHeads: Part & { box: Part; branches: Part[] };
  };
  m.backbone.forward = inStage('backbone', m.backbone.forward.bind(m.backbone));
  m.proposalGenerator.loss = inStage('rpn', m.proposalGenerator.loss.bind(m.proposalGenerator));
  m.roiHeads.loss = inStage('roiHeads(other)', m.roiHeads.loss.bind(m.roiHeads));
  m.roiHeads.box.loss = inStage('boxHead', m.roiHeads.box.loss.bind(m.roiHeads.box));
  for (const branch of m.roiHeads.branches) branch.loss = inStage('mask', branch.loss.bind(branch));
  const variables = [...model.trainableVariables().values()];
  const totals: number[] = [];
  for (let step = 0; step <= steps; step++) {
    const { images, targets } = syntheticBatch(step);
    if (step === 1) table.clear(); // step 0 warms up
    const start = performance.now();
    pass = 'fwd';
    const { value, grads } = await variableGradsAsync(async () => {
      const losses = await model.loss(images, targets);
      const total = tf.addN(Object.values(losses)) as tf.Scalar;
      tf.dispose(Object.values(losses));
      add('wall fwd (all)', performance.now() - start);
      pass = 'bwd';
      return total;
    }, variables);
    const loss = (await value.data())[0];
    const ms = performance.now() - start;
    add('wall step', ms);
    tf.dispose([value, ...grads.filter((g): g is tf.Tensor => g !== null)]);
    disposeBatch(images, targets);
    if (step > 0) totals.push(ms);
    console.log(`step ${step}: ${(ms / 1000).toFixed(2)} s, loss ${loss?.toFixed(4)}`);
  }
  const n = totals.length;
  const rows = [...table.entries()].map(([key, v]) => ({ key, ms: v.ms / n, calls: v.calls / n }));
  for (const prefix of ['wall', 'kernels', 'stage', 'kernel', 'by-stage', 'impl']) {
    const part = rows.filter((r) => r.key.startsWith(`${prefix} `)).sort((a, b) => b.ms - a.ms);
    console.log(`\n# ${prefix} (ms per step, calls per step)`);
    for (const r of prefix !== 'wall' && prefix !== 'stage' ? part.slice(0, top) : part) {
      console.log(
        `${r.key.padEnd(48)} ${r.ms.toFixed(1).padStart(9)} ${String(Math.round(r.calls)).padStart(7)}`,
      );
    }
  }
  model.dispose();
}

await main();
