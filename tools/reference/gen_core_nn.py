"""Fixtures of @rcnn/core's nn layers: forward values and gradients of torch modules.

Each case builds one torch module (weights from detweights by state_dict name, under the case
name as prefix), runs a deterministic NCHW input, and back-propagates `sum(y * cotangent)`.
Activations are stored NHWC (as the TypeScript layers run), parameter gradients in torch layout
under `<case>.grad.<param>`, the state_dict after the forward under `<case>.after.<entry>`.
`nn.Linear` / `nn.ConvTranspose2d` cases go to a second file (linear-transpose.safetensors) with
`<case>.fan_in`: torch's own fan_in of the weight, whose 1/sqrt bounds the default init.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torchvision.ops.misc import FrozenBatchNorm2d

import detweights
from fixture_io import repo_path, write_fixture


def nhwc(t: torch.Tensor) -> np.ndarray:
    """4-D activations NHWC (as the TypeScript layers run); 2-D ones as they are."""
    t = t.detach()
    return (t.permute(0, 2, 3, 1) if t.dim() == 4 else t).contiguous().numpy()


class ConvFrozen(torch.nn.Module):
    """conv (no bias) + FrozenBatchNorm2d + ReLU, as a ResNet stem."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(4, 6, 3, stride=2, padding=1, bias=False)
        self.bn1 = FrozenBatchNorm2d(6)

    def forward(self, x):
        return F.relu(self.bn1(self.conv1(x)))


CASES = {
    # name: (module factory, input NCHW shape, train mode)
    "conv": (lambda: torch.nn.Conv2d(4, 6, 3, stride=2, padding=1), (2, 4, 9, 8), False),
    "conv_depthwise_groups": (lambda: torch.nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=4, bias=False), (1, 8, 7, 6), False),
    "conv_sliced_groups": (lambda: torch.nn.Conv2d(4, 40, 1, stride=2, groups=2), (1, 4, 6, 6), False),
    "bn_train": (lambda: torch.nn.BatchNorm2d(6), (2, 6, 5, 4), True),
    "bn_eval": (lambda: torch.nn.BatchNorm2d(6), (2, 6, 5, 4), False),
    "frozen_bn": (lambda: FrozenBatchNorm2d(6), (2, 6, 5, 4), False),
    "group_norm": (lambda: torch.nn.GroupNorm(3, 6), (2, 6, 5, 4), True),
    "conv_frozen_bn": (ConvFrozen, (2, 4, 9, 8), False),
}


class FlattenLinear(torch.nn.Module):
    """flatten(1) of an NCHW map, then nn.Linear (TwoMLPHead's fc6 pattern)."""

    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(2 * 3 * 2, 4)

    def forward(self, x):
        return self.fc(x.flatten(1))


LINEAR_TRANSPOSE_CASES = {
    "linear": (lambda: torch.nn.Linear(5, 3), (4, 5), True),
    "linear_no_bias": (lambda: torch.nn.Linear(6, 2, bias=False), (3, 6), True),
    "linear_flattened": (FlattenLinear, (2, 2, 3, 2), True),
    "conv_transpose_blocks": (lambda: torch.nn.ConvTranspose2d(4, 6, 2, stride=2), (2, 4, 3, 5), True),
    "conv_transpose_padded": (lambda: torch.nn.ConvTranspose2d(3, 5, 4, stride=2, padding=1), (1, 3, 4, 3), True),
    "conv_transpose_no_bias": (lambda: torch.nn.ConvTranspose2d(3, 2, 3, padding=1, bias=False), (2, 3, 5, 4), True),
}


def run_cases(cases: dict) -> dict:
    tensors = {}
    for name, (factory, shape, train) in cases.items():
        module = factory()
        detweights.fill_module(module, f"{name}.")
        module.train(train)
        x = torch.from_numpy(detweights.tensor(f"{name}.input", list(shape))).requires_grad_(True)
        y = module(x)
        cotangent = torch.from_numpy(detweights.tensor(f"{name}.cotangent", list(y.shape)))
        (y * cotangent).sum().backward()
        tensors[f"{name}.output"] = nhwc(y)
        tensors[f"{name}.grad.input"] = nhwc(x.grad)
        for param_name, param in module.named_parameters():
            tensors[f"{name}.grad.{param_name}"] = param.grad.numpy()
        for entry, value in module.state_dict().items():
            if not entry.endswith("num_batches_tracked"):
                tensors[f"{name}.after.{entry}"] = value.numpy()
    return tensors


def main() -> None:
    write_fixture(repo_path("packages/core/src/nn/__fixtures__/layers.safetensors"), run_cases(CASES))
    tensors = run_cases(LINEAR_TRANSPOSE_CASES)
    for name, (factory, _, _) in LINEAR_TRANSPOSE_CASES.items():
        weight = next(p for n, p in factory().named_parameters() if n.endswith("weight"))
        fan_in, _ = torch.nn.init._calculate_fan_in_and_fan_out(weight)
        tensors[f"{name}.fan_in"] = np.array([fan_in], dtype=np.float32)
    write_fixture(repo_path("packages/core/src/nn/__fixtures__/linear-transpose.safetensors"), tensors)


if __name__ == "__main__":
    main()
