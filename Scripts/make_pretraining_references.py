#!/usr/bin/env python3
"""References for the Pretraining tests, made with Python's own `random`, numpy and sentencepiece
(independently of the Swift code): run with /work/oracle/venv/bin/python from the package root.

Writes Tests/PretrainingTests/Resources/:
  python_random.json     random.Random integer draws (getrandbits/randint/choice) and numpy's legacy
                         RandomState(0).shuffle permutations
  prepare_input.txt      a small raw text with awkward lines (\\r\\n, lone \\r, unknown characters,
                         blank lines, no final newline)
  prepare_expected.txt   what the original prepare_data.py writes for it at --max_seq_length 16:
                         sentencepiece pieces of every line (newline included, unknown pieces ->
                         [UNK]), one stream, 14 pieces per line
  samples.json           the original DynamicDataset + NGramMaskGenerator pipeline over
                         prepare_expected.txt: input ids and labels of samples 0..39 for the MLM
                         settings (max_gram 3, 80/10/10) and the RTD settings (max_gram 1, all [MASK])

The pipeline below is PRETRAINING.md sections 1-2 written out in Python (the original's
`DynamicDataset.__getitem__`, `_truncate_segments`, `NGramMaskGenerator.mask_tokens`).
"""
import bisect
import json
import math
import os
import random
import sys
import unicodedata

import numpy as np
import sentencepiece as spm

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "PretrainingTests", "Resources")
SPM = os.path.join(ROOT, "..", "shared", "data", "tokenizers", "deberta-v3-style", "spm.model")


def python_random():
    out = {"getrandbits": [], "randint": [], "choice": [], "numpy_shuffle": {}}
    for seed in (0, 1, 12345, 2**40 + 7):
        r = random.Random(seed)
        ks = [1, 3, 7, 13, 31, 32, 33, 45, 64]
        out["getrandbits"].append({"seed": seed, "bits": ks, "values": [str(r.getrandbits(k)) for k in ks]})
        r = random.Random(seed)
        bounds = [(0, 0), (0, 1), (0, 5), (0, 17), (3, 1000), (0, 2**31)]
        out["randint"].append({"seed": seed, "bounds": bounds, "values": [r.randint(a, b) for a, b in bounds]})
        r = random.Random(seed)
        out["choice"].append({"seed": seed, "count": 8001, "values": [r.choice(range(8001)) for _ in range(20)]})
    for n in (1, 2, 10, 1000):
        a = np.arange(n)
        np.random.RandomState(0).shuffle(a)
        out["numpy_shuffle"][str(n)] = [int(x) for x in a]
    return out


RAW = ("The quick brown fox jumps over the lazy dog.\n"
       "\n"
       "   \n"
       "Hello world! This line has an unknown character: \u4e2d and [brackets].\r\n"
       "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e\rlone carriage return above\n"
       "Numbers 12345 and 3.14159 , punctuation ; : - -- ( ) \" '\n"
       "  leading and trailing spaces   \n"
       "Robert Boulter is an English film , television and theatre actor .\n"
       "He had a guest @-@ starring role on the television series The Bill in 2000 .\n"
       "The last line has no newline")


