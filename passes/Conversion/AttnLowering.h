//===- AttnLowering.h - Helpers of the loom_attn lowering ------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Shared by the lowerings of the loom_attn ops: small builders for index
// and f32 arithmetic and linalg.generic, the attention core that both
// attention ops build on, and the entry points that the pass in
// AttnToLinalg.cpp calls. Internal to passes/Conversion.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_CONVERSION_ATTNLOWERING_H
#define LOOM_PASSES_CONVERSION_ATTNLOWERING_H

#include "dialects/attn/AttnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::loom::attn {

inline Value cIdx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
inline Value cF32(OpBuilder &b, Location loc, double v) {
  return arith::ConstantFloatOp::create(b, loc, b.getF32Type(),
                                        APFloat(static_cast<float>(v)));
}
inline Value toIndex(OpBuilder &b, Location loc, Value v) {
  if (v.getType().isIndex())
    return v;
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}
/// Size `i` of tensor `t` as an index value (a constant when static, so
/// that tensors built from it keep static shapes).
inline Value dimOf(OpBuilder &b, Location loc, Value t, int64_t i) {
  return getValueOrCreateConstantIndexOp(b, loc,
                                         tensor::getMixedSize(b, loc, t, i));
}
/// A float scalar widened (or narrowed, for f64) to f32.
inline Value toF32(OpBuilder &b, Location loc, Value v) {
  Type f32 = b.getF32Type();
  if (v.getType() == f32)
    return v;
  if (v.getType().getIntOrFloatBitWidth() < 32)
    return arith::ExtFOp::create(b, loc, f32, v);
  return arith::TruncFOp::create(b, loc, f32, v);
}
inline Value fromF32(OpBuilder &b, Location loc, Value v, Type to) {
  if (to == v.getType())
    return v;
  if (to.getIntOrFloatBitWidth() < 32)
    return arith::TruncFOp::create(b, loc, to, v);
  return arith::ExtFOp::create(b, loc, to, v);
}
inline Value emptyOf(OpBuilder &b, Location loc, ArrayRef<Value> sizes,
                     Type elt) {
  SmallVector<OpFoldResult> ofr;
  for (Value s : sizes)
    ofr.push_back(getAsOpFoldResult(s));
  return tensor::EmptyOp::create(b, loc, ofr, elt);
}
inline Value filledOf(OpBuilder &b, Location loc, ArrayRef<Value> sizes,
                      Value value) {
  return linalg::FillOp::create(b, loc, value,
                                emptyOf(b, loc, sizes, value.getType()))
      .getResult(0);
}
/// `v` with the (possibly more static) type the replaced op declared.
inline Value castTo(OpBuilder &b, Location loc, Value v, Type type) {
  if (v.getType() == type)
    return v;
  return tensor::CastOp::create(b, loc, type, v);
}

//===----------------------------------------------------------------------===//
// The attention core (AttnFlashAttention.cpp), shared by attention and
// paged_attention (AttnPagedAttention.cpp)
//===----------------------------------------------------------------------===//

/// How the scores of one (batch, query head) are scaled and restricted.
struct ScoreSpec {
  Value scale; // f32
  std::optional<double> softcap;
  bool causal = false;
  std::optional<int64_t> windowLeft, windowRight; // absent: unbounded
  std::optional<int64_t> sinks;
  Attribute sparsity;
  Value mask, bias;
  /// paged_attention: [B] i32, the key count of each sequence. Keys at or
  /// past it are invisible and it stands for Skv in the alignment.
  Value seqLens;
  /// Query blocks (causal attention): these queries are rows
  /// [qOffset, qOffset + Sq) of `sqTotal`, and no row sees a key at or past
  /// `kvEnd`, where the key loop stops. Null: one block of all queries.
  Value qOffset, sqTotal, kvEnd;
};

