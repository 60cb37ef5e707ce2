"""Fixtures for @rcnn/rpn: torchvision's RPN stage by stage on a small pyramid.

Anchors (AnchorGenerator with one size per level), RPNHead outputs on deterministic
features with deterministic weights, filter_proposals given those head outputs,
Matcher results on box_iou, and the losses (plus their gradients) given the sampled
indices torchvision's BalancedPositiveNegativeSampler drew with a seeded torch RNG.
Features are generated NHWC (the TypeScript layout) and permuted for torch.
"""
import numpy as np
import torch
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.image_list import ImageList
from torchvision.models.detection.rpn import RegionProposalNetwork, RPNHead, concat_box_prediction_layers
from torchvision.ops import boxes as box_ops

import detweights
from fixture_io import repo_path, write_fixture

CHANNELS = 64
PADDED = (96, 128)
IMAGE_SIZES = [(96, 128), (80, 100), (96, 112)]
# p6 is a stride-2 subsample of p5 (3x4 -> 2x2), so torchvision's image // grid stride is 48 x 64 there.
LEVELS = [("p2", 24, 32), ("p3", 12, 16), ("p4", 6, 8), ("p5", 3, 4), ("p6", 2, 2)]
SIZES = ((32,), (64,), (128,), (256,), (512,))
RATIOS = ((0.5, 1.0, 2.0),) * 5
# name -> (pre_nms_top_n, post_nms_top_n, score_thresh); "train" is also the training-mode config of the loss run.
PROPOSAL_CONFIGS = {"train": (150, 60, 0.0), "infer": (1000, 1000, 0.0), "thresholded": (1000, 200, 0.6)}
GROUND_TRUTH = [
    [[10.0, 12.0, 60.0, 70.0], [40.5, 8.25, 120.0, 50.0], [0.0, 0.0, 30.0, 90.0], [70.0, 60.0, 110.0, 94.0]],
    # the 6x6 box has max IoU < 0.3 with every anchor: only the low-quality rule makes it positive
    [[20.0, 20.0, 26.0, 26.0], [5.0, 30.0, 95.0, 75.5], [50.0, 10.0, 70.0, 40.0]],
    [],  # background-only image
]
SEED = 0


def features_nchw():
    out = []
    for name, h, w in LEVELS:
        nhwc = detweights.tensor(f"rpn/features/{name}", [len(IMAGE_SIZES), h, w, CHANNELS], -1.0, 1.0)
        out.append(torch.from_numpy(nhwc).permute(0, 3, 1, 2).contiguous())
    return out


def main() -> None:
    torch.manual_seed(SEED)
    batch = len(IMAGE_SIZES)
    images = ImageList(torch.zeros(batch, 3, *PADDED), IMAGE_SIZES)
    features = features_nchw()
    anchor_generator = AnchorGenerator(SIZES, RATIOS)
    head = RPNHead(CHANNELS, 3)
    detweights.fill_module(head, "rpn.head.")
    anchors = anchor_generator(images, features)
    out = {"anchors": anchors[0].numpy()}
    for level, cell in enumerate(anchor_generator.cell_anchors):
        out[f"cellAnchors/{level}"] = cell.numpy()

    with torch.no_grad():
        logits, deltas = head(features)
    counts = [int(o.shape[1] * o.shape[2] * o.shape[3]) for o in logits]
    objectness, box_deltas = concat_box_prediction_layers(logits, deltas)
    objectness = objectness.reshape(batch, -1)
    box_deltas = box_deltas.reshape(batch, -1, 4)
    out["head/objectness"] = objectness.numpy()
    out["head/boxDeltas"] = box_deltas.numpy()

    decoded = None
    for name, (pre, post, score_thresh) in PROPOSAL_CONFIGS.items():
        rpn = RegionProposalNetwork(
            anchor_generator, head, 0.7, 0.3, 256, 0.5,
            dict(training=pre, testing=pre), dict(training=post, testing=post), 0.7, score_thresh,
        )
        rpn.train(name == "train")
        decoded = rpn.box_coder.decode(box_deltas.reshape(-1, 4), anchors).view(batch, -1, 4)
        boxes, scores = rpn.filter_proposals(decoded, objectness, IMAGE_SIZES, counts)
        for image, (b, s) in enumerate(zip(boxes, scores)):
            out[f"proposals/{name}/boxes/{image}"] = b.numpy()
            out[f"proposals/{name}/scores/{image}"] = s.numpy()

    # Training: matcher, labels, sampled indices (seeded), regression targets, losses and their gradients.
    rpn = RegionProposalNetwork(
        anchor_generator, head, 0.7, 0.3, 256, 0.5, dict(training=150, testing=150), dict(training=60, testing=60), 0.7
    )
    rpn.train()
    targets = [{"boxes": torch.tensor(g, dtype=torch.float32).reshape(-1, 4)} for g in GROUND_TRUTH]
    for image, target in enumerate(targets):
        out[f"gt/{image}"] = target["boxes"].numpy()
        if target["boxes"].numel():
            quality = box_ops.box_iou(target["boxes"], anchors[image])
            out[f"matcher/quality/{image}"] = quality.numpy()
            out[f"matcher/matches/{image}"] = rpn.proposal_matcher(quality).numpy()
    labels, matched_gt_boxes = rpn.assign_targets_to_anchors(anchors, targets)
    regression_targets = rpn.box_coder.encode(matched_gt_boxes, anchors)
    out["targets/labels"] = torch.stack(labels).numpy()

    recorded = {}
    sampler = rpn.fg_bg_sampler

    def recording_sampler(matched):
        pos, neg = sampler(matched)
        recorded["pos"], recorded["neg"] = pos, neg
        return pos, neg

    rpn.fg_bg_sampler = recording_sampler
    objectness_leaf = objectness.reshape(-1, 1).clone().requires_grad_(True)
    deltas_leaf = box_deltas.reshape(-1, 4).clone().requires_grad_(True)
    loss_objectness, loss_box = rpn.compute_loss(objectness_leaf, deltas_leaf, labels, regression_targets)
    (loss_objectness + loss_box).backward()
    for image in range(batch):
        positive = torch.where(recorded["pos"][image])[0]
        out[f"sampled/positive/{image}"] = positive.numpy().astype(np.int32)
        out[f"sampled/negative/{image}"] = torch.where(recorded["neg"][image])[0].numpy().astype(np.int32)
        out[f"targets/regression/{image}"] = regression_targets[image][positive].numpy()
    out["loss/objectness"] = loss_objectness.detach().numpy().reshape(1)
    out["loss/boxRegression"] = loss_box.detach().numpy().reshape(1)
    out["grad/objectness"] = objectness_leaf.grad.reshape(batch, -1).numpy()
    out["grad/boxDeltas"] = deltas_leaf.grad.reshape(batch, -1, 4).numpy()

    metadata = {
        "channels": CHANNELS,
        "padded": list(PADDED),
        "imageSizes": [list(s) for s in IMAGE_SIZES],
        "levels": [list(level) for level in LEVELS],
        "numAnchorsPerLevel": counts,
        "proposalConfigs": {k: list(v) for k, v in PROPOSAL_CONFIGS.items()},
        "seed": SEED,
        "torchvision": "0.14 rpn.py / anchor_utils.py / _utils.py",
    }
    write_fixture(repo_path("packages/rpn/src/__fixtures__/rpn.safetensors"), out, metadata)


if __name__ == "__main__":
    main()
