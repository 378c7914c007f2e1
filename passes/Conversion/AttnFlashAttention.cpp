//===- AttnFlashAttention.cpp - attention as an online softmax ------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Lowers loom_attn.attention and loom_attn.paged_attention to a
// FlashAttention-style loop: scf.for over blocks of keys carrying the
// running row max m, the running row sum l and the f32 output accumulator;
// each step computes the block's scores with a contraction linalg.generic,
// restricts them (scale, softcap, bias, mask, causal / window / sinks,
// sparsity) in one elementwise generic, and rescales l and the accumulator
// by exp(m_old - m_new). Only a [B, Hq, Sq, block] slice of the scores
// ever exists.
//
// Grouped-query attention is a reshape: the queries [B, Hq, Sq, D] are
// viewed as [B, Hkv, G, Sq, D] (G = Hq / Hkv, query head h = hk * G + g),
// so the key and value maps simply ignore the group dimension and no
// key/value head is duplicated.
//
// Blocks that no query can see (outside every query's window, or excluded
// by the sparsity pattern for every head, sinks aside) are skipped with an
// scf.if. Causal attention runs in blocks of queries, each with a key loop
// that ends at its last row's position (no work above the diagonal). paged_attention (AttnPagedAttention.cpp) shares this core and
// only brings its own way of producing key and value blocks.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/AttnLowering.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <cmath>
#include <numeric>

using namespace mlir;
using namespace mlir::loom::attn;

namespace {

using utils::IteratorType;

/// The max used to shift exponents: a row that has seen no key yet has
/// m = -inf, and exp(-inf - -inf) would be NaN; shifting by 0 instead gives
/// exp(-inf) = 0 for its (all dropped) scores and for its rescale factor.
Value safeMax(OpBuilder &b, Location loc, Value m) {
  Value isNegInf = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, m,
                                         cF32(b, loc, -INFINITY));
  return arith::SelectOp::create(b, loc, isNegInf, cF32(b, loc, 0.0), m);
}

std::optional<int64_t> staticOf(Value v) { return getConstantIntValue(v); }

/// The indices into a mask or bias of type `type` (rank <= 4) that
/// broadcasts to the scores [B, Hq, Sq, Skv] at `scoreIdx`, numpy style:
/// a size-1 dimension reads index 0. `isOne` says, per dynamic dimension,
/// whether it is 1 at run time (computed outside the generic body).
SmallVector<Value> broadcastIndices(OpBuilder &b, Location loc,
                                    RankedTensorType type,
                                    ArrayRef<Value> isOne,
                                    ArrayRef<Value> scoreIdx) {
  int64_t rank = type.getRank();
  SmallVector<Value> idx;
  for (int64_t k = 0; k < rank; ++k) {
    Value target = scoreIdx[4 - rank + k];
    int64_t size = type.getDimSize(k);
    if (size == 1)
      idx.push_back(cIdx(b, loc, 0));
    else if (!ShapedType::isDynamic(size))
      idx.push_back(target);
    else
      idx.push_back(
          arith::SelectOp::create(b, loc, isOne[k], cIdx(b, loc, 0), target));
  }
  return idx;
}

/// Per dimension of `t`: for a dynamic one, whether it is 1 at run time (a
/// broadcast); null for a static one.
SmallVector<Value> dynamicIsOne(OpBuilder &b, Location loc, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  SmallVector<Value> isOne;
  for (int64_t k = 0; k < type.getRank(); ++k)
    isOne.push_back(
        type.isDynamicDim(k)
            ? arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                    dimOf(b, loc, t, k), cIdx(b, loc, 1))
                  .getResult()
            : Value());
  return isOne;
}

