//===- Builders.cpp - Helpers that build linalg/tensor IR -----------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::loom::onnx_import;

FailureOr<SmallVector<int64_t>>
mlir::loom::onnx_import::broadcastShapes(ArrayRef<Type> types) {
  int64_t rank = 0;
  for (Type t : types)
    rank = std::max<int64_t>(rank, cast<RankedTensorType>(t).getRank());
  SmallVector<int64_t> out(rank, 1);
  for (int64_t i = 0; i < rank; ++i) {
    int64_t r = 1;
    bool dyn = false;
    for (Type t : types) {
      auto s = cast<RankedTensorType>(t).getShape();
      int64_t j = i - (rank - (int64_t)s.size());
      if (j < 0)
        continue;
      int64_t d = s[j];
      if (ShapedType::isDynamic(d)) {
        dyn = true;
        continue;
      }
      if (d == 1)
        continue;
      if (r != 1 && r != d)
        return failure();
      r = d;
    }
    out[i] = (r == 1 && dyn) ? ShapedType::kDynamic : r;
  }
  return out;
}

Value mlir::loom::onnx_import::emptyTensor(OpBuilder &b, Location loc,
                                           ArrayRef<int64_t> shape, Type elem,
                                           ValueRange dynSizes) {
  return tensor::EmptyOp::create(b, loc, shape, elem, dynSizes);
}

SmallVector<Value> mlir::loom::onnx_import::dimValues(OpBuilder &b,
                                                      Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<Value> out;
  for (int64_t i = 0; i < t.getRank(); ++i) {
    if (t.isDynamicDim(i))
      out.push_back(tensor::DimOp::create(b, loc, v, i));
    else
      out.push_back(arith::ConstantIndexOp::create(b, loc, t.getDimSize(i)));
  }
  return out;
}

SmallVector<Value> mlir::loom::onnx_import::dynamicDims(OpBuilder &b,
                                                        Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<Value> out;
  for (int64_t i = 0; i < t.getRank(); ++i)
    if (t.isDynamicDim(i))
      out.push_back(tensor::DimOp::create(b, loc, v, i));
  return out;
}

FailureOr<int64_t> mlir::loom::onnx_import::normalizeAxis(int64_t axis,
                                                          int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    return failure();
  return axis < 0 ? axis + rank : axis;
}

/// Indexing map reading a `shape`-shaped operand inside an iteration space
/// of `outShape` with numpy broadcasting (trailing alignment, size-1 dims
/// read at 0).
static AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> shape,
                              ArrayRef<int64_t> outShape) {
  int64_t R = outShape.size(), r = shape.size();
  SmallVector<AffineExpr> exprs;
  for (int64_t j = 0; j < r; ++j) {
    int64_t od = R - r + j;
    if (shape[j] == 1 && outShape[od] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(od, ctx));
  }
  return AffineMap::get(R, 0, exprs, ctx);
}

FailureOr<Value> mlir::loom::onnx_import::buildElementwise(OpBuilder &b,
                                                           Location loc,
                                                           ValueRange inputs,
                                                           Type resultElem,
                                                           ScalarFn fn) {
  SmallVector<Type> types(inputs.getTypes());
  FailureOr<SmallVector<int64_t>> shape = broadcastShapes(types);
  if (failed(shape))
    return failure();
  int64_t R = shape->size();
  SmallVector<Value> dyn;
  for (int64_t i = 0; i < R; ++i) {
    if (!ShapedType::isDynamic((*shape)[i]))
      continue;
    for (Value in : inputs) {
      auto t = cast<RankedTensorType>(in.getType());
      int64_t j = i - (R - t.getRank());
      if (j >= 0 && t.isDynamicDim(j)) {
        dyn.push_back(tensor::DimOp::create(b, loc, in, j));
        break;
      }
    }
  }
  Value init = emptyTensor(b, loc, *shape, resultElem, dyn);
  SmallVector<AffineMap> maps;
  for (Value in : inputs)
    maps.push_back(broadcastMap(
        b.getContext(), cast<RankedTensorType>(in.getType()).getShape(),
        *shape));
  maps.push_back(b.getMultiDimIdentityMap(R));
  SmallVector<utils::IteratorType> iters(R, utils::IteratorType::parallel);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value r = fn(nb, nl, args.drop_back());
        linalg::YieldOp::create(nb, nl, r);
      });
  return op.getResult(0);
}

