#!/usr/bin/env python3
"""Reference outputs for the NER task's tests (never run by CI; the outputs are committed).

Usage: python Scripts/make_ner_references.py [--conlleval /path/to/conlleval.pl] [--out Tests/References/ner]

Writes two files:

alignment.json — transformers' standard token-classification preprocessing (the
  examples/pytorch/token-classification recipe: `tokenizer(words, is_split_into_words=True)`,
  then `word_ids()`: the first sub-token of each word gets its label, later sub-tokens and the
  special tokens -100) on sentences written below (not taken from CoNLL-2003), with the
  tokenizer of the bundled model Examples/deberta-v3-h256-rtd and the original DeBERTa NER
  task's label order.

metrics.json — seqeval 1.2.2's default-mode (conlleval-compatible) entity-level precision,
  recall and F1 (micro average) and its accuracy on seeded random tag sequences: IOB2 and IOB1
  gold with perturbed predictions, invalid sequences, IOBES tags, and cases without entities.
  With --conlleval, conlleval.pl's counts on the same sequences (IOB cases only: conlleval reads
  E-/S- differently from seqeval) are recorded too.
"""
import argparse, json, os, random, subprocess, sys

from seqeval.metrics import accuracy_score, f1_score, precision_score, recall_score
from transformers import AutoTokenizer
import seqeval, transformers

