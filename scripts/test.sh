#!/usr/bin/env bash
# Builds build/ (configuring it first if missing) and runs the default CTest suite: the
# "correctness", "error" and "rpc" labels (rpc: remote tuning on aarch64 servers under qemu).
# Extra args are passed to ctest (e.g. -R UnrollLoops, -V).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -f build/CMakeCache.txt ]]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build build -j2
ctest --test-dir build -L "correctness|error|rpc" --output-on-failure -j2 --timeout 600 "$@"
