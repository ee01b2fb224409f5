#!/usr/bin/env python3
"""Reference outputs for the SQuAD task's tests (never run by CI; the outputs are committed).

Usage: /work/oracle/venv/bin/python Scripts/make_qa_references.py [--out Tests/References/qa]

Reads Tests/References/qa/examples-v2.json (written for these tests in the official SQuAD 2.0
layout; examples-v1.json is its answerable questions in the v1.1 layout, written here) and writes:

features.json — transformers' standard extractive-QA preprocessing (examples/pytorch/
  question-answering/run_qa.py, prepare_train_features / prepare_validation_features): questions
  lstripped, tokenizer(question, context, truncation="only_second", max_length, stride,
  return_overflowing_tokens=True, return_offsets_mapping=True), the first answer mapped to
  start/end tokens (CLS, 0, when a window does not hold it), offsets None outside the context.
  Tokenizer: DebertaV2TokenizerFast.from_pretrained(Tests/References/data/tokenizers/deberta-v3-style)
  (its spm.model; built with vocab_file= alone, transformers 5 maps every piece to [UNK]).

postprocess.json — run_qa's postprocess_qa_predictions (utils_qa.py, transcribed below: n-best
  start/end, max_answer_length, v2 null score and threshold) on fixed random float32 logits
  (numpy default_rng(seed)), one array per feature of exactly the feature's length (as run_qa's
  -100 filling leaves it when batches are padded dynamically).

metrics.json — the official evaluate-v1.1.py and evaluate-v2.0.py logic (transcribed below) on
  hand-written predictions for the examples files, v2 with a na-prob file (null odds) and the
  default na_prob_thresh 1.0.
"""
import argparse, collections, json, os, re, string

import numpy as np
import transformers
from transformers import DebertaV2TokenizerFast

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

def load(path):
    out = []
    for article in json.load(open(path, encoding="utf-8"))["data"]:
        for p in article["paragraphs"]:
            for qa in p["qas"]:
                out.append({"id": qa["id"], "question": qa["question"], "context": p["context"],
                            "answers": {"text": [a["text"] for a in qa["answers"]],
                                        "answer_start": [a["answer_start"] for a in qa["answers"]]}})
    return out

def prepare(tokenizer, examples, max_length, stride):
    questions = [e["question"].lstrip() for e in examples]
    contexts = [e["context"] for e in examples]
    tok = tokenizer(questions, contexts, truncation="only_second", max_length=max_length, stride=stride,
                    return_overflowing_tokens=True, return_offsets_mapping=True, padding=False)
    features = []
    for i in range(len(tok["input_ids"])):
        input_ids = tok["input_ids"][i]
        offsets = tok["offset_mapping"][i]
        sequence_ids = tok.sequence_ids(i)
        e = tok["overflow_to_sample_mapping"][i]
        answers = examples[e]["answers"]
        cls_index = input_ids.index(tokenizer.cls_token_id)
        if len(answers["answer_start"]) == 0:
            start = end = cls_index
        else:
            start_char = answers["answer_start"][0]
            end_char = start_char + len(answers["text"][0])
            token_start_index = 0
            while sequence_ids[token_start_index] != 1:
                token_start_index += 1
            token_end_index = len(input_ids) - 1
            while sequence_ids[token_end_index] != 1:
                token_end_index -= 1
            if not (offsets[token_start_index][0] <= start_char and offsets[token_end_index][1] >= end_char):
                start = end = cls_index
            else:
                while token_start_index < len(offsets) and offsets[token_start_index][0] <= start_char:
                    token_start_index += 1
                start = token_start_index - 1
                while offsets[token_end_index][1] >= end_char:
                    token_end_index -= 1
                end = token_end_index + 1
        features.append({"example": e, "input_ids": input_ids, "token_type_ids": tok["token_type_ids"][i],
                         "offsets": [list(o) if sequence_ids[k] == 1 else None for k, o in enumerate(offsets)],
                         "start": start, "end": end})
    return features

