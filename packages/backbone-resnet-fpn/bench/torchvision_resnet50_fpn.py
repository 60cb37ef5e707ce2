"""torchvision's ResNet-50-FPN forward, timed per stage; spawned by resnet50-fpn-bench.ts.

Usage: python3 torchvision_resnet50_fpn.py SIZE RUNS THREADS [ARCH]
Prints one JSON object: median milliseconds per stage and in total. Weights are the same
deterministic values the TypeScript side uses (tools/reference/detweights.py), so both
run on identical numbers (no denormal or zero-weight shortcuts on either side).
"""
import json
import os
import statistics
import sys
import time
from collections import OrderedDict

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools", "reference"))
import detweights  # noqa: E402
from torchvision.models.detection.backbone_utils import resnet_fpn_backbone  # noqa: E402


def main() -> None:
    size, runs, threads = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    arch = sys.argv[4] if len(sys.argv) > 4 else "resnet50"
    torch.set_num_threads(threads)
    model = resnet_fpn_backbone(backbone_name=arch, weights=None, trainable_layers=3)
    detweights.fill_module(model, prefix="backbone.")
    model.eval()
    body = model.body
    x = torch.from_numpy(detweights.tensor("bench/input", [1, 3, size, size]))

    def stages():
        times = {}
        start = time.perf_counter()
        y = body.maxpool(body.relu(body.bn1(body.conv1(x))))
        times["stem"] = time.perf_counter() - start
        features = OrderedDict()
        for k in range(1, 5):
            start = time.perf_counter()
            y = getattr(body, f"layer{k}")(y)
            times[f"layer{k}"] = time.perf_counter() - start
            features[str(k - 1)] = y
        start = time.perf_counter()
        model.fpn(features)
        times["fpn"] = time.perf_counter() - start
        return times

    with torch.inference_mode():
        for _ in range(2):
            model(x)
        totals = []
        for _ in range(runs):
            start = time.perf_counter()
            model(x)
            totals.append(time.perf_counter() - start)
        per_stage = [stages() for _ in range(runs)]
    result = {
        "threads": torch.get_num_threads(),
        "totalMs": statistics.median(totals) * 1e3,
        "stagesMs": {k: statistics.median(s[k] for s in per_stage) * 1e3 for k in per_stage[0]},
        "torch": torch.__version__,
        "mkldnn": torch.backends.mkldnn.is_available(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
