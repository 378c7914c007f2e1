//===- MfmaKernel.cpp - The MFMA tile kernel's shared body ----------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/AMD/MfmaKernel.h"

#include "mlir/Dialect/AMDGPU/IR/AMDGPUDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::amd;

namespace {
Value idx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
Value add(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::AddIOp::create(b, loc, x, y);
}
Value mul(OpBuilder &b, Location loc, Value x, int64_t y) {
  return arith::MulIOp::create(b, loc, x, idx(b, loc, y));
}
Value div(OpBuilder &b, Location loc, Value x, int64_t y) {
  return arith::DivUIOp::create(b, loc, x, idx(b, loc, y));
}
Value rem(OpBuilder &b, Location loc, Value x, int64_t y) {
  return arith::RemUIOp::create(b, loc, x, idx(b, loc, y));
}
} // namespace

MemRefType amd::ldsTileType(MLIRContext *ctx, const Instr &in, int64_t rows) {
  Attribute lds = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  return MemRefType::get({2, rows, in.tileK() + in.rowPad()}, in.element,
                         MemRefLayoutAttrInterface(), lds);
}

TileThread amd::tileThread(OpBuilder &b, Location loc, Value tid) {
  TileThread t;
  t.tid = tid;
  Value lane = rem(b, loc, tid, kWave), wave = div(b, loc, tid, kWave);
  t.waveRow = mul(b, loc, div(b, loc, wave, 2), kInstrM);
  t.waveCol = mul(b, loc, rem(b, loc, wave, 2), kInstrN);
  t.laneCol = rem(b, loc, lane, 16);
  t.laneQuad = div(b, loc, lane, 16);
  t.accRow = add(b, loc, t.waveRow, mul(b, loc, t.laneQuad, 4));
  t.accCol = add(b, loc, t.waveCol, t.laneCol);
  return t;
}

StageSlots amd::stageSlots(OpBuilder &b, Location loc, Value tid,
                           int64_t width) {
  StageSlots s;
  s.row = div(b, loc, tid, 8);
  s.k = mul(b, loc, rem(b, loc, tid, 8), width);
  s.kRow = div(b, loc, tid, kTileN / width);
  s.col = mul(b, loc, rem(b, loc, tid, kTileN / width), width);
  return s;
}

