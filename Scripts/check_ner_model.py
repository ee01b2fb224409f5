#!/usr/bin/env python3
"""Checks that an NER model folder written by `deberta train --task_name NER` (OUTPUT/model) loads in
transformers as a token classifier and gives the same logits as the Swift implementation (never run by CI).

Usage: python Scripts/check_ner_model.py MODEL_DIR CONLL_FILE [--deberta .build/release/deberta] [--limit 64]

Encodes the file's first sentences with transformers' token-classification preprocessing
(`tokenizer(words, is_split_into_words=True)` with the folder's own tokenizer), runs
AutoModelForTokenClassification.from_pretrained(MODEL_DIR) and `deberta forward --model MODEL_DIR`
on the same padded batch, and prints the largest |logit difference| over real tokens (fails above
1e-4), the arg-max agreement, and the folder's id2label.
"""
import argparse, os, subprocess, sys, tempfile
import numpy as np
import torch
from safetensors.numpy import load_file, save_file
from transformers import AutoModelForTokenClassification, AutoTokenizer

ap = argparse.ArgumentParser()
ap.add_argument("model_dir")
ap.add_argument("conll_file")
ap.add_argument("--deberta", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "deberta"))
ap.add_argument("--limit", type=int, default=64)
a = ap.parse_args()

sentences, words = [], []
for line in open(a.conll_file, encoding="utf-8"):
    fields = line.split()
    if not fields or fields[0] == "-DOCSTART-":
        if words:
            sentences.append(words)
        words = []
        if len(sentences) == a.limit:
            break
    else:
        words.append(fields[0])
if words and len(sentences) < a.limit:
    sentences.append(words)

tokenizer = AutoTokenizer.from_pretrained(a.model_dir)
encoded = [tokenizer(s, is_split_into_words=True, truncation=True, max_length=128)["input_ids"] for s in sentences]
n = max(map(len, encoded))
ids = np.zeros((len(encoded), n), dtype=np.int64)
mask = np.zeros_like(ids)
for i, e in enumerate(encoded):
    ids[i, :len(e)] = e
    mask[i, :len(e)] = 1
types = np.zeros_like(ids)

model = AutoModelForTokenClassification.from_pretrained(a.model_dir).eval()
with torch.no_grad():
    hf = model(input_ids=torch.tensor(ids), attention_mask=torch.tensor(mask), token_type_ids=torch.tensor(types)).logits.numpy()

with tempfile.TemporaryDirectory() as tmp:
    save_file({"input_ids": ids, "attention_mask": mask, "token_type_ids": types}, os.path.join(tmp, "in.safetensors"))
    subprocess.run([a.deberta, "forward", "--model", a.model_dir, "--inputs", os.path.join(tmp, "in.safetensors"),
                    "--output", os.path.join(tmp, "out.safetensors")], check=True)
    ours = load_file(os.path.join(tmp, "out.safetensors"))["logits"]

real = mask.astype(bool)
diff = float(np.abs(hf - ours)[real].max())
agree = float((hf.argmax(-1) == ours.argmax(-1))[real].mean())
print(f"{len(encoded)} sentences, {model.__class__.__name__}, id2label {model.config.id2label}")
print(f"logits max |transformers - swift| over real tokens = {diff:.3e}, arg-max agreement {agree:.4f}")
sys.exit(0 if diff <= 1e-4 else 1)
