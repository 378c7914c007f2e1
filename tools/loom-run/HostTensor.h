//===- HostTensor.h - Tensors read from and written to files --*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// loom-run links the runtime only, so ONNX TensorProto (.pb) and NumPy (.npy)
// files are read by the small decoders declared here rather than protobuf.
// Every reader checks lengths before reading: a truncated or corrupted file
// is an error message, never an out-of-bounds read.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TOOLS_LOOMRUN_HOSTTENSOR_H
#define LOOM_TOOLS_LOOMRUN_HOSTTENSOR_H

#include "loom_runtime.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom::run {

// Dense row-major bytes, laid out as loom_abi.h says (bool one byte,
// f16/bf16 two, u4/i4 packed two per byte).
struct HostTensor {
  std::string name;
  loom_dtype_t dtype = LOOM_DTYPE_INVALID;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;
};

// "f32[2, 3]".
std::string describe(const HostTensor &t);

bool readFile(const std::string &path, std::vector<uint8_t> &out,
              std::string *error);
bool writeFile(const std::string &path, const std::vector<uint8_t> &bytes,
               std::string *error);

//===----------------------------------------------------------------------===//
// ONNX TensorProto, protobuf wire format
//===----------------------------------------------------------------------===//

// Decodes fields dims (1), data_type (2), float_data (4), int32_data (5),
// string_data (6, refused), int64_data (7), name (8), raw_data (9),
// double_data (10), uint64_data (11), data_location (14, external refused),
// packed or not; skips unknown fields. int32_data carries f16/bf16 (bit
// patterns), bool, i8, u8, i16, u16, f8 and packed 4-bit pairs, per ONNX.
bool parseTensorProto(const uint8_t *data, size_t size, HostTensor &out,
                      std::string *error);
bool readTensorProtoFile(const std::string &path, HostTensor &out,
                         std::string *error);
// An ONNX test data file: a TensorProto, or a SequenceProto/OptionalProto
// whose tensors are appended in order (a sequence input of length N is N
// entry inputs NAME.0 .. NAME.<N-1>; an absent optional is none).
bool readTestDataFile(const std::string &path, std::vector<HostTensor> &out,
                      std::string *error);
// Encodes dims, data_type, name and raw_data (what onnx.numpy_helper
// writes), for tests and tools that produce test data.
std::vector<uint8_t> encodeTensorProto(const HostTensor &t);

//===----------------------------------------------------------------------===//
// NumPy .npy (versions 1-3, little-endian, C order)
//===----------------------------------------------------------------------===//

// Accepts descr b1 i1 u1 <i2 <u2 <i4 <u4 <i8 <u8 <f2 <f4 <f8.
bool parseNpy(const uint8_t *data, size_t size, HostTensor &out,
              std::string *error);
bool readNpyFile(const std::string &path, HostTensor &out, std::string *error);
// bf16 is written as <u2 bit patterns and f8 as |u1 (NumPy has no such
// types); u4/i4 are refused.
bool encodeNpy(const HostTensor &t, std::vector<uint8_t> &out,
               std::string *error);

// By extension: .npy, anything else as a TensorProto.
bool readTensorFile(const std::string &path, HostTensor &out,
                    std::string *error);

} // namespace loom::run

#endif // LOOM_TOOLS_LOOMRUN_HOSTTENSOR_H
