"""Box-op fixtures for @rcnn/core (packages/core/src/boxes/__fixtures__/box-ops.safetensors).

Every expected value is computed by torchvision 0.14 itself (box_area, box_iou, nms,
batched_nms, BoxCoder, clip_boxes_to_image, remove_small_boxes) or by torch.sort, on
inputs that include the awkward cases: zero-area boxes, x2 < x1, boxes outside the
image, exact-threshold IoUs, many equal scores (tie order), and dw/dh past the clamp.
"""
import math

import numpy as np
import torch
import torchvision
from torchvision.models.detection._utils import BoxCoder
from torchvision.ops import boxes as box_ops

import detweights
from fixture_io import repo_path, write_fixture

OUT = "packages/core/src/boxes/__fixtures__/box-ops.safetensors"


def t(array) -> torch.Tensor:
    return torch.as_tensor(np.asarray(array, dtype=np.float32))


def clustered_boxes(key: str, n: int, clusters: int, size: float = 100.0) -> np.ndarray:
    """Boxes jittered around a few centres, so NMS has real overlaps to resolve."""
    u = detweights.tensor(key, [n, 5], 0.0, 1.0).astype(np.float64)
    centres = detweights.tensor(key + "/centres", [clusters, 2], 0.2 * size, 0.8 * size).astype(np.float64)
    which = (u[:, 0] * clusters).astype(np.int64)
    cx = centres[which, 0] + (u[:, 1] - 0.5) * 0.1 * size
    cy = centres[which, 1] + (u[:, 2] - 0.5) * 0.1 * size
    w = 5 + u[:, 3] * 0.3 * size
    h = 5 + u[:, 4] * 0.3 * size
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1).astype(np.float32)


def edge_boxes() -> np.ndarray:
    """Hand-picked awkward boxes: zero area, inverted, identical, outside, exact-threshold overlaps."""
    return np.array(
        [
            [10, 10, 20, 20],
            [10, 10, 20, 20],  # identical to 0
            [10, 10, 10, 20],  # zero width
            [15, 15, 15, 15],  # a point
            [20, 20, 10, 10],  # x2 < x1 and y2 < y1
            [12, 10, 22, 20],  # IoU 8/12 with 0
            [0, 0, 2, 1],
            [0, 0, 1, 1],  # IoU exactly 0.5 with the box above
            [-30, -20, -5, -1],  # outside the image
            [90, 80, 140, 130],  # partly outside
            [10, 10, 20, 20],  # identical to 0 again
            [5, 5, 25, 25],  # contains 0
            [30, 10, 25, 20],  # only x2 < x1: negative area
        ],
        dtype=np.float32,
    )


def nms_cases(tensors: dict, meta: dict) -> None:
    cases = {}
    boxes = clustered_boxes("nms/random", 200, 6)
    scores = detweights.tensor("nms/random/scores", [200], 0.0, 1.0)
    cases["random"] = (boxes, scores, [0.3, 0.5, 0.7])
    # Many equal scores (5 levels) on more than 16 boxes: the kernel's sort decides the tie order
    # (0.14 sorts with stable=True; an unstable std::sort would differ here).
    boxes = clustered_boxes("nms/ties", 120, 4)
    levels = detweights.tensor("nms/ties/scores", [120], 0.0, 5.0).astype(np.int64)
    cases["ties"] = (boxes, (levels.astype(np.float32) + 1) / 10, [0.3, 0.5, 0.7])
    boxes = edge_boxes()
    scores = np.array([0.9, 0.9, 0.8, 0.8, 0.7, 0.85, 0.6, 0.5, 0.9, 0.4, 0.9, 0.3, 0.65], dtype=np.float32)
    cases["edge"] = (boxes, scores, [0.0, 0.5, 0.6, 1.0])
    cases["empty"] = (np.zeros((0, 4), np.float32), np.zeros((0,), np.float32), [0.5])
    for name, (boxes, scores, thresholds) in cases.items():
        tensors[f"nms/{name}/boxes"] = boxes
        tensors[f"nms/{name}/scores"] = scores
        for position, threshold in enumerate(thresholds):
            keep = torchvision.ops.nms(t(boxes), t(scores), threshold)
            tensors[f"nms/{name}/keep/{position}"] = keep.numpy()
        meta[name] = thresholds


