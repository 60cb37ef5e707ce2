"""Deterministic test weights, bit-identical to @rcnn/core's deterministic-weights.ts.

Every state_dict entry is filled from its name: mulberry32 seeded with FNV-1a of the
UTF-8 name, element i using state seed + (i + 1) * 0x6D2B79F5 (so it vectorises),
values computed in float64 and rounded once to float32. The value range rule
(`deterministic_range`) must stay identical to the TypeScript one.
"""
import math

import numpy as np

GOLDEN = np.uint32(0x6D2B79F5)
M32 = 0xFFFFFFFF


def fnv1a32(text: str) -> int:
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h ^= byte
        h = (h * 0x01000193) & M32
    return h


def uniform01(key: str, count: int) -> np.ndarray:
    """`count` float64 values in [0, 1), exact multiples of 2^-32."""
    with np.errstate(over="ignore"):
        i = np.arange(1, count + 1, dtype=np.uint64)
        a = ((np.uint64(fnv1a32(key)) + i * np.uint64(GOLDEN)) & np.uint64(M32)).astype(np.uint32)
        t = (a ^ (a >> np.uint32(15))) * (a | np.uint32(1))
        t = (t + (t ^ (t >> np.uint32(7))) * (t | np.uint32(61))) ^ t
        out = t ^ (t >> np.uint32(14))
    return out.astype(np.float64) / 4294967296.0


def tensor(key: str, shape, low=-1.0, high=1.0) -> np.ndarray:
    n = int(np.prod(shape)) if len(shape) else 1
    return (low + (high - low) * uniform01(key, n)).astype(np.float32).reshape(shape)


def deterministic_range(name: str, shape):
    if name.endswith("running_var"):
        return 0.5, 1.5
    if name.endswith("running_mean"):
        return -0.2, 0.2
    if name.endswith("bias"):
        return -0.1, 0.1
    if len(shape) <= 1:
        return 0.5, 1.5
    fan_in = int(np.prod(shape[1:]))
    bound = math.sqrt(2 / fan_in)  # see deterministic-weights.ts: sqrt(6/fan_in) blew ResNet-101 up to 2e8
    return -bound, bound


def weight(name: str, shape) -> np.ndarray:
    low, high = deterministic_range(name, list(shape))
    return tensor(name, list(shape), low, high)


def fill_module(module, prefix: str = "") -> None:
    """Assigns every parameter and buffer of `module` (named as its state_dict, with `prefix`)."""
    import torch

    with torch.no_grad():
        for name, value in module.state_dict().items():
            full = prefix + name
            if name.endswith("num_batches_tracked"):
                value.zero_()
                continue
            value.copy_(torch.from_numpy(weight(full, tuple(value.shape))))
