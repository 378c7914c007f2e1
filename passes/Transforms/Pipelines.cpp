//===- Pipelines.cpp - The loom-optimize pipeline --------------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Raising needs the importer's shape arithmetic folded away first
// (canonicalize, cse), and must see the graph before fusion merges the
// softmax, the scales and the mask into each other; fusion comes last.
//
//===----------------------------------------------------------------------===//

#include "passes/Transforms/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::loom::buildOptimizePipeline(OpPassManager &pm, bool raise,
                                       bool rowLoops) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Raising: exported graphs into loom_attn / loom_moe / loom_quant.
  if (raise) {
    OpPassManager &fpm = pm.nest<func::FuncOp>();
    fpm.addPass(createRaiseAttentionPass());
    fpm.addPass(createRaiseMoePass());
    fpm.addPass(createRaiseQuantPass());
  }
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Fusion on what is left as linalg.
  OpPassManager &fuse = pm.nest<func::FuncOp>();
  fuse.addPass(createFuseElementwisePass(FuseElementwisePassOptions{rowLoops}));
  fuse.addPass(createFuseEpiloguePass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::loom::registerOptimizePipeline() {
  PassPipelineRegistration<>(
      "loom-optimize",
      "Loom's target-independent optimizations: raising to the Loom "
      "dialects, then fusion",
      [](OpPassManager &pm) { buildOptimizePipeline(pm); });
}
