#!/usr/bin/env bash
# kill -9 of a real tuning process, then the same command again: no committed record is lost or
# duplicated, no config is measured twice, and tuning finishes where it stopped.
# Usage: tune_kill_resume.sh AUTOTUNE_BIN MODEL.onnx
set -uo pipefail
bin="$1"; model="$2"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
db="$work/tuning.db"
cmd=("$bin" tune --model "$model" --trials 16 --batch 4 --tuner ga --seed 5 --db "$db")
count() { sqlite3 "$db" "select count(*) from records" 2>/dev/null || echo 0; }
passed=0; failed=0
check() { if eval "$2"; then passed=$((passed+1)); echo "ok   $1"; else failed=$((failed+1)); echo "FAIL $1"; fi; }

"${cmd[@]}" >"$work/first.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  n=$(count); [[ "$n" -ge 8 ]] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
before=$(count)
sqlite3 "$db" "select workload_id || ':' || config_index || ':' || timestamp from records order by id" >"$work/before.txt"
check "records were committed before the kill ($before)" '[[ $before -ge 4 ]]'
check "database intact after kill -9" '[[ "$(sqlite3 "$db" "pragma integrity_check")" == ok ]]'

"${cmd[@]}" >"$work/second.log" 2>&1
rc=$?
check "rerun exits 0" '[[ $rc -eq 0 ]]'
sqlite3 "$db" "select workload_id || ':' || config_index || ':' || timestamp from records order by id" >"$work/after.txt"
lost=$(comm -23 <(sort "$work/before.txt") <(sort "$work/after.txt") | wc -l)
check "no record lost ($lost missing)" '[[ $lost -eq 0 ]]'
dups=$(sqlite3 "$db" "select count(*) from (select workload_id, config_index from records group by workload_id, config_index having count(*) > 1)")
check "no config measured twice ($dups duplicates)" '[[ $dups -eq 0 ]]'
over=$(sqlite3 "$db" "select count(*) from (select workload_id, count(*) c from records group by workload_id) where c > 16")
check "no task exceeds its 16 trials ($over over)" '[[ $over -eq 0 ]]'
ntasks=$(sqlite3 "$db" "select count(distinct workload_id) from records")
check "tasks recorded ($ntasks)" '[[ $ntasks -ge 1 ]]'
"${cmd[@]}" >"$work/third.log" 2>&1
after2=$(count); total=$(wc -l <"$work/after.txt")
done_tasks=$(grep -c "already tuned" "$work/third.log" || true)
check "a third run finds every task done and measures nothing ($done_tasks of $ntasks)" \
  '[[ $after2 -eq $total && $done_tasks -eq $ntasks ]]'
echo "tune kill/resume: $passed passed, $failed failed"
[[ $failed -eq 0 ]] || { echo "--- second run log"; tail -20 "$work/second.log"; exit 1; }
