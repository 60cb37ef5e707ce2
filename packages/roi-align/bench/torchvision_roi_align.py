"""torchvision side of bench/roi-align-bench.ts: reads {boxes, sizes, channels, runs} as JSON on stdin,
times MultiScaleRoIAlign (7x7, sampling ratio 2, P2..P5) forward and forward+backward, and
roi_align on P2 alone, and prints medians in milliseconds as JSON. Threads: torch.set_num_threads
from RCNN_THREADS (the caller also sets OMP/OpenBLAS variables)."""
import json
import os
import statistics
import sys
import time

import torch
from torchvision.ops import MultiScaleRoIAlign, roi_align

spec = json.load(sys.stdin)
torch.set_num_threads(int(os.environ.get("RCNN_THREADS", "1")))
torch.manual_seed(0)
channels, runs = spec["channels"], spec["runs"]
levels = {f"p{k + 2}": torch.rand(1, channels, s, s) * 2 - 1 for k, s in enumerate(spec["sizes"])}
boxes = torch.tensor(spec["boxes"], dtype=torch.float32).reshape(-1, 4)
image = spec["image"]
pooler = MultiScaleRoIAlign(list(levels), 7, 2)


def median_ms(fn):
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def forward():
    with torch.no_grad():
        pooler(levels, [boxes], [(image, image)])


leaves = {k: v.clone().requires_grad_(True) for k, v in levels.items()}
weights = torch.rand(len(boxes), channels, 7, 7)


def forward_backward():
    for leaf in leaves.values():
        leaf.grad = None
    pooler(leaves, [boxes], [(image, image)]).backward(weights)


rois = torch.cat([torch.zeros(len(boxes), 1), boxes], dim=1)


def single_level():
    with torch.no_grad():
        roi_align(levels["p2"], rois, 7, 0.25, 2, False)


print(json.dumps({
    "threads": torch.get_num_threads(),
    "torch": torch.__version__,
    "forward": median_ms(forward),
    "forwardBackward": median_ms(forward_backward),
    "singleLevelP2": median_ms(single_level),
}))