/// Whether the sparsity attribute keeps key `key` for query `i` of query
/// head `head` (all index values). Layout tables become constants.
Value buildSparsityTest(OpBuilder &b, Location loc, Attribute sparsity,
                        Value head, Value i, Value key) {
  auto eqConst = [&](Value v, int64_t c) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, v,
                                 cIdx(b, loc, c))
        .getResult();
  };
  if (auto blocks = dyn_cast<BlockSparseAttr>(sparsity)) {
    DenseElementsAttr layout = blocks.getLayout();
    if (layout.isSplat())
      return arith::ConstantIntOp::create(b, loc, b.getI1Type(),
                                          layout.getSplatValue<bool>());
    // Block indices are clamped so that a dynamic Sq or Skv larger than the
    // layout describes reads the last block instead of past the table.
    int64_t numQ = blocks.getNumQueryBlocks(), numK = blocks.getNumKeyBlocks();
    Value qb = arith::MinUIOp::create(
        b, loc,
        arith::DivUIOp::create(b, loc, i, cIdx(b, loc, blocks.getQBlock())),
        cIdx(b, loc, numQ - 1));
    Value kb = arith::MinUIOp::create(
        b, loc,
        arith::DivUIOp::create(b, loc, key, cIdx(b, loc, blocks.getKvBlock())),
        cIdx(b, loc, numK - 1));
    Value h = blocks.getNumHeads() == 1 ? cIdx(b, loc, 0) : head;
    // i8 rather than i1 storage: one byte per entry whatever the lowering
    // of i1 globals does.
    SmallVector<int8_t> bytes;
    for (bool v : layout.getValues<bool>())
      bytes.push_back(v ? 1 : 0);
    auto tableType =
        RankedTensorType::get(layout.getType().getShape(), b.getIntegerType(8));
    Value table = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(tableType, ArrayRef<int8_t>(bytes)));
    Value entry =
        tensor::ExtractOp::create(b, loc, table, ValueRange{h, qb, kb});
    return arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ne, entry,
        arith::ConstantIntOp::create(b, loc, b.getIntegerType(8), 0));
  }
  auto strided = cast<StridedAttr>(sparsity);
  Value shard = arith::RemUIOp::create(
      b, loc,
      arith::DivUIOp::create(b, loc, key, cIdx(b, loc, strided.getBlock())),
      cIdx(b, loc, strided.getStride()));
  ArrayRef<int64_t> offsets = strided.getOffsets();
  if (llvm::all_equal(offsets))
    return eqConst(shard, offsets.front());
  auto tableType =
      RankedTensorType::get({int64_t(offsets.size())}, b.getI64Type());
  Value table = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(tableType, offsets));
  Value offset =
      toIndex(b, loc, tensor::ExtractOp::create(b, loc, table, head));
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, shard, offset);
}

/// Rewrites the raw dot products `scores` [B, Hkv, G, Sq, bk] of keys
/// [j0, j0 + bk) into the scores the softmax sees: scaled, soft-capped,
/// biased, and -inf where a restriction drops them. `maskIsOne` and
/// `biasIsOne` are dynamicIsOne of the mask and the bias, computed once
/// outside the loop.
Value restrictScores(OpBuilder &b, Location loc, Value scores, Value j0,
                     const Sizes &sz, const ScoreSpec &spec,
                     ArrayRef<Value> maskIsOne, ArrayRef<Value> biasIsOne) {
  AffineMap id = b.getMultiDimIdentityMap(5);
  return generic(
      b, loc, ValueRange{}, scores, {id}, parallel(5),
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value s = arith::MulFOp::create(nb, nl, args[0], spec.scale);
        if (spec.softcap) {
          Value c = cF32(nb, nl, *spec.softcap);
          s = arith::MulFOp::create(
              nb, nl, c,
              math::TanhOp::create(nb, nl,
                                   arith::DivFOp::create(nb, nl, s, c)));
        }
        Value bi = linalg::IndexOp::create(nb, nl, 0);
        Value hk = linalg::IndexOp::create(nb, nl, 1);
        Value g = linalg::IndexOp::create(nb, nl, 2);
        Value i = linalg::IndexOp::create(nb, nl, 3);
        if (spec.qOffset)
          i = arith::AddIOp::create(nb, nl, i, spec.qOffset);
        Value key = arith::AddIOp::create(nb, nl, j0,
                                          linalg::IndexOp::create(nb, nl, 4));
        // Query head h = hk * G + g (the grouped view of the heads); only
        // the mask, the bias and the sparsity pattern need it.
        Value head;
        if (spec.mask || spec.bias || spec.sparsity)
          head = arith::AddIOp::create(
              nb, nl, arith::MulIOp::create(nb, nl, hk, sz.g), g);
        SmallVector<Value> scoreIdx = {bi, head, i, key};

        if (spec.bias) {
          auto type = cast<RankedTensorType>(spec.bias.getType());
          Value bias = tensor::ExtractOp::create(
              nb, nl, spec.bias,
              broadcastIndices(nb, nl, type, biasIsOne, scoreIdx));
          s = arith::AddFOp::create(nb, nl, s, toF32(nb, nl, bias));
        }

        Value visible;
        auto require = [&](Value cond) {
          visible =
              visible ? arith::AndIOp::create(nb, nl, visible, cond) : cond;
        };
        auto cmp = [&](arith::CmpIPredicate p, Value l, Value r) {
          return arith::CmpIOp::create(nb, nl, p, l, r).getResult();
        };
        if (spec.mask) {
          auto type = cast<RankedTensorType>(spec.mask.getType());
          Value m = tensor::ExtractOp::create(
              nb, nl, spec.mask,
              broadcastIndices(nb, nl, type, maskIsOne, scoreIdx));
          if (type.getElementType().isInteger(1))
            require(m);
          else
            s = arith::AddFOp::create(nb, nl, s, toF32(nb, nl, m));
        }

        Value skv = sz.skv;
        if (spec.seqLens) {
          skv = toIndex(
              nb, nl,
              tensor::ExtractOp::create(nb, nl, spec.seqLens, ValueRange{bi}));
          require(cmp(arith::CmpIPredicate::slt, key, skv));
        }
        // Bottom-right alignment: query i sits at position i + Skv - Sq
        // (signed: Skv may be smaller than Sq).
        Value pos;
        if (spec.causal || spec.windowLeft || spec.windowRight)
          pos = arith::AddIOp::create(
              nb, nl, i,
              arith::SubIOp::create(nb, nl, skv,
                                    spec.sqTotal ? spec.sqTotal : sz.sq));
        if (spec.causal)
          require(cmp(arith::CmpIPredicate::sle, key, pos));

        // The window and the sparsity pattern, which sinks override.
        Value relaxable;
        auto restrictRelaxable = [&](Value cond) {
          relaxable =
              relaxable ? arith::AndIOp::create(nb, nl, relaxable, cond) : cond;
        };
        if (spec.windowLeft)
          restrictRelaxable(
              cmp(arith::CmpIPredicate::sge, key,
                  arith::SubIOp::create(nb, nl, pos,
                                        cIdx(nb, nl, *spec.windowLeft))));
        if (spec.windowRight)
          restrictRelaxable(
              cmp(arith::CmpIPredicate::sle, key,
                  arith::AddIOp::create(nb, nl, pos,
                                        cIdx(nb, nl, *spec.windowRight))));
        if (spec.sparsity)
          restrictRelaxable(
              buildSparsityTest(nb, nl, spec.sparsity, head, i, key));
        if (relaxable && spec.sinks)
          relaxable = arith::OrIOp::create(
              nb, nl, relaxable,
              cmp(arith::CmpIPredicate::slt, key, cIdx(nb, nl, *spec.sinks)));
        if (relaxable)
          require(relaxable);

        if (visible)
          s = arith::SelectOp::create(nb, nl, visible, s,
                                      cF32(nb, nl, -INFINITY));
        return s;
      });
}

