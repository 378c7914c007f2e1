//===- WgmmaMatching.h - Matmuls the Hopper wgmma kernel takes --*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The matching half of `loom-nvidia-matmul-to-wgmma`: which matmuls the
// TMA + wgmma kernel runs, contraction generics raised to (batch) matmuls
// on collapsed views, and the fill / rounding ops around a matmul that the
// kernel absorbs. MatmulToWgmma.cpp builds the kernel.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_NVIDIA_WGMMAMATCHING_H
#define LOOM_TARGET_NVIDIA_WGMMAMATCHING_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <optional>

namespace mlir::loom::nvidia {

/// Tile of C per block and K step: 64 16-bit elements are one 128-byte
/// swizzle row.
constexpr int64_t kWgmmaTileM = 128, kWgmmaTileN = 128, kWgmmaTileK = 64;

/// A matmul the kernel runs: C[m, n] (+)= sum_k A[m, k] * B[k, n], B stored
/// K x N or (kMajorB) N x K; batched: a leading batch dimension on all
/// three, one batch per grid z.
struct WgmmaMatmul {
  linalg::LinalgOp op;
  Value a, b, c;
  bool kMajorB = false;
  bool batched = false;
};

/// `op` as the kernel takes it: a `linalg.matmul` (plain or transposed-B
/// maps) or `linalg.batch_matmul` (plain or transposed-B) with A and B of
/// one 16-bit float type, C f32, identity layouts, N % 128 == 0 and
/// K % 64 == 0. M may be any size (TMA zero-fills A's rows past M, the
/// epilogue masks them) and dynamic, except batched, where M % 128 == 0
/// keeps A's boxes inside one batch of the flattened [batch * M, K] view.
std::optional<WgmmaMatmul> matchWgmmaMatmul(Operation *op);

/// A contraction `linalg.generic` (C[batch.., m.., n..] += A[batch.., m..,
/// k..] * B[batch.., k.., n..] or B[batch.., n.., k..]) that a kernel
/// runs once its dimensions are grouped becomes a (batch) matmul on
/// collapsed views; see the definition. `accepts` says whether the kernel
/// takes the matmul built (matchWgmmaMatmul by default); if not, the
/// generic stays.
void contractionAsMatmul(
    linalg::GenericOp op,
    llvm::function_ref<bool(Operation *)> accepts = [](Operation *matmul) {
      return matchWgmmaMatmul(matmul).has_value();
    });

/// The op that zeroes `c`, `op`'s accumulator, just before `op`, if there
/// is one: a `linalg.fill` of zero, or a `linalg.copy` of a zero-filled
/// buffer. The kernel then stores C without reading it, and the op goes.
Operation *zeroFillBefore(Operation *op, Value c);

/// The elementwise op that only rounds a zero-filled matmul's f32 result
/// to 16 bits (the importer's f32 accumulation of a 16-bit graph), with
/// the 16-bit buffer the kernel then writes instead.
struct WgmmaTruncation {
  linalg::GenericOp generic;
  Value out;
};
std::optional<WgmmaTruncation> truncationOf(Operation *op, Value c);

/// Erases `truncation`'s generic and the f32 buffer it read (`c`, or what
/// `c` is a view of), which nothing else uses now.
void eraseTruncated(WgmmaTruncation truncation, Value c);

} // namespace mlir::loom::nvidia

#endif // LOOM_TARGET_NVIDIA_WGMMAMATCHING_H
