//===- FuseRowReductions.cpp - A norm's reductions and scaling in one loop ===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Part of loom-fuse-elementwise. A normalization (RMSNorm, LayerNorm, a
// softmax's last stage) is, after elementwise fusion, row reductions over
// the innermost dimension, per-row ops on their results, and one
// elementwise op that scales each row by them. Linalg cannot hold a
// reduction and a broadcast of its result in one op, so the unit is one
// scf.forall over the rows: inside it the reductions, the per-row ops and
// the scaling run on one row slice, so that a row is reduced and scaled
// while it is in cache and no [rows] intermediate goes through memory. The
// loop is the elementwise op tiled by one row, its producers fused in
// (upstream tile-and-fuse); each element is computed by the same body as
// before, in the same order, so the numerics do not change.
//
// A per-tensor dynamic quantization of a norm's output (ONNX
// DynamicQuantizeLinear after RMSNorm) needs the tensor's range, min(x, 0)
// and max(x, 0), before it can quantize anything: one more pass over the
// activation. The row loop computes it instead: the norm's rows are reduced
// to their min and max as they are written (the loop is then the tiling of
// that min/max row reduction, the norm fused in and yielded), and only the
// [rows] partials are reduced to the tensor's range, which the quantization
// takes as its `range` operands. Min and max are exact in any order: the
// scale, zero point and quantized values do not change.
//
//===----------------------------------------------------------------------===//

#include "passes/Transforms/FuseRowReductions.h"

#include "dialects/quant/QuantDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace {

/// (d0, ..., d{n-1}) -> (d0, ..., d{n-2}): a per-row value read by an op
/// over whole rows.
bool isDropLast(AffineMap map, unsigned n) {
  return map.getNumDims() == n && map.getNumResults() + 1 == n &&
         llvm::all_of(llvm::enumerate(map.getResults()), [](auto r) {
           auto d = dyn_cast<AffineDimExpr>(r.value());
           return d && d.getPosition() == r.index();
         });
}

bool onePlainInit(linalg::GenericOp op) {
  return op.getNumDpsInits() == 1 && op->getNumResults() == 1 &&
         op.hasPureTensorSemantics() &&
         llvm::all_of(op.getIndexingMapsArray(), [](AffineMap m) {
           return m.isProjectedPermutation(/*allowZeroInResults=*/true);
         });
}

/// n loops, the innermost a reduction, the result one value per row.
bool isRowReduction(linalg::GenericOp op, unsigned n) {
  if (!onePlainInit(op) || op.getNumLoops() != n)
    return false;
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  for (unsigned i = 0; i + 1 < n; ++i)
    if (iters[i] != utils::IteratorType::parallel)
      return false;
  return iters[n - 1] == utils::IteratorType::reduction &&
         isDropLast(op.getMatchingIndexingMap(op.getDpsInitOperand(0)), n);
}

/// n - 1 parallel loops over the rows (rsqrt(mean + eps) and the like).
bool isRowPointwise(linalg::GenericOp op, unsigned n) {
  return onePlainInit(op) && op.getNumLoops() + 1 == n &&
         op.getNumReductionLoops() == 0 &&
         op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity();
}

/// n parallel loops, as the scaling itself.
bool isPointwise(linalg::GenericOp op, unsigned n) {
  return onePlainInit(op) && op.getNumLoops() == n &&
         op.getNumReductionLoops() == 0 &&
         op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity();
}

