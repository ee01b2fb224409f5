#!/usr/bin/env python3
"""Reference fine-tuning trajectories for Tests/TrainingTests (never run by CI).

Fine-tunes the shared v3-tiny and v1-tiny fixture models (../shared/fixtures) for 30 steps on fixed
batches of real RTE (2-way classification) and STS-B (regression) examples from ../shared/data/glue,
with dropout 0, the original app's `warmup_linear` schedule and no-decay groups (`bias`,
`LayerNorm.weight`), global-norm clipping at 1.0, and either torch.optim.AdamW or the original XAdam
(no bias correction; written out below from the original algorithm), optionally with gradient
accumulation over 2 chunks. Token ids come from the v3-style SentencePiece model in
../shared/data/tokenizers, folded into the tiny models' 128-row vocabulary (ids 3..127), with
[CLS] 1, [SEP] 2, pad 0.

Writes Tests/TrainingTests/Resources/trajectory.safetensors: for each run R, `R.init.<param>` (the
starting weights incl. the freshly initialised head), `R.step<k>.input_ids|attention_mask|labels`
and `R.losses` [30]; the run settings are in the metadata (JSON).

Usage: /path/to/venv/bin/python Scripts/make_trajectory_reference.py
"""
import json, math, os, random
import numpy as np
import sentencepiece as spm
import torch
from safetensors.numpy import save_file
from transformers import DebertaForSequenceClassification, DebertaV2ForSequenceClassification, AutoConfig

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared")
STEPS, BATCH, MAXLEN, LR, WARMUP = 30, 4, 24, 1e-3, 0.1
torch.set_num_threads(1)


def read_pairs(task):
    path = os.path.join(SHARED, "data", "glue", task, "train.tsv")
    rows = [l.rstrip("\n").split("\t") for l in open(path, encoding="utf-8-sig")][1:]
    if task == "RTE":
        return [(r[1], r[2], 1 if r[3] == "entailment" else 0) for r in rows]  # original order: not_entailment, entailment
    return [(r[7], r[8], float(r[9])) for r in rows]


def encode(sp, a, b):
    ta = [3 + i % 125 for i in sp.encode(a)]
    tb = [3 + i % 125 for i in sp.encode(b)]
    while len(ta) + len(tb) > MAXLEN - 3:
        if len(ta) >= len(tb): ta.pop()
        else: tb.pop()
    return [1] + ta + [2] + tb + [2]


def batches(task, sp):
    pairs = read_pairs(task)
    rng = random.Random(7)
    rng.shuffle(pairs)
    out = []
    for k in range(STEPS):
        chunk = pairs[k * BATCH:(k + 1) * BATCH]
        ids = [encode(sp, a, b) for a, b, _ in chunk]
        n = max(len(x) for x in ids)
        input_ids = np.array([x + [0] * (n - len(x)) for x in ids], dtype=np.int64)
        mask = (input_ids != 0).astype(np.int64)
        labels = np.array([y for _, _, y in chunk], dtype=np.int64 if task == "RTE" else np.float32)
        out.append((input_ids, mask, labels))
    return out


def warmup_linear(step, total, warmup):
    x = step / total
    x = x - int(x)
    return x / warmup if x < warmup else 1.0 - x


def decays(name):
    return not ("bias" in name or "LayerNorm.weight" in name)


