"""OpenBLAS sgemm on the GEMMs an im2col convolution and fc6 would run, 1 thread, medians.

The alternative to oneDNN considered for @rcnn/kernels-native: im2col + sgemm. This times only
the sgemm (no im2col copy, which would only add), through numpy on Debian's OpenBLAS:
  OPENBLAS_NUM_THREADS=1 LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread \
    /usr/bin/python3 bench/openblas_gemm.py
"""
import time

import numpy as np

# (name, M, K, N): conv as GEMM is M = outH*outW, K = kh*kw*inC, N = outC.
SHAPES = [
    ("layer1 3x3 64->64 at 200x200", 200 * 200, 9 * 64, 64),
    ("layer3 3x3 256->256 at 50x50", 50 * 50, 9 * 256, 256),
    ("layer4 3x3 512->512 at 25x25", 25 * 25, 9 * 512, 512),
    ("FPN P2 3x3 256->256 at 200x200", 200 * 200, 9 * 256, 256),
    ("fc6 [1000, 12544] x [12544, 1024]", 1000, 12544, 1024),
]

rng = np.random.default_rng(0)
for name, m, k, n in SHAPES:
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    a @ b
    times = []
    for _ in range(5):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    ms = sorted(times)[2] * 1e3
    print(f"| {name} | {2 * m * k * n / 1e9:.2f} | {2 * m * k * n / ms / 1e6:.1f} ({ms:.0f} ms) |")
