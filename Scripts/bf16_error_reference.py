"""How far bf16 matrix products move a random-weight DeBERTa-v3-base's last_hidden_state, in PyTorch.

    /work/oracle/venv-tf4/bin/python Scripts/bf16_error_reference.py [seeds...]

For each seed: a transformers DebertaV2Model with v3-base's shape and its default random
initialisation (normal, std 0.02), 8×128 random token ids, and max |Δ last_hidden_state| against
float32 for (a) this package's scheme emulated in PyTorch: every nn.Linear reads bfloat16-rounded
input and weight, float32 products and output, everything else float32; (b) torch.autocast(cpu,
bfloat16). The reference figures for `deberta bench --dtype bf16 --compare-fp32` (BENCHMARKS.md).
"""
import sys

import torch
import torch.nn.functional as F
from transformers import DebertaV2Config, DebertaV2Model


def main():
    seeds = [int(s) for s in sys.argv[1:]] or [1, 2, 3]
    torch.set_num_threads(2)
    cfg = DebertaV2Config(vocab_size=128100, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                          intermediate_size=3072, hidden_act="gelu", max_position_embeddings=512, type_vocab_size=0,
                          layer_norm_eps=1e-7, relative_attention=True, max_relative_positions=-1, position_buckets=256,
                          norm_rel_ebd="layer_norm", share_att_key=True, pos_att_type=["p2c", "c2p"],
                          position_biased_input=False, pad_token_id=0)
    linear = torch.nn.Linear.forward
    for seed in seeds:
        torch.manual_seed(seed)
        model = DebertaV2Model(cfg).eval()
        ids = torch.randint(3, cfg.vocab_size, (8, 128))
        with torch.no_grad():
            ref = model(ids).last_hidden_state
            torch.nn.Linear.forward = lambda self, x: F.linear(x.bfloat16().float(), self.weight.bfloat16().float(), self.bias)
            try:
                ours = model(ids).last_hidden_state
            finally:
                torch.nn.Linear.forward = linear
            with torch.autocast("cpu", dtype=torch.bfloat16):
                auto = model(ids).last_hidden_state.float()
        print(f"seed {seed}: max |x| {ref.abs().max():.3g}; bf16-input linears max |Δ| {(ours - ref).abs().max():.4g}; "
              f"torch.autocast bf16 max |Δ| {(auto - ref).abs().max():.4g}", flush=True)


if __name__ == "__main__":
    main()
