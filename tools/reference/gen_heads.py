"""Fixtures for @rcnn/heads: torchvision's second-stage heads, targets and losses.

Heads (TwoMLPHead + FastRCNNPredictor, MaskRCNNHeads + MaskRCNNPredictor,
KeypointRCNNHeads + KeypointRCNNPredictor) run on deterministic pooled features with
deterministic weights named as in a torchvision detector (`roi_heads.box_head.fc6.weight`,
...). The box head keeps torchvision's real sizes (256x7x7 -> 1024 -> 91 classes) because
the fc6 column permutation (torch flattens C,H,W; we flatten H,W,C) is what it tests; the
conv heads use few channels to keep the tests fast (names and structure are what matter).
Pooled features and logits are generated NHWC (the TypeScript layout) with
detweights.tensor, so they are not stored; outputs are stored NHWC.

Targets and losses: fastrcnn_loss, maskrcnn_loss (and the RoIAlign'ed mask targets, so the
loss math is tested apart from the pooling), keypoints_to_heatmap, keypointrcnn_loss, and
select_training_samples' bookkeeping (GT appended, Matcher 0.5/0.5, seeded
BalancedPositiveNegativeSampler, BoxCoder (10, 10, 5, 5)) with the sampled indices dumped.
"""
import numpy as np
import torch
from torchvision.models.detection import _utils as det_utils
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.models.detection.keypoint_rcnn import KeypointRCNNHeads, KeypointRCNNPredictor
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor
from torchvision.models.detection.roi_heads import (
    fastrcnn_loss,
    keypointrcnn_loss,
    keypoints_to_heatmap,
    maskrcnn_loss,
    project_masks_on_boxes,
)
from torchvision.ops import boxes as box_ops

import detweights
from fixture_io import repo_path, write_fixture

FIXTURES = "packages/heads/src/__fixtures__"

BOX = {"rois": 6, "channels": 256, "resolution": 7, "representation": 1024, "classes": 91}
MASK = {"rois": 6, "channels": 16, "layers": 16, "reduced": 16, "classes": 5}
KEYPOINT = {"rois": 2, "channels": 16, "layers": 24, "keypoints": 17}


def nhwc_input(key, shape_nhwc, low=-1.0, high=1.0):
    """Deterministic NHWC array (as the TypeScript side builds it) and its NCHW torch tensor."""
    array = detweights.tensor(key, list(shape_nhwc), low, high)
    return torch.from_numpy(array).permute(0, 3, 1, 2).contiguous()


def to_nhwc(tensor):
    return tensor.detach().permute(0, 2, 3, 1).contiguous().numpy()


def box_head() -> None:
    r, c, s = BOX["rois"], BOX["channels"], BOX["resolution"]
    pooled = nhwc_input("heads/box/pooled", [r, s, s, c])
    head = TwoMLPHead(c * s * s, BOX["representation"])
    predictor = FastRCNNPredictor(BOX["representation"], BOX["classes"])
    detweights.fill_module(head, "roi_heads.box_head.")
    detweights.fill_module(predictor, "roi_heads.box_predictor.")
    with torch.no_grad():
        features = head(pooled)
        logits, deltas = predictor(features)
    write_fixture(
        repo_path(FIXTURES, "box-head.safetensors"),
        {"features": features.numpy(), "classLogits": logits.numpy(), "boxRegression": deltas.numpy()},
        BOX,
    )


def mask_head() -> None:
    pooled = nhwc_input("heads/mask/pooled", [MASK["rois"], 14, 14, MASK["channels"]])
    head = MaskRCNNHeads(MASK["channels"], (MASK["layers"],) * 4, 1)
    predictor = MaskRCNNPredictor(MASK["layers"], MASK["reduced"], MASK["classes"])
    detweights.fill_module(head, "roi_heads.mask_head.")
    detweights.fill_module(predictor, "roi_heads.mask_predictor.")
    with torch.no_grad():
        features = head(pooled)
        logits = predictor(features)
    names = sorted(head.state_dict().keys()) + sorted(predictor.state_dict().keys())
    write_fixture(
        repo_path(FIXTURES, "mask-head.safetensors"),
        {"features": to_nhwc(features), "maskLogits": to_nhwc(logits)},
        {**MASK, "stateDictNames": names},
    )


