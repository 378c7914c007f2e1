//===- LowerEach.h - The driver loop of the Loom-to-linalg passes -*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_CONVERSION_LOWEREACH_H
#define LOOM_PASSES_CONVERSION_LOWEREACH_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::loom {

/// Lowers every op of the types `Ops` under `root` with `lower(rewriter, op)`,
/// the rewriter's insertion point at the op. Ops are collected first, so
/// lowerings may erase and create ops freely. Stops at the first failure.
template <typename... Ops, typename LowerFn>
LogicalResult lowerEach(Operation *root, LowerFn &&lower) {
  SmallVector<Operation *> ops;
  root->walk([&](Operation *op) {
    if (isa<Ops...>(op))
      ops.push_back(op);
  });
  IRRewriter rewriter(root->getContext());
  for (Operation *op : ops) {
    rewriter.setInsertionPoint(op);
    if (failed(lower(rewriter, op)))
      return failure();
  }
  return success();
}

} // namespace mlir::loom

#endif // LOOM_PASSES_CONVERSION_LOWEREACH_H
