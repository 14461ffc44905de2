#!/usr/bin/env bash
# The quick-start job (after scripts/setup.sh): tune the example CNN that setup generated on
# --device local into the default tuning database, then time the model untuned and tuned.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
autotune="$root/build/tools/autotune"
model="$root/build/models/small_cnn_opset13.onnx"
trials="${TRIALS:-32}"
/usr/bin/python3 "$root/scripts/models/generate.py" --out "$root/build/models" --models small_cnn \
  --styles opset13 >/dev/null
echo "== tuning $model ($trials trials per task, default database)"
"$autotune" --model "$model" --device local --trials "$trials"
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -1; }
untuned=$("$autotune" bench --model "$model" --repeat 200 --untuned | grep median_ms)
tuned=$("$autotune" bench --model "$model" --repeat 200 --require-tuned | grep median_ms)
a=$(field "$untuned" median_ms); b=$(field "$tuned" median_ms)
echo "== untuned: $a ms   tuned: $b ms   speedup: $(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.2f", a/b}')x"
