//===- AttnToLinalg.cpp - Lower loom_attn ops to linalg, scf and tensor ---===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The pass that lowers every loom_attn op. The two attention ops share an
// online-softmax loop (AttnFlashAttention.cpp); kv_cache_write and rope are
// here: the cache write is an scf.for over tokens that inserts each row at
// its slot (bufferization makes the insertions in-place stores), rope one
// elementwise linalg.generic that reads the partner channel and the
// cos/sin tables with tensor.extract.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/AttnLowering.h"
#include "passes/Conversion/Passes.h"

#include "passes/Conversion/LowerEach.h"

#include "llvm/ADT/TypeSwitch.h"

namespace mlir::loom {
#define GEN_PASS_DEF_CONVERTATTNTOLINALGPASS
#include "passes/Conversion/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::attn;

namespace {

using utils::IteratorType;

//===----------------------------------------------------------------------===//
// kv_cache_write
//===----------------------------------------------------------------------===//

/// Row `tok` of `src` ([T, H, D]) inserted at (page, offset) of `cache`
/// ([N, P, H, D]).
Value insertRow(OpBuilder &b, Location loc, Value src, Value tok, Value cache,
                Value page, Value offset) {
  auto srcType = cast<RankedTensorType>(src.getType());
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  OpFoldResult heads = getAsOpFoldResult(dimOf(b, loc, src, 1));
  OpFoldResult dim = getAsOpFoldResult(dimOf(b, loc, src, 2));
  SmallVector<int64_t> rowShape;
  for (OpFoldResult s : {heads, dim})
    rowShape.push_back(getConstantIntValue(s).value_or(ShapedType::kDynamic));
  // The [H, D] row, rank-reduced from [1, H, D].
  Value row = tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get(rowShape, srcType.getElementType()), src,
      {OpFoldResult(tok), zero, zero}, {one, heads, dim}, {one, one, one});
  return tensor::InsertSliceOp::create(
      b, loc, row, cache,
      {OpFoldResult(page), OpFoldResult(offset), zero, zero},
      {one, one, heads, dim}, {one, one, one, one});
}

LogicalResult lowerKvCacheWrite(RewriterBase &rewriter, KvCacheWriteOp op) {
  OpBuilder &b = rewriter;
  Location loc = op.getLoc();
  Value k = op.getK(), v = op.getV(), slots = op.getSlotMapping();
  Value tokens = dimOf(b, loc, slots, 0);
  Value pageSize = dimOf(b, loc, op.getKCache(), 1);
  Type kcType = op.getKCache().getType(), vcType = op.getVCache().getType();

  auto loop = scf::ForOp::create(
      b, loc, cIdx(b, loc, 0), tokens, cIdx(b, loc, 1),
      ValueRange{op.getKCache(), op.getVCache()},
      [&](OpBuilder &nb, Location nl, Value tok, ValueRange caches) {
        // index_cast sign-extends, so a negative i32 slot stays negative.
        Value slot = toIndex(
            nb, nl, tensor::ExtractOp::create(nb, nl, slots, ValueRange{tok}));
        Value write = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge,
                                            slot, cIdx(nb, nl, 0));
        auto ifOp = scf::IfOp::create(nb, nl, TypeRange{kcType, vcType}, write,
                                      /*withElseRegion=*/true);
        {
          OpBuilder::InsertionGuard guard(nb);
          nb.setInsertionPointToStart(ifOp.thenBlock());
          Value page = arith::DivUIOp::create(nb, nl, slot, pageSize);
          Value offset = arith::RemUIOp::create(nb, nl, slot, pageSize);
          Value kc = insertRow(nb, nl, k, tok, caches[0], page, offset);
          Value vc = insertRow(nb, nl, v, tok, caches[1], page, offset);
          scf::YieldOp::create(nb, nl, ValueRange{kc, vc});
          nb.setInsertionPointToStart(ifOp.elseBlock());
          scf::YieldOp::create(nb, nl, caches);
        }
        scf::YieldOp::create(nb, nl, ifOp.getResults());
      });
  rewriter.replaceOp(op, loop.getResults());
  return success();
}

//===----------------------------------------------------------------------===//
// rope
//===----------------------------------------------------------------------===//

