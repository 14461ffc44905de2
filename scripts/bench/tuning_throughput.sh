#!/usr/bin/env bash
# Tuning throughput (not part of the default tests): trials per second of the full loop
# (propose, build in parallel, run in the worker process, check, record) on one ResNet-50
# conv2d task (3x3, 256 channels, 14x14) with TRIALS (default 64) random-tuner trials on this
# machine. Ends with
#   tuning_throughput: trials_per_s=T build_ms_median=B
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
autotune="$root/build/tools/autotune"
model="$root/build/models/resnet50_opset13.onnx"
trials="${TRIALS:-64}"
/usr/bin/python3 "$root/scripts/models/generate.py" --out "$root/build/models" --models resnet50 \
  --styles opset13 >/dev/null
db="$(mktemp -d)/throughput.db"
log=$("$autotune" tune --model "$model" --trials "$trials" --tuner random --db "$db" \
      --tasks "${TASK:-1x256x14x14 k256 3x3}" 2>&1 | tee /dev/stderr)
line=$(grep -m1 "trials/s" <<<"$log")
tps=$(sed -n 's/.*(\([0-9.]*\) trials\/s).*/\1/p' <<<"$line")
bms=$(sed -n 's/.*build median \([0-9.]*\) ms.*/\1/p' <<<"$line")
echo "tuning_throughput: trials_per_s=$tps build_ms_median=$bms"
