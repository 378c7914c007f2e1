#!/usr/bin/env python3
# gen_fixtures.py - Writes the TensorProto (.pb) and .npy files that
# TensorIOTest.cpp reads, with the real onnx and numpy, so the hand-written
# decoders are checked against the reference encoders.
#
# Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
#
# Run from this folder with Debian's python3 (python3-onnx, python3-numpy):
#   /usr/bin/python3 gen_fixtures.py
# and commit the outputs. Values are small and fixed; TensorIOTest.cpp states
# them again.
import numpy as np
from onnx import TensorProto, helper, numpy_helper


def save(name, tensor):
    with open(name, "wb") as f:
        f.write(tensor.SerializeToString())


# raw_data forms, as onnx.numpy_helper.from_array writes them.
save("f32_raw.pb", numpy_helper.from_array(
    np.array([[1.5, -2.0, 3.25], [0.0, 1e-3, -7.0]], np.float32), "x"))
save("f16_raw.pb", numpy_helper.from_array(
    np.array([1.0, -0.5, 65504.0], np.float16), "h"))
save("i64_raw.pb", numpy_helper.from_array(
    np.array([1, -2, 1 << 40], np.int64), "i"))
save("bool_raw.pb", numpy_helper.from_array(
    np.array([True, False, True], np.bool_), "b"))
save("u8_scalar_raw.pb", numpy_helper.from_array(np.array(200, np.uint8), "s"))

# Typed fields (raw=False): float_data, int32_data (for f16, bool, i8,
# i16, u16), int64_data, double_data, uint64_data.
save("f32_typed.pb", helper.make_tensor("x", TensorProto.FLOAT, [2, 2],
                                        [1.0, 2.0, -3.0, 4.5]))
# make_tensor converts float values to f16 / bf16 bit patterns in int32_data.
save("f16_typed.pb", helper.make_tensor("h", TensorProto.FLOAT16, [3],
                                        [1.0, -0.5, 65504.0]))
save("bf16_typed.pb", helper.make_tensor("bf", TensorProto.BFLOAT16, [2],
                                         [1.0, -2.0]))
save("bool_typed.pb", helper.make_tensor("b", TensorProto.BOOL, [3],
                                         [1, 0, 1]))
save("i8_typed.pb", helper.make_tensor("i8", TensorProto.INT8, [3],
                                       [-128, 0, 127]))
save("i16_typed.pb", helper.make_tensor("i16", TensorProto.INT16, [2],
                                        [-300, 300]))
save("u16_typed.pb", helper.make_tensor("u16", TensorProto.UINT16, [2],
                                        [0, 65535]))
save("i32_typed.pb", helper.make_tensor("i32", TensorProto.INT32, [3],
                                        [-1, 0, 2147483647]))
save("i64_typed.pb", helper.make_tensor("i64", TensorProto.INT64, [2],
                                        [-(1 << 40), 5]))
save("f64_typed.pb", helper.make_tensor("d", TensorProto.DOUBLE, [2],
                                        [0.1, -2.5]))
save("u64_typed.pb", helper.make_tensor("u", TensorProto.UINT64, [2],
                                        [1, (1 << 64) - 1]))
save("u32_typed.pb", helper.make_tensor("u32", TensorProto.UINT32, [1],
                                        [4000000000]))
save("empty.pb", numpy_helper.from_array(np.zeros((0, 3), np.float32), "e"))

# .npy files as numpy writes them.
np.save("f32_2x3.npy", np.array([[1, 2, 3], [4, 5, 6]], np.float32))
np.save("i64_scalar.npy", np.array(-9, np.int64))
np.save("bool_4.npy", np.array([True, False, False, True]))
np.save("f16_2.npy", np.array([0.5, -1.0], np.float16))
np.save("fortran.npy", np.asfortranarray(np.ones((2, 3), np.float32)))
np.save("big_endian.npy", np.ones(2, ">f4"))
