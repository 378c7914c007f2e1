//===- IndexSequences.h - Integer tensors as arithmetic sequences -*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Exporters compute position ids, sequence ids and the steps between them
// with index arithmetic over Range / iotas, Concat and Gather, with the
// slice bounds clamped by min / max of run-time sizes. The analysis here
// reads such an integer tensor as an affine function of its element index
// (`base + sum_d strides[d] * p[d]`), so that a test on it which holds at
// every element (e.g. "the position ids step by 1 everywhere") is known at
// compile time even when the sizes are not.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_TRANSFORMS_INDEXSEQUENCES_H
#define LOOM_PASSES_TRANSFORMS_INDEXSEQUENCES_H

#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace mlir::loom::match {

/// An integer, index or i1 tensor whose element at index p holds
/// `base + sum_d strides[d] * p[d]` (i1 as 0 / 1). Dims of static size 1
/// have stride 0.
struct IndexSequence {
  SmallVector<int64_t> strides;
  int64_t base = 0;

  /// Every element holds `base`.
  bool isUniform() const {
    return llvm::all_of(strides, [](int64_t s) { return s == 0; });
  }
};

/// `t` as an arithmetic sequence: integer constants that are one, fills,
/// reshapes and casts of sequences, concatenations whose pieces continue
/// one another, and all-parallel generics whose body is affine in the loop
/// indices (linalg.index, inputs and tensor.extract of sequences at affine
/// indices, scalars known below, integer arithmetic, and comparisons,
/// selects, min / max and bit operations that the affine values decide).
/// The values involved are indices and small integers; the analysis
/// assumes, as the exported graphs do, that their arithmetic does not wrap,
/// and that every tensor.extract reads in bounds (else the program has
/// undefined behaviour anyway).
std::optional<IndexSequence> indexSequence(Value t);

/// The value the integer or index scalar `v` provably holds: constants and
/// clamps such as `max(min(n, 1), 0)` of a size n that is at least 1
/// (tensor.dim of a concatenation with a static piece, ...), through
/// integer casts, additions, selects and comparisons.
std::optional<int64_t> knownScalar(Value v);

} // namespace mlir::loom::match

#endif // LOOM_PASSES_TRANSFORMS_INDEXSEQUENCES_H