/// Whether any query may see a key of block [j0, j0 + bk), or null when
/// every block may matter. Only restrictions that hold for all rows are
/// used: a window whose left edge (for the first query) lies past the
/// block, and a sparsity pattern that excludes the block for every head and
/// query block; sinks inside the block keep it. The sparsity test assumes
/// the loop `step` is a multiple of the pattern's key block (see
/// lowerAttention) or that the loop has a single block.
Value buildBlockNeeded(OpBuilder &b, Location loc, Value j0, Value bk,
                       int64_t step, const Sizes &sz, const ScoreSpec &spec) {
  Value needed;
  auto require = [&](Value cond) {
    needed = needed ? arith::AndIOp::create(b, loc, needed, cond) : cond;
  };
  // (paged_attention's alignment differs per sequence: no window test.)
  if (spec.windowLeft && !spec.seqLens) {
    Value lastKey = arith::SubIOp::create(
        b, loc, arith::AddIOp::create(b, loc, j0, bk), cIdx(b, loc, 1));
    Value firstLow = arith::SubIOp::create(
        b, loc,
        arith::SubIOp::create(b, loc, sz.skv,
                              spec.sqTotal ? spec.sqTotal : sz.sq),
        cIdx(b, loc, *spec.windowLeft));
    require(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, lastKey,
                                  firstLow));
  }
  if (spec.sparsity) {
    // Whether any head and query block sees a key of loop block n, one
    // byte per n: the loop step covers r pattern blocks (the step is a
    // multiple of the pattern's block, or a single block at j0 = 0). The
    // table is indexed by j0 / step, clamped for block_sparse and modulo
    // its period for strided.
    SmallVector<int8_t> table;
    Value n = arith::DivUIOp::create(b, loc, j0, cIdx(b, loc, step)), index;
    if (auto blocks = dyn_cast<BlockSparseAttr>(spec.sparsity)) {
      int64_t numKeys = blocks.getNumKeyBlocks();
      int64_t r = llvm::divideCeil(step, blocks.getKvBlock());
      table.assign(llvm::divideCeil(numKeys, r), 0);
      for (int64_t h = 0; h < blocks.getNumHeads(); ++h)
        for (int64_t qb = 0; qb < blocks.getNumQueryBlocks(); ++qb)
          for (int64_t kb = 0; kb < numKeys; ++kb)
            table[kb / r] |= blocks.isBlockVisible(h, qb, kb);
      index = arith::MinUIOp::create(b, loc, n,
                                     cIdx(b, loc, int64_t(table.size()) - 1));
    } else {
      auto strided = cast<StridedAttr>(spec.sparsity);
      int64_t stride = strided.getStride();
      int64_t r = llvm::divideCeil(step, strided.getBlock());
      SmallVector<int8_t> seen(stride, 0);
      for (int64_t offset : strided.getOffsets())
        seen[offset] = 1;
      table.assign(stride / std::gcd(r, stride), 0);
      for (int64_t m = 0; m < int64_t(table.size()); ++m)
        for (int64_t t = 0; t < r; ++t)
          table[m] |= seen[(m * r + t) % stride];
      index = arith::RemUIOp::create(b, loc, n,
                                     cIdx(b, loc, int64_t(table.size())));
    }
    if (!llvm::all_of(table, [](int8_t v) { return v; })) {
      auto type =
          RankedTensorType::get({int64_t(table.size())}, b.getIntegerType(8));
      Value visible = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(type, ArrayRef<int8_t>(table)));
      require(arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::ne,
          tensor::ExtractOp::create(b, loc, visible, index),
          arith::ConstantIntOp::create(b, loc, b.getIntegerType(8), 0)));
    }
  }
  if (needed && spec.sinks)
    needed = arith::OrIOp::create(
        b, loc, needed,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, j0,
                              cIdx(b, loc, *spec.sinks)));
  return needed;
}

