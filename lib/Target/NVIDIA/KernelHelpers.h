//===- KernelHelpers.h - Shared by the NVIDIA kernel passes -----*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Small pieces the NVIDIA matmul passes (wgmma, mma.sync, int8 mma.sync,
// matvec, grouped and W4A16 kernels) need: reading a matmul-shaped
// `linalg.generic`, mapping `scf.parallel` loops onto blocks and threads,
// one m16n8k16 mma.sync on 16-bit fragments, and the memory effects that
// kernels built on tensors need before buffer deallocation runs.
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

/// One `nvvm.mma.sync` m16n8k16 with f32 accumulators on `element` (f16 or
/// bf16) fragments: `a` four pairs, `b` two pairs (vector<2xelement>
/// each, as the PTX ISA lays them out), `acc` four f32 (c0..c3). Returns
/// d0..d3. bf16 pairs are passed packed in 32-bit registers, f16 pairs as
/// vector<2xf16>, as NVVM's mma.sync takes them.
SmallVector<Value> mmaSyncM16N8K16(OpBuilder &b, Location loc, Type element,
                                   ArrayRef<Value> a, ArrayRef<Value> bPairs,
                                   ArrayRef<Value> acc);

/// `nvvm.mma.sync` and `gpu.barrier` declare no memory effects, and the
/// buffer deallocation that runs after the passes building kernels on
/// tensors rejects ops with unknown effects inside a `gpu.launch`. Adds
/// models to `registry` (unless the ops already have them): the mma touches
/// registers only (as `nvgpu.mma.sync`, which is pure); the barrier orders
/// every access to memory, so it reads and writes all of it.
void addKernelEffectModels(DialectRegistry &registry);

} // namespace mlir::loom::nvidia

#endif // LOOM_TARGET_NVIDIA_KERNELHELPERS_H