/// The ops to fuse into the row loop of `root` (an elementwise op over n
/// loops): the row reductions and per-row ops whose results reach it, read
/// as one value per row, the fills of their accumulators, and elementwise
/// ops over whole rows that only they and `root` read (LayerNorm's
/// x - mean). Empty when there is no row reduction, or when one of them has
/// a user outside (it would be computed twice).
SmallVector<Operation *> rowProducers(linalg::GenericOp root) {
  unsigned n = root.getNumLoops();
  llvm::SetVector<Operation *> ops;
  SmallVector<std::pair<linalg::GenericOp, OpOperand *>> work;
  auto push = [&](linalg::GenericOp user) {
    for (OpOperand *in : user.getDpsInputOperands())
      work.push_back({user, in});
  };
  // Read by nothing but the row ops of a norm (and the root).
  auto onlyRowUsers = [&](linalg::GenericOp op) {
    return llvm::all_of(op->getUsers(), [&](Operation *user) {
      auto g = dyn_cast<linalg::GenericOp>(user);
      return user == root.getOperation() ||
             (g && (isRowReduction(g, n) || isRowPointwise(g, n)));
    });
  };
  push(root);
  bool reduces = false;
  while (!work.empty()) {
    auto [user, use] = work.pop_back_val();
    auto producer = use->get().getDefiningOp<linalg::GenericOp>();
    if (!producer || ops.contains(producer))
      continue;
    AffineMap map = user.getMatchingIndexingMap(use);
    bool fullUser = user.getNumLoops() == n;
    bool reduction = false;
    if (fullUser && map.isIdentity() && isPointwise(producer, n)) {
      if (!onlyRowUsers(producer))
        continue;
    } else if (fullUser ? isDropLast(map, n) : map.isIdentity()) {
      reduction = isRowReduction(producer, n);
      if (!reduction && !isRowPointwise(producer, n))
        continue;
    } else {
      continue;
    }
    reduces |= reduction;
    ops.insert(producer);
    push(producer);
    if (auto fill = producer.getDpsInitOperand(0)
                        ->get()
                        .getDefiningOp<linalg::FillOp>())
      ops.insert(fill);
  }
  if (!reduces)
    return {};
  for (Operation *op : ops) {
    if (isa<linalg::FillOp>(op))
      continue; // a fill is cheap to repeat for its other users
    for (Operation *user : op->getUsers())
      if (user != root.getOperation() && !ops.contains(user))
        return {};
  }
  return ops.takeVector();
}

/// A linalg.generic operand that is a tensor.expand_shape adding only unit
/// dimensions, read at index 0 along them: read the source instead (the
/// importer reshapes a norm's row sums to [rows, 1] before the broadcast).
struct FoldUnitExpandIntoGeneric : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    for (OpOperand *in : op.getDpsInputOperands()) {
      auto expand = in->get().getDefiningOp<tensor::ExpandShapeOp>();
      if (!expand)
        continue;
      AffineMap map = op.getMatchingIndexingMap(in);
      ArrayRef<int64_t> shape = expand.getResultType().getShape();
      SmallVector<AffineExpr> kept;
      bool ok = true;
      for (const ReassociationIndices &group :
           expand.getReassociationIndices()) {
        // Keep the group's one dimension that is not a static 1 (or its
        // first); every other one must be a 1 read at index 0.
        int64_t keep = group.front();
        for (int64_t d : group)
          if (shape[d] != 1)
            keep = d;
        for (int64_t d : group) {
          if (d == keep)
            continue;
          auto c = dyn_cast<AffineConstantExpr>(map.getResult(d));
          ok &= shape[d] == 1 && c && c.getValue() == 0;
        }
        kept.push_back(map.getResult(keep));
      }
      if (!ok)
        continue;
      SmallVector<AffineMap> maps = op.getIndexingMapsArray();
      maps[in->getOperandNumber()] =
          AffineMap::get(map.getNumDims(), 0, kept, op.getContext());
      rewriter.modifyOpInPlace(op, [&] {
        in->set(expand.getSrc());
        op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
      });
      return success();
    }
    return failure();
  }
};

