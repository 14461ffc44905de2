#!/usr/bin/env bash
# Builds the ONNX importer with AddressSanitizer (importer, graph IR and test-model sources only,
# no CMake) and feeds it broken models: each must exit 1 with exactly one line on stderr and no
# sanitizer report. Also imports every ONNX node test model under ASan, when they are installed.
# usage: scripts/asan_import_check.sh [BUILD_DIR]     (default: build-asan/ at the repo root)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$repo/build-asan}
cxx=${CXX:-g++}
max_jobs=${JOBS:-2}
mkdir -p "$build/obj" "$build/models"

flags=(-std=c++17 -O1 -g -fsanitize=address -fno-omit-frame-pointer -Wall -Wextra
       -Wno-unused-parameter -Wno-maybe-uninitialized -I"$repo" -DONNX_ML=1 -DONNX_NAMESPACE=onnx)
srcs=(ir/support/Error.cpp ir/core/IR.cpp ir/graph/Graph.cpp ir/graph/onnx/OnnxImporter.cpp
      tests/common/OnnxTestModels.cpp tests/asan/ImportDriver.cpp)

# True when $1 (an object) is missing or older than its source or any header in its depfile.
stale() {
  local obj=$1 dep=${1%.o}.d f
  [[ -f $obj && -f $dep ]] || return 0
  for f in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$dep"); do
    [[ $f -nt $obj ]] && return 0
  done
  return 1
}

# Objects built with other flags are rebuilt.
if [[ "$(cat "$build/flags" 2>/dev/null)" != "$cxx ${flags[*]}" ]]; then
  rm -f "$build"/obj/*.o
  echo "$cxx ${flags[*]}" >"$build/flags"
fi

start=$SECONDS
objs=()
for src in "${srcs[@]}"; do
  obj=$build/obj/$(echo "$src" | tr / _).o
  objs+=("$obj")
  if stale "$obj"; then
    while (( $(jobs -rp | wc -l) >= max_jobs )); do wait -n; done
    echo "asan: compiling $src"
    "$cxx" "${flags[@]}" -MMD -MF "${obj%.o}.d" -c "$repo/$src" -o "$obj" &
  fi
done
while (( $(jobs -rp | wc -l) > 0 )); do wait -n; done
driver=$build/import_driver
"$cxx" -fsanitize=address "${objs[@]}" -o "$driver" -lonnx_proto -lprotobuf -lpthread
echo "asan: driver built in $((SECONDS - start)) s"

export ASAN_OPTIONS=detect_leaks=1:exitcode=99:abort_on_error=0
models=$build/models
"$driver" --write-models "$models"

failures=0
# expect_error NAME SUBSTRING DRIVER_ARGS...: exit 1, one stderr line holding SUBSTRING, no ASan.
expect_error() {
  local name=$1 want=$2 rc=0
  shift 2
  "$driver" "$@" >"$build/$name.out" 2>"$build/$name.err" || rc=$?
  local lines
  lines=$(wc -l <"$build/$name.err")
  if [[ $rc -ne 1 || $lines -ne 1 ]] || grep -q Sanitizer "$build/$name.err" ||
     ! grep -qF -- "$want" "$build/$name.err"; then
    echo "FAIL $name: exit $rc, $lines stderr lines, expected one line with '$want':"
    head -c 4000 "$build/$name.err"
    failures=$((failures + 1))
  else
    echo "ok   $name: $(cat "$build/$name.err")"
  fi
}

expect_error truncated "file is truncated or not an ONNX model" "$models/truncated.onnx"
expect_error garbage "file is truncated or not an ONNX model" "$models/garbage.onnx"
expect_error unknown_op "unsupported operator 'Foo' (opset 13)" \
  --supported Conv,Relu "$models/unknown_op.onnx"
expect_error missing_initializer "reads 'w', which no initializer, input or node provides" \
  "$models/missing_initializer.onnx"
expect_error wrong_shape "input shape for 'x' does not match the model" \
  --input x=1,2,5 "$models/good.onnx"
expect_error huge_dims "raw_data has" "$models/huge_dims.onnx"
expect_error external_missing "external data file" "$models/external_missing.onnx"
expect_error missing_file "cannot open ONNX model" "$models/no_such_model.onnx"

# The good model imports cleanly (the driver itself works).
rc=0
"$driver" "$models/good.onnx" >"$build/good.out" 2>"$build/good.err" || rc=$?
if [[ $rc -ne 0 || -s $build/good.err ]]; then
  echo "FAIL good: exit $rc"; cat "$build/good.err"; failures=$((failures + 1))
else
  echo "ok   good: $(cat "$build/good.out")"
fi

# Random corruptions of a valid model: each imports or fails with a one-line UserError.
rc=0
"$driver" --mutate 3000 "$models/good.onnx" >"$build/mutate.out" 2>"$build/mutate.err" || rc=$?
if [[ $rc -ne 0 ]] || grep -q Sanitizer "$build/mutate.err"; then
  echo "FAIL mutated models: exit $rc"; head -c 4000 "$build/mutate.err"; failures=$((failures + 1))
else
  echo "ok   $(cat "$build/mutate.out")"
fi

# Real-world tensors and attributes: every node test model imports or fails cleanly under ASan.
node_dir=/usr/share/libonnx-testdata/data/node
if [[ -d $node_dir ]]; then
  rc=0
  "$driver" "$node_dir"/*/model.onnx >"$build/node.out" 2>"$build/node.err" || rc=$?
  if [[ $rc -gt 1 ]] || grep -q Sanitizer "$build/node.err"; then
    echo "FAIL node test models: exit $rc"; grep -A30 Sanitizer "$build/node.err" | head -60
    failures=$((failures + 1))
  else
    echo "ok   node test models: $(wc -l <"$build/node.out") imported, $(wc -l <"$build/node.err") refused"
  fi
fi

echo "asan: done in $((SECONDS - start)) s, $failures failure(s)"
[[ $failures -eq 0 ]]
