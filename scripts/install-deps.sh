#!/usr/bin/env bash
# Installs every Debian package Loom's build, tests and later waves need.
# Idempotent: packages already present are skipped; `apt-get update` runs at most once.
set -euo pipefail

PACKAGES=(
  # Compiler toolchain and MLIR.
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22 liblld-22-dev
  libomp-22-dev
  cmake ninja-build g++
  # ONNX import.
  libprotobuf-dev protobuf-compiler libonnx-dev libonnx-testdata
  # Tests and the artifact format.
  googletest libgtest-dev libflatbuffers-dev flatbuffers-compiler
  # Test tooling and CPU baselines.
  python3 python3-onnx python3-numpy
  # AMD target: ROCm device libraries (ocml/ockl bitcode linked into HSACO);
  # HIP runtime library (the runtime dlopens it; no GPU needed to build/test).
  rocm-device-libs libamdhip64-dev
  # Headers needed by MLIR's CMake exports on Debian.
  zlib1g-dev libzstd-dev libedit-dev libcurl4-openssl-dev libxml2-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
