#!/usr/bin/env python3
"""Counts the kernels of f32 models that run on tensor cores as 3xTF32.

For each MODEL=COUNT: `loomc --emit=loom` imports and optimizes the model,
`loom-opt --loom-nvidia-lowering="chip=CHIP format=isa"` lowers it (PTX
kept as text in the module), and the PTX of every kernel is read. A kernel
runs an f32 matmul on tensor cores when it has
`mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32`; each such kernel
must issue them in threes (the 3xTF32 products hi*lo, lo*hi, hi*hi) and
split its operands with `cvt.rna.tf32.f32`. The number of such kernels
must be COUNT. Prints one line per model.

  check_f32_tensor_cores.py --loomc L --loom-opt O [--chip sm_90a] \
      MODEL.onnx=COUNT...
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

MMA = "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32"


def kernels(text):
    """(name, PTX) of each kernel entry in the lowered module's text."""
    text = text.replace("\\0A", "\n").replace("\\09", " ")
    found = []
    for binary in text.split("gpu.binary @")[1:]:
        for entry in binary.split(".visible .entry ")[1:]:
            name = re.match(r"(\w+)", entry).group(1)
            found.append((name, entry))
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--loomc", required=True)
    parser.add_argument("--loom-opt", required=True)
    parser.add_argument("--chip", default="sm_90a")
    parser.add_argument("models", nargs="+", help="MODEL.onnx=COUNT")
    args = parser.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for spec in args.models:
            model, expected = spec.rsplit("=", 1)
            name = os.path.basename(os.path.dirname(model))
            loom = os.path.join(tmp, name + ".mlir")
            subprocess.run([args.loomc, "--quiet", "--emit=loom", model, "-o",
                            loom], check=True)
            lowered = subprocess.run(
                [args.loom_opt, loom,
                 "--loom-nvidia-lowering=chip=%s format=isa" % args.chip],
                check=True, capture_output=True, text=True).stdout
            all_kernels = kernels(lowered)
            tc = [(k, ptx) for k, ptx in all_kernels if MMA in ptx]
            bad = [k for k, ptx in tc
                   if ptx.count(MMA) % 3 or "cvt.rna.tf32.f32" not in ptx]
            ok = len(tc) == int(expected) and not bad
            print("%s %s: %d kernels, %d with f32 on tensor cores (expected "
                  "%s), %d tf32 mma.sync%s" %
                  ("OK  " if ok else "FAIL", name, len(all_kernels), len(tc),
                   expected, sum(p.count(MMA) for _, p in tc),
                   "; not 3xTF32: " + ", ".join(bad) if bad else ""))
            failures += not ok
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
