#!/usr/bin/env python3
"""Interoperability of `deberta`'s hub cache with huggingface_hub and transformers (not run by CI).

Usage (from the repository root, after `swift build`):
    /work/oracle/venv/bin/python Scripts/hub_interop.py

A small hub runs on 127.0.0.1 (this file: the listing, tree, resolve and storage routes with the hub's
headers), serving `test-org/deberta-v3-tiny` made of the repository's fixture files. Then:

A. `deberta convert --model test-org/deberta-v3-tiny` fills an empty cache from it; in a new Python
   process with HF_HUB_OFFLINE=1, huggingface_hub's `scan_cache_dir` accepts that cache and
   transformers' `AutoModel.from_pretrained(..., cache_dir=...)` loads the model from it, with the
   same outputs as from the fixture folder.
B. huggingface_hub (`snapshot_download`) and transformers (`AutoModel.from_pretrained`) fill another
   cache from the same hub; `deberta forward --model test-org/deberta-v3-tiny` then uses it with no
   request at all offline (HF_HUB_OFFLINE=1) and for the commit (`@<sha>`), and with one request (the
   listing) for `main`, with the outputs of the fixture folder.

Prints one line per check and `N passed, N failed` last; exits 1 when a check failed.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEBERTA = os.path.join(ROOT, ".build", "debug", "deberta")
REPO = "test-org/deberta-v3-tiny"
COMMIT = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c"
LFS_SUFFIXES = (".safetensors", ".bin", ".model")


def repository_files():
    files = {}
    for name in ["config.json", "model.safetensors", "pytorch_model.bin"]:
        files[name] = open(os.path.join(ROOT, "Tests/References/fixtures/deberta-v3-tiny", name), "rb").read()
    for name in ["spm.model", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json"]:
        files[name] = open(os.path.join(ROOT, "Tests/References/data/tokenizers/deberta-v3-style", name), "rb").read()
    files["README.md"] = b"# deberta-v3-tiny\n"
    return files


FILES = repository_files()
SHA = {name: hashlib.sha256(data).hexdigest() for name, data in FILES.items()}
BY_SHA = {SHA[name]: name for name in FILES}
LOG = []


def git_blob_id(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class Hub(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, headers=(), body=b""):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if not any(k.lower() == "content-length" for k, _ in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, code, message, commit=None):
        headers = [("X-Error-Code", code), ("X-Error-Message", message), ("Content-Type", "application/json")]
        if commit:
            headers.append(("X-Repo-Commit", commit))
        self.send(status, headers, json.dumps({"error": message}).encode())

    def ranged(self, data, headers):
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes="):
            start, _, end = rng[6:].partition("-")
            start, end = int(start), (int(end) if end else len(data) - 1)
            if start >= len(data):
                return self.send(416, [("Content-Range", f"bytes */{len(data)}")])
            return self.send(206, headers + [("Content-Range", f"bytes {start}-{end}/{len(data)}")], data[start:end + 1])
        self.send(200, headers + [("Accept-Ranges", "bytes")], data)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        LOG.append((self.command, self.path))
        parts = [unquote(p) for p in urlsplit(self.path).path.split("/") if p]
        if parts[:1] == ["cdn"] and len(parts) == 2:
            if self.headers.get("Authorization"):
                return self.send(400, body=b"Only one auth mechanism allowed")
            name = BY_SHA.get(parts[1])
            return self.ranged(FILES[name], [("ETag", f'"{parts[1]}"')]) if name else self.send(404)
        if parts[:2] == ["api", "models"] and len(parts) >= 6:
            repo, route, rev = "/".join(parts[2:4]), parts[4], "/".join(parts[5:])
            if repo != REPO:
                return self.error(404, "RepoNotFound", "Repository not found")
            if rev not in ("main", COMMIT):
                return self.error(404, "RevisionNotFound", f"Invalid rev id: {rev}")
            if route == "revision":
                body = {"id": REPO, "sha": COMMIT, "siblings": [{"rfilename": n} for n in sorted(FILES)]}
            elif route == "tree":
                body = [{"type": "file", "path": n, "size": len(d), "oid": git_blob_id(d),
                         **({"lfs": {"oid": SHA[n], "size": len(d), "pointerSize": 134}} if n.endswith(LFS_SUFFIXES) else {})}
                        for n, d in sorted(FILES.items())]
            else:
                return self.send(404)
            return self.send(200, [("Content-Type", "application/json")], json.dumps(body).encode())
        if len(parts) >= 5 and parts[2] == "resolve":
            repo, rev, name = "/".join(parts[:2]), parts[3], "/".join(parts[4:])
            if repo != REPO:
                return self.error(401, "RepoNotFound", "Repository not found")
            if rev not in ("main", COMMIT):
                return self.error(404, "RevisionNotFound", f"Invalid rev id: {rev}")
            if name not in FILES:
                return self.error(404, "EntryNotFound", "Entry not found", COMMIT)
            data = FILES[name]
            if name.endswith(LFS_SUFFIXES):
                return self.send(302, [("Location", f"http://localhost:{self.server.server_port}/cdn/{SHA[name]}"),
                                       ("X-Repo-Commit", COMMIT), ("X-Linked-Etag", f'"{SHA[name]}"'),
                                       ("X-Linked-Size", str(len(data))), ("ETag", f'"{git_blob_id(b"pointer " + SHA[name].encode())}"'),
                                       ("Content-Length", "0")])
            return self.ranged(data, [("X-Repo-Commit", COMMIT), ("ETag", f'"{git_blob_id(data)}"')])
        self.send(404)


RESULTS = []


def check(name, ok, detail=""):
    RESULTS.append(ok)
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f": {detail}" if detail else ""), flush=True)


def python(code, env):
    full = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    full.update(env)
    run = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True)
    if run.returncode != 0:
        print(run.stderr[-3000:])
    return run


def deberta(args, env):
    full = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    full.update(env)
    return subprocess.run([DEBERTA] + args, env=full, capture_output=True, text=True)


def main():
    if not os.access(DEBERTA, os.X_OK):
        sys.exit(f"{DEBERTA} is not built: run `swift build` first")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_port}"
    work = tempfile.mkdtemp(prefix="hub-interop-")
    fixture = os.path.join(ROOT, "Tests/References/fixtures/deberta-v3-tiny")
    compare = f"""