/// The online-softmax loop over blocks of `kvBlock` keys. `qg` is the
/// grouped query [B, Hkv, G, Sq, D]; returns the unnormalised f32
/// accumulator [B, Hkv, G, Sq, Dv] and the row sums [B, Hkv, G, Sq].
std::pair<Value, Value> buildOnlineSoftmax(OpBuilder &b, Location loc, Value qg,
                                           const Sizes &sz,
                                           const ScoreSpec &spec,
                                           int64_t kvBlock,
                                           KvBlockFn kvBlockOf) {
  MLIRContext *ctx = b.getContext();
  SmallVector<Value> maskIsOne, biasIsOne;
  if (spec.mask)
    maskIsOne = dynamicIsOne(b, loc, spec.mask);
  if (spec.bias)
    biasIsOne = dynamicIsOne(b, loc, spec.bias);
  Value negInf = cF32(b, loc, -INFINITY), zero = cF32(b, loc, 0.0);
  SmallVector<Value> rowSizes = {sz.b, sz.hkv, sz.g, sz.sq};
  SmallVector<Value> accSizes = {sz.b, sz.hkv, sz.g, sz.sq, sz.dv};
  Value m0 = filledOf(b, loc, rowSizes, negInf);
  Value l0 = filledOf(b, loc, rowSizes, zero);
  Value acc0 = filledOf(b, loc, accSizes, zero);

  // With a static key count that the block size divides (or a single
  // block), every block has a static size; otherwise the last is a tail.
  std::optional<int64_t> staticBlock;
  if (std::optional<int64_t> skv = staticOf(sz.skv)) {
    int64_t eff = std::max<int64_t>(1, std::min(kvBlock, *skv));
    if (*skv % eff == 0)
      staticBlock = eff;
    kvBlock = eff;
  }
  Value step = cIdx(b, loc, kvBlock);
  // A query block's key loop ends at spec.kvEnd, rounded up to whole blocks
  // when they are static (the keys past kvEnd in the last one are dropped
  // by `causal` anyway).
  Value kvEnd = sz.skv;
  if (spec.kvEnd && staticBlock)
    kvEnd = arith::MinSIOp::create(
        b, loc, sz.skv,
        arith::MulIOp::create(
            b, loc, arith::CeilDivSIOp::create(b, loc, spec.kvEnd, step),
            step));
  else if (spec.kvEnd)
    kvEnd = spec.kvEnd;

  // Loops (b, hk, g, i, j) over a block of scores, plus d or dv.
  AffineMap id4 = b.getMultiDimIdentityMap(4);
  AffineMap id5 = b.getMultiDimIdentityMap(5);
  AffineMap row5 = dimsMap(ctx, 5, {0, 1, 2, 3});

  // One step of the online softmax: the updated (m, l, acc).
  auto update = [&](OpBuilder &nb, Location nl, Value j0, Value bk,
                    ValueRange iter) -> SmallVector<Value> {
    Value mOld = iter[0], lOld = iter[1], accOld = iter[2];
    auto [kBlock, vBlock] = kvBlockOf(nb, nl, j0, bk);

    // S = Q K^T over (b, hk, g, i, j, d): the key ignores g.
    Value s0 =
        filledOf(nb, nl, {sz.b, sz.hkv, sz.g, sz.sq, bk}, cF32(nb, nl, 0.0));
    Value s = generic(
        nb, nl, ValueRange{qg, kBlock}, s0,
        {dimsMap(ctx, 6, {0, 1, 2, 3, 5}), dimsMap(ctx, 6, {0, 1, 4, 5}),
         dimsMap(ctx, 6, {0, 1, 2, 3, 4})},
        innerReduction(6), [&](OpBuilder &gb, Location gl, ValueRange a) {
          Value prod = arith::MulFOp::create(gb, gl, toF32(gb, gl, a[0]),
                                             toF32(gb, gl, a[1]));
          return arith::AddFOp::create(gb, gl, a[2], prod).getResult();
        });
    s = restrictScores(nb, nl, s, j0, sz, spec, maskIsOne, biasIsOne);

    // Every update below writes into its loop-carried tensor (outs =
    // the iter_arg, after the old value's last read), so that one-shot
    // bufferization keeps m, l and acc in place across iterations.
    //
    // The block's row max, then m_new = max(m_old, it) together with
    // alpha = exp(m_old - m_new), the factor that rescales what earlier
    // blocks summed.
    Value blockMax = generic(
        nb, nl, ValueRange{s},
        filledOf(nb, nl, rowSizes, cF32(nb, nl, -INFINITY)), {id5, row5},
        innerReduction(5), [&](OpBuilder &gb, Location gl, ValueRange a) {
          return arith::MaximumFOp::create(gb, gl, a[1], a[0]).getResult();
        });
    auto update = linalg::GenericOp::create(
        nb, nl, TypeRange{mOld.getType(), mOld.getType()}, ValueRange{blockMax},
        ValueRange{mOld, emptyOf(nb, nl, rowSizes, nb.getF32Type())},
        {id4, id4, id4}, parallel(4),
        [&](OpBuilder &gb, Location gl, ValueRange a) {
          Value m = arith::MaximumFOp::create(gb, gl, a[1], a[0]);
          Value alpha = math::ExpOp::create(
              gb, gl, arith::SubFOp::create(gb, gl, a[1], safeMax(gb, gl, m)));
          linalg::YieldOp::create(gb, gl, ValueRange{m, alpha});
        });
    Value mNew = update.getResult(0), alpha = update.getResult(1);
    // P = exp(s - m_new), in place of the scores.
    Value p = generic(nb, nl, ValueRange{mNew}, s, {row5, id5}, parallel(5),
                      [&](OpBuilder &gb, Location gl, ValueRange a) {
                        Value shifted = arith::SubFOp::create(
                            gb, gl, a[1], safeMax(gb, gl, a[0]));
                        return math::ExpOp::create(gb, gl, shifted).getResult();
                      });
    auto scaleBy = [&](OpBuilder &gb, Location gl, ValueRange a) {
      return arith::MulFOp::create(gb, gl, a[1], a[0]).getResult();
    };
    // l_new = alpha * l_old + sum_j P.
    Value lScaled = generic(nb, nl, ValueRange{alpha}, lOld, {id4, id4},
                            parallel(4), scaleBy);
    Value lNew =
        generic(nb, nl, ValueRange{p}, lScaled, {id5, row5}, innerReduction(5),
                [&](OpBuilder &gb, Location gl, ValueRange a) {
                  return arith::AddFOp::create(gb, gl, a[1], a[0]).getResult();
                });
    // acc_new = alpha * acc_old + P V over (b, hk, g, i, dv, j).
    Value accScaled = generic(nb, nl, ValueRange{alpha}, accOld, {row5, id5},
                              parallel(5), scaleBy);
    Value accNew = generic(
        nb, nl, ValueRange{p, vBlock}, accScaled,
        {dimsMap(ctx, 6, {0, 1, 2, 3, 5}), dimsMap(ctx, 6, {0, 1, 5, 4}),
         dimsMap(ctx, 6, {0, 1, 2, 3, 4})},
        innerReduction(6), [&](OpBuilder &gb, Location gl, ValueRange a) {
          Value prod = arith::MulFOp::create(gb, gl, a[0], toF32(gb, gl, a[1]));
          return arith::AddFOp::create(gb, gl, a[2], prod).getResult();
        });
    return {mNew, lNew, accNew};
  };

  auto loop = scf::ForOp::create(
      b, loc, cIdx(b, loc, 0), kvEnd, step, ValueRange{m0, l0, acc0},
      [&](OpBuilder &nb, Location nl, Value j0, ValueRange iter) {
        Value bk = staticBlock ? cIdx(nb, nl, *staticBlock)
                               : arith::MinSIOp::create(
                                     nb, nl, step,
                                     arith::SubIOp::create(nb, nl, kvEnd, j0))
                                     .getResult();
        Value needed = buildBlockNeeded(nb, nl, j0, bk, kvBlock, sz, spec);
        if (!needed) {
          scf::YieldOp::create(nb, nl, update(nb, nl, j0, bk, iter));
          return;
        }
        // A block that no query can see is skipped: the state passes
        // through unchanged.
        auto skip = scf::IfOp::create(
            nb, nl, needed,
            [&](OpBuilder &tb, Location tl) {
              scf::YieldOp::create(tb, tl, update(tb, tl, j0, bk, iter));
            },
            [&](OpBuilder &eb, Location el) {
              scf::YieldOp::create(eb, el, iter);
            });
        scf::YieldOp::create(nb, nl, skip.getResults());
      });

  return {loop.getResult(2), loop.getResult(1)};
}

