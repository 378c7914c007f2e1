//===- RaiseAttention.cpp - linalg attention -> loom_attn.attention -------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Exporters write scaled-dot-product attention as MatMul / Mul / Add /
// Softmax / MatMul, which the importer turns into linalg ops on tensors. The
// matcher starts from the P V contraction and walks up through the softmax,
// the mask and the scales to Q K^T; every step checks indexing maps and
// bodies, so a softmax over another axis or a mask that does not broadcast
// to the scores stops the match. GQA's repeat_kv is folded separately on the
// attention op, so that it also applies to attention the importer produced
// directly (ONNX Attention, opset 23).
//
//===----------------------------------------------------------------------===//

#include "passes/Transforms/Passes.h"
#include "passes/Transforms/AttentionMask.h"
#include "passes/Transforms/Matchers.h"

#include "dialects/attn/AttnDialect.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::loom {
#define GEN_PASS_DEF_RAISEATTENTIONPASS
#include "passes/Transforms/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::match;

namespace {

using utils::IteratorType;

/// For a 4-d generic reading `operand` as `[d0, d1, d2]` of a row
/// reduction: the [B, H, S] tensor (through an expand_shape to [.., 1] read
/// with `(d0, d1, d2, 0)`), or null.
Value rowOperand(linalg::GenericOp g, OpOperand *operand) {
  if (!operand)
    return Value();
  MLIRContext *ctx = g.getContext();
  AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx),
             d2 = getAffineDimExpr(2, ctx);
  AffineMap map = g.getMatchingIndexingMap(operand);
  if (map == AffineMap::get(4, 0, {d0, d1, d2}, ctx))
    return operand->get();
  if (map != AffineMap::get(4, 0, {d0, d1, d2, getAffineConstantExpr(0, ctx)},
                            ctx))
    return Value();
  auto expand = operand->get().getDefiningOp<tensor::ExpandShapeOp>();
  if (!expand || expand.getSrcType().getRank() != 3)
    return Value();
  SmallVector<ReassociationIndices> re = expand.getReassociationIndices();
  if (re.size() != 3 || re[2] != ReassociationIndices{2, 3})
    return Value();
  return expand.getSrc();
}

/// A reduction over the last of 4 loops: `[B, H, S, N] -> [B, H, S]`,
/// reading one input with the identity map. Returns the op and its input.
linalg::GenericOp lastAxisReduction(Value v, Value &input) {
  auto g = v.getDefiningOp<linalg::GenericOp>();
  if (!g || g.getNumLoops() != 4 || g.getNumDpsInputs() != 1 ||
      g.getNumDpsInits() != 1)
    return nullptr;
  SmallVector<IteratorType> iters = g.getIteratorTypesArray();
  if (iters[0] != IteratorType::parallel || iters[1] != IteratorType::parallel ||
      iters[2] != IteratorType::parallel || iters[3] != IteratorType::reduction)
    return nullptr;
  MLIRContext *ctx = g.getContext();
  AffineMap rows = AffineMap::get(
      4, 0,
      {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx),
       getAffineDimExpr(2, ctx)},
      ctx);
  if (!g.getMatchingIndexingMap(g.getDpsInputOperand(0)).isIdentity() ||
      g.getMatchingIndexingMap(g.getDpsInitOperand(0)) != rows)
    return nullptr;
  input = g.getDpsInputOperand(0)->get();
  return g;
}

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

/// Matches `a = z - max(z)` (the max a row reduction over the last axis)
/// and returns z.
Value matchMaxShift(Value a) {
  linalg::GenericOp sub = elementwise(a, 4);
  if (!sub || sub.getNumDpsInputs() != 2)
    return Value();
  auto subf = yielded(sub).getDefiningOp<arith::SubFOp>();
  if (!subf)
    return Value();
  OpOperand *lhs = inputOf(sub, subf.getLhs());
  OpOperand *rhs = inputOf(sub, subf.getRhs());
  if (!lhs || !rhs || !sub.getMatchingIndexingMap(lhs).isIdentity())
    return Value();
  Value z = lhs->get();
  Value maxRow = rowOperand(sub, rhs);
  Value maxInput;
  linalg::GenericOp max = maxRow ? lastAxisReduction(maxRow, maxInput)
                                 : linalg::GenericOp();
  if (!max || maxInput != z || !filledWith(max.getDpsInits()[0]))
    return Value();
  Operation *body = yielded(max).getDefiningOp();
  if (!body || !isa<arith::MaximumFOp, arith::MaxNumFOp>(body) ||
      !llvm::all_of(body->getOperands(), [&](Value x) {
        return isOutArg(max, x) || inputOf(max, x);
      }))
    return Value();
  return z;
}

