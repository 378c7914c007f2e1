//===- KernelHelpers.h - Shared by the NVIDIA kernel passes -----*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Small pieces the NVIDIA matmul passes (wgmma, mma.sync, int8 mma.sync,
// grouped, W4A16 and matvec kernels) need: reading a matmul-shaped
// `linalg.generic`, mapping `scf.parallel` loops onto blocks and threads,
// the float `mma.sync` steps (16-bit, and f32 as 3xTF32), and the memory
// effects that kernels built on tensors need before buffer deallocation.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_NVIDIA_KERNELHELPERS_H
#define LOOM_TARGET_NVIDIA_KERNELHELPERS_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
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

/// One `nvvm.mma.sync` (row-major A, column-major B) of shape `mnk` on
/// float multiplicands of `type` (f16, bf16 or tf32) with four f32
/// accumulators: `aRegs` and `bRegs` are the fragments' 32-bit registers
/// (vector<2xf16> for f16, i32 otherwise), `acc` c0..c3; returns d0..d3.
SmallVector<Value> floatMmaSync(OpBuilder &b, Location loc,
                                ArrayRef<int64_t> mnk, NVVM::MMATypes type,
                                ValueRange aRegs, ValueRange bRegs,
                                ValueRange acc);

/// An f32 as the sum of two tf32 values (the 3xTF32 scheme): `hi` is the
/// value rounded to tf32 (`cvt.rna.tf32.f32`, low 13 bits cleared), `lo`
/// the rounding error (exact in f32) rounded to tf32; both as the 32-bit
/// registers `mma.sync` takes. hi + lo carries about 21 bits of mantissa.
struct Tf32Split {
  Value hi, lo;
};
Tf32Split splitTf32(OpBuilder &b, Location loc, Value f32);

/// acc + a * b on m16n8k8 tf32 tensor cores with near-f32 accuracy:
/// acc += a.hi * b.lo, acc += a.lo * b.hi, acc += a.hi * b.hi (the small
/// products first; a.lo * b.lo, below f32's precision, is dropped).
/// `a` four fragment registers, `b` two (PTX ISA, m16n8k8 .tf32), `acc`
/// c0..c3.
SmallVector<Value> mma3xTf32(OpBuilder &b, Location loc,
                             ArrayRef<Tf32Split> a, ArrayRef<Tf32Split> bFrag,
                             ValueRange acc);

/// One k8 step of the 3xTF32 mma.sync over a warp's `mTiles` x `nTiles`
/// grid of m16n8 tiles, fragments read from f32 tiles in shared memory
/// with 32-bit loads (PTX ISA, m16n8k8 .tf32, lane = 4g + t, k0 = kk + t):
/// A (r + g, k0), (r + g + 8, k0), (r + g, k0 + 4), (r + g + 8, k0 + 4) of
/// `aTile` ([m][k], r = warpRow + 16 mi); B (k0, c + g), (k0 + 4, c + g) of
/// `bTile` ([n][k] when `bIsNK`, else [k][n]; c = warpCol + 8 ni); each
/// value split once into tf32 hi + lo. `acc` holds c0..c3 of tile (mi, ni)
/// at 4 (mi nTiles + ni) and is updated in place.
void mma3xTf32WarpStep(OpBuilder &b, Location loc, Value aTile, Value bTile,
                       bool bIsNK, Value warpRow, Value warpCol, Value g,
                       Value t, int64_t kk, int64_t mTiles, int64_t nTiles,
                       MutableArrayRef<Value> acc);

/// floatMmaSync's m16n8k16 on `element` (f16 or bf16) pairs: `a` four,
/// `bPairs` two (vector<2xelement> each, as the PTX ISA lays them out),
/// `acc` four f32 (c0..c3). Returns d0..d3.
SmallVector<Value> mmaSyncM16N8K16(OpBuilder &b, Location loc, Type element,
                                   ArrayRef<Value> a, ArrayRef<Value> bPairs,
                                   ArrayRef<Value> acc);

/// `nvvm.mma.sync`, `nvvm.convert.float.to.tf32` and `gpu.barrier` declare
/// no memory effects, and the buffer deallocation that runs after the
/// passes building kernels on tensors rejects ops with unknown effects
/// inside a `gpu.launch`. Adds models to `registry` (unless the ops already
/// have them): the mma and the conversion touch registers only (as
/// `nvgpu.mma.sync`, which is pure); the barrier orders every access to
/// memory, so it reads and writes all of it.
void addKernelEffectModels(DialectRegistry &registry);

} // namespace mlir::loom::nvidia

#endif // LOOM_TARGET_NVIDIA_KERNELHELPERS_H
