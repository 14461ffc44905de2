#!/usr/bin/env bash
# Task-scheduler benchmark (not part of the default tests): the same total budget of BUDGET trials
# (default 304: 16 per task of ResNet-18's 19 tasks) shared by the expected-gain scheduler
# (`--scheduler gain`, the default) and by the up-front count x FLOPs split (`--scheduler
# sequential`), each into a fresh database with the same tuner and seed; then the model built
# from each database is timed by `autotune bench` in one run, alternating. Ends with
#   task_scheduler: gain_ms=A sequential_ms=B untuned_ms=U sequential_over_gain=R
# (R > 1: the gain scheduler's model is faster). MODEL overrides the model (an ONNX path).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
autotune="$root/build/tools/autotune"
model="${MODEL:-$root/build/models/resnet18_opset13.onnx}"
budget="${BUDGET:-304}"; tuner="${TUNER:-xgb}"; repeat="${REPEAT:-20}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
if [[ -z "${MODEL:-}" ]]; then
  /usr/bin/python3 "$root/scripts/models/generate.py" --out "$root/build/models" --models resnet18 \
    --styles opset13 >/dev/null
fi
for s in gain sequential; do
  start=$(date +%s)
  "$autotune" tune --model "$model" --budget "$budget" --scheduler "$s" --tuner "$tuner" \
    --seed 1 --db "$work/$s.db" >"$work/$s.out" 2>"$work/$s.err"
  echo "$s: $(tail -1 "$work/$s.out") ($(( $(date +%s) - start )) s)"
done
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -1; }
declare -A best
for round in 1 2; do  # alternate, keep each variant's faster median (less noise from the machine)
  for s in untuned gain sequential; do
    if [[ $s == untuned ]]; then args=(--untuned); else args=(--db "$work/$s.db" --require-tuned); fi
    line=$("$autotune" bench --model "$model" --repeat "$repeat" "${args[@]}" | grep median_ms)
    m=$(field "$line" median_ms)
    if [[ -z "${best[$s]:-}" ]] || awk -v a="$m" -v b="${best[$s]}" 'BEGIN { exit !(a < b) }'; then
      best[$s]=$m
    fi
  done
done
awk -v g="${best[gain]}" -v q="${best[sequential]}" -v u="${best[untuned]}" 'BEGIN {
  printf "task_scheduler: gain_ms=%.3f sequential_ms=%.3f untuned_ms=%.3f sequential_over_gain=%.3f\n",
         g, q, u, q / g }'
