"""RTD pretraining in PyTorch with transformers' DeBERTa-v2 modules, on the same prepared data as
`deberta pretrain --task rtd`: a training-dynamics and speed reference for the Swift run.

Generator: DebertaV2ForMaskedLM (transformers has no Enhanced Mask Decoder, so the generator's logits
come from its last layer; the EMD re-runs that layer twice, see BENCHMARKS.md). Discriminator:
DebertaV2Model + the original RTD head (LayerNorm(h + h_cls) -> dense -> act -> classifier), GDES
(E_D = stopgrad(E_G) + E_delta), decoupled AdamW steps, linear warmup/decay, clip 1.0, dropout on.
Masking: 15 % of the non-special pieces, all -> [MASK] (the RTD setting of PRETRAINING.md §2,
max_gram 1), drawn per sample with random.Random(k).

    python Scripts/rtd_torch_reference.py --data_dir runs/pretrain-data --model_config Examples/pretraining/rtd_h256_l4.json \
        --vocab_path ../shared/data/tokenizers/deberta-v3-style --steps 550 --batch 32 --max_seq_len 128 --lr 5e-4 --warmup 50
"""
import argparse, json, math, random, time

import sentencepiece as spm
import torch
import torch.nn as nn
import torch.nn.functional as F
from transformers import DebertaV2Config, DebertaV2ForMaskedLM, DebertaV2Model
from transformers.activations import ACT2FN

p = argparse.ArgumentParser()
p.add_argument("--data_dir", required=True)
p.add_argument("--model_config", required=True)
p.add_argument("--vocab_path", required=True)
p.add_argument("--steps", type=int, default=550)
p.add_argument("--batch", type=int, default=32)
p.add_argument("--max_seq_len", type=int, default=128)
p.add_argument("--lr", type=float, default=5e-4)
p.add_argument("--warmup", type=int, default=50)
p.add_argument("--eval_interval", type=int, default=100)
p.add_argument("--max_eval_examples", type=int, default=256)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--timing_only", type=int, default=0, help="run N steps, print the median step time and exit")
p.add_argument("--seed", type=int, default=1234)
p.add_argument("--prior_bias", type=float, default=None, help="initial RTD classifier bias (log-odds of the replaced prior)")
p.add_argument("--d_lr", type=float, default=None)
a = p.parse_args()
torch.manual_seed(a.seed)
torch.set_num_threads(a.threads)

sp = spm.SentencePieceProcessor(model_file=a.vocab_path + "/spm.model")
cfgs = json.load(open(a.model_config))
vocab = cfgs["discriminator"]["vocab_size"]
CLS, SEP, PAD, MASK = sp.piece_to_id("[CLS]"), sp.piece_to_id("[SEP]"), 0, vocab - 1


def load(path):
    out = []
    for line in open(path, encoding="utf-8"):
        if len(line) > 1:
            ids = [sp.piece_to_id(t) for t in line.split()][: a.max_seq_len - 2]
            out.append([CLS] + ids + [SEP])
    return out


train, valid = load(a.data_dir + "/train.txt"), load(a.data_dir + "/valid.txt")[: a.max_eval_examples]


def mask(ids, rng):
    ids = list(ids)
    labels = [0] * len(ids)
    cand = [i for i in range(1, len(ids) - 1)]
    rng.shuffle(cand)
    for i in cand[: max(1, round(len(ids) * 0.15))]:
        labels[i] = ids[i]
        ids[i] = MASK
    return ids, labels


def batch(examples, first):
    rows = [mask(examples[(first + j) % len(examples)], random.Random(first + j)) for j in range(a.batch)]
    n = max(len(r[0]) for r in rows)
    ids = torch.tensor([r[0] + [PAD] * (n - len(r[0])) for r in rows])
    lab = torch.tensor([r[1] + [0] * (n - len(r[1])) for r in rows])
    att = torch.tensor([[1] * len(r[0]) + [0] * (n - len(r[0])) for r in rows])
    return ids, lab, att


def config(section):
    c = dict(cfgs[section])
    c.pop("attention_head_size", None)
    return DebertaV2Config(**c)


