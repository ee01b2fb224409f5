"""Builds the small test fixtures of the Tokenizers target (Tests/References/tokenizers).

Run with the reference Python environment (transformers 4.57.6 slow tokenizers, sentencepiece):

    /work/oracle/venv-tf4/bin/python Scripts/make_tokenizer_fixtures.py ../shared/data/tokenizers

It writes:
- decoded.<name>.jsonl: the reference decoders' output for every record of each reference.jsonl,
  stored only where it differs from the default expectation (see `expected_default`), as
  {"record": n, "decoded": str}; every other record decodes to its default expectation.
- v3-style.tokenizer.json: the HF fast-tokenizer file converted from deberta-v3-style/ (compact JSON).
- v1-small/tokenizer.json: a fast-tokenizer file for a reduced GPT-2 vocabulary (256 bytes + the
  first 3000 merges + DeBERTa's special tokens), and v1-small.expected.jsonl with the slow
  DebertaTokenizer's ids on that vocabulary for a subset of deberta-v1-style/reference.jsonl's
  texts (by record number).
No file here is needed by the build; the tests read the committed outputs.
"""
import json
import os
import sys
import tempfile

import sentencepiece as spm
from transformers import DebertaTokenizer, DebertaTokenizerFast, DebertaV2Tokenizer, DebertaV2TokenizerFast

DATA = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/tokenizers")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "References", "tokenizers")
os.makedirs(OUT, exist_ok=True)


def records(path):
    with open(path, "rb") as f:
        return [json.loads(line) for line in f.read().split(b"\n") if line]


def dump_line(obj):
    # Same escaping rules as the shared references: raw non-ASCII, but U+0085/2028/2029 escaped.
    text = json.dumps(obj, ensure_ascii=False)
    for ch in ("\u0085", "\u2028", "\u2029"):
        text = text.replace(ch, "\\u%04x" % ord(ch))
    return text + "\n"


def expected_default(kind, record):
    """What decode(encode(x)) is expected to be in the common case (the Swift test mirrors this)."""
    if kind == "bpe":  # byte-level BPE is lossless; the two segments are simply concatenated
        return record["text"] + (record["text_b"] or "")
    # SentencePiece: words joined by single spaces, segments separated by one space
    parts = [" ".join(record["text"].split())]
    if record["text_b"] is not None:
        b = " ".join(record["text_b"].split())
        parts.append(b)
        return " ".join(p for p in parts if p) if parts[0] else (" " + b if b else "")
    return parts[0]


def write_decoded(name, kind, recs, decode):
    rows = []
    for n, record in enumerate(recs, 1):
        decoded = decode(record["input_ids"])
        if decoded != expected_default(kind, record):
            rows.append({"record": n, "decoded": decoded})
    with open(os.path.join(OUT, "decoded.%s.jsonl" % name), "w", encoding="utf-8") as f:
        for row in rows:
            f.write(dump_line(row))
    print(name, len(recs), "records,", len(rows), "stored exceptions")


# --- decoded references -------------------------------------------------------------------------
v1 = DebertaTokenizer.from_pretrained(os.path.join(DATA, "deberta-v1-style"))
v3 = DebertaV2Tokenizer.from_pretrained(os.path.join(DATA, "deberta-v3-style"))
test_sp = spm.SentencePieceProcessor(model_file=os.path.join(DATA, "sentencepiece-tests", "test_model.model"))

v1_recs = records(os.path.join(DATA, "deberta-v1-style", "reference.jsonl"))
v3_recs = records(os.path.join(DATA, "deberta-v3-style", "reference.jsonl"))
sp_recs = records(os.path.join(DATA, "sentencepiece-tests", "reference.jsonl"))

# v1: the original GPT2Tokenizer.decode and HF's slow decode (no clean-up) agree on every record.
write_decoded("v1", "bpe", v1_recs, lambda ids: v1.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False))
# v3: the original SPMTokenizer.decode = sentencepiece decode_pieces of the tokens minus the special
# tokens ([PAD] [CLS] [SEP] [UNK] [MASK]). HF's slow decode differs only by strip()-ing the result.
v3_sp = spm.SentencePieceProcessor(model_file=os.path.join(DATA, "deberta-v3-style", "spm.model"))
v3_special = {v3_sp.piece_to_id(p) for p in ("[PAD]", "[CLS]", "[SEP]", "[UNK]")}


