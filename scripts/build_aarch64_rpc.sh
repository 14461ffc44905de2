#!/usr/bin/env bash
# Cross-compiles the board-side measurement server, autotune-rpc, for aarch64-linux-gnu into
# build-aarch64/ (CMake with cmake/aarch64-linux-gnu.cmake, which turns on AUTOTUNE_RPC_ONLY: no
# LLVM, ONNX, XGBoost, SQLite or tests) and prints the binary's path on stdout. Configures only
# when build-aarch64 is new; a second run with nothing changed returns in about a second.
# Progress goes to stderr. Run the result with
#   qemu-aarch64 -L /usr/aarch64-linux-gnu build-aarch64/tools/autotune-rpc --version
# or copy it to a board (it needs only glibc there: libstdc++ and libgcc are linked statically).
# Usage: scripts/build_aarch64_rpc.sh [BUILD_DIR]   (default build-aarch64; env JOBS, default 2)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir="${1:-build-aarch64}"
for tool in aarch64-linux-gnu-g++ cmake ninja; do
  command -v "$tool" >/dev/null || {
    echo "build_aarch64_rpc: '$tool' not found (install g++-aarch64-linux-gnu, cmake and ninja-build)" >&2
    exit 1
  }
done

if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/aarch64-linux-gnu.cmake" >&2
fi
cmake --build "$build_dir" -j "${JOBS:-2}" --target autotune-rpc >&2

echo "$build_dir/tools/autotune-rpc"
