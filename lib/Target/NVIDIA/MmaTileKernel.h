//===- MmaTileKernel.h - The 64x64-tile mma.sync kernels' shared parts ----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// What the grouped (GroupedMatmulToMma.cpp) and W4A16 (W4MatmulToMma.cpp)
// kernels have in common: a 64x64 block tile of 128 threads, whose four
// warps form a 2 x 2 grid of 32x32 warp tiles, each 2 (m16) x 4 (n8)
// m16n8k16 mma tiles with four f32 accumulators; the index arithmetic they
// are built with, the warp-tile mma loop and the epilogue storing C pairs.
// Each pass keeps its operand staging and its store predicate.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_NVIDIA_MMATILEKERNEL_H
#define LOOM_TARGET_NVIDIA_MMATILEKERNEL_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::loom::nvidia::mma_tile {

// Block tile (rows x columns) and threads; warp tiles and mma tiles.
constexpr int64_t kTileM = 64, kTileN = 64, kThreads = 128;
constexpr int64_t kWarpM = 32, kWarpN = 32, kMmaM = 16, kMmaN = 8;
constexpr int64_t kWarpTilesM = kWarpM / kMmaM, kWarpTilesN = kWarpN / kMmaN;
/// f32 accumulators per thread: c0..c3 of tile (mi, ni) at
/// 4 (mi kWarpTilesN + ni).
constexpr int64_t kAccs = kWarpTilesM * kWarpTilesN * 4;

/// Unsigned index arithmetic on an implicit-location builder.
struct IndexMath {
  ImplicitLocOpBuilder &b;

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value add(Value x, int64_t y) { return add(x, idx(y)); }
  Value mul(Value x, int64_t y) { return arith::MulIOp::create(b, x, idx(y)); }
  Value div(Value x, int64_t y) { return arith::DivUIOp::create(b, x, idx(y)); }
  Value rem(Value x, int64_t y) { return arith::RemUIOp::create(b, x, idx(y)); }
  Value lt(Value x, Value y) {
    return arith::CmpIOp::create(b, arith::CmpIPredicate::ult, x, y);
  }
};

/// Thread `tid`'s place in its warp's 32x32 tile and in the mma fragments
/// (PTX ISA, m16n8k16): lane = 4 g + t; the warp tile's first row and
/// column in the block tile; t2 = 2 t.
struct WarpLane {
  Value lane, g, t, warpRow, warpCol, t2;
};
WarpLane warpLane(IndexMath &kb, Value tid);

/// The warp tile's m16n8k16 mma.sync on `element` (f16 or bf16):
/// `aFrags[mi]` four A pairs, `bFrags[ni]` two B pairs; `acc` (kAccs f32)
/// updated in place.
void mmaWarpTiles(IndexMath &kb, Type element,
                  ArrayRef<SmallVector<Value>> aFrags,
                  ArrayRef<SmallVector<Value>> bFrags,
                  MutableArrayRef<Value> acc);

/// Epilogue: stores the kAccs accumulators `acc` into the row-major `y`
/// as pairs, c0,c1 at (row, col), c2,c3 at (row + 8, col) of each mma tile
/// (row = rowStart + warpRow + g + 16 mi, col = col0 + warpCol + 2t + 8 ni),
/// each pair rounded once to `element` (stored as 32 bits) unless f32 (64
/// bits), under `inside(row, col)`.
void storeAccPairs(IndexMath &kb, Type element, ValueRange acc, Value y,
                   Value rowStart, Value col0, const WarpLane &wl,
                   function_ref<Value(Value row, Value col)> inside);

} // namespace mlir::loom::nvidia::mma_tile

#endif // LOOM_TARGET_NVIDIA_MMATILEKERNEL_H
