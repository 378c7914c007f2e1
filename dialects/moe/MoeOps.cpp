//===- MoeOps.cpp - Verifiers and builders of loom_moe ops
//--------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "dialects/moe/MoeDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace mlir::loom::moe;

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

/// a * b, dynamic when either factor is: the T * k rows of dispatch/combine.
/// An overflowing size cannot be checked either, so it counts as dynamic.
static int64_t mulDims(int64_t a, int64_t b) {
  if (ShapedType::isDynamic(a) || ShapedType::isDynamic(b))
    return ShapedType::kDynamic;
  return llvm::checkedMul(a, b).value_or(ShapedType::kDynamic);
}

static int64_t addDims(int64_t a, int64_t b) {
  if (ShapedType::isDynamic(a) || ShapedType::isDynamic(b))
    return ShapedType::kDynamic;
  return llvm::checkedAdd(a, b).value_or(ShapedType::kDynamic);
}

/// Checks dim `dim` of operand/result `name` against `expected`. Only a
/// conflict between two static sizes is an error: `?` on either side stays
/// legal, as the dialect accepts dynamic shapes everywhere. `meaning` says
/// where `expected` comes from, for the message.
static LogicalResult verifyDim(Operation *op, StringRef name, Type type,
                               unsigned dim, int64_t expected,
                               StringRef meaning) {
  int64_t actual = cast<RankedTensorType>(type).getDimSize(dim);
  if (ShapedType::isDynamic(actual) || ShapedType::isDynamic(expected) ||
      actual == expected)
    return success();
  return op->emitOpError() << "'" << name << "' dim " << dim << " is " << actual
                           << ", expected " << expected << " (" << meaning
                           << ")";
}

//===----------------------------------------------------------------------===//
// RouteOp
//===----------------------------------------------------------------------===//

void RouteOp::build(OpBuilder &b, OperationState &state, Value logits,
                    int64_t k, Scoring scoring, bool normalize) {
  auto logitsType = cast<RankedTensorType>(logits.getType());
  SmallVector<int64_t, 2> shape = {logitsType.getDimSize(0), k};
  build(b, state, RankedTensorType::get(shape, b.getF32Type()),
        RankedTensorType::get(shape, b.getI32Type()), logits,
        b.getI64IntegerAttr(k), ScoringAttr::get(b.getContext(), scoring),
        normalize ? b.getUnitAttr() : UnitAttr());
}

