"""Fixtures for @rcnn/train-kernels' ResizeBilinearGrad: torch autograd gradients of bilinear resizing.

Each case stores a random upstream gradient `dy` (NHWC) of the resized output and torch's gradient
`dx` of sum(resize(x) * dy) (NHWC, the input's shape); `x` itself is not stored (the gradient of a
resize does not depend on it). Modes, as tfjs `resizeBilinear(x, size, alignCorners,
halfPixelCenters)` names them:
- `halfPixel` (tfjs halfPixelCenters=true): torch `F.interpolate(mode='bilinear', align_corners=False)`,
  torchvision's keypoint predictor upsampling;
- `alignCorners`: torch `align_corners=True`;
- `legacy` (tfjs's default, both false: source = output index * in / out): torch has no such mode,
  so it is written here as gathers and a weighted sum and differentiated by torch autograd (checked
  against `F.interpolate` in the two torch modes first).
Sizes are given to torch as `size=`, so the scale is in / out as in tfjs (not 1 / scale_factor).
"""
import numpy as np
import torch
import torch.nn.functional as F

from fixture_io import repo_path, write_fixture

OUT = "packages/train-kernels/src/__fixtures__"

# name, batch, height, width, channels, out height, out width, mode
CASES = [
    ("keypoint2x", 1, 28, 28, 17, 56, 56, "halfPixel"),  # torchvision KeypointRCNNPredictor
    ("odd2x", 2, 7, 5, 3, 14, 10, "halfPixel"),
    ("odd3x", 1, 5, 7, 4, 15, 21, "halfPixel"),
    ("nonInteger", 2, 6, 9, 5, 10, 13, "halfPixel"),
    ("down", 1, 11, 10, 3, 4, 7, "halfPixel"),
    ("oneRow", 2, 1, 6, 2, 3, 11, "halfPixel"),
    ("corners2x", 2, 7, 5, 3, 14, 10, "alignCorners"),
    ("cornersNonInteger", 1, 6, 9, 5, 11, 4, "alignCorners"),
    ("cornersToOne", 1, 5, 4, 2, 1, 6, "alignCorners"),
    ("legacy2x", 2, 7, 5, 3, 14, 10, "legacy"),
    ("legacyNonInteger", 1, 6, 9, 4, 10, 5, "legacy"),
]


def axis_taps(in_size: int, out_size: int, mode: str):
    """Per output index: lower and upper source index and the upper one's weight (torch's rules)."""
    out = torch.arange(out_size, dtype=torch.float64)
    if mode == "alignCorners":
        scale = (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
        source = out * scale
    elif mode == "halfPixel":
        source = torch.clamp((out + 0.5) * (in_size / out_size) - 0.5, min=0)
    else:
        source = out * (in_size / out_size)
    low = torch.clamp(torch.floor(source), max=in_size - 1).long()
    high = torch.clamp(low + 1, max=in_size - 1)
    return low, high, (source - low).float()


def resize_explicit(x: torch.Tensor, size, mode: str) -> torch.Tensor:
    """Bilinear resize of NCHW `x` by gathers (autograd-differentiable in every mode)."""
    rows_low, rows_high, row_frac = axis_taps(x.shape[2], size[0], mode)
    cols_low, cols_high, col_frac = axis_taps(x.shape[3], size[1], mode)
    rows = x[:, :, rows_low] * (1 - row_frac)[:, None] + x[:, :, rows_high] * row_frac[:, None]
    return rows[:, :, :, cols_low] * (1 - col_frac) + rows[:, :, :, cols_high] * col_frac


def nhwc(t: torch.Tensor) -> np.ndarray:
    return t.detach().permute(0, 2, 3, 1).contiguous().numpy()


def main() -> None:
    torch.manual_seed(0)
    tensors = {}
    meta = []
    for name, n, h, w, c, out_h, out_w, mode in CASES:
        x = torch.randn(n, c, h, w, dtype=torch.float32, requires_grad=True)
        if mode == "legacy":
            y = resize_explicit(x, (out_h, out_w), mode)
        else:
            y = F.interpolate(x, size=(out_h, out_w), mode="bilinear", align_corners=mode == "alignCorners")
            explicit = resize_explicit(x, (out_h, out_w), mode)
            assert torch.allclose(y, explicit, atol=1e-5), f"{name}: explicit resize differs from torch"
        dy = torch.randn_like(y)
        (y * dy).sum().backward()
        tensors[f"{name}/dy"] = nhwc(dy)
        tensors[f"{name}/dx"] = nhwc(x.grad)
        meta.append({"name": name, "size": [out_h, out_w], "mode": mode})
    write_fixture(
        repo_path(OUT, "resize-bilinear-grad.safetensors"), tensors, {"cases": meta, "torch": torch.__version__}
    )


if __name__ == "__main__":
    main()
