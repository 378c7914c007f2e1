//===- MmaTileKernel.cpp - The 64x64-tile mma.sync kernels' shared parts --===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/NVIDIA/MmaTileKernel.h"
#include "lib/Target/NVIDIA/KernelHelpers.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::loom::nvidia;

namespace mlir::loom::nvidia::mma_tile {

WarpLane warpLane(IndexMath &kb, Value tid) {
  WarpLane wl;
  Value warp = kb.div(tid, 32);
  wl.lane = kb.rem(tid, 32);
  wl.g = kb.div(wl.lane, 4);
  wl.t = kb.rem(wl.lane, 4);
  wl.warpRow = kb.mul(kb.div(warp, 2), kWarpM);
  wl.warpCol = kb.mul(kb.rem(warp, 2), kWarpN);
  wl.t2 = kb.mul(wl.t, 2);
  return wl;
}

void mmaWarpTiles(IndexMath &kb, Type element,
                  ArrayRef<SmallVector<Value>> aFrags,
                  ArrayRef<SmallVector<Value>> bFrags,
                  MutableArrayRef<Value> acc) {
  // C fragment of tile (mi, ni), four f32 at acc[4 * (mi * 4 + ni)]:
  //   c0,c1 = (row g, cols 2t, 2t+1)   c2,c3 = (row g + 8, same cols)
  for (int64_t mi = 0; mi < kWarpTilesM; ++mi)
    for (int64_t ni = 0; ni < kWarpTilesN; ++ni) {
      int64_t at = 4 * (mi * kWarpTilesN + ni);
      SmallVector<Value> d =
          mmaSyncM16N8K16(kb.b, kb.b.getLoc(), element, aFrags[mi],
                          bFrags[ni], ArrayRef<Value>(acc).slice(at, 4));
      std::copy(d.begin(), d.end(), acc.begin() + at);
    }
}

void storeAccPairs(IndexMath &kb, Type element, ValueRange acc, Value y,
                   Value rowStart, Value col0, const WarpLane &wl,
                   function_ref<Value(Value row, Value col)> inside) {
  ImplicitLocOpBuilder &b = kb.b;
  bool f32 = element.isF32();
  auto pairType = VectorType::get({2}, element);
  auto f32Pair = VectorType::get({2}, b.getF32Type());
  for (int64_t mi = 0; mi < kWarpTilesM; ++mi)
    for (int64_t ni = 0; ni < kWarpTilesN; ++ni) {
      int64_t at = 4 * (mi * kWarpTilesN + ni);
      Value r = kb.add(kb.add(rowStart, kb.add(wl.warpRow, wl.g)), mi * kMmaM);
      Value c = kb.add(kb.add(col0, kb.add(wl.warpCol, wl.t2)), ni * kMmaN);
      for (int64_t half = 0; half < 2; ++half) {
        Value row = half ? kb.add(r, 8) : r;
        Value v = vector::FromElementsOp::create(
            b, f32Pair, ValueRange{acc[at + 2 * half], acc[at + 2 * half + 1]});
        if (!f32)
          v = arith::TruncFOp::create(b, pairType, v);
        auto store = scf::IfOp::create(b, inside(row, c),
                                       /*withElseRegion=*/false);
        OpBuilder::InsertionGuard inner(b);
        b.setInsertionPointToStart(store.thenBlock());
        vector::StoreOp::create(b, v, y, ValueRange{row, c}, false,
                                llvm::MaybeAlign(f32 ? 8 : 4));
      }
    }
}

} // namespace mlir::loom::nvidia::mma_tile