Value amd::buildMfmaKLoop(OpBuilder &b, Location loc, const Instr &in,
                          const TileThread &t, Value aTiles, Value bTiles,
                          int64_t k, Value acc, const Staging &staging) {
  Value zero = idx(b, loc, 0), one = idx(b, loc, 1);
  // Prologue: step 0 into buffer 0.
  staging.store(staging.load(zero), zero);
  gpu::BarrierOp::create(b, loc);

  // Step s reads buffer s % 2 while the loads of step s + 1 are in flight,
  // then writes them to the other buffer: that buffer's readers (step s -
  // 1) passed the previous barrier, and the next step's readers wait for
  // this one, so one barrier per step suffices. The last step reloads
  // itself (clamped K offset) into the unused buffer rather than branch.
  int64_t tileK = in.tileK();
  int64_t steps = k / tileK;
  auto kLoop =
      scf::ForOp::create(b, loc, zero, idx(b, loc, steps), one, ValueRange{acc});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(kLoop.getBody());
  Value s = kLoop.getInductionVar();
  Value kNext = arith::MinUIOp::create(
      b, loc, mul(b, loc, add(b, loc, s, one), tileK), idx(b, loc, k - tileK));
  SmallVector<Value> next = staging.load(kNext);
  // Keep the backend's scheduler from sinking these loads below the MFMAs
  // or hoisting the LDS stores above them: the loads' latency is covered
  // by the step's LDS reads and MFMAs, the wait comes just before the
  // stores. (Only scalar instructions may cross: vector ALU work on the
  // loaded values, such as splitting bytes for the transposing stores or
  // dequantizing, would pull the wait up between the MFMAs.)
  auto fence = [&] {
    amdgpu::SchedBarrierOp::create(b, loc, amdgpu::sched_barrier_opt_enum::salu);
  };
  fence();
  Value cur = rem(b, loc, s, 2);
  Value other = arith::SubIOp::create(b, loc, one, cur);
  Value kq = mul(b, loc, t.laneQuad, in.fragmentWidth());
  VectorType fragType = VectorType::get({in.fragmentWidth()}, in.element);
  Value aFrag = vector::LoadOp::create(
      b, loc, fragType, aTiles,
      ValueRange{cur, add(b, loc, t.waveRow, t.laneCol), kq}, false,
      llvm::Align(kFragmentBytes));
  Value bFrag = vector::LoadOp::create(
      b, loc, fragType, bTiles,
      ValueRange{cur, add(b, loc, t.waveCol, t.laneCol), kq}, false,
      llvm::Align(kFragmentBytes));
  // MFMA j takes elements [j * perLane, (j + 1) * perLane) of each lane's
  // fragment: K index kq + j * perLane + e in both A and B, so every
  // product of the step is summed once.
  Value sum = kLoop.getRegionIterArgs()[0];
  for (int64_t j = 0; j < in.mfmasPerStep(); ++j) {
    auto operand = [&](Value frag) -> Value {
      if (in.perLane == 1)
        return vector::ExtractOp::create(b, loc, frag, ArrayRef<int64_t>{j});
      // A shuffle (extract_strided_slice has no lowering in the kernel
      // modules' conversion to ROCDL).
      SmallVector<int64_t> lanes;
      for (int64_t e = 0; e < in.perLane; ++e)
        lanes.push_back(j * in.perLane + e);
      return vector::ShuffleOp::create(b, loc, frag, frag, lanes);
    };
    sum = amdgpu::MFMAOp::create(b, loc, acc.getType(), kInstrM, kInstrN, in.k,
                                 /*blocks=*/1, operand(aFrag), operand(bFrag),
                                 sum);
  }
  fence();
  staging.store(next, other);
  gpu::BarrierOp::create(b, loc);
  scf::YieldOp::create(b, loc, sum);
  return kLoop.getResult(0);
}

void amd::storeKRowNMajor(OpBuilder &b, Location loc, Value values,
                          Value tiles, Value buffer, Value col, Value kRow) {
  int64_t width = cast<VectorType>(values.getType()).getNumElements();
  for (int64_t i = 0; i < width; ++i) {
    Value v = vector::ExtractOp::create(b, loc, values, ArrayRef<int64_t>{i});
    memref::StoreOp::create(
        b, loc, v, tiles,
        ValueRange{buffer, add(b, loc, col, idx(b, loc, i)), kRow});
  }
}

Value amd::loadAccumulator(OpBuilder &b, Location loc, const Instr &in,
                           Value c, CIndices at, Value row, Value col,
                           Value m) {
  Value zero =
      arith::ConstantOp::create(b, loc, in.accumulator,
                                b.getZeroAttr(in.accumulator));
  auto accType = VectorType::get({4}, in.accumulator);
  Value acc =
      arith::ConstantOp::create(b, loc, accType, b.getZeroAttr(accType));
  for (int64_t i = 0; i < 4; ++i) {
    Value r = add(b, loc, row, idx(b, loc, i));
    Value inside =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, r, m);
    auto ifOp = scf::IfOp::create(b, loc, in.accumulator, inside,
                                  /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      scf::YieldOp::create(
          b, loc, ValueRange{memref::LoadOp::create(b, loc, c, at(r, col))});
      b.setInsertionPointToStart(ifOp.elseBlock());
      scf::YieldOp::create(b, loc, ValueRange{zero});
    }
    acc = vector::InsertOp::create(b, loc, ifOp.getResult(0), acc,
                                   ArrayRef<int64_t>{i});
  }
  return acc;
}

void amd::storeAccumulator(OpBuilder &b, Location loc, Value acc, Value c,
                           CIndices at, Value row, Value col, Value m) {
  for (int64_t i = 0; i < 4; ++i) {
    Value r = add(b, loc, row, idx(b, loc, i));
    Value inside =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, r, m);
    auto ifOp = scf::IfOp::create(b, loc, inside, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    Value v = vector::ExtractOp::create(b, loc, acc, ArrayRef<int64_t>{i});
    memref::StoreOp::create(b, loc, v, c, at(r, col));
  }
}
