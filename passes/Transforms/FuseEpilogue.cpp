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

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
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
      auto producer = in->get().getDefiningOp<linalg::LinalgOp>();
      if (!isZeroInitContraction(producer) || !in->get().hasOneUse() ||
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
      auto accType = cast<RankedTensorType>(in->get().getType());
      if (getElementTypeOrSelf(addendValue.getType()) !=
              accType.getElementType() ||
          !availableBefore(addendValue, producer))
        continue;

      // The new accumulator: the addend itself, or its broadcast to the
      // contraction's output.
      rewriter.setInsertionPoint(producer);
      Location loc = epilogue.getLoc();
      Value init = addendValue;
      AffineMap addendMap = epilogue.getMatchingIndexingMap(addend);
      if (!addendMap.isIdentity() || addendValue.getType() != accType) {
        Value fillInit = producer.getDpsInitOperand(0)->get()
                             .getDefiningOp<linalg::FillOp>()
                             .getOutputs()[0];
        auto copy = linalg::GenericOp::create(
            rewriter, loc, accType, ValueRange{addendValue},
            ValueRange{fillInit},
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
