//===- Passes.h - Loom's target-independent transforms ----------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_TRANSFORMS_PASSES_H
#define LOOM_PASSES_TRANSFORMS_PASSES_H

#include "dialects/moe/MoeDialect.h"
#include "dialects/quant/QuantDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mlir::loom {

#define GEN_PASS_DECL
#include "passes/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Transforms/Passes.h.inc"

/// Adds the raising passes (loom-raise-moe, loom-raise-quant) on every
/// function. To be folded into the loom-optimize pipeline.
void addRaisingPasses(OpPassManager &pm);

} // namespace mlir::loom

#endif // LOOM_PASSES_TRANSFORMS_PASSES_H
