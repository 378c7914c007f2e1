//===- MoeToLinalg.cpp - Lower loom_moe ops to linalg, tensor and scf -----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Data-dependent parts (top-k selection, the counting sort of dispatch, the
// per-expert row blocks) use scf loops over tensors; bufferization turns the
// tensor.insert chains into in-place stores. Dense parts stay linalg so
// that later tiling and vectorization see them.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/MoeLowering.h"
#include "passes/Conversion/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "passes/Conversion/LowerEach.h"

#include "llvm/ADT/TypeSwitch.h"

namespace mlir::loom {
#define GEN_PASS_DEF_CONVERTMOETOLINALGPASS
#include "passes/Conversion/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::moe;

namespace {

using utils::IteratorType;

/// A generic with all-parallel loops over `out`'s shape and no inputs; the
/// body computes each element from linalg.index.
Value buildIndexedGeneric(
    OpBuilder &b, Location loc, ValueRange outs,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)> body) {
  int64_t rank = cast<RankedTensorType>(outs[0].getType()).getRank();
  SmallVector<AffineMap> maps(outs.size(), b.getMultiDimIdentityMap(rank));
  auto generic = linalg::GenericOp::create(
      b, loc, outs.getTypes(), ValueRange{}, outs, maps,
      SmallVector<IteratorType>(rank, IteratorType::parallel),
      [&](OpBuilder &nb, Location nl, ValueRange) {
        SmallVector<Value> idx;
        for (int64_t i = 0; i < rank; ++i)
          idx.push_back(linalg::IndexOp::create(nb, nl, i));
        linalg::YieldOp::create(nb, nl, body(nb, nl, idx));
      });
  return generic.getResult(0);
}

//===----------------------------------------------------------------------===//
// route
//===----------------------------------------------------------------------===//

/// Scores [T, E] in f32: softmax over each row (max-subtracted), sigmoid, or
/// the input itself (`given`).
Value buildScores(OpBuilder &b, Location loc, Value logits, Scoring scoring,
                  Value t, Value e) {
  MLIRContext *ctx = b.getContext();
  AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx);
  AffineMap id = AffineMap::get(2, 0, {d0, d1}, ctx);
  AffineMap row = AffineMap::get(2, 0, {d0}, ctx);
  Value scoresInit = emptyLike(b, loc, {t, e}, b.getF32Type());
  SmallVector<IteratorType> par(2, IteratorType::parallel);
  if (scoring == Scoring::Given)
    return linalg::GenericOp::create(
               b, loc, scoresInit.getType(), ValueRange{logits},
               ValueRange{scoresInit}, {id, id}, par,
               [&](OpBuilder &nb, Location nl, ValueRange args) {
                 linalg::YieldOp::create(nb, nl, toF32(nb, nl, args[0]));
               })
        .getResult(0);
  if (scoring == Scoring::Sigmoid)
    return linalg::GenericOp::create(
               b, loc, scoresInit.getType(), ValueRange{logits},
               ValueRange{scoresInit}, {id, id}, par,
               [&](OpBuilder &nb, Location nl, ValueRange args) {
                 Value l = toF32(nb, nl, args[0]);
                 Value ex = math::ExpOp::create(
                     nb, nl, arith::NegFOp::create(nb, nl, l));
                 Value s = arith::DivFOp::create(
                     nb, nl, cF32(nb, nl, 1.0f),
                     arith::AddFOp::create(nb, nl, cF32(nb, nl, 1.0f), ex));
                 linalg::YieldOp::create(nb, nl, s);
               })
        .getResult(0);

  SmallVector<IteratorType> red = {IteratorType::parallel,
                                   IteratorType::reduction};
  Value maxInit = filled(b, loc, cF32(b, loc, -INFINITY),
                         emptyLike(b, loc, {t}, b.getF32Type()));
  Value rowMax =
      linalg::GenericOp::create(
          b, loc, maxInit.getType(), ValueRange{logits}, ValueRange{maxInit},
          {id, row}, red,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            linalg::YieldOp::create(nb, nl,
                                    arith::MaximumFOp::create(
                                        nb, nl, args[1], toF32(nb, nl, args[0]))
                                        .getResult());
          })
          .getResult(0);
  auto expShifted = [&](OpBuilder &nb, Location nl, Value l, Value m) {
    return math::ExpOp::create(
        nb, nl, arith::SubFOp::create(nb, nl, toF32(nb, nl, l), m));
  };
  Value rowSum =
      linalg::GenericOp::create(
          b, loc, rowMax.getType(), ValueRange{logits, rowMax},
          ValueRange{filled(b, loc, cF32(b, loc, 0.0f),
                            emptyLike(b, loc, {t}, b.getF32Type()))},
          {id, row, row}, red,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            linalg::YieldOp::create(
                nb, nl,
                arith::AddFOp::create(nb, nl, args[2],
                                      expShifted(nb, nl, args[0], args[1]))
                    .getResult());
          })
          .getResult(0);
  return linalg::GenericOp::create(
             b, loc, scoresInit.getType(), ValueRange{logits, rowMax, rowSum},
             ValueRange{scoresInit}, {id, row, row, id}, par,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(
                   nb, nl,
                   arith::DivFOp::create(
                       nb, nl, expShifted(nb, nl, args[0], args[1]), args[2])
                       .getResult());
             })
      .getResult(0);
}

