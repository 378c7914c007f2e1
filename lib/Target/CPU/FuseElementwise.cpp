//===- FuseElementwise.cpp - Elementwise fusion that never recomputes -----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Upstream's linalg-fuse-elementwise-ops also fuses an elementwise producer
// into a consumer with more loops, such as the matmul that reads the SwiGLU
// product or the normalized activations: the producer's body (exp, divide)
// then runs once per N column instead of once per element, and the matmul is
// no longer a contraction that tiles into FMAs. This pass fuses only where
// the consumer has no more loops than the producer (chains of elementwise
// ops, and the softmax's x - max into its row sum and its division).
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::loom::cpu {
#define GEN_PASS_DEF_FUSEELEMENTWISEPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::loom::cpu

using namespace mlir;

namespace {

struct FuseElementwisePass
    : public loom::cpu::impl::FuseElementwisePassBase<FuseElementwisePass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *operand) {
          auto producer = operand->get().getDefiningOp<linalg::LinalgOp>();
          auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
          if (!producer || !consumer)
            return false;
          // With several uses the producer is recomputed in each consumer,
          // at most once per element: cheaper than writing and reading back
          // a full intermediate (softmax's x - max, read by the row sum and
          // by the division).
          return consumer.getNumLoops() <= producer.getNumLoops();
        });
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
