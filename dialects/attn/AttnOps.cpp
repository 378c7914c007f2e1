//===- AttnOps.cpp - Verifiers and builders of loom_attn ops --------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "dialects/attn/AttnDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom::attn;

#define GET_OP_CLASSES
#include "dialects/attn/AttnOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Shared checks
//===----------------------------------------------------------------------===//

namespace {

/// One dimension of one operand, named for diagnostics.
struct Dim {
  StringRef operand;
  ShapedType type;
  unsigned index;

  int64_t size() const { return type.getDimSize(index); }
  bool isStatic() const { return !ShapedType::isDynamic(size()); }
};

/// Dynamic dims agree with anything: the verifier checks only what the
/// types pin down, and the lowerings check the rest at run time.
LogicalResult expectSame(Operation *op, StringRef what, Dim lhs, Dim rhs) {
  if (!lhs.isStatic() || !rhs.isStatic() || lhs.size() == rhs.size())
    return success();
  return op->emitOpError() << what << " of " << lhs.operand << " ("
                           << lhs.size() << ") differs from " << rhs.operand
                           << " (" << rhs.size() << ")";
}

/// Grouped-query attention: every key/value head serves the same number of
/// query heads. `kv` and `kvOther` are the head dims of the key and value
/// (already checked equal), so whichever is static decides.
LogicalResult expectGroupedHeads(Operation *op, Dim query, Dim kv,
                                 Dim kvOther) {
  Dim kvStatic = kv.isStatic() ? kv : kvOther;
  if (!query.isStatic() || !kvStatic.isStatic())
    return success();
  int64_t h = query.size(), hkv = kvStatic.size();
  if (hkv == 0 ? h == 0 : h % hkv == 0)
    return success();
  return op->emitOpError() << "query heads (" << h
                           << ") must be a multiple of key/value heads ("
                           << hkv << ")";
}

LogicalResult expectSameElementType(Operation *op, StringRef lhsName,
                                    ShapedType lhs, StringRef rhsName,
                                    ShapedType rhs) {
  if (lhs.getElementType() == rhs.getElementType())
    return success();
  return op->emitOpError() << lhsName << " and " << rhsName
                           << " must have the same element type, got "
                           << lhs.getElementType() << " and "
                           << rhs.getElementType();
}

LogicalResult verifyScale(Operation *op, FloatAttr scale) {
  if (!scale)
    return success();
  double value = scale.getValueAsDouble();
  if (value > 0 && std::isfinite(value))
    return success();
  return op->emitOpError() << "scale must be positive and finite, got "
                           << value;
}

/// The attribute if set, else 1/sqrt(headDim) if that is known.
std::optional<double> staticScale(FloatAttr scale, int64_t headDim) {
  if (scale)
    return scale.getValueAsDouble();
  if (ShapedType::isDynamic(headDim) || headDim <= 0)
    return std::nullopt;
  return 1.0 / std::sqrt(static_cast<double>(headDim));
}

} // namespace

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

void AttentionOp::build(OpBuilder &builder, OperationState &state,
                        Value query, Value key, Value value, Value mask,
                        FloatAttr scale, PatternAttr pattern) {
  auto queryType = cast<RankedTensorType>(query.getType());
  auto valueType = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t, 4> shape(queryType.getShape());
  shape[3] = valueType.getDimSize(3);
  build(builder, state,
        RankedTensorType::get(shape, queryType.getElementType()), query, key,
        value, mask, scale, pattern);
}

