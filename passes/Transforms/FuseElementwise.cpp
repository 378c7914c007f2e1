//===- FuseElementwise.cpp - Elementwise chains into one linalg.generic ---===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The importer gives one linalg.generic per ONNX node; a chain of
// elementwise nodes becomes one generic here. A producer is fused only into
// a consumer with the same loops, so a contraction never recomputes an
// elementwise producer per output column, and a norm ends up as its row
// reduction (the squaring fused in), a per-row op and one elementwise op;
// those three then become one loop over the rows (FuseRowReductions.cpp).
// A producer with several users is duplicated only when its body is plain
// arithmetic (recomputing an exp or a division per user costs more than the
// intermediate tensor).
//
//===----------------------------------------------------------------------===//

#include "passes/Transforms/Passes.h"
#include "passes/Transforms/FuseRowReductions.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::loom {
#define GEN_PASS_DEF_FUSEELEMENTWISEPASS
#include "passes/Transforms/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;

namespace {

bool isPointwise(linalg::LinalgOp op) {
  return op && op.getNumReductionLoops() == 0 && op.getNumDpsInits() == 1;
}

/// Arithmetic only: no transcendental functions, divisions or reads of
/// other tensors.
bool isCheapToRecompute(linalg::LinalgOp op) {
  bool cheap = true;
  op.getBlock()->walk([&](Operation *inner) {
    if (isa<math::MathDialect>(inner->getDialect()) ||
        isa<arith::DivFOp, arith::RemFOp, arith::DivSIOp, arith::DivUIOp,
            tensor::ExtractOp>(inner))
      cheap = false;
  });
  return cheap;
}

struct FuseElementwisePass
    : public loom::impl::FuseElementwisePassBase<FuseElementwisePass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *operand) {
          auto producer = operand->get().getDefiningOp<linalg::LinalgOp>();
          auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
          // Same loop count: each producer element is computed once per
          // consumer (this includes a row reduction over the producer, as
          // the sum of squares of RMSNorm, but never a contraction, whose
          // extra loop would recompute the producer).
          if (!isPointwise(producer) || !consumer ||
              consumer.getNumLoops() != producer.getNumLoops())
            return false;
          // Several users: duplicate only a cheap producer of one input,
          // so that a fused copy reads no more than the original (a
          // residual add duplicated into every later norm would make each
          // read all earlier layers' outputs).
          return operand->get().hasOneUse() ||
                 (isCheapToRecompute(producer) &&
                  producer.getNumDpsInputs() <= 1);
        });
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    loom::populateFoldUnitExpandPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // Then each norm (row reductions, per-row ops, the scaling) into one
    // row loop.
    if (rowLoops && failed(loom::fuseRowReductions(getOperation())))
      signalPassFailure();
  }
};

} // namespace