def batched_nms_cases(tensors: dict, meta: dict) -> None:
    cases = {}
    # <= 1000 boxes: torchvision offsets each class by (max coordinate + 1) and runs one nms.
    boxes = clustered_boxes("batched/small", 150, 5)
    scores = (detweights.tensor("batched/small/scores", [150], 0.0, 8.0).astype(np.int64) + 1).astype(np.float32) / 10
    classes = detweights.tensor("batched/small/classes", [150], 0.0, 4.0).astype(np.int64)
    cases["small"] = (boxes, scores, classes, 0.5)
    # > 1000 boxes: torchvision runs nms per class and re-sorts the union by score (ties: unstable sort).
    boxes = clustered_boxes("batched/large", 1200, 12, 300.0)
    scores = (detweights.tensor("batched/large/scores", [1200], 0.0, 20.0).astype(np.int64) + 1).astype(np.float32) / 32
    classes = detweights.tensor("batched/large/classes", [1200], 0.0, 7.0).astype(np.int64)
    cases["large"] = (boxes, scores, classes, 0.6)
    # Negative coordinates: the offset trick does not separate classes (cross-class suppression).
    boxes = np.array([[-50, -50, -10, -10], [-56, -56, -16, -16], [1, 1, 5, 5], [-55, -55, -15, -15]], np.float32)
    cases["negative"] = (boxes, np.array([0.9, 0.8, 0.7, 0.6], np.float32), np.array([0, 1, 2, 1]), 0.5)
    cases["empty"] = (np.zeros((0, 4), np.float32), np.zeros((0,), np.float32), np.zeros((0,), np.int64), 0.5)
    for name, (boxes, scores, classes, threshold) in cases.items():
        keep = box_ops.batched_nms(t(boxes), t(scores), torch.as_tensor(classes), threshold)
        tensors[f"batched/{name}/boxes"] = boxes
        tensors[f"batched/{name}/scores"] = scores
        tensors[f"batched/{name}/classes"] = classes.astype(np.int32)
        tensors[f"batched/{name}/keep"] = keep.numpy()
        meta[name] = threshold


def coder_cases(tensors: dict) -> None:
    n = 60
    reference = clustered_boxes("coder/reference", n, 5)
    targets = clustered_boxes("coder/targets", n, 5)
    deltas = detweights.tensor("coder/deltas", [n, 12], -1.0, 1.0)
    # Large dw/dh hit the log(1000/16) clamp (before or after dividing by the weights).
    deltas[:8, 2::4] = [[9.0, 30.0, -9.0]] * 8
    deltas[:8, 3::4] = [[5.0, 45.0, -20.0]] * 8
    tensors["coder/reference"] = reference
    tensors["coder/targets"] = targets
    tensors["coder/deltas"] = deltas
    for label, weights in {"w1": (1.0, 1.0, 1.0, 1.0), "w10": (10.0, 10.0, 5.0, 5.0)}.items():
        coder = BoxCoder(weights)
        tensors[f"coder/{label}/encoded"] = coder.encode_single(t(targets), t(reference)).numpy()
        tensors[f"coder/{label}/decoded"] = coder.decode_single(t(deltas), t(reference)).numpy()


