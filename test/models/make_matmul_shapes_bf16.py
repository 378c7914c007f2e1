#!/usr/bin/env python3
"""Writes test/models/matmul_shapes_bf16: bf16 matmuls in the shapes the GPU's
tensor-core kernels treat specially, with an exact reference.

  y1 = x1 @ W^T   x1 [200, 256]: M not a multiple of the 128-row tile
  y2 = x2 @ W^T   x2 [m, 256], m = 300 in the data: M known only at run time
  y3 = a3 @ b3    [4, 128, 64] x [4, 64, 128]: batched, B stored K x N
  y4 = a4 @ b4^T  [2, 128, 64] x [2, 256, 64]: batched, B stored N x K
                  (the Q K^T of attention)

Runs anywhere with numpy and onnx (`python3 test/models/make_matmul_shapes_bf16.py`).
The values are small integers, so every product and partial sum is exact in
f32 and any correct kernel reproduces the reference bit for bit after the one
rounding to bf16 (the sums exceed 256, so that rounding is exercised).
"""
import numpy as np
from onnx import TensorProto, helper

from model_util import bf16_bits, bf16_tensor as tensor, save_case

K, N, M1, M2 = 256, 384, 200, 300


def main():
    rng = np.random.default_rng(11)
    ints = lambda *shape: rng.integers(-3, 4, size=shape).astype(np.float64)
    w = ints(N, K)
    x1, x2 = ints(M1, K), ints(M2, K)
    a3, b3 = ints(4, 128, 64), ints(4, 64, 128)
    a4, b4 = ints(2, 128, 64), ints(2, 256, 64)
    inputs = {"x1": x1, "x2": x2, "a3": a3, "b3": b3, "a4": a4, "b4": b4}
    outputs = {"y1": x1 @ w.T, "y2": x2 @ w.T, "y3": a3 @ b3,
               "y4": a4 @ b4.transpose(0, 2, 1)}

    bf16 = TensorProto.BFLOAT16
    graph = helper.make_graph(
        [helper.make_node("Transpose", ["w"], ["w_t"], perm=[1, 0]),
         helper.make_node("MatMul", ["x1", "w_t"], ["y1"]),
         helper.make_node("MatMul", ["x2", "w_t"], ["y2"]),
         helper.make_node("MatMul", ["a3", "b3"], ["y3"]),
         helper.make_node("Transpose", ["b4"], ["b4_t"], perm=[0, 2, 1]),
         helper.make_node("MatMul", ["a4", "b4_t"], ["y4"])],
        "matmul_shapes_bf16",
        [helper.make_tensor_value_info("x1", bf16, [M1, K]),
         helper.make_tensor_value_info("x2", bf16, ["m", K]),
         helper.make_tensor_value_info("a3", bf16, [4, 128, 64]),
         helper.make_tensor_value_info("b3", bf16, [4, 64, 128]),
         helper.make_tensor_value_info("a4", bf16, [2, 128, 64]),
         helper.make_tensor_value_info("b4", bf16, [2, 256, 64])],
        [helper.make_tensor_value_info("y1", bf16, [M1, N]),
         helper.make_tensor_value_info("y2", bf16, ["m", N]),
         helper.make_tensor_value_info("y3", bf16, [4, 128, 128]),
         helper.make_tensor_value_info("y4", bf16, [2, 128, 256])],
        initializer=[tensor("w", bf16_bits(w), [N, K])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    save_case("matmul_shapes_bf16", model,
              [tensor(name, bf16_bits(value), list(value.shape))
               for name, value in inputs.items()],
              [tensor(name, bf16_bits(value), list(value.shape))
               for name, value in outputs.items()])


if __name__ == "__main__":
    main()
