"""Optimizer and schedule fixtures for @rcnn/train (packages/train/src/optim/__fixtures__/sgd.safetensors).

torch.optim.SGD (momentum, dampening 0, weight decay, nesterov), torch.nn.utils.clip_grad_norm_
and the schedulers torchvision's references/detection/train.py uses (LinearLR warm-up chained with
MultiStepLR, stepped every iteration; CosineAnnealingLR), run by torch 1.13 itself on three
parameters of different ranks for a dozen steps of given gradients. One run ("a") clips and leaves
one parameter without a gradient at one step (torch skips it); the other ("b") is nesterov + cosine.
Recorded per step: the learning rate used, the total gradient norm, and every parameter after the step.
"""
import numpy as np
import torch

import detweights
from fixture_io import repo_path, write_fixture

OUT = "packages/train/src/optim/__fixtures__/sgd.safetensors"
SHAPES = {"head.fc.weight": [4, 3], "head.fc.bias": [5], "body.conv.weight": [2, 3, 2, 2]}
STEPS = 12
RUNS = {
    "a": dict(lr=0.02, momentum=0.9, weight_decay=1e-4, nesterov=False, max_norm=1.0,
              warmup_iters=5, warmup_factor=0.001, milestones=[6, 9], gamma=0.1, cosine=None,
              skip={2: "head.fc.bias"}),
    "b": dict(lr=0.05, momentum=0.8, weight_decay=5e-4, nesterov=True, max_norm=None,
              warmup_iters=0, warmup_factor=1.0, milestones=[], gamma=0.1, cosine=dict(t_max=12, eta_min=0.001),
              skip={}),
}


def run(name: str, config: dict, tensors: dict) -> dict:
    params = {k: torch.nn.Parameter(torch.from_numpy(detweights.tensor(f"{k}/init", s, -1.0, 1.0).copy()))
              for k, s in SHAPES.items()}
    for k, p in params.items():
        tensors[f"{name}/init/{k}"] = p.detach().numpy().copy()
    opt = torch.optim.SGD(list(params.values()), lr=config["lr"], momentum=config["momentum"], dampening=0,
                          weight_decay=config["weight_decay"], nesterov=config["nesterov"])
    schedulers = []
    if config["warmup_iters"] > 0:
        schedulers.append(torch.optim.lr_scheduler.LinearLR(opt, start_factor=config["warmup_factor"],
                                                            total_iters=config["warmup_iters"]))
    if config["milestones"]:
        schedulers.append(torch.optim.lr_scheduler.MultiStepLR(opt, milestones=config["milestones"],
                                                               gamma=config["gamma"]))
    if config["cosine"]:
        schedulers.append(torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=config["cosine"]["t_max"],
                                                                     eta_min=config["cosine"]["eta_min"]))
    lrs, norms = [], []
    for step in range(STEPS):
        opt.zero_grad(set_to_none=True)
        for k, p in params.items():
            if config["skip"].get(step) == k:
                tensors[f"{name}/grad/{step}/{k}"] = np.zeros(SHAPES[k], np.float32)
                continue
            # Gradients of a few units, so clipping at 1.0 bites.
            g = detweights.tensor(f"{name}/grad/{step}/{k}", SHAPES[k], -2.0, 2.0).copy()
            tensors[f"{name}/grad/{step}/{k}"] = g
            p.grad = torch.from_numpy(g.copy())
        if config["max_norm"] is not None:
            with_grad = [p for p in params.values() if p.grad is not None]
            norms.append(float(torch.nn.utils.clip_grad_norm_(with_grad, config["max_norm"])))
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        for s in schedulers:
            s.step()
        for k, p in params.items():
            tensors[f"{name}/after/{step}/{k}"] = p.detach().numpy().copy()
    tensors[f"{name}/lr"] = np.array(lrs, np.float64).astype(np.float32)
    meta = {k: v for k, v in config.items() if k != "skip"}
    meta["skip"] = {str(k): v for k, v in config["skip"].items()}
    meta["lr_float64"] = lrs
    meta["total_norm"] = norms
    return meta


def main() -> None:
    tensors: dict = {}
    metadata = {"steps": STEPS, "shapes": SHAPES}
    for name, config in RUNS.items():
        metadata[name] = run(name, config, tensors)
    # Longer schedules (lr values only), in float64: 3000 iterations as torchvision's references step them.
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.02)
    warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.001, total_iters=1000)
    multi = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[1600, 2400], gamma=0.1)
    long_lrs = []
    for _ in range(3000):
        long_lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        warm.step()
        multi.step()
    opt2 = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.02)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt2, T_max=3000, eta_min=0.0)
    cos_lrs = []
    for _ in range(3000):
        cos_lrs.append(opt2.param_groups[0]["lr"])
        opt2.step()
        cosine.step()
    metadata["long_step"] = {"lr": 0.02, "warmup_iters": 1000, "warmup_factor": 0.001,
                             "milestones": [1600, 2400], "gamma": 0.1, "values": long_lrs}
    metadata["long_cosine"] = {"lr": 0.02, "t_max": 3000, "eta_min": 0.0, "values": cos_lrs}
    write_fixture(repo_path(OUT), tensors, metadata)


if __name__ == "__main__":
    main()
