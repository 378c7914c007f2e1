//===- RaiseQuant.cpp - Quantized linear layers to loom_quant.matmul ------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Three rewrites to loom_quant.matmul, whose lowering dequantizes inside the
// contraction (no dequantized weight tensor):
//
//  1. ONNX Runtime's dynamic int8 form. The importer gives
//       (q, s, zp) = loom_quant.dynamic_quantize x
//       acc = integer contraction (ext(q) - zp) * (ext(W) - zw)   (i32)
//       y = sitofp(acc) * (s * ws)
//     which is `q @ W` with input scale s and weight scale ws: a W8A8
//     loom_quant.matmul. The scale product is folded into the op.
//  2. loom_quant.dequantize of a weight (and optionally of the input)
//     feeding a float matmul (QDQ form).
//  3. A product of a loom_quant.matmul by a constant per-tensor (or, for a
//     per-output-channel weight, per-channel) scale: the scale moves into
//     the weight scale (scale migration).
//
//===----------------------------------------------------------------------===//

#include "passes/Transforms/Matchers.h"
#include "passes/Transforms/Passes.h"

#include "dialects/quant/QuantDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::loom {
#define GEN_PASS_DEF_RAISEQUANTPASS
#include "passes/Transforms/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::match;
namespace lq = mlir::loom::quant;

namespace {

/// `ext(arg) - ext(extract(zp[]))` or `ext(arg)` inside an integer
/// contraction body: gives whether the extension is unsigned and the zero
/// point tensor (null when none).
struct IntOperand {
  bool isUnsigned;
  Value zeroPoint;
};

std::optional<IntOperand> matchIntOperand(linalg::GenericOp g, Value v,
                                          unsigned arg) {
  auto ext = [](Value x, bool &uns) -> Value {
    if (auto e = x.getDefiningOp<arith::ExtUIOp>()) {
      uns = true;
      return e.getIn();
    }
    if (auto e = x.getDefiningOp<arith::ExtSIOp>()) {
      uns = false;
      return e.getIn();
    }
    return {};
  };
  bool uns = false;
  if (Value in = ext(v, uns); in && isBlockArg(in, arg))
    return IntOperand{uns, Value()};
  auto sub = v.getDefiningOp<arith::SubIOp>();
  if (!sub)
    return std::nullopt;
  bool zpUns = false;
  Value in = ext(sub.getLhs(), uns), zp = ext(sub.getRhs(), zpUns);
  if (!in || !isBlockArg(in, arg) || !zp || uns != zpUns)
    return std::nullopt;
  // A per-tensor zero point extracted outside the body, or (for the weight)
  // a per-column one read as the generic's third input.
  if (auto extract = zp.getDefiningOp<tensor::ExtractOp>()) {
    if (cast<RankedTensorType>(extract.getTensor().getType())
            .getNumElements() != 1)
      return std::nullopt;
    return IntOperand{uns, extract.getTensor()};
  }
  if (arg == 1 && g.getNumDpsInputs() == 3 && isBlockArg(zp, 2))
    return IntOperand{uns, g.getDpsInputOperand(2)->get()};
  return std::nullopt;
}

/// The importer's MatMulInteger: an i32 contraction of a[..., M, K] and
/// b[K, N] with per-tensor zero points.
struct IntMatmul {
  linalg::GenericOp op;
  Value a, b;
  IntOperand aInfo, bInfo;
};

std::optional<IntMatmul> matchIntMatmul(Value v) {
  auto g = v.getDefiningOp<linalg::GenericOp>();
  if (!g || g.getNumDpsInputs() < 2 || g.getNumDpsInputs() > 3 ||
      g.getNumResults() != 1 || !isZeroInit(g.getDpsInitOperand(0)->get()))
    return std::nullopt;
  unsigned acc = g.getNumDpsInputs();
  auto rt = cast<RankedTensorType>(g.getResult(0).getType());
  Value a = g.getDpsInputOperand(0)->get(), b = g.getDpsInputOperand(1)->get();
  auto at = cast<RankedTensorType>(a.getType());
  auto bt = cast<RankedTensorType>(b.getType());
  if (!rt.getElementType().isInteger(32) || bt.getRank() != 2 ||
      at.getRank() < 2 || !at.getElementType().isInteger(8) ||
      !bt.getElementType().isInteger(8))
    return std::nullopt;
  int64_t r = at.getRank();
  MLIRContext *ctx = g.getContext();
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> aE, oE;
  for (int64_t i = 0; i < r - 1; ++i) {
    aE.push_back(d(i));
    oE.push_back(d(i));
  }
  aE.push_back(d(r));
  oE.push_back(d(r - 1));
  auto get = [&](ArrayRef<AffineExpr> e) {
    return AffineMap::get(r + 1, 0, e, ctx);
  };
  SmallVector<utils::IteratorType> iters = g.getIteratorTypesArray();
  SmallVector<AffineMap> expected{get(aE), get({d(r), d(r - 1)})};
  if (acc == 3)
    expected.push_back(get({d(r - 1)})); // the per-column zero point
  expected.push_back(get(oE));
  if (g.getIndexingMapsArray() != expected ||
      iters.back() != utils::IteratorType::reduction ||
      llvm::count(iters, utils::IteratorType::reduction) != 1)
    return std::nullopt;
  // yield addi(acc, muli(A, B)).
  Block &body = g.getRegion().front();
  auto add = body.getTerminator()->getOperand(0).getDefiningOp<arith::AddIOp>();
  if (!add)
    return std::nullopt;
  Value prod = isBlockArg(add.getLhs(), acc)   ? add.getRhs()
               : isBlockArg(add.getRhs(), acc) ? add.getLhs()
                                               : Value();
  auto mul = prod ? prod.getDefiningOp<arith::MulIOp>() : arith::MulIOp();
  if (!mul)
    return std::nullopt;
  std::optional<IntOperand> ai = matchIntOperand(g, mul.getLhs(), 0);
  std::optional<IntOperand> bi = matchIntOperand(g, mul.getRhs(), 1);
  if (!ai || !bi ||
      (acc == 3 && bi->zeroPoint != g.getDpsInputOperand(2)->get()))
    return std::nullopt;
  return IntMatmul{g, a, b, *ai, *bi};
}

/// Verifies a freshly built op without reporting: a failure only means the
/// rewrite does not apply.
bool verifiesQuietly(Operation *op) {
  ScopedDiagnosticHandler silence(op->getContext(),
                                  [](Diagnostic &) { return success(); });
  return succeeded(mlir::verify(op));
}

lq::StorageType storage8(bool isUnsigned) {
  return isUnsigned ? lq::StorageType::u8 : lq::StorageType::i8;
}

/// Pattern 1: sitofp(MatMulInteger(q, W)) * (s * ws).
struct RaiseDynamicInt8 : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp out,
                                PatternRewriter &rewriter) const override {
    auto outMul = matchBinaryMul(out);
    if (!outMul)
      return failure();
    for (unsigned i = 0; i < 2; ++i)
      if (succeeded(tryRewrite(out, i, rewriter)))
        return success();
    return failure();
  }

