"""Fixtures that pin the GPT-2 pre-tokenizer to the Python `regex` module and the original truncation.

Run with the reference environment that has Microsoft's `deberta` package and `regex`:

    /work/oracle/venv/bin/python Scripts/make_pretokenizer_fixtures.py ../shared/data/tokenizers

Writes to Tests/References/tokenizers/:
- regex-classes.txt: for every code point 0..0x10FFFF, the class the `regex` module gives it in the
  GPT-2 pattern (L = \\p{L}, N = \\p{N}, S = \\s, O = other), run-length encoded as lines
  "<first code point hex> <class>" (a run lasts until the next line). Also the Unicode version.
- gpt2-splits.jsonl: random strings drawn from many character classes with their `regex.findall`
  split under GPT-2's pattern, as code point lengths.
- truncation.jsonl: the first 60 RTE dev pairs encoded by the ORIGINAL pipeline (example_to_feature
  with rng = random.Random(index)) at max_seq_len 48, on the deberta-v3-style tokenizer.
"""
import collections
import collections.abc
import json
import os
import random
import sys
import unicodedata

collections.Sequence = collections.abc.Sequence  # the 2020 deberta package predates Python 3.10
collections.Mapping = collections.abc.Mapping
import regex  # noqa: E402

DATA = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/tokenizers")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "References", "tokenizers")
os.makedirs(OUT, exist_ok=True)
PATTERN = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")
L, N, S = regex.compile(r"\p{L}"), regex.compile(r"\p{N}"), regex.compile(r"\s")


def cls(cp):
    if 0xD800 <= cp <= 0xDFFF:
        return "O"  # surrogates cannot occur in text
    ch = chr(cp)
    if S.fullmatch(ch):
        return "S"
    if L.fullmatch(ch):
        return "L"
    if N.fullmatch(ch):
        return "N"
    return "O"


with open(os.path.join(OUT, "regex-classes.txt"), "w") as f:
    f.write("# classes from the regex module %s (Python unicodedata %s)\n" % (regex.__version__, unicodedata.unidata_version))
    previous = None
    for cp in range(0x110000):
        c = cls(cp)
        if c != previous:
            f.write("%X %s\n" % (cp, c))
            previous = c

# Random strings from a pool covering every class and the characters the pattern treats specially.
pool = (list(" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2028\u2029\u202f\u3000")
        + list("'''sdtmlrve") + list("abcXYZéßĳǅΩж中日한ㄱあア") + list("0123456789٣۴߅१௫²½Ⅻ〇")
        + list(".,!?-_/\\\"()[]{}@#$%^&*+=<>|~`;:") + ["\u0301", "\u200d", "\u200b", "\ufeff", "\U0001F600",
                                                        "\U0001F468", "\U0001F3FD", "\U00020000", "\U0001D7D8", "\x00", "\x7f", "\u0085", "\ue000"])
rng = random.Random(1234)
with open(os.path.join(OUT, "gpt2-splits.jsonl"), "w", encoding="utf-8") as f:
    for _ in range(400):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 40)))
        pieces = PATTERN.findall(text)
        assert "".join(pieces) == text
        line = json.dumps({"text": text, "lengths": [len(p) for p in pieces]}, ensure_ascii=True)
        f.write(line + "\n")

# Original truncation (DeBERTa/data/example.py) and HF longest_first, on the v3-style tokenizer.
from DeBERTa.deberta.spm_tokenizer import SPMTokenizer  # noqa: E402
import importlib.util  # noqa: E402
import types  # noqa: E402
import DeBERTa  # noqa: E402

# DeBERTa.data's package __init__ needs torch._six (gone from current torch); load example.py alone.
_data = types.ModuleType("DeBERTa.data")
_data.__path__ = [os.path.join(os.path.dirname(DeBERTa.__file__), "data")]
sys.modules["DeBERTa.data"] = _data
_spec = importlib.util.spec_from_file_location("DeBERTa.data.example", os.path.join(_data.__path__[0], "example.py"))
_example = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_example)
ExampleInstance, example_to_feature = _example.ExampleInstance, _example.example_to_feature

tok = SPMTokenizer(os.path.join(DATA, "deberta-v3-style", "spm.model"))
rte = os.path.join(DATA, "..", "glue", "RTE", "dev.tsv")
with open(rte, encoding="utf-8") as f:
    rows = [line.rstrip("\n").split("\t") for line in f][1:]
MAX = 48
with open(os.path.join(OUT, "truncation.jsonl"), "w", encoding="utf-8") as f:
    for index, row in enumerate(rows[:60]):
        a, b = row[1], row[2]
        feature = example_to_feature(tok, ExampleInstance((a, b)), max_seq_len=MAX, rng=random.Random(index))
        length = int(feature["input_mask"].sum())
        f.write(json.dumps({"index": index, "text": a, "text_b": b, "max_length": MAX,
                            "input_ids": feature["input_ids"][:length].tolist(),
                            "token_type_ids": feature["type_ids"][:length].tolist()}, ensure_ascii=False) + "\n")
print("wrote regex-classes.txt, gpt2-splits.jsonl, truncation.jsonl")
