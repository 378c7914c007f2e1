//===- TypeConversion.cpp - ONNX types and tensors to MLIR ----------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"

#include <cstring>

using namespace mlir;
using namespace mlir::loom::onnx_import;

// ONNX 1.12's enum stops at BFLOAT16; newer types are matched by number so
// models from newer exporters still import.
enum : int32_t {
  kFloat = 1, kUint8 = 2, kInt8 = 3, kUint16 = 4, kInt16 = 5, kInt32 = 6,
  kInt64 = 7, kString = 8, kBool = 9, kFloat16 = 10, kDouble = 11,
  kUint32 = 12, kUint64 = 13, kComplex64 = 14, kComplex128 = 15,
  kBFloat16 = 16, kF8E4M3FN = 17, kF8E4M3FNUZ = 18, kF8E5M2 = 19,
  kF8E5M2FNUZ = 20, kUint4 = 21, kInt4 = 22
};

Type mlir::loom::onnx_import::convertElemType(MLIRContext *ctx, int32_t t) {
  Builder b(ctx);
  switch (t) {
  case kFloat: return b.getF32Type();
  case kDouble: return b.getF64Type();
  case kFloat16: return b.getF16Type();
  case kBFloat16: return b.getBF16Type();
  case kF8E4M3FN: return Float8E4M3FNType::get(ctx);
  case kF8E4M3FNUZ: return Float8E4M3FNUZType::get(ctx);
  case kF8E5M2: return Float8E5M2Type::get(ctx);
  case kF8E5M2FNUZ: return Float8E5M2FNUZType::get(ctx);
  case kBool: return b.getI1Type();
  case kInt4: case kUint4: return b.getIntegerType(4);
  case kInt8: case kUint8: return b.getIntegerType(8);
  case kInt16: case kUint16: return b.getIntegerType(16);
  case kInt32: case kUint32: return b.getIntegerType(32);
  case kInt64: case kUint64: return b.getIntegerType(64);
  default: return nullptr;
  }
}

bool mlir::loom::onnx_import::isUnsignedOnnxType(int32_t t) {
  return t == kUint8 || t == kUint16 || t == kUint32 || t == kUint64 ||
         t == kUint4;
}

std::string mlir::loom::onnx_import::onnxTypeName(int32_t t) {
  static const char *names[] = {
      "UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32",
      "INT64", "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64",
      "COMPLEX64", "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ",
      "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4"};
  if (t >= 0 && t < (int32_t)std::size(names))
    return names[t];
  return "type#" + std::to_string(t);
}

RankedTensorType
mlir::loom::onnx_import::convertTypeProto(MLIRContext *ctx,
                                          const onnx::TypeProto &t) {
  if (!t.has_tensor_type())
    return nullptr;
  const auto &tt = t.tensor_type();
  Type elem = convertElemType(ctx, tt.elem_type());
  if (!elem || !tt.has_shape())
    return nullptr;
  SmallVector<int64_t> shape;
  for (const auto &d : tt.shape().dim()) {
    // Symbolic (dim_param) and missing dims stay dynamic.
    if (d.has_dim_value() && d.dim_value() >= 0)
      shape.push_back(d.dim_value());
    else
      shape.push_back(ShapedType::kDynamic);
  }
  return RankedTensorType::get(shape, elem);
}

namespace {
/// Bytes one element takes in raw_data (0 for sub-byte and strings).
int64_t rawElemBytes(int32_t t) {
  switch (t) {
  case kFloat: case kInt32: case kUint32: return 4;
  case kDouble: case kInt64: case kUint64: return 8;
  case kFloat16: case kBFloat16: case kInt16: case kUint16: return 2;
  case kUint8: case kInt8: case kBool: case kF8E4M3FN: case kF8E4M3FNUZ:
  case kF8E5M2: case kF8E5M2FNUZ: return 1;
  default: return 0;
  }
}
} // namespace

