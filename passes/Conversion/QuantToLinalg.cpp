//===- QuantToLinalg.cpp - Lower loom_quant ops to linalg on tensors ------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// quantize, dequantize and dynamic_quantize become elementwise (and, for
// dynamic_quantize, reduction) linalg.generic ops; the per-element
// arithmetic lives in QuantLowering.cpp and the matmul in
// QuantMatmulToLinalg.cpp. Numerics follow ONNX QuantizeLinear,
// DequantizeLinear and DynamicQuantizeLinear.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/Passes.h"
#include "passes/Conversion/QuantLowering.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"
#include "passes/Conversion/LowerEach.h"

#include "llvm/ADT/TypeSwitch.h"

namespace mlir::loom {
#define GEN_PASS_DEF_CONVERTQUANTTOLINALGPASS
#include "passes/Conversion/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::quant;

namespace {

/// `v` with the (possibly more static) type the replaced op declared.
Value castTo(OpBuilder &b, Location loc, Value v, Type type) {
  if (v.getType() == type)
    return v;
  return tensor::CastOp::create(b, loc, type, v);
}

SmallVector<AffineExpr> loopDims(OpBuilder &b, int64_t rank) {
  SmallVector<AffineExpr> dims;
  for (int64_t i = 0; i < rank; ++i)
    dims.push_back(b.getAffineDimExpr(i));
  return dims;
}

LogicalResult lowerQuantize(RewriterBase &rewriter, QuantizeOp op) {
  Location loc = op.getLoc();
  Value q = buildQuantizeTensor(rewriter, loc, op.getScheme(), op.getInput(),
                                op.getScale(), op.getZeroPoint(),
                                op.getResult().getType());
  rewriter.replaceOp(op, castTo(rewriter, loc, q, op.getResult().getType()));
  return success();
}

LogicalResult lowerDequantize(RewriterBase &rewriter, DequantizeOp op) {
  OpBuilder &b = rewriter;
  Location loc = op.getLoc();
  SchemeAttr scheme = op.getScheme();
  RankedTensorType resultType = op.getResult().getType();
  int64_t rank = resultType.getRank();
  Value input = op.getInput(), zp = op.getZeroPoint();

  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, input);
  if (scheme.getPacked()) {
    // The logical size is the result's when static; otherwise two nibbles
    // per byte (an odd size cannot be told from the bytes).
    if (!resultType.isDynamicDim(rank - 1))
      sizes.back() = b.getIndexAttr(resultType.getDimSize(rank - 1));
    else
      sizes.back() = OpFoldResult(arith::ShLIOp::create(
          b, loc, getValueOrCreateConstantIndexOp(b, loc, sizes.back()),
          arith::ConstantIndexOp::create(b, loc, 1)));
  }
  Value init =
      tensor::EmptyOp::create(b, loc, sizes, resultType.getElementType());

  SmallVector<AffineExpr> dims = loopDims(b, rank);
  auto scaleType = cast<RankedTensorType>(op.getScale().getType());
  SmallVector<Value> ins = {input, op.getScale()};
  SmallVector<AffineMap> maps = {getStoredMap(scheme, dims, rank),
                                 getParamMap(scheme, scaleType, dims, rank)};
  if (zp) {
    ins.push_back(zp);
    maps.push_back(getParamMap(scheme, scaleType, dims, rank));
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), ins, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value parity;
        if (scheme.getPacked())
          parity = arith::RemUIOp::create(
              nb, nl, linalg::IndexOp::create(nb, nl, rank - 1),
              arith::ConstantIndexOp::create(nb, nl, 2));
        Value v = emitDequantize(nb, nl, scheme, args[0], parity, args[1],
                                 zp ? args[2] : Value());
        linalg::YieldOp::create(
            nb, nl, castFloat(nb, nl, v, resultType.getElementType()));
      });
  rewriter.replaceOp(op, castTo(b, loc, generic.getResult(0), resultType));
  return success();
}

