"""Fixtures for @rcnn/train-kernels: torch autograd gradients of conv2d, conv_transpose2d, linear and
embedding lookups (gather), the products the wasm training kernels compute.

Each case stores its inputs, a random upstream gradient `dy` and torch's gradients of sum(y * dy).
Layouts are ours: activations NHWC, conv filters HWIO (`[kh, kw, in, out]`), conv-transpose filters
`[kh, kw, out, in]` (tfjs conv2dTranspose), linear weights in torch's `[out, in]`. Padding is torch's
symmetric `padding`, given to tfjs as explicit pads.
"""
import numpy as np
import torch
import torch.nn.functional as F

from fixture_io import repo_path, write_fixture

OUT = "packages/train-kernels/src/__fixtures__"

# name, batch, in channels, height, width, out channels, kernel, stride, padding
CONVS = [
    ("stem7x7s2", 2, 3, 30, 26, 16, 7, 2, 3),
    ("res3x3s1", 2, 16, 20, 24, 32, 3, 1, 1),
    ("res3x3s2", 2, 32, 17, 16, 24, 3, 2, 1),
    ("down1x1s2", 2, 64, 16, 14, 40, 1, 2, 0),
    ("bottleneck1x1", 1, 64, 12, 12, 72, 1, 1, 0),
    ("rpn3x3valid", 1, 12, 9, 11, 20, 3, 1, 0),
]


def nhwc(t: torch.Tensor) -> np.ndarray:
    return t.detach().permute(0, 2, 3, 1).contiguous().numpy()


def main() -> None:
    torch.manual_seed(0)
    tensors = {}
    meta = {"convs": [], "transposed": [], "linear": [], "gather": []}
    for name, n, cin, h, w, cout, k, s, p in CONVS:
        x = torch.randn(n, cin, h, w, dtype=torch.float32, requires_grad=True)
        weight = torch.randn(cout, cin, k, k, dtype=torch.float32) * (2.0 / (cin * k * k)) ** 0.5
        weight.requires_grad_(True)
        y = F.conv2d(x, weight, stride=s, padding=p)
        dy = torch.randn_like(y)
        (y * dy).sum().backward()
        tensors[f"{name}/x"] = nhwc(x)
        tensors[f"{name}/filter"] = weight.detach().permute(2, 3, 1, 0).contiguous().numpy()
        tensors[f"{name}/dy"] = nhwc(dy)
        tensors[f"{name}/dx"] = nhwc(x.grad)
        tensors[f"{name}/dfilter"] = weight.grad.permute(2, 3, 1, 0).contiguous().numpy()
        meta["convs"].append({"name": name, "stride": s, "padding": p})
    # Mask head upsampling: ConvTranspose2d(k=2, s=2), and a 3x3 stride-2 padded one.
    for name, n, cin, h, w, cout, k, s, p in [("mask2x2s2", 2, 24, 7, 7, 16, 2, 2, 0), ("up3x3s2", 1, 8, 5, 6, 12, 3, 2, 1)]:
        x = torch.randn(n, cin, h, w, dtype=torch.float32, requires_grad=True)
        weight = (torch.randn(cin, cout, k, k, dtype=torch.float32) * 0.2).requires_grad_(True)
        y = F.conv_transpose2d(x, weight, stride=s, padding=p)
        dy = torch.randn_like(y)
        (y * dy).sum().backward()
        tensors[f"{name}/x"] = nhwc(x)
        tensors[f"{name}/filter"] = weight.detach().permute(2, 3, 1, 0).contiguous().numpy()
        tensors[f"{name}/dy"] = nhwc(dy)
        tensors[f"{name}/dx"] = nhwc(x.grad)
        tensors[f"{name}/dfilter"] = weight.grad.permute(2, 3, 1, 0).contiguous().numpy()
        meta["transposed"].append({"name": name, "stride": s, "padding": p, "outShape": list(nhwc(y).shape)})
    # Box head linear layers (fc6-like, predictor-like).
    for name, rows, fin, fout in [("fc", 37, 200, 64), ("predictor", 29, 64, 21)]:
        x = torch.randn(rows, fin, dtype=torch.float32, requires_grad=True)
        weight = (torch.randn(fout, fin, dtype=torch.float32) * fin**-0.5).requires_grad_(True)
        y = F.linear(x, weight)
        dy = torch.randn_like(y)
        (y * dy).sum().backward()
        for key, value in {"x": x, "weight": weight, "dy": dy, "dx": x.grad, "dweight": weight.grad}.items():
            tensors[f"{name}/{key}"] = value.detach().numpy()
        meta["linear"].append({"name": name})
    # Gathers with repeated and unused indices (target assignment picks rows this way).
    table = torch.randn(12, 6, dtype=torch.float32, requires_grad=True)
    indices = torch.tensor([3, 1, 3, 7, 0, 3, 11, 1], dtype=torch.int64)
    picked = table[indices]
    dy = torch.randn_like(picked)
    (picked * dy).sum().backward()
    for key, value in {"table": table, "indices": indices, "dy": dy, "dtable": table.grad}.items():
        tensors[f"gather/{key}"] = value.detach().numpy()
    meta["gather"].append({"name": "gather"})
    write_fixture(repo_path(OUT, "train-kernels.safetensors"), tensors, {"cases": meta, "torch": torch.__version__})


if __name__ == "__main__":
    main()