private:
  static bool matchBinaryMul(linalg::GenericOp g) {
    if (!isElementwise(g) || g.getNumDpsInputs() != 2)
      return false;
    auto mul = dyn_cast_or_null<arith::MulFOp>(singleBodyOp(g));
    return mul && isBlockArg(mul.getLhs(), 0) && isBlockArg(mul.getRhs(), 1);
  }

  /// Operand `i` of `out` is the converted integer product, the other one
  /// the scale product.
  LogicalResult tryRewrite(linalg::GenericOp out, unsigned i,
                           PatternRewriter &rewriter) const {
    auto resultType = cast<RankedTensorType>(out.getResult(0).getType());
    if (!resultType.getElementType().isF32() ||
        !out.getIndexingMapsArray()[i].isIdentity())
      return failure();
    auto conv =
        out.getDpsInputOperand(i)->get().getDefiningOp<linalg::GenericOp>();
    if (!conv || !isElementwise(conv) || conv.getNumDpsInputs() != 1 ||
        !conv.getIndexingMapsArray()[0].isIdentity())
      return failure();
    auto toF = dyn_cast_or_null<arith::SIToFPOp>(singleBodyOp(conv));
    if (!toF || !isBlockArg(toF.getIn(), 0))
      return failure();
    std::optional<IntMatmul> mm =
        matchIntMatmul(conv.getDpsInputOperand(0)->get());
    if (!mm)
      return failure();
    auto dq = mm->a.getDefiningOp<lq::DynamicQuantizeOp>();
    if (!dq || dq.getResult() != mm->a ||
        dq.getScheme().getGranularity() != lq::Granularity::per_tensor ||
        dq.getScheme().getHasZeroPoint() != (bool)mm->aInfo.zeroPoint ||
        (mm->aInfo.zeroPoint && mm->aInfo.zeroPoint != dq.getZeroPoint()) ||
        dq.getScheme().getStorage() != storage8(mm->aInfo.isUnsigned))
      return failure();
    // The scale product s * ws, s the dynamic scale.
    Value scales = out.getDpsInputOperand(1 - i)->get();
    auto prod = scales.getDefiningOp<linalg::GenericOp>();
    if (!prod || !matchBinaryMul(prod))
      return failure();
    Value ws;
    for (unsigned j = 0; j < 2; ++j)
      if (prod.getDpsInputOperand(j)->get() == dq.getScale())
        ws = prod.getDpsInputOperand(1 - j)->get();
    auto prodType = cast<RankedTensorType>(scales.getType());
    auto wsType = ws ? dyn_cast<RankedTensorType>(ws.getType()) : nullptr;
    if (!wsType || wsType != prodType || !wsType.getElementType().isF32())
      return failure();
    // Per tensor (one element), or per output column ([N], read along the
    // last dim of the result).
    int64_t n = cast<RankedTensorType>(mm->b.getType()).getDimSize(1);
    MLIRContext *ctx = getContext();
    lq::Granularity gran;
    if (wsType.getNumElements() == 1 && wsType.getRank() <= 1) {
      gran = lq::Granularity::per_tensor;
    } else if (wsType.getRank() == 1 && wsType.getDimSize(0) == n &&
               n != ShapedType::kDynamic &&
               out.getIndexingMapsArray()[1 - i] ==
                   AffineMap::get(
                       resultType.getRank(), 0,
                       getAffineDimExpr(resultType.getRank() - 1, ctx))) {
      gran = lq::Granularity::per_channel;
    } else {
      return failure();
    }
    Value wzp = mm->bInfo.zeroPoint;
    if (wzp &&
        cast<RankedTensorType>(wzp.getType()).getShape() != wsType.getShape())
      return failure();
    auto wScheme = lq::SchemeAttr::get(ctx, storage8(mm->bInfo.isUnsigned),
                                       gran, /*axis=*/1, 0, (bool)wzp, false);
    auto aScheme = lq::SchemeAttr::get(ctx, storage8(mm->aInfo.isUnsigned),
                                       lq::Granularity::per_tensor, 0, 0,
                                       (bool)mm->aInfo.zeroPoint, false);
    auto op = lq::MatmulOp::create(rewriter, out.getLoc(), resultType, mm->a,
                                   mm->b, ws, wzp, dq.getScale(),
                                   mm->aInfo.zeroPoint, wScheme, aScheme,
                                   /*transpose_weight=*/false);
    if (!verifiesQuietly(op)) {
      rewriter.eraseOp(op);
      return failure();
    }
    rewriter.replaceOp(out, op.getResult());
    return success();
  }
};

