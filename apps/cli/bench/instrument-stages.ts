import type { GeneralizedRcnn } from '@rcnn/models';

/** Sub-stage timers installed on a built detector, for the benchmark only. */
export interface StageTimers {
  /** Milliseconds per sub-stage since the last reset, named as torchvision_e2e.py names them. */
  readonly times: Record<string, number>;
  reset(): void;
}

type Method = (...args: unknown[]) => unknown;

/**
 * Wraps `owner[method]` (an instance's own property shadowing the prototype's) so each call's
 * wall time adds to `times[name]`. Only synchronous calls are wrapped: on the wasm and cpu
 * backends every kernel runs inside its call, so wall time around a call is its compute time.
 */
function wrap(times: Record<string, number>, name: string, owner: unknown, method: string): void {
  const target = owner as Record<string, Method> | undefined;
  const original = target?.[method];
  if (!target || typeof original !== 'function') return;
  target[method] = (...args: unknown[]) => {
    const start = performance.now();
    try {
      return original.apply(target, args);
    } finally {
      times[name] = (times[name] ?? 0) + performance.now() - start;
    }
  };
}

/**
 * Times the parts torchvision_e2e.py times with forward hooks: the RPN head, and per RoI branch
 * (box, mask, keypoint) its RoIAlign pooler, head and predictor. What is left of a stage (anchors,
 * proposal decoding and NMS; detection postprocessing; keypoint decoding) is the stage minus these.
 */
export function instrumentStages(model: GeneralizedRcnn): StageTimers {
  const times: Record<string, number> = {};
  wrap(times, 'rpn/head', model.proposalGenerator, 'forwardHead');
  const { box, branches } = model.roiHeads;
  for (const [name, branch] of [['box', box] as const, ...branches.map((b) => [b.name, b] as const)]) {
    const parts = branch as unknown as { pooler?: unknown; head?: unknown; predictor?: unknown };
    wrap(times, `${name}/roi_pool`, parts.pooler, 'pool');
    wrap(times, `${name}/head`, parts.head, 'forward');
    wrap(times, `${name}/predictor`, parts.predictor, 'forward');
  }
  return {
    times,
    reset: () => {
      for (const key of Object.keys(times)) delete times[key];
    },
  };
}
