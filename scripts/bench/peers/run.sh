#!/usr/bin/env bash
# Runs bench_peers single-threaded (building it first if needed): run.sh peak | sgemm M N K |
# conv N C H W K R S stride pad. Prints one `key=value ...` line.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$here/../../../build/bench-peers/bench_peers"
[[ -x "$bin" ]] || "$here/build.sh" >&2

export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 OMP_WAIT_POLICY=passive
if [[ "${1:-}" == sgemm ]]; then
  # These may be set on this machine for numpy's sake; they force a slower OpenBLAS kernel. The
  # chosen kernel is printed as core=... in the result line.
  exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$bin" "$@"
fi
exec "$bin" "$@"