/// Whether the heads can be regrouped with reshapes. expand-strided-metadata
/// (LLVM 22) crashes on a memref.expand_shape whose group has two dynamic
/// sizes, so when Hkv and G are both dynamic the queries and the result
/// are copied through linalg.index arithmetic instead.
bool canReshapeHeads(const Sizes &sz) {
  return staticOf(sz.hkv) || staticOf(sz.g);
}

/// [B, Hq, Sq, D] viewed as [B, Hkv, G, Sq, D].
Value groupQueries(OpBuilder &b, Location loc, Value q, const Sizes &sz) {
  auto qType = cast<RankedTensorType>(q.getType());
  if (!canReshapeHeads(sz)) {
    Value init = emptyOf(b, loc, {sz.b, sz.hkv, sz.g, sz.sq, sz.d},
                         qType.getElementType());
    return generic(
        b, loc, ValueRange{}, init, {b.getMultiDimIdentityMap(5)}, parallel(5),
        [&](OpBuilder &gb, Location gl, ValueRange) -> Value {
          SmallVector<Value> idx;
          for (int64_t i = 0; i < 5; ++i)
            idx.push_back(linalg::IndexOp::create(gb, gl, i));
          Value head = arith::AddIOp::create(
              gb, gl, arith::MulIOp::create(gb, gl, idx[1], sz.g), idx[2]);
          return tensor::ExtractOp::create(
              gb, gl, q, ValueRange{idx[0], head, idx[3], idx[4]});
        });
  }
  SmallVector<OpFoldResult> shape = {
      getAsOpFoldResult(sz.b), getAsOpFoldResult(sz.hkv),
      getAsOpFoldResult(sz.g), getAsOpFoldResult(sz.sq),
      getAsOpFoldResult(sz.d)};
  SmallVector<int64_t> staticShape;
  for (OpFoldResult s : shape)
    staticShape.push_back(
        getConstantIntValue(s).value_or(ShapedType::kDynamic));
  // expand_shape wants the head dim dynamic unless both parts are static.
  SmallVector<int64_t> srcShape(qType.getShape());
  srcShape[1] = ShapedType::isDynamic(staticShape[1]) ||
                        ShapedType::isDynamic(staticShape[2])
                    ? ShapedType::kDynamic
                    : staticShape[1] * staticShape[2];
  q = castTo(b, loc, q, qType.clone(srcShape));
  auto type = RankedTensorType::get(staticShape, qType.getElementType());
  return tensor::ExpandShapeOp::create(
      b, loc, type, q, SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}},
      shape);
}

