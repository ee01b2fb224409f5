#!/usr/bin/env python3
"""Reference digests of the GLUE files in ../shared/data/glue as the ORIGINAL app reads them
(Tests/GLUETests/Resources/glue_read_references.json).

Each file is read like microsoft/DeBERTa's `Task._read_tsv` (open(..., encoding='utf-8'),
csv.reader(delimiter='\t', quotechar=None)), and the columns are taken as its glue_tasks.py takes them
(CoLA train/dev without a header, QNLI A = sentence, labels via get_labels() order, STS-B float(score)).
Per file the number of examples and a 64-bit FNV-1a hash of every example serialised as
`textA \x1f textB \x1f label \x1e` (label: the label string, repr(float) for STS-B, empty for test files)
are stored; GLUETests/RealDataDigestTests.swift recomputes both with the Swift reader.

Usage: python3 Scripts/make_glue_read_references.py [GLUE_DIR] [OUTPUT_JSON]
"""
import csv
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GLUE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "shared", "data", "glue")
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "Tests", "GLUETests", "Resources",
                                                         "glue_read_references.json")


def read_tsv(path):
    with open(path, "r", encoding="utf-8") as f:
        return list(csv.reader(f, delimiter="\t", quotechar=None))


def fnv1a64(data, h=0xCBF29CE484222325):
    for byte in data:
        h ^= byte
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


# (task, split, relative path, rows -> [(A, B or None, label string or None)])
def cola_labelled(rows):
    return [(l[3], None, l[1]) for l in rows]


def cola_test(rows):
    return [(l[1], None, None) for l in rows[1:]]


FILES = [
    ("cola", "dev", "CoLA/dev.tsv", cola_labelled),
    ("cola", "test", "CoLA/test.tsv", cola_test),
    ("cola", "train", "CoLA/cola_public_1.1_raw/in_domain_train.tsv", cola_labelled),
    ("cola", "dev", "CoLA/cola_public_1.1_raw/in_domain_dev.tsv", cola_labelled),
    ("cola", "dev", "CoLA/cola_public_1.1_raw/out_of_domain_dev.tsv", cola_labelled),
    ("sst-2", "train", "SST-2/train.tsv", lambda rows: [(l[0], None, l[1]) for l in rows[1:]]),
    ("sst-2", "dev", "SST-2/dev.tsv", lambda rows: [(l[0], None, l[1]) for l in rows[1:]]),
    ("sst-2", "test", "SST-2/test.tsv", lambda rows: [(l[1], None, None) for l in rows[1:]]),
    ("mrpc", "train", "MRPC/train.tsv", lambda rows: [(l[3], l[4], l[0]) for l in rows[1:]]),
    ("mrpc", "dev", "MRPC/dev.tsv", lambda rows: [(l[3], l[4], l[0]) for l in rows[1:]]),
    ("mrpc", "test", "MRPC/test.tsv", lambda rows: [(l[3], l[4], None) for l in rows[1:]]),
    ("sts-b", "train", "STS-B/train.tsv", lambda rows: [(l[7], l[8], repr(float(l[9]))) for l in rows[1:]]),
    ("sts-b", "dev", "STS-B/dev.tsv", lambda rows: [(l[7], l[8], repr(float(l[9]))) for l in rows[1:]]),
    ("sts-b", "test", "STS-B/test.tsv", lambda rows: [(l[7], l[8], None) for l in rows[1:]]),
    ("rte", "train", "RTE/train.tsv", lambda rows: [(l[1], l[2], l[3]) for l in rows[1:]]),
    ("rte", "dev", "RTE/dev.tsv", lambda rows: [(l[1], l[2], l[3]) for l in rows[1:]]),
    ("rte", "test", "RTE/test.tsv", lambda rows: [(l[1], l[2], None) for l in rows[1:]]),
    ("wnli", "dev", "WNLI/dev.tsv", lambda rows: [(l[1], l[2], l[3]) for l in rows[1:]]),
    ("wnli", "test", "WNLI/test.tsv", lambda rows: [(l[1], l[2], None) for l in rows[1:]]),
]

references = []
for task, split, relative, extract in FILES:
    path = os.path.join(GLUE, relative)
    if not os.path.exists(path):
        print(f"missing {path}, skipped")
        continue
    examples = extract(read_tsv(path))
    h = 0xCBF29CE484222325
    for a, b, label in examples:
        h = fnv1a64((a + "\x1f" + (b or "") + "\x1f" + (label or "") + "\x1e").encode("utf-8"), h)
    references.append({"task": task, "split": split, "file": relative, "count": len(examples),
                       "fnv1a64": f"{h:016x}"})
    print(f"{relative}: {len(examples)} examples, {h:016x}")

with open(OUT, "w") as f:
    json.dump({"generator": "Scripts/make_glue_read_references.py", "files": references}, f, indent=1)
    f.write("\n")
