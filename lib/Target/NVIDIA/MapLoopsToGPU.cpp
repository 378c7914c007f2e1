//===- MapLoopsToGPU.cpp - Parallel loops to blocks and threads -----------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/NVIDIA/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::loom::nvidia {
#define GEN_PASS_DEF_MAPLOOPSTOGPUPASS
#include "lib/Target/NVIDIA/Passes.h.inc"
} // namespace mlir::loom::nvidia

using namespace mlir;
using namespace mlir::loom;

namespace {

gpu::ParallelLoopDimMappingAttr dimMapping(MLIRContext *ctx,
                                           gpu::Processor processor) {
  AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
  return gpu::ParallelLoopDimMappingAttr::get(ctx, processor, id, id);
}

/// Maps the loop's dimensions, innermost first, to `processors`; the
/// dimensions left over run sequentially in each thread.
LogicalResult mapDims(scf::ParallelOp loop,
                      ArrayRef<gpu::Processor> processors) {
  MLIRContext *ctx = loop.getContext();
  unsigned rank = loop.getNumLoops();
  SmallVector<gpu::ParallelLoopDimMappingAttr> mapping(
      rank, dimMapping(ctx, gpu::Processor::Sequential));
  for (auto [i, processor] : llvm::enumerate(processors))
    if (i < rank)
      mapping[rank - 1 - i] = dimMapping(ctx, processor);
  return gpu::setMappingAttr(loop, mapping);
}

/// Grid dimensions for a tiled loop, innermost first. Grid y and z hold at
/// most 65535 blocks, x 2^31 - 1: the row dimension (tokens, up to the
/// whole prompt) gets x, the innermost dimension's tiles (a row of 1024
/// elements per block) get y, a batch dimension z.
SmallVector<gpu::Processor> gridProcessors(unsigned rank) {
  if (rank == 1)
    return {gpu::Processor::BlockX};
  return {gpu::Processor::BlockY, gpu::Processor::BlockX,
          gpu::Processor::BlockZ};
}

/// Whether `op` and the ops nested in it only allocate or free buffers
/// (which the host does on device buffers too) or touch no memory at all:
/// the `scf.if %owned { memref.dealloc }` of the buffer deallocation.
bool onlyManagesBuffers(Operation *op) {
  return !op
              ->walk([](Operation *inner) {
                if (isa<memref::AllocOp, memref::DeallocOp>(inner) ||
                    inner->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
                  return WalkResult::advance();
                auto effects = dyn_cast<MemoryEffectOpInterface>(inner);
                return effects && effects.hasNoEffect()
                           ? WalkResult::advance()
                           : WalkResult::interrupt();
              })
              .wasInterrupted();
}

/// Whether a host-level op has to run on the device: it touches memory
/// (loads, stores, loops over buffers) and is not one of the operations
/// that stay on the host (allocation, freeing, also under a branch, the
/// return, the terminators of the loops around kernels, e.g. an
/// scf.forall's empty in_parallel). Ops with results stay on the host: their
/// values feed host code. A `gpu.launch` (a kernel a target pass wrote
/// directly, e.g. the AMD MFMA matmul) already runs there.
bool needsDevice(Operation *op) {
  if (isa<scf::ParallelOp, memref::AllocOp, memref::AllocaOp, memref::DeallocOp,
          memref::GetGlobalOp, func::ReturnOp, gpu::LaunchOp>(op) ||
      op->hasTrait<OpTrait::IsTerminator>() || op->getNumResults() != 0)
    return false;
  if (op->getNumRegions() > 0)
    return !onlyManagesBuffers(op);
  return !isMemoryEffectFree(op);
}

bool containsParallelLoop(Operation *op) {
  return op->walk([](scf::ParallelOp) { return WalkResult::interrupt(); })
      .wasInterrupted();
}

/// Walks the code that runs on the host: the function body and the bodies
/// of the loops and branches around parallel loops (the key-block loop of
/// attention, the expert loop of MoE). Collects the parallel loops that
/// become kernels and the sequential code that must run on the device.
void collectHostLevel(Block &block, SmallVectorImpl<scf::ParallelOp> &kernels,
                      SmallVectorImpl<Operation *> &sequential) {
  for (Operation &op : block) {
    if (auto loop = dyn_cast<scf::ParallelOp>(op)) {
      if (!loop->hasAttr(gpu::getMappingAttrName()))
        kernels.push_back(loop);
      continue;
    }
    if (op.getNumRegions() > 0 && containsParallelLoop(&op)) {
      for (Region &region : op.getRegions())
        for (Block &inner : region)
          collectHostLevel(inner, kernels, sequential);
      continue;
    }
    if (needsDevice(&op))
      sequential.push_back(&op);
  }
}

struct MapLoopsToGPUPass
    : public nvidia::impl::MapLoopsToGPUPassBase<MapLoopsToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    if (threadsPerBlock <= 0 || threadsPerBlock > 1024) {
      func.emitError("threads-per-block must be in [1, 1024]");
      return signalPassFailure();
    }

    SmallVector<scf::ParallelOp> loops;
    SmallVector<Operation *> sequential;
    for (Block &block : func.getBody())
      collectHostLevel(block, loops, sequential);

    // Sequential code becomes a one-iteration parallel loop, so that it
    // runs in a (single-thread) kernel and never reads device memory from
    // the host.
    OpBuilder b(func.getContext());
    for (Operation *op : sequential) {
      b.setInsertionPoint(op);
      Location loc = op->getLoc();
      Value zero = arith::ConstantIndexOp::create(b, loc, 0);
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      auto wrapper = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                             ValueRange{one}, ValueRange{one});
      op->moveBefore(wrapper.getBody()->getTerminator());
      if (failed(mapDims(wrapper, {gpu::Processor::BlockX})))
        return signalPassFailure();
    }

    for (scf::ParallelOp loop : loops) {
      SmallVector<int64_t> tileSizes(loop.getNumLoops(), 1);
      tileSizes.back() = threadsPerBlock;
      auto [outer, inner] =
          scf::tileParallelLoop(loop, tileSizes, /*noMinMaxBounds=*/false);
      if (failed(mapDims(outer, gridProcessors(outer.getNumLoops()))) ||
          failed(mapDims(inner, {gpu::Processor::ThreadX})))
        return signalPassFailure();
    }

    // convert-parallel-loops-to-gpu needs a constant in the inner loops'
    // `affine.min` bounds to size the blocks; tiling built them from
    // products of constants. Only folding and affine.min patterns run here:
    // the full canonicalizer would inline the one-iteration loops above.
    RewritePatternSet patterns(func.getContext());
    affine::AffineMinOp::getCanonicalizationPatterns(patterns,
                                                     func.getContext());
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