/// Pattern 2: a float matmul whose weight is a loom_quant.dequantize (and
/// whose input may be one, quantized per tensor).
struct RaiseDequantMatmul : RewritePattern {
  RaiseDequantMatmul(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isa<linalg::MatmulOp, linalg::GenericOp>(op) ||
        op->getNumResults() != 1)
      return failure();
    std::optional<Matmul> mm = matchMatmul(op->getResult(0));
    if (!mm)
      return failure();
    auto wdq = mm->rhs.getDefiningOp<lq::DequantizeOp>();
    if (!wdq)
      return failure();
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    Value a = mm->lhs;
    Value aScale, aZp;
    lq::SchemeAttr aScheme;
    if (auto adq = a.getDefiningOp<lq::DequantizeOp>()) {
      // A quantized input: per tensor and not packed.
      if (adq.getScheme().getGranularity() == lq::Granularity::per_tensor &&
          !adq.getScheme().getPacked()) {
        a = adq.getInput();
        aScale = adq.getScale();
        aZp = adq.getZeroPoint();
        aScheme = adq.getScheme();
      }
    }
    auto qmm = lq::MatmulOp::create(
        rewriter, op->getLoc(), resultType, a, wdq.getInput(), wdq.getScale(),
        wdq.getZeroPoint(), aScale, aZp, wdq.getScheme(), aScheme,
        mm->transposedRhs);
    if (!verifiesQuietly(qmm)) {
      rewriter.eraseOp(qmm);
      return failure();
    }
    rewriter.replaceOp(op, qmm.getResult());
    return success();
  }
};

