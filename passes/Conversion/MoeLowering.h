//===- MoeLowering.h - Helpers of the loom_moe lowering ---------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Shared by the lowerings of the loom_moe ops: small builders for index and
// f32 arithmetic, and the entry points of the grouped matmul lowering
// (MoeGroupedMatmul.cpp) that the pass in MoeToLinalg.cpp calls. Internal
// to passes/Conversion.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_CONVERSION_MOELOWERING_H
#define LOOM_PASSES_CONVERSION_MOELOWERING_H

#include "dialects/moe/MoeDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::loom::moe {

inline Value cIdx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
inline Value cF32(OpBuilder &b, Location loc, float v) {
  return arith::ConstantFloatOp::create(b, loc, b.getF32Type(), APFloat(v));
}
inline Value cI32(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
}
inline Value toIndex(OpBuilder &b, Location loc, Value v) {
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}
inline Value toI32(OpBuilder &b, Location loc, Value v) {
  return arith::IndexCastOp::create(b, loc, b.getI32Type(), v);
}
inline Value dim(OpBuilder &b, Location loc, Value t, int64_t i) {
  return getValueOrCreateConstantIndexOp(b, loc,
                                         tensor::getMixedSize(b, loc, t, i));
}
inline Value toF32(OpBuilder &b, Location loc, Value v) {
  Type f32 = b.getF32Type();
  if (v.getType() == f32)
    return v;
  if (v.getType().getIntOrFloatBitWidth() < 32)
    return arith::ExtFOp::create(b, loc, f32, v);
  return arith::TruncFOp::create(b, loc, f32, v);
}
inline Value fromF32(OpBuilder &b, Location loc, Value v, Type to) {
  if (to == v.getType())
    return v;
  if (to.getIntOrFloatBitWidth() < 32)
    return arith::TruncFOp::create(b, loc, to, v);
  return arith::ExtFOp::create(b, loc, to, v);
}
inline Value castTo(OpBuilder &b, Location loc, Value v, Type type) {
  if (v.getType() == type)
    return v;
  return tensor::CastOp::create(b, loc, type, v);
}
inline Value emptyLike(OpBuilder &b, Location loc, ArrayRef<Value> sizes,
                       Type elt) {
  SmallVector<OpFoldResult> ofr;
  for (Value s : sizes)
    ofr.push_back(getAsOpFoldResult(s));
  return tensor::EmptyOp::create(b, loc, ofr, elt);
}
inline Value filled(OpBuilder &b, Location loc, Value value, Value empty) {
  return linalg::FillOp::create(b, loc, value, empty).getResult(0);
}

/// How grouped matmuls are lowered (the pass's options) and what the pass
/// shares between them.
struct GroupedMatmulLowering {
  /// Width of the column panels constant weights are repacked into (0: no
  /// repacking): [E, K, N] becomes [E, N / width, K, width], so that a tile
  /// reads each weight row of its panel contiguously.
  int64_t panelWidth = 0;
  /// Whether elementwise consumers of grouped matmuls run inside their
  /// row tiles (see fuseGroupedMatmulEpilogues).
  bool fuseEpilogues = false;
  /// Repacked constants by original weight, so shared weights are packed
  /// once.
  llvm::DenseMap<Value, Value> panels;
};

/// Lowers one grouped matmul to an scf.forall over its row tiles.
LogicalResult lowerGroupedMatmul(RewriterBase &rewriter, GroupedMatmulOp op,
                                 GroupedMatmulLowering &opts);

/// Lowers every elementwise linalg.generic under `root` whose inputs are all
/// results of grouped matmuls over the same rows (gate and up projections
/// and their SiLU * up, say), together with those matmuls, into one
/// scf.forall: each row tile multiplies once per matmul and applies the
/// generic's body to the tiles, so the matmul results are never stored.
LogicalResult fuseGroupedMatmulEpilogues(Operation *root,
                                         GroupedMatmulLowering &opts);

} // namespace mlir::loom::moe

#endif // LOOM_PASSES_CONVERSION_MOELOWERING_H
