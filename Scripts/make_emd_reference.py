#!/usr/bin/env python3
"""Float64 reference of the Enhanced Mask Decoder (MODEL.md section 12) for the Pretraining tests,
NumPy only: run with /work/oracle/venv/bin/python from the package root.

The encoder is the independent NumPy DeBERTa of ../shared/tools/oracle/reference_numpy.py (written
from MODEL.md); the decoder below is section 12 written out:

    Hkv = X_{L-1};  q = PosEmb[position_ids] + Hkv
    2 times: q = Layer_{L-1}(keys/values = Hkv, queries = q)   (attention residual = q)
    logits = LMHead(q)                                          (section 13.6)

The tiny fixtures have no absolute position table (transformers does not create it when
position_biased_input is false), so a random N(0, 0.5^2) table, stored as float32, is added here and
written with the results. Output: Tests/PretrainingTests/Resources/emd_reference.safetensors with, per
fixture F in deberta-v3-tiny and deberta-v1-tiny:
  F.position_table (F32)  F.input_ids, F.attention_mask (I64)
  F.decoded, F.logits (F64) with default positions 0..N-1
  F.positions (I64), F.decoded_shifted, F.logits_shifted (F64) with positions row*3 + 0..N-1
"""
import json
import os
import struct
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared")
sys.path.insert(0, os.path.join(SHARED, "tools", "oracle"))
import reference_numpy as ref  # noqa: E402


def decoder_layer(model, l, kv, q, M, idx, P):
    """Layer l with queries q and keys/values kv (MODEL.md 8.5, 9)."""
    c = model.c
    y = model.attention(l, q, kv, M, idx, P)
    pre = f"encoder.layer.{l}."
    u = ref.ACT[c.act](ref.linear(y, model.w(pre + "intermediate.dense.weight"), model.w(pre + "intermediate.dense.bias")))
    z = ref.linear(u, model.w(pre + "output.dense.weight"), model.w(pre + "output.dense.bias")) + y
    return ref.layer_norm(z, model.w(pre + "output.LayerNorm.weight"), model.w(pre + "output.LayerNorm.bias"), c.eps)


def emd(model, ids, mask, positions):
    c = model.c
    hs, _ = model.forward(ids, mask)
    maskf = mask.astype(np.float64)
    M = maskf[:, :, None] * maskf[:, None, :]
    N = ids.shape[1]
    _, idx = ref.rel_index(c, N, N)
    P = None
    if c.rel:
        P = model.w("encoder.rel_embeddings.weight")
        if "layer_norm" in c.norm_rel:
            P = ref.layer_norm(P, model.w("encoder.LayerNorm.weight"), model.w("encoder.LayerNorm.bias"), c.eps)
    kv = hs[-2]
    q = model.w("embeddings.position_embeddings.weight")[positions] + kv
    for _ in range(2):
        q = decoder_layer(model, c.L - 1, kv, q, M, idx, P)
    return q, model.mlm(q)


def st_write(path, tensors):
    header, blobs, offset = {}, [], 0
    codes = {np.dtype("<f4"): "F32", np.dtype("<f8"): "F64", np.dtype("<i8"): "I64"}
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        a = a.astype(a.dtype.newbyteorder("<"))
        raw = a.tobytes()
        header[name] = {"dtype": codes[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def main():
    out = {}
    for name in ("deberta-v3-tiny", "deberta-v1-tiny"):
        folder = os.path.join(SHARED, "fixtures", name)
        cfg = ref.Cfg(json.load(open(os.path.join(folder, "config.json"))))
        W = ref.st_load(os.path.join(folder, "model.safetensors"))
        R = ref.st_load(os.path.join(folder, "reference.safetensors"))
        table = (np.random.RandomState(7).standard_normal((cfg.mpe, cfg.H)) * 0.5).astype(np.float32)
        W["deberta.embeddings.position_embeddings.weight"] = table
        model = ref.Deberta(cfg, W)
        ids, mask = R["input_ids"], R["attention_mask"]
        B, N = ids.shape
        default = np.tile(np.arange(N), (B, 1))
        shifted = default + 3 * np.arange(B)[:, None]
        d0, l0 = emd(model, ids, mask, default)
        d1, l1 = emd(model, ids, mask, shifted)
        out.update({f"{name}.position_table": table, f"{name}.input_ids": ids.astype(np.int64),
                    f"{name}.attention_mask": mask.astype(np.int64), f"{name}.decoded": d0, f"{name}.logits": l0,
                    f"{name}.positions": shifted.astype(np.int64), f"{name}.decoded_shifted": d1, f"{name}.logits_shifted": l1})
        # The decoder must not be the identity of the last layer: report how far it moves the states.
        print(f"{name}: |decoded - X_L| max {np.abs(d0 - model.forward(ids, mask)[0][-1]).max():.3f}, "
              f"|shifted - default| max {np.abs(d1 - d0).max():.3f}")
    path = os.path.join(ROOT, "Tests", "PretrainingTests", "Resources", "emd_reference.safetensors")
    st_write(path, out)
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    sys.exit(main())