LABELS = ["O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]

# Written for these tests; tags in IOB2 except the sentence marked IOB1.
SENTENCES = [
    (["Angela", "Merkel", "met", "Emmanuel", "Macron", "in", "Aachen", "on", "Tuesday", "."],
     ["B-PER", "I-PER", "O", "B-PER", "I-PER", "O", "B-LOC", "O", "O", "O"]),
    (["The", "Rolling", "Stones", "played", "at", "Wembley", "Stadium", "in", "London", "."],
     ["O", "B-ORG", "I-ORG", "O", "O", "B-LOC", "I-LOC", "O", "B-LOC", "O"]),
    (["Zoë", "Saldaña", "visited", "São", "Paulo", "and", "Kraków", "with", "Müller-Wohlfahrt", "."],
     ["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "O", "B-LOC", "O", "B-PER", "O"]),
    (["Shares", "of", "Volkswagen", "AG", "rose", "3.5", "percent", "to", "1,234.50", "euros", "on", "2024-03-15", "."],
     ["O", "O", "B-ORG", "I-ORG", "O", "O", "O", "O", "O", "O", "O", "O", "O"]),
    # IOB1: I- inside an entity, B- only where one follows another of its type.
    (["Paris", "Berlin", "and", "Rome", "signed", "the", "Schengen", "Agreement", "."],
     ["I-LOC", "B-LOC", "O", "I-LOC", "O", "O", "I-MISC", "I-MISC", "O"]),
    # U+3000 (ideographic space) is a word of its own here and tokenizes to nothing.
    (["Tokyo", "\u3000", "Olympics", "open", "."],
     ["B-LOC", "O", "B-MISC", "O", "O"]),
    (["\"", "It", "'s", "over", ",", "\"", "said", "Dr.", "Smith", "of", "the", "WHO", "."],
     ["O", "O", "O", "O", "O", "O", "O", "O", "B-PER", "O", "O", "B-ORG", "O"]),
    (["Donaudampfschifffahrtsgesellschaftskapitän", "Anna", "Schmidt", "retired", "."],
     ["O", "B-PER", "I-PER", "O", "O"]),
]


def alignment(tokenizer_dir):
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    label2id = {l: i for i, l in enumerate(LABELS)}
    out = []
    for words, tags in SENTENCES:
        enc = tokenizer(words, is_split_into_words=True)
        word_ids = enc.word_ids()
        labels, previous = [], None
        for w in word_ids:
            labels.append(-100 if w is None or w == previous else label2id[tags[w]])
            previous = w
        out.append({"words": words, "tags": tags, "input_ids": enc["input_ids"],
                    "word_ids": [-1 if w is None else w for w in word_ids], "labels": labels})
    return out


TYPES = ["PER", "LOC", "ORG", "MISC"]


def spans(rng, n):
    """Random non-overlapping entity spans over n words: (start, end, type), end exclusive."""
    result, i = [], 0
    while i < n:
        if rng.random() < 0.35:
            length = rng.choice([1, 1, 2, 2, 3])
            end = min(n, i + length)
            result.append((i, end, rng.choice(TYPES)))
            i = end
        else:
            i += rng.choice([1, 1, 2])
    return result


def tags_from(spans_, n, scheme):
    tags = ["O"] * n
    previous = None
    for start, end, kind in spans_:
        for k in range(start, end):
            if scheme == "iob2":
                tags[k] = ("B-" if k == start else "I-") + kind
            else:  # IOB1: B- only at the start of an entity that directly follows one of its type
                adjacent = previous is not None and previous[1] == start and previous[2] == kind
                tags[k] = ("B-" if k == start and adjacent else "I-") + kind
        previous = (start, end, kind)
    return tags


def perturb(rng, spans_, n):
    out = []
    for start, end, kind in spans_:
        r = rng.random()
        if r < 0.15:
            continue  # missed
        if r < 0.3:
            kind = rng.choice(TYPES)  # wrong type
        elif r < 0.45:
            start = min(n - 1, max(0, start + rng.choice([-1, 1])))  # boundary
            end = max(start + 1, min(n, end + rng.choice([-1, 0, 1])))
        out.append((start, end, kind))
    if rng.random() < 0.3 and n > 0:  # a spurious entity
        k = rng.randrange(n)
        out.append((k, k + 1, rng.choice(TYPES)))
    # Keep them disjoint and ordered.
    out.sort()
    disjoint, last = [], 0
    for s in out:
        if s[0] >= last:
            disjoint.append(s)
            last = s[1]
    return disjoint


def metric_cases(seed=15):
    rng = random.Random(seed)
    iob = ["O"] + [p + t for t in TYPES for p in ("B-", "I-")]
    iobes = iob + [p + t for t in TYPES for p in ("E-", "S-")]
    cases = []
    for k in range(80):
        kind = ["iob2", "iob1", "invalid", "iobes"][k % 4]
        gold, pred = [], []
        for _ in range(rng.randint(1, 6)):
            n = rng.randint(0 if k % 7 == 0 else 1, 12)
            if kind in ("iob2", "iob1"):
                g = spans(rng, n)
                gold.append(tags_from(g, n, kind))
                pred.append(tags_from(perturb(rng, g, n), n, kind))
            else:
                alphabet = iob if kind == "invalid" else iobes
                gold.append([rng.choice(alphabet) for _ in range(n)])
                pred.append([rng.choice(alphabet) for _ in range(n)])
        cases.append({"kind": kind, "gold": gold, "predicted": pred})
    # Edge cases: no entities at all; no predicted entities; no gold entities; perfect.
    cases.append({"kind": "none", "gold": [["O", "O"], ["O"]], "predicted": [["O", "O"], ["O"]]})
    cases.append({"kind": "no-predictions", "gold": [["B-PER", "I-PER", "O"]], "predicted": [["O", "O", "O"]]})
    cases.append({"kind": "no-gold", "gold": [["O", "O", "O"]], "predicted": [["I-LOC", "O", "B-ORG"]]})
    cases.append({"kind": "perfect", "gold": [["I-ORG", "I-ORG", "B-ORG", "O"]], "predicted": [["I-ORG", "I-ORG", "B-ORG", "O"]]})
    # Entities across a sentence boundary are two entities (seqeval puts an O between sentences).
    cases.append({"kind": "boundary", "gold": [["O", "I-PER"], ["I-PER", "O"]], "predicted": [["O", "I-PER"], ["I-PER", "O"]]})
    for case in cases:
        g, p = case["gold"], case["predicted"]
        case["seqeval"] = {
            "precision": float(precision_score(g, p, zero_division=0)),
            "recall": float(recall_score(g, p, zero_division=0)),
            "f1": float(f1_score(g, p, zero_division=0)),
            "accuracy": float(accuracy_score(g, p)) if sum(map(len, g)) else 0.0,
        }
    return cases


def conlleval(script, case):
    """conlleval.pl's counts: tokens, gold phrases, found phrases, correct phrases."""
    lines = []
    for g, p in zip(case["gold"], case["predicted"]):
        lines += [f"w {a} {b}" for a, b in zip(g, p)] + [""]
    out = subprocess.run(["perl", script], input="\n".join(lines) + "\n", capture_output=True, text=True, check=True).stdout
    first = out.splitlines()[0]  # processed T tokens with G phrases; found: F phrases; correct: C.
    words = first.replace(";", "").replace(".", "").split()
    return {"tokens": int(words[1]), "gold": int(words[4]), "found": int(words[7]), "correct": int(words[10])}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--conlleval", help="path to conlleval.pl (version 2004-01-26)")
    ap.add_argument("--tokenizer", default=os.path.join(here, "..", "Examples", "deberta-v3-h256-rtd"))
    ap.add_argument("--out", default=os.path.join(here, "..", "Tests", "References", "ner"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    versions = {"transformers": transformers.__version__, "seqeval": "1.2.2"}
    with open(os.path.join(a.out, "alignment.json"), "w", encoding="utf-8") as f:
        json.dump({"versions": versions, "tokenizer": "Examples/deberta-v3-h256-rtd", "labels": LABELS,
                   "sentences": alignment(a.tokenizer)}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    cases = metric_cases()
    if a.conlleval:
        for case in cases:
            if case["kind"] != "iobes":
                case["conlleval"] = conlleval(a.conlleval, case)
    with open(os.path.join(a.out, "metrics.json"), "w", encoding="utf-8") as f:
        json.dump({"versions": versions, "cases": cases}, f, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {a.out}/alignment.json ({len(SENTENCES)} sentences) and metrics.json ({len(cases)} cases)")


if __name__ == "__main__":
    main()