def v3_original_decode(ids):
    return v3_sp.decode_pieces([v3_sp.id_to_piece(i) for i in ids if i < v3_sp.get_piece_size() and i not in v3_special])


write_decoded("v3", "spm", v3_recs, v3_original_decode)
hf_differs = sum(1 for r in v3_recs if v3.decode(r["input_ids"], skip_special_tokens=True, clean_up_tokenization_spaces=False)
                 != v3_original_decode(r["input_ids"]))
print("v3: HF slow decode differs from the original on", hf_differs, "records (it strips surrounding spaces)")
# test_model.model: ids >= 1000 are the appended specials; unknown (<unk>, id 0) and control pieces are
# dropped, as the original SPMTokenizer.decode drops its [UNK] token.
write_decoded("spm-test", "spm", sp_recs, lambda ids: test_sp.decode(
    [i for i in ids if i < test_sp.get_piece_size() and not test_sp.is_unknown(i) and not test_sp.is_control(i)]))

# --- tokenizer.json for the v3-style folder ----------------------------------------------------------
fast3 = DebertaV2TokenizerFast.from_pretrained(os.path.join(DATA, "deberta-v3-style"))
with tempfile.TemporaryDirectory() as tmp:
    fast3.save_pretrained(tmp)
    with open(os.path.join(tmp, "tokenizer.json"), encoding="utf-8") as f:
        data = json.load(f)
with open(os.path.join(OUT, "v3-style.tokenizer.json"), "w", encoding="utf-8") as f:
    json.dump(data, f, ensure_ascii=False, separators=(",", ":"))

# --- a reduced byte-level BPE vocabulary and its tokenizer.json ------------------------------------
NUM_MERGES = 3000
with open(os.path.join(DATA, "gpt2", "merges.txt"), encoding="utf-8") as f:
    merge_lines = [l.rstrip("\n") for l in f][1:1 + NUM_MERGES]
with open(os.path.join(DATA, "gpt2", "vocab.json"), encoding="utf-8") as f:
    gpt2 = json.load(f)
by_id = sorted(gpt2.items(), key=lambda kv: kv[1])
symbols = [s for s, i in by_id if i < 256]  # the 256 byte symbols come first in GPT-2's vocabulary
for line in merge_lines:
    a, b = line.split(" ")
    if a + b not in symbols:
        symbols.append(a + b)
vocab = {"[PAD]": 0, "[CLS]": 1, "[SEP]": 2, "[UNK]": 3}
for s in symbols:
    vocab.setdefault(s, len(vocab))
vocab["[MASK]"] = len(vocab)
small_dir = os.path.join(OUT, "v1-small")
os.makedirs(small_dir, exist_ok=True)
with tempfile.TemporaryDirectory() as tmp:
    with open(os.path.join(tmp, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(tmp, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(merge_lines) + "\n")
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        with open(os.path.join(DATA, "deberta-v1-style", name), encoding="utf-8") as src, open(os.path.join(tmp, name), "w", encoding="utf-8") as dst:
            dst.write(src.read())
    slow = DebertaTokenizer.from_pretrained(tmp)
    fast = DebertaTokenizerFast.from_pretrained(tmp)
    with tempfile.TemporaryDirectory() as tmp2:
        fast.save_pretrained(tmp2)
        with open(os.path.join(tmp2, "tokenizer.json"), encoding="utf-8") as f:
            data = json.load(f)
    with open(os.path.join(small_dir, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
    # Expected ids (slow tokenizer = original algorithm) for the hand-made hard strings and every 8th GLUE record.
    # Stored by record number of deberta-v1-style/reference.jsonl, whose texts the test reads.
    chosen = [(n, r) for n, r in enumerate(v1_recs, 1) if n >= 4172 or n % 8 == 0]
    fast_differs = 0
    with open(os.path.join(OUT, "v1-small.expected.jsonl"), "w", encoding="utf-8") as f:
        for n, r in chosen:
            enc = slow(r["text"], r["text_b"])
            if fast(r["text"], r["text_b"])["input_ids"] != enc["input_ids"]:
                fast_differs += 1
            f.write(dump_line({"record": n, "input_ids": enc["input_ids"], "token_type_ids": enc["token_type_ids"]}))
    print("v1-small:", len(chosen), "records;", fast_differs, "where the fast tokenizer differs from the slow one")
