#!/usr/bin/env python3
"""Writes test/models/linear_bf16: a bf16 linear layer (x @ W^T + b, the
form torch.onnx.export gives nn.Linear) large enough for the GPU's tensor-core
kernels (sm_90a: TMA + wgmma on 128x128x64 tiles).

Runs anywhere with numpy and onnx (`python3 test/models/make_linear_bf16.py`).
The values are small integers, so every product and partial sum is exact in
f32 and the reference does not depend on the order of the reduction: any
correct kernel reproduces it bit for bit after the final rounding to bf16.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper

B, M, K, N = 2, 128, 256, 384
HERE = os.path.dirname(os.path.abspath(__file__))


def bf16_bits(x):
    """float64 -> bf16 bit patterns (round to nearest even)."""
    bits = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def bf16_value(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64)


def tensor(name, bits, shape):
    t = TensorProto(name=name, data_type=TensorProto.BFLOAT16, dims=shape)
    t.raw_data = bits.astype("<u2").tobytes()
    return t


def main():
    rng = np.random.default_rng(7)
    x = rng.integers(-3, 4, size=(B, M, K)).astype(np.float64)
    w = rng.integers(-3, 4, size=(N, K)).astype(np.float64)
    b = rng.integers(-8, 9, size=(N,)).astype(np.float64)
    # MatMul rounds to bf16, then the Add rounds again.
    y = bf16_value(bf16_bits(x @ w.T))
    y = bf16_bits(y + b)

    graph = helper.make_graph(
        [helper.make_node("Transpose", ["weight"], ["weight_t"], perm=[1, 0]),
         helper.make_node("MatMul", ["x", "weight_t"], ["xw"]),
         helper.make_node("Add", ["xw", "bias"], ["y"])],
        "linear_bf16",
        [helper.make_tensor_value_info("x", TensorProto.BFLOAT16, [B, M, K])],
        [helper.make_tensor_value_info("y", TensorProto.BFLOAT16, [B, M, N])],
        initializer=[tensor("weight", bf16_bits(w), [N, K]),
                     tensor("bias", bf16_bits(b), [N])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    onnx.checker.check_model(model)
    case = os.path.join(HERE, "linear_bf16")
    data = os.path.join(case, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    onnx.save(model, os.path.join(case, "model.onnx"))
    with open(os.path.join(data, "input_0.pb"), "wb") as f:
        f.write(tensor("x", bf16_bits(x), [B, M, K]).SerializeToString())
    with open(os.path.join(data, "output_0.pb"), "wb") as f:
        f.write(tensor("y", y, [B, M, N]).SerializeToString())
    print(f"wrote {case}")


if __name__ == "__main__":
    main()
