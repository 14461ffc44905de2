#!/usr/bin/env bash
# Remote tuning end to end on a pretend board farm: a tracker and two aarch64 servers under
# qemu-aarch64 on loopback (scripts/qemu_workers.sh). Tunes a small CNN for `--device rk3399-rpc`,
# kills one server (its whole process group, as a board losing power) in the middle of the run,
# and checks that the run still completes with every record valid; then runs the model built
# from those records on a server (`autotune run --device rk3399-rpc`) and compares its outputs
# with ONNX Runtime's on the same input; and times it remotely (`autotune bench`).
# Usage: rpc_qemu.sh AUTOTUNE_BIN MODEL.onnx
set -uo pipefail
bin="$1"; model="$2"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
py=/usr/bin/python3
export AUTOTUNE_DB="$work/no-default.db"  # never touch the user's database
export AUTOTUNE_RPC_BIN="$(dirname "$bin")/autotune-rpc"
export AUTOTUNE_DEVICES="$work/no-user-devices.json"  # built-in profiles only
echo '{"devices": {}}' >"$AUTOTUNE_DEVICES"
port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
tracker="127.0.0.1:$port"
cleanup() { "$root/scripts/qemu_workers.sh" stop --port "$port" >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT
passed=0; failed=0
check() { if eval "$2"; then passed=$((passed+1)); echo "ok   $1"; else failed=$((failed+1)); echo "FAIL $1"; fi; }
finish() { echo "rpc qemu: $passed passed, $failed failed"; [[ $failed -eq 0 ]]; exit $?; }

# 1. The farm.
if ! "$root/scripts/build_aarch64_rpc.sh" >"$work/cross.log" 2>&1; then
  tail -20 "$work/cross.log"; check "aarch64 autotune-rpc builds" false; finish
fi
started=$("$root/scripts/qemu_workers.sh" start --port "$port" --workers 2 --key rk3399 2>"$work/farm.log")
rc=$?
echo "$started"
check "qemu_workers.sh start exits 0" '[[ $rc -eq 0 ]]' || { cat "$work/farm.log"; finish; }
servers=($(echo "$started" | awk '$1 == "server" { print $2 }'))
check "qemu_workers.sh prints a tracker and two servers" \
  '[[ $(echo "$started" | grep -c "^tracker [0-9]*$") -eq 1 && ${#servers[@]} -eq 2 ]]'
"$AUTOTUNE_RPC_BIN" status --tracker "$tracker" >"$work/status.log" 2>&1
cat "$work/status.log"
check "status lists two free aarch64 rk3399 servers" \
  'grep -q "^key rk3399 free 2 busy 0" "$work/status.log" && [[ $(grep -c "aarch64-linux-gnu" "$work/status.log") -eq 2 ]]'

# 2. Tune; kill one server once the run is under way.
db="$work/T.db"
# --timeout 60: emulated NEON code is slow, and ctest runs other tests beside this one.
"$bin" --model "$model" --device rk3399-rpc --tracker "$tracker" --trials 8 --timeout 60 \
  --db "$db" >"$work/tune.out" 2>"$work/tune.err" &
tune=$!
for _ in $(seq 1 1200); do
  n=$(sqlite3 "$db" "select count(*) from records" 2>/dev/null || echo 0)
  [[ "${n:-0}" -ge 3 ]] && break
  kill -0 "$tune" 2>/dev/null || break
  sleep 0.5
done
still_running=0; kill -0 "$tune" 2>/dev/null && still_running=1
kill -9 -- "-${servers[0]}" 2>/dev/null || kill -9 "${servers[0]}"
check "a server was killed while the tuning run was under way" '[[ $still_running -eq 1 ]]'
wait "$tune"; rc=$?
cat "$work/tune.out"; grep -v "trials, best" "$work/tune.err" | tail -8
check "tuning completes (exit 0) although a server died" '[[ $rc -eq 0 ]]'
check "the run reported the failed server and went on" 'grep -q "failed (" "$work/tune.err"'
"$bin" tune --model "$model" --device rk3399-rpc --list-tasks >"$work/tasks.txt" 2>/dev/null
tasks=$(($(wc -l <"$work/tasks.txt") - 1))
verdict=$("$py" - "$db" "$tasks" <<'PY'
import json, sqlite3, sys
db, tasks = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db)
rows = c.execute("""select t.target, r.status, r.mean_s, r.costs_json, r.error_msg
                    from records r join targets t on r.target_id = t.id""").fetchall()
problems = []
if len(rows) != 8 * tasks:
    problems.append(f"{len(rows)} records for {tasks} tasks x 8 trials")
for target, status, mean, costs, err in rows:
    if "aarch64" not in target or "cortex-a72" not in target:
        problems.append(f"record for target {target}")
    if status == "ok":
        cs = json.loads(costs)
        if not (mean and mean > 0 and cs and all(x > 0 for x in cs)):
            problems.append(f"ok record with costs {costs}")
    elif "machine failed" in err or "connection" in err:
        problems.append(f"a trial was blamed for the dead server: {status} {err}")
ok = sum(1 for r in rows if r[1] == "ok")
if ok < len(rows) // 2:
    problems.append(f"only {ok} of {len(rows)} records ok")
print("; ".join(problems) if problems else f"{len(rows)} records, {ok} ok, all for the aarch64 target")
sys.exit(1 if problems else 0)
PY
)
rc=$?; echo "  $verdict"
check "every record is valid" '[[ $rc -eq 0 ]]'

# 3. Run the tuned model on a server and compare with ONNX Runtime.
inputs=$("$py" "$root/scripts/models/make_inputs.py" --model "$model" --out "$work/in" --seed 3)
args=(); for kv in $inputs; do args+=(--input "$kv"); done
"$bin" run --device rk3399-rpc --tracker "$tracker" --model "$model" --db "$db" --require-tuned \
  "${args[@]}" --output-dir "$work/ours" >"$work/run.log" 2>&1
rc=$?; tail -3 "$work/run.log"
check "autotune run --device rk3399-rpc exits 0" '[[ $rc -eq 0 ]]'
node "$root/scripts/ort/run.js" --model "$model" "${args[@]}" --output-dir "$work/ort" --threads 1 \
  >"$work/ort.log" 2>&1
check "onnxruntime ran" '[[ $? -eq 0 ]]'
verdict=$("$py" "$root/scripts/e2e/compare_outputs.py" "$work/ours" "$work/ort")
rc=$?; echo "  $verdict"
check "remote outputs match ONNX Runtime" '[[ $rc -eq 0 ]]'

# 4. Remote latency.
"$bin" bench --device rk3399-rpc --tracker "$tracker" --model "$model" --db "$db" --repeat 2 \
  >"$work/bench.log" 2>&1
rc=$?; cat "$work/bench.log" | tail -4
check "autotune bench --device rk3399-rpc reports a latency measured on aarch64" \
  '[[ $rc -eq 0 ]] && grep -q "aarch64" "$work/bench.log" && grep -qi "ms" "$work/bench.log"'

finish