FailureOr<Value> mlir::loom::onnx_import::broadcastTo(OpBuilder &b,
                                                      Location loc, Value v,
                                                      ArrayRef<int64_t> shape) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<Type> types{t, RankedTensorType::get(shape, t.getElementType())};
  FailureOr<SmallVector<int64_t>> out = broadcastShapes(types);
  if (failed(out) || (int64_t)shape.size() < t.getRank())
    return failure();
  if (llvm::any_of(shape, ShapedType::isDynamic))
    return failure();
  if (*out == SmallVector<int64_t>(t.getShape()))
    return v;
  Value init = emptyTensor(b, loc, *out, t.getElementType());
  SmallVector<AffineMap> maps{
      broadcastMap(b.getContext(), t.getShape(), *out),
      b.getMultiDimIdentityMap(out->size())};
  SmallVector<utils::IteratorType> iters(out->size(),
                                         utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{v},
             ValueRange{init}, maps, iters,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, args[0]);
             })
      .getResult(0);
}

Value mlir::loom::onnx_import::buildIndexed(OpBuilder &b, Location loc,
                                            ArrayRef<int64_t> shape, Type elem,
                                            ValueRange dynSizes,
                                            ValueRange inputs,
                                            ArrayRef<AffineMap> maps,
                                            IndexedFn fn) {
  int64_t R = shape.size();
  Value init = emptyTensor(b, loc, shape, elem, dynSizes);
  SmallVector<AffineMap> allMaps(maps);
  allMaps.push_back(b.getMultiDimIdentityMap(R));
  SmallVector<utils::IteratorType> iters(R, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, inputs, ValueRange{init},
             allMaps, iters,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               SmallVector<Value> idx;
               for (int64_t d = 0; d < R; ++d)
                 idx.push_back(linalg::IndexOp::create(nb, nl, d));
               Value r = fn(nb, nl, args.drop_back(), idx);
               linalg::YieldOp::create(nb, nl, r);
             })
      .getResult(0);
}

/// expand_shape that re-inserts size-1 dims at `axes` (sorted).
Value mlir::loom::onnx_import::insertUnitDims(OpBuilder &b, Location loc, Value v,
                            ArrayRef<int64_t> axes) {
  auto t = cast<RankedTensorType>(v.getType());
  int64_t outRank = t.getRank() + axes.size();
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> reassoc;
  ReassociationIndices pending;
  int64_t src = 0;
  for (int64_t i = 0; i < outRank; ++i) {
    if (llvm::is_contained(axes, i)) {
      shape.push_back(1);
      // Unit dims join the group of the preceding source dim (or the first).
      if (reassoc.empty())
        pending.push_back(i);
      else
        reassoc.back().push_back(i);
      continue;
    }
    shape.push_back(t.getDimSize(src++));
    ReassociationIndices group = pending;
    group.push_back(i);
    pending.clear();
    reassoc.push_back(group);
  }
  if (t.getRank() == 0)
    reassoc.clear();
  auto rt = RankedTensorType::get(shape, t.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, rt, v, reassoc);
}

Value mlir::loom::onnx_import::buildReduction(
    OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes,
    bool keepDims, Value init,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine,
    function_ref<Value(OpBuilder &, Location, Value)> pre) {
  auto t = cast<RankedTensorType>(input.getType());
  int64_t R = t.getRank();
  SmallVector<int64_t> outShape;
  SmallVector<Value> dyn;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t i = 0; i < R; ++i) {
    if (llvm::is_contained(axes, i)) {
      iters.push_back(utils::IteratorType::reduction);
      continue;
    }
    iters.push_back(utils::IteratorType::parallel);
    outShape.push_back(t.getDimSize(i));
    outExprs.push_back(b.getAffineDimExpr(i));
    if (t.isDynamicDim(i))
      dyn.push_back(tensor::DimOp::create(b, loc, input, i));
  }
  Type elem = init.getType();
  Value empty = emptyTensor(b, loc, outShape, elem, dyn);
  Value filled =
      linalg::FillOp::create(b, loc, ValueRange{init}, ValueRange{empty})
          .getResult(0);
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(R),
                              AffineMap::get(R, 0, outExprs, b.getContext())};
  Value red = linalg::GenericOp::create(
                  b, loc, TypeRange{filled.getType()}, ValueRange{input},
                  ValueRange{filled}, maps, iters,
                  [&](OpBuilder &nb, Location nl, ValueRange args) {
                    Value x = pre ? pre(nb, nl, args[0]) : args[0];
                    linalg::YieldOp::create(nb, nl, combine(nb, nl, args[1], x));
                  })
                  .getResult(0);
  if (!keepDims || axes.empty())
    return red;
  return insertUnitDims(b, loc, red, axes);
}

