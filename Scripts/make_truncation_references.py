#!/usr/bin/env python3
"""Reference values for the pair truncation and Python RNG of the Tokenizers target (Tests/References/tokenizers/truncation_references.json).

- `random`: the first outputs of Python's `random.Random(seed)` (`random()` and `getrandbits(32)`), for
  GLUEBatching's PythonRandom.
- `original`: the original app's `_truncate_segments`, executed from the installed `deberta` package's own
  source (DeBERTa/data/example.py; only that function is extracted and run, the package is not imported),
  with `random.Random(seed)` as the original's evaluation loop does.
- `longest_first`: transformers' `truncate_sequences(..., 'longest_first')` (right side), called on a stub.

Usage: python3 Scripts/make_truncation_references.py [OUTPUT_JSON]   (run with /work/oracle/venv/bin/python)
"""
import ast
import importlib.util
import json
import os
import random
import sys
import types

import transformers
from transformers.tokenization_python import PythonBackend

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "..", "Tests", "References", "tokenizers", "truncation_references.json")

# Pull `_truncate_segments` out of the original source without importing the package (it needs torch).
package_dir = os.path.dirname(importlib.util.find_spec("DeBERTa").origin)
example_py = os.path.join(package_dir, "data", "example.py")
with open(example_py) as f:
    tree = ast.parse(f.read())
function = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "_truncate_segments")
namespace = {}
exec(compile(ast.Module(body=[function], type_ignores=[]), example_py, "exec"), namespace)
truncate_segments = namespace["_truncate_segments"]

random_cases = []
for seed in (0, 1, 7, 42, 1234, 2**31 - 1, 2**32 - 1, 2**32, 2**32 + 5, 2**40 + 3, -17):
    rng = random.Random(seed)
    floats = [rng.random() for _ in range(8)]
    rng = random.Random(seed)
    words = [rng.getrandbits(32) for _ in range(700)]  # past one 624-word twist
    random_cases.append({"seed": seed, "random": floats, "uint32_first": words[:8], "uint32_700th": words[699]})

gen = random.Random(99)
original_cases = []
for index in range(40):
    count = 1 if index % 5 == 0 else 2
    lengths = [gen.randint(0, 40) for _ in range(count)]
    segments = [[1000 * (s + 1) + t for t in range(length)] for s, length in enumerate(lengths)]
    max_seq_len = gen.randint(count + 1, 70)
    seed = index if index % 3 else gen.randint(0, 10**6)
    truncated = truncate_segments([list(s) for s in segments], max_seq_len - len(segments) - 1, random.Random(seed))
    original_cases.append({"segments": segments, "max_seq_len": max_seq_len, "seed": seed, "result": truncated})

stub = types.SimpleNamespace(truncation_side="right")
longest_cases = []
for _ in range(40):
    a = list(range(1, gen.randint(0, 30) + 1))
    b = list(range(101, 101 + gen.randint(0, 30)))
    max_len = gen.randint(3, 60)
    remove = len(a) + len(b) + 3 - max_len
    ta, tb, _ = PythonBackend.truncate_sequences(stub, list(a), list(b), num_tokens_to_remove=remove,
                                                 truncation_strategy="longest_first")
    longest_cases.append({"a": a, "b": b, "max_seq_len": max_len, "result_a": ta, "result_b": tb})

result = {
    "generator": "Scripts/make_truncation_references.py",
    "versions": {"python": sys.version.split()[0], "transformers": transformers.__version__,
                 "deberta": "source of " + os.path.relpath(example_py, os.path.dirname(package_dir))},
    "random": random_cases,
    "original": original_cases,
    "longest_first": longest_cases,
}
with open(OUT, "w") as f:
    json.dump(result, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {OUT}")