/// Extents of the grouped iteration space [B, Hkv, G, Sq, ...].
struct Sizes {
  Value b, hq, hkv, g, sq, d, dv;
  Value skv; // keys the loop walks over
};

/// Builds the key block [B, Hkv, bk, D] and the value block [B, Hkv, bk, Dv]
/// of keys [j0, j0 + bk).
using KvBlockFn = function_ref<std::pair<Value, Value>(OpBuilder &, Location,
                                                       Value j0, Value bk)>;

/// The map from `numDims` loops to the listed loop dims.
inline AffineMap dimsMap(MLIRContext *ctx, unsigned numDims,
                         ArrayRef<unsigned> dims) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : dims)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(numDims, 0, exprs, ctx);
}

/// n parallel loops.
inline SmallVector<utils::IteratorType> parallel(unsigned n) {
  return SmallVector<utils::IteratorType>(n, utils::IteratorType::parallel);
}
/// n - 1 parallel loops and an innermost reduction.
inline SmallVector<utils::IteratorType> innerReduction(unsigned n) {
  SmallVector<utils::IteratorType> it = parallel(n);
  it.back() = utils::IteratorType::reduction;
  return it;
}

/// A generic with one result, written into `out`.
inline Value
generic(OpBuilder &b, Location loc, ValueRange ins, Value out,
        ArrayRef<AffineMap> maps, ArrayRef<utils::IteratorType> iters,
        function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  return linalg::GenericOp::create(
             b, loc, out.getType(), ins, ValueRange{out}, maps, iters,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, body(nb, nl, args));
             })
      .getResult(0);
}

/// The attributes both attention ops carry: softcap, causal, window, sinks.
template <typename OpTy> void fillScoreAttrs(OpTy op, ScoreSpec &spec) {
  if (FloatAttr softcap = op.getSoftcapAttr())
    spec.softcap = softcap.getValueAsDouble();
  spec.causal = op.getCausal();
  if (std::optional<ArrayRef<int64_t>> window = op.getWindow()) {
    if ((*window)[0] >= 0)
      spec.windowLeft = (*window)[0];
    if ((*window)[1] >= 0)
      spec.windowRight = (*window)[1];
  }
  if (IntegerAttr sinks = op.getSinksAttr())
    spec.sinks = sinks.getInt();
}

/// Hq / Hkv, folded when both are static.
Value groupSize(OpBuilder &b, Location loc, Value hq, Value hkv);
/// The scale attribute or 1/sqrt(D), computed at run time when D is
/// dynamic.
Value scaleValue(OpBuilder &b, Location loc, std::optional<double> scale,
                 Value d);
/// The first static size among `dims` (tensor, index) pairs, else the
/// first one's run-time size.
Value firstStaticDim(OpBuilder &b, Location loc,
                     ArrayRef<std::pair<Value, int64_t>> dims);

/// The online-softmax loop over blocks of `kvBlock` keys of `sz.skv`, then
/// the normalisation: returns the [B, Hq, Sq, Dv] attention output of
/// `query` ([B, Hq, Sq, D]) as `resultType`.
Value buildAttention(OpBuilder &b, Location loc, Value query, const Sizes &sz,
                     const ScoreSpec &spec, int64_t kvBlock,
                     KvBlockFn kvBlockOf, RankedTensorType resultType);

/// Replace the op by the online-softmax lowering. `kvBlock` is the number
/// of keys per step of the loop over the key sequence; with
/// `causalQueryBlocks`, causal attention also runs in blocks of as many
/// queries, each stopping its key loop at its last row's position.
LogicalResult lowerAttention(RewriterBase &rewriter, AttentionOp op,
                             int64_t kvBlock, bool causalQueryBlocks = false);
LogicalResult lowerPagedAttention(RewriterBase &rewriter, PagedAttentionOp op,
                                  int64_t kvBlock);

} // namespace mlir::loom::attn

#endif // LOOM_PASSES_CONVERSION_ATTNLOWERING_H
