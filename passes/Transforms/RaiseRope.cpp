//===- RaiseRope.cpp - Exported RoPE -> loom_attn.rope --------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The pattern of loom-raise-attention that recognises rotary embeddings as
// exporters write them (x * cos + rotate_half(x) * sin, with the tables
// computed from concat(freqs, freqs)) and rewrites them to loom_attn.rope.
//
//===----------------------------------------------------------------------===//

#include "passes/Transforms/Matchers.h"

#include "mlir/IR/Matchers.h"
#include "passes/Transforms/Passes.h"

#include "dialects/attn/AttnDialect.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::match;

namespace {

using utils::IteratorType;

/// The [1, S, D] table T when `g` reads `operand` as T broadcast over heads:
/// expand_shape(T) to [1, 1, S, D] read with (d0, 0, d2, d3) or (0, 0, d2, d3).
Value headBroadcastTable(linalg::GenericOp g, OpOperand *operand) {
  MLIRContext *ctx = g.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  AffineExpr zero = getAffineConstantExpr(0, ctx);
  AffineMap map = g.getMatchingIndexingMap(operand);
  if (map != AffineMap::get(4, 0, {d(0), zero, d(2), d(3)}, ctx) &&
      map != AffineMap::get(4, 0, {zero, zero, d(2), d(3)}, ctx))
    return Value();
  auto expand = operand->get().getDefiningOp<tensor::ExpandShapeOp>();
  if (!expand || expand.getReassociationIndices() !=
                     SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}})
    return Value();
  Value table = expand.getSrc();
  auto type = cast<RankedTensorType>(table.getType());
  if (type.getRank() != 3 || type.getDimSize(0) != 1)
    return Value();
  return table;
}

/// True if each row of `table` ([1, S, D]) has two equal halves: an
/// elementwise function of its input element alone (cos, sin, a constant
/// scaling), applied to concat(t, t) along the last dim.
bool hasEqualHalves(Value table) {
  auto g = table.getDefiningOp<linalg::GenericOp>();
  if (!g || g.getNumDpsInputs() != 1 || g.getNumDpsInits() != 1 ||
      g.getNumReductionLoops() != 0 ||
      !llvm::all_of(g.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }) ||
      !g.getBody()->getArgument(1).use_empty())
    return false;
  bool elementOnly = true;
  g.getBody()->walk([&](Operation *op) {
    if (isa<linalg::IndexOp, tensor::ExtractOp>(op) || !isPure(op))
      elementOnly = false;
    for (Value v : op->getOperands())
      if (!g.getRegion().isAncestor(v.getParentRegion()) &&
          !matchPattern(v, m_Constant()))
        elementOnly = false;
  });
  auto cat = g.getDpsInputs()[0].getDefiningOp<tensor::ConcatOp>();
  return elementOnly && cat && cat.getDim() == 2 &&
         cat.getInputs().size() == 2 &&
         cat.getInputs()[0] == cat.getInputs()[1];
}

/// Matches `x * T` with T a head-broadcast table with equal halves.
bool matchTimesTable(Value v, Value &x, Value &table) {
  linalg::GenericOp g = elementwise(v, 4);
  if (!g || g.getNumDpsInputs() != 2)
    return false;
  auto mul = yielded(g).getDefiningOp<arith::MulFOp>();
  if (!mul)
    return false;
  OpOperand *a = inputOf(g, mul.getLhs()), *b = inputOf(g, mul.getRhs());
  if (!a || !b || a == b)
    return false;
  for (auto [xo, to] : {std::pair(a, b), std::pair(b, a)}) {
    if (!g.getMatchingIndexingMap(xo).isIdentity())
      continue;
    Value t = headBroadcastTable(g, to);
    if (t && hasEqualHalves(t)) {
      x = xo->get();
      table = t;
      return true;
    }
  }
  return false;
}

