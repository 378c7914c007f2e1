#!/usr/bin/env bash
# The main job, on a fresh machine: install, build, then run Loom on the
# bundled example and print the result.
#
# Today (foundation stage) the example is MLIR that uses all three Loom
# dialects; loom-opt verifies it, runs canonicalization and CSE, and prints
# it. Once the CPU path lands, this compiles the bundled ONNX model and runs it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${LOOM_BUILD_DIR:-$ROOT/build}"

"$ROOT/scripts/build.sh" "$BUILD_DIR"
echo "== loom-opt examples/transformer-block.mlir --canonicalize --cse"
"$BUILD_DIR/bin/loom-opt" "$ROOT/examples/transformer-block.mlir" \
  --canonicalize --cse