LogicalResult lowerRoute(RewriterBase &rewriter, RouteOp op) {
  OpBuilder &b = rewriter;
  Location loc = op.getLoc();
  Value logits = op.getLogits();
  Value t = dim(b, loc, logits, 0), e = dim(b, loc, logits, 1);
  Value k = cIdx(b, loc, op.getK());
  Value scores = buildScores(b, loc, logits, op.getScoring(), t, e);

  // Choice j of token t is the j-th round of "largest score below the
  // previous pick": a score is still eligible when it is smaller than the
  // previous one, or equal with a higher id. Scanning ids upwards and
  // replacing only on a strictly larger score sends ties to the lower id.
  Value wInit = emptyLike(b, loc, {t, k}, b.getF32Type());
  Value idInit = emptyLike(b, loc, {t, k}, b.getI32Type());
  SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(2));
  auto topk = linalg::GenericOp::create(
      b, loc, TypeRange{wInit.getType(), idInit.getType()}, ValueRange{},
      ValueRange{wInit, idInit}, maps,
      SmallVector<IteratorType>(2, IteratorType::parallel),
      [&](OpBuilder &nb, Location nl, ValueRange) {
        Value tok = linalg::IndexOp::create(nb, nl, 0);
        Value j = linalg::IndexOp::create(nb, nl, 1);
        Value none = cIdx(nb, nl, -1);
        Value rounds = arith::AddIOp::create(nb, nl, j, cIdx(nb, nl, 1));
        auto select = scf::ForOp::create(
            nb, nl, cIdx(nb, nl, 0), rounds, cIdx(nb, nl, 1),
            ValueRange{cF32(nb, nl, 0.0f), none},
            [&](OpBuilder &rb, Location rl, Value, ValueRange prev) {
              Value first = arith::CmpIOp::create(
                  rb, rl, arith::CmpIPredicate::slt, prev[1], cIdx(rb, rl, 0));
              auto scan = scf::ForOp::create(
                  rb, rl, cIdx(rb, rl, 0), e, cIdx(rb, rl, 1),
                  ValueRange{cF32(rb, rl, 0.0f), none},
                  [&](OpBuilder &sb, Location sl, Value ex, ValueRange best) {
                    Value s = tensor::ExtractOp::create(sb, sl, scores,
                                                        ValueRange{tok, ex});
                    Value below = arith::CmpFOp::create(
                        sb, sl, arith::CmpFPredicate::OLT, s, prev[0]);
                    Value tieAfter = arith::AndIOp::create(
                        sb, sl,
                        arith::CmpFOp::create(sb, sl, arith::CmpFPredicate::OEQ,
                                              s, prev[0]),
                        arith::CmpIOp::create(sb, sl, arith::CmpIPredicate::sgt,
                                              ex, prev[1]));
                    Value eligible = arith::OrIOp::create(
                        sb, sl, first,
                        arith::OrIOp::create(sb, sl, below, tieAfter));
                    Value noBest =
                        arith::CmpIOp::create(sb, sl, arith::CmpIPredicate::slt,
                                              best[1], cIdx(sb, sl, 0));
                    Value larger = arith::CmpFOp::create(
                        sb, sl, arith::CmpFPredicate::OGT, s, best[0]);
                    Value take = arith::AndIOp::create(
                        sb, sl, eligible,
                        arith::OrIOp::create(sb, sl, noBest, larger));
                    scf::YieldOp::create(
                        sb, sl,
                        ValueRange{
                            arith::SelectOp::create(sb, sl, take, s, best[0]),
                            arith::SelectOp::create(sb, sl, take, ex,
                                                    best[1])});
                  });
              scf::YieldOp::create(rb, rl, scan.getResults());
            });
        linalg::YieldOp::create(nb, nl,
                                ValueRange{select.getResult(0),
                                           toI32(nb, nl, select.getResult(1))});
      });
  Value weights = topk.getResult(0), ids = topk.getResult(1);

  if (op.getNormalize()) {
    MLIRContext *ctx = b.getContext();
    AffineMap id = b.getMultiDimIdentityMap(2);
    AffineMap row = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
    Value sumInit = filled(b, loc, cF32(b, loc, 0.0f),
                           emptyLike(b, loc, {t}, b.getF32Type()));
    Value sum =
        linalg::GenericOp::create(
            b, loc, sumInit.getType(), ValueRange{weights}, ValueRange{sumInit},
            {id, row}, {IteratorType::parallel, IteratorType::reduction},
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              linalg::YieldOp::create(
                  nb, nl,
                  arith::AddFOp::create(nb, nl, args[1], args[0]).getResult());
            })
            .getResult(0);
    weights =
        linalg::GenericOp::create(
            b, loc, wInit.getType(), ValueRange{weights, sum},
            ValueRange{emptyLike(b, loc, {t, k}, b.getF32Type())},
            {id, row, id}, {IteratorType::parallel, IteratorType::parallel},
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              linalg::YieldOp::create(
                  nb, nl,
                  arith::DivFOp::create(nb, nl, args[0], args[1]).getResult());
            })
            .getResult(0);
  }
  rewriter.replaceOp(op, {castTo(b, loc, weights, op.getWeights().getType()),
                          castTo(b, loc, ids, op.getIds().getType())});
  return success();
}

