#!/usr/bin/env bash
# Tuning benchmark (not part of the default tests): ResNet-18 (PyTorch export) untuned vs tuned
# with TRIALS (default 100) trials per task of the GA tuner on --device local, timed by
# `autotune bench` in one run. Ends with
#   tune_e2e: resnet18_untuned_ms=A resnet18_tuned_ms=B speedup=S
# DB (default: a fresh file under build/) keeps the records, so a rerun resumes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
autotune="$root/build/tools/autotune"
model="$root/build/models/resnet18_opset13.onnx"
db="${DB:-$root/build/bench-tune-resnet18.db}"
trials="${TRIALS:-100}"; threads="${THREADS:-1}"; repeat="${REPEAT:-30}"
/usr/bin/python3 "$root/scripts/models/generate.py" --out "$root/build/models" --models resnet18 \
  --styles opset13 >/dev/null
"$autotune" tune --model "$model" --device local --trials "$trials" --tuner ga --db "$db" \
  --threads "$threads"
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -1; }
untuned=$("$autotune" bench --model "$model" --threads "$threads" --repeat "$repeat" --untuned | grep median_ms)
tuned=$("$autotune" bench --model "$model" --threads "$threads" --repeat "$repeat" --db "$db" --require-tuned | grep median_ms)
a=$(field "$untuned" median_ms); b=$(field "$tuned" median_ms)
echo "untuned: $untuned"
echo "tuned:   $tuned"
awk -v a="$a" -v b="$b" 'BEGIN { printf "tune_e2e: resnet18_untuned_ms=%.3f resnet18_tuned_ms=%.3f speedup=%.3f\n", a, b, a/b }'
