"""Small SentencePiece models exercising the options DeBERTa's own model does not use.

    /work/oracle/venv-tf4/bin/python Scripts/make_sentencepiece_variants.py ../shared/data

Trains two tiny unigram models on botchan.txt with the identity normaliser (so no large charsmap),
then edits their ModelProto (UNUSED pieces), and records sentencepiece's ids for the hand-made hard
strings and some GLUE texts of deberta-v3-style/reference.jsonl. Writes Tests/References/tokenizers/:
- spm-variant-a.model: byte_fallback=true, user-defined symbols "<mask>", "abc", "▁the▁", control
  symbol "<ctl>", split_digits; two pieces re-typed UNUSED.
- spm-variant-b.model: add_dummy_prefix=false, remove_extra_whitespaces=false,
  treat_whitespace_as_suffix=true, no byte fallback.
- spm-variants.expected.jsonl: {"record": n, "a": [ids], "b": [ids]} (sentencepiece.encode of the
  record's text, no special tokens).
"""
import io
import json
import os
import sys

import sentencepiece as spm
from transformers.utils import sentencepiece_model_pb2_new as pb

DATA = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "References", "tokenizers")
with open(os.path.join(DATA, "corpus", "gutenberg", "botchan.txt"), encoding="utf-8-sig") as f:
    sentences = [line.strip() for line in f if line.strip()]


def train(name, **options):
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(sentences), model_writer=model, model_type="unigram",
                                   vocab_size=options.pop("vocab_size", 400), normalization_rule_name="identity",
                                   character_coverage=0.995, num_threads=1, seed_sentencepiece_size=100000,
                                   minloglevel=2, **options)
    proto = pb.ModelProto()
    proto.ParseFromString(model.getvalue())
    return proto


a = train("a", byte_fallback=True, user_defined_symbols=["<mask>", "abc", "\u2581the\u2581"], control_symbols=["<ctl>"],
          split_digits=True)
# Re-type two ordinary pieces as UNUSED: they stay in the trie but are never chosen.
retyped = 0
for piece in a.pieces:
    if piece.type == pb.ModelProto.SentencePiece.NORMAL and piece.piece in ("\u2581a", "ing"):
        piece.type = pb.ModelProto.SentencePiece.UNUSED
        retyped += 1
assert retyped == 2, retyped
b = train("b", add_dummy_prefix=False, remove_extra_whitespaces=False, treat_whitespace_as_suffix=True, vocab_size=300)

processors = {}
for name, proto in (("a", a), ("b", b)):
    path = os.path.join(OUT, "spm-variant-%s.model" % name)
    with open(path, "wb") as f:
        f.write(proto.SerializeToString())
    processors[name] = spm.SentencePieceProcessor(model_file=path)

with open(os.path.join(DATA, "tokenizers", "deberta-v3-style", "reference.jsonl"), "rb") as f:
    records = [json.loads(line) for line in f.read().split(b"\n") if line]
with open(os.path.join(OUT, "spm-variants.expected.jsonl"), "w") as f:
    for n, record in enumerate(records, 1):
        if n >= 4172 or n % 40 == 0:
            text = record["text"] + " <mask> abc<ctl> the 2024 " if n % 3 == 0 else record["text"]
            row = {"record": n, "suffix": n % 3 == 0}
            for name, sp in processors.items():
                row[name] = sp.encode(text)
            f.write(json.dumps(row) + "\n")
print({name: os.path.getsize(os.path.join(OUT, "spm-variant-%s.model" % name)) for name in processors})
