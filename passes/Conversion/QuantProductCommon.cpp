//===- QuantProductCommon.cpp - Shared parts of the matmul products -------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The shape handling shared by the integer and FP8 product lowerings of
// loom_quant.matmul (QuantMatmulIntegerProduct.cpp, QuantMatmulF8Product.cpp):
// the batch dimensions collapsed into M for a 2-d contraction of the stored
// values, the product expanded back to [..., M, N], and the elementwise
// epilogue that multiplies by both scales.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/QuantLowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loom::quant;

namespace {

/// [0, ..., rank - 2]: the dimensions of [..., M] that collapse into M'.
ReassociationIndices batchRows(int64_t rank) {
  ReassociationIndices rows;
  for (int64_t i = 0; i < rank - 1; ++i)
    rows.push_back(i);
  return rows;
}

} // namespace

bool mlir::loom::quant::isScaleConstantAlongK(SchemeAttr scheme,
                                              int64_t kAxis) {
  switch (scheme.getGranularity()) {
  case Granularity::per_tensor:
    return true;
  case Granularity::per_channel:
    return scheme.getAxis() != kAxis;
  case Granularity::per_group:
    return false;
  }
  return false;
}

std::optional<ProductOperands> mlir::loom::quant::matchProductOperands(
    MatmulOp op, function_ref<bool(Value)> isStored,
    function_ref<bool(SchemeAttr, int64_t)> alongK) {
  ProductOperands p;
  p.a = op.getA();
  p.w = op.getWeight();
  p.aScale = op.getInputScale();
  p.wScale = op.getWeightScale();
  std::optional<SchemeAttr> aSchemeOpt = op.getInputScheme();
  if (!p.aScale || !aSchemeOpt || !isStored(p.a) || !isStored(p.w))
    return std::nullopt;
  p.aScheme = *aSchemeOpt;
  p.wScheme = op.getWeightScheme();
  p.resultType = op.getResult().getType();
  p.rank = op.getA().getType().getRank();
  p.transposed = op.getTransposeWeight();
  if (p.rank < 2 || !alongK(p.aScheme, p.rank - 1) ||
      !alongK(p.wScheme, p.transposed ? 1 : 0))
    return std::nullopt;
  return p;
}

OpFoldResult mlir::loom::quant::getProductN(OpBuilder &b, Location loc,
                                            const ProductOperands &p) {
  if (p.resultType.isDynamicDim(p.rank - 1))
    return tensor::getMixedSize(b, loc, p.w, p.transposed ? 0 : 1);
  return b.getIndexAttr(p.resultType.getDimSize(p.rank - 1));
}

Value mlir::loom::quant::collapseBatchIntoRows(OpBuilder &b, Location loc,
                                               Value a) {
  int64_t rank = cast<RankedTensorType>(a.getType()).getRank();
  if (rank <= 2)
    return a;
  return tensor::CollapseShapeOp::create(
      b, loc, a, ArrayRef<ReassociationIndices>{batchRows(rank), {rank - 1}});
}

Value mlir::loom::quant::buildProductContraction(
    OpBuilder &b, Location loc, Value a2, Value w, bool transposed,
    OpFoldResult mSize, OpFoldResult nSize, Type accType,
    function_ref<Value(OpBuilder &, Location, unsigned, Value)> ext) {
  MLIRContext *ctx = b.getContext();
  bool isFloat = isa<FloatType>(accType);
  // Loops (m, n, k).
  AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
             k = getAffineDimExpr(2, ctx);
  auto map3 = [&](ArrayRef<AffineExpr> e) {
    return AffineMap::get(3, 0, e, ctx);
  };
  Value zero = isFloat
                   ? Value(arith::ConstantFloatOp::create(
                         b, loc, cast<FloatType>(accType), APFloat(0.0f)))
                   : Value(arith::ConstantIntOp::create(b, loc, accType, 0));
  Value empty = tensor::EmptyOp::create(
      b, loc, ArrayRef<OpFoldResult>{mSize, nSize}, accType);
  Value acc = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  return linalg::GenericOp::create(
             b, loc, acc.getType(), ValueRange{a2, w}, ValueRange{acc},
             {map3({m, k}), transposed ? map3({n, k}) : map3({k, n}),
              map3({m, n})},
             {utils::IteratorType::parallel, utils::IteratorType::parallel,
              utils::IteratorType::reduction},
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value x = ext(nb, nl, 0, args[0]);
               Value y = ext(nb, nl, 1, args[1]);
               Value sum;
               if (isFloat)
                 sum = arith::AddFOp::create(
                     nb, nl, args[2], arith::MulFOp::create(nb, nl, x, y));
               else
                 sum = arith::AddIOp::create(
                     nb, nl, args[2], arith::MulIOp::create(nb, nl, x, y));
               linalg::YieldOp::create(nb, nl, sum);
             })
      .getResult(0);
}