class RTDHead(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.act = ACT2FN[c.hidden_act]
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.classifier = nn.Linear(c.hidden_size, 1)

    def forward(self, h):
        return self.classifier(self.act(self.dense(self.LayerNorm(h + h[:, :1])))).squeeze(-1)


gen = DebertaV2ForMaskedLM(config("generator"))
dcfg = config("discriminator")
disc = DebertaV2Model(dcfg)
head = RTDHead(dcfg)
for m in head.modules():
    if isinstance(m, nn.Linear):
        m.weight.data.normal_(0, dcfg.initializer_range)
        m.bias.data.zero_()
if a.prior_bias is not None:
    head.classifier.bias.data.fill_(a.prior_bias)
delta = nn.Parameter(torch.zeros_like(gen.deberta.embeddings.word_embeddings.weight))
disc.embeddings.word_embeddings.weight.requires_grad_(False)
d_params = [q for q in disc.parameters() if q.requires_grad] + list(head.parameters()) + [delta]


def schedule(opt):
    return torch.optim.lr_scheduler.LambdaLR(opt, lambda s: s / max(1, a.warmup) if s < a.warmup else max(0.0, (a.steps - s) / max(1, a.steps - a.warmup)))


opt_g = torch.optim.AdamW(gen.parameters(), lr=a.lr, eps=1e-6, weight_decay=0.01)
opt_d = torch.optim.AdamW(d_params, lr=a.d_lr or a.lr, eps=1e-6, weight_decay=0.01)
sch_g, sch_d = schedule(opt_g), schedule(opt_d)


def rtd_forward(ids, lab, att, train_mode):
    gen.train(train_mode), disc.train(train_mode), head.train(train_mode)
    out = gen(input_ids=ids, attention_mask=att)
    sel = lab > 0
    logits = out.logits[sel]
    g_loss = F.cross_entropy(logits, lab[sel])
    with torch.no_grad():
        sampled = torch.multinomial(F.softmax(logits.float(), -1), 1).squeeze(-1)
        new = ids.clone()
        new[sel] = sampled
        y = ((lab > 0) & (new != lab)).float()
    emb = gen.deberta.embeddings.word_embeddings.weight.detach() + delta
    h = disc(inputs_embeds=F.embedding(new, emb), attention_mask=att).last_hidden_state
    z = head(h)
    w = att.float()
    d_loss = (F.binary_cross_entropy_with_logits(z, y, reduction="none") * w).sum() / w.sum()
    return g_loss, d_loss, logits, z, y, w


def evaluate(step):
    tp = fp = fn = correct = total = 0
    gl = dl = 0.0
    gcorrect = gtotal = 0
    with torch.no_grad():
        for first in range(0, len(valid) - a.batch + 1, a.batch):
            ids, lab, att = batch(valid, first)
            g_loss, d_loss, logits, z, y, w = rtd_forward(ids, lab, att, False)
            gl += g_loss.item(); dl += d_loss.item()
            sel = lab > 0
            gcorrect += (logits.argmax(-1) == lab[sel]).sum().item(); gtotal += sel.sum().item()
            pred = (z > 0).float()
            m = w > 0
            correct += (pred[m] == y[m]).sum().item(); total += m.sum().item()
            tp += ((pred == 1) & (y == 1) & m).sum().item(); fp += ((pred == 1) & (y == 0) & m).sum().item(); fn += ((pred == 0) & (y == 1) & m).sum().item()
    n = max(1, len(valid) // a.batch)
    f1 = 2 * tp / max(1, 2 * tp + fp + fn)
    print(json.dumps({"step": step, "generator_accuracy": gcorrect / gtotal, "generator_eval_loss": gl / n, "discriminator_accuracy": correct / total,
                      "discriminator_eval_loss": dl / n, "discriminator_f1": f1}), flush=True)


times = []
for step in range(1, a.steps + 1):
    t0 = time.perf_counter()
    ids, lab, att = batch(train, (step - 1) * a.batch)
    g_loss, d_loss, *_ = rtd_forward(ids, lab, att, True)
    opt_g.zero_grad(); opt_d.zero_grad()
    (g_loss + 10.0 * d_loss).backward()  # GDES: the two losses reach disjoint parameter sets
    torch.nn.utils.clip_grad_norm_(gen.parameters(), 1.0)
    torch.nn.utils.clip_grad_norm_(d_params, 1.0)
    opt_g.step(); opt_d.step(); sch_g.step(); sch_d.step()
    times.append(time.perf_counter() - t0)
    if a.timing_only and step == a.timing_only:
        s = sorted(times[2:])
        med = s[len(s) // 2]
        print(json.dumps({"median_step_s": med, "min_step_s": s[0], "tokens_per_s": a.batch * a.max_seq_len / med, "steps": len(s)}))
        raise SystemExit
    if step % 20 == 0:
        print(f"step {step} G {g_loss.item():.4f} D {d_loss.item():.4f} {times[-1]:.2f}s", flush=True)
    if step % a.eval_interval == 0 or step == a.steps:
        evaluate(step)
