#!/usr/bin/env bash
# The main job, on a fresh machine: install, build, then compile the bundled
# example model and run it on the CPU, checking it against its reference.
#
# examples/model/model.onnx is a small decoder exported from PyTorch: causal
# attention, a top-2-of-4 mixture-of-experts feed-forward, and 4-bit
# (MatMulNBits) projections; examples/model/test_data_set_0 holds token ids
# and the logits ONNX Runtime computed for them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${LOOM_BUILD_DIR:-$ROOT/build}"

"$ROOT/scripts/build.sh" "$BUILD_DIR"
MODEL="$ROOT/examples/model"
echo "== loomc examples/model/model.onnx -o example.loom --target=cpu"
"$BUILD_DIR/bin/loomc" "$MODEL/model.onnx" -o "$BUILD_DIR/example.loom" --target=cpu
echo "== loom-run example.loom --data examples/model/test_data_set_0"
"$BUILD_DIR/bin/loom-run" "$BUILD_DIR/example.loom" \
  --data "$MODEL/test_data_set_0" --rtol 1e-3 --atol 1e-4 \
  --output-dir "$BUILD_DIR/example-out"
/usr/bin/python3 - "$BUILD_DIR/example-out" <<'PY' || true
import glob, sys
try:
    import numpy as np
except ImportError:
    sys.exit(0)
for f in sorted(glob.glob(sys.argv[1] + "/*.npy")):
    x = np.load(f)
    print(f"{f.split('/')[-1]}: shape {list(x.shape)}; next token per position: "
          f"{x.reshape(-1, x.shape[-1]).argmax(-1).tolist()}")
PY
