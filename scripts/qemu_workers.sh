#!/usr/bin/env bash
# A pretend board farm on this machine: an RPC tracker (the host's autotune-rpc) and N aarch64
# measurement servers (the cross-built autotune-rpc under qemu-aarch64) registered with it under
# one key, so that remote tuning can be tried and tested without hardware.
#
#   scripts/qemu_workers.sh start --port P --workers N --key K [--token T] [--build-dir build]
#       Builds build-aarch64/tools/autotune-rpc if missing (scripts/build_aarch64_rpc.sh), starts
#       the tracker on 127.0.0.1:P and N servers, waits until the tracker reports all N servers
#       under key K, and prints one line per process it started: "tracker PID", then "server PID"
#       N times. Each process runs in its own session (setsid), so `stop` also ends the session
#       children a server started. Refuses when a tracker it started already runs on port P.
#   scripts/qemu_workers.sh stop --port P
#       Ends every process recorded for port P (SIGTERM, SIGKILL after 5 s) and removes the state
#       folder. Succeeds when they are already gone.
#
# State (pids, one log per process): ${TMPDIR:-/tmp}/autotune-qemu-workers-P/.
# Paths given on the command line or in the environment are relative to the caller's directory.
# Environment: AUTOTUNE_RPC_BIN (host autotune-rpc; default BUILD_DIR/tools/autotune-rpc),
# AUTOTUNE_RPC_AARCH64_BIN (default build-aarch64/tools/autotune-rpc), QEMU_WORKERS_TIMEOUT_S
# (how long `start` waits for the servers, default 120), AUTOTUNE_AARCH64_SYSROOT (default
# /usr/aarch64-linux-gnu). binfmt_misc is not assumed: every aarch64 program, including the
# per-session children of a server, is started through qemu-aarch64 explicitly.
set -euo pipefail
caller_dir="$PWD"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"

sysroot="${AUTOTUNE_AARCH64_SYSROOT:-/usr/aarch64-linux-gnu}"
# By absolute path: the server starts its session children without a PATH search.
qemu=("$(command -v qemu-aarch64 || echo qemu-aarch64)" -L "$sysroot")

