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

//===----------------------------------------------------------------------===//
// Custom assembly: window(left, right)
//===----------------------------------------------------------------------===//

static ParseResult parseWindow(OpAsmParser &parser,
                               DenseI64ArrayAttr &window) {
  int64_t left, right;
  if (parser.parseInteger(left) || parser.parseComma() ||
      parser.parseInteger(right))
    return failure();
  window = parser.getBuilder().getDenseI64ArrayAttr({left, right});
  return success();
}

static void printWindow(OpAsmPrinter &printer, Operation *,
                        DenseI64ArrayAttr window) {
  llvm::interleaveComma(window.asArrayRef(), printer);
}

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

/// The first of `dims` whose size is static, else the first one: two
/// operands that must agree on a dimension are interchangeable for checks
/// against a third.
Dim firstStatic(std::initializer_list<Dim> dims) {
  for (const Dim &dim : dims)
    if (dim.isStatic())
      return dim;
  return *dims.begin();
}

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
/// query heads.
LogicalResult expectGroupedHeads(Operation *op, Dim query, Dim kv) {
  if (!query.isStatic() || !kv.isStatic())
    return success();
  int64_t h = query.size(), hkv = kv.size();
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

LogicalResult expectPositive(Operation *op, StringRef name, FloatAttr attr) {
  if (!attr)
    return success();
  double value = attr.getValueAsDouble();
  if (value > 0 && std::isfinite(value))
    return success();
  return op->emitOpError() << name << " must be positive and finite, got "
                           << value;
}

/// The attributes attention and paged_attention share: scale, window,
/// sinks and softcap (causal needs no check).
LogicalResult verifyScoreAttrs(Operation *op, FloatAttr scale,
                               DenseI64ArrayAttr window, IntegerAttr sinks,
                               FloatAttr softcap) {
  if (failed(expectPositive(op, "scale", scale)) ||
      failed(expectPositive(op, "softcap", softcap)))
    return failure();
  if (window) {
    ArrayRef<int64_t> bounds = window.asArrayRef();
    if (bounds.size() != 2)
      return op->emitOpError() << "window must be [left, right], got "
                               << bounds.size() << " values";
    if (bounds[0] < -1 || bounds[1] < -1)
      return op->emitOpError()
             << "window bounds must be >= -1 (-1 = unbounded), got ["
             << bounds[0] << ", " << bounds[1] << "]";
  }
  if (sinks && sinks.getInt() < 0)
    return op->emitOpError() << "sinks must be non-negative, got "
                             << sinks.getInt();
  return success();
}

/// numpy broadcasting, right-aligned: every static dim of `operand` is 1 or
/// equal to the target dim it lines up with.
LogicalResult expectBroadcastable(Operation *op, StringRef name,
                                  ShapedType operand,
                                  ArrayRef<std::pair<StringRef, Dim>> target) {
  int64_t rank = operand.getRank();
  int64_t targetRank = target.size();
  if (rank > targetRank)
    return op->emitOpError() << name << " has rank " << rank
                             << ", expected at most " << targetRank;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t size = operand.getDimSize(i);
    auto [what, dim] = target[targetRank - rank + i];
    if (ShapedType::isDynamic(size) || size == 1 || !dim.isStatic() ||
        size == dim.size())
      continue;
    return op->emitOpError()
           << name << " dim " << i << " (" << size
           << ") does not broadcast to " << what << " (" << dim.size()
           << ")";
  }
  return success();
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// The sparsity attribute against the shapes (its own invariants were
/// checked by the attribute's verifier).
LogicalResult verifySparsity(Operation *op, Attribute sparsity, Dim heads,
                             Dim queries, Dim keys) {
  if (!sparsity)
    return success();
  if (auto blocks = dyn_cast<BlockSparseAttr>(sparsity)) {
    int64_t h = blocks.getNumHeads();
    if (heads.isStatic() && h != 1 && h != heads.size())
      return op->emitOpError()
             << "block_sparse layout has " << h
             << " heads; expected 1 or the number of query heads ("
             << heads.size() << ")";
    if (queries.isStatic() &&
        blocks.getNumQueryBlocks() !=
            ceilDiv(queries.size(), blocks.getQBlock()))
      return op->emitOpError()
             << "block_sparse layout has " << blocks.getNumQueryBlocks()
             << " query blocks; expected ceil(" << queries.size() << " / "
             << blocks.getQBlock()
             << ") = " << ceilDiv(queries.size(), blocks.getQBlock());
    if (keys.isStatic() &&
        blocks.getNumKeyBlocks() != ceilDiv(keys.size(), blocks.getKvBlock()))
      return op->emitOpError()
             << "block_sparse layout has " << blocks.getNumKeyBlocks()
             << " key blocks; expected ceil(" << keys.size() << " / "
             << blocks.getKvBlock()
             << ") = " << ceilDiv(keys.size(), blocks.getKvBlock());
    return success();
  }
  auto strided = cast<StridedAttr>(sparsity);
  int64_t n = strided.getOffsets().size();
  if (heads.isStatic() && n != 1 && n != heads.size())
    return op->emitOpError()
           << "strided offsets have " << n
           << " entries; expected 1 or the number of query heads ("
           << heads.size() << ")";
  return success();
}

/// The attribute if set, else 1/sqrt(headDim) if that is known.
std::optional<double> scaleOrDefault(FloatAttr scale, int64_t headDim) {
  if (scale)
    return scale.getValueAsDouble();
  if (ShapedType::isDynamic(headDim) || headDim <= 0)
    return std::nullopt;
  return 1.0 / std::sqrt(static_cast<double>(headDim));
}

/// [B, Hq, Sq, Dv] from the query's first three dims and the value's last,
/// in the value's element type. Operands of the wrong rank keep the query's
/// shape so that the verifier, not the builder, reports them.
RankedTensorType attentionResultType(Value query, Value value,
                                     unsigned valueHeadDim) {
  auto q = cast<RankedTensorType>(query.getType());
  auto v = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t, 4> shape(q.getShape());
  if (shape.size() == 4 && v.getRank() > valueHeadDim)
    shape[3] = v.getDimSize(valueHeadDim);
  return RankedTensorType::get(shape, v.getElementType());
}

} // namespace

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