LogicalResult RouteOp::verify() {
  RankedTensorType logitsType = getLogits().getType();
  int64_t numTokens = logitsType.getDimSize(0);
  int64_t numExperts = logitsType.getDimSize(1);
  int64_t k = getK();
  if (!ShapedType::isDynamic(numExperts) && k > numExperts)
    return emitOpError() << "k = " << k << " exceeds the " << numExperts
                         << " experts of 'logits'";

  Operation *op = getOperation();
  for (auto [name, type] :
       {std::pair<StringRef, Type>{"weights", getWeights().getType()},
        {"ids", getIds().getType()}}) {
    if (failed(verifyDim(op, name, type, 0, numTokens, "tokens of 'logits'")) ||
        failed(verifyDim(op, name, type, 1, k, "k")))
      return failure();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// DispatchOp
//===----------------------------------------------------------------------===//

void DispatchOp::build(OpBuilder &b, OperationState &state, Value x, Value ids,
                       int64_t numExperts) {
  auto xType = cast<RankedTensorType>(x.getType());
  auto idsType = cast<RankedTensorType>(ids.getType());
  int64_t rows = mulDims(xType.getDimSize(0), idsType.getDimSize(1));
  Type i32 = b.getI32Type();
  build(b, state,
        RankedTensorType::get({rows, xType.getDimSize(1)},
                              xType.getElementType()),
        RankedTensorType::get({numExperts + 1}, i32),
        RankedTensorType::get({rows}, i32), x, ids,
        b.getI64IntegerAttr(numExperts));
}

LogicalResult DispatchOp::verify() {
  Operation *op = getOperation();
  RankedTensorType xType = getX().getType();
  RankedTensorType idsType = getIds().getType();
  int64_t rows = mulDims(xType.getDimSize(0), idsType.getDimSize(1));
  Type xSortedType = getXSorted().getType();
  Type permType = getPermutation().getType();

  if (failed(verifyDim(op, "ids", idsType, 0, xType.getDimSize(0),
                       "tokens of 'x'")) ||
      failed(
          verifyDim(op, "x_sorted", xSortedType, 0, rows, "tokens times k")) ||
      failed(verifyDim(op, "x_sorted", xSortedType, 1, xType.getDimSize(1),
                       "row width of 'x'")) ||
      failed(
          verifyDim(op, "permutation", permType, 0, rows, "tokens times k")) ||
      // Also when T * k is unknown, both results have one row per choice.
      failed(verifyDim(op, "permutation", permType, 0,
                       getXSorted().getType().getDimSize(0),
                       "rows of 'x_sorted'")) ||
      failed(verifyDim(op, "expert_offsets", getExpertOffsets().getType(), 0,
                       addDims(getNumExperts(), 1), "num_experts + 1")))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// GroupedMatmulOp
//===----------------------------------------------------------------------===//

void GroupedMatmulOp::build(OpBuilder &b, OperationState &state, Value xSorted,
                            Value w, Value expertOffsets) {
  auto xType = cast<RankedTensorType>(xSorted.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  build(b, state,
        RankedTensorType::get({xType.getDimSize(0), wType.getDimSize(2)},
                              xType.getElementType()),
        xSorted, w, expertOffsets);
}

LogicalResult GroupedMatmulOp::verify() {
  Operation *op = getOperation();
  RankedTensorType xType = getXSorted().getType();
  RankedTensorType wType = getW().getType();
  Type resultType = getResult().getType();

  // Float weights are used as they are, so they must match the activations.
  // (Quantized weights, with a scale operand, will relax this rule.)
  if (wType.getElementType() != xType.getElementType())
    return emitOpError() << "float weights must have the element type of "
                            "'x_sorted' ("
                         << xType.getElementType() << "), got "
                         << wType.getElementType();

  if (failed(verifyDim(op, "w", wType, 1, xType.getDimSize(1),
                       "reduction size K of 'x_sorted'")) ||
      failed(verifyDim(op, "expert_offsets", getExpertOffsets().getType(), 0,
                       addDims(wType.getDimSize(0), 1),
                       "experts of 'w' + 1")) ||
      failed(verifyDim(op, "result", resultType, 0, xType.getDimSize(0),
                       "rows of 'x_sorted'")) ||
      failed(verifyDim(op, "result", resultType, 1, wType.getDimSize(2),
                       "output size N of 'w'")))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// CombineOp
//===----------------------------------------------------------------------===//

void CombineOp::build(OpBuilder &b, OperationState &state, Value ySorted,
                      Value permutation, Value weights) {
  auto yType = cast<RankedTensorType>(ySorted.getType());
  auto weightsType = cast<RankedTensorType>(weights.getType());
  build(b, state,
        RankedTensorType::get({weightsType.getDimSize(0), yType.getDimSize(1)},
                              yType.getElementType()),
        ySorted, permutation, weights);
}

LogicalResult CombineOp::verify() {
  Operation *op = getOperation();
  RankedTensorType yType = getYSorted().getType();
  RankedTensorType weightsType = getWeights().getType();
  int64_t rows = mulDims(weightsType.getDimSize(0), weightsType.getDimSize(1));
  Type permType = getPermutation().getType();
  Type resultType = getResult().getType();

  if (failed(verifyDim(op, "y_sorted", yType, 0, rows,
                       "tokens times k of 'weights'")) ||
      failed(verifyDim(op, "permutation", permType, 0, rows,
                       "tokens times k of 'weights'")) ||
      // Also when T * k is unknown, there is one index per row of y_sorted.
      failed(verifyDim(op, "permutation", permType, 0, yType.getDimSize(0),
                       "rows of 'y_sorted'")) ||
      failed(verifyDim(op, "result", resultType, 0, weightsType.getDimSize(0),
                       "tokens of 'weights'")) ||
      failed(verifyDim(op, "result", resultType, 1, yType.getDimSize(1),
                       "row width of 'y_sorted'")))
    return failure();
  return success();
}

#define GET_OP_CLASSES
#include "dialects/moe/MoeOps.cpp.inc"
