#!/usr/bin/env python3
"""Writes test/models/gemv and test/models/matmul_int8, small models for
the GPU's skinny-matmul and int8 tensor-core kernels.

gemv: three rows of bf16 activations times a K x N weight (y1) and times
the transpose of an N x K weight (y2; the transpose is a separate kernel),
and two rows of f32 activations times an f32 N x K weight through Gemm with
transB (y3, a linear layer read in its stored layout). On the GPU
(loom-nvidia-matvec) y1 and y2 split K over blocks and add the slices
through a workspace; y3 runs a warp per row of the weight with shuffle
reductions, K split in 2.
The values are small integers: every partial sum is exact in f32, so any
summation order gives the exact sum and one rounding to bf16 reproduces the
reference bit for bit.

matmul_int8: MatMulInteger of i8 x i8 -> i32 with no zero points, which
loom-nvidia-int8-mma-sync runs on mma.sync m16n8k32; integers are exact.

Runs anywhere with numpy and onnx (`python3 test/models/make_gemv_int8.py`).
"""
import numpy as np
from onnx import TensorProto, helper, numpy_helper

from model_util import bf16_bits, bf16_tensor, save_case


def bf16(name, values):
    return bf16_tensor(name, bf16_bits(values), values.shape)


def gemv():
    M, K, N = 3, 512, 256
    M3, K3, N3 = 2, 1024, 128
    rng = np.random.default_rng(11)
    x = rng.integers(-3, 4, size=(M, K)).astype(np.float64)
    b = rng.integers(-3, 4, size=(K, N)).astype(np.float64)
    w = rng.integers(-3, 4, size=(N, K)).astype(np.float64)
    x3 = rng.integers(-3, 4, size=(M3, K3)).astype(np.float32)
    w3 = rng.integers(-3, 4, size=(N3, K3)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "b"], ["y1"]),
         helper.make_node("Transpose", ["w"], ["w_t"], perm=[1, 0]),
         helper.make_node("MatMul", ["x", "w_t"], ["y2"]),
         helper.make_node("Gemm", ["x3", "w3"], ["y3"], transB=1)],
        "gemv",
        [helper.make_tensor_value_info("x", TensorProto.BFLOAT16, [M, K]),
         helper.make_tensor_value_info("b", TensorProto.BFLOAT16, [K, N]),
         helper.make_tensor_value_info("w", TensorProto.BFLOAT16, [N, K]),
         helper.make_tensor_value_info("x3", TensorProto.FLOAT, [M3, K3]),
         helper.make_tensor_value_info("w3", TensorProto.FLOAT, [N3, K3])],
        [helper.make_tensor_value_info("y1", TensorProto.BFLOAT16, [M, N]),
         helper.make_tensor_value_info("y2", TensorProto.BFLOAT16, [M, N]),
         helper.make_tensor_value_info("y3", TensorProto.FLOAT, [M3, N3])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    save_case("gemv", model,
              [bf16("x", x), bf16("b", b), bf16("w", w),
               numpy_helper.from_array(x3, "x3"),
               numpy_helper.from_array(w3, "w3")],
              [bf16("y1", x @ b), bf16("y2", x @ w.T),
               numpy_helper.from_array(x3 @ w3.T, "y3")])


def matmul_int8():
    M, K, N = 32, 128, 64
    rng = np.random.default_rng(12)
    a = rng.integers(-128, 128, size=(M, K), dtype=np.int8)
    b = rng.integers(-128, 128, size=(K, N), dtype=np.int8)
    y = a.astype(np.int32) @ b.astype(np.int32)
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "b"], ["y"])],
        "matmul_int8",
        [helper.make_tensor_value_info("a", TensorProto.INT8, [M, K]),
         helper.make_tensor_value_info("b", TensorProto.INT8, [K, N])],
        [helper.make_tensor_value_info("y", TensorProto.INT32, [M, N])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    save_case("matmul_int8", model,
              [numpy_helper.from_array(a, "a"), numpy_helper.from_array(b, "b")],
              [numpy_helper.from_array(y, "y")])


if __name__ == "__main__":
    gemv()
    matmul_int8()