void AttentionOp::build(OpBuilder &builder, OperationState &state,
                        Value query, Value key, Value value, Value mask,
                        Value bias) {
  build(builder, state, attentionResultType(query, value, 3), query, key,
        value, mask, bias, /*scale=*/FloatAttr(), /*causal=*/UnitAttr(),
        /*window=*/DenseI64ArrayAttr(), /*sinks=*/IntegerAttr(),
        /*softcap=*/FloatAttr(), /*sparsity=*/Attribute());
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

  if (failed(expectSameElementType(op, "result", r, "value", v)) ||
      failed(expectSame(op, "batch", kd(0), qd(0))) ||
      failed(expectSame(op, "batch", vd(0), qd(0))) ||
      failed(expectSame(op, "batch", rd(0), qd(0))) ||
      failed(expectSame(op, "heads", vd(1), kd(1))) ||
      failed(expectSame(op, "heads", rd(1), qd(1))) ||
      failed(expectGroupedHeads(op, qd(1), firstStatic({kd(1), vd(1)}))) ||
      failed(expectSame(op, "key length", vd(2), kd(2))) ||
      failed(expectSame(op, "query length", rd(2), qd(2))) ||
      failed(expectSame(op, "head dim", kd(3), qd(3))) ||
      failed(expectSame(op, "head dim", rd(3), vd(3))))
    return failure();

  // Scores are [B, Hq, Sq, Skv]; mask and bias broadcast to them.
  Dim keys = firstStatic({kd(2), vd(2)});
  std::pair<StringRef, Dim> scores[] = {
      {"batch", firstStatic({qd(0), kd(0), vd(0)})},
      {"query heads", qd(1)},
      {"query length", qd(2)},
      {"key length", keys}};
  if (Value mask = getMask())
    if (failed(expectBroadcastable(op, "mask",
                                   cast<ShapedType>(mask.getType()), scores)))
      return failure();
  if (Value bias = getBias())
    if (failed(expectBroadcastable(op, "bias",
                                   cast<ShapedType>(bias.getType()), scores)))
      return failure();

  if (failed(verifyScoreAttrs(op, getScaleAttr(), getWindowAttr(),
                              getSinksAttr(), getSoftcapAttr())))
    return failure();
  return verifySparsity(op, getSparsityAttr(), qd(1), qd(2), keys);
}

