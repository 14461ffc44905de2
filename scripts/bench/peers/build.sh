#!/usr/bin/env bash
# Builds bench_peers (standalone, not part of the main build) into build/bench-peers/ at the repo root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."

if [[ -f build/bench-peers/CMakeCache.txt ]]; then
  cmake -S scripts/bench/peers -B build/bench-peers -DCMAKE_BUILD_TYPE=Release
else
  cmake -S scripts/bench/peers -B build/bench-peers -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build build/bench-peers -j2
