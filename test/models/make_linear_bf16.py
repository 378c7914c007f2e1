#!/usr/bin/env python3
"""Writes test/models/linear_bf16: a bf16 linear layer (x @ W^T + b, the
form torch.onnx.export gives nn.Linear) large enough for the GPU's tensor-core
kernels (sm_90a: TMA + wgmma on 128x128x64 tiles).

Runs anywhere with numpy and onnx (`python3 test/models/make_linear_bf16.py`).
The values are small integers, so every product and partial sum is exact in
f32 and the reference does not depend on the order of the reduction: any
correct kernel reproduces it bit for bit after the final rounding to bf16.
"""
import numpy as np
from onnx import TensorProto, helper

from model_util import bf16_bits, bf16_tensor as tensor, bf16_value, save_case

B, M, K, N = 2, 128, 256, 384


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
    save_case("linear_bf16", model, [tensor("x", bf16_bits(x), [B, M, K])],
              [tensor("y", y, [B, M, N])])


if __name__ == "__main__":
    main()