/// Matches a softmax over the last axis of a 4-d tensor and returns its
/// logits. Two forms: exp fused into the sum and the division (what the
/// importer gives), or a separate exp generic.
Value matchSoftmax(Value p) {
  linalg::GenericOp norm = elementwise(p, 4);
  if (!norm || norm.getNumDpsInputs() != 2)
    return Value();
  auto div = yielded(norm).getDefiningOp<arith::DivFOp>();
  if (!div)
    return Value();
  OpOperand *sumOperand = inputOf(norm, div.getRhs());
  Value sumRow = rowOperand(norm, sumOperand);
  Value sumInput;
  linalg::GenericOp sum =
      sumRow ? lastAxisReduction(sumRow, sumInput) : linalg::GenericOp();
  if (!sum || filledWith(sum.getDpsInits()[0]) != 0.0)
    return Value();
  auto add = yielded(sum).getDefiningOp<arith::AddFOp>();
  if (!add)
    return Value();
  Value summand = isOutArg(sum, add.getLhs()) ? add.getRhs() : add.getLhs();
  if (!isOutArg(sum, add.getLhs()) && !isOutArg(sum, add.getRhs()))
    return Value();

  // Form 1: p = exp(a) / sum(exp(a)).
  if (auto exp = div.getLhs().getDefiningOp<math::ExpOp>()) {
    OpOperand *a = inputOf(norm, exp.getOperand());
    auto sumExp = summand.getDefiningOp<math::ExpOp>();
    if (!a || !norm.getMatchingIndexingMap(a).isIdentity() || !sumExp ||
        !inputOf(sum, sumExp.getOperand()) || sumInput != a->get())
      return Value();
    return matchMaxShift(a->get());
  }
  // Form 2: e = exp(a); p = e / sum(e).
  OpOperand *e = inputOf(norm, div.getLhs());
  if (!e || !norm.getMatchingIndexingMap(e).isIdentity() ||
      !inputOf(sum, summand) || sumInput != e->get())
    return Value();
  linalg::GenericOp expOp = elementwise(e->get(), 4);
  if (!expOp || expOp.getNumDpsInputs() != 1)
    return Value();
  auto exp = yielded(expOp).getDefiningOp<math::ExpOp>();
  OpOperand *a = exp ? inputOf(expOp, exp.getOperand()) : nullptr;
  if (!a || !expOp.getMatchingIndexingMap(a).isIdentity())
    return Value();
  return matchMaxShift(a->get());
}

/// Strips the exporter's `where(isnan(p), 0, p)` after a softmax.
Value stripNanGuard(Value p) {
  linalg::GenericOp sel = elementwise(p, 4);
  if (!sel || sel.getNumDpsInputs() != 3)
    return p;
  auto select = yielded(sel).getDefiningOp<arith::SelectOp>();
  if (!select)
    return p;
  OpOperand *cond = inputOf(sel, select.getCondition());
  OpOperand *zero = inputOf(sel, select.getTrueValue());
  OpOperand *val = inputOf(sel, select.getFalseValue());
  if (!cond || !val || !sel.getMatchingIndexingMap(cond).isIdentity() ||
      !sel.getMatchingIndexingMap(val).isIdentity())
    return p;
  std::optional<double> zeroValue =
      zero ? getFloatSplat(zero->get()) : getFloatSplat(select.getTrueValue());
  if (zeroValue != 0.0)
    return p;
  linalg::GenericOp isNan = elementwise(cond->get(), 4);
  if (!isNan || isNan.getNumDpsInputs() != 1)
    return p;
  auto cmp = yielded(isNan).getDefiningOp<arith::CmpFOp>();
  if (!cmp || cmp.getPredicate() != arith::CmpFPredicate::UNO ||
      cmp.getLhs() != cmp.getRhs())
    return p;
  OpOperand *x = inputOf(isNan, cmp.getLhs());
  if (!x || !isNan.getMatchingIndexingMap(x).isIdentity() ||
      x->get() != val->get())
    return p;
  return val->get();
}

