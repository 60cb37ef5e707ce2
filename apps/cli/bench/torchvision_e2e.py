"""torchvision's detector end to end on one image, timed per stage; spawned by e2e.ts.

Usage: python3 torchvision_e2e.py ARCH RAW_RGB HEIGHT WIDTH RUNS WARMUP THREADS OPTIONS_JSON
RAW_RGB holds HEIGHT*WIDTH*3 bytes (the PNG e2e.ts feeds to ours, decoded). OPTIONS_JSON are
builder keyword arguments (min_size, box_score_thresh, ...). Weights are the deterministic values
the TypeScript side uses (tools/reference/detweights.py), so both run on identical numbers.
Prints one JSON object: median milliseconds of the whole call and of each stage and sub-stage.
"""
import json
import os
import statistics
import sys
import time
from collections import defaultdict

import numpy as np
import torch
import torchvision
from torchvision.models import detection

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools", "reference"))
import detweights  # noqa: E402

# Modules timed with forward hooks: name in the report -> attribute path on the model.
TIMED_MODULES = {
    "transform": "transform",
    "backbone": "backbone",
    "rpn": "rpn",
    "rpn/head": "rpn.head",
    "roi_heads": "roi_heads",
    "box/roi_pool": "roi_heads.box_roi_pool",
    "box/head": "roi_heads.box_head",
    "box/predictor": "roi_heads.box_predictor",
    "mask/roi_pool": "roi_heads.mask_roi_pool",
    "mask/head": "roi_heads.mask_head",
    "mask/predictor": "roi_heads.mask_predictor",
    "keypoint/roi_pool": "roi_heads.keypoint_roi_pool",
    "keypoint/head": "roi_heads.keypoint_head",
    "keypoint/predictor": "roi_heads.keypoint_predictor",
}


def resolve(model, path):
    for part in path.split("."):
        model = getattr(model, part, None)
        if model is None:
            return None
    return model


def instrument(model, times):
    starts = {}
    for name, path in TIMED_MODULES.items():
        module = resolve(model, path)
        if module is None:
            continue

        def before(_module, _inputs, name=name):
            starts[name] = time.perf_counter()

        def after(_module, _inputs, _outputs, name=name):
            times[name] += time.perf_counter() - starts[name]

        module.register_forward_pre_hook(before)
        module.register_forward_hook(after)
    # GeneralizedRCNNTransform.postprocess is a method, not a module: wrap it.
    postprocess = model.transform.postprocess

    def timed_postprocess(*args, **kwargs):
        start = time.perf_counter()
        try:
            return postprocess(*args, **kwargs)
        finally:
            times["postprocess"] += time.perf_counter() - start

    model.transform.postprocess = timed_postprocess


def main() -> None:
    arch, raw, height, width, runs, warmup, threads, options = sys.argv[1:9]
    height, width, runs, warmup, threads = int(height), int(width), int(runs), int(warmup), int(threads)
    torch.set_num_threads(threads)
    model = getattr(detection, arch)(weights=None, weights_backbone=None, **json.loads(options)).eval()
    detweights.fill_module(model)
    pixels = np.fromfile(raw, dtype=np.uint8).reshape(height, width, 3)
    image = torch.from_numpy(pixels).permute(2, 0, 1).float().div(255)
    times = defaultdict(float)
    instrument(model, times)
    totals, per_run = [], []
    detections = 0
    with torch.inference_mode():
        for run in range(warmup + runs):
            times.clear()
            start = time.perf_counter()
            outputs = model([image])
            total = time.perf_counter() - start
            detections = len(outputs[0]["boxes"])
            if run >= warmup:
                totals.append(total)
                per_run.append(dict(times))
    stages = {name: statistics.median(run[name] for run in per_run) * 1e3 for name in per_run[0]}
    print(
        json.dumps(
            {
                "threads": torch.get_num_threads(),
                "medianMs": statistics.median(totals) * 1e3,
                "runsMs": [t * 1e3 for t in totals],
                "stagesMs": stages,
                "detections": detections,
                "torch": torch.__version__,
                "torchvision": torchvision.__version__,
                "ldLibraryPath": os.environ.get("LD_LIBRARY_PATH", ""),
            }
        )
    )


if __name__ == "__main__":
    main()
