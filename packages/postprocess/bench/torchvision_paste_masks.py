"""torchvision's paste_masks_in_image + threshold on the masks and boxes bench/paste-masks-bench.ts
wrote; prints the median milliseconds over `runs` after one warm-up."""
import statistics
import sys
import time

import numpy as np
import torch
from torchvision.models.detection.roi_heads import paste_masks_in_image

path, count, side, height, width, runs = sys.argv[1], *map(int, sys.argv[2:])
torch.set_num_threads(1)
data = np.fromfile(path, dtype=np.float32)
masks = torch.from_numpy(data[: count * side * side].reshape(count, 1, side, side).copy())
boxes = torch.from_numpy(data[count * side * side :].reshape(count, 4).copy())


def run():
    return paste_masks_in_image(masks, boxes, (height, width), padding=1) > 0.5


run()
times = []
for _ in range(runs):
    start = time.perf_counter()
    run()
    times.append((time.perf_counter() - start) * 1000)
print(statistics.median(times))