# utils_qa.postprocess_qa_predictions, the parts that decide the answer (no files, no logging).
def postprocess(examples, features, all_start_logits, all_end_logits, version_2_with_negative, n_best_size,
                max_answer_length, null_score_diff_threshold):
    features_per_example = collections.defaultdict(list)
    for i, f in enumerate(features):
        features_per_example[f["example"]].append(i)
    all_predictions, scores_diff_json = collections.OrderedDict(), collections.OrderedDict()
    for example_index, example in enumerate(examples):
        min_null_prediction = None
        prelim_predictions = []
        for feature_index in features_per_example[example_index]:
            start_logits = all_start_logits[feature_index]
            end_logits = all_end_logits[feature_index]
            offset_mapping = features[feature_index]["offsets"]
            feature_null_score = start_logits[0] + end_logits[0]
            if min_null_prediction is None or min_null_prediction["score"] > feature_null_score:
                min_null_prediction = {"offsets": (0, 0), "score": feature_null_score,
                                       "start_logit": start_logits[0], "end_logit": end_logits[0]}
            start_indexes = np.argsort(start_logits)[-1 : -n_best_size - 1 : -1].tolist()
            end_indexes = np.argsort(end_logits)[-1 : -n_best_size - 1 : -1].tolist()
            for start_index in start_indexes:
                for end_index in end_indexes:
                    if (start_index >= len(offset_mapping) or end_index >= len(offset_mapping)
                            or offset_mapping[start_index] is None or offset_mapping[end_index] is None):
                        continue
                    if end_index < start_index or end_index - start_index + 1 > max_answer_length:
                        continue
                    prelim_predictions.append({"offsets": (offset_mapping[start_index][0], offset_mapping[end_index][1]),
                                               "score": start_logits[start_index] + end_logits[end_index],
                                               "start_logit": start_logits[start_index], "end_logit": end_logits[end_index]})
        if version_2_with_negative:
            prelim_predictions.append(min_null_prediction)
            null_score = min_null_prediction["score"]
        predictions = sorted(prelim_predictions, key=lambda x: x["score"], reverse=True)[:n_best_size]
        if version_2_with_negative and not any(p["offsets"] == (0, 0) for p in predictions):
            predictions.append(min_null_prediction)
        context = example["context"]
        for pred in predictions:
            offsets = pred.pop("offsets")
            pred["text"] = context[offsets[0] : offsets[1]]
        if len(predictions) == 0 or (len(predictions) == 1 and predictions[0]["text"] == ""):
            predictions.insert(0, {"text": "empty", "start_logit": 0.0, "end_logit": 0.0, "score": 0.0})
        if not version_2_with_negative:
            all_predictions[example["id"]] = predictions[0]["text"]
        else:
            i = 0
            while predictions[i]["text"] == "":
                i += 1
            best_non_null_pred = predictions[i]
            score_diff = null_score - best_non_null_pred["start_logit"] - best_non_null_pred["end_logit"]
            scores_diff_json[example["id"]] = float(score_diff)
            all_predictions[example["id"]] = "" if score_diff > null_score_diff_threshold else best_non_null_pred["text"]
    return all_predictions, scores_diff_json

# The official scripts (evaluate-v1.1.py, evaluate-v2.0.py).
def normalize_answer(s):
    def remove_articles(text):
        return re.sub(r"\b(a|an|the)\b", " ", text)
    def white_space_fix(text):
        return " ".join(text.split())
    def remove_punc(text):
        exclude = set(string.punctuation)
        return "".join(ch for ch in text if ch not in exclude)
    return white_space_fix(remove_articles(remove_punc(s.lower())))

