"""Training-step fixtures for @rcnn/models: torchvision Faster / Mask / keypoint R-CNN on a
ResNet-18-FPN with FrozenBatchNorm (as torchvision builds detectors on pretrained backbones), plus
variants (VARIANTS: Mask R-CNN R18-FPN with trainable BatchNorm2d, which runs on batch statistics
in training mode and updates its running statistics, and with GroupNorm(32, c); Faster, Mask and
keypoint R-CNN R50-FPN with FrozenBatchNorm), deterministic weights, a batch of two images of different sizes with boxes, masks and keypoints,
in training mode. Recorded: the five (or six) losses, the anchors and RoIs torchvision's samplers
drew (so the TypeScript test can replay them), and for every parameter that gets a gradient its
L2 norm and two fixed random projections (the full gradients of fc6 alone would be megabytes);
with BatchNorm2d also each running statistic's change over the step (same summary, `buffers`).

Heads are narrow (box representation 128, mask head [64, 64], keypoint head [64, 64]) so the
backward pass stays quick on the pure-JS cpu backend; their code paths are the full ones.
"""
import json

import numpy as np
import torch
from torchvision.models import resnet18, resnet50
from torchvision.models.detection import FasterRCNN, KeypointRCNN, MaskRCNN
from torchvision.models.detection.backbone_utils import _resnet_fpn_extractor
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.models.detection.keypoint_rcnn import KeypointRCNNHeads, KeypointRCNNPredictor
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor
from torchvision.ops.misc import FrozenBatchNorm2d

import detweights
from fixture_io import repo_path, write_fixture

IMAGE_SHAPES = [(3, 120, 160), (3, 150, 100)]  # CHW, as gen_models.py
NUM_CLASSES = 4
NUM_KEYPOINTS = 5
COMMON = dict(min_size=64, max_size=96, box_batch_size_per_image=64, rpn_batch_size_per_image=64)
# Boxes per image in original pixels (x1, y1, x2, y2) and labels.
BOXES = [
    [[10.0, 12.0, 70.0, 90.0], [60.5, 30.0, 150.0, 110.0], [5.0, 70.0, 40.0, 115.0]],
    [[8.0, 20.0, 90.0, 140.0], [40.0, 5.0, 95.0, 60.0]],
]
LABELS = [[1, 3, 2], [2, 1]]  # keypoint R-CNN: every object is class 1
TRAINABLE_LAYERS = 3
NORMS = {
    "frozen-bn": FrozenBatchNorm2d,
    "bn": torch.nn.BatchNorm2d,
    "gn": lambda channels: torch.nn.GroupNorm(32, channels),
}
# Fixture name -> (family, ResNet depth, norm, trainable layers); the same images, targets and
# narrow heads in every one.
VARIANTS = {
    "fasterrcnn": ("fasterrcnn", 18, "frozen-bn", TRAINABLE_LAYERS),
    "maskrcnn": ("maskrcnn", 18, "frozen-bn", TRAINABLE_LAYERS),
    "keypointrcnn": ("keypointrcnn", 18, "frozen-bn", TRAINABLE_LAYERS),
    # Stages conv1 and layer1 frozen: their BatchNorms still use (and update) batch statistics.
    "maskrcnn-r18-bn": ("maskrcnn", 18, "bn", TRAINABLE_LAYERS),
    # As `rcnn train`'s default model: every stage trains.
    "maskrcnn-r18-gn": ("maskrcnn", 18, "gn", 5),
    "fasterrcnn-r50": ("fasterrcnn", 50, "frozen-bn", TRAINABLE_LAYERS),
    "maskrcnn-r50": ("maskrcnn", 50, "frozen-bn", TRAINABLE_LAYERS),
    "keypointrcnn-r50": ("keypointrcnn", 50, "frozen-bn", TRAINABLE_LAYERS),
}


def images():
    return [torch.from_numpy(detweights.tensor(f"train/image{i}", list(s), 0.0, 1.0)) for i, s in enumerate(IMAGE_SHAPES)]


