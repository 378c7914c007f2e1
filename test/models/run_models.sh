#!/usr/bin/env bash
# Compiles each exported test model with loomc, runs it with loom-run on each
# of its test_data_set_* and compares with the stored ONNX Runtime reference.
# Models listed in xfail.txt (name, then the reason) must fail; any other
# must pass, so the list stays true. Used by ctest (exported-models).
# A model's `tolerance` file, if any, holds its loom-run --rtol/--atol
# (bf16 models: the default 1e-3 is below one bf16 rounding).
#   run_models.sh BIN_DIR [TARGET]
set -uo pipefail
BIN="$1"; TARGET="${2:-cpu}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
passed=0; failed=0; unexpected=0
for dir in "$HERE"/*/; do
  name="$(basename "$dir")"
  [ -f "$dir/model.onnx" ] || continue
  tol="--rtol 1e-3 --atol 1e-4"
  [ -f "$dir/tolerance" ] && tol="$(cat "$dir/tolerance")"
  result=fail
  if "$BIN/loomc" "$dir/model.onnx" -o "$WORK/$name.loom" --target="$TARGET" \
       --quiet > "$WORK/$name.log" 2>&1; then
    result=pass
    for data in "$dir"/test_data_set_*/; do
      # shellcheck disable=SC2086 # $tol is the flags, split on purpose
      "$BIN/loom-run" "$WORK/$name.loom" --data "$data" \
        $tol >> "$WORK/$name.log" 2>&1 || result=fail
    done
  fi
  if [ $result = pass ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  listed=no
  grep -q "^$name " "$HERE/xfail.txt" 2>/dev/null && listed=yes
  if [ $result = pass ] && [ $listed = yes ]; then
    echo "UNEXPECTED PASS $name (remove it from xfail.txt)"; unexpected=$((unexpected + 1))
  elif [ $result = fail ] && [ $listed = no ]; then
    echo "UNEXPECTED FAIL $name:"; sed 's/^/    /' "$WORK/$name.log" | tail -5
    unexpected=$((unexpected + 1))
  else
    echo "$(echo $result | tr a-z A-Z) $name $( [ $result = fail ] && head -1 "$WORK/$name.log")"
  fi
done
echo "exported models matching their reference on $TARGET: $passed passed, $failed failed"
[ $unexpected -eq 0 ]
