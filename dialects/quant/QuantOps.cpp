//===- QuantOps.cpp - Verifiers of loom_quant ops --------------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "dialects/quant/QuantDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::loom::quant;

#define GET_OP_CLASSES
#include "dialects/quant/QuantOps.cpp.inc"

/// Two dimensions agree unless both are static and differ.
static bool dimsAgree(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

static int64_t ceilDivOrDynamic(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) ? ShapedType::kDynamic : (a + b - 1) / b;
}

static std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (i)
      s += ", ";
    s += ShapedType::isDynamic(d) ? "?" : std::to_string(d);
  }
  return s + "]";
}

//===----------------------------------------------------------------------===//
// Shared checks
//===----------------------------------------------------------------------===//

SmallVector<int64_t> mlir::loom::quant::getLogicalShape(
    SchemeAttr scheme, RankedTensorType stored) {
  SmallVector<int64_t> shape(stored.getShape());
  if (scheme.getPacked() && !shape.empty() &&
      !ShapedType::isDynamic(shape.back()))
    shape.back() *= 2;
  return shape;
}

LogicalResult mlir::loom::quant::verifyStoredTensor(Operation *op,
                                                   SchemeAttr scheme,
                                                   RankedTensorType stored,
                                                   ArrayRef<int64_t> logical,
                                                   StringRef what) {
  Type elt = stored.getElementType();
  if (scheme.getPacked()) {
    if (!elt.isInteger(8))
      return op->emitOpError()
             << what << " holds packed 4-bit values and must have 8-bit "
             << "integer elements, got " << elt;
    if (stored.getRank() == 0 || stored.getRank() != (int64_t)logical.size())
      return op->emitOpError() << what << " of packed storage must have rank "
                               << logical.size() << " (at least 1)";
    SmallVector<int64_t> expected(logical);
    expected.back() = ceilDivOrDynamic(expected.back(), 2);
    for (auto [s, e] : llvm::zip(stored.getShape(), expected))
      if (!dimsAgree(s, e))
        return op->emitOpError()
               << what << " shape " << shapeStr(stored.getShape())
               << " does not match packed shape " << shapeStr(expected);
    return success();
  }
  if (scheme.isFloatStorage()) {
    if (elt != scheme.getStorageElementType(op->getContext()))
      return op->emitOpError()
             << what << " element type must be "
             << scheme.getStorageElementType(op->getContext())
             << " for storage '" << stringifyEnum(scheme.getStorage())
             << "', got " << elt;
  } else if (!elt.isInteger(scheme.getStorageBitWidth())) {
    return op->emitOpError()
           << what << " element type must be a "
           << scheme.getStorageBitWidth() << "-bit integer for storage '"
           << stringifyEnum(scheme.getStorage()) << "', got " << elt;
  }
  if (stored.getRank() != (int64_t)logical.size())
    return op->emitOpError() << what << " must have rank " << logical.size();
  for (auto [s, e] : llvm::zip(stored.getShape(), logical))
    if (!dimsAgree(s, e))
      return op->emitOpError()
             << what << " shape " << shapeStr(stored.getShape())
             << " does not match " << shapeStr(logical);
  return success();
}