FailureOr<DenseElementsAttr> mlir::loom::onnx_import::tensorToDenseAttr(
    MLIRContext *ctx, const onnx::TensorProto &t, RankedTensorType type,
    ArrayRef<char> raw, std::string &err) {
  int64_t n = type.getNumElements();
  int32_t dt = t.data_type();
  Type elem = type.getElementType();
  auto sizeError = [&](int64_t got, StringRef unit) {
    err = "holds " + std::to_string(got) + " " + unit.str() + " but its shape " +
          "needs " + std::to_string(n) + " elements of " + onnxTypeName(dt);
    return failure();
  };
  bool hasRaw = t.has_raw_data() || !raw.empty();
  if (hasRaw) {
    if (dt == kInt4 || dt == kUint4) {
      if ((int64_t)raw.size() != (n + 1) / 2)
        return sizeError(raw.size(), "bytes");
      SmallVector<APInt> vals;
      for (int64_t i = 0; i < n; ++i) {
        uint8_t byte = raw[i / 2];
        vals.push_back(APInt(4, (i % 2) ? (byte >> 4) : (byte & 0xF)));
      }
      return DenseElementsAttr::get(type, vals);
    }
    int64_t eb = rawElemBytes(dt);
    if (eb == 0) {
      err = "has unsupported element type " + onnxTypeName(dt);
      return failure();
    }
    if ((int64_t)raw.size() != n * eb)
      return sizeError(raw.size(), "bytes");
    if (dt == kBool) {
      SmallVector<bool> vals(raw.begin(), raw.end());
      return DenseElementsAttr::get(type, ArrayRef<bool>(vals));
    }
    bool splat = false;
    if (!DenseElementsAttr::isValidRawBuffer(type, raw, splat)) {
      err = "has a raw buffer MLIR cannot take";
      return failure();
    }
    return DenseElementsAttr::getFromRawBuffer(type, raw);
  }
  // Typed fields.
  auto checkCount = [&](int64_t got) -> LogicalResult {
    if (got != n) {
      (void)sizeError(got, "values");
      return failure();
    }
    return success();
  };
  switch (dt) {
  case kFloat:
    if (failed(checkCount(t.float_data_size())))
      return failure();
    return DenseElementsAttr::get(
        type, ArrayRef<float>(t.float_data().data(), t.float_data_size()));
  case kDouble:
    if (failed(checkCount(t.double_data_size())))
      return failure();
    return DenseElementsAttr::get(
        type, ArrayRef<double>(t.double_data().data(), t.double_data_size()));
  case kInt64:
    if (failed(checkCount(t.int64_data_size())))
      return failure();
    return DenseElementsAttr::get(
        type, ArrayRef<int64_t>(t.int64_data().data(), t.int64_data_size()));
  case kUint32: case kUint64: {
    if (failed(checkCount(t.uint64_data_size())))
      return failure();
    SmallVector<APInt> vals;
    unsigned w = elem.getIntOrFloatBitWidth();
    for (uint64_t v : t.uint64_data())
      vals.push_back(APInt(w, v, /*isSigned=*/false, /*implicitTrunc=*/true));
    return DenseElementsAttr::get(type, vals);
  }
  case kBool: {
    if (failed(checkCount(t.int32_data_size())))
      return failure();
    SmallVector<bool> vals;
    for (int32_t v : t.int32_data())
      vals.push_back(v != 0);
    return DenseElementsAttr::get(type, ArrayRef<bool>(vals));
  }
  case kInt32: case kInt16: case kInt8: case kUint16: case kUint8: {
    if (failed(checkCount(t.int32_data_size())))
      return failure();
    SmallVector<APInt> vals;
    unsigned w = elem.getIntOrFloatBitWidth();
    for (int32_t v : t.int32_data())
      vals.push_back(APInt(w, (uint64_t)(int64_t)v, /*isSigned=*/true,
                           /*implicitTrunc=*/true));
    return DenseElementsAttr::get(type, vals);
  }
  case kFloat16: case kBFloat16: case kF8E4M3FN: case kF8E4M3FNUZ:
  case kF8E5M2: case kF8E5M2FNUZ: {
    // Stored as bit patterns in int32_data.
    if (failed(checkCount(t.int32_data_size())))
      return failure();
    auto ft = cast<FloatType>(elem);
    SmallVector<APFloat> vals;
    unsigned w = ft.getWidth();
    for (int32_t v : t.int32_data())
      vals.push_back(APFloat(ft.getFloatSemantics(),
                             APInt(w, (uint64_t)(uint32_t)v, false, true)));
    return DenseElementsAttr::get(type, vals);
  }
  default:
    err = "has unsupported element type " + onnxTypeName(dt);
    return failure();
  }
}
