"""Gradient fixtures of @rcnn/backbone-resnet-fpn: a half-width ResNet-18 (torchvision's ResNet and
BasicBlock with 32 stem channels instead of 64: the project's from-scratch default; full width
makes the pure-JS backward pass minutes long) and a 64-channel FPN, as
`backbone_utils.py::_resnet_fpn_extractor` builds them (same freezing rule), with
FrozenBatchNorm2d (trainable_layers=3), BatchNorm2d and GroupNorm(32, c) (trainable_layers=5), in
training mode, on a batch of two 64x64 images; loss = sum over levels of sum(level * cotangent).
Computed in float64 (the exact gradient: torch's own float32 run deviates from it by up to 1.5e-5
in the metric below, and by 6e-4 in gen_train_step.py's projection metric).

Writes packages/backbone-resnet-fpn/src/__fixtures__/grad-<case>.safetensors:
  metadata outputs        per level p2..p6 (NHWC): shape, L2 norm and two projections on
                          `projection{k}/<level>` (full levels would be ~0.7 MB per case)
  grad/<name>             full gradients of rank-1 parameters (norm affine, FPN biases)
  after/<name>            BatchNorm running statistics after the step (case bn)
  metadata gradients      per parameter with a gradient: L2 norm and two projections on
                          detweights tensors `projection{k}/<name>` (as gen_train_step.py)
"""
import json

import numpy as np
import torch
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.resnet import BasicBlock, ResNet
from torchvision.ops.feature_pyramid_network import LastLevelMaxPool
from torchvision.ops.misc import FrozenBatchNorm2d

import detweights
from fixture_io import repo_path, write_fixture

PREFIX = "backbone."
BASE_CHANNELS = 32
OUT_CHANNELS = 64
INPUT_SHAPE = [2, 3, 64, 64]
LEVELS = {"0": "p2", "1": "p3", "2": "p4", "3": "p5", "pool": "p6"}
CASES = {
    "frozen-bn": (FrozenBatchNorm2d, 3),
    "bn": (torch.nn.BatchNorm2d, 5),
    "gn": (lambda channels: torch.nn.GroupNorm(32, channels), 5),
}


def summary(name: str, value: np.ndarray) -> dict:
    """Shape, L2 norm and projections on detweights tensors `projection{k}/<name>` (float64 sums)."""
    projections = [float((value * detweights.tensor(f"projection{k}/{name}", list(value.shape), -1.0, 1.0)).sum()) for k in range(2)]
    return {"shape": list(value.shape), "norm": float(np.sqrt((value**2).sum())), "projections": projections}


class NarrowResNet(ResNet):
    """torchvision's ResNet-18 with `base` channels in the stem and layer1 (torchvision: 64)."""

    def __init__(self, norm_layer, base: int):
        torch.nn.Module.__init__(self)
        self._norm_layer = norm_layer
        self.inplanes, self.dilation, self.groups, self.base_width = base, 1, 1, 64
        self.conv1 = torch.nn.Conv2d(3, base, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = norm_layer(base)
        self.relu = torch.nn.ReLU(inplace=True)
        self.maxpool = torch.nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(BasicBlock, base, 2)
        self.layer2 = self._make_layer(BasicBlock, base * 2, 2, stride=2)
        self.layer3 = self._make_layer(BasicBlock, base * 4, 2, stride=2)
        self.layer4 = self._make_layer(BasicBlock, base * 8, 2, stride=2)


def resnet_fpn(norm_layer, trainable_layers: int) -> torch.nn.Module:
    """`_resnet_fpn_extractor(backbone, trainable_layers)` with `OUT_CHANNELS` FPN channels."""
    body = NarrowResNet(norm_layer, BASE_CHANNELS)
    layers_to_train = ["layer4", "layer3", "layer2", "layer1", "conv1"][:trainable_layers]
    if trainable_layers == 5:
        layers_to_train.append("bn1")
    for name, parameter in body.named_parameters():
        if all(not name.startswith(layer) for layer in layers_to_train):
            parameter.requires_grad_(False)
    return_layers = {f"layer{k}": str(k - 1) for k in range(1, 5)}
    in_channels = [BASE_CHANNELS * 2**k for k in range(4)]
    return BackboneWithFPN(body, return_layers, in_channels, OUT_CHANNELS, extra_blocks=LastLevelMaxPool())


def run(case: str) -> None:
    norm_layer, trainable_layers = CASES[case]
    model = resnet_fpn(norm_layer, trainable_layers)
    detweights.fill_module(model, prefix=PREFIX)
    model = model.double().train()
    x = torch.from_numpy(detweights.tensor("backbone/grad/input", INPUT_SHAPE)).double()
    outputs = model(x)
    tensors = {}
    outputs_summary = {}
    loss = 0
    for key, level in LEVELS.items():
        y = outputs[key]
        cotangent = torch.from_numpy(detweights.tensor(f"backbone/grad/cotangent/{level}", list(y.shape))).double()
        loss = loss + (y * cotangent).sum()
        value = y.detach().permute(0, 2, 3, 1).double().numpy()
        outputs_summary[level] = summary(f"{level}", value)
    loss.backward()
    gradients = {}
    for name, parameter in model.named_parameters():
        if parameter.grad is None:
            continue
        full = PREFIX + name
        grad = parameter.grad.double().numpy()
        gradients[full] = summary(full, grad)
        if grad.ndim == 1:
            tensors[f"grad/{full}"] = parameter.grad.numpy()
    for name, value in model.state_dict().items():
        if name.endswith("running_mean") or name.endswith("running_var"):
            if case == "bn":
                tensors[f"after/{PREFIX}{name}"] = value.numpy()
    metadata = {"case": case, "trainable_layers": trainable_layers, "input_shape": INPUT_SHAPE,
                "base_channels": BASE_CHANNELS, "out_channels": OUT_CHANNELS,
                "outputs": outputs_summary, "gradients": gradients}
    write_fixture(repo_path(f"packages/backbone-resnet-fpn/src/__fixtures__/grad-{case}.safetensors"), tensors, metadata)


def main() -> None:
    torch.manual_seed(0)
    for case in CASES:
        run(case)


if __name__ == "__main__":
    main()
