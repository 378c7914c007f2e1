#!/usr/bin/env bash
# Every test, on a fresh machine: install, build, then one ctest run (lit
# suite, GoogleTest cases, docs checks). Ends with ctest's summary line.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${LOOM_BUILD_DIR:-$ROOT/build}"

"$ROOT/scripts/build.sh" "$BUILD_DIR"
cd "$BUILD_DIR"
ctest --output-on-failure -j "$(nproc)"
