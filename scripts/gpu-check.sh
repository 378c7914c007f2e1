#!/usr/bin/env bash
# Checks Loom on an NVIDIA GPU machine from what was built here.
#
#   scripts/gpu-check.sh prepare [TARGET]   (here; default TARGET cuda:sm_90a)
#       compiles every committed e2e model and the ONNX node tests that pass
#       on the CPU (not in test/conformance/cpu-xfail.txt) for TARGET and
#       gathers them, with loom-run and the runtime library, in .gpu/
#       (git-ignored: artifacts + test data + two binaries). Sequence lengths
#       and absent optionals come from each case's data set, as in the CPU
#       harness (`loomc --import-options-from-data`). The full suite is about
#       900 cases; the size of .gpu/ is printed at the end (what the GPU
#       machine is given must stay under 64 MiB).
#         LOOM_GPU_NODE_STRIDE=k   only every k-th node test (default 1: all)
#         LOOM_GPU_SHARD=i/n       only the node tests with index % n == i
#                                  (e2e models in shard 0), to split the suite
#                                  over several GPU runs; prepare/run one shard
#                                  at a time
#         LOOM_GPU_PREPARE_JOBS=j  compiles at a time (default 2)
#         LOOM_BUILD_DIR           build folder (default build/)
#       It also compiles the benchmark's models (bench/gpu/models) into
#       .gpu/bench (LOOM_GPU_BENCH=0 to skip).
#   scripts/gpu-check.sh run                (on the GPU machine, from the
#       repository root with .gpu/ carried there): runs each artifact with
#       `loom-run --device cuda` against its reference, several at a time
#       (LOOM_GPU_JOBS, default 8; each gets LOOM_GPU_CASE_TIMEOUT seconds,
#       default 60), and prints a summary; writes the log (one
#       "PASS name" / "FAIL name: reason" line per case, in name order) to
#       $OUT/gpu-check.log when $OUT is set, traces of failing e2e models to
#       gpu-check-traces.log beside it.
#       Then, when .gpu/bench exists, the benchmark (as `bench` below).
#   scripts/gpu-check.sh bench              (on the GPU machine; needs torch):
#       bench/gpu/bench.py over .gpu/bench, Loom and the PyTorch peers timed
#       side by side; the table goes to $OUT/bench.md (LOOM_BENCH_ITERS, default 5).
#
# The GPU machine has the NVIDIA driver but no LLVM/MLIR/protobuf: loom-run
# links only libloom_runtime.so (carried), which dlopens libcuda.so.1.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GPU="$ROOT/.gpu"
NODE_TESTS=/usr/share/libonnx-testdata/data/node
BUILD="${LOOM_BUILD_DIR:-$ROOT/build}"

# compile-case NAME MODEL DATA TARGET: one case into .gpu/cases/NAME; prints
# "ok NAME" or the reason it did not compile.
compile_case() {
  local name="$1" model="$2" data="$3" target="$4" dir="$GPU/cases/$1"
  mkdir -p "$dir"
  if "$BUILD/bin/loomc" "$model" -o "$dir/model.loom" --target="$target" \
       --import-options-from-data "$data" --quiet 2> "$dir/compile.log"; then
    cp -r "$data" "$dir/data"; rm -f "$dir/compile.log"; echo "ok $name"
    # A test model's own loom-run tolerances (test/models/*/tolerance).
    if [ -f "$(dirname "$model")/tolerance" ]; then cp "$(dirname "$model")/tolerance" "$dir/"; fi
  else
    echo "compile failed for $target: $name: $(grep -m1 error "$dir/compile.log" ||
                                                 head -1 "$dir/compile.log")"
    rm -rf "$dir"
  fi
}

prepare() {
  local target="${1:-cuda:sm_90a}" bin="$BUILD/bin"
  rm -rf "$GPU"; mkdir -p "$GPU/cases" "$GPU/lib"
  cp "$bin/loom-run" "$GPU/"
  cp -L "$BUILD"/runtime/libloom_runtime.so* "$GPU/lib/" 2>/dev/null ||
    cp -L "$(ldd "$bin/loom-run" | awk '/libloom_runtime/ {print $3}')" "$GPU/lib/"
  local shard="${LOOM_GPU_SHARD:-0/1}" stride="${LOOM_GPU_NODE_STRIDE:-1}"
  local si="${shard%/*}" sn="${shard#*/}" list="$GPU/cases.txt" i=0 j=0
  : > "$list"
  if [ "$si" -eq 0 ]; then
    for dir in "$ROOT"/test/models/*/ "$ROOT/examples/model/"; do
      [ -f "$dir/model.onnx" ] &&
        echo "model_$(basename "$dir") $dir/model.onnx $dir/test_data_set_0" >> "$list"
    done
  fi
  # Node tests that pass on the CPU (not in the CPU expected-failure list).
  for dir in "$NODE_TESTS"/*/; do
    name="$(basename "$dir")"
    grep -q "^$name " "$ROOT/test/conformance/cpu-xfail.txt" && continue
    i=$((i + 1)); [ $((i % stride)) -eq 0 ] || continue
    j=$((j + 1)); [ $((j % sn)) -eq "$si" ] || continue
    echo "$name $dir/model.onnx $dir/test_data_set_0" >> "$list"
  done
  local results n failed
  results="$(xargs -P "${LOOM_GPU_PREPARE_JOBS:-2}" -L 1 \
               "$ROOT/scripts/gpu-check.sh" compile-case "$target" < "$list")"
  rm -f "$list"
  n="$(grep -c '^ok ' <<< "$results")"
  failed="$(grep -vc '^ok ' <<< "$results")"
  grep -v '^ok ' <<< "$results" | sort
  [ "${LOOM_GPU_BENCH:-1}" = 0 ] || prepare_bench "$target"
  echo "prepared $n cases for $target in .gpu/ ($failed did not compile); $(du -sh --apparent-size "$GPU" | cut -f1)"
}