/// out = acc / l (zeros for a row that saw no key, l = 0), rounded to the
/// result's element type and laid out as the op's [B, Hq, Sq, Dv].
Value normalize(OpBuilder &b, Location loc, Value acc, Value l, const Sizes &sz,
                RankedTensorType resultType) {
  Type outElt = resultType.getElementType();
  auto divide = [&](OpBuilder &gb, Location gl, Value a, Value sum) {
    Value empty = arith::CmpFOp::create(gb, gl, arith::CmpFPredicate::OEQ, sum,
                                        cF32(gb, gl, 0.0));
    Value o = arith::SelectOp::create(gb, gl, empty, cF32(gb, gl, 0.0),
                                      arith::DivFOp::create(gb, gl, a, sum));
    return fromF32(gb, gl, o, outElt);
  };
  if (!canReshapeHeads(sz)) {
    Value init = emptyOf(b, loc, {sz.b, sz.hq, sz.sq, sz.dv}, outElt);
    Value out = generic(
        b, loc, ValueRange{}, init, {b.getMultiDimIdentityMap(4)}, parallel(4),
        [&](OpBuilder &gb, Location gl, ValueRange) -> Value {
          SmallVector<Value> idx;
          for (int64_t i = 0; i < 4; ++i)
            idx.push_back(linalg::IndexOp::create(gb, gl, i));
          Value hk = arith::DivUIOp::create(gb, gl, idx[1], sz.g);
          Value g = arith::RemUIOp::create(gb, gl, idx[1], sz.g);
          Value a = tensor::ExtractOp::create(
              gb, gl, acc, ValueRange{idx[0], hk, g, idx[2], idx[3]});
          Value sum = tensor::ExtractOp::create(
              gb, gl, l, ValueRange{idx[0], hk, g, idx[2]});
          return divide(gb, gl, a, sum);
        });
    return castTo(b, loc, out, resultType);
  }
  AffineMap id5 = b.getMultiDimIdentityMap(5);
  AffineMap row5 = dimsMap(b.getContext(), 5, {0, 1, 2, 3});
  Value out =
      generic(b, loc, ValueRange{acc, l},
              emptyOf(b, loc, {sz.b, sz.hkv, sz.g, sz.sq, sz.dv}, outElt),
              {id5, row5, id5}, parallel(5),
              [&](OpBuilder &gb, Location gl, ValueRange a) {
                return divide(gb, gl, a[0], a[1]);
              });
  Value collapsed = tensor::CollapseShapeOp::create(
      b, loc, out, SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
  return castTo(b, loc, collapsed, resultType);
}

} // namespace