def main() -> None:
    tensors: dict = {}
    meta: dict = {"nms": {}, "batched": {}}
    a = np.concatenate([edge_boxes(), clustered_boxes("iou/a", 28, 3)])
    b = np.concatenate([edge_boxes()[::-1].copy(), clustered_boxes("iou/b", 18, 3)])
    tensors["iou/a"], tensors["iou/b"] = a, b
    tensors["iou/expected"] = box_ops.box_iou(t(a), t(b)).numpy()
    tensors["area/expected"] = box_ops.box_area(t(a)).numpy()

    nms_cases(tensors, meta["nms"])
    batched_nms_cases(tensors, meta["batched"])
    coder_cases(tensors)

    clip = detweights.tensor("clip/boxes", [30, 4], -50.0, 150.0)
    tensors["clip/boxes"] = clip
    tensors["clip/expected"] = box_ops.clip_boxes_to_image(t(clip), (80, 100)).numpy()
    meta["clip"] = {"size": [80, 100]}

    small = detweights.tensor("small/boxes", [40, 4], 0.0, 12.0)
    small[:6] = [[0, 0, 1e-3, 1e-3], [0, 0, 9.99e-4, 1], [3, 3, 8, 8], [3, 3, 8, 7.99], [5, 5, 2, 9], [0, 0, 5, 5]]
    tensors["small/boxes"] = small
    meta["small"] = [1e-3, 5.0]
    for position, min_size in enumerate(meta["small"]):
        tensors[f"small/keep/{position}"] = box_ops.remove_small_boxes(t(small), min_size).numpy()

    # torch.sort(descending=True) on CPU is libstdc++'s std::sort (unstable): record its tie order,
    # including inputs that drive introsort into its heap-sort fallback (McIlroy's adversary),
    # and the stable order (stable=True) that the nms kernel uses.
    sort_keys = {
        "ties17": np.zeros(17, np.float32),
        "levels300": detweights.tensor("sort/levels300", [300], 0.0, 4.0).astype(np.int64).astype(np.float32),
        "nan100": np.where(
            detweights.tensor("sort/nan100/mask", [100], 0.0, 1.0) < 0.1,
            np.float32(np.nan),
            np.round(detweights.tensor("sort/nan100", [100], 0.0, 1.0), 1),
        ).astype(np.float32),
    }
    # Pairs of equal keys (value // 2) keep the adversary's effect: the heap-sort fallback runs on 268 of 300.
    sort_keys["killer300"] = (-(adversary(300) // 2)).astype(np.float32)
    for name, keys in sort_keys.items():
        tensors[f"sort/{name}/keys"] = keys
        tensors[f"sort/{name}/order"] = torch.as_tensor(keys).sort(0, descending=True)[1].numpy()
        tensors[f"sort/{name}/stableOrder"] = torch.as_tensor(keys).sort(stable=True, dim=0, descending=True)[1].numpy()
    meta["sort"] = list(sort_keys)
    meta["clampLimit"] = math.log(1000.0 / 16)
    write_fixture(repo_path(OUT), tensors, meta)


def adversary(n: int) -> np.ndarray:
    """McIlroy's 'killer adversary' run against libstdc++ introsort's comparison sequence.

    Runs a Python model of that sort (same pivot choice and partition) with a comparator that
    freezes values lazily, giving an input whose quicksort recursion exceeds 2*log2(n) and so
    reaches the heap-sort fallback. Only the input matters here; torch.sort gives the order.
    """
    gas = n
    value = [gas] * n
    state = {"solid": 0, "candidate": 0}

    def freeze(x: int) -> None:
        value[x] = state["solid"]
        state["solid"] += 1

    def before(x: int, y: int) -> bool:
        if value[x] == gas and value[y] == gas:
            freeze(x if x == state["candidate"] else y)
        if value[x] == gas:
            state["candidate"] = x
        elif value[y] == gas:
            state["candidate"] = y
        return value[x] < value[y]

    order = list(range(n))

    def swap(i: int, j: int) -> None:
        order[i], order[j] = order[j], order[i]

    def introsort(first: int, last: int, depth: int) -> None:
        while last - first > 16:
            if depth == 0:
                return  # the real sort switches to heap sort here; the adversary's work is done
            depth -= 1
            mid = first + (last - first) // 2
            a, b, c = order[first + 1], order[mid], order[last - 1]
            if before(a, b):
                pick = mid if before(b, c) else (last - 1 if before(a, c) else first + 1)
            elif before(a, c):
                pick = first + 1
            else:
                pick = last - 1 if before(b, c) else mid
            swap(first, pick)
            lo, hi = first + 1, last
            while True:
                while before(order[lo], order[first]):
                    lo += 1
                hi -= 1
                while before(order[first], order[hi]):
                    hi -= 1
                if lo >= hi:
                    break
                swap(lo, hi)
                lo += 1
            introsort(lo, last, depth)
            last = lo

    introsort(0, n, 2 * (n.bit_length() - 1))
    for i in range(n):
        if value[i] == gas:
            freeze(i)
    return np.array(value, dtype=np.int64)


if __name__ == "__main__":
    main()
