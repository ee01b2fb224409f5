#!/usr/bin/env python3
"""Checks that a model folder written by `deberta train` (OUTPUT/model) loads in transformers and gives
the same logits as the Swift implementation, on a GLUE dev file (never run by CI).

Usage: python Scripts/check_saved_model.py MODEL_DIR GLUE_TASK_DIR [--deberta .build/release/deberta] [--max-len 128]

Builds `[CLS] A [SEP] B [SEP]` inputs with the folder's own spm.model (sentencepiece), runs
AutoModelForSequenceClassification.from_pretrained(MODEL_DIR) and `deberta forward --model MODEL_DIR`
on the same batch, and prints the largest |logit difference| (fails above 1e-4).
"""
import argparse, os, subprocess, sys, tempfile
import numpy as np
import sentencepiece as spm
import torch
from safetensors.numpy import load_file, save_file
from transformers import AutoModelForSequenceClassification

ap = argparse.ArgumentParser()
ap.add_argument("model_dir")
ap.add_argument("task_dir")
ap.add_argument("--deberta", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "deberta"))
ap.add_argument("--max-len", type=int, default=128)
ap.add_argument("--limit", type=int, default=0)
a = ap.parse_args()

sp = spm.SentencePieceProcessor(model_file=os.path.join(a.model_dir, "spm.model"))
rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(a.task_dir, "dev.tsv"), encoding="utf-8-sig")][1:]
if a.limit: rows = rows[:a.limit]
seqs = []
for r in rows:
    ta, tb = sp.encode(r[1]), sp.encode(r[2])
    while len(ta) + len(tb) > a.max_len - 3:
        (ta if len(ta) >= len(tb) else tb).pop()
    seqs.append(([1] + ta + [2] + tb + [2], [0] * (len(ta) + 2) + [1] * (len(tb) + 1)))
n = max(len(s) for s, _ in seqs)
ids = np.zeros((len(seqs), n), dtype=np.int64); mask = np.zeros_like(ids); types = np.zeros_like(ids)
for i, (s, t) in enumerate(seqs):
    ids[i, :len(s)] = s; mask[i, :len(s)] = 1; types[i, :len(s)] = t

model = AutoModelForSequenceClassification.from_pretrained(a.model_dir).eval()
with torch.no_grad():
    hf = model(input_ids=torch.tensor(ids), attention_mask=torch.tensor(mask), token_type_ids=torch.tensor(types)).logits.numpy()

with tempfile.TemporaryDirectory() as tmp:
    save_file({"input_ids": ids, "attention_mask": mask, "token_type_ids": types}, os.path.join(tmp, "in.safetensors"))
    subprocess.run([a.deberta, "forward", "--model", a.model_dir, "--inputs", os.path.join(tmp, "in.safetensors"),
                    "--output", os.path.join(tmp, "out.safetensors")], check=True)
    ours = load_file(os.path.join(tmp, "out.safetensors"))["logits"]

diff = float(np.abs(hf - ours).max())
print(f"{len(seqs)} examples, {model.__class__.__name__}, logits max |transformers - swift| = {diff:.3e}, "
      f"argmax agreement {float((hf.argmax(-1) == ours.argmax(-1)).mean()):.4f}")
sys.exit(0 if diff <= 1e-4 else 1)