die() { echo "qemu_workers: $*" >&2; exit 1; }
note() { echo "qemu_workers: $*" >&2; }
usage() {
  sed -n '6,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

state_dir_for() { echo "${TMPDIR:-/tmp}/autotune-qemu-workers-$1"; }

# PATH made absolute against BASE (paths the user gives are relative to where they called us).
absolute() { if [[ "$1" == /* ]]; then echo "$1"; else echo "$2/$1"; fi; }

# True when PID is alive and still runs one of our programs (not a recycled pid).
is_ours() {
  local pid="$1"
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' </proc/"$pid"/cmdline | grep -q autotune-rpc
}

# True while any process of the process group PGID exists.
group_alive() { kill -0 -- "-$1" 2>/dev/null; }

# Ends the process groups of every pid recorded in STATE_DIR/pids, then removes STATE_DIR.
stop_recorded() {
  local dir="$1" groups=() pid
  if [[ -f "$dir/pids" ]]; then
    while read -r _ pid; do
      [[ "$pid" =~ ^[0-9]+$ ]] || continue
      # Only signal a group whose leader is gone or is still our program: a leader that now
      # runs something else means the pid was reused.
      if [[ -e /proc/$pid ]] && ! is_ours "$pid"; then continue; fi
      group_alive "$pid" && groups+=("$pid")
    done <"$dir/pids"
  fi
  for pid in "${groups[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  local waited=0
  while ((waited < 50)); do
    local left=0
    for pid in "${groups[@]}"; do group_alive "$pid" && left=1; done
    ((left)) || break
    sleep 0.1; waited=$((waited + 1))
  done
  for pid in "${groups[@]}"; do
    if group_alive "$pid"; then
      note "process group $pid did not stop on SIGTERM; sending SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$dir"
}

# Starts "$@" in a new session with its output in LOG; prints its pid (which is also the
# session's and process group's id: setsid execs in place because we are not a group leader).
spawn() {
  local log="$1"; shift
  setsid nohup "$@" >"$log" 2>&1 </dev/null &
  echo $!
}

# The servers the tracker counts for KEY (free + busy), or nothing if it cannot be asked.
count_servers() {
  local out token_args=()
  [[ -n "$token" ]] && token_args=(--token "$token")
  out=$("$host_bin" status --tracker "127.0.0.1:$port" --key "$key" "${token_args[@]}" \
        2>/dev/null) || return 0
  awk -v k="$key" '$1 == "key" && $2 == k && $3 == "free" && $5 == "busy" { print $4 + $6; exit }' \
    <<<"$out"
}

cmd_start() {
  local workers="" build_dir="$repo/build"
  port="" key="" token=""
  while (($#)); do
    case "$1" in
      --port) port="${2:-}"; shift 2 || usage ;;
      --workers) workers="${2:-}"; shift 2 || usage ;;
      --key) key="${2:-}"; shift 2 || usage ;;
      --token) token="${2:-}"; shift 2 || usage ;;
      --build-dir) build_dir=$(absolute "${2:-}" "$caller_dir"); shift 2 || usage ;;
      -h|--help) usage ;;
      *) die "unknown option '$1' of start (see --help)" ;;
    esac
  done
  [[ "$port" =~ ^[0-9]+$ ]] && ((port >= 1 && port <= 65535)) ||
    die "start needs --port P with P in [1, 65535], got '$port'"
  [[ "$workers" =~ ^[0-9]+$ ]] && ((workers >= 1 && workers <= 64)) ||
    die "start needs --workers N with N in [1, 64], got '$workers'"
  [[ -n "$key" ]] || die "start needs --key K (the tracker key the servers register under)"
  command -v qemu-aarch64 >/dev/null || die "qemu-aarch64 not found (install qemu-user)"

  host_bin=$(absolute "${AUTOTUNE_RPC_BIN:-$build_dir/tools/autotune-rpc}" "$caller_dir")
  [[ -x "$host_bin" ]] ||
    die "host autotune-rpc '$host_bin' not found (build it: cmake --build $build_dir --target autotune-rpc, or set AUTOTUNE_RPC_BIN)"
  local arm_bin="$repo/build-aarch64/tools/autotune-rpc"
  if [[ -n "${AUTOTUNE_RPC_AARCH64_BIN:-}" ]]; then
    arm_bin=$(absolute "$AUTOTUNE_RPC_AARCH64_BIN" "$caller_dir")
    [[ -x "$arm_bin" ]] ||
      die "AUTOTUNE_RPC_AARCH64_BIN names '$arm_bin', which is not an executable file"
  elif [[ ! -x "$arm_bin" ]]; then
    note "building the aarch64 autotune-rpc (scripts/build_aarch64_rpc.sh)"
    arm_bin=$(scripts/build_aarch64_rpc.sh) || die "the aarch64 build failed"
    arm_bin=$(absolute "$arm_bin" "$repo")
  fi

  state_dir=$(state_dir_for "$port")
  if [[ -f "$state_dir/pids" ]]; then
    local old
    old=$(awk '$1 == "tracker" { print $2; exit }' "$state_dir/pids")
    if [[ -n "$old" ]] && is_ours "$old"; then
      die "a tracker started by this script already runs on port $port (pid $old); stop it first: scripts/qemu_workers.sh stop --port $port"
    fi
  fi
  [[ -e "$state_dir" ]] && stop_recorded "$state_dir"  # leftovers of a run whose tracker died
  mkdir -p "$state_dir"
  : >"$state_dir/pids"
  # From here on, any failure stops what was started.
  trap 'stop_recorded "$state_dir"' EXIT

  local token_args=()
  [[ -n "$token" ]] && token_args=(--token "$token")
  local pid
  pid=$(spawn "$state_dir/tracker.log" "$host_bin" tracker --host 127.0.0.1 --port "$port" \
        "${token_args[@]}")
  echo "tracker $pid" >>"$state_dir/pids"
  local deadline=$((SECONDS + 15))
  until grep -q "tracker listening on" "$state_dir/tracker.log" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null ||
      die "the tracker exited: $(tail -n 3 "$state_dir/tracker.log" | tr '\n' ' ')"
    ((SECONDS < deadline)) || die "the tracker did not report listening within 15 s (log: $state_dir/tracker.log)"
    sleep 0.1
  done

  local i
  for ((i = 0; i < workers; i++)); do
    pid=$(spawn "$state_dir/server-$i.log" "${qemu[@]}" "$arm_bin" server \
          --tracker "127.0.0.1:$port" --key "$key" --host 127.0.0.1 --port 0 \
          --child-launcher "${qemu[*]}" "${token_args[@]}")
    echo "server $pid" >>"$state_dir/pids"
  done

  local timeout_s="${QEMU_WORKERS_TIMEOUT_S:-120}" n=0
  deadline=$((SECONDS + timeout_s))
  while :; do
    n=$(count_servers)
    [[ "${n:-0}" -ge "$workers" ]] && break
    while read -r what pid; do
      kill -0 "$pid" 2>/dev/null && continue
      die "$what $pid exited before all servers registered; last log lines: $(tail -q -n 2 "$state_dir"/*.log | tr '\n' ' ')"
    done <"$state_dir/pids"
    ((SECONDS < deadline)) ||
      die "only ${n:-0} of $workers servers registered under key '$key' within $timeout_s s: $(tail -q -n 2 "$state_dir"/*.log | tr '\n' ' ')"
    sleep 0.5
  done
  trap - EXIT
  cat "$state_dir/pids"
}

cmd_stop() {
  local port=""
  while (($#)); do
    case "$1" in
      --port) port="${2:-}"; shift 2 || usage ;;
      -h|--help) usage ;;
      *) die "unknown option '$1' of stop (see --help)" ;;
    esac
  done
  [[ "$port" =~ ^[0-9]+$ ]] || die "stop needs --port P, got '$port'"
  local dir
  dir=$(state_dir_for "$port")
  [[ -e "$dir" ]] && stop_recorded "$dir"
  return 0
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  -h|--help|help) usage ;;
  *) note "expected 'start' or 'stop'"; usage ;;
esac
