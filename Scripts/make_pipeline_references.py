"""References for the inference pipelines (Sources/DeBERTa/*Pipeline.swift, `deberta predict`).

Runs transformers' own pipelines and writes, per task, the keyword arguments of each call and the
exact value the pipeline returned, as JSON lines that the Swift tests (PipelineTests) and the CLI
test compare against:

  Tests/References/pipelines/text-classification.jsonl   Examples/deberta-v3-h256-sst2
  Tests/References/pipelines/feature-extraction.jsonl    Examples/deberta-v3-h256-sst2
  Tests/References/pipelines/zero-shot.jsonl             tiny-nli/ (below)
  Tests/References/pipelines/fill-mask.jsonl             Tests/References/fixtures/deberta-v3-tiny (its MLM head), tiny-nli/ tokenizer
  Tests/References/pipelines/tiny-nli/                   the deberta-v3-tiny fixture's 3-label head
      (contradiction / neutral / entailment, Examples/deberta-v3-tiny) with a tokenizer.json over its
      128 ids: id k is the piece "▁t<k>" except [PAD] 0, [CLS] 1, [SEP] 2, [UNK] 3, [MASK] 127 (the
      tokenizer of Tests/DeBERTaAPITests/APITestSupport.swift's fixtureTokenizer(maskId: 127)), and
      120–123 "▁This", "▁example", "▁is", "." so that the default hypothesis template has no unknown
      words (runs of unknown words are where tokenizer implementations part ways).

The SST-2 model's weights are bfloat16; the pipelines run it in float32 (dtype=torch.float32), as the
Swift model computes (bf16 weights widened to f32) — with the default dtype "auto" transformers would
compute in bfloat16 and the scores would differ by ~1e-2.

Each line: {"input": {...pipeline keyword arguments...}, "output": <what the pipeline returned>}.

Usage: /work/oracle/venv/bin/python Scripts/make_pipeline_references.py   (transformers 5.24.0, torch, CPU)
"""
import json, os, shutil, sys
import torch
import transformers
from transformers import pipeline, AutoModelForSequenceClassification, AutoTokenizer, PreTrainedTokenizerFast

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, "Tests/References/pipelines")
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)

def write(name, rows):
    with open(os.path.join(out, name), "w") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")

sst2 = os.path.join(root, "Examples/deberta-v3-h256-sst2")

# --- text-classification ---------------------------------------------------------------------
clf = pipeline("text-classification", model=sst2, tokenizer=sst2, device="cpu", dtype=torch.float32)
sentences = [
    "A gripping, moving film.",
    "The plot is dull and the acting is worse.",
    "It's not bad at all.",
    "I have seen better, but I have also seen much worse.",
    "An utterly forgettable two hours.",
    "What a delight!",
    "The soundtrack, however, is superb and the photography stunning.",
    "Nothing happens.",
]
calls = [{"text": s} for s in sentences]
calls += [{"text": "The film was long.", "text_pair": "I enjoyed every minute of it."}]
calls += [{"text": sentences[0], "top_k": None}, {"text": sentences[1], "top_k": 1}, {"text": sentences[2], "top_k": 2},
          {"text": sentences[3], "top_k": 5}]
calls += [{"text": sentences[4], "function_to_apply": "sigmoid", "top_k": None},
          {"text": sentences[5], "function_to_apply": "none", "top_k": None},
          {"text": sentences[6], "function_to_apply": "softmax"},
          {"text": sentences[7], "function_to_apply": "none"}]
calls += [{"text": [sentences[5], sentences[7]]}, {"text": [sentences[5], sentences[7]], "top_k": 1}]
rows = []
for c in calls:
    kwargs = dict(c)
    text = kwargs.pop("text")
    pair = kwargs.pop("text_pair", None)
    arg = {"text": text, "text_pair": pair} if pair is not None else text
    rows.append({"input": c, "output": clf(arg, **kwargs)})
write("text-classification.jsonl", rows)

# --- feature-extraction ------------------------------------------------------------------------
fe = pipeline("feature-extraction", model=sst2, tokenizer=sst2, device="cpu", dtype=torch.float32)
rows = []
for s in ["A gripping, moving film.", "Nothing happens."]:
    rows.append({"input": {"inputs": s}, "output": fe(s)})
write("feature-extraction.jsonl", rows)

# --- zero-shot on the tiny NLI model -------------------------------------------------------------
nli = os.path.join(out, "tiny-nli")
if os.path.isdir(nli):
    shutil.rmtree(nli)