//===----------------------------------------------------------------------===//
// dispatch
//===----------------------------------------------------------------------===//

LogicalResult lowerDispatch(RewriterBase &rewriter, DispatchOp op) {
  OpBuilder &b = rewriter;
  Location loc = op.getLoc();
  Value x = op.getX(), ids = op.getIds();
  int64_t numExperts = op.getNumExperts();
  Value t = dim(b, loc, ids, 0), k = dim(b, loc, ids, 1);
  Value tk = arith::MulIOp::create(b, loc, t, k);
  Value c0 = cIdx(b, loc, 0), c1 = cIdx(b, loc, 1);
  Value nE = cIdx(b, loc, numExperts);
  auto expertOf = [&](OpBuilder &nb, Location nl, Value f) {
    Value tok = arith::DivUIOp::create(nb, nl, f, k);
    Value j = arith::RemUIOp::create(nb, nl, f, k);
    return toIndex(nb, nl,
                   tensor::ExtractOp::create(nb, nl, ids, ValueRange{tok, j}));
  };

  // Counting sort, stable: counts into offsets[e + 1], exclusive prefix
  // sum, then each choice in ascending flat index takes its expert's next
  // slot.
  Value offsets =
      filled(b, loc, cI32(b, loc, 0),
             emptyLike(b, loc, {cIdx(b, loc, numExperts + 1)}, b.getI32Type()));
  offsets =
      scf::ForOp::create(
          b, loc, c0, tk, c1, ValueRange{offsets},
          [&](OpBuilder &nb, Location nl, Value f, ValueRange iter) {
            Value slot = arith::AddIOp::create(nb, nl, expertOf(nb, nl, f), c1);
            Value n = tensor::ExtractOp::create(nb, nl, iter[0], slot);
            n = arith::AddIOp::create(nb, nl, n, cI32(nb, nl, 1));
            scf::YieldOp::create(
                nb, nl,
                tensor::InsertOp::create(nb, nl, n, iter[0], slot).getResult());
          })
          .getResult(0);
  offsets = scf::ForOp::create(
                b, loc, c0, nE, c1, ValueRange{offsets},
                [&](OpBuilder &nb, Location nl, Value ex, ValueRange iter) {
                  Value next = arith::AddIOp::create(nb, nl, ex, c1);
                  Value sum = arith::AddIOp::create(
                      nb, nl, tensor::ExtractOp::create(nb, nl, iter[0], ex),
                      tensor::ExtractOp::create(nb, nl, iter[0], next));
                  scf::YieldOp::create(
                      nb, nl,
                      tensor::InsertOp::create(nb, nl, sum, iter[0], next)
                          .getResult());
                })
                .getResult(0);
  Value permInit = emptyLike(b, loc, {tk}, b.getI32Type());
  auto place = scf::ForOp::create(
      b, loc, c0, tk, c1, ValueRange{offsets, permInit},
      [&](OpBuilder &nb, Location nl, Value f, ValueRange iter) {
        Value ex = expertOf(nb, nl, f);
        Value pos = tensor::ExtractOp::create(nb, nl, iter[0], ex);
        Value cursor = tensor::InsertOp::create(
            nb, nl, arith::AddIOp::create(nb, nl, pos, cI32(nb, nl, 1)),
            iter[0], ex);
        Value perm = tensor::InsertOp::create(nb, nl, toI32(nb, nl, f), iter[1],
                                              toIndex(nb, nl, pos));
        scf::YieldOp::create(nb, nl, ValueRange{cursor, perm});
      });
  Value perm = place.getResult(1);

  // Gather the token rows in sorted order.
  Value d = dim(b, loc, x, 1);
  Type xElt = cast<RankedTensorType>(x.getType()).getElementType();
  Value xSorted = buildIndexedGeneric(
      b, loc, ValueRange{emptyLike(b, loc, {tk, d}, xElt)},
      [&](OpBuilder &nb, Location nl, ValueRange idx) -> SmallVector<Value> {
        Value f =
            toIndex(nb, nl, tensor::ExtractOp::create(nb, nl, perm, idx[0]));
        Value tok = arith::DivUIOp::create(nb, nl, f, k);
        return {tensor::ExtractOp::create(nb, nl, x, ValueRange{tok, idx[1]})};
      });
  rewriter.replaceOp(op,
                     {castTo(b, loc, xSorted, op.getXSorted().getType()),
                      castTo(b, loc, offsets, op.getExpertOffsets().getType()),
                      castTo(b, loc, perm, op.getPermutation().getType())});
  return success();
}

