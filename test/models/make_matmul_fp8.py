#!/usr/bin/env python3
"""Writes test/models/matmul_fp8, a QDQ linear layer in FP8 (float8e4m3fn).

    q = QuantizeLinear(x, sx, zx)          x: [2, 20, 64] f32, sx per tensor
    xd = DequantizeLinear(q, sx, zx)
    wd = DequantizeLinear(W, sw, zw, axis=1)   W: [64, 96] e4m3, sw per column
    y = MatMul(xd, wd)                      [2, 20, 96] f32

Zero points are float8e4m3fn zeros, so the quantized type is e4m3 (opset 19,
saturate=1 by default). loom-raise-quant makes this an FP8 loom_quant.matmul;
on sm_89+ its product runs on mma.sync m16n8k32 e4m3 (40 rows: the last row
tile is partly masked); its values keep every partial sum an exact integer
below 2^12, which the FP8 tensor cores' reduced-precision accumulation also
gets exactly. ONNX 1.12's python package has no float8 type: the
tensors are written with the raw data_type 17 (FLOAT8E4M3FN) and the reference
comes from an exact e4m3 codec here (round to nearest even, saturating to
+-448, NaN kept), following QuantizeLinear's `saturate(x / y_scale)`.

Runs with numpy and onnx (`/usr/bin/python3 test/models/make_matmul_fp8.py`).
"""
import numpy as np
from onnx import TensorProto, helper, numpy_helper

from model_util import save_case

FLOAT8E4M3FN = 17
E4M3_MAX = 448.0


def e4m3_encode(values):
    """f32 -> e4m3fn bytes: round to nearest even, saturate to +-448."""
    out = np.zeros(values.shape, dtype=np.uint8)
    for i, v in np.ndenumerate(values.astype(np.float64)):
        sign = 0x80 if np.signbit(v) else 0
        a = abs(v)
        if np.isnan(v):
            out[i] = sign | 0x7F
            continue
        if a < 2.0 ** -6:
            # Subnormals step 2^-9; 8 steps is the smallest normal, whose
            # encoding is 8 as well.
            bits = int(np.rint(a * 2.0 ** 9))
        else:
            e = int(np.floor(np.log2(a)))
            q = int(np.rint(a / 2.0 ** (e - 3)))  # 8..16, exact division
            if q == 16:
                e, q = e + 1, 8
            bits = ((e + 7) << 3) | (q - 8)
            # Past 448 (or onto the NaN code 0x7F): saturate.
            if e + 7 > 15 or bits > 0x7E:
                bits = 0x7E
        out[i] = sign | bits
    return out


def e4m3_decode(bits):
    """e4m3fn bytes -> float64, exactly."""
    bits = bits.astype(np.int64)
    sign = np.where(bits & 0x80, -1.0, 1.0)
    exp = (bits >> 3) & 0xF
    mant = bits & 0x7
    value = np.where(exp == 0, mant * 2.0 ** -9,
                     (8 + mant) * np.exp2(exp.astype(np.float64) - 10))
    value = np.where((exp == 15) & (mant == 7), np.nan, value)
    return sign * value


def f8_tensor(name, bits):
    t = TensorProto(name=name, data_type=FLOAT8E4M3FN, dims=bits.shape)
    t.raw_data = bits.astype(np.uint8).tobytes()
    return t


def self_test():
    # Every finite code decodes and re-encodes to itself.
    codes = np.array([c for c in range(256) if c & 0x7F != 0x7F],
                     dtype=np.uint8)
    assert (e4m3_encode(e4m3_decode(codes).astype(np.float32)) == codes).all()
    # Ties to even, saturation, subnormals.
    cases = {1.0625: 0x38, 1.1875: 0x3A, 460.0: 0x7E, 1e9: 0x7E,
             -1e9: 0xFE, 2.0 ** -10: 0x00, 3 * 2.0 ** -10: 0x02,
             2.0 ** -9: 0x01, 15 * 2.0 ** -10: 0x08}
    for v, code in cases.items():
        got = e4m3_encode(np.array([v], dtype=np.float32))[0]
        assert got == code, (v, hex(got), hex(code))


def matmul_fp8():
    B, S, K, N = 2, 20, 64, 96
    rng = np.random.default_rng(23)
    # Activations that quantize to integers in [-8, 8], plus a saturating
    # value (-> 448) and near-ties at 8.5 / 9.5 (step 1 there) in one row;
    # weights integers in [-4, 4]. Every product and partial sum is then an
    # integer below 2^12: exact in f32 and in the FP8 tensor cores' reduced-
    # precision accumulation alike, so any summation order gives the
    # reference up to the scales' rounding.
    sx = np.float32(0.01)
    x = (rng.integers(-8, 9, size=(B, S, K)) * sx).astype(np.float32)
    x[0, 0, :4] = [8.5 * sx, -9.5 * sx, 1e3, 0.0]
    w_bits = e4m3_encode(rng.integers(-4, 5, size=(K, N)).astype(np.float32))
    sw = (rng.uniform(0.5, 2.0, size=N) / 256.0).astype(np.float32)

    q = e4m3_encode(x / sx)  # f32 division, as QuantizeLinear computes it
    xd = e4m3_decode(q) * np.float64(sx)
    wd = e4m3_decode(w_bits) * sw.astype(np.float64)[None, :]
    y = np.matmul(xd, wd).astype(np.float32)

    zero = np.zeros((), dtype=np.uint8)
    graph = helper.make_graph(
        [helper.make_node("QuantizeLinear", ["x", "sx", "zx"], ["q"]),
         helper.make_node("DequantizeLinear", ["q", "sx", "zx"], ["xd"]),
         helper.make_node("DequantizeLinear", ["w", "sw", "zw"], ["wd"],
                          axis=1),
         helper.make_node("MatMul", ["xd", "wd"], ["y"])],
        "matmul_fp8",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [B, S, K])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [B, S, N])],
        initializer=[
            numpy_helper.from_array(np.array(sx, dtype=np.float32), "sx"),
            f8_tensor("zx", zero),
            f8_tensor("w", w_bits),
            numpy_helper.from_array(sw, "sw"),
            f8_tensor("zw", np.zeros((N,), dtype=np.uint8)),
        ])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 19)])
    model.ir_version = 9
    # onnx 1.12's checker knows neither float8 nor opset 19: not checked.
    save_case("matmul_fp8", model, [numpy_helper.from_array(x, "x")],
              [numpy_helper.from_array(y, "y")], check=False)


if __name__ == "__main__":
    self_test()
    matmul_fp8()
