//===- MoeWeights.h - Expert weights stacked for loom_moe -------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// loom-raise-moe finds one matmul per expert; `loom_moe.grouped_matmul`
// takes the experts' weights as one [E, K, N] tensor. This builds it.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_TRANSFORMS_MOEWEIGHTS_H
#define LOOM_PASSES_TRANSFORMS_MOEWEIGHTS_H

#include "passes/Transforms/Matchers.h"

#include "mlir/IR/Builders.h"

namespace mlir::loom {

/// Stacks the experts' weights into [E, K, N]: one constant when they are
/// all constants (a resource blob when they were, so that the artifact
/// carries it like any large weight), else transposes, reshapes and a
/// tensor.concat, which copies every weight on every call.
Value stackExpertWeights(OpBuilder &b, Location loc,
                         ArrayRef<match::Matmul> mms);

} // namespace mlir::loom

#endif // LOOM_PASSES_TRANSFORMS_MOEWEIGHTS_H
