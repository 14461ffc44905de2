#!/usr/bin/env bash
# Runs each given ONNX model through `autotune run` and ONNX Runtime on the same random input
# and checks max|ours - ORT| <= 1e-3 * max|ORT| + 1e-5 for every output. Prints one line per
# model and a closing "N passed, M failed" line; exits non-zero when any model fails.
# Usage: compare_ort.sh MODEL.onnx...   (AUTOTUNE_BIN overrides build/tools/autotune)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
autotune="${AUTOTUNE_BIN:-$root/build/tools/autotune}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0; failed=0
for model in "$@"; do
  name="$(basename "$model" .onnx)"
  dir="$work/$name"; mkdir -p "$dir"
  inputs=$(/usr/bin/python3 "$root/scripts/models/make_inputs.py" --model "$model" --out "$dir/in" --seed 7)
  args=(); for kv in $inputs; do args+=(--input "$kv"); done
  start=$(date +%s%N)
  if ! "$autotune" run --model "$model" "${args[@]}" --output-dir "$dir/ours" >"$dir/ours.log" 2>&1; then
    echo "FAIL $name: autotune run failed: $(tail -1 "$dir/ours.log")"; failed=$((failed+1)); continue
  fi
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  if ! node "$root/scripts/ort/run.js" --model "$model" "${args[@]}" --output-dir "$dir/ort" --threads 1 >"$dir/ort.log" 2>&1; then
    echo "FAIL $name: onnxruntime failed: $(tail -1 "$dir/ort.log")"; failed=$((failed+1)); continue
  fi
  if verdict=$(/usr/bin/python3 "$root/scripts/e2e/compare_outputs.py" "$dir/ours" "$dir/ort"); then
    echo "ok   $name: $verdict (autotune run ${ms} ms)"; passed=$((passed+1))
  else
    echo "FAIL $name: $verdict"; failed=$((failed+1))
  fi
done
echo "ort comparison: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
