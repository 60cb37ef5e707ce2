"""torchvision's side of the training comparison (bench/compare-training.sh): trains `rcnn train`'s
default Mask R-CNN (tools/reference/default_model_torchvision.py) on a COCO-format dataset with
the schedule `rcnn train` runs (SGD, momentum 0.9, weight decay 1e-4, linear warm-up from 0.001,
step decay x0.1, gradient-norm clipping, horizontal flips at 0.5, a random minimum size per
batch), then writes COCO results (bbox xywh, score, RLE masks at 0.5) for a val set, for
`rcnn eval`. No pycocotools here: COCO's compressed RLE is decoded and encoded below.
Usage: torchvision_train_coco.py --train-json F --train-images DIR --val-json F --val-images DIR
  --iterations N --warmup-iters N --lr-steps A,B --lr X --batch-size N --threads N --out DIR"""
import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tools" / "reference"))
from default_model_torchvision import default_model  # noqa: E402


def rle_counts(text):
    """COCO's compressed RLE string -> run lengths (column-major, starting with zeros)."""
    counts, p = [], 0
    while p < len(text):
        x, k, more = 0, 0, True
        while more:
            c = ord(text[p]) - 48
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p, k = p + 1, k + 1
            if not more and c & 0x10:
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def decode(rle):
    height, width = rle["size"]
    flat = np.zeros(height * width, dtype=np.uint8)
    position, value = 0, 0
    for run in rle_counts(rle["counts"]):
        flat[position : position + run] = value
        position, value = position + run, 1 - value
    return flat.reshape(width, height).T


def encode(mask):
    """HxW bool -> COCO compressed RLE."""
    flat = np.asarray(mask, dtype=np.uint8).T.reshape(-1)
    changes = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate([[0], changes, [flat.size]])
    runs = list(np.diff(bounds))
    if flat.size and flat[0] == 1:
        runs = [0] + runs
    text = []
    for i, run in enumerate(runs):
        x = int(run) - (int(runs[i - 2]) if i > 2 else 0)
        more = True
        while more:
            c = x & 0x1F
            x >>= 5
            more = x != -1 if c & 0x10 else x != 0
            if more:
                c |= 0x20
            text.append(chr(c + 48))
    return {"size": [int(mask.shape[0]), int(mask.shape[1])], "counts": "".join(text)}


def load(json_path, image_dir):
    data = json.loads(Path(json_path).read_text())
    by_image = {}
    for annotation in data["annotations"]:
        by_image.setdefault(annotation["image_id"], []).append(annotation)
    return data, [(image, by_image.get(image["id"], [])) for image in data["images"]], Path(image_dir)


def image_tensor(path):
    return torch.from_numpy(np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255).permute(2, 0, 1)


def sample(image, annotations, image_dir, flip):
    pixels = image_tensor(image_dir / image["file_name"])
    kept = [a for a in annotations if not a.get("iscrowd") and a["bbox"][2] > 0 and a["bbox"][3] > 0]
    boxes = torch.tensor([[a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2], a["bbox"][1] + a["bbox"][3]]
                          for a in kept], dtype=torch.float32)
    masks = torch.from_numpy(np.stack([decode(a["segmentation"]) for a in kept]))
    labels = torch.tensor([a["category_id"] for a in kept])
    if flip:
        width = pixels.shape[2]
        pixels, masks = pixels.flip(2), masks.flip(2)
        boxes = torch.stack([width - boxes[:, 2], boxes[:, 1], width - boxes[:, 0], boxes[:, 3]], 1)
    return pixels, {"boxes": boxes, "labels": labels, "masks": masks}


def main():
    parser = argparse.ArgumentParser()
    for name in ("train-json", "train-images", "val-json", "val-images", "out", "lr-steps"):
        parser.add_argument(f"--{name}", required=True)
    for name, default in (("iterations", 600), ("warmup-iters", 100), ("batch-size", 4), ("threads", 1), ("seed", 0)):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--min-sizes", default="224,256,288")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    data, train, train_dir = load(args.train_json, args.train_images)
    train = [entry for entry in train if entry[1]]  # as torchvision's references: images with objects
    num_classes = 1 + max(c["id"] for c in data["categories"])
    model = default_model(num_classes=num_classes, min_size=256, max_size=480, test_proposals=500)
    min_sizes = [int(s) for s in args.min_sizes.split(",")]
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(parameters, lr=args.lr, momentum=0.9, weight_decay=1e-4)
    steps = [int(s) for s in args.lr_steps.split(",")]

    def factor(iteration):
        warm = 1.0
        if iteration < args.warmup_iters:
            alpha = iteration / args.warmup_iters
            warm = 0.001 * (1 - alpha) + alpha
        return warm * 0.1 ** sum(iteration >= s for s in steps)

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    model.train()
    order, times, log = [], [], []
    for iteration in range(args.iterations):
        start = time.perf_counter()
        batch = []
        for _ in range(args.batch_size):
            if not order:
                order = list(range(len(train)))
                rng.shuffle(order)
            image, annotations = train[order.pop()]
            batch.append(sample(image, annotations, train_dir, rng.random() < 0.5))
        model.transform.min_size = (rng.choice(min_sizes),)
        losses = model([b[0] for b in batch], [b[1] for b in batch])
        total = sum(losses.values())
        optimizer.zero_grad()
        total.backward()
        torch.nn.utils.clip_grad_norm_(parameters, 10.0)
        optimizer.step()
        scheduler.step()
        times.append(time.perf_counter() - start)
        log.append(float(total))
        if (iteration + 1) % 20 == 0:
            print(f"[{iteration + 1}/{args.iterations}] loss {statistics.mean(log[-20:]):.4f} "
                  f"{statistics.median(times[-20:]):.2f} s/it", flush=True)
    model.eval()
    model.transform.min_size = (min_sizes[-1],)  # torchvision evaluates at the last training size, as ours does
    _, val, val_dir = load(args.val_json, args.val_images)
    results = []
    with torch.no_grad():
        for image, _ in val:
            output = model([image_tensor(val_dir / image["file_name"])])[0]
            for box, score, label, mask in zip(output["boxes"], output["scores"], output["labels"], output["masks"]):
                x1, y1, x2, y2 = (float(v) for v in box)
                results.append({"image_id": image["id"], "category_id": int(label), "score": float(score),
                                "bbox": [x1, y1, x2 - x1, y2 - y1], "segmentation": encode(mask[0].numpy() > 0.5)})
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results))
    (out / "train.json").write_text(json.dumps({"seconds_per_iteration": statistics.median(times), "losses": log,
                                                "iterations": args.iterations}))
    print(f"median {statistics.median(times):.2f} s/it; last 100 iterations' mean loss {statistics.mean(log[-100:]):.4f}")


if __name__ == "__main__":
    main()
