#!/usr/bin/env bash
# `autotune build` end to end: a module built for the host runs (autotune run --module) to the
# same bits as the model compiled in process (run --model), untuned and with tuning records; a
# module built for aarch64 is an aarch64 shared object exporting every kernel model.json names
# (running it needs the aarch64 runtime, so only the artifact is checked); a damaged or foreign
# module fails with one clear line.
# Usage: build_module.sh AUTOTUNE_BIN MODEL.onnx
set -uo pipefail
bin="$1"; model="$2"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
export AUTOTUNE_DB="$work/no-default.db"  # never read the user's database
py=/usr/bin/python3
passed=0; failed=0
check() { if eval "$2"; then passed=$((passed+1)); echo "ok   $1"; else failed=$((failed+1)); echo "FAIL $1"; fi; }
# Random inputs for every input of a module, from its model.json: --input NAME=FILE arguments.
make_inputs() {
  "$py" - "$1" "$work" <<'PY'
import json, sys, numpy as np
m = json.load(open(sys.argv[1] + "/model.json"))
rng = np.random.RandomState(0)
for i, t in enumerate(m["inputs"]):
    path = f"{sys.argv[2]}/in{i}.npy"
    np.save(path, rng.standard_normal(t["shape"]).astype(t["dtype"]))
    print(f"--input {t['name']}={path}", end=" ")
PY
}
same_outputs() {  # dir_a dir_b: every .npy of a equals the one of b, bit for bit
  "$py" - "$1" "$2" <<'PY'
import glob, os, sys, numpy as np
a = sorted(glob.glob(sys.argv[1] + "/*.npy"))
ok = bool(a)
for f in a:
    x, y = np.load(f), np.load(os.path.join(sys.argv[2], os.path.basename(f)))
    same = x.dtype == y.dtype and x.shape == y.shape and np.array_equal(x, y)
    print(f"  {os.path.basename(f)} {x.shape} {'identical' if same else 'DIFFERENT, max diff %g' % np.abs(x - y).max()}")
    ok &= same
sys.exit(0 if ok else 1)
PY
}

# 1. Host module, default schedules.
"$bin" build --model "$model" --untuned --output "$work/host" >"$work/build.log" 2>&1
rc=$?; cat "$work/build.log"
check "build exits 0" '[[ $rc -eq 0 ]]'
check "build writes kernels.so, constants.bin, model.json" \
  '[[ -s $work/host/kernels.so && -f $work/host/constants.bin && -s $work/host/model.json ]]'
check "build prints a summary" 'grep -q "kernels.so" "$work/build.log" && grep -q "distinct kernels" "$work/build.log"'
inputs=$(make_inputs "$work/host")
"$bin" run --module "$work/host" $inputs --output-dir "$work/out_module" >/dev/null
rc=$?
check "run --module exits 0" '[[ $rc -eq 0 ]]'
"$bin" run --model "$model" --untuned $inputs --output-dir "$work/out_model" >/dev/null
check "run --module and run --model give identical outputs" 'same_outputs "$work/out_module" "$work/out_model"'
"$bin" bench --module "$work/host" --repeat 3 >"$work/bench.log" 2>&1
check "bench --module reports a median" 'grep -q "^median_ms=" "$work/bench.log"'

# 2. With tuning records: build --require-tuned applies the same best configs as run --model.
"$bin" tune --model "$model" --trials 3 --tuner random --seed 3 --db "$work/tuning.db" \
  >"$work/tune.log" 2>&1
"$bin" build --model "$model" --db "$work/tuning.db" --require-tuned --output "$work/tuned" \
  >"$work/build_tuned.log" 2>&1
rc=$?
check "build --require-tuned with records exits 0" '[[ $rc -eq 0 ]]'
check "tuned build uses the records" \
  'grep -Eq "; [1-9][0-9]* calls tuned, 0 tunable workload\(s\) untuned" "$work/build_tuned.log"'
"$bin" run --module "$work/tuned" $inputs --output-dir "$work/out_tuned_module" >/dev/null
"$bin" run --model "$model" --db "$work/tuning.db" $inputs --output-dir "$work/out_tuned_model" >/dev/null
check "tuned run --module and run --model give identical outputs" \
  'same_outputs "$work/out_tuned_module" "$work/out_tuned_model"'
"$bin" build --model "$model" --require-tuned --output "$work/none" >/dev/null 2>"$work/err"
rc=$?
check "build --require-tuned without records fails like run/bench" \
  '[[ $rc -eq 1 ]] && grep -q "have no tuning record" "$work/err" && [[ ! -e $work/none/model.json ]]'

# 3. aarch64 module: the artifact only.
"$bin" build --model "$model" --untuned --output "$work/arm" \
  --target "llvm -mtriple=aarch64-linux-gnu -mcpu=cortex-a72 -mattr=+neon" >/dev/null 2>&1
rc=$?
check "aarch64 build exits 0" '[[ $rc -eq 0 ]]'
check "aarch64 kernels.so is an aarch64 ELF shared object" \
  'readelf -h "$work/arm/kernels.so" | grep -q "Machine:.*AArch64" && readelf -h "$work/arm/kernels.so" | grep -q "DYN"'
readelf --dyn-syms -W "$work/arm/kernels.so" | awk '($5 == "GLOBAL" || $5 == "WEAK") && $7 != "UND" {print $8}' | sort >"$work/exported"
"$py" -c 'import json, sys; print("\n".join(sorted({c["kernel"] for c in json.load(open(sys.argv[1]))["calls"]} | {"autotune_runtime_table"})))' \
  "$work/arm/model.json" >"$work/wanted"
check "aarch64 kernels.so exports every kernel of model.json" '[[ -z "$(comm -23 "$work/wanted" "$work/exported")" ]]'
check "aarch64 model.json records the target" 'grep -q "\"target\": \"llvm -mtriple=aarch64-linux-gnu -mcpu=cortex-a72 -mattr=+neon\"" "$work/arm/model.json"'

# 4. Modules that cannot run here: one line naming the file and the problem.
expect_error() {  # name, substring, command...
  local name="$1" want="$2"; shift 2
  "$@" >/dev/null 2>"$work/err"; local rc=$?
  local lines; lines=$(wc -l <"$work/err")
  if [[ $rc -eq 1 && $lines -eq 1 ]] && grep -qF -- "$want" "$work/err"; then
    passed=$((passed+1)); echo "ok   $name: $(cat "$work/err")"
  else
    failed=$((failed+1)); echo "FAIL $name (exit $rc, $lines lines):"; cat "$work/err"
  fi
}
expect_error "aarch64 module on this host" "holds aarch64 code" \
  "$bin" run --module "$work/arm" $inputs --output-dir "$work/x"
cp -r "$work/host" "$work/short"; truncate -s 100 "$work/short/constants.bin"
expect_error "truncated constants.bin" "constants.bin' is 100 bytes" \
  "$bin" bench --module "$work/short"
cp -r "$work/host" "$work/nokernels"; rm "$work/nokernels/kernels.so"
expect_error "missing kernels.so" "kernels.so' is missing" "$bin" bench --module "$work/nokernels"
expect_error "--module with --db" "apply to --model" "$bin" bench --module "$work/host" --db x.db
echo "build module: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