//===----------------------------------------------------------------------===//
// Scales, masks, contractions
//===----------------------------------------------------------------------===//

/// Matches `x * c`, `c * x` or `x / c` (c a splat constant, x read with the
/// identity map) of rank `rank`; returns x and multiplies `factor` by c
/// (1/c). Returns `v` itself otherwise.
Value stripScale(Value v, unsigned rank, double &factor) {
  linalg::GenericOp g = elementwise(v, rank);
  if (!g || g.getNumDpsInputs() > 2)
    return v;
  Operation *op = yielded(g).getDefiningOp();
  if (!op || !isa<arith::MulFOp, arith::DivFOp>(op) ||
      op->getBlock() != g.getBody())
    return v;
  auto constantOf = [&](Value x) -> std::optional<double> {
    if (OpOperand *in = inputOf(g, x))
      return getFloatSplat(in->get());
    if (isa<BlockArgument>(x))
      return std::nullopt;
    return getFloatSplat(x);
  };
  auto tensorOf = [&](Value x) -> Value {
    OpOperand *in = inputOf(g, x);
    if (!in || !g.getMatchingIndexingMap(in).isIdentity() ||
        getFloatSplat(in->get()) || in->get().getType() != v.getType())
      return Value();
    return in->get();
  };
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  if (isa<arith::DivFOp>(op)) {
    std::optional<double> c = constantOf(rhs);
    Value x = tensorOf(lhs);
    if (!c || !x || *c == 0.0)
      return v;
    factor /= *c;
    return x;
  }
  for (auto [x, c] : {std::pair(lhs, rhs), std::pair(rhs, lhs)}) {
    std::optional<double> cst = constantOf(c);
    Value t = tensorOf(x);
    if (cst && t) {
      factor *= *cst;
      return t;
    }
  }
  return v;
}

/// The batched contraction of Q K^T or P V: loops [b, h, i, j, k], the
/// body `out + lhs * rhs`, the accumulator a fill of zero. `rhsTransposed`
/// says whether rhs is read as [b, h, j, k] (else [b, h, k, j]).
linalg::GenericOp matchBatchedMatmul(Value v, bool &rhsTransposed) {
  auto g = v.getDefiningOp<linalg::GenericOp>();
  if (!g || g.getNumLoops() != 5 || g.getNumDpsInputs() != 2 ||
      g.getNumDpsInits() != 1 || g.getNumReductionLoops() != 1 ||
      g.getIteratorTypesArray()[4] != IteratorType::reduction)
    return nullptr;
  MLIRContext *ctx = g.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  auto map = [&](ArrayRef<AffineExpr> e) { return AffineMap::get(5, 0, e, ctx); };
  SmallVector<AffineMap> maps = g.getIndexingMapsArray();
  if (maps[0] != map({d(0), d(1), d(2), d(4)}) ||
      maps[2] != map({d(0), d(1), d(2), d(3)}))
    return nullptr;
  if (maps[1] == map({d(0), d(1), d(4), d(3)}))
    rhsTransposed = false;
  else if (maps[1] == map({d(0), d(1), d(3), d(4)}))
    rhsTransposed = true;
  else
    return nullptr;
  auto add = yielded(g).getDefiningOp<arith::AddFOp>();
  if (!add)
    return nullptr;
  Value prod = isOutArg(g, add.getLhs()) ? add.getRhs() : add.getLhs();
  auto mul = prod.getDefiningOp<arith::MulFOp>();
  if (!mul || (!isOutArg(g, add.getLhs()) && !isOutArg(g, add.getRhs())))
    return nullptr;
  // bf16 / f16 operands are widened in the body (f32 accumulation).
  auto operand = [&](Value x) {
    if (auto ext = x.getDefiningOp<arith::ExtFOp>())
      x = ext.getIn();
    return inputOf(g, x);
  };
  OpOperand *a = operand(mul.getLhs()), *b = operand(mul.getRhs());
  if (!a || !b || a == b)
    return nullptr;
  if (filledWith(g.getDpsInits()[0]) != 0.0)
    return nullptr;
  return g;
}

