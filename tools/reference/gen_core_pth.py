"""Fixtures for @rcnn/core's safe .pth reader (packages/core/src/weights/pth/__fixtures__)
and, in `write_image_fixtures`, for its image decoder (packages/core/src/image/__fixtures__).

Writes small torch.save files (zip and legacy formats, protocols 2 and 4, a wrapped
training checkpoint) plus `tiny-expected.safetensors` with every tensor's values as
torch.load sees them, and malicious pickles that would run a shell command if loaded
with a plain unpickler. The TypeScript reader must refuse those without executing them.
"""
import argparse
import io
import os
import struct
import zlib

import numpy as np
import torch

import detweights
from fixture_io import repo_path, write_fixture

OUT = repo_path("packages/core/src/weights/pth/__fixtures__")
IMAGE_OUT = repo_path("packages/core/src/image/__fixtures__")


class TinyNet(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3)
        self.bn = torch.nn.BatchNorm2d(4)
        self.fc = torch.nn.Linear(8, 2)


def tiny_module() -> TinyNet:
    module = TinyNet()
    detweights.fill_module(module)
    return module


def tiny_state_dict() -> dict:
    sd = tiny_module().state_dict()
    half = torch.from_numpy(detweights.tensor("extra.float16", [2, 3])).half()
    sd["extra.float16"] = half
    sd["extra.float16_transposed"] = half.t()  # non-contiguous, shares half's storage
    sd["extra.bfloat16"] = torch.from_numpy(detweights.tensor("extra.bfloat16", [5], -4, 4)).bfloat16()
    sd["extra.float64"] = torch.tensor([0.1, -2.5, 1e-30], dtype=torch.float64)
    sd["extra.int64"] = torch.tensor([-3, 0, 2**31 - 1], dtype=torch.int64)
    sd["extra.int32"] = torch.tensor([-(2**31), 5], dtype=torch.int32)
    sd["extra.int16"] = torch.tensor([-300, 300], dtype=torch.int16)
    sd["extra.int8"] = torch.tensor([-128, 127], dtype=torch.int8)
    sd["extra.uint8"] = torch.tensor([0, 255, 7], dtype=torch.uint8)
    sd["extra.bool"] = torch.tensor([True, False, True])
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    sd["view.base"] = base
    sd["view.transposed"] = base.t()  # strides (1, 6)
    sd["view.slice"] = base[1:3, ::2]  # storage offset 6, strides (6, 2)
    sd["view.column"] = base[:, 5]  # offset 5, stride 6
    sd["view.expanded"] = torch.tensor([1.0, 2.0, 3.0]).reshape(3, 1).expand(3, 4)  # stride 0
    sd["scalar"] = torch.tensor(2.5)
    sd["scalar.int64"] = torch.tensor(7)
    sd["empty"] = torch.zeros(0, 3)
    return sd


def expected_arrays(sd: dict) -> tuple[dict, dict]:
    """What the reader must return: float32 for every float dtype, int32 for int64."""
    arrays, dtypes = {}, {}
    for name, tensor in sd.items():
        t = tensor.contiguous()
        if t.is_floating_point():
            arrays[name], dtypes[name] = t.float().numpy(), "float32"
        elif t.dtype == torch.bool:
            arrays[name], dtypes[name] = t.numpy().astype(np.uint8), "bool"
        elif t.dtype in (torch.int64, torch.int32):
            arrays[name], dtypes[name] = t.numpy().astype(np.int32), "int32"
        else:  # int16, int8, uint8 keep their dtype in the reader; fixtures store int32/uint8
            arrays[name] = t.numpy().astype(np.uint8 if t.dtype == torch.uint8 else np.int32)
            dtypes[name] = str(t.dtype).replace("torch.", "")
    return arrays, dtypes


class RunsShellCommand:
    """Unpickling this with pickle.load runs `echo pwned`: the classic __reduce__ attack."""

    def __reduce__(self):
        return (os.system, ("echo pwned",))


class EvaluatesCode:
    def __reduce__(self):
        return (eval, ("__import__('os').system('echo pwned')",))


