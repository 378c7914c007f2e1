#!/usr/bin/env python3
# check_onnx_testdata.py - loom-run's TensorProto decoder against onnx.
#
# Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
#
# usage: check_onnx_testdata.py DUMP_TOOL DATA_DIR
# Decodes every input_<i>.pb / output_<i>.pb under DATA_DIR (Debian's
# libonnx-testdata) with DUMP_TOOL (DumpTensorProto.cpp) and with
# onnx.numpy_helper, and fails if any tensor differs in dtype, dims or bytes.
# Files that are not tensors (sequences, optionals) and string tensors must
# be refused by the decoder, not misread.
import os
import re
import subprocess
import sys
import zlib

import numpy as np
import onnx
from onnx import numpy_helper

tool, root = sys.argv[1], sys.argv[2]
paths = sorted(
    os.path.join(d, f)
    for d, _, files in os.walk(root)
    for f in files
    if re.fullmatch(r"(input|output)_\d+\.pb", f))
out = subprocess.run([tool], input="\n".join(paths) + "\n", text=True,
                     capture_output=True, check=True).stdout
ours = dict(line.split(" ", 1) for line in out.splitlines())

checked, refused, bad = 0, 0, []
for p in paths:
    # Sequence and optional files parse as garbage TensorProtos, or not at
    # all; a type-checked parse tells them apart.
    t = onnx.TensorProto()
    try:
        t.ParseFromString(open(p, "rb").read())
        ref = numpy_helper.to_array(t)
    except Exception:
        ref = None
    if ref is None or t.data_type in (onnx.TensorProto.STRING,
                                      onnx.TensorProto.COMPLEX64,
                                      onnx.TensorProto.COMPLEX128):
        refused += 1
        if not ours.get(p, "").startswith("ERR "):
            bad.append("%s: onnx cannot read it as a tensor, ours gives %s"
                       % (p, ours.get(p)))
        continue
    if t.data_type == onnx.TensorProto.BFLOAT16:  # widened to f32 by onnx 1.12
        ref = (ref.astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)
    want = "%d [%s] %08x" % (t.data_type, "".join("%d," % d for d in t.dims),
                             zlib.crc32(ref.tobytes()) & 0xffffffff)
    checked += 1
    if ours.get(p) != want:
        bad.append("%s: ours %s, onnx %s" % (p, ours.get(p), want))

print("%d tensors match onnx.numpy_helper; %d non-tensor or string files "
      "refused by both" % (checked, refused))
for b in bad[:20]:
    print("MISMATCH", b)
sys.exit(1 if bad or checked == 0 else 0)
