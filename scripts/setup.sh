#!/usr/bin/env bash
# Installs the Debian packages from shared/STACK.md (skipped when all are present), then configures
# and builds the project into build/ (Release, Ninja). Extra args go to the cmake configure step.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(
  cmake ninja-build g++ pkg-config llvm-16-dev lld-16 clang-16 libxgboost-dev libsqlite3-dev sqlite3
  nlohmann-json3-dev libboost-dev libgtest-dev libgmock-dev libonnx-dev libprotobuf-dev
  protobuf-compiler python3-onnx python3-numpy ocl-icd-opencl-dev opencl-headers pocl-opencl-icd
  clinfo qemu-user g++-aarch64-linux-gnu libcli11-dev libfmt-dev libspdlog-dev
  libopenblas-dev libdnnl-dev libonnx-testdata
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${#missing[@]} missing package(s): ${missing[*]}"
  sudo=()
  if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update
  "${sudo[@]}" apt-get install -y --no-install-recommends "${packages[@]}"
else
  echo "setup: all ${#packages[@]} packages already installed"
fi

# An existing build/ keeps its generator; passing -G again to a cache made by another one is an error.
if [[ -f build/CMakeCache.txt ]]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@"
else
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
fi
cmake --build build -j2

# --- ONNX Runtime reference + test models (scripts/ort, scripts/models) -------------------------
# Both steps are cached: ort/setup.sh returns at once when onnxruntime-node is installed, and
# generate.py keeps build/models/*.onnx that are newer than the script (all 8 models x 2 styles,
# ~600 MB, take ~6 s to build from scratch). Set AUTOTUNE_SKIP_ORT=1 to skip the npm step.
if [[ "${AUTOTUNE_SKIP_ORT:-0}" != 1 ]]; then
  scripts/ort/setup.sh
fi
/usr/bin/python3 scripts/models/generate.py --out build/models | grep -v ': cached$'
# --- end ONNX Runtime reference + test models ------------------------------------------------------