def keypoint_head() -> None:
    pooled = nhwc_input("heads/keypoint/pooled", [KEYPOINT["rois"], 14, 14, KEYPOINT["channels"]])
    head = KeypointRCNNHeads(KEYPOINT["channels"], (KEYPOINT["layers"],) * 8)
    predictor = KeypointRCNNPredictor(KEYPOINT["layers"], KEYPOINT["keypoints"])
    detweights.fill_module(head, "roi_heads.keypoint_head.")
    detweights.fill_module(predictor, "roi_heads.keypoint_predictor.")
    with torch.no_grad():
        features = head(pooled)
        lowres = predictor.kps_score_lowres(features)
        logits = predictor(features)
    names = sorted(head.state_dict().keys()) + sorted(predictor.state_dict().keys())
    write_fixture(
        repo_path(FIXTURES, "keypoint-head.safetensors"),
        {"features": to_nhwc(features), "lowres": to_nhwc(lowres), "keypointLogits": to_nhwc(logits)},
        {**KEYPOINT, "stateDictNames": names},
    )


def box_loss() -> dict:
    """fastrcnn_loss over two images (6 + 4 sampled RoIs), 5 classes, some negatives."""
    classes = 5
    labels = [torch.tensor([0, 3, 1, 0, 4, 2]), torch.tensor([0, 0, 1, 0])]
    n = 10
    logits = torch.from_numpy(detweights.tensor("heads/loss/classLogits", [n, classes], -3.0, 3.0))
    deltas = torch.from_numpy(detweights.tensor("heads/loss/boxRegression", [n, 4 * classes], -0.5, 0.5))
    targets = torch.from_numpy(detweights.tensor("heads/loss/regressionTargets", [n, 4], -0.5, 0.5))
    classification, regression = fastrcnn_loss(logits, deltas, labels, [targets[:6], targets[6:]])
    return {
        "box/labels": torch.cat(labels).numpy(),
        "box/classificationLoss": classification.reshape(1).numpy(),
        "box/regressionLoss": regression.reshape(1).numpy(),
    }


def mask_loss() -> dict:
    """maskrcnn_loss on two images; GT masks are blobs, proposals overlap them partly."""
    classes, size = 5, 28
    yy, xx = np.mgrid[0:20, 0:24]
    masks0 = np.stack([((xx - 8) ** 2 + (yy - 9) ** 2 < 40), (xx > 12) & (yy > 4) & (xx + yy < 34)]).astype(np.float32)
    yy, xx = np.mgrid[0:16, 0:18]
    masks1 = np.stack([(np.abs(xx - 9) + np.abs(yy - 7) < 6)]).astype(np.float32)
    proposals = [
        torch.tensor([[2.0, 3.0, 15.5, 16.0], [10.25, 2.0, 23.0, 19.0], [0.0, 0.0, 12.0, 8.5]]),
        torch.tensor([[3.0, 1.5, 15.0, 13.0], [6.0, 4.0, 11.0, 10.0]]),
    ]
    matched = [torch.tensor([0, 1, 0]), torch.tensor([0, 0])]
    gt_labels = [torch.tensor([2, 4]), torch.tensor([1])]
    gt_masks = [torch.from_numpy(masks0), torch.from_numpy(masks1)]
    n = 5
    logits_nhwc = detweights.tensor("heads/loss/maskLogits", [n, size, size, classes], -4.0, 4.0)
    logits = torch.from_numpy(logits_nhwc).permute(0, 3, 1, 2).contiguous()
    loss = maskrcnn_loss(logits, proposals, gt_masks, gt_labels, matched)
    targets = torch.cat([project_masks_on_boxes(m, p, i, size) for m, p, i in zip(gt_masks, proposals, matched)])
    return {
        "mask/gtMasks0": masks0,
        "mask/gtMasks1": masks1,
        "mask/proposals0": proposals[0].numpy(),
        "mask/proposals1": proposals[1].numpy(),
        "mask/matched0": matched[0].numpy(),
        "mask/matched1": matched[1].numpy(),
        "mask/labels": torch.cat([g[i] for g, i in zip(gt_labels, matched)]).numpy(),
        "mask/targets": targets.numpy(),
        "mask/loss": loss.reshape(1).numpy(),
    }