def f1_v1(prediction, ground_truth):
    prediction_tokens = normalize_answer(prediction).split()
    ground_truth_tokens = normalize_answer(ground_truth).split()
    common = collections.Counter(prediction_tokens) & collections.Counter(ground_truth_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(prediction_tokens)
    recall = 1.0 * num_same / len(ground_truth_tokens)
    return (2 * precision * recall) / (precision + recall)

def evaluate_v1(dataset, predictions):
    f1 = exact_match = total = 0
    for article in dataset:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                total += 1
                if qa["id"] not in predictions:
                    continue
                ground_truths = [x["text"] for x in qa["answers"]]
                prediction = predictions[qa["id"]]
                exact_match += max(normalize_answer(prediction) == normalize_answer(g) for g in ground_truths)
                f1 += max(f1_v1(prediction, g) for g in ground_truths)
    return {"exact_match": 100.0 * exact_match / total, "f1": 100.0 * f1 / total}

def get_tokens(s):
    return normalize_answer(s).split() if s else []

def compute_f1_v2(a_gold, a_pred):
    gold_toks, pred_toks = get_tokens(a_gold), get_tokens(a_pred)
    common = collections.Counter(gold_toks) & collections.Counter(pred_toks)
    num_same = sum(common.values())
    if len(gold_toks) == 0 or len(pred_toks) == 0:
        return int(gold_toks == pred_toks)
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(pred_toks)
    recall = 1.0 * num_same / len(gold_toks)
    return (2 * precision * recall) / (precision + recall)

def evaluate_v2(dataset, preds, na_probs, na_prob_thresh=1.0):
    qid_to_has_ans = {}
    for article in dataset:
        for p in article["paragraphs"]:
            for qa in p["qas"]:
                qid_to_has_ans[qa["id"]] = bool(qa["answers"])
    has_ans_qids = [k for k, v in qid_to_has_ans.items() if v]
    no_ans_qids = [k for k, v in qid_to_has_ans.items() if not v]
    exact_scores, f1_scores = {}, {}
    for article in dataset:
        for p in article["paragraphs"]:
            for qa in p["qas"]:
                qid = qa["id"]
                gold_answers = [a["text"] for a in qa["answers"] if normalize_answer(a["text"])]
                if not gold_answers:
                    gold_answers = [""]
                if qid not in preds:
                    continue
                a_pred = preds[qid]
                exact_scores[qid] = max(int(normalize_answer(a) == normalize_answer(a_pred)) for a in gold_answers)
                f1_scores[qid] = max(compute_f1_v2(a, a_pred) for a in gold_answers)
    def apply(scores):
        return {qid: (float(not qid_to_has_ans[qid]) if na_probs[qid] > na_prob_thresh else s) for qid, s in scores.items()}
    exact_thresh, f1_thresh = apply(exact_scores), apply(f1_scores)
    def make(qid_list=None):
        if not qid_list:
            total = len(exact_thresh)
            return {"exact": 100.0 * sum(exact_thresh.values()) / total, "f1": 100.0 * sum(f1_thresh.values()) / total, "total": total}
        total = len(qid_list)
        return {"exact": 100.0 * sum(exact_thresh[k] for k in qid_list) / total,
                "f1": 100.0 * sum(f1_thresh[k] for k in qid_list) / total, "total": total}
    out = make()
    if has_ans_qids:
        out.update({"HasAns_" + k: v for k, v in make(has_ans_qids).items()})
    if no_ans_qids:
        out.update({"NoAns_" + k: v for k, v in make(no_ans_qids).items()})
    def find_best_thresh(scores):
        num_no_ans = sum(1 for k in qid_to_has_ans if not qid_to_has_ans[k])
        cur_score = num_no_ans
        best_score = cur_score
        best_thresh = 0.0
        qid_list = sorted(na_probs, key=lambda k: na_probs[k])
        for qid in qid_list:
            if qid not in scores:
                continue
            if qid_to_has_ans[qid]:
                diff = scores[qid]
            else:
                diff = -1 if preds[qid] else 0
            cur_score += diff
            if cur_score > best_score:
                best_score = cur_score
                best_thresh = na_probs[qid]
        return 100.0 * best_score / len(scores), best_thresh
    out["best_exact"], out["best_exact_thresh"] = find_best_thresh(exact_scores)
    out["best_f1"], out["best_f1_thresh"] = find_best_thresh(f1_scores)
    return out

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "Tests/References/qa"))
    args = ap.parse_args()
    v2_path = os.path.join(args.out, "examples-v2.json")
    v2 = json.load(open(v2_path, encoding="utf-8"))
    v1 = {"version": "1.1", "data": [{"title": a["title"], "paragraphs": [
        {"context": p["context"], "qas": [{"id": q["id"], "question": q["question"], "answers": q["answers"]}
                                          for q in p["qas"] if q["answers"]]} for p in a["paragraphs"]]} for a in v2["data"]]}
    with open(os.path.join(args.out, "examples-v1.json"), "w", encoding="utf-8") as f:
        json.dump(v1, f, ensure_ascii=False, indent=1)
        f.write("\n")
    examples = load(v2_path)
    tokenizer = DebertaV2TokenizerFast.from_pretrained(os.path.join(ROOT, "Tests/References/data/tokenizers/deberta-v3-style"))

    settings = [(384, 128), (48, 16), (32, 4)]
    cases = [{"max_length": L, "stride": S, "features": prepare(tokenizer, examples, L, S)} for L, S in settings]
    meta = {"transformers": transformers.__version__}
    json.dump({**meta, "cases": cases}, open(os.path.join(args.out, "features.json"), "w"), ensure_ascii=False)

    features = cases[1]["features"]
    rng = np.random.default_rng(15)
    starts = [rng.standard_normal(len(f["input_ids"])).astype(np.float32) * 3 for f in features]
    ends = [rng.standard_normal(len(f["input_ids"])).astype(np.float32) * 3 for f in features]
    runs = []
    for v2flag, n_best, max_len, thresh in [(False, 20, 30, 0.0), (False, 5, 4, 0.0), (True, 20, 30, 0.0), (True, 3, 6, 1.5), (True, 20, 30, -19.5)]:
        preds, diffs = postprocess(examples, features, starts, ends, v2flag, n_best, max_len, thresh)
        runs.append({"version_2_with_negative": v2flag, "n_best_size": n_best, "max_answer_length": max_len,
                     "null_score_diff_threshold": thresh, "predictions": preds, "null_odds": diffs if v2flag else None})
    json.dump({**meta, "max_length": 48, "stride": 16, "start_logits": [s.tolist() for s in starts],
               "end_logits": [e.tolist() for e in ends], "runs": runs},
              open(os.path.join(args.out, "postprocess.json"), "w"), ensure_ascii=False)

    # Hand-written predictions: exact, article / punctuation / case differences, partial overlap,
    # a wrong answer, an answer for a no-answer question, and "" for one.
    predictions = {"a1": "The Cathedral", "a2": "thirty one", "a3": "Charlemagne", "z1": "June 1978",
                   "z2": "the film Center Stage (2000)", "z3": "Faces dance company, in Brooklyn!", "z4": ""}
    null_odds = {"a1": -3.5, "a2": 0.25, "a3": -1.0, "z1": -0.5, "z2": 2.0, "z3": -0.5, "z4": 4.75}
    metrics = {**meta,
               "predictions": predictions, "null_odds": null_odds,
               "v1": evaluate_v1(v1["data"], {k: v for k, v in predictions.items() if k != "z3"}),
               "v1_missing": "z3",
               "v2": evaluate_v2(v2["data"], predictions, null_odds),
               "normalize": {s: normalize_answer(s) for s in ["The  Cathedral.", "an apple a day", "Theatre, the end", "A-B c_d", "  Ça Va?  ", "the"]}}
    json.dump(metrics, open(os.path.join(args.out, "metrics.json"), "w"), ensure_ascii=False, indent=1)

if __name__ == "__main__":
    main()