def save(obj, name: str, **kwargs) -> None:
    path = os.path.join(OUT, name)
    torch.save(obj, path, **kwargs)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def training_checkpoint() -> dict:
    """Shaped like torchvision references/detection/train.py's checkpoint."""
    module = tiny_module()
    optimizer = torch.optim.SGD(module.parameters(), lr=0.02, momentum=0.9, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[16, 22], gamma=0.1)
    for p in module.parameters():
        p.grad = torch.ones_like(p)
    optimizer.step()
    scheduler.step()
    args = argparse.Namespace(lr=0.02, epochs=26, data_path="/datasets/coco", model="maskrcnn_resnet50_fpn")
    return {
        "model": module.state_dict(),
        "optimizer": optimizer.state_dict(),
        "lr_scheduler": scheduler.state_dict(),
        "args": args,
        "epoch": 3,
    }


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    sd = tiny_state_dict()
    arrays, dtypes = expected_arrays(sd)
    write_fixture(
        os.path.join(OUT, "tiny-expected.safetensors"),
        arrays,
        # shapes too: write_fixture stores 0-dim arrays as [1]
        {"dtypes": dtypes, "shapes": {k: list(v.shape) for k, v in sd.items()}, "order": list(sd.keys()), "torch": torch.__version__},
    )
    save(sd, "tiny.pth")
    save(sd, "tiny-protocol4.pth", pickle_protocol=4)
    save(sd, "tiny-legacy.pth", _use_new_zipfile_serialization=False)
    save({"model": sd, "epoch": 3}, "wrapped.pth")
    save(training_checkpoint(), "train-checkpoint.pth")
    payload = {"conv.weight": torch.ones(2), "payload": RunsShellCommand()}
    save(payload, "malicious-system.pth")
    save({"x": EvaluatesCode()}, "malicious-eval-protocol4.pth", pickle_protocol=4)
    save(payload, "malicious-legacy.pth", _use_new_zipfile_serialization=False)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def rgb16_png(samples: np.ndarray) -> bytes:
    """A 16-bit RGB PNG (PIL cannot write one): filter 0 rows of big-endian samples."""
    h, w, _ = samples.shape
    raw = b"".join(b"\x00" + samples[y].astype(">u2").tobytes() for y in range(h))
    header = struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b"")


def write_image_fixtures() -> None:
    """Small PNG/JPEG files written by PIL (libpng/libjpeg) and PIL's RGB decode of each.

    `decodeImage` must match PNGs exactly; JPEGs are compared with a tolerance because
    jpeg-js and libjpeg implement IDCT and chroma upsampling differently.
    """
    from PIL import Image

    os.makedirs(IMAGE_OUT, exist_ok=True)
    h, w = 12, 16
    y, x = np.mgrid[0:h, 0:w]
    rgb = np.stack([x * 16, y * 20, (x * y * 3) % 256], -1).astype(np.uint8)
    alpha = ((x + y) * 10 % 256).astype(np.uint8)
    # A smooth, photo-like picture for 4:2:0 JPEGs: chroma varies slowly, as in photos
    # (on the sharp synthetic `rgb` pattern, box vs fancy chroma upsampling differ a lot).
    py, px = np.mgrid[0:48, 0:64].astype(np.float64)
    blobs = [(20, 15, 12), (45, 30, 16), (10, 40, 9)]
    photo = np.stack(
        [sum(np.exp(-((px - cx - 3 * k) ** 2 + (py - cy) ** 2) / (2 * r * r)) for cx, cy, r in blobs) for k in range(3)], -1
    )
    photo = (40 + 180 * photo / photo.max() + 10 * np.sin(px / 5)[..., None]).clip(0, 255).astype(np.uint8)
    images = {
        "rgb.png": (Image.fromarray(rgb, "RGB"), {}),
        "rgba.png": (Image.fromarray(np.dstack([rgb, alpha]), "RGBA"), {}),
        "gray.png": (Image.fromarray(rgb[..., 0], "L"), {}),
        "gray-alpha.png": (Image.fromarray(np.dstack([rgb[..., 1], alpha]), "LA"), {}),
        "palette.png": (Image.fromarray(rgb, "RGB").quantize(colors=7), {"transparency": 0}),
        "bilevel.png": (Image.fromarray(rgb[..., 0] > 100), {}),
        "rgb-444.jpg": (Image.fromarray(rgb, "RGB"), {"quality": 90, "subsampling": 0}),
        "photo-420.jpg": (Image.fromarray(photo, "RGB"), {"quality": 90, "subsampling": 2}),
        "photo-progressive.jpg": (Image.fromarray(photo, "RGB"), {"quality": 85, "progressive": True}),
        "gray.jpg": (Image.fromarray(rgb[..., 1], "L"), {"quality": 90}),
    }
    expected = {}
    for name, (image, options) in images.items():
        buffer = io.BytesIO()
        image.save(buffer, "JPEG" if name.endswith(".jpg") else "PNG", **options)
        with open(os.path.join(IMAGE_OUT, name), "wb") as f:
            f.write(buffer.getvalue())
        expected[name] = np.array(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))
    gray16 = (x * 4000 + y * 300).astype(np.uint16)
    Image.fromarray(gray16.astype(np.int32), "I").convert("I;16").save(os.path.join(IMAGE_OUT, "gray16.png"))
    expected["gray16.png"] = np.repeat((gray16 >> 8).astype(np.uint8)[..., None], 3, -1)  # PIL would clip to 255
    rgb16 = np.stack([x * 4000 + 255, y * 5000, (x * y * 700) % 65536], -1).astype(np.uint16)
    with open(os.path.join(IMAGE_OUT, "rgb16.png"), "wb") as f:
        f.write(rgb16_png(rgb16))
    expected["rgb16.png"] = np.array(Image.open(os.path.join(IMAGE_OUT, "rgb16.png")).convert("RGB"))
    assert (expected["rgb16.png"] == (rgb16 >> 8)).all()  # PIL keeps the high byte
    write_fixture(os.path.join(IMAGE_OUT, "expected-rgb.safetensors"), expected, {"decoder": "PIL " + Image.__version__})


if __name__ == "__main__":
    main()
    write_image_fixtures()
