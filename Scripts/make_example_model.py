#!/usr/bin/env python3
"""Builds Examples/deberta-v3-tiny: the shared `deberta-v3-tiny` fixture (random weights, made by
../shared/tools/oracle/make_fixtures.py) as a sequence-classification folder, plus example inputs.

Usage: python Scripts/make_example_model.py [FIXTURES_DIR]   (needs numpy + safetensors only)
"""
import json, os, sys
import numpy as np
from safetensors.numpy import load_file, save_file

here = os.path.dirname(os.path.abspath(__file__))
fixtures = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared", "fixtures")
src = os.path.join(fixtures, "deberta-v3-tiny")
dst = os.path.join(here, "..", "Examples", "deberta-v3-tiny")
os.makedirs(dst, exist_ok=True)

tensors = {k: v for k, v in load_file(os.path.join(src, "model.safetensors")).items() if not k.startswith("lm_predictions.")}
for k, v in load_file(os.path.join(src, "heads.safetensors")).items():
    if k.startswith("seqcls3."):
        tensors[k[len("seqcls3."):]] = v
save_file(tensors, os.path.join(dst, "model.safetensors"), metadata={"format": "pt"})

config = json.load(open(os.path.join(src, "config.json")))
config["architectures"] = ["DebertaV2ForSequenceClassification"]
config["id2label"] = {"0": "contradiction", "1": "neutral", "2": "entailment"}
config["label2id"] = {v: int(k) for k, v in config["id2label"].items()}
json.dump(config, open(os.path.join(dst, "config.json"), "w"), indent=2, sort_keys=True)

ref = load_file(os.path.join(src, "reference.safetensors"))
save_file({"input_ids": ref["input_ids"], "attention_mask": ref["attention_mask"], "labels": ref["seqcls3.labels"]},
          os.path.join(dst, "inputs.safetensors"))
print("wrote", dst)