def keypoint_loss() -> dict:
    """keypoints_to_heatmap (boundary, outside, invisible cases) and keypointrcnn_loss."""
    size, k = 56, 4
    rois = torch.tensor([[10.0, 20.0, 66.0, 76.0], [0.5, 3.25, 40.0, 30.0], [5.0, 5.0, 9.0, 120.0]])
    keypoints = torch.tensor(
        [
            # on x2 / y2 exactly (mapped to size - 1), inside, outside left, invisible
            [[66.0, 30.0, 2.0], [30.0, 76.0, 1.0], [9.0, 40.0, 2.0], [20.0, 20.0, 0.0]],
            [[0.5, 3.25, 1.0], [39.999, 29.999, 2.0], [20.0, 31.0, 2.0], [12.3, 17.7, 2.0]],
            [[7.0, 60.0, 1.0], [9.0, 120.0, 2.0], [4.999, 6.0, 2.0], [8.0, 119.0, 1.0]],
        ]
    )
    heatmaps, valid = keypoints_to_heatmap(keypoints, rois, size)
    logits_nhwc = detweights.tensor("heads/loss/keypointLogits", [3, size, size, k], -4.0, 4.0)
    logits = torch.from_numpy(logits_nhwc).permute(0, 3, 1, 2).contiguous()
    # two images: GT keypoints [G, K, 3] gathered by matched indices
    gt = [keypoints[[1, 0]], keypoints[2:]]
    matched = [torch.tensor([1, 0]), torch.tensor([0])]
    loss = keypointrcnn_loss(logits, [rois[:2], rois[2:]], gt, matched)
    return {
        "keypoint/rois": rois.numpy(),
        "keypoint/keypoints": keypoints.numpy(),
        "keypoint/heatmaps": heatmaps.numpy(),
        "keypoint/valid": valid.numpy(),
        "keypoint/loss": loss.reshape(1).numpy(),
    }


def roi_samples() -> dict:
    """select_training_samples' steps with torchvision's own matcher and a seeded sampler."""
    torch.manual_seed(0)
    gt_boxes = torch.tensor([[10.0, 10.0, 50.0, 60.0], [40.0, 30.0, 90.0, 80.0], [70.0, 5.0, 95.0, 25.0]])
    gt_labels = torch.tensor([3, 1, 4])
    proposals = torch.from_numpy(detweights.tensor("heads/samples/proposals", [40, 4], 0.0, 1.0))
    x1 = proposals[:, 0] * 80
    y1 = proposals[:, 1] * 70
    proposals = torch.stack([x1, y1, x1 + 5 + proposals[:, 2] * 40, y1 + 5 + proposals[:, 3] * 40], 1)
    proposals[:6] = gt_boxes[[0, 0, 1, 1, 2, 2]] + torch.tensor([[1.0, -2.0, 3.0, 1.5]])  # sure positives
    with_gt = torch.cat([proposals, gt_boxes])
    matcher = det_utils.Matcher(0.5, 0.5, allow_low_quality_matches=False)
    matched = matcher(box_ops.box_iou(gt_boxes, with_gt))
    labels = gt_labels[matched.clamp(min=0)]
    labels[matched == matcher.BELOW_LOW_THRESHOLD] = 0
    labels[matched == matcher.BETWEEN_THRESHOLDS] = -1
    sampler = det_utils.BalancedPositiveNegativeSampler(16, 0.25)
    positive, negative = sampler([labels])
    sampled = torch.where(positive[0] | negative[0])[0]
    coder = det_utils.BoxCoder((10.0, 10.0, 5.0, 5.0))
    clamped = matched.clamp(min=0)[sampled]
    targets = coder.encode([gt_boxes[clamped]], [with_gt[sampled]])[0]
    return {
        "samples/gtBoxes": gt_boxes.numpy(),
        "samples/gtLabels": gt_labels.numpy(),
        "samples/proposals": proposals.numpy(),
        "samples/matchedGtIndices": matched.numpy(),
        "samples/sampledPositive": torch.where(positive[0])[0].numpy(),
        "samples/sampledNegative": torch.where(negative[0])[0].numpy(),
        "samples/boxes": with_gt[sampled].numpy(),
        "samples/labels": labels[sampled].numpy(),
        "samples/sampledMatchedGtIndices": clamped.numpy(),
        "samples/regressionTargets": targets.numpy(),
    }


def losses() -> None:
    tensors = {**box_loss(), **mask_loss(), **keypoint_loss(), **roi_samples()}
    write_fixture(repo_path(FIXTURES, "losses.safetensors"), tensors, {"torch": torch.__version__})


def main() -> None:
    torch.set_grad_enabled(True)
    box_head()
    mask_head()
    keypoint_head()
    with torch.no_grad():
        losses()


if __name__ == "__main__":
    main()
