#!/usr/bin/env python3
"""Writes test/models/linear_w4a16: com.microsoft MatMulNBits (4-bit weights
in blocks along K, f16 activations and scales), the W4A16 linear layers of
int4 LLM exports, for the GPU's W4A16 tensor-core kernel
(loom-nvidia-w4-matmul-to-mma) and every other target.

  y1 = x1[M, 256]     x W1[128, 256]  block 32,  zero points    (M dynamic)
  y2 = x2[20, 512]    x W2[192, 512]  block 128, no zero points (M = 20)
  y3 = x3[2, 5, 128]  x W3[64, 128]   block 16,  zero points    (3-d input)
  y4 = x1[M, 256]     x W4[40, 256]   block 32,  zero points    (N = 40: not
                                       a multiple of 64, a partial column tile)

The reference follows MatMulNBits: each weight is dequantized,
(q - zero_point) * scale with the default zero point 8 when none is given,
the products are summed in f32 and the result rounded once to f16. The
values are chosen so that every dequantized weight is exact in f16 (scales
s / 64 with s < 8, |q - zp| <= 15) and every product and partial sum is
exact in f32 (small integer activations): any summation order, on CUDA
cores or tensor cores, reproduces the reference bit for bit.
Two data sets: M = 5 and M = 37 for the dynamic rows of y1 and y4.

Runs anywhere with numpy and onnx (`python3 test/models/make_linear_w4a16.py`).
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


def quantized_weight(rng, name, n, k, block, zero_points):
    """Initializers of one MatMulNBits weight and its dequantized [N, K]."""
    blocks = k // block
    q = rng.integers(0, 16, size=(n, k)).astype(np.uint8)
    scale = (rng.integers(1, 8, size=(n, blocks)) / 64.0).astype(np.float16)
    zp = (rng.integers(0, 16, size=(n, blocks)).astype(np.uint8)
          if zero_points else np.full((n, blocks), 8, np.uint8))
    # B[N, blocks, block / 2]: element 2i in the low nibble, 2i + 1 high.
    packed = (q[:, 0::2] | (q[:, 1::2] << 4)).astype(np.uint8)
    inits = [numpy_helper.from_array(packed.reshape(n, blocks, block // 2),
                                     name + "_q"),
             numpy_helper.from_array(scale.reshape(n * blocks),
                                     name + "_scale")]
    if zero_points:
        per_row = (blocks + 1) // 2
        zbytes = np.zeros((n, per_row), np.uint8)
        for b in range(blocks):
            zbytes[:, b // 2] |= zp[:, b] << (4 * (b % 2))
        inits.append(numpy_helper.from_array(zbytes.reshape(n * per_row),
                                             name + "_zp"))
    group = np.repeat(np.arange(blocks), block)
    deq = ((q.astype(np.float64) - zp[:, group].astype(np.float64)) *
           scale[:, group].astype(np.float64))
    assert np.array_equal(deq.astype(np.float16).astype(np.float64), deq)
    return inits, deq


def node(name, x, y, n, k, block, zero_points):
    inputs = [x, name + "_q", name + "_scale"]
    if zero_points:
        inputs.append(name + "_zp")
    return helper.make_node("MatMulNBits", inputs, [y], domain="com.microsoft",
                            K=k, N=n, bits=4, block_size=block)


LAYERS = [  # name, input, output, N, K, block, zero points
    ("w1", "x1", "y1", 128, 256, 32, True),
    ("w2", "x2", "y2", 192, 512, 128, False),
    ("w3", "x3", "y3", 64, 128, 16, True),
    ("w4", "x1", "y4", 40, 256, 32, True),
]


def reference(x, deq):
    y = x.astype(np.float64) @ deq.T
    assert np.all(np.abs(y) * 64 < 2 ** 24)  # every partial sum exact in f32
    return y.astype(np.float32).astype(np.float16)


def main():
    rng = np.random.default_rng(17)
    inits, deqs, nodes = [], {}, []
    for name, x, y, n, k, block, zps in LAYERS:
        i, deqs[name] = quantized_weight(rng, name, n, k, block, zps)
        inits += i
        nodes.append(node(name, x, y, n, k, block, zps))
    f16 = TensorProto.FLOAT16
    graph = helper.make_graph(
        nodes, "linear_w4a16",
        [helper.make_tensor_value_info("x1", f16, ["M", 256]),
         helper.make_tensor_value_info("x2", f16, [20, 512]),
         helper.make_tensor_value_info("x3", f16, [2, 5, 128])],
        [helper.make_tensor_value_info("y1", f16, ["M", 128]),
         helper.make_tensor_value_info("y2", f16, [20, 192]),
         helper.make_tensor_value_info("y3", f16, [2, 5, 64]),
         helper.make_tensor_value_info("y4", f16, ["M", 40])],
        initializer=inits)
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 18),
                              helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    case = os.path.join(HERE, "linear_w4a16")
    os.makedirs(case, exist_ok=True)
    onnx.save(model, os.path.join(case, "model.onnx"))
    for index, m in enumerate((5, 37)):
        xs = {"x1": rng.integers(-4, 5, size=(m, 256)),
              "x2": rng.integers(-4, 5, size=(20, 512)),
              "x3": rng.integers(-4, 5, size=(2, 5, 128))}
        xs = {key: v.astype(np.float16) for key, v in xs.items()}
        ys = [reference(xs[x], deqs[name]) for name, x, _, *_ in LAYERS]
        data = os.path.join(case, f"test_data_set_{index}")
        os.makedirs(data, exist_ok=True)
        for i, key in enumerate(("x1", "x2", "x3")):
            with open(os.path.join(data, f"input_{i}.pb"), "wb") as f:
                f.write(numpy_helper.from_array(xs[key], key)
                        .SerializeToString())
        for i, (y, (_, _, out, *_)) in enumerate(zip(ys, LAYERS)):
            with open(os.path.join(data, f"output_{i}.pb"), "wb") as f:
                f.write(numpy_helper.from_array(y, out).SerializeToString())
    print(f"wrote {case}")


if __name__ == "__main__":
    main()
