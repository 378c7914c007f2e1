#!/usr/bin/env bash
# Installs the build tree into a scratch prefix, then configures, builds and
# runs the out-of-tree app against it. Used by ctest (install-find-package).
#   check.sh BUILD_DIR MODEL.onnx
set -euo pipefail
BUILD_DIR="$1"; MODEL="$2"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
cmake --install "$BUILD_DIR" --prefix "$WORK/prefix" >/dev/null
cmake -S "$HERE" -B "$WORK/app" -G Ninja -DCMAKE_PREFIX_PATH="$WORK/prefix" >/dev/null
cmake --build "$WORK/app" >/dev/null
"$WORK/app/embed" "$MODEL"
