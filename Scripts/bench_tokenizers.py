"""Throughput of Hugging Face `tokenizers` (Rust) on the corpora TokenizerBench uses.

    /work/oracle/venv-tf4/bin/python Scripts/bench_tokenizers.py <tokenizer folder> <wikitext:file|glue:file> [--passes N]

The folder is converted to a fast tokenizer with transformers' DebertaTokenizerFast /
DebertaV2TokenizerFast (the same conversion the hub's tokenizer.json files come from), then timed with
the `tokenizers` library directly: one thread = `encode_batch` with TOKENIZERS_PARALLELISM=false
(no Python loop per text; a per-text `encode` loop is also reported), all cores = `encode_batch`
with parallelism on. One warm-up pass, then the best of N passes; one JSON line, same fields as
TokenizerBench.
"""
import json
import os
import sys
import time


def load_texts(spec):
    kind, path = spec.split(":", 1)
    with open(path, "rb") as f:
        data = f.read()
    if kind == "wikitext":
        lines = [line.decode("utf-8") for line in data.split(b"\n")]
        return [line for line in lines if line.strip() and not all(c.isspace() for c in line)]
    if kind == "glue":
        texts = []
        for k, line in enumerate(data.split(b"\n")):
            if k >= 4171 or not line:
                continue
            record = json.loads(line)
            texts.append(record["text"])
            if record["text_b"] is not None:
                texts.append(record["text_b"])
        return texts
    raise SystemExit("corpus must be wikitext:<file> or glue:<file>")


def main():
    folder, spec = sys.argv[1], sys.argv[2]
    passes = int(sys.argv[sys.argv.index("--passes") + 1]) if "--passes" in sys.argv else 3
    parallel = os.environ.get("TOKENIZERS_PARALLELISM", "true")
    from transformers import DebertaTokenizerFast, DebertaV2TokenizerFast

    start = time.perf_counter()
    if os.path.exists(os.path.join(folder, "spm.model")):
        fast = DebertaV2TokenizerFast.from_pretrained(folder)
    else:
        fast = DebertaTokenizerFast.from_pretrained(folder)
    tok = fast.backend_tokenizer  # the Rust tokenizers.Tokenizer
    load = time.perf_counter() - start
    texts = load_texts(spec)
    nbytes = sum(len(t.encode("utf-8")) for t in texts)

    def best(run):
        run()
        results = [run() for _ in range(max(1, passes))]
        return min(results)

    def batch():
        t0 = time.perf_counter()
        encodings = tok.encode_batch(texts)
        return time.perf_counter() - t0, sum(len(e.ids) for e in encodings)

    def loop():
        t0 = time.perf_counter()
        n = 0
        for text in texts:
            n += len(tok.encode(text).ids)
        return time.perf_counter() - t0, n

    seconds, tokens = best(batch)
    loop_seconds, _ = best(loop)
    mb = nbytes / 1e6
    mode = "all_cores" if parallel != "false" else "single"
    print(json.dumps({"implementation": "hf-tokenizers", "mode": mode, "tokenizer": os.path.basename(folder.rstrip("/")),
                      "corpus": spec.split(":")[0], "texts": len(texts), "bytes": nbytes, "tokens": tokens,
                      "load_seconds": round(load, 3),
                      mode + "_MB_per_s": round(mb / seconds, 2), mode + "_tokens_per_s": round(tokens / seconds),
                      "encode_loop_MB_per_s": round(mb / loop_seconds, 2)}, sort_keys=True))


if __name__ == "__main__":
    main()