def universal_lines(text):
    """What `for l in open(path, encoding='utf-8')` yields (newline=None: \\r\\n and \\r -> \\n)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.splitlines(keepends=True)


def prepare(sp, vocab, text, max_seq_length):
    stream = []
    for l in universal_lines(text):
        pieces = sp.encode_as_pieces(l)
        stream.extend("[UNK]" if (p not in vocab or p == "<unk>") else p for p in pieces)
    lines = []
    for i in range(0, len(stream), max_seq_length - 2):
        lines.append(" ".join(stream[i:i + max_seq_length - 2]) + "\n")
    return "".join(lines)


# -------------------------------------------------------------------------------------------------
# PRETRAINING.md sections 1-2

SPECIAL = ["[MASK]", "[CLS]", "[SEP]", "[PAD]", "[UNK]"]


def is_whitespace(c):
    return c in " \t\n\r" or unicodedata.category(c) == "Zs"


def is_control(c):
    return c not in "\t\n\r" and unicodedata.category(c).startswith("C")


def is_punctuation(c):
    cp = ord(c)
    return (33 <= cp <= 47) or (58 <= cp <= 64) or (91 <= cp <= 96) or (123 <= cp <= 126) or unicodedata.category(c).startswith("P")


def part_of_whole_word(token):
    if (len(token) == 1 and (is_whitespace(token) or is_control(token) or is_punctuation(token))) or token in SPECIAL:
        return False
    return not token.startswith("\u2581")


def truncate(tokens, max_num_tokens, rng):
    while len(tokens) > max_num_tokens:
        if rng.random() < 0.5:
            tokens.pop(0)
        else:
            tokens.pop()
    return tokens


def mask_tokens(tokens, rng, vocab, vocab_words, max_gram, mask_prob, keep_prob, max_seq_len, mask_lm_prob=0.15):
    max_preds = math.ceil(max_seq_len * mask_lm_prob / 10) * 10
    window = int(1 / mask_lm_prob)
    indices = [i for i in range(len(tokens)) if tokens[i] not in SPECIAL]
    ngrams = np.arange(1, max_gram + 1, dtype=np.int64)
    pvals = 1. / np.arange(1, max_gram + 1)
    pvals /= pvals.sum(keepdims=True)
    units = []
    for i in indices:
        if max_gram > 1 and len(units) >= 1 and part_of_whole_word(tokens[i]):
            units[-1].append(i)
        else:
            units.append([i])
    num_to_predict = min(max_preds, max(1, int(round(len(tokens) * mask_lm_prob))))
    offset = 0
    marked = np.array([False] * len(units))
    cul = np.cumsum(pvals)
    while offset < len(units):
        n = ngrams[bisect.bisect(cul, rng.random() * cul[-1])]
        ctx = min(n * window, len(units) - offset)
        m = rng.randint(0, ctx - 1)
        s, e = offset + m, min(offset + m + n, len(units))
        offset = max(offset + ctx, e)
        marked[s:e] = True
    labels = [None] * len(tokens)
    count = 0
    for is_marked, unit in zip(marked, units):
        if is_marked:
            for i in unit:
                label = tokens[i]
                x = rng.random()
                if x < mask_prob:
                    tokens[i] = "[MASK]"
                elif x < mask_prob + keep_prob:
                    pass
                else:
                    tokens[i] = rng.choice(vocab_words)
                labels[i] = label
                count += 1
            if count >= num_to_predict:
                break
    return tokens, [vocab[x] if x else 0 for x in labels]


def samples(prepared_text, vocab, vocab_words, steps_times_batch, max_seq_len, max_gram, mask_prob, keep_prob, mask_seq_len):
    examples = [l for l in prepared_text.splitlines(keepends=True) if len(l) > 1]
    order = np.arange(steps_times_batch)
    np.random.RandomState(0).shuffle(order)
    out = []
    for k in range(steps_times_batch):
        rng = random.Random(k)
        example = examples[order[k % steps_times_batch] % len(examples)]
        tokens = truncate(example.strip().split(), max_seq_len - 2, rng)
        tokens = ["[CLS]"] + tokens + ["[SEP]"]
        tokens, labels = mask_tokens(tokens, rng, vocab, vocab_words, max_gram, mask_prob, keep_prob, mask_seq_len)
        ids = [vocab[t] if t in vocab else 1 for t in tokens]
        out.append({"sample": k, "example": int(order[k] % len(examples)), "input_ids": ids, "labels": labels})
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "python_random.json"), "w") as f:
        json.dump(python_random(), f)
        f.write("\n")
    sp = spm.SentencePieceProcessor()
    sp.load(SPM)
    vocab = {sp.IdToPiece(i): i for i in range(sp.GetPieceSize())}
    for t in ["[MASK]", "[SEP]", "[PAD]", "[UNK]", "[CLS]"]:
        if t not in vocab:
            vocab[t] = len(vocab)
    vocab_words = list(vocab.keys())
    with open(os.path.join(OUT, "prepare_input.txt"), "w", encoding="utf-8", newline="") as f:
        f.write(RAW)
    expected = prepare(sp, vocab, RAW, 16)
    with open(os.path.join(OUT, "prepare_expected.txt"), "w", encoding="utf-8", newline="") as f:
        f.write(expected)
    ref = {
        "vocab_size": len(vocab),
        "mlm": {"max_seq_len": 12, "max_gram": 3, "mask_prob": 0.8, "keep_prob": 0.1, "mask_seq_len": 512,
                "dataset_size": 40, "samples": None},
        "rtd": {"max_seq_len": 12, "max_gram": 1, "mask_prob": 1.0, "keep_prob": 0.0, "mask_seq_len": 12,
                "dataset_size": 40, "samples": None},
    }
    for key in ("mlm", "rtd"):
        r = ref[key]
        r["samples"] = samples(expected, vocab, vocab_words, r["dataset_size"], r["max_seq_len"], r["max_gram"],
                               r["mask_prob"], r["keep_prob"], r["mask_seq_len"])
    with open(os.path.join(OUT, "samples.json"), "w") as f:
        json.dump(ref, f)
        f.write("\n")
    print("wrote", OUT, "-", expected.count("\n"), "prepared lines")


if __name__ == "__main__":
    sys.exit(main())
