#!/usr/bin/env bash
# Bad input to `autotune run`: each case must exit non-zero with exactly one line on stderr
# that names the problem, and never crash (no signal exit, no sanitizer or abort output).
# Usage: cli_errors.sh AUTOTUNE_BIN GOOD_MODEL.onnx
set -uo pipefail
bin="$1"; good="$2"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work" <<'PY'
import sys, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
d = sys.argv[1]
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
w = numpy_helper.from_array(np.ones((4, 3, 3, 3), np.float32), "w")
def save(nodes, inits, name):
    g = helper.make_graph(nodes, "g", [x], [y], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(m, f"{d}/{name}.onnx")
save([helper.make_node("Conv", ["x", "w"], ["y"], name="conv1")], [w], "ok")
save([helper.make_node("FancyOp", ["x"], ["y"], name="fancy1")], [], "unknown_op")
save([helper.make_node("Conv", ["x", "w_missing"], ["y"], name="conv1")], [], "missing_init")
np.save(f"{d}/x.npy", np.zeros((1, 3, 8, 8), np.float32))
np.save(f"{d}/x_wrong.npy", np.zeros((1, 3, 9, 8), np.float32))
PY
head -c 300 "$good" > "$work/truncated.onnx"
passed=0; failed=0
expect_error() {  # name, substring, command...
  local name="$1" want="$2"; shift 2
  "$@" >"$work/out" 2>"$work/err"; local rc=$?
  local lines; lines=$(wc -l <"$work/err")
  if [[ $rc -ne 0 && $rc -lt 128 && $lines -eq 1 ]] && grep -qF -- "$want" "$work/err" &&
     ! grep -qi -e sanitizer -e "core dumped" -e terminate "$work/err"; then
    passed=$((passed+1)); echo "ok   $name: $(cat "$work/err")"
  else
    failed=$((failed+1)); echo "FAIL $name (exit $rc, $lines lines):"; cat "$work/err"
  fi
}
run() { "$bin" run --output-dir "$work/out_dir" "$@"; }
expect_error "truncated model" "truncated or not an ONNX model" run --model "$work/truncated.onnx" --input x="$work/x.npy"
expect_error "unknown operator" "unsupported operator 'FancyOp' (opset 13) at node 'fancy1'" run --model "$work/unknown_op.onnx" --input x="$work/x.npy"
expect_error "missing initializer" "reads 'w_missing'" run --model "$work/missing_init.onnx" --input x="$work/x.npy"
expect_error "wrong input shape" "has shape [1, 3, 9, 8], the model expects [1, 3, 8, 8]" run --model "$work/ok.onnx" --input x="$work/x_wrong.npy"
expect_error "missing input" "needs input(s) 'x'" run --model "$work/ok.onnx"
expect_error "unknown input" "has no input named 'z'" run --model "$work/ok.onnx" --input x="$work/x.npy" --input z="$work/x.npy"
expect_error "missing model file" "cannot" run --model "$work/nope.onnx" --input x="$work/x.npy"
expect_error "unknown device" "unknown device 'tpu'" run --model "$work/ok.onnx" --device tpu --input x="$work/x.npy"
expect_error "unknown device (tune)" "unknown device 'nosuch' (known: local," "$bin" tune --model "$work/ok.onnx" --device nosuch
echo "cli errors: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
