"""Image-transform fixtures for @rcnn/core (packages/core/src/transform/__fixtures__/transform.safetensors).

Runs torchvision 0.14's GeneralizedRCNNTransform (eval mode) on small deterministic
images (detweights.tensor, regenerated on the TypeScript side, so not stored): a
landscape image scaled up by min_size, a portrait one where max_size binds, one scaled
down, none a multiple of 32. Stores the padded batch (NHWC), the resized sizes, the
resized targets (boxes, keypoints, nearest-resized masks), the postprocess mapping back
to original sizes, and the output size torchvision picks for many (h, w) at the real
800/1333 setting.
"""
import numpy as np
import torch
from torchvision.models.detection.transform import GeneralizedRCNNTransform, _resize_image_and_masks

import detweights
from fixture_io import repo_path, write_fixture

OUT = "packages/core/src/transform/__fixtures__/transform.safetensors"
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
MIN_SIZE = (48, 64)  # eval uses the last
MAX_SIZE = 96
IMAGE_SIZES = [(40, 50), (70, 31), (150, 120)]


def image(index: int, height: int, width: int) -> torch.Tensor:
    return torch.from_numpy(detweights.tensor(f"transform/image{index}", [3, height, width], 0.0, 1.0))


def target(index: int, height: int, width: int) -> dict:
    u = detweights.tensor(f"transform/target{index}", [4, 4], 0.0, 1.0)
    x = np.sort(u[:, [0, 2]], 1) * width
    y = np.sort(u[:, [1, 3]], 1) * height
    boxes = np.stack([x[:, 0], y[:, 0], x[:, 1], y[:, 1]], 1).astype(np.float32)
    keypoints = detweights.tensor(f"transform/keypoints{index}", [2, 5, 3], 0.0, 1.0)
    keypoints[..., 0] *= width
    keypoints[..., 1] *= height
    keypoints[..., 2] = np.round(keypoints[..., 2] * 2)
    masks = (detweights.tensor(f"transform/masks{index}", [2, height, width], 0.0, 1.0) > 0.5).astype(np.uint8)
    return {"boxes": torch.from_numpy(boxes), "keypoints": torch.from_numpy(keypoints), "masks": torch.from_numpy(masks)}


def main() -> None:
    tensors: dict = {}
    transform = GeneralizedRCNNTransform(MIN_SIZE, MAX_SIZE, MEAN, STD).eval()
    images = [image(i, h, w) for i, (h, w) in enumerate(IMAGE_SIZES)]
    targets = [target(i, h, w) for i, (h, w) in enumerate(IMAGE_SIZES)]
    for i, t in enumerate(targets):
        for key, value in t.items():
            tensors[f"targets/{i}/{key}"] = value.numpy()
    with torch.no_grad():
        batch, resized_targets = transform(images, [dict(t) for t in targets])
    tensors["batch"] = batch.tensors.permute(0, 2, 3, 1).contiguous().numpy()
    tensors["imageSizes"] = np.array(batch.image_sizes, dtype=np.int32)
    for i, t in enumerate(resized_targets):
        for key, value in t.items():
            tensors[f"resizedTargets/{i}/{key}"] = value.numpy()

    # Detections in resized-image pixels mapped back to the original size (transform.postprocess).
    results = []
    for i, (h, w) in enumerate(batch.image_sizes):
        boxes = torch.from_numpy(detweights.tensor(f"transform/detections{i}", [5, 4], 0.0, float(max(h, w))))
        keypoints = torch.from_numpy(detweights.tensor(f"transform/detectionKeypoints{i}", [5, 3, 3], 0.0, float(max(h, w))))
        tensors[f"detections/{i}/boxes"] = boxes.numpy()
        tensors[f"detections/{i}/keypoints"] = keypoints.numpy()
        results.append({"boxes": boxes, "keypoints": keypoints})
    mapped = transform.postprocess(results, batch.image_sizes, IMAGE_SIZES)
    for i, result in enumerate(mapped):
        tensors[f"mapped/{i}/boxes"] = result["boxes"].numpy()
        tensors[f"mapped/{i}/keypoints"] = result["keypoints"].numpy()

    # torchvision's fixed_size is (width, height): size=[fixed_size[1], fixed_size[0]].
    fixed = GeneralizedRCNNTransform(MIN_SIZE, MAX_SIZE, MEAN, STD, fixed_size=(60, 45)).eval()
    with torch.no_grad():
        fixed_batch, _ = fixed([images[0]])
    tensors["fixed/batch"] = fixed_batch.tensors.permute(0, 2, 3, 1).contiguous().numpy()
    tensors["fixed/imageSizes"] = np.array(fixed_batch.image_sizes, dtype=np.int32)

    # Output sizes at the real setting (800, 1333): the float32 scale and floor of interpolate.
    rng = np.random.default_rng(14)
    pairs = [(480, 640), (487, 640), (427, 640), (640, 359), (1333, 800), (799, 1333), (333, 500), (17, 3000)]
    pairs += [tuple(int(v) for v in rng.integers(100, 2000, 2)) for _ in range(120)]
    sizes = []
    for h, w in pairs:
        resized, _ = _resize_image_and_masks(torch.zeros(1, h, w), 800.0, 1333.0)
        sizes.append([h, w, resized.shape[-2], resized.shape[-1]])
    tensors["sizes800"] = np.array(sizes, dtype=np.int32)

    metadata = {
        "minSize": list(MIN_SIZE),
        "maxSize": MAX_SIZE,
        "imageSizes": IMAGE_SIZES,
        "fixedSize": [45, 60],
    }
    write_fixture(repo_path(OUT), tensors, metadata)


if __name__ == "__main__":
    main()
