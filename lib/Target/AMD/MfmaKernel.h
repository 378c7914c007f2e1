//===- MfmaKernel.h - The MFMA tile kernel's shared body --------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The body that every MFMA matmul kernel of this target shares
// (MatmulToMfma.cpp, GroupedMatmulToMfma.cpp, DequantMatmulToMfma.cpp):
// 256-thread workgroups (four wave64 wavefronts) computing a 32x32 tile of
// C, each wavefront a 16x16 quarter on 16x16xK MFMAs fed from two LDS
// buffers per operand (both N-major / K contiguous). What differs between
// the kernels is how a K step reaches LDS (the staging callbacks) and
// where the tile's rows come from; the thread layout, the double-buffered
// K loop with its fragment reads and MFMAs, and the layout of the
// accumulator are built here.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_AMD_MFMAKERNEL_H
#define LOOM_TARGET_AMD_MFMAKERNEL_H

#include "lib/Target/AMD/MfmaInstr.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace mlir::loom::amd {

// Workgroup tile (rows x cols of C), the instruction's M and N, threads.
constexpr int64_t kTileM = 32, kTileN = 32;
constexpr int64_t kInstrM = 16, kInstrN = 16;
constexpr int64_t kWave = 64, kThreads = 256;

/// The LDS type of one operand: two buffers of `rows` x (K step + pad)
/// elements in workgroup memory.
MemRefType ldsTileType(MLIRContext *ctx, const Instr &in, int64_t rows);

/// A thread's place in the tile: its wavefront's 16x16 quarter (wave w
/// owns quarter (w / 2, w % 2)) and its lane j + 16q.
struct TileThread {
  Value tid;
  Value waveRow, waveCol;  // the quarter's first row and column in the tile
  Value laneCol, laneQuad; // j and q
  /// Rows of C this lane's accumulator holds, relative to the tile: lane
  /// j + 16q holds C[waveRow + 4q + i][waveCol + j], i = 0..3.
  Value accRow, accCol;
};
TileThread tileThread(OpBuilder &b, Location loc, Value tid);

/// Where thread `tid` stages `width` elements of a K step (8 bytes). An
/// operand staged K-contiguous (A; B stored N x K) takes tile row `row` =
/// tid / 8 at K offset `k` = (tid % 8) * width; B stored K x N takes K row
/// `kRow` = tid / (32 / width), columns `col` = (tid % (32 / width)) *
/// width onwards.
struct StageSlots {
  Value row, k, kRow, col;
};
StageSlots stageSlots(OpBuilder &b, Location loc, Value tid, int64_t width);

/// How one K step reaches LDS. `load` issues the global loads of the step
/// at K offset `k0` and returns what `store` later writes into LDS buffer
/// `buffer` (0 or 1). Between the two the step before it runs its MFMAs,
/// so `load` should only load (and compute addresses) and leave any vector
/// work on the loaded values to `store`.
struct Staging {
  llvm::function_ref<SmallVector<Value>(Value k0)> load;
  llvm::function_ref<void(ValueRange loaded, Value buffer)> store;
};

/// Emits the prologue (step 0 into buffer 0, a barrier) and the K loop
/// over `k / in.tileK()` steps starting from the accumulator `acc`
/// (vector<4 x accumulator>), and returns the final accumulator. Step s
/// issues the loads of step s + 1, reads its A and B fragments from buffer
/// s % 2 (`aTiles`, `bTiles`: ldsTileType of 32 rows), runs its MFMAs,
/// then stores the loaded step into the other buffer and meets the
/// workgroup at one barrier.
Value buildMfmaKLoop(OpBuilder &b, Location loc, const Instr &in,
                     const TileThread &t, Value aTiles, Value bTiles,
                     int64_t k, Value acc, const Staging &staging);

/// Indices of element (row, col) of C (a batch index first, if any).
using CIndices = llvm::function_ref<SmallVector<Value, 3>(Value row, Value col)>;

/// The lane's accumulator (vector<4 x accumulator>): C[row + i][col] for
/// i = 0..3 where row + i < `m`, zero elsewhere.
Value loadAccumulator(OpBuilder &b, Location loc, const Instr &in, Value c,
                      CIndices at, Value row, Value col, Value m);

/// Stores the accumulator `acc` back to C[row + i][col] where row + i < `m`.
void storeAccumulator(OpBuilder &b, Location loc, Value acc, Value c,
                      CIndices at, Value row, Value col, Value m);

/// Writes `values` (a vector of `width` elements of B stored K x N: one
/// K row, consecutive columns `col`..) N-major into `tiles[buffer]`.
void storeKRowNMajor(OpBuilder &b, Location loc, Value values, Value tiles,
                     Value buffer, Value col, Value kRow);

} // namespace mlir::loom::amd

#endif // LOOM_TARGET_AMD_MFMAKERNEL_H
