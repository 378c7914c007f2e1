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

#include "dialects/moe/MoeDialect.h"
#include "passes/Conversion/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"
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

Value cIdx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
Value cF32(OpBuilder &b, Location loc, float v) {
  return arith::ConstantFloatOp::create(b, loc, b.getF32Type(), APFloat(v));
}
Value cI32(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
}
Value toIndex(OpBuilder &b, Location loc, Value v) {
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}
Value toI32(OpBuilder &b, Location loc, Value v) {
  return arith::IndexCastOp::create(b, loc, b.getI32Type(), v);
}
Value dim(OpBuilder &b, Location loc, Value t, int64_t i) {
  return getValueOrCreateConstantIndexOp(b, loc,
                                         tensor::getMixedSize(b, loc, t, i));
}
Value toF32(OpBuilder &b, Location loc, Value v) {
  Type f32 = b.getF32Type();
  if (v.getType() == f32)
    return v;
  if (v.getType().getIntOrFloatBitWidth() < 32)
    return arith::ExtFOp::create(b, loc, f32, v);
  return arith::TruncFOp::create(b, loc, f32, v);
}
Value fromF32(OpBuilder &b, Location loc, Value v, Type to) {
  if (to == v.getType())
    return v;
  if (to.getIntOrFloatBitWidth() < 32)
    return arith::TruncFOp::create(b, loc, to, v);
  return arith::ExtFOp::create(b, loc, to, v);
}
Value castTo(OpBuilder &b, Location loc, Value v, Type type) {
  if (v.getType() == type)
    return v;
  return tensor::CastOp::create(b, loc, type, v);
}
Value emptyLike(OpBuilder &b, Location loc, ArrayRef<Value> sizes, Type elt) {
  SmallVector<OpFoldResult> ofr;
  for (Value s : sizes)
    ofr.push_back(getAsOpFoldResult(s));
  return tensor::EmptyOp::create(b, loc, ofr, elt);
}
Value filled(OpBuilder &b, Location loc, Value value, Value empty) {
  return linalg::FillOp::create(b, loc, value, empty).getResult(0);
}

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

/// Scores [T, E] in f32: softmax over each row (max-subtracted) or sigmoid.
Value buildScores(OpBuilder &b, Location loc, Value logits, Scoring scoring,
                  Value t, Value e) {
  MLIRContext *ctx = b.getContext();
  AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx);
  AffineMap id = AffineMap::get(2, 0, {d0, d1}, ctx);
  AffineMap row = AffineMap::get(2, 0, {d0}, ctx);
  Value scoresInit = emptyLike(b, loc, {t, e}, b.getF32Type());
  SmallVector<IteratorType> par(2, IteratorType::parallel);
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
// grouped_matmul
//===----------------------------------------------------------------------===//

/// Rows per tile of grouped_matmul: the CPU backend's contraction register
/// tile (8 rows), so every tile is one static [8, K] x [K, n] matmul.
constexpr int64_t kRowTile = 8;
/// Columns per task when they divide N: the task's [K, 128] weight slice is
/// small enough to stay in cache across the row tiles of the same column
/// block, which run one after the other (the backend's task tile of static
/// matmuls is 128 columns wide too).
constexpr int64_t kColBlock = 128;