os.makedirs(nli)
model = AutoModelForSequenceClassification.from_pretrained(os.path.join(root, "Examples/deberta-v3-tiny"))
model.save_pretrained(nli)
special = {0: "[PAD]", 1: "[CLS]", 2: "[SEP]", 3: "[UNK]", 127: "[MASK]"}
words = {120: "\u2581This", 121: "\u2581example", 122: "\u2581is", 123: "."}  # the default hypothesis template
vocab = [[special[k], 0.0] if k in special else [words[k], -1.0] if k in words else ["\u2581t%d" % k, -1.0] for k in range(128)]
tokenizer_json = {
    "version": "1.0",
    "truncation": None, "padding": None,
    "added_tokens": [{"id": k, "content": v, "single_word": False, "lstrip": False, "rstrip": False,
                      "normalized": False, "special": True} for k, v in sorted(special.items())],
    "normalizer": {"type": "Strip", "strip_left": True, "strip_right": True},
    "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
    "post_processor": {"type": "TemplateProcessing",
                       "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                  {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                       "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                                {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
                       "special_tokens": {n: {"id": n, "ids": [k], "tokens": [n]} for k, n in special.items() if n in ("[CLS]", "[SEP]")}},
    "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
    "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab, "byte_fallback": False},
}
with open(os.path.join(nli, "tokenizer.json"), "w") as f:
    json.dump(tokenizer_json, f, ensure_ascii=False)
tok = PreTrainedTokenizerFast(tokenizer_file=os.path.join(nli, "tokenizer.json"), pad_token="[PAD]", cls_token="[CLS]",
                              sep_token="[SEP]", unk_token="[UNK]", mask_token="[MASK]")
tok.save_pretrained(nli)
assert tok("t5 t9")["input_ids"] == [1, 5, 9, 2], tok("t5 t9")
assert tok("t5", "t9 t10")["input_ids"] == [1, 5, 2, 9, 10, 2]
assert tok("This example is t20.")["input_ids"] == [1, 120, 121, 122, 20, 123, 2]
zs = pipeline("zero-shot-classification", model=nli, tokenizer=tok, device="cpu", dtype=torch.float32)
calls = [
    {"sequences": "t7 t68 t58", "candidate_labels": ["t20", "t21 t22", "t40"]},
    {"sequences": "t5 t6 t7 t8 t9", "candidate_labels": ["t11", "t12", "t13", "t14"], "multi_label": True},
    {"sequences": "t30 t31", "candidate_labels": ["t50", "t60 t61"], "hypothesis_template": "t100 t101 {} t102"},
    {"sequences": "t30 t31", "candidate_labels": ["t50", "t60 t61"], "hypothesis_template": "t100 {}", "multi_label": True},
    {"sequences": ["t42 t43", "t9 t9 t9 t9"], "candidate_labels": ["t70", "t71"]},
    {"sequences": "t44 t45 t46", "candidate_labels": "t80, t81 t82, t83"},
    {"sequences": "t44 t45 t46", "candidate_labels": ["t80"]},
]
rows = []
for c in calls:
    kwargs = dict(c)
    seqs = kwargs.pop("sequences")
    rows.append({"input": c, "output": zs(seqs, **kwargs)})
write("zero-shot.jsonl", rows)
print("transformers", transformers.__version__)

# --- fill-mask on the fixture's masked-LM head, with the tiny-nli tokenizer ([MASK] is id 127) ----
from transformers import AutoModelForMaskedLM
mlm = AutoModelForMaskedLM.from_pretrained(os.path.join(root, "Tests/References/fixtures/deberta-v3-tiny"), dtype=torch.float32)
fm = pipeline("fill-mask", model=mlm, tokenizer=tok, device="cpu")
calls = [
    {"inputs": "t7 [MASK] t58"},
    {"inputs": "t5 t6 [MASK] t8 t9", "top_k": 3},
    {"inputs": "t5 t6 [MASK] t8 t9", "top_k": 2, "targets": ["\u2581t40", "\u2581t41", "\u2581t42"]},
    {"inputs": "t30 [MASK] t32", "targets": "\u2581t50"},
    {"inputs": "t30 [MASK] t32 [MASK]", "top_k": 2},
]
rows = []
for c in calls:
    kwargs = dict(c)
    text = kwargs.pop("inputs")
    rows.append({"input": c, "output": fm(text, **kwargs)})
write("fill-mask.jsonl", rows)
