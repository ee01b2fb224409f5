#!/usr/bin/env bash
# Fine-tunes a pretrained discriminator folder and the same shape from random weights on SST-2 and
# RTE with one recipe, and prints the dev accuracies (BENCHMARKS.md "Pretraining").
#   [SEED=1234] [RTE_LR=1e-4 RTE_EPOCHS=3] Scripts/finetune_compare.sh PRETRAINED_DIR OUT_DIR [pretrained|random|both]
set -euo pipefail
cd "$(dirname "$0")/.."
pretrained=$1 out=$2 which=${3:-both}
B=.build/release/deberta
spm=../shared/data/tokenizers/deberta-v3-style
glue=../shared/data/glue
mkdir -p "$out"
# The random-weight baseline uses the pretrained model's own config.json (same shape, fresh weights).
python3 - "$pretrained/config.json" "$out/config.json" <<'PY' 2>/dev/null || cp "$pretrained/config.json" "$out/config.json"
import json, sys
c = json.load(open(sys.argv[1])); c.pop("architectures", None); json.dump(c, open(sys.argv[2], "w"), indent=1)
PY
seed=${SEED:-1234}
common="--do_train --do_eval --vocab_path $spm --seed $seed --dump_interval 100000"
for init in pretrained random; do
  [ "$which" = both ] || [ "$which" = $init ] || continue
  if [ $init = pretrained ]; then src="--pre_trained $pretrained"; else src="--model_config $out/config.json"; fi
  $B train --task_name SST-2 --data_dir $glue/SST-2 --output_dir "$out/sst2-$init" $src $common \
    --max_seq_len 64 --train_batch_size 32 --learning_rate 1e-4 --warmup 0.05 --num_train_epochs 1 > "$out/sst2-$init.log" 2>&1
  $B train --task_name RTE --data_dir $glue/RTE --output_dir "$out/rte-$init" $src $common \
    --max_seq_len 128 --train_batch_size 16 --learning_rate ${RTE_LR:-1e-4} --warmup 0.1 --num_train_epochs ${RTE_EPOCHS:-3} > "$out/rte-$init.log" 2>&1
  for t in sst2 rte; do
    echo "$t $init seed $seed: $(tail -1 "$out/$t-$init/eval_results.jsonl")"
  done
done
