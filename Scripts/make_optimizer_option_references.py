#!/usr/bin/env python3
"""References for the original optimizer flags that `deberta train` / `deberta pretrain` accept:
`--opt_type admax`, `--with_radam True`, `--lookahead_k/--lookahead_alpha`, `--lr_schedule_ends`,
`--adam_beta1/--adam_beta2` and `--lr_schedule warmup_cyclic_linear_cosine`.

Runs the original code itself — XAdam (DeBERTa/optims/xadam.py), its schedules
(lr_schedulers.py) and Fp16Optimizer (fp16_optimizer.py, which does Lookahead) — from a checkout of
github.com/microsoft/DeBERTa (4d7fe0b, the newest at the time), on CPU with torch 2.15.0:

    git clone https://github.com/microsoft/DeBERTa /tmp/DeBERTa-original   # or any checkout
    /work/oracle/venv/bin/python Scripts/make_optimizer_option_references.py /tmp/DeBERTa-original

The original calls `torch.cuda.device(param.device.index)` around each update, which fails without a
GPU; it is replaced by a no-op context here (it only selects the device). Each run updates two
parameters (`w` [4, 5], `b` [5], one group with weight decay 0.01) for 12 steps of a 12-step schedule
with warm-up 0.25, from seeded gradients whose global norm stays below max_grad_norm 1 (so clipping,
tested elsewhere, never acts), at learning rate 0.01.

Writes Tests/References/optimizer/optimizer_options.safetensors: `init.w`, `init.b`, `grad<k>.w`,
`grad<k>.b` (k = 0…11) and, per run R, `R.step<k>.w` / `R.step<k>.b` (weights after update k) and
`R.lr` [12] (the schedule's multiplier at each update); the runs' settings are in the metadata.
"""
import contextlib
import json
import os
import sys

import torch

RUNS = {
    "admax": dict(opt_type="admax"),
    "radam": dict(with_radam=True),
    "lookahead": dict(lookahead_k=3, lookahead_alpha=0.4),
    "ends_betas": dict(lr_schedule_ends=0.1, b1=0.8, b2=0.99),
    "cyclic": dict(schedule="warmup_cyclic_linear_cosine", lr_schedule_ends=0.05),
}
STEPS, LR, WARMUP, EPS, WD = 12, 0.01, 0.25, 1e-6, 0.01


def main(checkout):
    sys.path.insert(0, checkout)
    torch.cuda.device = lambda index: contextlib.nullcontext()
    from DeBERTa.optims import XAdam, Fp16Optimizer  # noqa: E402

    g = torch.Generator().manual_seed(14)
    init = {"w": torch.randn(4, 5, generator=g), "b": torch.randn(5, generator=g)}
    grads = []
    for _ in range(STEPS):
        gw, gb = torch.randn(4, 5, generator=g), torch.randn(5, generator=g)
        norm = torch.cat([gw.flatten(), gb]).norm()
        grads.append({"w": gw * (0.5 / norm), "b": gb * (0.5 / norm)})
    out = {"init." + k: v.clone() for k, v in init.items()}
    for k, gr in enumerate(grads):
        for n, v in gr.items():
            out[f"grad{k}.{n}"] = v.clone()

    for name, run in RUNS.items():
        w = torch.nn.Parameter(init["w"].clone())
        b = torch.nn.Parameter(init["b"].clone())
        groups = [{"params": [w, b], "names": ["w", "b"], "weight_decay_rate": WD}]

        def optimizer_fn(param_groups, max_grad_norm=None):
            return XAdam(param_groups, lr=LR, b1=run.get("b1", 0.9), b2=run.get("b2", 0.999),
                         lr_ends=run.get("lr_schedule_ends", 0), e=EPS, warmup=WARMUP, t_total=STEPS,
                         schedule=run.get("schedule", "warmup_linear"), max_grad_norm=1.0, weight_decay_rate=WD,
                         with_radam=run.get("with_radam", False), opt_type=run.get("opt_type", "adam"), rank=-1)

        opt = Fp16Optimizer(groups, optimizer_fn, None, 1.0, lookahead_k=run.get("lookahead_k", -1),
                            lookahead_alpha=run.get("lookahead_alpha", 0.5))
        lrs = []
        for k, gr in enumerate(grads):
            opt.zero_grad()
            w.grad, b.grad = gr["w"].clone(), gr["b"].clone()
            assert opt.step(1, 1)
            lrs.append(opt.optimizer.get_group_lr_sch(opt.param_groups[0], k))
            out[f"{name}.step{k}.w"] = w.detach().clone()
            out[f"{name}.step{k}.b"] = b.detach().clone()
        out[f"{name}.lr"] = torch.tensor(lrs, dtype=torch.float64)

    from safetensors.torch import save_file
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(root, "Tests", "References", "optimizer", "optimizer_options.safetensors")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    settings = {"steps": STEPS, "lr": LR, "warmup": WARMUP, "epsilon": EPS, "weight_decay": WD, "runs": RUNS}
    save_file({k: v.contiguous() for k, v in out.items()}, path, metadata={"settings": json.dumps(settings, sort_keys=True)})
    print(f"wrote {path}: {len(out)} tensors")


if __name__ == "__main__":
    main(sys.argv[1])
