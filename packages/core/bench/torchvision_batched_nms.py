"""torchvision's batched_nms (1 thread) on the boxes, scores and classes bench/batched-nms-bench.ts
wrote; prints the median milliseconds over `runs` after one warm-up and writes the kept indices
(int64) for the bench to compare."""
import statistics
import sys
import time

import numpy as np
import torch
from torchvision.ops import batched_nms

path, n, runs, kept_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
torch.set_num_threads(1)
data = np.fromfile(path, dtype=np.float32)
boxes = torch.from_numpy(data[: n * 4].reshape(n, 4).copy())
scores = torch.from_numpy(data[n * 4 : n * 5].copy())
classes = torch.from_numpy(data[n * 5 : n * 6].astype(np.int64))

kept = batched_nms(boxes, scores, classes, 0.5)
times = []
for _ in range(runs):
    start = time.perf_counter()
    batched_nms(boxes, scores, classes, 0.5)
    times.append((time.perf_counter() - start) * 1000)
kept.numpy().astype(np.int64).tofile(kept_path)
print(statistics.median(times))
