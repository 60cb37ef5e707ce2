"""torchvision's R50-FPN presets timed on one image, as predict-bench.ts times ours.

Usage: python3 torchvision_predict.py RUNS THREADS
Builds each preset with the options of tools/reference/gen_models.py (min_size 128, max_size 192,
5 classes / 2 for keypoints), fills it with the deterministic weights the TypeScript side uses,
runs the 120x160 fixture image (resized to 128x170) and prints one JSON object: the median
milliseconds of model([image]) per preset, and the stage times of the median run.
"""
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools", "reference"))
import detweights  # noqa: E402
import gen_models  # noqa: E402


def main() -> None:
    runs, threads = int(sys.argv[1]), int(sys.argv[2])
    torch.set_num_threads(threads)
    image = gen_models.images()[0]
    results = {}
    for name, (builder, options) in gen_models.PRESETS.items():
        model = builder(**gen_models.COMMON, **options).eval()
        detweights.fill_module(model)
        marks = {}

        def mark(stage):
            return lambda *_: marks.__setitem__(stage, time.perf_counter())

        model.transform.register_forward_hook(mark("transform"))
        model.backbone.register_forward_hook(mark("backbone"))
        model.rpn.register_forward_hook(mark("rpn"))
        model.roi_heads.register_forward_hook(mark("roiHeads"))
        timings = []
        with torch.no_grad():
            model([image])  # warm-up
            for _ in range(runs):
                start = time.perf_counter()
                model([image])
                end = time.perf_counter()
                order = ["transform", "backbone", "rpn", "roiHeads"]
                stages, previous = {}, start
                for stage in order:
                    stages[stage] = (marks[stage] - previous) * 1000
                    previous = marks[stage]
                stages["postprocess"] = (end - previous) * 1000
                timings.append(((end - start) * 1000, stages))
        timings.sort(key=lambda t: t[0])
        total, stages = timings[len(timings) // 2]
        results[name] = {"totalMs": total, "stagesMs": stages, "runs": [t[0] for t in timings]}
    print(json.dumps({"threads": threads, "presets": results}))


if __name__ == "__main__":
    main()