LogicalResult lowerDynamicQuantize(RewriterBase &rewriter,
                                   DynamicQuantizeOp op) {
  OpBuilder &b = rewriter;
  Location loc = op.getLoc();
  SchemeAttr scheme = op.getScheme();
  Value x = op.getInput();
  int64_t rank = op.getInput().getType().getRank();
  RankedTensorType scaleType = op.getScale().getType();
  Type f32 = b.getF32Type();

  // 1. min(x, 0) and max(x, 0) per scale: starting both at 0 folds the
  //    comparison with zero into the reduction.
  SmallVector<OpFoldResult> scaleSizes;
  if (scheme.getGranularity() == Granularity::per_channel)
    scaleSizes.push_back(tensor::getMixedSize(b, loc, x, scheme.getAxis()));
  else if (scaleType.getRank() == 1)
    scaleSizes.push_back(b.getIndexAttr(1));
  Value zeroF =
      arith::ConstantFloatOp::create(b, loc, b.getF32Type(), APFloat(0.0f));
  auto zeroInit = [&]() {
    Value e = tensor::EmptyOp::create(b, loc, scaleSizes, f32);
    return linalg::FillOp::create(b, loc, zeroF, e).getResult(0);
  };
  SmallVector<AffineExpr> dims = loopDims(b, rank);
  AffineMap paramMap = getParamMap(scheme, scaleType, dims, rank);
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::reduction);
  if (scheme.getGranularity() == Granularity::per_channel)
    iters[scheme.getAxis()] = utils::IteratorType::parallel;
  // (Given as `range`, by a row loop that produced x, it is not recomputed.)
  SmallVector<Value> minMax(op.getRange());
  if (minMax.empty()) {
    Value minInit = zeroInit(), maxInit = zeroInit();
    auto reduce = linalg::GenericOp::create(
        b, loc, TypeRange{minInit.getType(), maxInit.getType()}, ValueRange{x},
        ValueRange{minInit, maxInit},
        {b.getMultiDimIdentityMap(rank), paramMap, paramMap}, iters,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value v = castFloat(nb, nl, args[0], nb.getF32Type());
          linalg::YieldOp::create(
              nb, nl,
              ValueRange{arith::MinimumFOp::create(nb, nl, args[1], v),
                         arith::MaximumFOp::create(nb, nl, args[2], v)});
        });
    minMax.assign(reduce->result_begin(), reduce->result_end());
  }

  // 2. Scale and zero point from the range (ONNX DynamicQuantizeLinear:
  //    scale = (max - min) / (qmax - qmin), 1 / (qmax - qmin) for an
  //    all-zero input so nothing divides by zero).
  int64_t pRank = scaleType.getRank();
  AffineMap pId = b.getMultiDimIdentityMap(pRank);
  Value zp = op.getZeroPoint();
  SmallVector<Value> outs = {tensor::EmptyOp::create(b, loc, scaleSizes, f32)};
  if (zp)
    outs.push_back(tensor::EmptyOp::create(
        b, loc, scaleSizes,
        cast<RankedTensorType>(zp.getType()).getElementType()));
  SmallVector<AffineMap> pMaps(2 + outs.size(), pId);
  auto params = linalg::GenericOp::create(
      b, loc, ValueRange(outs).getTypes(), minMax, outs, pMaps,
      SmallVector<utils::IteratorType>(pRank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        auto cst = [&](double v) -> Value {
          return arith::ConstantFloatOp::create(nb, nl, nb.getF32Type(),
                                                APFloat(float(v)));
        };
        auto nonZero = [&](Value v) -> Value {
          Value isZero = arith::CmpFOp::create(
              nb, nl, arith::CmpFPredicate::OEQ, v, cst(0.0));
          return arith::SelectOp::create(nb, nl, isZero, cst(1.0), v);
        };
        Value lo = args[0], hi = args[1];
        if (!zp) {
          // Symmetric: max|x| onto qmax (or the largest 8-bit float).
          Value amax = arith::MaximumFOp::create(
              nb, nl, hi, arith::NegFOp::create(nb, nl, lo));
          double top = scheme.isFloatStorage() ? getF8Max(scheme.getStorage())
                                               : double(scheme.getQMax());
          Value scale = arith::DivFOp::create(nb, nl, nonZero(amax), cst(top));
          linalg::YieldOp::create(nb, nl, scale);
          return;
        }
        double qmin = scheme.getQMin(), qmax = scheme.getQMax();
        Value range = arith::SubFOp::create(nb, nl, hi, lo);
        Value scale =
            arith::DivFOp::create(nb, nl, nonZero(range), cst(qmax - qmin));
        Value z = arith::SubFOp::create(
            nb, nl, cst(qmin), arith::DivFOp::create(nb, nl, lo, scale));
        z = arith::MaxNumFOp::create(nb, nl, z, cst(qmin));
        z = arith::MinNumFOp::create(nb, nl, z, cst(qmax));
        z = math::RoundEvenOp::create(nb, nl, z);
        Value zi = arith::TruncIOp::create(
            nb, nl, nb.getIntegerType(scheme.getStorageBitWidth()),
            arith::FPToSIOp::create(nb, nl, nb.getI32Type(), z));
        Type zpElt = cast<RankedTensorType>(zp.getType()).getElementType();
        linalg::YieldOp::create(
            nb, nl, ValueRange{scale, fromSignless(nb, nl, zi, zpElt)});
      });

  // 3. Quantize with them.
  Value scale = params.getResult(0);
  Value zpTensor = zp ? params.getResult(1) : Value();
  Value q = buildQuantizeTensor(b, loc, scheme, x, scale, zpTensor,
                                op.getResult().getType());
  SmallVector<Value> results = {castTo(b, loc, q, op.getResult().getType()),
                                castTo(b, loc, scale, scaleType)};
  if (zp)
    results.push_back(castTo(b, loc, zpTensor, zp.getType()));
  rewriter.replaceOp(op, results);
  return success();
}

struct ConvertQuantToLinalgPass
    : public loom::impl::ConvertQuantToLinalgPassBase<
          ConvertQuantToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    auto lower = [&](IRRewriter &rewriter, Operation *op) -> LogicalResult {
      return TypeSwitch<Operation *, LogicalResult>(op)
              .Case([&](QuantizeOp q) { return lowerQuantize(rewriter, q); })
              .Case(
                  [&](DequantizeOp q) { return lowerDequantize(rewriter, q); })
              .Case([&](DynamicQuantizeOp q) {
                return lowerDynamicQuantize(rewriter, q);
              })
              .Case([&](MatmulOp q) {
                if (integerProduct &&
                    succeeded(lowerQuantMatmulIntegerProduct(rewriter, q,
                                                        signedActivations)))
                  return success();
                if (f8Product &&
                    succeeded(lowerQuantMatmulF8Product(rewriter, q)))
                  return success();
                return lowerQuantMatmul(rewriter, q);
              });
    };
    if (failed(lowerEach<QuantizeOp,
                             DequantizeOp,
                             DynamicQuantizeOp,
                             MatmulOp>(
            getOperation(), lower)))
      signalPassFailure();
  }
};

} // namespace