std::optional<double> AttentionOp::getScaleOrDefault() {
  return scaleOrDefault(getScaleAttr(),
                        cast<ShapedType>(getQuery().getType()).getDimSize(3));
}

//===----------------------------------------------------------------------===//
// PagedAttentionOp
//===----------------------------------------------------------------------===//

void PagedAttentionOp::build(OpBuilder &builder, OperationState &state,
                             Value query, Value kCache, Value vCache,
                             Value blockTable, Value seqLens) {
  build(builder, state, attentionResultType(query, vCache, 3), query, kCache,
        vCache, blockTable, seqLens, /*scale=*/FloatAttr(),
        /*causal=*/UnitAttr(), /*window=*/DenseI64ArrayAttr(),
        /*sinks=*/IntegerAttr(), /*softcap=*/FloatAttr());
}

LogicalResult PagedAttentionOp::verify() {
  Operation *op = getOperation();
  auto q = cast<ShapedType>(getQuery().getType());
  auto kc = cast<ShapedType>(getKCache().getType());
  auto vc = cast<ShapedType>(getVCache().getType());
  auto table = cast<ShapedType>(getBlockTable().getType());
  auto lens = cast<ShapedType>(getSeqLens().getType());
  auto r = cast<ShapedType>(getResult().getType());
  // query and result: [batch, heads, seq, head_dim];
  // caches: [num_blocks, block_size, kv_heads, head_dim].
  auto qd = [&](unsigned i) { return Dim{"query", q, i}; };
  auto kd = [&](unsigned i) { return Dim{"k_cache", kc, i}; };
  auto vd = [&](unsigned i) { return Dim{"v_cache", vc, i}; };
  auto rd = [&](unsigned i) { return Dim{"result", r, i}; };

  if (failed(expectSameElementType(op, "result", r, "v_cache", vc)) ||
      failed(expectSame(op, "number of blocks", vd(0), kd(0))) ||
      failed(expectSame(op, "block size", vd(1), kd(1))) ||
      failed(expectSame(op, "heads", vd(2), kd(2))) ||
      failed(expectSame(op, "head dim", kd(3), qd(3))) ||
      failed(expectSame(op, "head dim", rd(3), vd(3))) ||
      failed(expectSame(op, "batch", Dim{"block_table", table, 0}, qd(0))) ||
      failed(expectSame(op, "batch", Dim{"seq_lens", lens, 0}, qd(0))) ||
      failed(expectSame(op, "batch", rd(0), qd(0))) ||
      failed(expectSame(op, "heads", rd(1), qd(1))) ||
      failed(expectSame(op, "query length", rd(2), qd(2))) ||
      failed(expectGroupedHeads(op, qd(1), firstStatic({kd(2), vd(2)}))))
    return failure();
  return verifyScoreAttrs(op, getScaleAttr(), getWindowAttr(), getSinksAttr(),
                          getSoftcapAttr());
}

std::optional<double> PagedAttentionOp::getScaleOrDefault() {
  return scaleOrDefault(getScaleAttr(),
                        cast<ShapedType>(getQuery().getType()).getDimSize(3));
}

//===----------------------------------------------------------------------===//
// KvCacheWriteOp
//===----------------------------------------------------------------------===//