/// A mask operand of an addition to the 4-d scores: its indexing map must
/// broadcast it to the scores under numpy's right-aligned rules (result i of
/// a rank-r mask is d(4 - r + i), or the constant 0 on a static size-1 dim).
bool broadcastsToScores(linalg::GenericOp g, OpOperand *mask) {
  auto type = dyn_cast<RankedTensorType>(mask->get().getType());
  if (!type || type.getRank() > 4)
    return false;
  AffineMap map = g.getMatchingIndexingMap(mask);
  int64_t rank = type.getRank();
  for (int64_t i = 0; i < rank; ++i) {
    AffineExpr e = map.getResult(i);
    if (auto dim = dyn_cast<AffineDimExpr>(e)) {
      if (dim.getPosition() != 4 - rank + i)
        return false;
    } else if (auto c = dyn_cast<AffineConstantExpr>(e)) {
      if (c.getValue() != 0 || type.getDimSize(i) != 1)
        return false;
    } else {
      return false;
    }
  }
  return true;
}

/// Whether the mask operand of `add` reads its last two dims with the
/// scores' row and column loops (d2, d3), so that its sizes are Sq, Skv.
bool maskReadsRowsAndColumns(linalg::GenericOp add, Value mask) {
  for (OpOperand *in : add.getDpsInputOperands()) {
    if (in->get() != mask)
      continue;
    AffineMap map = add.getMatchingIndexingMap(in);
    unsigned n = map.getNumResults();
    return n >= 2 && map.getResult(n - 2) == getAffineDimExpr(2, add.getContext()) &&
           map.getResult(n - 1) == getAffineDimExpr(3, add.getContext());
  }
  return false;
}

