"""Fixtures of @rcnn/backbone-resnet-fpn: torchvision's resnet_fpn_backbone with deterministic weights.

Every model is filled by detweights.fill_module(model, prefix='backbone.') so its parameters
carry the checkpoint names a detector's state_dict uses (`backbone.body.*`, `backbone.fpn.*`);
the TypeScript tests rebuild the same weights from those names and the same inputs from
`backbone/input/<case>` keys, so only outputs are stored (float32, NHWC).

Writes to packages/backbone-resnet-fpn/src/__fixtures__/:
  <arch>-<case>.safetensors   P2..P6 ('0', '1', '2', '3', 'pool' in torchvision) per case
  resnet18-aligned.safetensors also holds C2..C5 (the body's outputs), the FPN stage's inputs
  custom-fpn.safetensors       resnet18, returned_layers [2, 3, 4], out_channels 64
  upsample-nearest.safetensors F.interpolate(mode='nearest') at non-2x sizes
  parameter-shapes.json        state_dict names and shapes of every architecture
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
from torchvision.models import resnet
from torchvision.models.detection.backbone_utils import BackboneWithFPN, resnet_fpn_backbone
from torchvision.ops.feature_pyramid_network import LastLevelMaxPool
from torchvision.ops.misc import FrozenBatchNorm2d

import detweights
from fixture_io import repo_path, write_fixture

OUT = "packages/backbone-resnet-fpn/src/__fixtures__"
PREFIX = "backbone."
# (case name, image [H, W] before padding, padded [H, W]); the second is not a multiple of 32.
CASES = {"aligned": ((32, 32), (32, 32)), "padded": ((50, 70), (64, 96))}
LEVELS = {"0": "p2", "1": "p3", "2": "p4", "3": "p5", "pool": "p6"}


def nhwc(t: torch.Tensor) -> np.ndarray:
    return t.detach().permute(0, 2, 3, 1).contiguous().numpy().astype(np.float32)


def build(name: str) -> torch.nn.Module:
    model = resnet_fpn_backbone(backbone_name=name, weights=None, trainable_layers=3)
    detweights.fill_module(model, prefix=PREFIX)
    return model.eval()


def case_input(case: str) -> torch.Tensor:
    (h, w), (ph, pw) = CASES[case]
    image = torch.from_numpy(detweights.tensor(f"backbone/input/{case}", [1, 3, h, w]))
    padded = torch.zeros(1, 3, ph, pw)
    padded[:, :, :h, :w] = image  # torchvision's batch_images pads bottom and right with zeros
    return padded


def write_case(model, arch: str, case: str, with_body: bool = False) -> None:
    x = case_input(case)
    tensors = {}
    with torch.no_grad():
        body = model.body(x)
        outputs = model.fpn(body)
    for key, level in LEVELS.items():
        tensors[level] = nhwc(outputs[key])
    if with_body:
        for key, value in body.items():
            tensors[f"c{int(key) + 2}"] = nhwc(value)
    (h, w), padded = CASES[case]
    meta = {"arch": arch, "inputKey": f"backbone/input/{case}", "imageSize": [h, w], "paddedSize": list(padded)}
    write_fixture(repo_path(OUT, f"{arch}-{case}.safetensors"), tensors, meta)


def custom_fpn() -> None:
    """ResNet-18 body returning layers 2..4 into a 64-channel FPN (BackboneWithFPN built directly)."""
    body = resnet.resnet18(weights=None, norm_layer=FrozenBatchNorm2d)
    model = BackboneWithFPN(body, {"layer2": "0", "layer3": "1", "layer4": "2"}, [128, 256, 512], 64, LastLevelMaxPool())
    detweights.fill_module(model, prefix=PREFIX)
    model.eval()
    with torch.no_grad():
        outputs = model(case_input("padded"))
    tensors = {f"p{i + 3}": nhwc(outputs[key]) for i, key in enumerate(["0", "1", "2", "pool"])}
    shapes = [[PREFIX + k, list(v.shape)] for k, v in model.state_dict().items()]
    (h, w), padded = CASES["padded"]
    meta = {"parameterShapes": shapes, "inputKey": "backbone/input/padded", "imageSize": [h, w], "paddedSize": list(padded)}
    write_fixture(repo_path(OUT, "custom-fpn.safetensors"), tensors, meta)


def upsample_nearest() -> None:
    source = torch.from_numpy(detweights.tensor("backbone/upsample/source", [1, 2, 5, 7]))
    tensors = {"source": nhwc(source)}
    for h, w in [(10, 14), (7, 9), (11, 13), (13, 20), (3, 4), (5, 7)]:
        tensors[f"{h}x{w}"] = nhwc(F.interpolate(source, size=(h, w), mode="nearest"))
    write_fixture(repo_path(OUT, "upsample-nearest.safetensors"), tensors)


def parameter_shapes() -> None:
    table = {}
    for name in ["resnet18", "resnet34", "resnet50", "resnet101", "resnext50_32x4d"]:
        model = resnet_fpn_backbone(backbone_name=name, weights=None, trainable_layers=3)
        table[name] = [[PREFIX + k, list(v.shape)] for k, v in model.state_dict().items()]
    model = resnet_fpn_backbone(backbone_name="resnet50", weights=None, trainable_layers=3, returned_layers=[2, 3, 4])
    table["resnet50-returned-2-3-4"] = [[PREFIX + k, list(v.shape)] for k, v in model.state_dict().items()]
    path = repo_path(OUT, "parameter-shapes.json")
    with open(path, "w") as f:
        json.dump(table, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def main() -> None:
    torch.manual_seed(0)
    for arch in ["resnet18", "resnet50"]:
        model = build(arch)
        for case in CASES:
            write_case(model, arch, case, with_body=(arch == "resnet18" and case == "aligned"))
    write_case(build("resnext50_32x4d"), "resnext50_32x4d", "aligned")
    custom_fpn()
    upsample_nearest()
    parameter_shapes()


if __name__ == "__main__":
    main()
