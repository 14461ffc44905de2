#!/usr/bin/env bash
# End-to-end benchmark (not part of the default tests): `autotune bench` (untuned, or with the
# tuning database given in AUTOTUNE_BENCH_ARGS) and ONNX Runtime (graph optimizations on, same
# thread count) on ResNet-50 and MobileNetV2 at 1 and 2 threads, side by side in one run; then
# the peak resident memory of a ResNet-50 run of each (/usr/bin/time -v). Ends with
#   e2e: resnet50_t1=R mobilenetv2_t1=R resnet50_t2=R mobilenetv2_t2=R
# where R = autotune median latency / ONNX Runtime median latency (lower is better), and
#   e2e_memory: resnet50_autotune_mb=A resnet50_ort_mb=B ratio=A/B
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
autotune="$root/build/tools/autotune"
models="$root/build/models"
repeat="${REPEAT:-30}"
/usr/bin/python3 "$root/scripts/models/generate.py" --out "$models" --models resnet50,mobilenetv2 \
  --styles opset13 >/dev/null
"$root/scripts/ort/setup.sh" >/dev/null

field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -1; }
summary="e2e:"
for threads in 1 2; do
  for net in resnet50 mobilenetv2; do
    model="$models/${net}_opset13.onnx"
    ours=$("$autotune" bench --model "$model" --threads "$threads" --repeat "$repeat" \
           ${AUTOTUNE_BENCH_ARGS:---untuned} | grep median_ms)
    ort=$(node "$root/scripts/ort/bench.js" --model "$model" --threads "$threads" --repeat "$repeat" \
          | grep median_ms)
    a=$(field "$ours" median_ms); b=$(field "$ort" median_ms)
    echo "$net threads=$threads: autotune median_ms=$a  onnxruntime median_ms=$b"
    summary+=" ${net}_t${threads}=$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.3f", a/b}')"
  done
done
rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p'; }
mine=$(rss "$autotune" bench --model "$models/resnet50_opset13.onnx" --threads 1 --repeat 5)
theirs=$(rss node "$root/scripts/ort/bench.js" --model "$models/resnet50_opset13.onnx" --threads 1 --repeat 5)
echo "$summary"
awk -v a="$mine" -v b="$theirs" 'BEGIN {
  printf "e2e_memory: resnet50_autotune_mb=%.1f resnet50_ort_mb=%.1f ratio=%.3f\n", a/1024, b/1024, a/b }'