/// Hq / Hkv, folded when both are static.
Value mlir::loom::attn::groupSize(OpBuilder &b, Location loc, Value hq,
                                  Value hkv) {
  std::optional<int64_t> sq = staticOf(hq), skv = staticOf(hkv);
  if (sq && skv && *skv != 0)
    return cIdx(b, loc, *sq / *skv);
  return arith::DivUIOp::create(b, loc, hq, hkv);
}

/// The scale attribute or 1/sqrt(D), computed at run time when D is
/// dynamic.
Value mlir::loom::attn::scaleValue(OpBuilder &b, Location loc,
                                   std::optional<double> scale, Value d) {
  if (scale)
    return cF32(b, loc, *scale);
  Value df = arith::UIToFPOp::create(
      b, loc, b.getF32Type(),
      arith::IndexCastUIOp::create(b, loc, b.getI64Type(), d));
  return arith::DivFOp::create(b, loc, cF32(b, loc, 1.0),
                               math::SqrtOp::create(b, loc, df));
}

/// The first static size among `dims` (tensor, index) pairs, else the
/// first one's run-time size.
Value mlir::loom::attn::firstStaticDim(
    OpBuilder &b, Location loc, ArrayRef<std::pair<Value, int64_t>> dims) {
  for (auto [t, i] : dims)
    if (!cast<RankedTensorType>(t.getType()).isDynamicDim(i))
      return dimOf(b, loc, t, i);
  return dimOf(b, loc, dims.front().first, dims.front().second);
}

Value mlir::loom::attn::buildAttention(OpBuilder &b, Location loc, Value query,
                                       const Sizes &sz, const ScoreSpec &spec,
                                       int64_t kvBlock, KvBlockFn kvBlockOf,
                                       RankedTensorType resultType) {
  Value qg = groupQueries(b, loc, query, sz);
  auto [acc, l] = buildOnlineSoftmax(b, loc, qg, sz, spec, kvBlock, kvBlockOf);
  return normalize(b, loc, acc, l, sz, resultType);
}

