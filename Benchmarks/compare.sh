#!/usr/bin/env bash
# Side-by-side speed and peak RSS of `deberta bench` and PyTorch (../shared/tools/oracle/bench_torch.py
# --child infer|train), interleaved A B A B in one sitting; prints the medians and the ratios for each
# workload (`train:` = forward + backward + AdamW step, dropout on, 2-way classification head;
# `onnx:` = inference against ONNX Runtime on the model exported by bench_torch.py instead of PyTorch).
#
#   Benchmarks/compare.sh [ROUNDS]            (default 3 rounds per workload)
#   WORKLOADS="v3-base:8:128:fp32 train:v3-base:8:128:fp32" Benchmarks/compare.sh
#
# Needs a release build (make release) and a Python venv with torch + transformers: $ORACLE_VENV
# (default ../oracle/venv or ./.venv-oracle, created with ../shared/tools/oracle/setup.sh when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
ORACLE=${ORACLE:-../shared/tools/oracle}
VENV=${ORACLE_VENV:-}
if [ -z "$VENV" ]; then
  for v in ../oracle/venv .venv-oracle; do [ -x "$v/bin/python" ] && VENV=$v && break; done
fi
if [ -z "$VENV" ]; then VENV=.venv-oracle; bash "$ORACLE/setup.sh" "$VENV"; fi
PY="$VENV/bin/python"
BIN=.build/release/deberta
[ -x "$BIN" ] || swift build -c release
WORKLOADS=${WORKLOADS:-"v3-base:8:128:fp32 v3-base:8:128:bf16 v3-base:1:128:fp32 v3-base:1:512:fp32 v3-xsmall:8:128:fp32 train:v3-base:8:128:fp32 train:v3-xsmall:8:128:fp32"}
printf "%-34s %12s %12s %7s %12s %12s %6s\n" workload "swift seq/s" "other seq/s" ratio "swift MiB" "other MiB" RSS
ONNX_DIR=$(mktemp -d)   # ONNX exports and the children's warnings
trap 'rm -rf "$ONNX_DIR"' EXIT
for w in $WORKLOADS; do
  mode=inference; spec=$w
  other=infer
  if [[ $w == train:* ]]; then mode=train; spec=${w#train:}; fi
  if [[ $w == onnx:* ]]; then other=onnx; spec=${w#onnx:}; fi
  IFS=: read -r model batch seq dtype <<< "$spec"
  tdtype=$dtype; [ "$dtype" = bf16 ] && tdtype=bf16-autocast
  ours=(); theirs=(); ours_rss=(); theirs_rss=()
  for _ in $(seq "$ROUNDS"); do
    dt=(); [ "$dtype" = fp32 ] || dt=(--dtype "$dtype")
    read -r s r < <($BIN bench --config "$model" --batch "$batch" --seq "$seq" --mode $mode "${dt[@]}" --warmup 1 --reps 3 --json \
      | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["seq_per_s"], d["peak_rss_mib"])')
    ours+=("$s"); ours_rss+=("$r")
    if [ $mode = train ]; then
      child=train; tspec="{\"model\": \"$model\", \"batch\": $batch, \"seq\": $seq, \"warmup\": 1, \"steps\": 3}"
    else
      child=$other; tspec="{\"model\": \"$model\", \"batch\": $batch, \"seq\": $seq, \"dtype\": \"$tdtype\", \"warmup\": 1, \"reps\": 3, \"workdir\": \"$ONNX_DIR\"}"
    fi
    read -r s r < <("$PY" "$ORACLE/bench_torch.py" --child $child "$tspec" 2>>"$ONNX_DIR/children.log" \
      | "$PY" -c 'import json,sys; d=json.loads(sys.stdin.read().strip().splitlines()[-1]); print(d["seq_per_s"]["median"], d["peak_rss_mib"])')
    theirs+=("$s"); theirs_rss+=("$r")
  done
  "$PY" - "$w" "${ours[*]}" "${theirs[*]}" "${ours_rss[*]}" "${theirs_rss[*]}" <<'PY'
import statistics, sys
w = sys.argv[1]
a, b, ra, rb = ([float(x) for x in arg.split()] for arg in sys.argv[2:6])
ma, mb, mra, mrb = (statistics.median(v) for v in (a, b, ra, rb))
print(f"{w:34s} {ma:12.2f} {mb:12.2f} {ma / mb:6.2f}x {mra:12.0f} {mrb:12.0f} {mra / mrb:5.2f}x")
PY
done