def xadam_step(params, state, lr, grad_scale=1.0, b1=0.9, b2=0.999, eps=1e-6, wd=0.01):
    with torch.no_grad():
        for name, p in params:
            if p.grad is None: continue
            m, v = state.setdefault(name, (torch.zeros_like(p), torch.zeros_like(p)))
            g = p.grad / grad_scale
            m.mul_(b1).add_(g, alpha=1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            u = m / (v.sqrt() + eps)
            if decays(name): u.add_(p, alpha=wd)
            p.add_(u, alpha=-lr)


def run(model_name, task, optimizer, accumulate):
    folder = os.path.join(SHARED, "fixtures", model_name)
    cfg = AutoConfig.from_pretrained(folder)
    cfg.hidden_dropout_prob = cfg.attention_probs_dropout_prob = 0.0
    cfg.cls_dropout = 0.0
    cfg.pooler_dropout = 0.0
    cfg.num_labels = 2 if task == "RTE" else 1
    cls = DebertaForSequenceClassification if cfg.model_type == "deberta" else DebertaV2ForSequenceClassification
    torch.manual_seed(11)
    model = cls.from_pretrained(folder, config=cfg)
    model.train()
    init = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    sp = spm.SentencePieceProcessor(model_file=os.path.join(SHARED, "data", "tokenizers", "deberta-v3-style", "spm.model"))
    data = batches(task, sp)
    named = [(n, p) for n, p in model.named_parameters()]
    if optimizer == "adamw":
        groups = [{"params": [p for n, p in named if decays(n)], "weight_decay": 0.01},
                  {"params": [p for n, p in named if not decays(n)], "weight_decay": 0.0}]
        opt = torch.optim.AdamW(groups, lr=LR, betas=(0.9, 0.999), eps=1e-6)
    state = {}
    losses = []
    for k, (ids, mask, labels) in enumerate(data):
        lr = LR * warmup_linear(k, STEPS, WARMUP)
        model.zero_grad()
        total = 0.0
        rows = np.array_split(np.arange(len(ids)), accumulate)
        for r in rows:
            out = model(input_ids=torch.tensor(ids[r]), attention_mask=torch.tensor(mask[r]), labels=torch.tensor(labels[r]))
            (out.loss / accumulate).backward()
            total += out.loss.item() / accumulate
        losses.append(total)
        norm = math.sqrt(sum(float((p.grad.double() ** 2).sum()) for _, p in named if p.grad is not None))
        scale = max(1.0, norm / 1.0)
        if optimizer == "adamw":
            for _, p in named:
                if p.grad is not None: p.grad.div_(scale)
            for g in opt.param_groups: g["lr"] = lr
            opt.step()
        else:
            xadam_step(named, state, lr, grad_scale=scale)
    result = {f"init.{k}": v for k, v in init.items() if not k.endswith("position_ids")}
    for k, (ids, mask, labels) in enumerate(data):
        result[f"step{k}.input_ids"] = ids
        result[f"step{k}.attention_mask"] = mask
        result[f"step{k}.labels"] = labels
    result["losses"] = np.array(losses, dtype=np.float64)
    return result, cfg


def main():
    runs = [("v3_rte_adamw", "deberta-v3-tiny", "RTE", "adamw", 1),
            ("v3_stsb_xadam", "deberta-v3-tiny", "STS-B", "xadam", 1),
            ("v3_rte_xadam_acc2", "deberta-v3-tiny", "RTE", "xadam", 2),
            ("v1_rte_adamw", "deberta-v1-tiny", "RTE", "adamw", 1),
            ("v1_stsb_adamw", "deberta-v1-tiny", "STS-B", "adamw", 1)]
    tensors, meta = {}, {}
    for name, model, task, opt, acc in runs:
        result, cfg = run(model, task, opt, acc)
        for k, v in result.items():
            tensors[f"{name}.{k}"] = np.ascontiguousarray(v)
        meta[name] = {"fixture": model, "task": task, "optimizer": opt, "accumulative_update": acc,
                      "num_labels": cfg.num_labels, "steps": STEPS, "learning_rate": LR, "warmup": WARMUP,
                      "schedule": "warmup_linear", "max_grad_norm": 1.0, "epsilon": 1e-6, "weight_decay": 0.01}
        print(name, "losses", [round(x, 5) for x in result["losses"][:5]], "...", round(result["losses"][-1], 5))
    out = os.path.join(HERE, "..", "Tests", "TrainingTests", "Resources", "trajectory.safetensors")
    save_file(tensors, out, metadata={"runs": json.dumps(meta), "torch": torch.__version__})
    print("wrote", out, os.path.getsize(out), "bytes")


if __name__ == "__main__":
    main()
