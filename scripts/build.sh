#!/usr/bin/env bash
# Installs missing dependencies, configures and builds Loom.
#   scripts/build.sh [BUILD_DIR]     (default: build)
# Environment: LOOM_BUILD_TYPE (default Release), LOOM_JOBS (default: all cores).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${1:-$ROOT/build}"

"$ROOT/scripts/install-deps.sh"

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  CC=gcc CXX=g++
  if command -v clang++-22 >/dev/null; then CC=clang-22 CXX=clang++-22; fi
  cmake -G Ninja -S "$ROOT" -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE="${LOOM_BUILD_TYPE:-Release}" \
    -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX"
fi
cmake --build "$BUILD_DIR" -- ${LOOM_JOBS:+-j "$LOOM_JOBS"}