/// The size of dim `i` of `v` as something comparable: a static size or
/// the SSA value of a dynamic one (the operand of tensor.empty / tensor.dim
/// chains are compared as values).
bool sameSize(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// K from K^T given as a [B, H, D, Skv] tensor: looks through the
/// exporter's reshape([G, S, D]) -> transpose -> reshape([B, H, D, S]) and
/// a plain transpose; otherwise transposes explicitly.
Value keyFromTransposed(PatternRewriter &rewriter, Location loc, Value kt) {
  auto ktType = cast<RankedTensorType>(kt.getType());
  if (auto tr = kt.getDefiningOp<linalg::TransposeOp>())
    if (tr.getPermutation() == ArrayRef<int64_t>{0, 1, 3, 2})
      return tr.getInput();
  if (auto outer = kt.getDefiningOp<tensor::ReshapeOp>()) {
    auto tr = outer.getSource().getDefiningOp<linalg::TransposeOp>();
    auto inner = tr ? tr.getInput().getDefiningOp<tensor::ReshapeOp>()
                    : tensor::ReshapeOp();
    if (tr && inner && tr.getPermutation() == ArrayRef<int64_t>{0, 2, 1}) {
      Value y = inner.getSource();
      auto yType = cast<RankedTensorType>(y.getType());
      ArrayRef<int64_t> ys = yType.getShape(), ks = ktType.getShape();
      int64_t r = yType.getRank();
      bool trailing = sameSize(ys[r - 1], ks[2]) && sameSize(ys[r - 2], ks[3]);
      bool staticLead = !ShapedType::isDynamic(ks[0]) &&
                        !ShapedType::isDynamic(ks[1]) &&
                        llvm::none_of(ys.drop_back(2), ShapedType::isDynamic);
      if (trailing && staticLead && r == 4 && ys[0] == ks[0] && ys[1] == ks[1])
        return y;
      if (trailing && staticLead && r == 5 && ys[0] == ks[0] &&
          ys[1] * ys[2] == ks[1])
        return tensor::CollapseShapeOp::create(
            rewriter, loc, y,
            SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
    }
  }
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, kt);
  std::swap(sizes[2], sizes[3]);
  Value init =
      tensor::EmptyOp::create(rewriter, loc, sizes, ktType.getElementType());
  return linalg::TransposeOp::create(rewriter, loc, kt, init,
                                     ArrayRef<int64_t>{0, 1, 3, 2})
      ->getResult(0);
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

struct RaiseAttention : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp pv,
                                PatternRewriter &rewriter) const override {
    bool vTransposed;
    if (!matchBatchedMatmul(pv.getResult(0), vTransposed) || vTransposed)
      return rewriter.notifyMatchFailure(pv, "not a [B,H,S,S]x[B,H,S,D] "
                                             "contraction");
    // A bf16 / f16 graph computes the softmax in f32 between an upcast of
    // the logits and a downcast of P; the op's f32 softmax covers both.
    Value p = stripNanGuard(pv.getDpsInputs()[0]);
    if (Value wide = floatCastSource(p, /*allowTruncation=*/true))
      p = stripNanGuard(wide);
    Value v = pv.getDpsInputs()[1];
    Value logits = matchSoftmax(p);
    if (logits)
      if (Value narrow = floatCastSource(logits, /*allowTruncation=*/false))
        logits = narrow;
    if (!logits)
      return rewriter.notifyMatchFailure(pv, "lhs is not a last-axis softmax");

    // logits = scale * (Q K^T) [+ mask]
    Value mask;
    linalg::GenericOp maskAdd;
    Value scores = logits;
    double scale = 1.0;
    bool kTransposed = false;
    linalg::GenericOp qk;
    auto matchScores = [&](Value s) {
      double f = 1.0;
      if (Value narrow = floatCastSource(s, /*allowTruncation=*/false))
        s = narrow;
      Value raw = stripScale(s, 4, f);
      if (Value narrow = floatCastSource(raw, /*allowTruncation=*/false))
        raw = narrow;
      // The rounding of a wider accumulation of Q K^T to the graph's type.
      if (Value wide = floatCastSource(raw, /*allowTruncation=*/true)) {
        bool t;
        if (matchBatchedMatmul(wide, t))
          raw = wide;
      }
      linalg::GenericOp c = matchBatchedMatmul(raw, kTransposed);
      if (c) {
        qk = c;
        scale *= f;
      }
      return bool(c);
    };
    if (!matchScores(scores)) {
      linalg::GenericOp add = elementwise(logits, 4);
      auto addf = add && add.getNumDpsInputs() == 2
                      ? yielded(add).getDefiningOp<arith::AddFOp>()
                      : arith::AddFOp();
      if (!addf)
        return rewriter.notifyMatchFailure(pv, "logits are not Q K^T [+ mask]");
      OpOperand *a = inputOf(add, addf.getLhs()), *b = inputOf(add, addf.getRhs());
      if (!a || !b || a == b)
        return rewriter.notifyMatchFailure(pv, "unexpected mask addition");
      for (auto [s, m] : {std::pair(a, b), std::pair(b, a)}) {
        if (add.getMatchingIndexingMap(s).isIdentity() &&
            broadcastsToScores(add, m) && matchScores(s->get())) {
          mask = m->get();
          maskAdd = add;
          break;
        }
      }
      if (!qk)
        return rewriter.notifyMatchFailure(
            pv, "no Q K^T with a mask that broadcasts to the scores");
    }

    Location loc = pv.getLoc();
    rewriter.setInsertionPoint(pv);
    Value q = stripScale(qk.getDpsInputs()[0], 4, scale);
    Value kOperand = stripScale(qk.getDpsInputs()[1], 4, scale);
    if (scale <= 0.0)
      return rewriter.notifyMatchFailure(pv, "non-positive softmax scale");

    // Shapes: Q [B, H, Sq, D], K [B, H, Skv, D], V [B, H, Skv, Dv].
    auto qType = cast<RankedTensorType>(q.getType());
    auto kOpType = cast<RankedTensorType>(kOperand.getType());
    auto vType = cast<RankedTensorType>(v.getType());
    int64_t kd = kTransposed ? 3 : 2, ks = kTransposed ? 2 : 3;
    if (!sameSize(qType.getDimSize(3), kOpType.getDimSize(kd)) ||
        !sameSize(kOpType.getDimSize(ks), vType.getDimSize(2)) ||
        qType.getElementType() != kOpType.getElementType() ||
        !isa<FloatType>(vType.getElementType()))
      return rewriter.notifyMatchFailure(pv, "operand shapes do not agree");
    // The op's result has the value's element type: P V itself, or the
    // rounding of its wider accumulation (bf16 / f16 graphs).
    Operation *replaced = pv;
    if (getElementTypeOrSelf(pv.getResult(0).getType()) !=
        vType.getElementType()) {
      Operation *user = pv->hasOneUse() ? *pv->user_begin() : nullptr;
      if (!user || user->getNumResults() != 1 ||
          floatCastSource(user->getResult(0), /*allowTruncation=*/true) !=
              pv.getResult(0) ||
          getElementTypeOrSelf(user->getResult(0).getType()) !=
              vType.getElementType())
        return rewriter.notifyMatchFailure(pv,
                                           "result type is not the value's");
      replaced = user;
    }

    Value k = kTransposed ? kOperand : keyFromTransposed(rewriter, loc, kOperand);
    // The mask's band becomes causal / window when its last two dims are
    // the scores' (read with d2, d3: equal sizes, no broadcast).
    FailureOr<MaskSplit> split = failure();
    if (mask && maskReadsRowsAndColumns(maskAdd, mask))
      split = splitAttentionMask(rewriter, loc, mask, q, k);
    auto attn = attn::AttentionOp::create(
        rewriter, loc, q, k, v, succeeded(split) ? split->rest : mask, Value());
    attn.setScaleAttr(rewriter.getF32FloatAttr(scale));
    if (succeeded(split)) {
      attn.setCausal(true);
      if (split->windowLeft)
        attn.setWindow(ArrayRef<int64_t>{*split->windowLeft, 0});
    }
    Value result = attn.getResult();
    Type resultType = replaced->getResult(0).getType();
    if (result.getType() != resultType)
      result = tensor::CastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(replaced, result);
    if (replaced != pv)
      rewriter.eraseOp(pv);
    return success();
  }
};

