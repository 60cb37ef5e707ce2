"""Fixtures for @rcnn/roi-align: torchvision roi_align / roi_pool / MultiScaleRoIAlign, outputs and autograd.

Layouts: features and gradients are stored NHWC (ours), outputs [R, outH, outW, C]. Boxes are
`[R, 4]` xyxy image pixels plus `batchIndices [R]` (torchvision's rois `[R, 5]` split in two).
Each case's gradient is d/d(features) of sum(output * weights), the weights being
`detweights.tensor("roi_align/<case>/weights", [R, outH, outW, C])` (core's deterministicTensor, NHWC),
so they need not be stored.

Max pooling and RoIWarp have no torchvision function: `max` outputs come from `align_loop` below
(checked against torchvision in `avg` mode first), RoIWarp from torchvision's roi_align on the
quantized boxes followed by max_pool2d (the definition in packages/roi-align/src/roi-warp.ts).
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from torchvision.ops import MultiScaleRoIAlign, roi_align, roi_pool

import detweights
from fixture_io import repo_path, write_fixture

OUT = "packages/roi-align/src/__fixtures__"
f32 = np.float32


def nhwc(t: torch.Tensor) -> np.ndarray:
    return t.detach().permute(0, 2, 3, 1).contiguous().numpy()


def edge_boxes(rng: np.random.Generator, width: float, height: float, count: int):
    """Random boxes plus every edge case the issue lists (image pixels, image `width x height`)."""
    special = [
        [-10, -5, 20, 30],  # partly outside (top-left)
        [50, 40, 80, 60],  # partly outside (bottom-right)
        [100, 100, 130, 120],  # wholly outside
        [-50, -40, -20, -10],  # wholly outside, negative
        [10, 10, 10, 10],  # zero size
        [5, 7, 5, 20],  # zero width
        [12, 3, 30, 3],  # zero height
        [10.2, 11.3, 10.6, 11.5],  # sub-pixel
        [33.7, 20.1, 33.9, 20.2],  # sub-pixel
        [20, 20, 10, 15],  # inverted
        [0, 0, width, height],  # whole image
        [0, 0, 1, 1],
        [width - 1, height - 1, width, height],
        [-100, -100, 200, 200],  # much larger than the image
        [0.25, 0.75, 63.5, 47.25],
        [-2, -2, 2, 2],  # samples near -1
        [62, 46, 66, 50],  # samples near the far edge
    ]
    boxes = list(special)
    for _ in range(count - len(special)):
        x1, y1 = rng.uniform(-4, width - 2), rng.uniform(-4, height - 2)
        w, h = rng.uniform(0.5, width * 0.7), rng.uniform(0.5, height * 0.7)
        boxes.append([x1, y1, x1 + w, y1 + h])
    return np.array(boxes, dtype=f32)


def align_loop(features, boxes, batch, out_h, out_w, scale, sampling, aligned, mode):
    """Plain float32 loops with torchvision's RoIAlign geometry; `mode` 'avg' or 'max'. NCHW numpy in."""
    _, channels, height, width = features.shape
    out = np.zeros((len(boxes), channels, out_h, out_w), dtype=f32)
    offset = f32(0.5) if aligned else f32(0)
    scale = f32(scale)
    for r, (box, b) in enumerate(zip(boxes, batch)):
        x1, y1, x2, y2 = (f32(v) * scale - offset for v in box)
        roi_w, roi_h = f32(x2 - x1), f32(y2 - y1)
        if not aligned:
            roi_w, roi_h = max(roi_w, f32(1)), max(roi_h, f32(1))
        bin_h, bin_w = f32(roi_h / f32(out_h)), f32(roi_w / f32(out_w))
        grid_h = sampling if sampling > 0 else math.ceil(roi_h / f32(out_h))
        grid_w = sampling if sampling > 0 else math.ceil(roi_w / f32(out_w))
        for ph in range(out_h):
            for pw in range(out_w):
                values = []
                for iy in range(max(grid_h, 0)):
                    y = f32(y1 + f32(ph) * bin_h) + f32(f32(iy + 0.5) * bin_h) / f32(grid_h)
                    for ix in range(max(grid_w, 0)):
                        x = f32(x1 + f32(pw) * bin_w) + f32(f32(ix + 0.5) * bin_w) / f32(grid_w)
                        values.append(bilinear(features[b], f32(y), f32(x), height, width))
                if mode == "avg":
                    count = max(grid_h * grid_w, 1)
                    out[r, :, ph, pw] = (np.sum(values, axis=0) / count) if values else 0
                else:
                    out[r, :, ph, pw] = np.max(values, axis=0) if values else 0
    return out