/// A reduction writing min(in0, 0) and max(in1, 0) in f32 (`ins` holds
/// in0 and in1, or one value for both), reading through `inMap` and
/// writing through `outMap`.
linalg::GenericOp minMaxReduction(OpBuilder &b, Location loc, ValueRange ins,
                                  AffineMap inMap, AffineMap outMap,
                                  ArrayRef<utils::IteratorType> iters,
                                  ArrayRef<OpFoldResult> outSizes) {
  FloatType f32 = b.getF32Type();
  Value zero = arith::ConstantFloatOp::create(b, loc, f32, APFloat(0.0f));
  SmallVector<Value> inits;
  for (int i = 0; i < 2; ++i)
    inits.push_back(
        linalg::FillOp::create(
            b, loc, zero,
            tensor::EmptyOp::create(b, loc, outSizes, f32).getResult())
            .getResult(0));
  SmallVector<AffineMap> maps(ins.size(), inMap);
  maps.append({outMap, outMap});
  return linalg::GenericOp::create(
      b, loc, ValueRange(inits).getTypes(), ins, inits, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        auto wide = [&](Value v) -> Value {
          if (v.getType() == nb.getF32Type())
            return v;
          return arith::ExtFOp::create(nb, nl, nb.getF32Type(), v);
        };
        Value lo = wide(args[0]), hi = wide(args[ins.size() - 1]);
        ValueRange acc = args.take_back(2);
        linalg::YieldOp::create(
            nb, nl,
            ValueRange{arith::MinimumFOp::create(nb, nl, acc[0], lo),
                       arith::MaximumFOp::create(nb, nl, acc[1], hi)});
      });
}

/// For a per-tensor dynamic quantization of the output of norm `root`:
/// the min/max row reduction of that output (what the row loop will tile)
/// and the reduction of its [rows] partials into the quantization's
/// `range`. Returns the row reduction, or null when the quantization does
/// not qualify.
linalg::GenericOp addQuantRange(OpBuilder &b, linalg::GenericOp root,
                                loom::quant::DynamicQuantizeOp q) {
  namespace lq = loom::quant;
  unsigned n = root.getNumLoops();
  auto xType = cast<RankedTensorType>(q.getInput().getType());
  if (q.getScheme().getGranularity() != lq::Granularity::per_tensor ||
      !q.getRange().empty() || xType.getRank() != n ||
      !isa<FloatType>(xType.getElementType()) ||
      xType.getElementType().getIntOrFloatBitWidth() > 32)
    return {};
  b.setInsertionPointAfter(root);
  Location loc = q.getLoc();
  MLIRContext *ctx = b.getContext();
  Value x = q.getInput();
  // The row sizes from the norm's init: its result will be the loop's.
  Value shapeSource = root.getDpsInitOperand(0)->get();
  SmallVector<OpFoldResult> rows;
  for (unsigned i = 0; i + 1 < n; ++i)
    rows.push_back(tensor::getMixedSize(b, loc, shapeSource, i));
  SmallVector<utils::IteratorType> rowIters(n, utils::IteratorType::parallel);
  rowIters.back() = utils::IteratorType::reduction;
  linalg::GenericOp perRow = minMaxReduction(
      b, loc, ValueRange{x}, b.getMultiDimIdentityMap(n),
      AffineMap::getMultiDimIdentityMap(n, ctx).dropResult(n - 1), rowIters,
      rows);
  // The partials to the scale's shape: [] or [1].
  RankedTensorType scaleType = q.getScale().getType();
  SmallVector<AffineExpr> scaleExprs(scaleType.getRank(),
                                     getAffineConstantExpr(0, ctx));
  SmallVector<OpFoldResult> scaleSizes(scaleType.getRank(), b.getIndexAttr(1));
  linalg::GenericOp total = minMaxReduction(
      b, loc, perRow.getResults(), b.getMultiDimIdentityMap(n - 1),
      AffineMap::get(n - 1, 0, scaleExprs, ctx),
      SmallVector<utils::IteratorType>(n - 1, utils::IteratorType::reduction),
      scaleSizes);
  SmallVector<Value> range(total.getResults());
  for (Value &r : range)
    if (r.getType() != scaleType)
      r = tensor::CastOp::create(b, loc, scaleType, r);
  q.getRangeMutable().assign(range);
  return perRow;
}

} // namespace

void mlir::loom::populateFoldUnitExpandPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldUnitExpandIntoGeneric>(patterns.getContext());
}