LogicalResult KvCacheWriteOp::verify() {
  Operation *op = getOperation();
  auto k = cast<ShapedType>(getK().getType());
  auto v = cast<ShapedType>(getV().getType());
  auto kc = cast<ShapedType>(getKCache().getType());
  auto vc = cast<ShapedType>(getVCache().getType());
  auto slots = cast<ShapedType>(getSlotMapping().getType());
  // k, v: [tokens, kv_heads, head_dim];
  // caches: [num_blocks, block_size, kv_heads, head_dim].
  auto kd = [&](unsigned i) { return Dim{"k", k, i}; };
  auto vd = [&](unsigned i) { return Dim{"v", v, i}; };
  auto kcd = [&](unsigned i) { return Dim{"k_cache", kc, i}; };
  auto vcd = [&](unsigned i) { return Dim{"v_cache", vc, i}; };

  if (failed(expectSameElementType(op, "k", k, "k_cache", kc)) ||
      failed(expectSameElementType(op, "v", v, "v_cache", vc)) ||
      failed(expectSame(op, "tokens", vd(0), kd(0))) ||
      failed(expectSame(op, "tokens", Dim{"slot_mapping", slots, 0}, kd(0))) ||
      failed(expectSame(op, "heads", vd(1), kd(1))) ||
      failed(expectSame(op, "heads", kcd(2), kd(1))) ||
      failed(expectSame(op, "heads", vcd(2), vd(1))) ||
      failed(expectSame(op, "head dim", kcd(3), kd(2))) ||
      failed(expectSame(op, "head dim", vcd(3), vd(2))) ||
      failed(expectSame(op, "number of blocks", vcd(0), kcd(0))) ||
      failed(expectSame(op, "block size", vcd(1), kcd(1))))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// RopeOp
//===----------------------------------------------------------------------===//

LogicalResult RopeOp::verify() {
  Operation *op = getOperation();
  auto x = cast<ShapedType>(getX().getType());
  auto pos = cast<ShapedType>(getPositions().getType());
  auto cos = cast<ShapedType>(getCosCache().getType());
  auto sin = cast<ShapedType>(getSinCache().getType());
  auto cd = [&](unsigned i) { return Dim{"cos_cache", cos, i}; };
  auto sd = [&](unsigned i) { return Dim{"sin_cache", sin, i}; };

  if (failed(expectSameElementType(op, "cos_cache", cos, "sin_cache", sin)) ||
      failed(expectSame(op, "batch", Dim{"positions", pos, 0},
                        Dim{"x", x, 0})) ||
      failed(expectSame(op, "sequence length", Dim{"positions", pos, 1},
                        Dim{"x", x, 2})) ||
      failed(expectSame(op, "max positions", sd(0), cd(0))) ||
      failed(expectSame(op, "columns", sd(1), cd(1))))
    return failure();

  int64_t headDim = x.getDimSize(3);
  // (I64Attr's accessor is unsigned; read the signed value.)
  if (IntegerAttr rotaryAttr = getRotaryDimAttr()) {
    int64_t rotary = rotaryAttr.getInt();
    if (rotary <= 0)
      return emitOpError() << "rotary_dim must be positive, got " << rotary;
    if (rotary % 2 != 0)
      return emitOpError() << "rotary_dim must be even, got " << rotary;
    if (!ShapedType::isDynamic(headDim) && rotary > headDim)
      return emitOpError() << "rotary_dim (" << rotary
                           << ") exceeds the head dim of x (" << headDim
                           << ")";
  } else if (!ShapedType::isDynamic(headDim) && headDim % 2 != 0) {
    return emitOpError() << "head dim of x (" << headDim
                         << ") must be even when rotary_dim is not given";
  }

  // One cos/sin column per rotated pair.
  std::optional<int64_t> rotary = getRotaryDimOrDefault();
  Dim columns = firstStatic({cd(1), sd(1)});
  if (rotary && columns.isStatic() && columns.size() != *rotary / 2)
    return emitOpError() << columns.operand << " has " << columns.size()
                         << " columns; expected rotary_dim / 2 = "
                         << *rotary / 2;
  return success();
}

std::optional<int64_t> RopeOp::getRotaryDimOrDefault() {
  if (IntegerAttr rotary = getRotaryDimAttr())
    return rotary.getInt();
  int64_t headDim = cast<ShapedType>(getX().getType()).getDimSize(3);
  if (ShapedType::isDynamic(headDim))
    return std::nullopt;
  return headDim;
}
