//===- LowerVectors.cpp - Vector ops to what the LLVM conversion takes ----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Runs on buffers, after bufferization. The recipe of MLIR's CPU matmul
// tests: hoist the accumulator's transfers out of the K loop (with our own
// hoisting: upstream's refuses any transfer on a memref.subview, which is
// every tile the tiling makes, so the accumulator was reloaded and stored
// at every K step), lower
// vector.contract to outer products and those to FMAs, multi-reductions to
// 1-D reductions, transfers to 1-D loads and stores, then transposes,
// broadcasts and shape casts. Vector f32 `exp` gets a polynomial, so that it
// stays in registers instead of calling libm once per lane.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::loom::cpu {
#define GEN_PASS_DEF_LOWERVECTORSPASS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::loom::cpu

using namespace mlir;

namespace {

/// The memref a chain of views (subview, cast, expand_shape...) starts from.
Value rootOf(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// Whether two root memrefs may share storage. Distinct allocations and
/// distinct globals never do, nor does one of them with anything else;
/// two function arguments (or other unknown roots) might.
bool mayAlias(Value a, Value b) {
  if (a == b)
    return true;
  auto globalA = a.getDefiningOp<memref::GetGlobalOp>();
  auto globalB = b.getDefiningOp<memref::GetGlobalOp>();
  if (globalA && globalB)
    return globalA.getName() == globalB.getName();
  auto fresh = [](Value v) {
    return v.getDefiningOp<memref::AllocOp>() ||
           v.getDefiningOp<memref::AllocaOp>() ||
           v.getDefiningOp<memref::GetGlobalOp>();
  };
  return !fresh(a) && !fresh(b);
}

/// Whether every op in `loop` other than `read` and `write` leaves the
/// memory under `root` alone: no access through any view that may alias it,
/// and only ops whose effects are known.
bool onlyPairTouches(scf::ForOp loop, Value root, Operation *read,
                     Operation *write) {
  WalkResult r = loop.getBody()->walk([&](Operation *op) {
    if (op == read || op == write)
      return WalkResult::advance();
    auto iface = dyn_cast<MemoryEffectOpInterface>(op);
    if (!iface)
      return op->hasTrait<OpTrait::HasRecursiveMemoryEffects>()
                 ? WalkResult::advance()
                 : WalkResult::interrupt();
    SmallVector<MemoryEffects::EffectInstance> effects;
    iface.getEffects(effects);
    for (const MemoryEffects::EffectInstance &e : effects) {
      if (isa<MemoryEffects::Allocate>(e.getEffect()))
        continue;
      Value v = e.getValue();
      if (!v || !isa<BaseMemRefType>(v.getType()) ||
          mayAlias(rootOf(v), root))
        return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return !r.wasInterrupted();
}

/// The read of `write`'s vector at the same place, before it in the body.
vector::TransferReadOp matchingRead(scf::ForOp loop,
                                    vector::TransferWriteOp write) {
  for (auto read : loop.getBody()->getOps<vector::TransferReadOp>()) {
    if (read.getBase() != write.getBase() || read.getMask() ||
        read.getIndices() != write.getIndices() ||
        read.getVectorType() != write.getVectorType() ||
        read.getPermutationMap() != write.getPermutationMap() ||
        read.getInBoundsAttr() != write.getInBoundsAttr() ||
        !loop.isDefinedOutsideOfLoop(read.getPadding()) ||
        !read->isBeforeInBlock(write))
      continue;
    return read;
  }
  return nullptr;
}

/// Turns a read-modify-write of the same vector in every iteration of an
/// scf.for (a register tile's accumulator) into a read before the loop, a
/// loop-carried vector and a write after it. Returns the new loop, or null
/// when there was no such pair.
scf::ForOp hoistOnePair(IRRewriter &rewriter, scf::ForOp loop) {
  for (auto write : loop.getBody()->getOps<vector::TransferWriteOp>()) {
    if (write.getMask() || !isa<MemRefType>(write.getBase().getType()) ||
        !loop.isDefinedOutsideOfLoop(write.getBase()) ||
        !llvm::all_of(write.getIndices(), [&](Value i) {
          return loop.isDefinedOutsideOfLoop(i);
        }))
      continue;
    vector::TransferReadOp read = matchingRead(loop, write);
    if (!read || !onlyPairTouches(loop, rootOf(write.getBase()), read, write))
      continue;
    read->moveBefore(loop);
    FailureOr<LoopLikeOpInterface> grown = loop.replaceWithAdditionalYields(
        rewriter, read.getResult(), /*replaceInitOperandUsesInLoop=*/true,
        [&](OpBuilder &, Location, ArrayRef<BlockArgument>) {
          return SmallVector<Value>{write.getVector()};
        });
    if (failed(grown))
      return nullptr;
    auto newLoop = cast<scf::ForOp>(grown->getOperation());
    write->moveAfter(newLoop);
    write.getValueToStoreMutable().assign(newLoop->getResults().back());
    return newLoop;
  }
  return nullptr;
}

/// Hoists accumulator pairs out of every scf.for, innermost loops first;
/// loop-invariant views are moved out first so that the pair's memref is
/// defined outside the loop.
void hoistAccumulators(func::FuncOp func) {
  IRRewriter rewriter(func.getContext());
  SmallVector<scf::ForOp> loops;
  func.walk([&](scf::ForOp loop) { loops.push_back(loop); });
  for (scf::ForOp loop : loops) {
    moveLoopInvariantCode(cast<LoopLikeOpInterface>(loop.getOperation()));
    // Each hoist replaces the loop with one carrying one more vector.
    while (scf::ForOp grown = hoistOnePair(rewriter, loop))
      loop = grown;
  }
}

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
    hoistAccumulators(func);

    // Contractions and reductions to their 1-D forms; transfers with
    // permutations or broadcasts to minor-identity ones.
    {
      RewritePatternSet patterns(ctx);
      // A batched matmul's register tile is [1, rows, cols]: its unit batch
      // dim is dropped first (the outer-product lowering takes 2-D
      // contractions only).
      vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
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