LogicalResult mlir::loom::attn::lowerAttention(RewriterBase &rewriter,
                                               AttentionOp op,
                                               int64_t kvBlock,
                                               bool causalQueryBlocks) {
  OpBuilder &b = rewriter;
  Location loc = op.getLoc();
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();

  Sizes sz;
  sz.b = firstStaticDim(b, loc, {{q, 0}, {k, 0}, {v, 0}});
  sz.hkv = firstStaticDim(b, loc, {{k, 1}, {v, 1}});
  sz.hq = dimOf(b, loc, q, 1);
  sz.g = groupSize(b, loc, sz.hq, sz.hkv);
  sz.sq = dimOf(b, loc, q, 2);
  sz.d = firstStaticDim(b, loc, {{q, 3}, {k, 3}});
  sz.dv = dimOf(b, loc, v, 3);
  sz.skv = firstStaticDim(b, loc, {{k, 2}, {v, 2}});

  ScoreSpec spec;
  spec.scale = scaleValue(b, loc, op.getScaleOrDefault(), sz.d);
  fillScoreAttrs(op, spec);
  spec.sparsity = op.getSparsityAttr();
  // Step by a multiple of the pattern's key block, so that each loop block
  // covers whole pattern blocks and one the pattern excludes everywhere
  // can be skipped.
  int64_t patternBlock = 0;
  if (auto blocks = dyn_cast_or_null<BlockSparseAttr>(spec.sparsity))
    patternBlock = blocks.getKvBlock();
  else if (auto strided = dyn_cast_or_null<StridedAttr>(spec.sparsity))
    patternBlock = strided.getBlock();
  if (patternBlock)
    kvBlock = patternBlock * std::max<int64_t>(1, kvBlock / patternBlock);
  spec.mask = op.getMask();
  spec.bias = op.getBias();

  // The blocks are slices of the keys and values.
  auto kvBlockOf = [&](OpBuilder &nb, Location nl, Value j0,
                       Value bk) -> std::pair<Value, Value> {
    OpFoldResult zero = nb.getIndexAttr(0), one = nb.getIndexAttr(1);
    SmallVector<OpFoldResult> offsets = {zero, zero, j0, zero};
    SmallVector<OpFoldResult> strides(4, one);
    auto slice = [&](Value t, Value headDim) {
      return tensor::ExtractSliceOp::create(
                 nb, nl, t, offsets,
                 {getAsOpFoldResult(sz.b), getAsOpFoldResult(sz.hkv),
                  getAsOpFoldResult(bk), getAsOpFoldResult(headDim)},
                 strides)
          .getResult();
    };
    return {slice(k, sz.d), slice(v, sz.dv)};
  };

  RankedTensorType resultType = op.getResult().getType();
  // Causal attention in query blocks of kvBlock rows: block [q0, q0 + bq)
  // sees keys below q0 + bq + Skv - Sq only, so the key loop of each block
  // stops there and the fully masked key blocks above the diagonal are
  // never computed (about half of a prefill).
  std::optional<int64_t> sqStatic = staticOf(sz.sq);
  if (!causalQueryBlocks || !op.getCausal() || spec.sparsity ||
      (sqStatic && *sqStatic <= kvBlock)) {
    rewriter.replaceOp(op, buildAttention(b, loc, q, sz, spec, kvBlock,
                                          kvBlockOf, resultType));
    return success();
  }
  // Static query blocks when they divide a static Sq.
  std::optional<int64_t> staticQBlock;
  if (sqStatic && *sqStatic % kvBlock == 0)
    staticQBlock = kvBlock;
  SmallVector<int64_t> blockShape(resultType.getShape());
  blockShape[2] = staticQBlock ? *staticQBlock : ShapedType::kDynamic;
  auto blockType = RankedTensorType::get(blockShape, resultType.getElementType());
  SmallVector<OpFoldResult> outSizes = {
      getAsOpFoldResult(sz.b), getAsOpFoldResult(sz.hq),
      getAsOpFoldResult(sz.sq), getAsOpFoldResult(sz.dv)};
  Value out =
      tensor::EmptyOp::create(b, loc, outSizes, resultType.getElementType());
  if (out.getType() != resultType)
    out = tensor::CastOp::create(b, loc, resultType, out);
  Value qStep = cIdx(b, loc, kvBlock);
  auto loop = scf::ForOp::create(
      b, loc, cIdx(b, loc, 0), sz.sq, qStep, ValueRange{out},
      [&](OpBuilder &nb, Location nl, Value q0, ValueRange iter) {
        Value bq = staticQBlock
                       ? qStep
                       : arith::MinSIOp::create(
                             nb, nl, qStep,
                             arith::SubIOp::create(nb, nl, sz.sq, q0))
                             .getResult();
        OpFoldResult zero = nb.getIndexAttr(0), one = nb.getIndexAttr(1);
        SmallVector<OpFoldResult> offsets = {zero, zero, q0, zero};
        SmallVector<OpFoldResult> strides(4, one);
        Value qBlock = tensor::ExtractSliceOp::create(
            nb, nl, q, offsets,
            {getAsOpFoldResult(sz.b), getAsOpFoldResult(sz.hq),
             getAsOpFoldResult(bq), getAsOpFoldResult(sz.d)},
            strides);
        Sizes bsz = sz;
        bsz.sq = bq;
        ScoreSpec bspec = spec;
        bspec.qOffset = q0;
        bspec.sqTotal = sz.sq;
        // Keys up to the last row's position q0 + bq - 1 + Skv - Sq, clamped
        // to [0, Skv].
        Value end = arith::AddIOp::create(
            nb, nl, arith::AddIOp::create(nb, nl, q0, bq),
            arith::SubIOp::create(nb, nl, sz.skv, sz.sq));
        end = arith::MinSIOp::create(nb, nl, end, sz.skv);
        bspec.kvEnd = arith::MaxSIOp::create(nb, nl, end, cIdx(nb, nl, 0));
        Value r = buildAttention(nb, nl, qBlock, bsz, bspec, kvBlock,
                                 kvBlockOf, blockType);
        Value updated = tensor::InsertSliceOp::create(
            nb, nl, r, iter[0], offsets,
            {getAsOpFoldResult(sz.b), getAsOpFoldResult(sz.hq),
             getAsOpFoldResult(bq), getAsOpFoldResult(sz.dv)},
            strides);
        scf::YieldOp::create(nb, nl, updated);
      });
  rewriter.replaceOp(op, loop.getResult(0));
  return success();
}
