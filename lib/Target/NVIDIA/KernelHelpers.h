//===- KernelHelpers.h - Shared by the NVIDIA kernel passes -----*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Small pieces the NVIDIA matmul passes (wgmma, mma.sync, int8 mma.sync,
// matvec) all need: reading a matmul-shaped `linalg.generic`, and mapping
// `scf.parallel` loops onto blocks and threads.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_NVIDIA_KERNELHELPERS_H
#define LOOM_TARGET_NVIDIA_KERNELHELPERS_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::loom::nvidia {

/// Whether `op`'s body is `yield out + a * b` in floats (a and b possibly
/// extended with `arith.extf`).
bool isMulAddBody(linalg::GenericOp op);

/// The loop dimensions of `map`'s results (a projected permutation).
SmallVector<unsigned> dimsOf(AffineMap map);

/// Maps the dimensions of `loop` onto `processors`, in order (the
/// attribute `convert-parallel-loops-to-gpu` reads).
LogicalResult setMapping(scf::ParallelOp loop,
                         ArrayRef<gpu::Processor> processors);

} // namespace mlir::loom::nvidia

#endif // LOOM_TARGET_NVIDIA_KERNELHELPERS_H