LogicalResult AttentionOp::verify() {
  Operation *op = getOperation();
  auto q = cast<ShapedType>(getQuery().getType());
  auto k = cast<ShapedType>(getKey().getType());
  auto v = cast<ShapedType>(getValue().getType());
  auto r = cast<ShapedType>(getResult().getType());
  // Dims are [batch, heads, seq, head_dim] for all four.
  auto qd = [&](unsigned i) { return Dim{"query", q, i}; };
  auto kd = [&](unsigned i) { return Dim{"key", k, i}; };
  auto vd = [&](unsigned i) { return Dim{"value", v, i}; };
  auto rd = [&](unsigned i) { return Dim{"result", r, i}; };

  if (failed(expectSameElementType(op, "query", q, "key", k)) ||
      failed(expectSame(op, "batch", kd(0), qd(0))) ||
      failed(expectSame(op, "batch", vd(0), qd(0))) ||
      failed(expectSame(op, "batch", rd(0), qd(0))) ||
      failed(expectSame(op, "heads", vd(1), kd(1))) ||
      failed(expectSame(op, "heads", rd(1), qd(1))) ||
      failed(expectGroupedHeads(op, qd(1), kd(1), vd(1))) ||
      failed(expectSame(op, "sequence length", vd(2), kd(2))) ||
      failed(expectSame(op, "sequence length", rd(2), qd(2))) ||
      failed(expectSame(op, "head dim", kd(3), qd(3))) ||
      failed(expectSame(op, "head dim", rd(3), vd(3))) ||
      failed(verifyScale(op, getScaleAttr())))
    return failure();

  if (Value mask = getMask()) {
    auto m = cast<ShapedType>(mask.getType());
    auto md = [&](unsigned i) { return Dim{"mask", m, i}; };
    // Batch and heads broadcast from 1; the score dims must be exact.
    if ((m.getDimSize(0) != 1 &&
         failed(expectSame(op, "batch", md(0), qd(0)))) ||
        (m.getDimSize(1) != 1 &&
         failed(expectSame(op, "heads", md(1), qd(1)))) ||
        failed(expectSame(op, "query length", md(2), qd(2))) ||
        failed(expectSame(op, "key length", md(3), kd(2))) ||
        failed(expectSame(op, "key length", md(3), vd(2))))
      return failure();
  }

  // With the queries aligned to the end of the keys, a causal query i sees
  // keys 0 .. i + Skv - Sq; more queries than keys leaves the first rows of
  // the softmax empty.
  if (PatternAttr pattern = getPatternAttr(); pattern && pattern.getCausal()) {
    int64_t sq = q.getDimSize(2);
    Dim kvLen = kd(2).isStatic() ? kd(2) : vd(2);
    if (!ShapedType::isDynamic(sq) && kvLen.isStatic() && sq > kvLen.size())
      return emitOpError() << "causal pattern needs at least as many keys ("
                           << kvLen.size() << ") as queries (" << sq << ")";
  }
  return success();
}

std::optional<double> AttentionOp::getStaticScale() {
  return staticScale(getScaleAttr(),
                     cast<ShapedType>(getQuery().getType()).getDimSize(3));
}

//===----------------------------------------------------------------------===//
// PagedDecodeOp
//===----------------------------------------------------------------------===//

LogicalResult PagedDecodeOp::verify() {
  Operation *op = getOperation();
  auto q = cast<ShapedType>(getQuery().getType());
  auto kc = cast<ShapedType>(getKeyCache().getType());
  auto vc = cast<ShapedType>(getValueCache().getType());
  auto table = cast<ShapedType>(getBlockTable().getType());
  auto lens = cast<ShapedType>(getSeqLens().getType());
  auto r = cast<ShapedType>(getResult().getType());
  // query and result: [batch, heads, head_dim];
  // caches: [num_blocks, block_size, kv_heads, head_dim].
  auto qd = [&](unsigned i) { return Dim{"query", q, i}; };
  auto kd = [&](unsigned i) { return Dim{"key_cache", kc, i}; };
  auto vd = [&](unsigned i) { return Dim{"value_cache", vc, i}; };
  auto rd = [&](unsigned i) { return Dim{"result", r, i}; };

  if (failed(expectSameElementType(op, "query", q, "key_cache", kc)) ||
      failed(expectSame(op, "number of blocks", vd(0), kd(0))) ||
      failed(expectSame(op, "block size", vd(1), kd(1))) ||
      failed(expectSame(op, "heads", vd(2), kd(2))) ||
      failed(expectSame(op, "head dim", kd(3), qd(2))) ||
      failed(expectSame(op, "head dim", rd(2), vd(3))) ||
      failed(expectSame(op, "batch", Dim{"block_table", table, 0}, qd(0))) ||
      failed(expectSame(op, "batch", Dim{"seq_lens", lens, 0}, qd(0))) ||
      failed(expectSame(op, "batch", rd(0), qd(0))) ||
      failed(expectSame(op, "heads", rd(1), qd(1))) ||
      failed(expectGroupedHeads(op, qd(1), kd(2), vd(2))) ||
      failed(verifyScale(op, getScaleAttr())))
    return failure();
  return success();
}

std::optional<double> PagedDecodeOp::getStaticScale() {
  return staticScale(getScaleAttr(),
                     cast<ShapedType>(getQuery().getType()).getDimSize(2));
}

//===----------------------------------------------------------------------===//
// KvCacheWriteOp
//===----------------------------------------------------------------------===//

LogicalResult KvCacheWriteOp::verify() {
  Operation *op = getOperation();
  auto u = cast<ShapedType>(getUpdate().getType());
  auto c = cast<ShapedType>(getCache().getType());
  auto s = cast<ShapedType>(getSlots().getType());
  // update: [tokens, kv_heads, head_dim];
  // cache: [num_blocks, block_size, kv_heads, head_dim].
  auto ud = [&](unsigned i) { return Dim{"update", u, i}; };
  auto cd = [&](unsigned i) { return Dim{"cache", c, i}; };

  if (failed(expectSameElementType(op, "update", u, "cache", c)) ||
      failed(expectSame(op, "tokens", Dim{"slots", s, 0}, ud(0))) ||
      failed(expectSame(op, "heads", ud(1), cd(2))) ||
      failed(expectSame(op, "head dim", ud(2), cd(3))))
    return failure();
  return success();
}
