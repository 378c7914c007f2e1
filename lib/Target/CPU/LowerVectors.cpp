//===- LowerVectors.cpp - Vector ops to what the LLVM conversion takes ----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Runs on buffers, after bufferization. The recipe of MLIR's CPU matmul
// tests: hoist the accumulator's transfers out of the K loop, lower
// vector.contract to outer products and those to FMAs, multi-reductions to
// 1-D reductions, transfers to 1-D loads and stores, then transposes,
// broadcasts and shape casts. Vector f32 `exp` gets a polynomial, so that it
// stays in registers instead of calling libm once per lane.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::loom::cpu {
#define GEN_PASS_DEF_LOWERVECTORSPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::loom::cpu

using namespace mlir;

namespace {

struct LowerVectorsPass
    : public loom::cpu::impl::LowerVectorsPassBase<LowerVectorsPass> {
  using Base::Base;

  LogicalResult apply(RewritePatternSet &&patterns) {
    return applyPatternsGreedily(getOperation(), std::move(patterns));
  }

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    func::FuncOp func = getOperation();
    // The C tile is read and written once per register tile instead of once
    // per K step.
    linalg::hoistRedundantVectorTransfers(func);

    // Contractions and reductions to their 1-D forms; transfers with
    // permutations or broadcasts to minor-identity ones.
    {
      RewritePatternSet patterns(ctx);
      vector::populateVectorContractLoweringPatterns(
          patterns, vector::VectorContractLowering::OuterProduct);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      vector::populateVectorMultiReductionLoweringPatterns(
          patterns, vector::VectorMultiReductionLowering::InnerReduction);
      vector::populateVectorReductionToContractPatterns(patterns);
      vector::populateSinkVectorOpsPatterns(patterns);
      vector::ContractionOp::getCanonicalizationPatterns(patterns, ctx);
      vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
      vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
      if (failed(apply(std::move(patterns))))
        return signalPassFailure();
    }
    {
      RewritePatternSet patterns(ctx);
      vector::populateVectorContractLoweringPatterns(
          patterns, vector::VectorContractLowering::OuterProduct);
      vector::populateVectorOuterProductLoweringPatterns(patterns);
      vector::populateVectorMultiReductionLoweringPatterns(
          patterns, vector::VectorMultiReductionLowering::InnerReduction);
      vector::populateVectorTransferLoweringPatterns(patterns,
                                                     /*maxTransferRank=*/1);
      vector::populateVectorTransposeLoweringPatterns(
          patterns, vector::VectorTransposeLowering::Shuffle1D);
      vector::populateVectorBroadcastLoweringPatterns(patterns);
      vector::populateVectorShapeCastLoweringPatterns(patterns);
      vector::populateVectorMaskOpLoweringPatterns(patterns);
      vector::populateVectorStepLoweringPatterns(patterns);
      if (failed(apply(std::move(patterns))))
        return signalPassFailure();
    }
    // Only vectors: scalar code keeps libm's exp, so the numerics of ops
    // that were not vectorized do not change.
    {
      RewritePatternSet patterns(ctx);
      populateMathPolynomialApproximationPatterns(
          patterns, [](StringRef name) {
            return name == "exp" || name == "math.exp";
          });
      FrozenRewritePatternSet frozen(std::move(patterns));
      SmallVector<Operation *> exps;
      func.walk([&](math::ExpOp op) {
        if (isa<VectorType>(op.getType()))
          exps.push_back(op);
      });
      GreedyRewriteConfig config;
      config.setStrictness(GreedyRewriteStrictness::ExistingOps);
      if (!exps.empty() &&
          failed(applyOpPatternsGreedily(exps, frozen, config)))
        return signalPassFailure();
    }
  }
};

} // namespace
