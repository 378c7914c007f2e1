//===- Passes.h - Loom's target-independent transforms ----------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_TRANSFORMS_PASSES_H
#define LOOM_PASSES_TRANSFORMS_PASSES_H

#include "dialects/attn/AttnDialect.h"
#include "dialects/moe/MoeDialect.h"
#include "dialects/quant/QuantDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mlir::loom {

#define GEN_PASS_DECL
#include "passes/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Transforms/Passes.h.inc"

/// The RoPE pattern of loom-raise-attention (RaiseRope.cpp).
void populateRaiseRopePatterns(RewritePatternSet &patterns);

/// Loom's target-independent optimizations, in order: cleanup, raising
/// (attention, MoE, quantization), fusion. Run on the imported module
/// before a target's lowering; `loomc --emit=loom` prints its result.
/// `raise` false skips the raising passes (a baseline for benchmarks);
/// `rowLoops` false keeps each norm as separate ops instead of a loop over
/// rows (a CPU schedule: the GPU targets map the ops to kernels instead).
void buildOptimizePipeline(OpPassManager &pm, bool raise = true,
                           bool rowLoops = true);

/// Registers `loom-optimize` (buildOptimizePipeline) by name.
void registerOptimizePipeline();

} // namespace mlir::loom

#endif // LOOM_PASSES_TRANSFORMS_PASSES_H
