"""End-to-end fixtures for @rcnn/models: torchvision's three R50-FPN presets with
deterministic weights on a batch of two images of different sizes, with the
outputs of each stage (transform sizes, RPN proposals, RoI-head detections in
resized coordinates, final detections in original coordinates, 28x28 mask
probabilities, pasted binary masks, keypoints).

Options are chosen so random weights still give detections (few classes, so
softmax scores exceed 0.05) and fixtures and tests stay small (small images, 20
detections per image for the mask preset, 8 for the keypoint preset, whose
eight 512-channel convs cost ~3.5 GMAC per RoI). The TypeScript tests build the
same models with the same options from the metadata.
"""
import json
import os

import numpy as np
import torch
from torchvision.models.detection import fasterrcnn_resnet50_fpn, keypointrcnn_resnet50_fpn, maskrcnn_resnet50_fpn
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor

import detweights
from fixture_io import repo_path, write_fixture

IMAGE_SHAPES = [(3, 120, 160), (3, 150, 100)]  # CHW; portrait and landscape, neither a multiple of 32
COMMON = dict(min_size=128, max_size=192, weights=None, weights_backbone=None)
PRESETS = {
    "fasterrcnn_resnet50_fpn": (fasterrcnn_resnet50_fpn, dict(num_classes=5)),
    "maskrcnn_resnet50_fpn": (maskrcnn_resnet50_fpn, dict(num_classes=5, box_detections_per_img=20)),
    "keypointrcnn_resnet50_fpn": (keypointrcnn_resnet50_fpn, dict(num_classes=2, num_keypoints=17, box_detections_per_img=8)),
}


def images():
    return [torch.from_numpy(detweights.tensor(f"models/image{i}", list(shape), 0.0, 1.0)) for i, shape in enumerate(IMAGE_SHAPES)]


def run(name, builder, options):
    model = builder(**COMMON, **options).eval()
    detweights.fill_module(model)
    captured = {}
    model.rpn.register_forward_hook(lambda m, i, o: captured.__setitem__("proposals", [p.detach().clone() for p in o[0]]))
    model.roi_heads.register_forward_hook(lambda m, i, o: captured.__setitem__("roi", [{k: v.detach().clone() for k, v in d.items()} for d in o[0]]))
    model.transform.register_forward_hook(lambda m, i, o: captured.__setitem__("sizes", list(o[0].image_sizes)))
    with torch.no_grad():
        outputs = model(images())
    tensors = {}
    for i, out in enumerate(outputs):
        tensors[f"image{i}/proposals"] = captured["proposals"][i].numpy()
        for key, value in captured["roi"][i].items():
            tensors[f"image{i}/roi/{key}"] = value.numpy()
        for key, value in out.items():
            if key == "masks":
                tensors[f"image{i}/final/masks_binary"] = (value[:, 0] > 0.5).numpy().astype(np.uint8)
            else:
                tensors[f"image{i}/final/{key}"] = value.numpy()
    counts = [len(o["boxes"]) for o in outputs]
    metadata = {
        "options": {**{k: v for k, v in COMMON.items() if k not in ("weights", "weights_backbone")}, **options},
        "image_shapes_chw": IMAGE_SHAPES,
        "image_keys": [f"models/image{i}" for i in range(len(IMAGE_SHAPES))],
        "resized_sizes": [list(s) for s in captured["sizes"]],
        "detections_per_image": counts,
        "state_dict": [[k, list(v.shape)] for k, v in model.state_dict().items()],
    }
    write_fixture(repo_path(f"packages/models/src/__fixtures__/{name}.safetensors"), tensors, metadata)
    print(name, "detections per image:", counts, "resized:", metadata["resized_sizes"])


def write_box_predictor_pth():
    """A real torch.save checkpoint, small enough to commit (~100 KB): the `roi_heads.box_predictor.*`
    entries of the 5-class Faster R-CNN above, as a partial state_dict (the models tests load it
    non-strictly and compare with the deterministic weights). Run alone:
    /usr/bin/python3 -c "import sys; sys.path.insert(0, 'tools/reference'); import gen_models; gen_models.write_box_predictor_pth()"
    """
    prefix = "roi_heads.box_predictor."
    predictor = FastRCNNPredictor(1024, 5)
    detweights.fill_module(predictor, prefix)
    state_dict = {prefix + k: v for k, v in predictor.state_dict().items()}
    path = repo_path("packages/models/src/__fixtures__/fasterrcnn_box_predictor.pth")
    torch.save(state_dict, path)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def main():
    torch.manual_seed(0)
    for name, (builder, options) in PRESETS.items():
        run(name, builder, options)
    write_box_predictor_pth()


if __name__ == "__main__":
    main()
