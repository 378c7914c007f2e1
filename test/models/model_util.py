"""Shared by the test/models/make_*.py scripts: bf16 bit patterns and the
writing of a case folder (model.onnx and test_data_set_0/input_*.pb,
output_*.pb, the layout of ONNX's node tests that loom-run --data reads).
"""
import os

import numpy as np
import onnx
from onnx import TensorProto

HERE = os.path.dirname(os.path.abspath(__file__))


def bf16_bits(x):
    """float64 -> bf16 bit patterns (round to nearest even)."""
    bits = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def bf16_value(bits):
    """bf16 bit patterns -> float64, exactly."""
    return (bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64)


def bf16_tensor(name, bits, shape):
    """A BFLOAT16 TensorProto of the bit patterns `bits`."""
    t = TensorProto(name=name, data_type=TensorProto.BFLOAT16, dims=shape)
    t.raw_data = bits.astype("<u2").tobytes()
    return t


def save_case(name, model, inputs, outputs, check=True):
    """Writes test/models/<name>/model.onnx and its test_data_set_0 from the
    TensorProtos `inputs` and `outputs`; `check` runs the ONNX checker
    first (off for what the installed onnx does not know, e.g. float8)."""
    if check:
        onnx.checker.check_model(model)
    case = os.path.join(HERE, name)
    data = os.path.join(case, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    onnx.save(model, os.path.join(case, "model.onnx"))
    for kind, tensors in (("input", inputs), ("output", outputs)):
        for i, t in enumerate(tensors):
            with open(os.path.join(data, f"{kind}_{i}.pb"), "wb") as f:
                f.write(t.SerializeToString())
    print(f"wrote {case}")