# The benchmark's models (bench/gpu/models, weights as graph inputs) into
# .gpu/bench: one artifact per row, the MoE block also without raising (the
# dense all-experts graph), and the two ONNX files bench.py reads input
# names from.
prepare_bench() {
  local models="$ROOT/bench/gpu/models"
  export TARGET="$1"
  mkdir -p "$GPU/bench"
  cp "$models/llama4.onnx" "$models/moe_block.onnx" "$GPU/bench/"
  # Lines "NAME MODEL [LOOMC FLAG]", compiled a few at a time.
  { for f in "$models"/*.onnx; do echo "$(basename "$f" .onnx) $f"; done
    echo "moe_block_dense $models/moe_block.onnx --no-raise"; } |
    xargs -P "${LOOM_GPU_PREPARE_JOBS:-2}" -L 1 sh -c \
      '"$1" "$4" -o "$2/bench/$3.loom" --target="$TARGET" --quiet ${5:-} ||
         echo "benchmark model $3 did not compile"' _ "$BUILD/bin/loomc" "$GPU"
  echo "benchmark artifacts: $(ls "$GPU/bench" | grep -c '\.loom$')"
}

# bench: bench/gpu/bench.py over .gpu/bench (needs torch; the table goes to
# $OUT/bench.md).
bench() {
  [ -d "$GPU/bench" ] || { echo "no .gpu/bench: prepare with LOOM_GPU_BENCH=1"; return 1; }
  export LD_LIBRARY_PATH="$GPU/lib:${LD_LIBRARY_PATH:-}"
  python3 "$ROOT/bench/gpu/bench.py" run "$GPU/bench" --loom-run "$GPU/loom-run" \
    --iters "${LOOM_BENCH_ITERS:-5}" --out "${OUT:-/tmp}/bench.md"
}

# run-case DIR: one line, "PASS name" or "FAIL name: reason".
run_case() {
  local dir="${1%/}" name out tol="--rtol 1e-3 --atol 1e-4"
  name="$(basename "$dir")"
  [ -f "$dir/tolerance" ] && tol="$(cat "$dir/tolerance")"
  # shellcheck disable=SC2086 # $tol is the flags, split on purpose
  if out="$(timeout "${LOOM_GPU_CASE_TIMEOUT:-60}" "$GPU/loom-run" \
              "$dir/model.loom" --device cuda --data "$dir/data" \
              $tol 2>&1)"; then
    echo "PASS $name"
  else
    echo "FAIL $name: $(echo "$out" | tail -2 | tr '\n' ' ')"
  fi
}

run() {
  local log="${OUT:-/tmp}/gpu-check.log" pass fail
  export LD_LIBRARY_PATH="$GPU/lib:${LD_LIBRARY_PATH:-}"
  # Each case writes its own line; they are gathered in name order.
  local lines; lines="$(mktemp -d)"
  find "$GPU/cases" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort |
    xargs -P "${LOOM_GPU_JOBS:-8}" -I{} sh -c \
      '"$1" run-case "$2/cases/$3" > "$4/$3"' _ "$ROOT/scripts/gpu-check.sh" \
      "$GPU" {} "$lines"
  find "$lines" -type f | sort | xargs cat > "$log"
  rm -rf "$lines"
  # The e2e models' failures come with the last CUDA calls they made.
  : > "${log%.log}-traces.log"
  for name in $(awk '/^FAIL model_/ {sub(":", "", $2); print $2}' "$log"); do
    { echo "== $name"; LOOM_CUDA_TRACE=1 timeout 60 "$GPU/loom-run" \
        "$GPU/cases/$name/model.loom" --device cuda --data "$GPU/cases/$name/data" \
        --rtol 1e-3 --atol 1e-4 2>&1 | tail -25; } >> "${log%.log}-traces.log"
  done
  pass="$(grep -c '^PASS' "$log")"; fail="$(grep -c '^FAIL' "$log")"
  grep -c "^PASS model_" "$log" | sed 's/^/e2e models passing on cuda: /'
  grep "^FAIL model_" "$log" || true
  grep "^FAIL" "$log" | head -20
  echo "cases passing on cuda: $pass passed, $fail failed"
}

case "${1:-}" in
  prepare) shift; prepare "$@" ;;
  run) run; [ ! -d "$GPU/bench" ] || [ "${LOOM_GPU_BENCH:-1}" = 0 ] || bench ;;
  bench) bench ;;
  compile-case) shift; t="$1"; shift; compile_case "$@" "$t" ;;
  run-case) shift; export LD_LIBRARY_PATH="$GPU/lib:${LD_LIBRARY_PATH:-}"; run_case "$1" ;;
  *) echo "usage: $0 prepare [TARGET] | run | bench" >&2; exit 2 ;;
esac