BatchedOutput mlir::loom::quant::getBatchedOutput(OpBuilder &b, Location loc,
                                                  Value a, OpFoldResult nSize) {
  int64_t rank = cast<RankedTensorType>(a.getType()).getRank();
  BatchedOutput out;
  for (int64_t d = 0; d < rank - 1; ++d)
    out.sizes.push_back(tensor::getMixedSize(b, loc, a, d));
  out.sizes.push_back(nSize);
  for (OpFoldResult s : out.sizes)
    out.shape.push_back(getConstantIntValue(s).value_or(ShapedType::kDynamic));
  out.rows = batchRows(rank);
  return out;
}

Value mlir::loom::quant::expandBatchRows(OpBuilder &b, Location loc,
                                         const BatchedOutput &out, Value v,
                                         bool dropN) {
  int64_t rank = out.sizes.size();
  if (rank <= 2)
    return v;
  Type elt = cast<RankedTensorType>(v.getType()).getElementType();
  if (dropN)
    return tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get(ArrayRef(out.shape).drop_back(), elt), v,
        ArrayRef<ReassociationIndices>{out.rows},
        ArrayRef(out.sizes).drop_back());
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(out.shape, elt), v,
      ArrayRef<ReassociationIndices>{out.rows, {rank - 1}}, out.sizes);
}

EpilogueIndex mlir::loom::quant::getEpilogueIndex(MLIRContext *ctx,
                                                  int64_t rank,
                                                  bool transposed) {
  EpilogueIndex idx;
  for (int64_t d = 0; d < rank - 1; ++d)
    idx.batchM.push_back(getAffineDimExpr(d, ctx));
  idx.nOut = getAffineDimExpr(rank - 1, ctx);
  AffineExpr kNone = getAffineConstantExpr(0, ctx);
  idx.aIdx.assign(idx.batchM);
  idx.aIdx.push_back(kNone);
  idx.wIdx = transposed ? SmallVector<AffineExpr>{idx.nOut, kNone}
                        : SmallVector<AffineExpr>{kNone, idx.nOut};
  return idx;
}

SmallVector<AffineMap>
mlir::loom::quant::getProductScaleMaps(OpBuilder &b, const ProductOperands &p,
                                       const EpilogueIndex &idx) {
  return {b.getMultiDimIdentityMap(p.rank),
          getParamMap(p.aScheme, cast<RankedTensorType>(p.aScale.getType()),
                      idx.aIdx, p.rank),
          getParamMap(p.wScheme, cast<RankedTensorType>(p.wScale.getType()),
                      idx.wIdx, p.rank)};
}

Value mlir::loom::quant::buildScaleEpilogue(
    OpBuilder &b, Location loc, RankedTensorType resultType,
    const BatchedOutput &out, ValueRange ins, ArrayRef<AffineMap> maps,
    function_ref<Value(OpBuilder &, Location, ValueRange)> valueF32) {
  Type f32 = b.getF32Type();
  Type resultElt = resultType.getElementType();
  Value init = tensor::EmptyOp::create(b, loc, out.sizes, resultElt);
  Value result =
      linalg::GenericOp::create(
          b, loc, init.getType(), ins, ValueRange{init}, maps,
          SmallVector<utils::IteratorType>(out.sizes.size(),
                                           utils::IteratorType::parallel),
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value f = valueF32(nb, nl, args);
            Value scale =
                arith::MulFOp::create(nb, nl, castFloat(nb, nl, args[1], f32),
                                      castFloat(nb, nl, args[2], f32));
            Value y = arith::MulFOp::create(nb, nl, f, scale);
            linalg::YieldOp::create(nb, nl, castFloat(nb, nl, y, resultElt));
          })
          .getResult(0);
  if (result.getType() != resultType)
    result = tensor::CastOp::create(b, loc, resultType, result);
  return result;
}
