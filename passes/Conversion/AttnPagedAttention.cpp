//===- AttnPagedAttention.cpp - paged_attention as an online softmax ------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Lowers loom_attn.paged_attention onto the attention core of
// AttnFlashAttention.cpp. The straightforward choice: inside the loop over
// key blocks, each block of keys and values of every sequence is gathered
// through the block table into a contiguous [B, Hkv, block, D] tile (a
// linalg.generic of tensor.extract), so no whole-sequence copy is ever
// made. The loop runs up to the longest sequence; each sequence's
// seq_lens[b] drops the keys past it and is its Skv for the causal and
// window alignment.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/AttnLowering.h"

using namespace mlir;
using namespace mlir::loom::attn;

using utils::IteratorType;

/// The largest entry of the i32 vector `v`, as an index (0 when empty).
static Value maxEntry(OpBuilder &b, Location loc, Value v) {
  Type i32 = b.getI32Type();
  Value init =
      linalg::FillOp::create(
          b, loc, arith::ConstantIntOp::create(b, loc, i32, 0).getResult(),
          tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{}, i32).getResult())
          .getResult(0);
  Value max = generic(
      b, loc, ValueRange{v}, init,
      {b.getMultiDimIdentityMap(1), AffineMap::get(1, 0, {}, b.getContext())},
      {IteratorType::reduction}, [&](OpBuilder &gb, Location gl, ValueRange a) {
        return arith::MaxSIOp::create(gb, gl, a[0], a[1]).getResult();
      });
  return toIndex(b, loc, tensor::ExtractOp::create(b, loc, max, ValueRange{}));
}

LogicalResult mlir::loom::attn::lowerPagedAttention(RewriterBase &rewriter,
                                                    PagedAttentionOp op,
                                                    int64_t kvBlock) {
  OpBuilder &b = rewriter;
  Location loc = op.getLoc();
  Value q = op.getQuery(), kc = op.getKCache(), vc = op.getVCache();
  Value table = op.getBlockTable(), lens = op.getSeqLens();

  Sizes sz;
  sz.b = firstStaticDim(b, loc, {{q, 0}, {table, 0}, {lens, 0}});
  sz.hkv = firstStaticDim(b, loc, {{kc, 2}, {vc, 2}});
  sz.hq = dimOf(b, loc, q, 1);
  sz.g = groupSize(b, loc, sz.hq, sz.hkv);
  sz.sq = dimOf(b, loc, q, 2);
  sz.d = firstStaticDim(b, loc, {{q, 3}, {kc, 3}});
  sz.dv = dimOf(b, loc, vc, 3);
  Value pageSize = firstStaticDim(b, loc, {{kc, 1}, {vc, 1}});
  Value pages = dimOf(b, loc, table, 1);
  // The loop walks the positions of the longest sequence (at most what the
  // block table can address); each sequence's own length masks the rest
  // (see restrictScores).
  std::optional<int64_t> sp = getConstantIntValue(pageSize),
                         sm = getConstantIntValue(pages);
  Value addressable =
      sp && sm ? cIdx(b, loc, *sp * *sm)
               : arith::MulIOp::create(b, loc, pages, pageSize).getResult();
  sz.skv = arith::MinSIOp::create(b, loc, addressable, maxEntry(b, loc, lens));

  ScoreSpec spec;
  spec.scale = scaleValue(b, loc, op.getScaleOrDefault(), sz.d);
  fillScoreAttrs(op, spec);
  spec.seqLens = lens;

  // Gathers token t = j0 + j of every sequence from its page. Positions at
  // or past the sequence length read page 0 and yield 0: their table
  // entries may be garbage, and 0 (not stale cache data, which could be
  // NaN) is what 0-weighted positions must contribute.
  auto gather = [&](OpBuilder &nb, Location nl, Value cache, Value headDim,
                    Value j0, Value bk) {
    Type elt = cast<RankedTensorType>(cache.getType()).getElementType();
    Value init = emptyOf(nb, nl, {sz.b, sz.hkv, bk, headDim}, elt);
    return generic(
        nb, nl, ValueRange{}, init, {nb.getMultiDimIdentityMap(4)}, parallel(4),
        [&](OpBuilder &gb, Location gl, ValueRange) -> Value {
          Value bi = linalg::IndexOp::create(gb, gl, 0);
          Value h = linalg::IndexOp::create(gb, gl, 1);
          Value t = arith::AddIOp::create(gb, gl, j0,
                                          linalg::IndexOp::create(gb, gl, 2));
          Value d = linalg::IndexOp::create(gb, gl, 3);
          Value len = toIndex(
              gb, gl, tensor::ExtractOp::create(gb, gl, lens, ValueRange{bi}));
          Value valid =
              arith::CmpIOp::create(gb, gl, arith::CmpIPredicate::slt, t, len);
          Value entry = toIndex(
              gb, gl,
              tensor::ExtractOp::create(
                  gb, gl, table,
                  ValueRange{bi, arith::DivUIOp::create(gb, gl, t, pageSize)}));
          Value page =
              arith::SelectOp::create(gb, gl, valid, entry, cIdx(gb, gl, 0));
          Value offset = arith::RemUIOp::create(gb, gl, t, pageSize);
          Value x = tensor::ExtractOp::create(gb, gl, cache,
                                              ValueRange{page, offset, h, d});
          Value zero = arith::ConstantOp::create(gb, gl, gb.getZeroAttr(elt));
          return arith::SelectOp::create(gb, gl, valid, x, zero);
        });
  };
  auto kvBlockOf = [&](OpBuilder &nb, Location nl, Value j0,
                       Value bk) -> std::pair<Value, Value> {
    return {gather(nb, nl, kc, sz.d, j0, bk),
            gather(nb, nl, vc, sz.dv, j0, bk)};
  };

  rewriter.replaceOp(op, buildAttention(b, loc, q, sz, spec, kvBlock, kvBlockOf,
                                        op.getResult().getType()));
  return success();
}