def masks_for(boxes, height, width):
    """An ellipse inscribed in each box, as uint8 [N, H, W]."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64) + 0.5
    out = []
    for x1, y1, x2, y2 in boxes:
        cx, cy, rx, ry = (x1 + x2) / 2, (y1 + y2) / 2, (x2 - x1) / 2, (y2 - y1) / 2
        out.append((((xs - cx) / rx) ** 2 + ((ys - cy) / ry) ** 2 <= 1.0).astype(np.uint8))
    return np.stack(out)


def keypoints_for(boxes, image_index):
    """K points inside each box (deterministic), visibility 2 except a few 0 (unlabelled)."""
    points = []
    for n, (x1, y1, x2, y2) in enumerate(boxes):
        u = detweights.tensor(f"train/keypoints{image_index}/{n}", [NUM_KEYPOINTS, 2], 0.1, 0.9)
        vis = np.array([2.0 if (k + n + image_index) % 4 else 0.0 for k in range(NUM_KEYPOINTS)], dtype=np.float32)
        points.append(np.stack([x1 + u[:, 0] * (x2 - x1), y1 + u[:, 1] * (y2 - y1), vis], axis=1))
    return np.stack(points).astype(np.float32)


def targets(family):
    result = []
    for i, (_, height, width) in enumerate(IMAGE_SHAPES):
        labels = [1] * len(LABELS[i]) if family == "keypointrcnn" else LABELS[i]
        target = {"boxes": torch.tensor(BOXES[i]), "labels": torch.tensor(labels, dtype=torch.int64)}
        if family == "maskrcnn":
            target["masks"] = torch.from_numpy(masks_for(BOXES[i], height, width))
        if family == "keypointrcnn":
            target["keypoints"] = torch.from_numpy(keypoints_for(BOXES[i], i))
        result.append(target)
    return result


def build(family, depth, norm, trainable_layers):
    body = (resnet18 if depth == 18 else resnet50)(norm_layer=NORMS[norm])
    backbone = _resnet_fpn_extractor(body, trainable_layers)
    box_head = TwoMLPHead(256 * 7 * 7, 128)
    if family == "fasterrcnn":
        return FasterRCNN(backbone, box_head=box_head, box_predictor=FastRCNNPredictor(128, NUM_CLASSES), **COMMON)
    if family == "maskrcnn":
        return MaskRCNN(backbone, box_head=box_head, box_predictor=FastRCNNPredictor(128, NUM_CLASSES),
                        mask_head=MaskRCNNHeads(256, [64, 64], 1), mask_predictor=MaskRCNNPredictor(64, 64, NUM_CLASSES),
                        **COMMON)
    return KeypointRCNN(backbone, box_head=box_head, box_predictor=FastRCNNPredictor(128, 2),
                        keypoint_head=KeypointRCNNHeads(256, [64, 64]),
                        keypoint_predictor=KeypointRCNNPredictor(64, NUM_KEYPOINTS), **COMMON)


class Recorder:
    """Wraps a BalancedPositiveNegativeSampler and keeps what it drew (ascending indices per image)."""

    def __init__(self, sampler):
        self.sampler = sampler
        self.drawn = []

    def __call__(self, matched_idxs):
        positive, negative = self.sampler(matched_idxs)
        self.drawn = [(p.nonzero().flatten().numpy().astype(np.int32), n.nonzero().flatten().numpy().astype(np.int32))
                      for p, n in zip(positive, negative)]
        return positive, negative


def summary(name, value):
    """L2 norm and projections on detweights tensors `projection{k}/<name>` (float64 sums)."""
    value = value.double().numpy()
    projections = [float((value * detweights.tensor(f"projection{k}/{name}", list(value.shape), -1.0, 1.0)).sum()) for k in range(2)]
    return {"norm": float(np.sqrt((value ** 2).sum())), "projections": projections}


def run(variant):
    family, depth, norm, trainable_layers = VARIANTS[variant]
    torch.manual_seed(0)
    model = build(family, depth, norm, trainable_layers)
    detweights.fill_module(model)
    model.train()
    statistics = {k: v.clone() for k, v in model.state_dict().items() if k.endswith(("running_mean", "running_var"))}
    rpn_recorder = Recorder(model.rpn.fg_bg_sampler)
    roi_recorder = Recorder(model.roi_heads.fg_bg_sampler)
    model.rpn.fg_bg_sampler = rpn_recorder
    model.roi_heads.fg_bg_sampler = roi_recorder
    captured = {}
    model.rpn.register_forward_hook(lambda m, i, o: captured.__setitem__("proposals", [p.detach().clone() for p in o[0]]))
    losses = model(images(), targets(family))
    total = sum(losses.values())
    total.backward()
    tensors = {}
    for i, (positive, negative) in enumerate(rpn_recorder.drawn):
        tensors[f"rpn/image{i}/positive"] = positive
        tensors[f"rpn/image{i}/negative"] = negative
    for i, (positive, negative) in enumerate(roi_recorder.drawn):
        tensors[f"roi/image{i}/positive"] = positive
        tensors[f"roi/image{i}/negative"] = negative
        tensors[f"roi/image{i}/proposals"] = captured["proposals"][i].numpy()
    gradients = {name: summary(name, p.grad) for name, p in model.named_parameters() if p.grad is not None}
    # The change of each running statistic (zero unless BatchNorm2d ran on batch statistics).
    after = model.state_dict()
    buffers = {name: summary(name, after[name] - before) for name, before in statistics.items() if not torch.equal(after[name], before)}
    metadata = {
        "family": family,
        "depth": depth,
        "norm": norm,
        "options": {**COMMON, "num_classes": NUM_CLASSES if family != "keypointrcnn" else 2, "num_keypoints": NUM_KEYPOINTS,
                    "box_representation": 128, "head_layers": [64, 64], "trainable_layers": trainable_layers},
        "image_shapes_chw": IMAGE_SHAPES,
        "image_keys": [f"train/image{i}" for i in range(len(IMAGE_SHAPES))],
        "boxes": BOXES,
        "labels": LABELS,
        "losses": {k: float(v) for k, v in losses.items()},
        "gradients": gradients,
        "buffers": buffers,
        "state_dict": [[k, list(v.shape)] for k, v in model.state_dict().items()],
    }
    for i, target in enumerate(targets(family)):
        for key in ("masks", "keypoints"):
            if key in target:
                value = target[key].numpy()
                tensors[f"target{i}/{key}"] = value.astype(np.uint8 if key == "masks" else np.float32)
    write_fixture(repo_path(f"packages/models/src/__fixtures__/train-step-{variant}.safetensors"), tensors, metadata)
    print(variant, {k: round(float(v), 5) for k, v in losses.items()}, "grads:", len(gradients), "buffers:", len(buffers))


if __name__ == "__main__":
    import sys

    # Optional variant names on the command line: regenerate only those.
    for variant in sys.argv[1:] or VARIANTS:
        run(variant)
