#!/bin/sh
# ===- bench-cpu.sh - Loom's CPU code against PyTorch (a benchmark) -------===#
#
# Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
#
# ===-----------------------------------------------------------------------===#
#
# usage: scripts/bench-cpu.sh [--build DIR] [--runs N] [--threads T] [--only S]
#
# Installs Debian's python3-torch if it is missing (the benchmark's only
# extra dependency; no test needs it), then runs scripts/bench_cpu.py with
# the system Python, which has python3-onnx and python3-numpy. Not a test:
# it prints numbers and asserts nothing about them.
set -eu
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "installing python3-torch (for the benchmark only)" >&2
  apt-get install -y --no-install-recommends python3-torch >&2
fi
exec /usr/bin/python3 scripts/bench_cpu.py "$@"