LogicalResult mlir::loom::fuseRowReductions(func::FuncOp func) {
  SmallVector<linalg::GenericOp> roots;
  func.walk([&](linalg::GenericOp op) {
    if (op.getNumLoops() >= 2 && op.getNumReductionLoops() == 0 &&
        onePlainInit(op))
      roots.push_back(op);
  });
  IRRewriter rewriter(func.getContext());
  bool fusedAny = false;
  // Norms whose output a per-tensor dynamic quantization reads: their row
  // loop tiles the min/max row reduction added for the quantization's
  // range instead, the norm fused in and its rows yielded.
  DenseMap<Operation *, linalg::GenericOp> rangeOf;
  for (linalg::GenericOp root : roots) {
    if (rowProducers(root).empty())
      continue;
    for (Operation *user : root->getUsers()) {
      auto q = dyn_cast<loom::quant::DynamicQuantizeOp>(user);
      if (!q || q.getInput() != root->getResult(0))
        continue;
      if (linalg::GenericOp perRow = addQuantRange(rewriter, root, q)) {
        rangeOf[root] = perRow;
        break;
      }
    }
  }
  // Last consumer first: LayerNorm's x - mean is itself an elementwise op
  // over a row reduction, but belongs to the unit of the scaling after it.
  llvm::SmallPtrSet<Operation *, 16> taken;
  for (linalg::GenericOp root : llvm::reverse(roots)) {
    if (taken.contains(root.getOperation()) || root->use_empty())
      continue;
    SmallVector<Operation *> fused = rowProducers(root);
    if (fused.empty())
      continue;
    taken.insert(fused.begin(), fused.end());
    llvm::SmallPtrSet<Operation *, 8> fusible(fused.begin(), fused.end());
    // With a quantization range to compute, the loop tiles its row
    // reduction and yields the norm's rows as well.
    linalg::GenericOp norm = root;
    if (linalg::GenericOp perRow = rangeOf.lookup(root)) {
      fusible.insert(root);
      root = perRow;
    }
    // One row per task: every dimension but the innermost tiled by one
    // (a static 1 needs no loop).
    SmallVector<int64_t> ranges = root.getStaticLoopRanges();
    SmallVector<OpFoldResult> sizes;
    for (unsigned i = 0; i < ranges.size(); ++i)
      sizes.push_back(rewriter.getIndexAttr(
          i + 1 == ranges.size() || ranges[i] == 1 ? 0 : 1));
    scf::SCFTilingOptions tiling;
    tiling.setTileSizes(sizes);
    tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    scf::SCFTileAndFuseOptions options;
    options.setTilingOptions(tiling);
    options.setFusionControlFn(
        [&](tensor::ExtractSliceOp, OpResult producer, bool)
            -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
          if (!fusible.contains(producer.getOwner()))
            return std::nullopt;
          return scf::SCFTileAndFuseOptions::ControlFnResult{
              /*yieldProducerReplacement=*/producer.getOwner() ==
              norm.getOperation()};
        });
    rewriter.setInsertionPoint(root);
    FailureOr<scf::SCFTileAndFuseResult> result =
        scf::tileConsumerAndFuseProducersUsingSCF(
            rewriter, cast<TilingInterface>(root.getOperation()), options);
    if (failed(result))
      continue; // untouched: still correct, just not one unit
    SmallVector<Value> replacements;
    for (Value r : root->getResults())
      replacements.push_back(result->replacements.lookup(r));
    Value normRows = result->replacements.lookup(norm->getResult(0));
    if (llvm::is_contained(replacements, Value()) || !normRows)
      return root.emitOpError("row fusion produced no replacement");
    rewriter.replaceOp(root, replacements);
    if (norm != root) {
      // The loop's bounds read the norm's sizes: take them from its init
      // (the same shape), which the loop does not define.
      Value init = norm.getDpsInitOperand(0)->get();
      for (OpOperand &use :
           llvm::make_early_inc_range(norm->getResult(0).getUses()))
        if (isa<tensor::DimOp>(use.getOwner()))
          rewriter.modifyOpInPlace(use.getOwner(), [&] { use.set(init); });
      rewriter.replaceOp(norm, normRows);
    }
    fusedAny = true;
  }
  if (!fusedAny)
    return success();
  // The originals are dead now, as the slices of them tiling left unused;
  // a producer fused once per use (LayerNorm's mean, read by the variance
  // and the scaling) is computed once per row again after CSE.
  if (failed(applyPatternsGreedily(func, RewritePatternSet(func.getContext()))))
    return failure();
  DominanceInfo dominance(func);
  eliminateCommonSubExpressions(rewriter, dominance, func);
  return success();
}