LogicalResult lowerRope(RewriterBase &rewriter, RopeOp op) {
  OpBuilder &b = rewriter;
  Location loc = op.getLoc();
  Value x = op.getX(), positions = op.getPositions();
  Value cosCache = op.getCosCache(), sinCache = op.getSinCache();
  auto xType = cast<RankedTensorType>(x.getType());
  Type elt = xType.getElementType();
  bool interleaved = op.getInterleaved();

  std::optional<int64_t> staticRotary = op.getRotaryDimOrDefault();
  Value rotary =
      staticRotary ? cIdx(b, loc, *staticRotary) : dimOf(b, loc, x, 3);
  Value half =
      staticRotary
          ? cIdx(b, loc, *staticRotary / 2)
          : arith::DivUIOp::create(b, loc, rotary, cIdx(b, loc, 2)).getResult();
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < 4; ++i)
    sizes.push_back(dimOf(b, loc, x, i));
  AffineMap id = b.getMultiDimIdentityMap(4);

  auto generic = linalg::GenericOp::create(
      b, loc, xType, ValueRange{x}, ValueRange{emptyOf(b, loc, sizes, elt)},
      {id, id}, SmallVector<IteratorType>(4, IteratorType::parallel),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        auto cmp = [&](arith::CmpIPredicate p, Value l, Value r) {
          return arith::CmpIOp::create(nb, nl, p, l, r).getResult();
        };
        Value bi = linalg::IndexOp::create(nb, nl, 0);
        Value h = linalg::IndexOp::create(nb, nl, 1);
        Value s = linalg::IndexOp::create(nb, nl, 2);
        Value c = linalg::IndexOp::create(nb, nl, 3);
        Value rotated = cmp(arith::CmpIPredicate::ult, c, rotary);

        // The pair of channel c: its cos/sin column, its partner channel,
        // and whether c is the pair's first element.
        Value column, partner, first;
        if (interleaved) {
          column = arith::DivUIOp::create(nb, nl, c, cIdx(nb, nl, 2));
          partner = arith::XOrIOp::create(nb, nl, c, cIdx(nb, nl, 1));
          first = cmp(arith::CmpIPredicate::eq,
                      arith::AndIOp::create(nb, nl, c, cIdx(nb, nl, 1)),
                      cIdx(nb, nl, 0));
        } else {
          first = cmp(arith::CmpIPredicate::ult, c, half);
          Value below = arith::SubIOp::create(nb, nl, c, half);
          column = arith::SelectOp::create(nb, nl, first, c, below);
          partner = arith::SelectOp::create(
              nb, nl, first, arith::AddIOp::create(nb, nl, c, half), below);
        }
        // Pass-through channels still execute the loads: keep them in
        // bounds (column 0, the channel itself).
        column =
            arith::SelectOp::create(nb, nl, rotated, column, cIdx(nb, nl, 0));
        partner = arith::SelectOp::create(nb, nl, rotated, partner, c);

        Value pos = toIndex(
            nb, nl,
            tensor::ExtractOp::create(nb, nl, positions, ValueRange{bi, s}));
        Value cosV = toF32(nb, nl,
                           tensor::ExtractOp::create(nb, nl, cosCache,
                                                     ValueRange{pos, column}));
        Value sinV = toF32(nb, nl,
                           tensor::ExtractOp::create(nb, nl, sinCache,
                                                     ValueRange{pos, column}));
        Value self = toF32(nb, nl, args[0]);
        Value other = toF32(nb, nl,
                            tensor::ExtractOp::create(
                                nb, nl, x, ValueRange{bi, h, s, partner}));
        // (x1, x2) -> (x1 c - x2 n, x2 c + x1 n): the first element
        // subtracts its partner's term, the second adds it.
        Value selfTerm = arith::MulFOp::create(nb, nl, self, cosV);
        Value otherTerm = arith::MulFOp::create(nb, nl, other, sinV);
        Value r = arith::SelectOp::create(
            nb, nl, first, arith::SubFOp::create(nb, nl, selfTerm, otherTerm),
            arith::AddFOp::create(nb, nl, selfTerm, otherTerm));
        Value out = arith::SelectOp::create(nb, nl, rotated,
                                            fromF32(nb, nl, r, elt), args[0]);
        linalg::YieldOp::create(nb, nl, out);
      });
  rewriter.replaceOp(op, generic.getResult(0));
  return success();
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct ConvertAttnToLinalgPass
    : public loom::impl::ConvertAttnToLinalgPassBase<ConvertAttnToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    if (kvBlockSize <= 0) {
      getOperation().emitError()
          << "loom-convert-attn-to-linalg: kv-block-size must be positive, "
             "got "
          << static_cast<int64_t>(kvBlockSize);
      return signalPassFailure();
    }
    auto lower = [&](IRRewriter &rewriter, Operation *op) -> LogicalResult {
      return TypeSwitch<Operation *, LogicalResult>(op)
              .Case([&](AttentionOp o) {
                return lowerAttention(rewriter, o, kvBlockSize,
                                      causalQueryBlocks);
              })
              .Case([&](PagedAttentionOp o) {
                return lowerPagedAttention(rewriter, o, kvBlockSize);
              })
              .Case([&](KvCacheWriteOp o) {
                return lowerKvCacheWrite(rewriter, o);
              })
              .Case([&](RopeOp o) { return lowerRope(rewriter, o); });
    };
    if (failed(lowerEach<AttentionOp,
                             PagedAttentionOp,
                             KvCacheWriteOp,
                             RopeOp>(
            getOperation(), lower)))
      signalPassFailure();
  }
};

} // namespace
