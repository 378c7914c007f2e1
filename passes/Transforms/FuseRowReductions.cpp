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
//===----------------------------------------------------------------------===//

#include "passes/Transforms/FuseRowReductions.h"

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
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        });
    rewriter.setInsertionPoint(root);
    FailureOr<scf::SCFTileAndFuseResult> result =
        scf::tileConsumerAndFuseProducersUsingSCF(
            rewriter, cast<TilingInterface>(root.getOperation()), options);
    if (failed(result))
      continue; // untouched: still correct, just not one unit
    Value replacement = result->replacements.lookup(root->getResult(0));
    if (!replacement)
      return root.emitOpError("row fusion produced no replacement");
    rewriter.replaceOp(root, replacement);
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