LogicalResult mlir::loom::quant::verifyQuantParams(
    Operation *op, SchemeAttr scheme, ArrayRef<int64_t> shape, Value scale,
    Value zeroPoint, StringRef what) {
  auto scaleType = cast<RankedTensorType>(scale.getType());
  ArrayRef<int64_t> scaleShape = scaleType.getShape();
  int64_t rank = shape.size();
  int64_t axis = scheme.getAxis();

  switch (scheme.getGranularity()) {
  case Granularity::per_tensor:
    if (scaleType.getRank() > 1 ||
        (scaleType.getRank() == 1 && !dimsAgree(scaleShape[0], 1)))
      return op->emitOpError()
             << what << " is quantized per tensor, so its scale must have "
             << "rank 0 or shape [1], got " << shapeStr(scaleShape);
    break;
  case Granularity::per_channel:
    if (axis >= rank)
      return op->emitOpError() << "quantization axis " << axis
                               << " is out of range for " << what
                               << " of rank " << rank;
    if (scaleType.getRank() != 1 || !dimsAgree(scaleShape[0], shape[axis]))
      return op->emitOpError()
             << what << " is quantized per channel along axis " << axis
             << ", so its scale must have shape [" << shapeStr({shape[axis]})
             << "], got " << shapeStr(scaleShape);
    break;
  case Granularity::per_group: {
    if (axis >= rank)
      return op->emitOpError() << "quantization axis " << axis
                               << " is out of range for " << what
                               << " of rank " << rank;
    SmallVector<int64_t> expected(shape);
    expected[axis] = ceilDivOrDynamic(shape[axis], scheme.getGroupSize());
    bool ok = scaleType.getRank() == rank;
    for (int64_t i = 0; ok && i < rank; ++i)
      ok = dimsAgree(scaleShape[i], expected[i]);
    if (!ok)
      return op->emitOpError()
             << what << " is quantized in groups of " << scheme.getGroupSize()
             << " along axis " << axis << ", so its scale must have shape "
             << shapeStr(expected) << ", got " << shapeStr(scaleShape);
    break;
  }
  }

  if (scheme.getHasZeroPoint() && !zeroPoint)
    return op->emitOpError() << what << "'s scheme has a zero point but none "
                             << "is given";
  if (!scheme.getHasZeroPoint() && zeroPoint)
    return op->emitOpError() << what << "'s scheme is symmetric but a zero "
                             << "point is given";
  if (zeroPoint) {
    auto zpType = cast<RankedTensorType>(zeroPoint.getType());
    if (zpType.getShape() != scaleShape)
      return op->emitOpError()
             << what << "'s zero point shape " << shapeStr(zpType.getShape())
             << " differs from its scale shape " << shapeStr(scaleShape);
    if (!zpType.getElementType().isInteger(scheme.getStorageBitWidth()))
      return op->emitOpError()
             << what << "'s zero point must have "
             << scheme.getStorageBitWidth() << "-bit integer elements, got "
             << zpType.getElementType();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// QuantizeOp / DequantizeOp / DynamicQuantizeOp
//===----------------------------------------------------------------------===//

LogicalResult QuantizeOp::verify() {
  ArrayRef<int64_t> shape = getInput().getType().getShape();
  if (failed(verifyStoredTensor(*this, getScheme(), getResult().getType(),
                                shape, "result")))
    return failure();
  return verifyQuantParams(*this, getScheme(), shape, getScale(),
                           getZeroPoint(), "input");
}

LogicalResult DequantizeOp::verify() {
  ArrayRef<int64_t> shape = getResult().getType().getShape();
  if (failed(verifyStoredTensor(*this, getScheme(), getInput().getType(),
                                shape, "input")))
    return failure();
  return verifyQuantParams(*this, getScheme(), shape, getScale(),
                           getZeroPoint(), "input");
}

LogicalResult DynamicQuantizeOp::verify() {
  SchemeAttr scheme = getScheme();
  if (scheme.getGranularity() == Granularity::per_group)
    return emitOpError() << "computes per-tensor or per-channel (per-token) "
                         << "scales; per_group is not supported";
  ArrayRef<int64_t> shape = getInput().getType().getShape();
  if (failed(verifyStoredTensor(*this, scheme, getResult().getType(), shape,
                                "result")))
    return failure();
  if (!getRange().empty() &&
      (getRange().size() != 2 ||
       llvm::any_of(getRange(), [&](Value r) {
         return r.getType() != getScale().getType();
       })))
    return emitOpError() << "range must be two tensors (min, max) of the "
                         << "scale's type " << getScale().getType();
  return verifyQuantParams(*this, scheme, shape, getScale(), getZeroPoint(),
                           "result");
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

SmallVector<int64_t, 2> MatmulOp::getLogicalWeightKN() {
  SmallVector<int64_t> logical =
      getLogicalShape(getWeightScheme(), getWeight().getType());
  if (logical.size() != 2)
    return {ShapedType::kDynamic, ShapedType::kDynamic};
  if (getTransposeWeight())
    return {logical[1], logical[0]};
  return {logical[0], logical[1]};
}

LogicalResult MatmulOp::verify() {
  auto aType = getA().getType();
  auto wType = getWeight().getType();
  auto resultType = getResult().getType();
  SchemeAttr wScheme = getWeightScheme();

  if (aType.getRank() < 2)
    return emitOpError() << "input must have rank >= 2 ([..., M, K]), got "
                         << aType.getRank();
  if (wType.getRank() != 2)
    return emitOpError() << "weight must have rank 2, got " << wType.getRank();

  // Weight storage and its quantization parameters, on the logical shape.
  SmallVector<int64_t> wLogical = getLogicalShape(wScheme, wType);
  if (failed(verifyStoredTensor(*this, wScheme, wType, wLogical, "weight")) ||
      failed(verifyQuantParams(*this, wScheme, wLogical, getWeightScale(),
                               getWeightZeroPoint(), "weight")))
    return failure();

  // The input: float, or quantized with its own scale and scheme.
  ArrayRef<int64_t> aShape = aType.getShape();
  if (getInputScale()) {
    std::optional<SchemeAttr> aScheme = getInputScheme();
    if (!aScheme)
      return emitOpError() << "a quantized input (input_scale given) needs "
                           << "an input_scheme";
    if (aScheme->getPacked())
      return emitOpError() << "packed 4-bit inputs are not supported";
    if (failed(verifyStoredTensor(*this, *aScheme, aType, aShape, "input")) ||
        failed(verifyQuantParams(*this, *aScheme, aShape, getInputScale(),
                                 getInputZeroPoint(), "input")))
      return failure();
  } else {
    if (getInputScheme() || getInputZeroPoint())
      return emitOpError() << "input_scheme and input_zero_point need an "
                           << "input_scale";
    if (!isa<FloatType>(aType.getElementType()))
      return emitOpError() << "input without input_scale must be float, got "
                           << aType.getElementType();
  }

  // Shapes: [..., M, K] x [K, N] -> [..., M, N].
  SmallVector<int64_t, 2> kn = getLogicalWeightKN();
  int64_t k = aShape.back();
  if (!dimsAgree(k, kn[0]))
    return emitOpError() << "contraction sizes differ: input has K = " << k
                         << ", weight has K = " << kn[0];
  SmallVector<int64_t> expected(aShape.drop_back());
  expected.push_back(kn[1]);
  bool ok = resultType.getRank() == (int64_t)expected.size();
  for (size_t i = 0; ok && i < expected.size(); ++i)
    ok = dimsAgree(resultType.getDimSize(i), expected[i]);
  if (!ok)
    return emitOpError() << "result shape " << shapeStr(resultType.getShape())
                         << " does not match expected " << shapeStr(expected);
  return success();
}
