#!/usr/bin/env bash
# Checks Loom on an NVIDIA GPU machine from what was built here.
#
#   scripts/gpu-check.sh prepare [TARGET]   (here; default TARGET cuda:sm_90a)
#       compiles every committed e2e model and a set of ONNX node tests (all
#       that pass on the CPU, or every k-th of them with LOOM_GPU_NODE_STRIDE=k) for
#       TARGET and gathers them, with loom-run and the runtime library, in
#       .gpu/ (git-ignored, small: artifacts + test data + two binaries).
#   scripts/gpu-check.sh run                (on the GPU machine, from the
#       repository root with .gpu/ carried there): runs each artifact with
#       `loom-run --device cuda` against its reference and prints a summary;
#       writes the log to $OUT/gpu-check.log when $OUT is set.
#
# The GPU machine has the NVIDIA driver but no LLVM/MLIR/protobuf: loom-run
# links only libloom_runtime.so (carried), which dlopens libcuda.so.1.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GPU="$ROOT/.gpu"
NODE_TESTS=/usr/share/libonnx-testdata/data/node

prepare() {
  local target="${1:-cuda:sm_90a}" bin="${LOOM_BUILD_DIR:-$ROOT/build}/bin"
  rm -rf "$GPU"; mkdir -p "$GPU/cases" "$GPU/lib"
  cp "$bin/loom-run" "$GPU/"
  cp -L "${LOOM_BUILD_DIR:-$ROOT/build}"/runtime/libloom_runtime.so* "$GPU/lib/" 2>/dev/null ||
    cp -L "$(ldd "$bin/loom-run" | awk '/libloom_runtime/ {print $3}')" "$GPU/lib/"
  local n=0 failed=0
  add_case() { # name model.onnx data-dir
    mkdir -p "$GPU/cases/$1"
    if "$bin/loomc" "$2" -o "$GPU/cases/$1/model.loom" --target="$target" --quiet \
         2> "$GPU/cases/$1/compile.log"; then
      cp -r "$3" "$GPU/cases/$1/data"; n=$((n + 1))
    else
      echo "compile failed for $target: $1: $(head -1 "$GPU/cases/$1/compile.log")"
      rm -rf "$GPU/cases/$1"; failed=$((failed + 1))
    fi
  }
  for dir in "$ROOT"/test/models/*/ "$ROOT/examples/model/"; do
    [ -f "$dir/model.onnx" ] && add_case "model_$(basename "$dir")" "$dir/model.onnx" "$dir/test_data_set_0"
  done
  # Node tests that pass on the CPU (not in the CPU expected-failure list).
  local stride="${LOOM_GPU_NODE_STRIDE:-1}" i=0
  for dir in "$NODE_TESTS"/*/; do
    name="$(basename "$dir")"
    grep -q "^$name " "$ROOT/test/conformance/cpu-xfail.txt" && continue
    i=$((i + 1)); [ $((i % stride)) -eq 0 ] || continue
    add_case "$name" "$dir/model.onnx" "$dir/test_data_set_0"
  done
  echo "prepared $n cases for $target in .gpu/ ($failed did not compile); $(du -sh "$GPU" | cut -f1)"
}

run() {
  local log="${OUT:-/tmp}/gpu-check.log" pass=0 fail=0
  export LD_LIBRARY_PATH="$GPU/lib:${LD_LIBRARY_PATH:-}"
  : > "$log"
  for dir in "$GPU"/cases/*/; do
    name="$(basename "$dir")"
    if out="$("$GPU/loom-run" "$dir/model.loom" --device cuda --data "$dir/data" \
                --rtol 1e-3 --atol 1e-4 2>&1)"; then
      pass=$((pass + 1)); echo "PASS $name" >> "$log"
    else
      fail=$((fail + 1)); echo "FAIL $name: $(echo "$out" | tail -2 | tr '\n' ' ')" >> "$log"
      # The e2e models' failures come with the last CUDA calls they made.
      case "$name" in model_*)
        { echo "== $name"; LOOM_CUDA_TRACE=1 "$GPU/loom-run" "$dir/model.loom" --device cuda \
            --data "$dir/data" --rtol 1e-3 --atol 1e-4 2>&1 | tail -25; } >> "${log%.log}-traces.log" ;;
      esac
    fi
  done
  grep -c "^PASS model_" "$log" | sed 's/^/e2e models passing on cuda: /'
  grep "^FAIL model_" "$log" || true
  grep "^FAIL" "$log" | head -20
  echo "cases passing on cuda: $pass passed, $fail failed"
}

case "${1:-}" in
  prepare) shift; prepare "$@" ;;
  run) run ;;
  *) echo "usage: $0 prepare [TARGET] | run" >&2; exit 2 ;;
esac
