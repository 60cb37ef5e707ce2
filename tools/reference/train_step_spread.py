"""How far torch's own training step (gen_train_step.py's fixtures) moves when only rounding
changes: the same step on 1 thread against 2 (another summation order in the convolutions' and
matmuls' reductions), with oneDNN's convolutions against torch's own (im2col + BLAS: another
algorithm, another order throughout), with every input pixel moved by up to 1e-6 of itself (how
much the step amplifies a rounding-sized change: proposals and draws replayed, as the TypeScript
test replays torch's, so only the network's own arithmetic moves). Not float64: even with the
draws replayed, its RPN gradients differ by O(1) (presumably the anchors' labels, which come from
IoU comparisons, are decided differently). Each gradient is summarised and compared as
@rcnn/models' train-step check does (norm's relative error; each projection's error over
norm / sqrt(3)). The largest of these is the floor for a tolerance on another implementation:
ours cannot be asked to agree with torch better than torch agrees with itself.
Usage: /usr/bin/python3 tools/reference/train_step_spread.py [VARIANT ...]   (default: every one)
"""
import math
import sys

import torch

import detweights
from gen_train_step import VARIANTS, Recorder, build, images, summary, targets


class Replayer:
    """A sampler that returns the draws a Recorder kept, instead of drawing."""

    def __init__(self, drawn):
        self.drawn = drawn

    def __call__(self, matched_idxs):
        def mask(like, indices):
            out = torch.zeros_like(like, dtype=torch.uint8)
            out[torch.from_numpy(indices).long()] = 1
            return out

        return ([mask(m, p) for m, (p, _) in zip(matched_idxs, self.drawn)],
                [mask(m, n) for m, (_, n) in zip(matched_idxs, self.drawn)])


def gradients(variant, threads, replay=None, onednn=True, nudge=0.0):
    """Parameter gradient summaries of one step, and what to replay it with (proposals and draws)."""
    family, depth, norm, trainable_layers = VARIANTS[variant]
    torch.set_num_threads(threads)
    torch.backends.mkldnn.enabled = onednn
    torch.manual_seed(0)  # the samplers' draws, as gen_train_step.run
    model = build(family, depth, norm, trainable_layers)
    detweights.fill_module(model)
    model.train()
    if replay is None:
        model.rpn.fg_bg_sampler = Recorder(model.rpn.fg_bg_sampler)
        model.roi_heads.fg_bg_sampler = Recorder(model.roi_heads.fg_bg_sampler)
        proposals = []
        model.rpn.register_forward_hook(lambda m, i, o: proposals.extend(p.detach().clone() for p in o[0]))
    else:
        proposals, rpn_drawn, roi_drawn = replay
        model.rpn.fg_bg_sampler = Replayer(rpn_drawn)
        model.roi_heads.fg_bg_sampler = Replayer(roi_drawn)
        model.rpn.register_forward_hook(lambda m, i, o: (proposals, o[1]))
    batch = images()
    if nudge:  # every pixel times (1 + nudge * u), u uniform in [-1, 1] (a fixed draw)
        generator = torch.Generator().manual_seed(1)
        batch = [image * (1 + nudge * (2 * torch.rand(image.shape, generator=generator) - 1)) for image in batch]
    losses = model(batch, targets(family))
    sum(losses.values()).backward()
    summaries = {name: summary(name, p.grad) for name, p in model.named_parameters() if p.grad is not None}
    if replay is None:
        replay = (proposals, model.rpn.fg_bg_sampler.drawn, model.roi_heads.fg_bg_sampler.drawn)
    return summaries, replay


def worst(reference, other):
    """(error, parameter and metric) of the largest summary disagreement, as the TypeScript check measures it."""
    found = (0.0, "")
    for name, ref in reference.items():
        if ref["norm"] < 1e-6:  # zero in exact arithmetic (the check's ZERO_GRADIENT_NORM)
            continue
        got = other[name]
        scale = ref["norm"] / math.sqrt(3)
        errors = [(abs(got["norm"] - ref["norm"]) / ref["norm"], f"{name} norm")]
        errors += [(abs(got["projections"][k] - ref["projections"][k]) / scale, f"{name} projection {k}") for k in range(2)]
        found = max([found, *errors])
    return found


if __name__ == "__main__":
    for variant in sys.argv[1:] or VARIANTS:
        fixture, replay = gradients(variant, 1)  # how the fixtures are made
        threads = worst(fixture, gradients(variant, 2, replay)[0])
        unfused = worst(fixture, gradients(variant, 1, replay, onednn=False)[0])
        nudged = worst(fixture, gradients(variant, 1, replay, nudge=1e-6)[0])
        print(f"{variant}: 1 vs 2 threads {threads[0]:.2g} ({threads[1]}); oneDNN vs torch's own convolutions "
              f"{unfused[0]:.2g} ({unfused[1]}); pixels moved by 1e-6 {nudged[0]:.2g} ({nudged[1]})", flush=True)
