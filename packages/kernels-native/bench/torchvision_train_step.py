"""torchvision's side of the training-step bench: the same model as bench/train-step-setup.ts
(`rcnn train`'s default Mask R-CNN: half-width ResNet-18-FPN with GroupNorm(32, c), every stage
trainable, FPN 128, box head 512, mask head 4 x 128, anchors 16..256, 1000 proposals, 128 RoIs per
image, 7 classes) on the same batch (4 synthetic 256x300 images, the same mulberry32 draws as
`syntheticBatch(1)`), one step = the summed losses and `backward()` (no optimizer update).
Usage: torchvision_train_step.py THREADS RUNS; prints JSON { median_s, runs_s, loss }.
Run with LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread and OMP/OPENBLAS threads set."""
import json
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tools" / "reference"))
from default_model_torchvision import default_model  # noqa: E402

HEIGHT, WIDTH, BATCH = 256, 300, 4
MASK32 = 0xFFFFFFFF


def mulberry32(seed):
    state = seed & MASK32

    def next_value():
        nonlocal state
        state = (state + 0x6D2B79F5) & MASK32
        t = state
        t = ((t ^ (t >> 15)) * (t | 1)) & MASK32
        t = (t ^ ((t + (((t ^ (t >> 7)) * (t | 61)) & MASK32)) & MASK32)) & MASK32
        return ((t ^ (t >> 14)) & MASK32) / 4294967296

    return next_value


def synthetic_batch(seed):
    """bench/train-step-setup.ts `syntheticBatch`, draw for draw."""
    draw = mulberry32(seed * 7919 + 1)
    images, targets = [], []
    for _ in range(BATCH):
        pixels = torch.tensor([0.3 * draw() for _ in range(HEIGHT * WIDTH * 3)]).reshape(HEIGHT, WIDTH, 3)
        count = 2 + int(draw() * 4)
        boxes, labels, masks = [], [], torch.zeros(count, HEIGHT, WIDTH, dtype=torch.uint8)
        for k in range(count):
            w = 24 + int(draw() * 120)
            h = 24 + int(draw() * 120)
            x0 = int(draw() * (WIDTH - w))
            y0 = int(draw() * (HEIGHT - h))
            color = torch.tensor([draw(), draw(), draw()])
            pixels[y0 : y0 + h, x0 : x0 + w] = color
            masks[k, y0 : y0 + h, x0 : x0 + w] = 1
            boxes.append([x0, y0, x0 + w, y0 + h])
            labels.append(1 + int(draw() * 6))
        images.append(pixels.permute(2, 0, 1).contiguous())
        targets.append({"boxes": torch.tensor(boxes, dtype=torch.float32), "labels": torch.tensor(labels), "masks": masks})
    return images, targets


def main():
    threads, runs = int(sys.argv[1]), int(sys.argv[2])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = default_model().train()
    images, targets = synthetic_batch(1)
    times, losses = [], []
    for run in range(runs + 1):  # run 0 warms up
        start = time.perf_counter()
        model.zero_grad(set_to_none=True)
        loss = sum(model(images, targets).values())
        loss.backward()
        if run > 0:
            times.append(time.perf_counter() - start)
        losses.append(float(loss))
    print(json.dumps({"median_s": statistics.median(times), "runs_s": times, "loss": losses[-1],
                      "parameters": sum(p.numel() for p in model.parameters() if p.requires_grad)}))


if __name__ == "__main__":
    main()
