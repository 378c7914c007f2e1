//===- FuseRowReductions.h - A norm's reductions and scaling in one loop --===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_TRANSFORMS_FUSEROWREDUCTIONS_H
#define LOOM_PASSES_TRANSFORMS_FUSEROWREDUCTIONS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::loom {

/// Reads the source of a tensor.expand_shape that only adds unit dimensions
/// (read at index 0) directly in a linalg.generic.
void populateFoldUnitExpandPatterns(RewritePatternSet &patterns);

/// Puts each elementwise op that scales rows by row reductions of the
/// innermost dimension (a norm) into one scf.forall over the rows, with
/// those reductions and the per-row ops between them fused in.
LogicalResult fuseRowReductions(func::FuncOp func);

} // namespace mlir::loom

#endif // LOOM_PASSES_TRANSFORMS_FUSEROWREDUCTIONS_H
