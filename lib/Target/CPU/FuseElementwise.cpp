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

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
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
    if (gpu) {
      // Upstream's linalg-fuse-elementwise-ops (single-use producers,
      // reshapes propagated by expansion, canonicalization), except that a
      // 16-bit float producer never goes into a reduction with more loops:
      // the operands of 16-bit matmuls stay buffers that the tensor-core
      // kernels load tile by tile (with TMA on sm_90a).
      // Likewise 8-bit integer contractions into i32 and 8-bit float
      // (FP8) contractions into f32 (the 8-bit tensor cores' forms):
      // nothing is fused into them, and reshapes are not propagated
      // through them, so they stay 2-d over byte buffers.
      auto isIntegerContraction = [](Operation *op) {
        auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
        if (!linalgOp || linalgOp.getNumReductionLoops() == 0 ||
            linalgOp.getNumDpsInits() != 1)
          return false;
        Type acc = getElementTypeOrSelf(linalgOp.getDpsInits()[0].getType());
        auto isOperand = [&](Value v) {
          Type t = getElementTypeOrSelf(v.getType());
          return acc.isInteger(32) ? t.isInteger(8)
                                   : acc.isF32() && isa<FloatType>(t) &&
                                         t.getIntOrFloatBitWidth() == 8;
        };
        return llvm::all_of(linalgOp.getDpsInputs(), isOperand);
      };
      linalg::ControlFusionFn control = [=](OpOperand *operand) {
        Operation *producer = operand->get().getDefiningOp();
        if (!producer || !producer->hasOneUse())
          return false;
        auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
        auto producerOp = dyn_cast<linalg::LinalgOp>(producer);
        if (isIntegerContraction(producer) ||
            (isIntegerContraction(consumer) &&
             (!producerOp ||
              producerOp.getNumLoops() < consumer.getNumLoops())))
          return false;
        Type element = getElementTypeOrSelf(operand->get().getType());
        bool tensorCoreOperand = element.isF16() || element.isBF16();
        return !consumer || !producerOp || !tensorCoreOperand ||
               consumer.getNumReductionLoops() == 0 ||
               consumer.getNumLoops() <= producerOp.getNumLoops();
      };
      MLIRContext *ctx = &getContext();
      linalg::populateElementwiseOpsFusionPatterns(patterns, control);
      linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
      tensor::populateBubbleUpExpandShapePatterns(patterns);
      affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
      linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
      tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
      tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
      ctx->getLoadedDialect<linalg::LinalgDialect>()
          ->getCanonicalizationPatterns(patterns);
      linalg::populateConstantFoldLinalgOperations(patterns, control);
    } else {
      linalg::populateElementwiseOpsFusionPatterns(
          patterns, [](OpOperand *operand) {
            auto producer = operand->get().getDefiningOp<linalg::LinalgOp>();
            auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
            if (!producer || !consumer)
              return false;
            // With several uses the producer is recomputed in each
            // consumer, at most once per element: cheaper than writing and
            // reading back a full intermediate (softmax's x - max, read by
            // the row sum and by the division).
            return consumer.getNumLoops() <= producer.getNumLoops();
          });
    }
    if (gpu) {
      (void)applyPatternsGreedily(
          getOperation(), std::move(patterns),
          GreedyRewriteConfig().setUseTopDownTraversal());
      return;
    }
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
