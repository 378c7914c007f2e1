//===- AttentionF32.h - f32 attention on tensor cores (3xTF32) --*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The f32 form of the mma.sync attention kernel (AttentionF32.cpp), hooked
// into loom-nvidia-attention-to-mma / loom-nvidia-attention-kernels
// (AttentionToMma.cpp) through the same marked call.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_NVIDIA_ATTENTIONF32_H
#define LOOM_TARGET_NVIDIA_ATTENTIONF32_H

#include "dialects/attn/AttnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::loom::nvidia {

/// Whether the f32 kernel takes `op` (f32 q, k, v and result, static D a
/// multiple of 8 up to 64 and static heads, any Sq / Skv / batch, an
/// optional f32 additive mask, no bias, window, sinks, softcap or
/// sparsity).
bool f32AttentionFits(attn::AttentionOp op);

/// The f32 kernel in place of `call` (q, k, v, [mask,] out, f32 buffers of
/// identity layout); erases the call.
void buildF32AttentionKernel(func::CallOp call, bool causal, double scale);

} // namespace mlir::loom::nvidia

#endif // LOOM_TARGET_NVIDIA_ATTENTIONF32_H