def bilinear(plane, y, x, height, width):
    if y < -1.0 or y > height or x < -1.0 or x > width:
        return np.zeros(plane.shape[0], dtype=f32)
    y, x = max(y, f32(0)), max(x, f32(0))
    y_low, x_low = int(y), int(x)
    if y_low >= height - 1:
        y_low = y_high = height - 1
        y = f32(y_low)
    else:
        y_high = y_low + 1
    if x_low >= width - 1:
        x_low = x_high = width - 1
        x = f32(x_low)
    else:
        x_high = x_low + 1
    ly, lx = f32(y - y_low), f32(x - x_low)
    hy, hx = f32(1 - ly), f32(1 - lx)
    return (
        f32(hy * hx) * plane[:, y_low, x_low]
        + f32(hy * lx) * plane[:, y_low, x_high]
        + f32(ly * hx) * plane[:, y_high, x_low]
        + f32(ly * lx) * plane[:, y_high, x_high]
    )


def loss_weights(key: str, like: torch.Tensor) -> torch.Tensor:
    """Deterministic NHWC weights (rebuilt in TypeScript by deterministicTensor), returned NCHW."""
    r, c, h, w = like.shape
    return torch.from_numpy(detweights.tensor(f"roi_align/{key}/weights", [r, h, w, c])).permute(0, 3, 1, 2)


def round_half_away(x: torch.Tensor) -> torch.Tensor:
    return torch.sign(x) * torch.floor(torch.abs(x) + 0.5)


def roi_warp(features, rois, out_h, out_w, scale, pool):
    """Quantize like RoIPool, then bilinear warp (aligned roi_align, one sample per bin), then max pool."""
    q = round_half_away(rois[:, 1:] * scale)
    cell_boxes = torch.cat([rois[:, :1], q[:, :2], q[:, 2:] + 1], dim=1)
    warped = roi_align(features, cell_boxes, (out_h * pool, out_w * pool), 1.0, 1, True)
    return F.max_pool2d(warped, pool, pool) if pool > 1 else warped


def single_level(rng: np.random.Generator) -> None:
    features_np = rng.uniform(-1, 1, (2, 4, 24, 32)).astype(f32)  # image 48 x 64 at scale 1/2
    boxes = edge_boxes(rng, 64, 48, 50)
    batch = (np.arange(len(boxes)) % 3 == 1).astype(np.int32)
    rois = torch.from_numpy(np.concatenate([batch[:, None].astype(f32), boxes], axis=1))
    tensors = {"features": nhwc(torch.from_numpy(features_np)), "boxes": boxes, "batchIndices": batch}
    cases = {
        "align_a": dict(out=(7, 7), scale=0.5, sampling=2, aligned=False),
        "align_b": dict(out=(7, 7), scale=0.5, sampling=2, aligned=True),
        "align_c": dict(out=(5, 4), scale=0.5, sampling=0, aligned=False),
        "align_d": dict(out=(5, 4), scale=0.5, sampling=-1, aligned=True),
        "align_e": dict(out=(3, 3), scale=0.25, sampling=1, aligned=False),
    }
    worst_loop = 0.0
    for name, case in cases.items():
        features = torch.from_numpy(features_np).requires_grad_(True)
        out = roi_align(features, rois, case["out"], case["scale"], case["sampling"], case["aligned"])
        (out * loss_weights(name, out)).sum().backward()
        tensors[f"{name}/output"] = nhwc(out)
        tensors[f"{name}/grad"] = nhwc(features.grad)
        args = (features_np, boxes, batch, *case["out"], case["scale"], case["sampling"], case["aligned"])
        worst_loop = max(worst_loop, float(np.abs(align_loop(*args, "avg") - out.detach().numpy()).max()))
        if name in ("align_a", "align_d"):
            tensors[f"{name}/maxOutput"] = align_loop(*args, "max").transpose(0, 2, 3, 1).copy()
    assert worst_loop < 1e-5, f"align_loop disagrees with torchvision by {worst_loop}"
    print(f"align_loop vs torchvision roi_align: max |diff| {worst_loop:.2e}")
    for name, out_size, scale in [("pool_a", (7, 7), 0.5), ("pool_b", (3, 5), 0.25)]:
        features = torch.from_numpy(features_np).requires_grad_(True)
        out = roi_pool(features, rois, out_size, scale)
        (out * loss_weights(name, out)).sum().backward()
        tensors[f"{name}/output"] = nhwc(out)
        tensors[f"{name}/grad"] = nhwc(features.grad)
    for name, pool in [("warp_a", 2), ("warp_b", 1)]:
        out = roi_warp(torch.from_numpy(features_np), rois, 7, 7, 0.5, pool)
        tensors[f"{name}/output"] = nhwc(out)
    write_fixture(repo_path(OUT, "roi-align.safetensors"), tensors, {"cases": cases, "torchvision": torchvision.__version__})


