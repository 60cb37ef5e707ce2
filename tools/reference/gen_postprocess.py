"""Fixtures for @rcnn/postprocess: torchvision's RoIHeads.postprocess_detections,
paste_masks_in_image and heatmaps_to_keypoints on small fixed inputs.

Inputs come from detweights.tensor (reproducible on the TypeScript side) and are
stored anyway so the tests read them directly. Writes
packages/postprocess/src/__fixtures__/{detections,paste-masks,keypoints}.safetensors.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torchvision.models.detection import _utils as det_utils
from torchvision.models.detection.roi_heads import RoIHeads, heatmaps_to_keypoints, paste_masks_in_image

import detweights
from fixture_io import repo_path, write_fixture

OUT = "packages/postprocess/src/__fixtures__"


def t(key, shape, low=-1.0, high=1.0):
    return torch.from_numpy(detweights.tensor(key, list(shape), low, high))


def roi_heads(score_thresh, nms_thresh, detections_per_img):
    return RoIHeads(
        None, None, None, 0.5, 0.5, 512, 0.25, (10.0, 10.0, 5.0, 5.0), score_thresh, nms_thresh, detections_per_img
    )


def proposals_for(key, count, height, width):
    corner = t(key + "/corner", (count, 2), 0.0, 1.0) * torch.tensor([width * 0.9, height * 0.9])
    size = t(key + "/size", (count, 2), 0.0, 1.0) * torch.tensor([width * 0.5, height * 0.5]) + 0.5
    return torch.cat([corner, corner + size], dim=1)


def detections():
    sizes = [(60, 80), (45, 70)]
    counts = [24, 16]
    num_classes = 5
    proposals = [proposals_for(f"pp/proposals{i}", n, *sizes[i]) for i, n in enumerate(counts)]
    total = sum(counts)
    logits = t("pp/class_logits", (total, num_classes), -3.0, 3.0)
    regression = t("pp/box_regression", (total, 4 * num_classes), -1.0, 1.0)
    # Rows where one class dominates push every other class below the 0.05 threshold.
    logits[3] = torch.tensor([-4.0, 6.0, -4.0, -4.0, -4.0])
    logits[30] = torch.tensor([8.0, -4.0, -4.0, -4.0, -4.0])
    # Exact duplicates (same proposal, logits, deltas): equal scores and IoU 1 within each class.
    proposals[0][7] = proposals[0][6]
    logits[7] = logits[6]
    regression[7] = regression[6]
    # Equal scores on far-apart boxes (tie broken by order, not by NMS).
    logits[10] = logits[2]
    # Very large dw/dh exercise the log(1000/16) clamp; a zero-size proposal gives a small box.
    regression[5, 8:12] = torch.tensor([0.5, -0.5, 40.0, 40.0])
    proposals[1][2, 2:] = proposals[1][2, :2]
    regression[16 + 2] = 0.0
    tensors = {
        "class_logits": logits,
        "box_regression": regression,
        "proposals0": proposals[0],
        "proposals1": proposals[1],
        "image_sizes": torch.tensor(sizes, dtype=torch.int32),
    }
    configs = {"default": (0.05, 0.5, 100), "top7": (0.05, 0.5, 7), "strict": (0.3, 0.3, 100)}
    for name, (score_thresh, nms_thresh, per_image) in configs.items():
        boxes, scores, labels = roi_heads(score_thresh, nms_thresh, per_image).postprocess_detections(
            logits, regression, proposals, sizes
        )
        for i in range(len(sizes)):
            tensors[f"{name}/boxes{i}"] = boxes[i]
            tensors[f"{name}/scores{i}"] = scores[i]
            tensors[f"{name}/labels{i}"] = labels[i].to(torch.int32)
            print(f"  {name} image {i}: {len(scores[i])} detections")
    # Stage output before filtering: decoded + clipped boxes per class for image 0.
    coder = det_utils.BoxCoder((10.0, 10.0, 5.0, 5.0))
    decoded = coder.decode(regression, proposals)
    tensors["decoded"] = decoded.reshape(total, -1)
    write_fixture(
        repo_path(OUT, "detections.safetensors"),
        tensors,
        {"configs": configs, "counts": counts, "num_classes": num_classes},
    )


def paste_masks():
    height, width, side = 60, 80, 28
    masks = t("pp/masks", (8, side, side), 0.0, 1.0)
    masks[7] = 0.0  # an empty mask
    boxes = torch.tensor(
        [
            [10.3, 5.7, 40.9, 30.2],  # inside
            [-12.5, -8.25, 20.0, 15.5],  # past the top-left corner
            [60.2, 44.8, 95.0, 71.3],  # past the bottom-right corner
            [30.0, 20.0, 30.4, 20.6],  # tiny (under one pixel)
            [3.0, 50.0, 4.9, 58.0],  # thin
            [-30.0, -20.0, 110.0, 90.0],  # larger than the image
            [70.6, 1.2, 79.99, 9.1],  # touching the right border
            [12.0, 12.0, 40.0, 40.0],  # empty mask
        ],
        dtype=torch.float32,
    )
    pasted = paste_masks_in_image(masks[:, None], boxes, (height, width), padding=1)[:, 0]
    small = t("pp/masks14", (3, 14, 14), 0.0, 1.0)
    pasted14 = paste_masks_in_image(small[:, None], boxes[:3], (height, width), padding=1)[:, 0]
    pasted_pad2 = paste_masks_in_image(small[:, None], boxes[:3], (height, width), padding=2)[:, 0]
    write_fixture(
        repo_path(OUT, "paste-masks.safetensors"),
        {
            "masks": masks,
            "boxes": boxes,
            "pasted": pasted,
            "masks14": small,
            "pasted14": pasted14,
            "pasted14_padding2": pasted_pad2,
        },
        {"image_size": [height, width]},
    )


def top_gap(maps, rois):
    """Smallest gap between the best and second-best value of every resized map (near-ties flip argmax)."""
    worst = float("inf")
    for i in range(len(rois)):
        w = max(float(rois[i, 2] - rois[i, 0]), 1.0)
        h = max(float(rois[i, 3] - rois[i, 1]), 1.0)
        size = (int(np.ceil(h)), int(np.ceil(w)))
        resized = F.interpolate(maps[i][:, None], size=size, mode="bicubic", align_corners=False)[:, 0]
        flat = resized.reshape(maps.shape[1], -1)
        if flat.shape[1] < 2:
            continue
        top2 = flat.topk(2, dim=1).values
        worst = min(worst, float((top2[:, 0] - top2[:, 1]).min()))
    return worst


def keypoints():
    rois_count, keypoint_count, side = 6, 3, 56
    ys = torch.arange(side, dtype=torch.float32)[:, None]
    xs = torch.arange(side, dtype=torch.float32)[None, :]
    centres = t("pp/heatmap_centres", (rois_count, keypoint_count, 2), 4.0, 52.0)
    spread = t("pp/heatmap_spread", (rois_count, keypoint_count), 3.0, 9.0)
    bump = torch.exp(
        -((xs - centres[..., 0, None, None]) ** 2 + (ys - centres[..., 1, None, None]) ** 2)
        / (2 * spread[..., None, None] ** 2)
    )
    heatmaps = 8.0 * bump + t("pp/heatmap_noise", (rois_count, keypoint_count, side, side), -0.5, 0.5)
    rois = torch.tensor(
        [
            [10.0, 12.0, 70.0, 90.0],  # upsampled
            [5.5, 7.25, 30.75, 20.1],  # downsampled, fractional
            [100.0, 40.0, 100.4, 40.3],  # under one pixel (clamped to 1)
            [0.0, 0.0, 250.0, 120.0],  # strongly upsampled
            [33.3, 44.4, 89.9, 45.9],  # flat
            [-5.0, -3.0, 51.0, 53.0],  # exactly 56 x 56
        ],
        dtype=torch.float32,
    )
    gap = top_gap(heatmaps, rois)
    print(f"  smallest top-1/top-2 gap of the resized heatmaps: {gap:.3g}")
    assert gap > 1e-4, "regenerate: a near-tie would make argmax parity fragile"
    xy, scores = heatmaps_to_keypoints(heatmaps, rois)
    write_fixture(
        repo_path(OUT, "keypoints.safetensors"),
        {"heatmaps_nchw": heatmaps, "rois": rois, "keypoints": xy, "scores": scores},
        {"smallest_gap": gap},
    )


def main():
    detections()
    paste_masks()
    keypoints()


if __name__ == "__main__":
    main()