/// The KV head tensor x ([B, Hkv, S, D]) when `v` is GQA's repeat_kv of it:
/// expand_shape to [B, Hkv, 1, S, D], broadcast to [B, Hkv, n, S, D],
/// reshape (or collapse) to [B, Hkv * n, S, D].
Value matchRepeatKv(Value v) {
  Value y;
  if (auto reshape = v.getDefiningOp<tensor::ReshapeOp>())
    y = reshape.getSource();
  else if (auto collapse = v.getDefiningOp<tensor::CollapseShapeOp>())
    if (collapse.getReassociationIndices() ==
        SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}})
      y = collapse.getSrc();
  linalg::GenericOp bcast = y ? elementwise(y, 5) : linalg::GenericOp();
  if (!bcast || bcast.getNumDpsInputs() != 1 ||
      !inputOf(bcast, yielded(bcast)))
    return Value();
  OpOperand *in = bcast.getDpsInputOperand(0);
  AffineMap map = bcast.getMatchingIndexingMap(in);
  MLIRContext *ctx = bcast.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  AffineExpr zero = getAffineConstantExpr(0, ctx);
  if (map.getNumResults() != 5 || map.getResult(1) != d(1) ||
      map.getResult(2) != zero || map.getResult(3) != d(3) ||
      map.getResult(4) != d(4) ||
      (map.getResult(0) != d(0) && map.getResult(0) != zero))
    return Value();
  auto expand = in->get().getDefiningOp<tensor::ExpandShapeOp>();
  if (!expand || expand.getReassociationIndices() !=
                     SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}})
    return Value();
  Value x = expand.getSrc();
  ArrayRef<int64_t> xs = cast<ShapedType>(x.getType()).getShape();
  ArrayRef<int64_t> ys = cast<ShapedType>(y.getType()).getShape();
  ArrayRef<int64_t> vs = cast<ShapedType>(v.getType()).getShape();
  // The leading dims decide the row-major reshape: all static.
  if (vs.size() != 4 || llvm::any_of(ArrayRef<int64_t>{xs[0], xs[1], ys[0],
                                                      ys[1], ys[2], vs[0], vs[1]},
                                     ShapedType::isDynamic))
    return Value();
  if (xs[0] != ys[0] || xs[0] != vs[0] || xs[1] != ys[1] ||
      ys[1] * ys[2] != vs[1] || !sameSize(xs[2], vs[2]) ||
      !sameSize(xs[3], vs[3]))
    return Value();
  return x;
}