def many_boxes(rng: np.random.Generator) -> None:
    """A thousand boxes over two images: torchvision's output for the 1000-box parity test."""
    features_np = rng.uniform(-1, 1, (2, 2, 20, 24)).astype(f32)  # image 80 x 96 at scale 1/4
    boxes = edge_boxes(rng, 96, 80, 1000)
    batch = (np.arange(1000) % 2).astype(np.int32)
    rois = torch.from_numpy(np.concatenate([batch[:, None].astype(f32), boxes], axis=1))
    out = roi_align(torch.from_numpy(features_np), rois, (4, 4), 0.25, 2, False)
    tensors = {"features": nhwc(torch.from_numpy(features_np)), "boxes": boxes, "batchIndices": batch, "output": nhwc(out)}
    write_fixture(repo_path(OUT, "roi-align-1000.safetensors"), tensors)


def multi_scale(rng: np.random.Generator) -> None:
    """A P2..P5 pyramid of a 128 x 160 batch (4 channels), boxes that land on every level."""
    image_sizes = [(128, 160), (120, 150)]
    levels = {f"p{k}": torch.from_numpy(rng.uniform(-1, 1, (2, 4, 128 >> k, 160 >> k)).astype(f32)) for k in range(2, 6)}
    per_image = []
    for image, (h, w) in enumerate(image_sizes):
        sides = [8, 20, 40, 60, 100, 120, 150, 230, 300, 460, 700]
        boxes = []
        for side in sides:
            cx, cy = rng.uniform(0, w), rng.uniform(0, h)
            aspect = rng.uniform(0.5, 2)
            bw, bh = side * math.sqrt(aspect), side / math.sqrt(aspect)
            boxes.append([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2])
        if image == 0:
            boxes += [[56, 56, 168, 168], [10, 10, 10, 10], [30, 30, 20, 40]]  # exactly level 3, zero, inverted
        per_image.append(np.array(boxes, dtype=f32))
    pooler = MultiScaleRoIAlign(list(levels), 7, 2)
    leaves = {k: v.clone().requires_grad_(True) for k, v in levels.items()}
    out = pooler(leaves, [torch.from_numpy(b) for b in per_image], image_sizes)
    (out * loss_weights("multi_scale", out)).sum().backward()
    mapper = pooler.map_levels
    assigned = mapper([torch.from_numpy(b) for b in per_image]).numpy()
    tensors = {f"{k}": nhwc(v) for k, v in levels.items()}
    tensors.update({f"boxes{i}": b for i, b in enumerate(per_image)})
    tensors["output"] = nhwc(out)
    tensors["levels"] = np.where((assigned >= 0) & (assigned < len(levels)), assigned, -1).astype(np.int32)
    tensors.update({f"grad/{k}": nhwc(v.grad) for k, v in leaves.items()})
    write_fixture(
        repo_path(OUT, "multi-scale-roi-align.safetensors"),
        tensors,
        {"imageSizes": image_sizes, "scales": pooler.scales, "torchvision": torchvision.__version__},
    )
    print(f"multi-scale: scales {pooler.scales}, level counts {np.bincount(assigned[(assigned >= 0) & (assigned < 4)])}")


def main() -> None:
    torch.set_num_threads(1)
    rng = np.random.default_rng(20240604)
    single_level(rng)
    many_boxes(rng)
    multi_scale(rng)


if __name__ == "__main__":
    main()
