#!/usr/bin/env python3
"""References for the seed's library API (issue 14): [B, N, N] attention masks, attention
probabilities (output_attentions) and explicit position_ids, for every tiny fixture model.

Run from the package root with the oracle environment (transformers 5.24.0, torch 2.15.0):

    /work/oracle/venv/bin/python Scripts/make_attention_references.py

It reads Tests/References/fixtures/<F>/{config.json, model.safetensors, reference.safetensors}
and writes Tests/References/attention/<F>.safetensors with, per fixture F (float32 unless noted):

  input_ids, attention_mask, token_type_ids (I64)   the fixture's own inputs (batch 3, length 11)
  attentions.<l>                     [B, heads, N, N] output_attentions=True with the [B, N] mask
  mask3d (I64)                       [B, N, N] pair mask (see make_mask3d)
  mask3d.hidden_states.<0..L>        hidden states with that mask
  mask3d.attentions.<l>              attention probabilities with that mask
  position_ids (I64)                 [B, N] explicit positions (see make_positions)
  position_ids.hidden_states.<0..L>  hidden states with those positions and the [B, N] mask
  max_abs_f32_vs_f64.<name>          [1] how far float32 is from a float64 run of the same
                                     computation, for the tests' tolerances

Everything runs in float32 (model.eval(): no dropout) as transformers does, and again in float64
for the deviations above.

A [B, N, N] mask through the whole model: transformers' DebertaModel / DebertaV2Model cannot take one
(and neither can Microsoft's original DeBERTa): the embeddings multiply their [B, N, H] output by the
mask as given (`embeddings * mask` when the ranks agree), which fails unless N == H. Their encoders
(DebertaEncoder / DebertaV2Encoder) do take one and use it as is: pair (i, j) is kept when
mask[b, i, j] != 0, a row with no kept pair gets uniform probabilities (scores filled with the most
negative float), and the convolution layer (v2) uses `mask.sum(-2) > 0` as its token mask (transformers
passes it as a bool tensor, on which ConvLayer's `1 - input_mask` fails; the reference casts it to
integers, as the original's `.byte()` does). So the
reference runs the embeddings with that same token mask (a token no query attends to is zeroed, as
the encoder's own reduction says) and the encoder with the [B, N, N] mask, which is what the Swift
model does for such a mask.
"""
import os
import sys

import torch
from safetensors.torch import load_file, save_file
from transformers import AutoConfig, AutoModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "References", "fixtures")
OUT = os.path.join(ROOT, "Tests", "References", "attention")
NAMES = ["deberta-v1-tiny", "deberta-v2-tiny", "deberta-v3-tiny", "deberta-v1-absolute", "deberta-v1-c2p",
         "deberta-v2-tiny-noshare"]


def make_mask3d(mask2d):
    """[B, N, N] masks of three kinds, one per batch row, each also dropping padded keys:
    row 0: two blocks (tokens 0..4 and 5..N-1 attend within their block);
    row 1: causal (query i sees keys j <= i);
    row 2: seeded Bernoulli(0.6) pairs with the diagonal kept, query 2's row all zero (uniform
           probabilities) and key 3 seen by no query (its embedding is zeroed)."""
    b, n = mask2d.shape
    assert b == 3
    keys = mask2d.bool()
    m = torch.zeros(b, n, n, dtype=torch.bool)
    blk = torch.arange(n) >= 5
    m[0] = blk[:, None] == blk[None, :]
    m[1] = torch.tril(torch.ones(n, n, dtype=torch.bool))
    g = torch.Generator().manual_seed(14)
    m[2] = torch.rand(n, n, generator=g) < 0.6
    m[2] |= torch.eye(n, dtype=torch.bool)
    m[2, :, 3] = False
    m[2, 2, :] = False
    m &= keys[:, None, :]
    return m.to(torch.int64)


def make_positions(n, max_positions):
    """Row 0 shifted by 3, row 1 reversed, row 2 every other position: all below max_positions."""
    p = torch.stack([torch.arange(n) + 3, torch.arange(n).flip(0), 2 * torch.arange(n)])
    assert int(p.max()) < max_positions
    return p.to(torch.int64)


def run(model, ids, types, mask2d, mask3d, positions):
    out = {}
    with torch.no_grad():
        o = model(input_ids=ids, attention_mask=mask2d, token_type_ids=types, output_attentions=True,
                  output_hidden_states=True)
        for l, a in enumerate(o.attentions):
            out[f"attentions.{l}"] = a
        # The [B, N, N] mask: embeddings with the encoder's token mask, then the encoder (see above).
        token_mask = (mask3d.sum(-2) > 0).to(mask2d.dtype)
        emb = model.embeddings(input_ids=ids, token_type_ids=types, mask=token_mask)
        conv = getattr(model.encoder, "conv", None)
        if conv is not None:
            # DebertaV2Encoder hands the convolution `mask.sum(-2) > 0` as a bool tensor, and
            # ConvLayer's `(1 - input_mask)` fails on bool; the original casts it (`.byte()`).
            plain = conv.forward
            conv.forward = lambda h, r, m: plain(h, r, m.to(torch.int64))
        try:
            e = model.encoder(emb, mask3d, output_hidden_states=True, output_attentions=True)
        finally:
            if conv is not None:
                del conv.forward
        for l, h in enumerate(e.hidden_states):
            out[f"mask3d.hidden_states.{l}"] = h
        for l, a in enumerate(e.attentions):
            out[f"mask3d.attentions.{l}"] = a
        p = model(input_ids=ids, attention_mask=mask2d, token_type_ids=types, position_ids=positions,
                  output_hidden_states=True)
        for l, h in enumerate(p.hidden_states):
            out[f"position_ids.hidden_states.{l}"] = h
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    for name in NAMES:
        folder = os.path.join(FIXTURES, name)
        ref = load_file(os.path.join(folder, "reference.safetensors"))
        ids, mask2d = ref["input_ids"], ref["attention_mask"]
        types = ref.get("token_type_ids")
        config = AutoConfig.from_pretrained(folder)
        mask3d = make_mask3d(mask2d)
        positions = make_positions(ids.shape[1], config.max_position_embeddings)
        model = AutoModel.from_pretrained(folder).eval()
        f32 = run(model, ids, types, mask2d, mask3d, positions)
        f64 = run(model.double(), ids, types, mask2d, mask3d, positions)
        tensors = {"input_ids": ids, "attention_mask": mask2d, "mask3d": mask3d, "position_ids": positions}
        if types is not None:
            tensors["token_type_ids"] = types
        for k, v in f32.items():
            tensors[k] = v.float().contiguous()
            d = (v.double() - f64[k]).abs().max().item()
            tensors["max_abs_f32_vs_f64." + k] = torch.tensor([d], dtype=torch.float64)
        # One metadata entry only: safetensors writes several in no fixed order, and the files
        # should come out byte for byte the same on every run (provenance is in SOURCES.md).
        save_file(tensors, os.path.join(OUT, name + ".safetensors"), metadata={"format": "pt"})
        worst = max(tensors[k].item() for k in tensors if k.startswith("max_abs_f32_vs_f64."))
        print(f"{name}: {len(f32)} tensors, worst float32 vs float64 {worst:.3g}", file=sys.stderr)


if __name__ == "__main__":
    main()