//===----------------------------------------------------------------------===//
// combine
//===----------------------------------------------------------------------===//

LogicalResult lowerCombine(RewriterBase &rewriter, CombineOp op) {
  OpBuilder &b = rewriter;
  Location loc = op.getLoc();
  Value y = op.getYSorted(), perm = op.getPermutation(),
        weights = op.getWeights();
  Type elt = cast<RankedTensorType>(y.getType()).getElementType();
  Value tk = dim(b, loc, perm, 0), d = dim(b, loc, y, 1);
  Value t = dim(b, loc, weights, 0), k = dim(b, loc, weights, 1);
  Value c0 = cIdx(b, loc, 0), c1 = cIdx(b, loc, 1);

  // inv[perm[i]] = i: where each (token, choice) landed.
  Value inv =
      scf::ForOp::create(
          b, loc, c0, tk, c1,
          ValueRange{emptyLike(b, loc, {tk}, b.getI32Type())},
          [&](OpBuilder &nb, Location nl, Value i, ValueRange iter) {
            Value f =
                toIndex(nb, nl, tensor::ExtractOp::create(nb, nl, perm, i));
            scf::YieldOp::create(
                nb, nl,
                tensor::InsertOp::create(nb, nl, toI32(nb, nl, i), iter[0], f)
                    .getResult());
          })
          .getResult(0);

  // out[t, c]: the k weighted rows summed in f32 in ascending j, rounded
  // once.
  Value out = buildIndexedGeneric(
      b, loc, ValueRange{emptyLike(b, loc, {t, d}, elt)},
      [&](OpBuilder &nb, Location nl, ValueRange idx) -> SmallVector<Value> {
        auto sum = scf::ForOp::create(
            nb, nl, cIdx(nb, nl, 0), k, cIdx(nb, nl, 1),
            ValueRange{cF32(nb, nl, 0.0f)},
            [&](OpBuilder &sb, Location sl, Value j, ValueRange acc) {
              Value f = arith::AddIOp::create(
                  sb, sl, arith::MulIOp::create(sb, sl, idx[0], k), j);
              Value row =
                  toIndex(sb, sl, tensor::ExtractOp::create(sb, sl, inv, f));
              Value wv = tensor::ExtractOp::create(sb, sl, weights,
                                                   ValueRange{idx[0], j});
              Value yv = toF32(sb, sl,
                               tensor::ExtractOp::create(
                                   sb, sl, y, ValueRange{row, idx[1]}));
              Value next = arith::AddFOp::create(
                  sb, sl, acc[0], arith::MulFOp::create(sb, sl, wv, yv));
              scf::YieldOp::create(sb, sl, next);
            });
        return {fromF32(nb, nl, sum.getResult(0), elt)};
      });
  rewriter.replaceOp(op, castTo(b, loc, out, op.getResult().getType()));
  return success();
}

struct ConvertMoeToLinalgPass
    : public loom::impl::ConvertMoeToLinalgPassBase<ConvertMoeToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    GroupedMatmulLowering grouped;
    grouped.panelWidth = weightPanelWidth;
    grouped.fuseEpilogues = fuseEpilogues;
    if (grouped.fuseEpilogues &&
        failed(fuseGroupedMatmulEpilogues(getOperation(), grouped)))
      return signalPassFailure();
    auto lower = [&](IRRewriter &rewriter, Operation *op) -> LogicalResult {
      return TypeSwitch<Operation *, LogicalResult>(op)
              .Case([&](RouteOp o) { return lowerRoute(rewriter, o); })
              .Case([&](DispatchOp o) { return lowerDispatch(rewriter, o); })
              .Case([&](GroupedMatmulOp o) {
                return lowerGroupedMatmul(rewriter, o, grouped);
              })
              .Case([&](CombineOp o) { return lowerCombine(rewriter, o); });
    };
    if (failed(lowerEach<RouteOp,
                             DispatchOp,
                             GroupedMatmulOp,
                             CombineOp>(
            getOperation(), lower)))
      signalPassFailure();
  }
};

} // namespace