/// Pattern 3: loom_quant.matmul(...) * c with c a constant scale.
struct FoldScaleIntoMatmul : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp g,
                                PatternRewriter &rewriter) const override {
    if (!isElementwise(g) || g.getNumDpsInputs() != 2)
      return failure();
    auto mul = dyn_cast_or_null<arith::MulFOp>(singleBodyOp(g));
    if (!mul ||
        !((isBlockArg(mul.getLhs(), 0) && isBlockArg(mul.getRhs(), 1)) ||
          (isBlockArg(mul.getLhs(), 1) && isBlockArg(mul.getRhs(), 0))))
      return failure();
    for (unsigned i = 0; i < 2; ++i) {
      auto qmm = g.getDpsInputOperand(i)->get().getDefiningOp<lq::MatmulOp>();
      Value c = g.getDpsInputOperand(1 - i)->get();
      if (!qmm || !qmm->hasOneUse() || !matchPattern(c, m_Constant()) ||
          !g.getIndexingMapsArray()[i].isIdentity() ||
          qmm.getType() != g.getResult(0).getType())
        continue;
      Value scale = qmm.getWeightScale();
      auto st = cast<RankedTensorType>(scale.getType());
      auto ct = cast<RankedTensorType>(c.getType());
      if (ct.getElementType() != st.getElementType())
        continue;
      // c per tensor: scales every weight scale. c per output column [N]
      // (read along the last dim): only with a per-channel weight scheme
      // along N.
      lq::SchemeAttr scheme = qmm.getWeightScheme();
      int64_t nAxis = qmm.getTransposeWeight() ? 0 : 1;
      int64_t rr = g.getNumLoops();
      AffineMap cMap = g.getIndexingMapsArray()[1 - i];
      AffineMap scaleMap;
      MLIRContext *ctx = getContext();
      if (ct.getNumElements() == 1) {
        scaleMap =
            AffineMap::get(st.getRank(), 0,
                           SmallVector<AffineExpr>(
                               ct.getRank(), getAffineConstantExpr(0, ctx)),
                           ctx);
      } else if (ct.getRank() == 1 &&
                 scheme.getGranularity() == lq::Granularity::per_channel &&
                 scheme.getAxis() == nAxis && st.getRank() == 1 &&
                 st.getDimSize(0) == ct.getDimSize(0) &&
                 cMap == AffineMap::get(rr, 0, getAffineDimExpr(rr - 1, ctx))) {
        scaleMap = AffineMap::getMultiDimIdentityMap(1, ctx);
      } else {
        continue;
      }
      Location loc = g.getLoc();
      // The new scale must dominate the matmul.
      rewriter.setInsertionPoint(qmm);
      Value init = tensor::EmptyOp::create(rewriter, loc, st.getShape(),
                                           st.getElementType());
      auto newScale = linalg::GenericOp::create(
          rewriter, loc, TypeRange{st}, ValueRange{scale, c}, ValueRange{init},
          SmallVector<AffineMap>{
              AffineMap::getMultiDimIdentityMap(st.getRank(), ctx), scaleMap,
              AffineMap::getMultiDimIdentityMap(st.getRank(), ctx)},
          SmallVector<utils::IteratorType>(st.getRank(),
                                           utils::IteratorType::parallel),
          [](OpBuilder &b, Location l, ValueRange args) {
            linalg::YieldOp::create(
                b, l,
                ValueRange{arith::MulFOp::create(b, l, args[0], args[1])});
          });
      rewriter.modifyOpInPlace(qmm, [&] {
        qmm.getWeightScaleMutable().assign(newScale.getResult(0));
      });
      rewriter.replaceOp(g, qmm.getResult());
      return success();
    }
    return failure();
  }
};

struct RaiseQuantPass : loom::impl::RaiseQuantPassBase<RaiseQuantPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<RaiseDynamicInt8, RaiseDequantMatmul, FoldScaleIntoMatmul>(
        &getContext());
    GreedyRewriteConfig config;
    config.enableFolding(false);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
  }
};

} // namespace
