"""torchvision's ResNet-FPN forward, timed per stage, as a line server for resnet50-fpn-bench.ts.

Usage: python3 torchvision_resnet50_fpn.py SIZE THREADS [ARCH]
Prints {"ready": ...} once the model is built and warmed up, then answers each stdin line
`total` or `stages` with one JSON line of milliseconds, so the TypeScript side can interleave
its runs with ours (both then see the same machine load). Weights are the deterministic values
the TypeScript side uses (tools/reference/detweights.py): identical numbers on both sides.
"""
import json
import os
import sys
import time
from collections import OrderedDict

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools", "reference"))
import detweights  # noqa: E402
from torchvision.models.detection.backbone_utils import resnet_fpn_backbone  # noqa: E402


def main() -> None:
    size, threads = int(sys.argv[1]), int(sys.argv[2])
    arch = sys.argv[3] if len(sys.argv) > 3 else "resnet50"
    torch.set_num_threads(threads)
    model = resnet_fpn_backbone(backbone_name=arch, weights=None, trainable_layers=3)
    detweights.fill_module(model, prefix="backbone.")
    model.eval()
    body = model.body
    x = torch.from_numpy(detweights.tensor("bench/input", [1, 3, size, size]))

    def total():
        start = time.perf_counter()
        model(x)
        return {"totalMs": (time.perf_counter() - start) * 1e3}

    def stages():
        times = {}
        start = time.perf_counter()
        y = body.maxpool(body.relu(body.bn1(body.conv1(x))))
        times["stem"] = (time.perf_counter() - start) * 1e3
        features = OrderedDict()
        for k in range(1, 5):
            start = time.perf_counter()
            y = getattr(body, f"layer{k}")(y)
            times[f"layer{k}"] = (time.perf_counter() - start) * 1e3
            features[str(k - 1)] = y
        start = time.perf_counter()
        model.fpn(features)
        times["fpn"] = (time.perf_counter() - start) * 1e3
        return times

    with torch.inference_mode():
        for _ in range(2):
            model(x)
        ready = {"ready": True, "threads": torch.get_num_threads(), "torch": torch.__version__}
        print(json.dumps(ready), flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "total":
                print(json.dumps(total()), flush=True)
            elif command == "stages":
                print(json.dumps(stages()), flush=True)
            elif command == "quit":
                break


if __name__ == "__main__":
    main()
