#!/usr/bin/env bash
# Side-by-side speed of `deberta bench` and PyTorch (../shared/tools/oracle/bench_torch.py --child),
# interleaved A B A B in one sitting; prints the medians and the ratio for each workload.
#
#   Benchmarks/compare.sh [ROUNDS]            (default 3 rounds per workload)
#   WORKLOADS="v3-base:8:128:fp32 v3-base:1:128:fp32" Benchmarks/compare.sh
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
WORKLOADS=${WORKLOADS:-"v3-base:8:128:fp32 v3-base:8:128:bf16 v3-base:1:128:fp32 v3-base:1:512:fp32 v3-xsmall:8:128:fp32"}
printf "%-28s %14s %14s %8s\n" workload "swift seq/s" "torch seq/s" ratio
for w in $WORKLOADS; do
  IFS=: read -r model batch seq dtype <<< "$w"
  tdtype=$dtype; [ "$dtype" = bf16 ] && tdtype=bf16-autocast
  ours=(); theirs=()
  for _ in $(seq "$ROUNDS"); do
    dt=(); [ "$dtype" = fp32 ] || dt=(--dtype "$dtype")
    ours+=("$($BIN bench --config "$model" --batch "$batch" --seq "$seq" "${dt[@]}" --warmup 1 --reps 3 --json \
      | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["seq_per_s"])')")
    theirs+=("$("$PY" "$ORACLE/bench_torch.py" --child infer \
      "{\"model\": \"$model\", \"batch\": $batch, \"seq\": $seq, \"dtype\": \"$tdtype\", \"warmup\": 1, \"reps\": 3}" \
      | "$PY" -c 'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["seq_per_s"]["median"])')")
  done
  "$PY" - "$w" "${ours[*]}" "${theirs[*]}" <<'PY'
import statistics, sys
w, a, b = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
ma, mb = statistics.median(a), statistics.median(b)
print(f"{w:28s} {ma:14.2f} {mb:14.2f} {ma / mb:7.2f}x")
PY
done