import torch
from transformers import AutoModel
ids = torch.tensor([[1, 5, 17, 42, 99, 2]])
a = AutoModel.from_pretrained(MODEL, **KW).eval()
b = AutoModel.from_pretrained({fixture!r}).eval()
with torch.no_grad():
    d = (a(ids).last_hidden_state - b(ids).last_hidden_state).abs().max().item()
print("maxdiff", d)
assert d == 0.0
"""
    try:
        # A. Swift fills the cache; huggingface_hub and transformers read it offline.
        cache_a = os.path.join(work, "cache-swift")
        run = deberta(["convert", "--model", REPO, "--output", os.path.join(work, "converted")],
                      {"HF_ENDPOINT": endpoint, "HF_HUB_CACHE": cache_a})
        check("A1 deberta convert downloads into an empty cache", run.returncode == 0, run.stderr.strip())
        scan = python(f"""
from huggingface_hub import scan_cache_dir, try_to_load_from_cache
info = scan_cache_dir({cache_a!r})
assert not info.warnings, info.warnings
(repo,) = info.repos
(rev,) = repo.revisions
print(repo.repo_id, rev.commit_hash, sorted(f.file_name for f in rev.files), sorted(rev.refs))
assert repo.repo_id == {REPO!r} and rev.commit_hash == {COMMIT!r} and rev.refs == frozenset({{"main"}})
assert try_to_load_from_cache({REPO!r}, "model.safetensors", cache_dir={cache_a!r}).endswith("model.safetensors")
""", {"HF_HUB_OFFLINE": "1"})
        check("A2 huggingface_hub's scan_cache_dir accepts the cache (repo, commit, refs/main, files)", scan.returncode == 0, scan.stdout.strip())
        LOG.clear()
        load = python(f"MODEL = {REPO!r}\nKW = dict(cache_dir={cache_a!r})\n" + compare, {"HF_HUB_OFFLINE": "1", "HF_ENDPOINT": endpoint})
        check("A3 transformers loads it offline (HF_HUB_OFFLINE=1, cache_dir=...), same outputs as the folder",
              load.returncode == 0 and not LOG, (load.stdout.strip() + f" requests={len(LOG)}"))

        # B. huggingface_hub and transformers fill the cache; deberta reads it.
        cache_b = os.path.join(work, "cache-python")
        fill = python(f"""
from huggingface_hub import snapshot_download
from transformers import AutoModel
path = snapshot_download({REPO!r}, allow_patterns=["config.json", "model.safetensors", "*.json", "spm.model"])
print(path)
AutoModel.from_pretrained({REPO!r})
""", {"HF_ENDPOINT": endpoint, "HF_HUB_CACHE": cache_b})
        check("B1 huggingface_hub snapshot_download + transformers fill a cache from the local hub", fill.returncode == 0, fill.stdout.strip())
        inputs = os.path.join(ROOT, "Examples/deberta-v3-tiny/inputs.safetensors")
        reference = os.path.join(work, "reference.safetensors")
        run = deberta(["forward", "--model", fixture, "--inputs", inputs, "--output", reference], {})
        check("B2 deberta forward on the fixture folder", run.returncode == 0, run.stderr.strip())
        for label, model, env, expected_requests in [
            ("B3 offline (HF_HUB_OFFLINE=1)", REPO, {"HF_HUB_OFFLINE": "1"}, 0),
            ("B4 online, pinned to the commit", f"{REPO}@{COMMIT}", {}, 0),
            ("B5 online, main", REPO, {}, 1),
        ]:
            LOG.clear()
            out = os.path.join(work, f"out-{label[:2]}.safetensors")
            run = deberta(["forward", "--model", model, "--inputs", inputs, "--output", out],
                          dict(env, HF_ENDPOINT=endpoint, HF_HUB_CACHE=cache_b))
            same = run.returncode == 0 and open(out, "rb").read() == open(reference, "rb").read()
            check(f"{label}: deberta forward uses the huggingface_hub cache with {expected_requests} request(s), outputs identical",
                  same and len(LOG) == expected_requests, f"exit {run.returncode}, requests {LOG} {run.stderr.strip()}")
    finally:
        server.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    failed = RESULTS.count(False)
    print(f"{len(RESULTS) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
