//===- FuseEpilogue.cpp - Bias / residual into the matmul accumulator -----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// `y = act(x W + b) + r` arrives as a contraction that accumulates into a
// zero fill and one elementwise consumer (after loom-fuse-elementwise) that
// adds b, applies act and adds r. An addition that comes first in that
// consumer's body can start the accumulation instead: the contraction's
// init becomes the addend (broadcast to the output when it is a bias), one
// pass over the output disappears, and what is left of the consumer (the
// activation, later additions) is the contraction's single epilogue.
//
//===----------------------------------------------------------------------===//

#include "passes/Transforms/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::loom {
#define GEN_PASS_DEF_FUSEEPILOGUEPASS
#include "passes/Transforms/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;

namespace {

/// A contraction accumulating into a fill of zero, with an output map that
/// is a projected permutation (a matmul, batch matmul or generic
/// equivalent).
bool isZeroInitContraction(linalg::LinalgOp op) {
  if (!op || op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0 ||
      !linalg::isaContractionOpInterface(op))
    return false;
  OpOperand *init = op.getDpsInitOperand(0);
  if (!op.getMatchingIndexingMap(init).isProjectedPermutation())
    return false;
  auto fill = init->get().getDefiningOp<linalg::FillOp>();
  if (!fill)
    return false;
  return matchPattern(fill.getInputs()[0], m_AnyZeroFloat()) ||
         matchPattern(fill.getInputs()[0], m_Zero());
}

/// True if `v` is available before `op`: a block argument of an enclosing
/// block or defined earlier in op's block (or in an ancestor of it).
bool availableBefore(Value v, Operation *op) {
  Block *block = isa<BlockArgument>(v) ? cast<BlockArgument>(v).getOwner()
                                       : v.getDefiningOp()->getBlock();
  Operation *ancestor = block->findAncestorOpInBlock(*op);
  if (!ancestor)
    return false;
  Operation *def = v.getDefiningOp();
  return !def || (def != ancestor && def->isBeforeInBlock(ancestor));
}

/// A view between the contraction and its epilogue: a row-major reshape
/// (tensor.reshape, expand_shape, collapse_shape) or a linalg.transpose of
/// the contraction's result, used only there.
struct View {
  Operation *op = nullptr;
  Value source;
};

std::optional<View> matchView(Value v) {
  Operation *def = v.getDefiningOp();
  if (!def || !v.hasOneUse())
    return std::nullopt;
  Value src;
  if (auto r = dyn_cast<tensor::ReshapeOp>(def))
    src = r.getSource();
  else if (auto e = dyn_cast<tensor::ExpandShapeOp>(def))
    src = e.getSrc();
  else if (auto c = dyn_cast<tensor::CollapseShapeOp>(def))
    src = c.getSrc();
  else if (auto t = dyn_cast<linalg::TransposeOp>(def))
    src = t.getInput();
  else
    return std::nullopt;
  if (!src.hasOneUse())
    return std::nullopt;
  return View{def, src};
}

/// The addend's map from the epilogue's loops into the contraction's output
/// loops when the epilogue reads the contraction through `view`:
/// * a transpose permutes the loops;
/// * a reshape keeps the innermost axis when both sides have the same
///   static innermost size, so an addend that reads only that axis (a
///   bias) reads it there too.
/// Null when the addend does not broadcast that way.
AffineMap mapThroughView(AffineMap addendMap, const View &view,
                         RankedTensorType accType) {
  MLIRContext *ctx = addendMap.getContext();
  unsigned accRank = accType.getRank();
  if (auto t = dyn_cast<linalg::TransposeOp>(view.op)) {
    // Epilogue loop e_i is the contraction output loop perm[i].
    SmallVector<AffineExpr> subst;
    for (int64_t p : t.getPermutation())
      subst.push_back(getAffineDimExpr(p, ctx));
    return addendMap.replaceDimsAndSymbols(subst, {}, accRank, 0);
  }
  auto viewType = cast<RankedTensorType>(view.op->getResult(0).getType());
  unsigned rank = viewType.getRank();
  int64_t inner = viewType.getDimSize(rank - 1);
  if (ShapedType::isDynamic(inner) || inner != accType.getDimSize(accRank - 1))
    return AffineMap();
  for (AffineExpr e : addendMap.getResults()) {
    if (auto d = dyn_cast<AffineDimExpr>(e)) {
      if (d.getPosition() != rank - 1)
        return AffineMap();
    } else if (!isa<AffineConstantExpr>(e)) {
      return AffineMap();
    }
  }
  SmallVector<AffineExpr> subst(rank, getAffineConstantExpr(0, ctx));
  subst[rank - 1] = getAffineDimExpr(accRank - 1, ctx);
  return addendMap.replaceDimsAndSymbols(subst, {}, accRank, 0);
}

/// A full-shape addend (read with the identity map through a reshape) in
/// the contraction's shape: the inverse reshape, created before
/// `producer`.
Value unreshape(OpBuilder &b, Location loc, Value addend, const View &view,
                linalg::LinalgOp producer) {
  auto accType = cast<RankedTensorType>(view.source.getType());
  if (auto e = dyn_cast<tensor::ExpandShapeOp>(view.op))
    return tensor::CollapseShapeOp::create(b, loc, accType, addend,
                                           e.getReassociationIndices());
  Value init = producer.getDpsInitOperand(0)->get();
  if (auto c = dyn_cast<tensor::CollapseShapeOp>(view.op))
    return tensor::ExpandShapeOp::create(b, loc, accType, addend,
                                         c.getReassociationIndices(),
                                         tensor::getMixedSizes(b, loc, init));
  // tensor.reshape: back to the contraction's sizes.
  SmallVector<Value> sizes;
  for (OpFoldResult size : tensor::getMixedSizes(b, loc, init))
    sizes.push_back(arith::IndexCastOp::create(
        b, loc, b.getI64Type(), getValueOrCreateConstantIndexOp(b, loc, size)));
  Value shape = tensor::FromElementsOp::create(b, loc, sizes);
  return tensor::ReshapeOp::create(b, loc, accType, addend, shape);
}

struct FoldAddIntoAccumulator : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp epilogue,
                                PatternRewriter &rewriter) const override {
    if (epilogue.getNumReductionLoops() != 0 ||
        epilogue.getNumDpsInits() != 1 ||
        !epilogue.getMatchingIndexingMap(epilogue.getDpsInitOperand(0))
             .isIdentity())
      return failure();
    Block *body = epilogue.getBody();
    for (OpOperand *in : epilogue.getDpsInputOperands()) {
      // The contraction, directly or behind a reshape / transpose.
      std::optional<View> view = matchView(in->get());
      Value result = view ? view->source : in->get();
      auto producer = result.getDefiningOp<linalg::LinalgOp>();
      if (!isZeroInitContraction(producer) || !result.hasOneUse() ||
          !epilogue.getMatchingIndexingMap(in).isIdentity())
        continue;
      BlockArgument acc = body->getArgument(in->getOperandNumber());
      if (!acc.hasOneUse())
        continue;
      auto add = dyn_cast<arith::AddFOp>(*acc.getUsers().begin());
      if (!add)
        continue;
      Value other = add.getLhs() == acc ? add.getRhs() : add.getLhs();
      auto otherArg = dyn_cast<BlockArgument>(other);
      if (!otherArg || otherArg.getOwner() != body ||
          otherArg.getArgNumber() >= epilogue.getNumDpsInputs() ||
          otherArg.getArgNumber() == in->getOperandNumber())
        continue;
      OpOperand *addend = epilogue.getDpsInputOperand(otherArg.getArgNumber());
      Value addendValue = addend->get();
      auto accType = cast<RankedTensorType>(result.getType());
      if (getElementTypeOrSelf(addendValue.getType()) !=
              accType.getElementType() ||
          !availableBefore(addendValue, producer))
        continue;

      // The addend in the contraction's output space: as is, the inverse
      // reshape of a full-shape addend, or a map through the view.
      rewriter.setInsertionPoint(producer);
      Location loc = epilogue.getLoc();
      AffineMap addendMap = epilogue.getMatchingIndexingMap(addend);
      bool fullShape = addendMap.isIdentity() &&
                       addendValue.getType() == in->get().getType();
      Value init;
      if (view && fullShape && !isa<linalg::TransposeOp>(view->op)) {
        init = unreshape(rewriter, loc, addendValue, *view, producer);
        addendMap = rewriter.getMultiDimIdentityMap(accType.getRank());
      } else if (view) {
        addendMap = mapThroughView(addendMap, *view, accType);
        if (!addendMap)
          continue;
        init = addendValue;
      } else {
        init = addendValue;
      }
      if (!addendMap.isIdentity() || init.getType() != accType) {
        Value fillInit = producer.getDpsInitOperand(0)->get()
                             .getDefiningOp<linalg::FillOp>()
                             .getOutputs()[0];
        auto copy = linalg::GenericOp::create(
            rewriter, loc, accType, ValueRange{init}, ValueRange{fillInit},
            ArrayRef<AffineMap>{addendMap,
                                rewriter.getMultiDimIdentityMap(
                                    accType.getRank())},
            SmallVector<utils::IteratorType>(accType.getRank(),
                                             utils::IteratorType::parallel),
            [](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(b, l, args[0]);
            });
        init = copy.getResult(0);
      }
      rewriter.modifyOpInPlace(producer, [&] {
        producer.getDpsInitOperand(0)->set(init);
      });
      rewriter.modifyOpInPlace(epilogue, [&] {
        rewriter.replaceAllUsesWith(add.getResult(), acc);
      });
      rewriter.eraseOp(add);
      return success();
    }
    return failure();
  }
};

/// An elementwise generic that only copies its single input with identity
/// maps is that input.
struct DropIdentityCopy : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getNumReductionLoops() != 0 || op.getNumDpsInits() != 1 ||
        op.getNumResults() != 1)
      return failure();
    auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
    auto arg = dyn_cast<BlockArgument>(yield.getOperand(0));
    if (!arg || arg.getOwner() != op.getBody() ||
        arg.getArgNumber() >= op.getNumDpsInputs())
      return failure();
    OpOperand *in = op.getDpsInputOperand(arg.getArgNumber());
    if (!op.getMatchingIndexingMap(in).isIdentity() ||
        in->get().getType() != op.getResult(0).getType())
      return failure();
    rewriter.replaceOp(op, in->get());
    return success();
  }
};

struct FuseEpiloguePass
    : public loom::impl::FuseEpiloguePassBase<FuseEpiloguePass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldAddIntoAccumulator, DropIdentityCopy>(&getContext());
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