Value mlir::loom::onnx_import::buildReshape(OpBuilder &b, Location loc,
                                            Value v, ArrayRef<int64_t> shape) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getShape() == shape)
    return v;
  auto rt = RankedTensorType::get(shape, t.getElementType());
  bool dynamic = !t.hasStaticShape() || llvm::any_of(shape, ShapedType::isDynamic);
  if (dynamic) {
    SmallVector<int64_t> dims(shape);
    auto shapeTy = RankedTensorType::get({(int64_t)dims.size()}, b.getI64Type());
    Value s = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(shapeTy, ArrayRef<int64_t>(dims)));
    return tensor::ReshapeOp::create(b, loc, rt, v, s);
  }
  Value flat = v;
  if (t.getRank() != 1) {
    SmallVector<ReassociationIndices> r;
    if (t.getRank() > 0) {
      r.emplace_back();
      for (int64_t i = 0; i < t.getRank(); ++i)
        r[0].push_back(i);
    }
    auto ft = RankedTensorType::get({t.getNumElements()}, t.getElementType());
    if (t.getRank() == 0)
      flat = tensor::ExpandShapeOp::create(b, loc, ft, v, r);
    else
      flat = tensor::CollapseShapeOp::create(b, loc, ft, v, r);
  }
  if (shape.size() == 1)
    return flat;
  SmallVector<ReassociationIndices> r;
  if (!shape.empty()) {
    r.emplace_back();
    for (size_t i = 0; i < shape.size(); ++i)
      r[0].push_back(i);
    return tensor::ExpandShapeOp::create(b, loc, rt, flat, r);
  }
  return tensor::CollapseShapeOp::create(b, loc, rt, flat, r);
}

Value mlir::loom::onnx_import::convertScalar(OpBuilder &b, Location loc,
                                             Value v, Type dst,
                                             bool srcUnsigned,
                                             bool dstUnsigned) {
  Type src = v.getType();
  if (src == dst)
    return v;
  auto srcF = dyn_cast<FloatType>(src);
  auto dstF = dyn_cast<FloatType>(dst);
  if (srcF && dstF) {
    if (srcF.getWidth() < dstF.getWidth())
      return arith::ExtFOp::create(b, loc, dst, v);
    if (srcF.getWidth() > dstF.getWidth())
      return arith::TruncFOp::create(b, loc, dst, v);
    // Same width, different format (f16 <-> bf16): go through f32.
    Value w = arith::ExtFOp::create(b, loc, b.getF32Type(), v);
    return arith::TruncFOp::create(b, loc, dst, w);
  }
  if (!srcF && dstF) {
    if (srcUnsigned || src.isInteger(1))
      return arith::UIToFPOp::create(b, loc, dst, v);
    return arith::SIToFPOp::create(b, loc, dst, v);
  }
  if (srcF && !dstF) {
    if (dst.isInteger(1)) {
      Value zero = scalarConst(b, loc, src, 0);
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v, zero);
    }
    if (dstUnsigned)
      return arith::FPToUIOp::create(b, loc, dst, v);
    return arith::FPToSIOp::create(b, loc, dst, v);
  }
  unsigned sw = src.getIntOrFloatBitWidth(), dw = dst.getIntOrFloatBitWidth();
  if (dw == 1) {
    Value zero = scalarConst(b, loc, src, 0);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, v, zero);
  }
  if (sw < dw) {
    if (srcUnsigned || sw == 1)
      return arith::ExtUIOp::create(b, loc, dst, v);
    return arith::ExtSIOp::create(b, loc, dst, v);
  }
  if (sw > dw)
    return arith::TruncIOp::create(b, loc, dst, v);
  return v;
}

Value mlir::loom::onnx_import::scalarConst(OpBuilder &b, Location loc,
                                           Type type, double v) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(ft, v));
  if (type.isIndex())
    return arith::ConstantIndexOp::create(b, loc, (int64_t)v);
  if (type.isInteger(1))
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, v != 0));
  return arith::ConstantOp::create(b, loc,
                                   b.getIntegerAttr(type, (int64_t)v));
}

Value mlir::loom::onnx_import::lowestConst(OpBuilder &b, Location loc,
                                           Type type, bool isUnsigned) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(ft, APFloat::getInf(ft.getFloatSemantics(), true)));
  unsigned w = type.getIntOrFloatBitWidth();
  APInt v = (isUnsigned || w == 1) ? APInt::getMinValue(w)
                                   : APInt::getSignedMinValue(w);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, v));
}

Value mlir::loom::onnx_import::highestConst(OpBuilder &b, Location loc,
                                            Type type, bool isUnsigned) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(ft, APFloat::getInf(ft.getFloatSemantics(), false)));
  unsigned w = type.getIntOrFloatBitWidth();
  APInt v = (isUnsigned || w == 1) ? APInt::getMaxValue(w)
                                   : APInt::getSignedMaxValue(w);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, v));
}

Value mlir::loom::onnx_import::buildTranspose(OpBuilder &b, Location loc,
                                              Value v, ArrayRef<int64_t> perm) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape;
  SmallVector<Value> dyn;
  for (int64_t p : perm) {
    shape.push_back(t.getDimSize(p));
    if (t.isDynamicDim(p))
      dyn.push_back(tensor::DimOp::create(b, loc, v, p));
  }
  Value init = emptyTensor(b, loc, shape, t.getElementType(), dyn);
  return linalg::TransposeOp::create(b, loc, v, init, perm).getResult()[0];
}
