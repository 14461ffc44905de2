#!/usr/bin/env bash
# Installs onnxruntime-node (CPU) into scripts/ort/node_modules; does nothing when it is already there.
# ONNXRUNTIME_NODE_INSTALL=skip stops its install script from fetching CUDA files;
# --omit-lockfile-registry-resolved keeps registry addresses out of package-lock.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [[ -f node_modules/onnxruntime-node/package.json ]] && node -e "require('onnxruntime-node')" 2>/dev/null; then
  echo "ort setup: onnxruntime-node $(node -p "require('onnxruntime-node/package.json').version") already installed"
  exit 0
fi
command -v npm >/dev/null || { echo "ort setup: npm not found (needs Node.js >= 16)" >&2; exit 1; }
ONNXRUNTIME_NODE_INSTALL=skip npm ci --omit-lockfile-registry-resolved --no-audit --no-fund \
  || ONNXRUNTIME_NODE_INSTALL=skip npm install --omit-lockfile-registry-resolved --no-audit --no-fund
node -e "require('onnxruntime-node')"
echo "ort setup: onnxruntime-node installed"
