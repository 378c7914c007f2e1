//===- FlashOperands.h - Attention as the flash kernels read it -*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The vendor-neutral part of deciding whether a `loom_attn.attention` op
// takes one of the targets' flash-attention kernels (AMD AttentionToMfma,
// NVIDIA AttentionToMma): the features none of them implement, the
// operands' shared element type, and how a mask broadcasts to the scores.
// Each target adds its own element types, sizes and mask layouts.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_ATTN_FLASHOPERANDS_H
#define LOOM_DIALECTS_ATTN_FLASHOPERANDS_H

#include "dialects/attn/AttnDialect.h"

#include "mlir/IR/BuiltinTypes.h"

#include <optional>

namespace mlir::loom::attn {

/// The types of Q, K, V and the result, their element type, and the scale
/// of the scores (the op's or its default).
struct FlashOperands {
  RankedTensorType q, k, v, r;
  Type element;
  double scale;
};

/// The operands of `op` when it uses nothing the flash kernels leave to the
/// generic lowering (bias, sparsity, a window, sinks, softcap) and Q, K, V
/// and the result have one element type, and its scale is known.
inline std::optional<FlashOperands> flashOperands(AttentionOp op) {
  if (op.getBias() || op.getSparsityAttr() || op.getWindowAttr() ||
      op.getSinksAttr() || op.getSoftcapAttr())
    return std::nullopt;
  FlashOperands o{cast<RankedTensorType>(op.getQuery().getType()),
                  cast<RankedTensorType>(op.getKey().getType()),
                  cast<RankedTensorType>(op.getValue().getType()),
                  cast<RankedTensorType>(op.getResult().getType()), Type(),
                  0.0};
  o.element = o.q.getElementType();
  if (o.k.getElementType() != o.element ||
      o.v.getElementType() != o.element || o.r.getElementType() != o.element)
    return std::nullopt;
  std::optional<double> scale = op.getScaleOrDefault();
  if (!scale)
    return std::nullopt;
  o.scale = *scale;
  return o;
}

/// Whether a mask of shape `mask` (rank at most 4) broadcasts to `full`
/// ([B, Hq, Sq, Skv]) with sizes a kernel can index: each static size 1 or
/// the one it lines up with, a dynamic size only against a dynamic one.
inline bool maskBroadcasts(ArrayRef<int64_t> mask, ArrayRef<int64_t> full) {
  for (size_t i = 0; i < mask.size(); ++i) {
    int64_t size = mask[i], target = full[full.size() - mask.size() + i];
    if (size == 1)
      continue;
    if (ShapedType::isDynamic(size) ? !ShapedType::isDynamic(target)
                                    : size != target)
      return false;
  }
  return true;
}

} // namespace mlir::loom::attn

#endif // LOOM_DIALECTS_ATTN_FLASHOPERANDS_H
