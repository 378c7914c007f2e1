//===- AttnLowering.h - Helpers of the loom_attn lowering ------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Shared by the lowerings of the loom_attn ops: small builders for index
// and f32 arithmetic, and the entry points of the two attention lowerings
// (AttnFlashAttention.cpp), which the pass in AttnToLinalg.cpp calls.
// Internal to passes/Conversion.
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

/// Replace the op by the online-softmax lowering (see
/// AttnFlashAttention.cpp). `kvBlock` is the number of keys per step of the
/// loop over the key sequence.
LogicalResult lowerAttention(RewriterBase &rewriter, AttentionOp op,
                             int64_t kvBlock);
LogicalResult lowerPagedAttention(RewriterBase &rewriter, PagedAttentionOp op,
                                  int64_t kvBlock);

} // namespace mlir::loom::attn

#endif // LOOM_PASSES_CONVERSION_ATTNLOWERING_H
