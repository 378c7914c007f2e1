//===- QuantMatmulToLinalg.cpp - loom_quant.matmul as one contraction -----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The quantized matmul becomes a single linalg.generic over
// [batch..., M, N, K] (K a reduction) that reads the stored weight, its
// scale and zero point through indexing maps and dequantizes each element
// in the body. Tiling that generic therefore dequantizes tile by tile, and
// no dequantized copy of the weight ever exists. Products accumulate in
// f32; a quantized input is dequantized the same way (exact for 8-bit
// integers times f32 scales), which also covers per-group scales along K
// that an integer accumulation could not factor out.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/QuantLowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loom::quant;

LogicalResult mlir::loom::quant::lowerQuantMatmul(RewriterBase &rewriter,
                                                  MatmulOp op) {
  OpBuilder &b = rewriter;
  Location loc = op.getLoc();
  Value a = op.getA(), w = op.getWeight();
  RankedTensorType aType = op.getA().getType();
  RankedTensorType resultType = op.getResult().getType();
  SchemeAttr wScheme = op.getWeightScheme();
  bool transposed = op.getTransposeWeight();
  int64_t aRank = aType.getRank();
  Type f32 = b.getF32Type();

  // Loops: batch..., m, n, k.
  int64_t numLoops = aRank + 1;
  SmallVector<AffineExpr> batchM;
  for (int64_t i = 0; i < aRank - 1; ++i)
    batchM.push_back(b.getAffineDimExpr(i));
  AffineExpr n = b.getAffineDimExpr(aRank - 1), k = b.getAffineDimExpr(aRank);
  SmallVector<AffineExpr> aIdx(batchM), outIdx(batchM);
  aIdx.push_back(k);
  outIdx.push_back(n);
  // The weight's logical indices in its stored layout: [K, N] or [N, K].
  SmallVector<AffineExpr> wIdx = transposed ? SmallVector<AffineExpr>{n, k}
                                            : SmallVector<AffineExpr>{k, n};
  // The loop whose parity picks the nibble of a packed weight byte.
  int64_t packedLoop = transposed ? aRank : aRank - 1;

  auto map = [&](ArrayRef<AffineExpr> exprs) {
    return AffineMap::get(numLoops, 0, exprs, b.getContext());
  };
  SmallVector<Value> ins = {a, w, op.getWeightScale()};
  SmallVector<AffineMap> maps = {
      map(aIdx), getStoredMap(wScheme, wIdx, numLoops),
      getParamMap(wScheme, op.getWeightScale().getType(), wIdx, numLoops)};
  Value wZp = op.getWeightZeroPoint();
  if (wZp) {
    ins.push_back(wZp);
    maps.push_back(
        getParamMap(wScheme, op.getWeightScale().getType(), wIdx, numLoops));
  }
  Value aScale = op.getInputScale(), aZp = op.getInputZeroPoint();
  std::optional<SchemeAttr> aScheme = op.getInputScheme();
  if (aScale) {
    auto aScaleType = cast<RankedTensorType>(aScale.getType());
    ins.push_back(aScale);
    maps.push_back(getParamMap(*aScheme, aScaleType, aIdx, numLoops));
    if (aZp) {
      ins.push_back(aZp);
      maps.push_back(getParamMap(*aScheme, aScaleType, aIdx, numLoops));
    }
  }
  maps.push_back(map(outIdx));

  // The f32 accumulator [..., M, N], zero-filled.
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0; i < aRank - 1; ++i)
    sizes.push_back(tensor::getMixedSize(b, loc, a, i));
  if (!resultType.isDynamicDim(aRank - 1)) {
    sizes.push_back(b.getIndexAttr(resultType.getDimSize(aRank - 1)));
  } else {
    OpFoldResult nSize = tensor::getMixedSize(b, loc, w, transposed ? 0 : 1);
    if (!transposed && wScheme.getPacked())
      nSize = OpFoldResult(arith::ShLIOp::create(
          b, loc, getValueOrCreateConstantIndexOp(b, loc, nSize),
          arith::ConstantIndexOp::create(b, loc, 1)));
    sizes.push_back(nSize);
  }
  Value zero =
      arith::ConstantFloatOp::create(b, loc, b.getF32Type(), APFloat(0.0f));
  Value empty = tensor::EmptyOp::create(b, loc, sizes, f32);
  Value acc = linalg::FillOp::create(b, loc, zero, empty).getResult(0);

  SmallVector<utils::IteratorType> iters(numLoops,
                                         utils::IteratorType::parallel);
  iters.back() = utils::IteratorType::reduction;
  auto contraction = linalg::GenericOp::create(
      b, loc, acc.getType(), ins, ValueRange{acc}, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        unsigned next = 3;
        Value wZpArg = wZp ? args[next++] : Value();
        Value parity;
        if (wScheme.getPacked())
          parity = arith::RemUIOp::create(
              nb, nl, linalg::IndexOp::create(nb, nl, packedLoop),
              arith::ConstantIndexOp::create(nb, nl, 2));
        Value wv =
            emitDequantize(nb, nl, wScheme, args[1], parity, args[2], wZpArg);
        Value av;
        if (aScale) {
          Value s = args[next++];
          Value z = aZp ? args[next++] : Value();
          av = emitDequantize(nb, nl, *aScheme, args[0], Value(), s, z);
        } else {
          av = castFloat(nb, nl, args[0], nb.getF32Type());
        }
        Value prod = arith::MulFOp::create(nb, nl, av, wv);
        linalg::YieldOp::create(
            nb, nl,
            arith::AddFOp::create(nb, nl, args.back(), prod).getResult());
      });
  Value result = contraction.getResult(0);

  // Rounded once to the result type.
  Type resultElt = resultType.getElementType();
  if (resultElt != f32) {
    Value init = tensor::EmptyOp::create(b, loc, sizes, resultElt);
    AffineMap id = b.getMultiDimIdentityMap(aRank);
    result = linalg::GenericOp::create(
                 b, loc, init.getType(), ValueRange{result}, ValueRange{init},
                 {id, id},
                 SmallVector<utils::IteratorType>(
                     aRank, utils::IteratorType::parallel),
                 [&](OpBuilder &nb, Location nl, ValueRange args) {
                   linalg::YieldOp::create(
                       nb, nl, castFloat(nb, nl, args[0], resultElt));
                 })
                 .getResult(0);
  }
  if (result.getType() != resultType)
    result = tensor::CastOp::create(b, loc, resultType, result);
  rewriter.replaceOp(op, result);
  return success();
}
