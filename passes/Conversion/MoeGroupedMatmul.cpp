//===- MoeGroupedMatmul.cpp - Lower loom_moe.grouped_matmul to row tiles --===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// A grouped matmul becomes one scf.forall over (column block, row tile):
// each expert's row block is cut into tiles of kRowTile rows, and every
// tile is a static [kRowTile, K] x [K, cols] linalg.matmul, which the
// backend tiles to registers without masks. Two options of the pass make
// the tiles cheaper on CPUs:
//
//  - weight panels: constant weights [E, K, N] are repacked at compile time
//    into [E, N / w, K, w], and a column block is a few panels, one matmul
//    each. A panel row is w contiguous elements, so the K loop of a
//    register tile reads the weights sequentially instead of one cache line
//    per row N elements apart (which defeats the prefetchers and conflicts
//    in the caches);
//  - epilogue fusion: an elementwise generic whose inputs are all grouped
//    matmuls over the same rows (SiLU(gate) * up) runs on each row tile
//    right after the tile's matmuls, so their results are never stored.
//
// Neither changes the numerics: every element is still one f32 dot product
// over K in ascending order, rounded once to the element type.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/MoeLowering.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

#include <cstring>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::moe;

namespace {

using utils::IteratorType;

/// Rows per tile of grouped_matmul: the CPU backend's contraction register
/// tile (8 rows), so every tile is one static [8, K] x [K, n] matmul.
constexpr int64_t kRowTile = 8;
/// Columns per task when they divide N (and the weights are not in
/// panels): the task's [K, 128] weight slice is small enough to stay in
/// cache across the row tiles of the same column block, which run one after
/// the other (the backend's task tile of static matmuls is 128 columns wide
/// too).
constexpr int64_t kColBlock = 128;

/// The raw bytes of a dense constant, inline or a resource blob (the
/// importer's large initializers), and whether it is a blob.
std::optional<std::pair<ArrayRef<char>, bool>> constantBytes(Value v) {
  Attribute value;
  if (!matchPattern(v, m_Constant(&value)))
    return std::nullopt;
  if (auto res = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    return std::make_pair(blob->getData(), true);
  }
  auto dense = dyn_cast<DenseIntOrFPElementsAttr>(value);
  if (!dense || dense.isSplat())
    return std::nullopt;
  return std::make_pair(dense.getRawData(), false);
}

/// Whether `w` [E, K, N] can be repacked into panels of `width` columns: a
/// dense constant of static shape whose N is a multiple of `width` (and
/// larger: a single panel is the weight itself).
bool canPanel(Value w, int64_t width) {
  auto type = cast<RankedTensorType>(w.getType());
  unsigned bits = type.getElementType().getIntOrFloatBitWidth();
  if (width <= 0 || !type.hasStaticShape() || bits % 8 != 0)
    return false;
  int64_t n = type.getDimSize(2);
  if (n <= width || n % width != 0)
    return false;
  std::optional<std::pair<ArrayRef<char>, bool>> bytes = constantBytes(w);
  return bytes && (int64_t)bytes->first.size() ==
                      type.getNumElements() * int64_t(bits / 8);
}

/// `w` [E, K, N] repacked into [E, N / width, K, width] (a new constant of
/// the same kind, right after `w`'s), once per weight.
Value panelWeights(RewriterBase &rewriter, Value w, int64_t width,
                   GroupedMatmulLowering &opts) {
  if (Value p = opts.panels.lookup(w))
    return p;
  auto type = cast<RankedTensorType>(w.getType());
  int64_t e = type.getDimSize(0), k = type.getDimSize(1),
          n = type.getDimSize(2), p = n / width;
  size_t bytes = type.getElementType().getIntOrFloatBitWidth() / 8;
  auto [src, isBlob] = *constantBytes(w);
  std::vector<char> buf(src.size());
  size_t row = width * bytes;
  for (int64_t ei = 0; ei < e; ++ei)
    for (int64_t pi = 0; pi < p; ++pi)
      for (int64_t ki = 0; ki < k; ++ki)
        std::memcpy(&buf[((ei * p + pi) * k + ki) * row],
                    &src[((ei * k + ki) * n + pi * width) * bytes], row);
  auto packed =
      RankedTensorType::get({e, p, k, width}, type.getElementType());
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointAfterValue(w);
  Value result;
  if (isBlob) {
    auto attr = DenseResourceElementsAttr::get(
        packed, "moe_weight_panels",
        HeapAsmResourceBlob::allocateAndCopyWithAlign(buf, 64));
    result = arith::ConstantOp::create(rewriter, w.getLoc(), packed, attr);
  } else {
    auto attr = DenseElementsAttr::getFromRawBuffer(packed, buf);
    result = arith::ConstantOp::create(rewriter, w.getLoc(), attr);
  }
  opts.panels[w] = result;
  return result;
}

/// Lowers `mms` (grouped matmuls over the same rows and offsets, with
/// weights of one type) and, when `epilogue` is set, the elementwise
/// generic that consumes all of them, into one scf.forall; returns its
/// result (the epilogue's, or the single matmul's).
///
/// Each expert's row block is cut into tiles of kRowTile rows; the tiles of
/// all experts, times the column blocks, form one scf.forall over (column
/// block, slot -> expert and first row), so that the backend sees static
/// matmuls and the threads share all experts' tiles. A tile may run past
/// its expert's block (into the next expert's rows; the last tile of
/// x_sorted is moved back to end at its last row instead): those rows are
/// computed and dropped, only the block's rows are written. There are
/// exactly as many tasks as tiles (sum_e ceil(rows_e / 8)).
FailureOr<Value> buildGroupedForall(RewriterBase &rewriter, Location loc,
                                    ArrayRef<GroupedMatmulOp> mms,
                                    linalg::GenericOp epilogue,
                                    GroupedMatmulLowering &opts) {
  OpBuilder &b = rewriter;
  GroupedMatmulOp op = mms.front();
  Value x = op.getXSorted(), offsets = op.getExpertOffsets();
  auto wType = cast<RankedTensorType>(op.getW().getType());
  auto xType = cast<RankedTensorType>(x.getType());
  Type elt = xType.getElementType();
  Type outElt =
      epilogue ? getElementTypeOrSelf(epilogue->getResult(0).getType()) : elt;
  Type f32 = b.getF32Type();
  int64_t numExperts = wType.getDimSize(0);
  if (ShapedType::isDynamic(numExperts))
    return op.emitOpError("needs a static number of experts");
  Value m = dim(b, loc, x, 0), kDim = dim(b, loc, x, 1);
  Value nDim = dim(b, loc, op.getW(), 2);
  int64_t staticN = wType.getDimSize(2);

  // Column blocks: up to kColBlock columns of whole weight panels when
  // every weight can be repacked (the tile's rows of x stay in L1 across
  // the block's panels), else kColBlock columns when they divide N, else
  // all of N.
  bool panels = llvm::all_of(mms, [&](GroupedMatmulOp mm) {
    return canPanel(mm.getW(), opts.panelWidth);
  });
  int64_t perBlock = 1;
  if (panels)
    for (int64_t d = 1; d * opts.panelWidth <= kColBlock; ++d)
      if ((staticN / opts.panelWidth) % d == 0)
        perBlock = d;
  bool blocked = panels || (!ShapedType::isDynamic(staticN) &&
                            staticN > kColBlock && staticN % kColBlock == 0);
  int64_t colBlock =
      panels ? perBlock * opts.panelWidth : (blocked ? kColBlock : staticN);
  SmallVector<Value> weights;
  for (GroupedMatmulOp mm : mms)
    weights.push_back(panels ? panelWeights(rewriter, mm.getW(),
                                            opts.panelWidth, opts)
                             : mm.getW());

  Value c0 = cIdx(b, loc, 0), c1 = cIdx(b, loc, 1);
  Value cR = cIdx(b, loc, kRowTile), cRm1 = cIdx(b, loc, kRowTile - 1);
  Value nE = cIdx(b, loc, numExperts);
  OpFoldResult one = b.getIndexAttr(1), zero = b.getIndexAttr(0);
  OpFoldResult cols = blocked ? OpFoldResult(b.getIndexAttr(colBlock))
                              : getAsOpFoldResult(nDim);
  OpFoldResult numBlocks =
      b.getIndexAttr(blocked ? staticN / colBlock : int64_t(1));
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
  Value init = filled(b, loc, fromF32(b, loc, cF32(b, loc, 0.0f), outElt),
                      emptyLike(b, loc, {m, nDim}, outElt));
  int64_t wsCols = panels ? opts.panelWidth : colBlock;
  auto wsType = RankedTensorType::get({wType.getDimSize(1), wsCols},
                                      wType.getElementType());
  auto forall = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{numBlocks, getAsOpFoldResult(slots)},
      ValueRange{init}, std::nullopt,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value blk = args[0], slot = args[1], out = args[2];
        OpFoldResult col =
            blocked ? OpFoldResult(arith::MulIOp::create(
                                       nb, nl, blk, cIdx(nb, nl, colBlock))
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
        // The expert's [K, cols] weights of this column block, per weight:
        // its panels (contiguous rows) or one strided slice of w[e].
        SmallVector<SmallVector<Value>> ws;
        OpFoldResult panelCols = nb.getIndexAttr(wsCols);
        for (Value w : weights) {
          SmallVector<Value> &parts = ws.emplace_back();
          if (!panels) {
            parts.push_back(tensor::ExtractSliceOp::create(
                nb, nl, wsType, w, {OpFoldResult(ex), zero, col},
                {one, getAsOpFoldResult(kDim), cols}, {one, one, one}));
            continue;
          }
          for (int64_t p = 0; p < perBlock; ++p) {
            Value panel = arith::AddIOp::create(
                nb, nl, arith::MulIOp::create(nb, nl, blk,
                                              cIdx(nb, nl, perBlock)),
                cIdx(nb, nl, p));
            parts.push_back(tensor::ExtractSliceOp::create(
                nb, nl, wsType, w,
                {OpFoldResult(ex), OpFoldResult(panel), zero, zero},
                {one, one, getAsOpFoldResult(kDim), panelCols},
                {one, one, one, one}));
          }
        }
        // Static [r, K] x [K, cols] matmuls in f32 over the r rows from
        // `start`, moved back to stay in bounds, then the epilogue on the
        // static tiles; the tile's own rows begin `skip` rows into them.
        auto validType =
            RankedTensorType::get({ShapedType::kDynamic, colBlock}, outElt);
        AffineMap id = nb.getMultiDimIdentityMap(2);
        SmallVector<IteratorType> par(2, IteratorType::parallel);
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
          SmallVector<Value> ys;
          for (ArrayRef<Value> parts : ws) {
            Value y = filled(tb, tl, cF32(tb, tl, 0.0f),
                             tensor::EmptyOp::create(tb, tl, tileSizes, f32));
            // One matmul per part, each on its columns of the accumulator.
            for (auto [p, wsp] : llvm::enumerate(parts)) {
              if (parts.size() == 1) {
                y = linalg::MatmulOp::create(tb, tl, y.getType(),
                                             ValueRange{xs, wsp}, ValueRange{y})
                        .getResult(0);
                break;
              }
              OpFoldResult at = tb.getIndexAttr(p * wsCols);
              Value accPart = tensor::ExtractSliceOp::create(
                  tb, tl, y, {zero, at}, {rTile, panelCols}, {one, one});
              Value part = linalg::MatmulOp::create(
                               tb, tl, accPart.getType(), ValueRange{xs, wsp},
                               ValueRange{accPart})
                               .getResult(0);
              y = tensor::InsertSliceOp::create(tb, tl, part, y, {zero, at},
                                                {rTile, panelCols}, {one, one});
            }
            if (elt != f32)
              y = linalg::GenericOp::create(
                      tb, tl,
                      RankedTensorType::get(
                          cast<RankedTensorType>(y.getType()).getShape(), elt),
                      ValueRange{y},
                      ValueRange{tensor::EmptyOp::create(tb, tl, tileSizes,
                                                         elt)},
                      {id, id}, par,
                      [&](OpBuilder &cb, Location cl, ValueRange a) {
                        linalg::YieldOp::create(cb, cl,
                                                fromF32(cb, cl, a[0], elt));
                      })
                      .getResult(0);
            ys.push_back(y);
          }
          Value z = ys.front();
          if (epilogue) {
            // The epilogue's inputs are matmul results: each reads its
            // matmul's tile.
            SmallVector<Value> ins;
            for (Value in : epilogue.getDpsInputs())
              ins.push_back(ys[llvm::find_if(mms,
                                             [&](GroupedMatmulOp mm) {
                                               return mm.getResult() == in;
                                             }) -
                               mms.begin()]);
            Value empty = tensor::EmptyOp::create(tb, tl, tileSizes, outElt);
            Block *body = epilogue.getBody();
            z = linalg::GenericOp::create(
                    tb, tl, empty.getType(), ins, ValueRange{empty},
                    SmallVector<AffineMap>(ins.size() + 1, id), par,
                    [&](OpBuilder &cb, Location cl, ValueRange a) {
                      IRMapping map;
                      map.map(body->getArguments(), a);
                      for (Operation &o : body->without_terminator())
                        cb.clone(o, map);
                      SmallVector<Value> yielded;
                      for (Value v : body->getTerminator()->getOperands())
                        yielded.push_back(map.lookupOrDefault(v));
                      linalg::YieldOp::create(cb, cl, yielded);
                    })
                    .getResult(0);
          }
          return tensor::ExtractSliceOp::create(
              tb, tl, validType, z, {OpFoldResult(skip), zero},
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
  return forall.getResult(0);
}

/// The grouped matmuls an elementwise generic fuses with: it is all
/// parallel over 2-D identity maps, does not read its init, yields one
/// float, and every input is a grouped matmul used only by it; the matmuls
/// share their rows, offsets and weight type. Empty when it does not fuse.
SmallVector<GroupedMatmulOp> epilogueOperands(linalg::GenericOp g) {
  if (g.getNumDpsInits() != 1 || g.getNumResults() != 1 ||
      g.getNumLoops() != 2 || g.getNumDpsInputs() == 0 ||
      g.getNumParallelLoops() != 2 ||
      !llvm::all_of(g.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isIdentity(); }) ||
      g.payloadUsesValueFromOperand(g.getDpsInitOperand(0)) ||
      !isa<FloatType>(getElementTypeOrSelf(g->getResult(0).getType())))
    return {};
  SmallVector<GroupedMatmulOp> mms;
  for (Value in : g.getDpsInputs()) {
    auto mm = in.getDefiningOp<GroupedMatmulOp>();
    if (!mm || !llvm::all_of(mm->getUsers(),
                             [&](Operation *u) { return u == g; }))
      return {};
    if (!llvm::is_contained(mms, mm))
      mms.push_back(mm);
  }
  GroupedMatmulOp first = mms.front();
  for (GroupedMatmulOp mm : mms)
    if (mm.getXSorted() != first.getXSorted() ||
        mm.getExpertOffsets() != first.getExpertOffsets() ||
        mm.getW().getType() != first.getW().getType())
      return {};
  return mms;
}

} // namespace

LogicalResult moe::lowerGroupedMatmul(RewriterBase &rewriter,
                                      GroupedMatmulOp op,
                                      GroupedMatmulLowering &opts) {
  FailureOr<Value> result =
      buildGroupedForall(rewriter, op.getLoc(), {op}, nullptr, opts);
  if (failed(result))
    return failure();
  rewriter.replaceOp(op, castTo(rewriter, op.getLoc(), *result,
                                op.getResult().getType()));
  return success();
}

LogicalResult moe::fuseGroupedMatmulEpilogues(Operation *root,
                                              GroupedMatmulLowering &opts) {
  SmallVector<std::pair<linalg::GenericOp, SmallVector<GroupedMatmulOp>>>
      groups;
  root->walk([&](linalg::GenericOp g) {
    SmallVector<GroupedMatmulOp> mms = epilogueOperands(g);
    if (!mms.empty())
      groups.emplace_back(g, std::move(mms));
  });
  IRRewriter rewriter(root->getContext());
  for (auto &[g, mms] : groups) {
    rewriter.setInsertionPoint(g);
    FailureOr<Value> result =
        buildGroupedForall(rewriter, g.getLoc(), mms, g, opts);
    if (failed(result))
      return failure();
    rewriter.replaceOp(g, castTo(rewriter, g.getLoc(), *result,
                                 g->getResult(0).getType()));
    for (GroupedMatmulOp mm : llvm::reverse(mms))
      rewriter.eraseOp(mm);
  }
  return success();
}