/// x when `v` is rotate_half(x) = concat(-x[.., D/2:], x[.., :D/2]) over all
/// D channels of a [B, H, S, D] tensor.
Value matchRotateHalf(Value v) {
  auto cat = v.getDefiningOp<tensor::ConcatOp>();
  if (!cat || cat.getDim() != 3 || cat.getInputs().size() != 2)
    return Value();
  linalg::GenericOp neg = elementwise(cat.getInputs()[0], 4);
  auto negf = neg && neg.getNumDpsInputs() == 1
                  ? yielded(neg).getDefiningOp<arith::NegFOp>()
                  : arith::NegFOp();
  OpOperand *hi = negf ? inputOf(neg, negf.getOperand()) : nullptr;
  if (!hi || !neg.getMatchingIndexingMap(hi).isIdentity())
    return Value();
  auto hiSlice = hi->get().getDefiningOp<tensor::ExtractSliceOp>();
  auto loSlice = cat.getInputs()[1].getDefiningOp<tensor::ExtractSliceOp>();
  if (!hiSlice || !loSlice || hiSlice.getSource() != loSlice.getSource())
    return Value();
  Value x = loSlice.getSource();
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t d = xType.getRank() == 4 ? xType.getDimSize(3) : ShapedType::kDynamic;
  if (ShapedType::isDynamic(d) || d % 2 != 0)
    return Value();
  // Zero offsets on [B, H, S] (the consumers read the result with x's
  // shape, so the slices cover them); channels [D/2, D) and [0, D/2).
  auto channels = [&](tensor::ExtractSliceOp slice, int64_t offset) {
    if (!slice.hasUnitStride() || slice.getType().getRank() != 4)
      return false;
    SmallVector<OpFoldResult> offsets = slice.getMixedOffsets();
    for (unsigned i = 0; i < 3; ++i)
      if (getConstantIntValue(offsets[i]) != 0)
        return false;
    return getConstantIntValue(offsets[3]) == offset &&
           getConstantIntValue(slice.getMixedSizes()[3]) == d / 2;
  };
  if (!channels(hiSlice, d / 2) || !channels(loSlice, 0))
    return Value();
  return x;
}

/// `x * cos + rotate_half(x) * sin` (Llama, GPT-NeoX; half-split pairs) with
/// [1, S, D] tables whose halves are equal, for a batch of one:
/// loom_attn.rope with positions 0..S-1 and the first half of each table.
struct RaiseRope : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp add,
                                PatternRewriter &rewriter) const override {
    if (!elementwise(add.getResult(0), 4) || add.getNumDpsInputs() != 2)
      return failure();
    auto addf = yielded(add).getDefiningOp<arith::AddFOp>();
    OpOperand *a = addf ? inputOf(add, addf.getLhs()) : nullptr;
    OpOperand *b = addf ? inputOf(add, addf.getRhs()) : nullptr;
    if (!a || !b || a == b || !add.getMatchingIndexingMap(a).isIdentity() ||
        !add.getMatchingIndexingMap(b).isIdentity())
      return failure();
    for (auto [c, s] : {std::pair(a, b), std::pair(b, a)}) {
      Value x, cosTable, rot, sinTable;
      if (!matchTimesTable(c->get(), x, cosTable) ||
          !matchTimesTable(s->get(), rot, sinTable) ||
          matchRotateHalf(rot) != x)
        continue;
      auto xType = cast<RankedTensorType>(x.getType());
      auto cosType = cast<RankedTensorType>(cosTable.getType());
      if (xType.getDimSize(0) != 1 || xType != add.getResult(0).getType() ||
          cosType.getElementType() !=
              cast<ShapedType>(sinTable.getType()).getElementType())
        return rewriter.notifyMatchFailure(add, "batch, types");
      Location loc = add.getLoc();
      int64_t half = xType.getDimSize(3) / 2;
      auto firstHalf = [&](Value table) -> Value {
        auto type = cast<RankedTensorType>(table.getType());
        OpFoldResult zero = rewriter.getIndexAttr(0),
                     one = rewriter.getIndexAttr(1);
        return tensor::ExtractSliceOp::create(
            rewriter, loc,
            RankedTensorType::get({type.getDimSize(1), half},
                                  type.getElementType()),
            table, {zero, zero, zero},
            {one, tensor::getMixedSize(rewriter, loc, table, 1),
             rewriter.getIndexAttr(half)},
            {one, one, one});
      };
      rewriter.setInsertionPoint(add);
      Value cosHalf = firstHalf(cosTable), sinHalf = firstHalf(sinTable);
      // positions[0, s] = s: row s of the tables belongs to token s.
      Value empty = tensor::EmptyOp::create(
          rewriter, loc,
          {tensor::getMixedSize(rewriter, loc, x, 0),
           tensor::getMixedSize(rewriter, loc, x, 2)},
          rewriter.getI64Type());
      auto positions = linalg::GenericOp::create(
          rewriter, loc, empty.getType(), ValueRange{}, ValueRange{empty},
          ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(2)},
          SmallVector<IteratorType>(2, IteratorType::parallel),
          [](OpBuilder &b, Location l, ValueRange) {
            Value i = linalg::IndexOp::create(b, l, 1);
            linalg::YieldOp::create(
                b, l, arith::IndexCastOp::create(b, l, b.getI64Type(), i)
                          .getResult());
          });
      rewriter.replaceOpWithNewOp<attn::RopeOp>(add, x, positions.getResult(0),
                                                cosHalf, sinHalf);
      return success();
    }
    return rewriter.notifyMatchFailure(add, "not x * cos + rotate_half(x) * sin");
  }
};

} // namespace

void mlir::loom::populateRaiseRopePatterns(RewritePatternSet &patterns) {
  patterns.add<RaiseRope>(patterns.getContext());
}