struct FoldRepeatKv : OpRewritePattern<attn::AttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(attn::AttentionOp op,
                                PatternRewriter &rewriter) const override {
    Value k = matchRepeatKv(op.getKey());
    Value v = matchRepeatKv(op.getValue());
    if (!k || !v)
      return rewriter.notifyMatchFailure(op, "key and value are not both "
                                             "repeat_kv");
    int64_t hk = cast<ShapedType>(k.getType()).getDimSize(1);
    int64_t hv = cast<ShapedType>(v.getType()).getDimSize(1);
    if (hk != hv)
      return rewriter.notifyMatchFailure(op, "different KV head counts");
    rewriter.modifyOpInPlace(op, [&] {
      op.getKeyMutable().assign(k);
      op.getValueMutable().assign(v);
    });
    return success();
  }
};

/// The same split for attention that arrived with its mask operand (ONNX
/// Attention, opset 23): the op broadcasts a mask dim that is 1 at run
/// time, so the mask's last two dims must be provably Sq and Skv.
struct SplitAttentionMask : OpRewritePattern<attn::AttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(attn::AttentionOp op,
                                PatternRewriter &rewriter) const override {
    Value mask = op.getMask();
    if (!mask || op.getCausal() || op.getWindow() || op.getSinks() ||
        op.getSparsity())
      return rewriter.notifyMatchFailure(op, "no plain mask");
    int64_t r = cast<ShapedType>(mask.getType()).getRank();
    auto sameSize = [](Value a, int64_t da, Value b, int64_t db) {
      int64_t sa = cast<ShapedType>(a.getType()).getDimSize(da);
      int64_t sb = cast<ShapedType>(b.getType()).getDimSize(db);
      if (!ShapedType::isDynamic(sa) || !ShapedType::isDynamic(sb))
        return sa == sb;
      if (sameRuntimeSize(a, da, b, db))
        return true;
      FailureOr<bool> eq = ValueBoundsConstraintSet::areEqual({a, da}, {b, db});
      return succeeded(eq) && *eq;
    };
    if (r < 2 || !sameSize(mask, r - 2, op.getQuery(), 2) ||
        !sameSize(mask, r - 1, op.getKey(), 2))
      return rewriter.notifyMatchFailure(op, "mask sizes not provably Sq, Skv");
    rewriter.setInsertionPoint(op);
    FailureOr<MaskSplit> split = splitAttentionMask(
        rewriter, op.getLoc(), mask, op.getQuery(), op.getKey());
    if (failed(split))
      return rewriter.notifyMatchFailure(op, "mask is not causal (and rest)");
    rewriter.modifyOpInPlace(op, [&] {
      if (split->rest)
        op.getMaskMutable().assign(split->rest);
      else
        op.getMaskMutable().clear();
      op.setCausal(true);
      if (split->windowLeft)
        op.setWindow(ArrayRef<int64_t>{*split->windowLeft, 0});
    });
    return success();
  }
};

struct RaiseAttentionPass
    : public loom::impl::RaiseAttentionPassBase<RaiseAttentionPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<RaiseAttention, FoldRepeatKv, SplitAttentionMask>(
        &getContext());
    populateRaiseRopePatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
