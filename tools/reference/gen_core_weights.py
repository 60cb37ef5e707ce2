"""Cross-check of the deterministic generator: a few entries the TS side must reproduce bit for bit."""
import numpy as np

import detweights
from fixture_io import repo_path, write_fixture

ENTRIES = {
    "backbone.body.conv1.weight": (64, 3, 7, 7),
    "backbone.body.bn1.running_var": (64,),
    "backbone.body.bn1.running_mean": (64,),
    "backbone.body.bn1.weight": (64,),
    "rpn.head.conv.0.0.bias": (256,),
    "roi_heads.box_head.fc6.weight": (4, 12544),
    "ünïcode/name": (3, 5),
}


def main() -> None:
    tensors = {name: detweights.weight(name, shape) for name, shape in ENTRIES.items()}
    tensors["image/uniform01"] = detweights.tensor("image/uniform01", [2, 3, 4], 0.0, 1.0)
    hashes = {name: detweights.fnv1a32(name) for name in ENTRIES}
    write_fixture(repo_path("packages/core/src/weights/__fixtures__/deterministic.safetensors"), tensors, {"fnv1a32": hashes})


if __name__ == "__main__":
    main()