/// Each expert's row block is cut into tiles of kRowTile rows; the tiles of
/// all experts, times the column blocks, form one scf.forall over (column
/// block, slot -> expert and first row), so that the backend sees static
/// matmuls and the threads share all experts' tiles.
/// A tile may run past its expert's block (into the next expert's rows; the
/// last tile of x_sorted is moved back to end at its last row instead):
/// those rows are computed and dropped, only the block's rows are written.
/// There are exactly as many tasks as tiles (sum_e ceil(rows_e / 8)). Each element is still one
/// f32 dot product over K in ascending order, as in a plain linalg.matmul.
LogicalResult lowerGroupedMatmul(RewriterBase &rewriter, GroupedMatmulOp op) {
  OpBuilder &b = rewriter;
  Location loc = op.getLoc();
  Value x = op.getXSorted(), w = op.getW(), offsets = op.getExpertOffsets();
  auto wType = cast<RankedTensorType>(w.getType());
  auto xType = cast<RankedTensorType>(x.getType());
  Type elt = xType.getElementType();
  Type f32 = b.getF32Type();
  int64_t numExperts = wType.getDimSize(0);
  if (ShapedType::isDynamic(numExperts))
    return op.emitOpError("needs a static number of experts");
  Value m = dim(b, loc, x, 0), kDim = dim(b, loc, x, 1);
  Value nDim = dim(b, loc, w, 2);
  int64_t staticN = wType.getDimSize(2);
  bool blocked = !ShapedType::isDynamic(staticN) && staticN > kColBlock &&
                 staticN % kColBlock == 0;
  int64_t colBlock = blocked ? kColBlock : staticN;
  Value c0 = cIdx(b, loc, 0), c1 = cIdx(b, loc, 1);
  Value cR = cIdx(b, loc, kRowTile), cRm1 = cIdx(b, loc, kRowTile - 1);
  Value nE = cIdx(b, loc, numExperts);
  OpFoldResult one = b.getIndexAttr(1), zero = b.getIndexAttr(0);
  OpFoldResult cols = blocked ? OpFoldResult(b.getIndexAttr(kColBlock))
                              : getAsOpFoldResult(nDim);
  OpFoldResult numBlocks =
      b.getIndexAttr(blocked ? staticN / kColBlock : int64_t(1));
  auto offsetAt = [&](OpBuilder &nb, Location nl, Value i) {
    return toIndex(nb, nl, tensor::ExtractOp::create(nb, nl, offsets, i));
  };

  // Every tile reads kRowTile (or kRowTile / 2) rows of x_sorted; a tile
  // that would run past the last row is moved back to end at the last row
  // (and writes only its own rows). That needs at least kRowTile rows:
  // fewer are padded with zero rows. (A static M >= kRowTile reads x_sorted
  // as is; otherwise x_sorted is copied into max(M, kRowTile) rows: an
  // scf.if choosing between x_sorted and a padded copy would make the
  // buffer's ownership depend on the branch, which the GPU targets' buffer
  // deallocation cannot lower.)
  Value xSrc = x, mSrc = m;
  if (ShapedType::isDynamic(xType.getDimSize(0)) ||
      xType.getDimSize(0) < kRowTile) {
    mSrc = arith::MaxUIOp::create(b, loc, m, cR);
    Value pad = filled(b, loc, fromF32(b, loc, cF32(b, loc, 0.0f), elt),
                       emptyLike(b, loc, {mSrc, kDim}, elt));
    xSrc = tensor::InsertSliceOp::create(
        b, loc, x, pad, {zero, zero},
        {getAsOpFoldResult(m), getAsOpFoldResult(kDim)}, {one, one});
  }

  // firstTile[e]: the slot of expert e's first tile (exclusive prefix sum
  // of ceil(rows_e / kRowTile)); the running sum is also carried as a
  // scalar, the number of tiles (a GPU host reads it without a copy back).
  auto prefix = scf::ForOp::create(
      b, loc, c0, nE, c1,
      ValueRange{filled(b, loc, c0,
                        emptyLike(b, loc, {cIdx(b, loc, numExperts + 1)},
                                  b.getIndexType())),
                 c0},
      [&](OpBuilder &nb, Location nl, Value ex, ValueRange iter) {
        Value next = arith::AddIOp::create(nb, nl, ex, c1);
        Value rows = arith::SubIOp::create(nb, nl, offsetAt(nb, nl, next),
                                           offsetAt(nb, nl, ex));
        Value tiles = arith::DivUIOp::create(
            nb, nl, arith::AddIOp::create(nb, nl, rows, cRm1), cR);
        Value sum = arith::AddIOp::create(nb, nl, iter[1], tiles);
        scf::YieldOp::create(
            nb, nl,
            ValueRange{
                tensor::InsertOp::create(nb, nl, sum, iter[0], next).getResult(),
                sum});
      });
  Value firstTile = prefix.getResult(0);
  // Exactly the tiles there are: no task without rows.
  Value slots = prefix.getResult(1);

  // Rows outside every block cannot exist when the offsets are valid; the
  // zero fill keeps the result defined anyway.
  Value init = filled(b, loc, fromF32(b, loc, cF32(b, loc, 0.0f), elt),
                      emptyLike(b, loc, {m, nDim}, elt));
  auto wsType = RankedTensorType::get({wType.getDimSize(1), colBlock},
                                      wType.getElementType());
  auto forall = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{numBlocks, getAsOpFoldResult(slots)},
      ValueRange{init}, std::nullopt,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value slot = args[1], out = args[2];
        OpFoldResult col =
            blocked ? OpFoldResult(arith::MulIOp::create(
                                       nb, nl, args[0], cIdx(nb, nl, kColBlock))
                                       .getResult())
                    : zero;
        // The slot's expert: the last one whose first tile is at or before
        // the slot (experts without rows share their successor's start).
        Value ex =
            scf::ForOp::create(
                nb, nl, c1, nE, c1, ValueRange{c0},
                [&](OpBuilder &sb, Location sl, Value e, ValueRange best) {
                  Value first = tensor::ExtractOp::create(sb, sl, firstTile, e);
                  Value le = arith::CmpIOp::create(
                      sb, sl, arith::CmpIPredicate::ule, first, slot);
                  scf::YieldOp::create(
                      sb, sl,
                      arith::SelectOp::create(sb, sl, le, e, best[0])
                          .getResult());
                })
                .getResult(0);
        Value tileInExpert = arith::SubIOp::create(
            nb, nl, slot, tensor::ExtractOp::create(nb, nl, firstTile, ex));
        Value end =
            offsetAt(nb, nl, arith::AddIOp::create(nb, nl, ex, c1).getResult());
        Value start = arith::AddIOp::create(
            nb, nl, offsetAt(nb, nl, ex),
            arith::MulIOp::create(nb, nl, tileInExpert, cR));
        Value left = arith::SubIOp::create(
            nb, nl, arith::MaxUIOp::create(nb, nl, end, start), start);
        Value rows = arith::MinUIOp::create(nb, nl, left, cR);
        Value ws = tensor::ExtractSliceOp::create(
            nb, nl, wsType, w, {OpFoldResult(ex), zero, col},
            {one, getAsOpFoldResult(kDim), cols},
            {one, one, one});
        // One static [r, K] x [K, cols] matmul in f32 over the r rows from
        // `start`, moved back to stay in bounds; the tile's own rows begin
        // `skip` rows into them.
        auto validType = RankedTensorType::get({ShapedType::kDynamic, colBlock},
                                               elt);
        auto tile = [&](OpBuilder &tb, Location tl, int64_t r) -> Value {
          Value window = arith::MinUIOp::create(
              tb, tl, start,
              arith::SubIOp::create(tb, tl, mSrc, cIdx(tb, tl, r)));
          Value skip = arith::SubIOp::create(tb, tl, start, window);
          OpFoldResult rTile = tb.getIndexAttr(r);
          auto xsType = RankedTensorType::get({r, xType.getDimSize(1)}, elt);
          Value xs = tensor::ExtractSliceOp::create(
              tb, tl, xsType, xSrc, {OpFoldResult(window), zero},
              {rTile, getAsOpFoldResult(kDim)}, {one, one});
          SmallVector<OpFoldResult> tileSizes = {rTile, cols};
          Value acc = filled(tb, tl, cF32(tb, tl, 0.0f),
                             tensor::EmptyOp::create(tb, tl, tileSizes, f32));
          Value y = linalg::MatmulOp::create(tb, tl, acc.getType(),
                                             ValueRange{xs, ws},
                                             ValueRange{acc})
                        .getResult(0);
          if (elt != f32) {
            AffineMap id = tb.getMultiDimIdentityMap(2);
            y = linalg::GenericOp::create(
                    tb, tl,
                    RankedTensorType::get(
                        cast<RankedTensorType>(y.getType()).getShape(), elt),
                    ValueRange{y},
                    ValueRange{tensor::EmptyOp::create(tb, tl, tileSizes, elt)},
                    {id, id}, {IteratorType::parallel, IteratorType::parallel},
                    [&](OpBuilder &cb, Location cl, ValueRange a) {
                      linalg::YieldOp::create(cb, cl,
                                              fromF32(cb, cl, a[0], elt));
                    })
                    .getResult(0);
          }
          return tensor::ExtractSliceOp::create(
              tb, tl, validType, y, {OpFoldResult(skip), zero},
              {OpFoldResult(rows), cols}, {one, one});
        };
        // An expert's last tile of at most half a tile is computed as a
        // half tile: on average 1.5 instead of 3.5 rows per expert are
        // computed and dropped.
        Value half = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ule,
                                           rows, cIdx(nb, nl, kRowTile / 2));
        Value valid =
            scf::IfOp::create(
                nb, nl, half,
                [&](OpBuilder &tb, Location tl) {
                  scf::YieldOp::create(tb, tl, tile(tb, tl, kRowTile / 2));
                },
                [&](OpBuilder &eb, Location el) {
                  scf::YieldOp::create(eb, el, tile(eb, el, kRowTile));
                })
                .getResult(0);
        auto inParallel = scf::InParallelOp::create(nb, nl);
        OpBuilder::InsertionGuard guard(nb);
        nb.setInsertionPointToStart(inParallel.getBody());
        tensor::ParallelInsertSliceOp::create(
            nb, nl, valid, out, {OpFoldResult(start), col},
            {OpFoldResult(rows), cols}, {one, one});
      });
  rewriter.replaceOp(
      op, castTo(b, loc, forall.getResult(0), op.getResult().getType()));
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
    auto lower = [&](IRRewriter &rewriter, Operation *op) -> LogicalResult {
      return TypeSwitch<Operation *, LogicalResult>(op)
              .Case([&](RouteOp o) { return lowerRoute(rewriter, o); })
              .Case([&](DispatchOp o) { return lowerDispatch(rewriter, o); })
              .Case([&](GroupedMatmulOp o) {
                return lowerGroupedMatmul(rewriter, o);
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
