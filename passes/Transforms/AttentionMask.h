//===- AttentionMask.h - Causal / window masks as attributes ----*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Exporters build the attention mask from index arithmetic (Range and a
// comparison, Trilu, Where) or store it as a constant. The analysis here
// reads such a mask as a conjunction of band constraints on `j - i` (i the
// mask's row, j its column) and of tensors it cannot see through, so that
// the band becomes loom_attn.attention's `causal` / `window` attributes and
// only the rest stays a mask operand.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_TRANSFORMS_ATTENTIONMASK_H
#define LOOM_PASSES_TRANSFORMS_ATTENTIONMASK_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

#include <optional>

namespace mlir::loom::match {

/// A mask split into attributes and what is left of it.
struct MaskSplit {
  bool causal = false;
  /// `window(left, -1)`: keys more than `left` positions before the query
  /// are dropped.
  std::optional<int64_t> windowLeft;
  /// An i1 tensor of the mask's shape with the remaining restriction, or
  /// null when the attributes say everything.
  Value rest;
};

/// Splits `mask` (i1: keep where true; float: additive, 0 keeps, -inf or
/// the lowest float drops) of attention `q` `[B, H, Sq, D]` over `k`
/// `[B, H, Skv, D]`. The caller guarantees that the mask's last two
/// dimensions are Sq and Skv at run time (not broadcast). Fails unless at
/// least `causal` can be set and the split is exact:
/// * the band's upper edge is `j - i <= Skv - Sq` (Skv - Sq >= 0, known
///   statically or 0 through a square mask),
/// * a float mask that drops with a finite value (not -inf) has no rest:
///   a row the rest drops entirely would average all values in the graph
///   but give zeros in the op.
/// New ops for the rest are created at `b`'s insertion point.
FailureOr<MaskSplit> splitAttentionMask(OpBuilder &b, Location loc, Value mask,
                                        Value q, Value k);

/// Whether dim `da` of tensor `a` and dim `db` of tensor `b` are equal at
/// run time: both static and equal, or traced to one root (a dynamic size
/// of a function argument or another opaque value) through the ops that
/// pass sizes on: tensor.empty, destination-style ops, reshapes (whose
/// shape operand is a tensor.from_elements), transposes, concatenations
/// along another axis, loom_attn.rope, integer casts, and the size of a
/// Range from 0 by 1 (`fptosi(max(ceil(sitofp(n)), 0))` of a size n).
bool sameRuntimeSize(Value a, int64_t da, Value b, int64_t db);

} // namespace mlir::loom::match

#endif // LOOM_PASSES_TRANSFORMS_ATTENTIONMASK_H
