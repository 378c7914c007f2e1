//===- GroupedMatmulToMfma.cpp - MoE grouped matmul on MFMA ---------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// A float `loom_moe.grouped_matmul` becomes one MFMA kernel (on tensors,
// before loom-convert-moe-to-linalg), shaped like loom-amd-matmul-to-mfma's:
//
//   host:      the operands' buffers (bufferization.to_buffer), the
//              result's allocation, a launch of (ceil(M / 32) + E) x
//              (N / 32) workgroups of 256 threads (four wave64 wavefronts),
//              the result as a tensor again (to_tensor restrict), from
//              TensorKernel.h
//   workgroup: row tile `blockIdx.x` of the experts' row tiles (each
//              expert's rows cut into tiles of 32; a tile never spans two
//              experts), found by a scan over expert_offsets; a workgroup
//              past the last tile does nothing (the grid is sized for the
//              worst case, so M needs no read-back on the host)
//   K loop:    the 32x32 tile of the result, each wavefront a 16x16 quarter
//              on 16x16xK MFMAs (f32: v_mfma_f32_16x16x4f32, f16/bf16: the
//              16x16x16 forms) fed from two LDS buffers per operand: step
//              s issues step s + 1's global loads, reads its fragments
//              (16 bytes per lane and operand), runs its MFMAs, then writes
//              the loaded step to the other buffer; one barrier per step
//              (the shared body of MfmaKernel.cpp)
//   store:     the f32 accumulator, rounded once for 16-bit types; rows
//              past the expert's end are not stored (their loads were
//              clamped to its last row)
//
//===----------------------------------------------------------------------===//

#include "dialects/moe/MoeDialect.h"
#include "lib/Target/AMD/MfmaInstr.h"
#include "lib/Target/AMD/MfmaKernel.h"
#include "lib/Target/AMD/Passes.h"
#include "lib/Target/AMD/TensorKernel.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::loom::amd {
#define GEN_PASS_DEF_GROUPEDMATMULTOMFMAPASS
#include "lib/Target/AMD/Passes.h.inc"
} // namespace mlir::loom::amd

using namespace mlir;
using namespace mlir::loom;
using amd::Instr;
using amd::kThreads;
using amd::kTileM;
using amd::kTileN;

namespace {

/// The instruction when the op takes the kernel: float operands with an
/// MFMA (f32, f16, bf16), static E, K, N, K a multiple of the K step and
/// N of the tile.
std::optional<Instr> qualifies(moe::GroupedMatmulOp op, StringRef chip) {
  auto xType = cast<RankedTensorType>(op.getXSorted().getType());
  auto wType = cast<RankedTensorType>(op.getW().getType());
  Type element = xType.getElementType();
  if (element.isInteger(8) || wType.getElementType() != element ||
      !wType.hasStaticShape() || ShapedType::isDynamic(xType.getDimSize(1)))
    return std::nullopt;
  std::optional<Instr> instr = amd::instrFor(element, chip);
  if (!instr)
    return std::nullopt;
  int64_t k = wType.getDimSize(1), n = wType.getDimSize(2);
  if (xType.getDimSize(1) != k || k % instr->tileK() || n % kTileN ||
      wType.getDimSize(0) < 1)
    return std::nullopt;
  return instr;
}

void rewrite(moe::GroupedMatmulOp op, const Instr &in) {
  ImplicitLocOpBuilder b(op.getLoc(), op);
  MLIRContext *ctx = op.getContext();
  auto wType = cast<RankedTensorType>(op.getW().getType());
  auto rType = cast<RankedTensorType>(op.getResult().getType());
  int64_t numExperts = wType.getDimSize(0), k = wType.getDimSize(1),
          n = wType.getDimSize(2), tileK = in.tileK();

  auto idx = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, v);
  };
  auto add = [&](Value x, Value y) -> Value {
    return arith::AddIOp::create(b, x, y);
  };
  auto addc = [&](Value x, int64_t y) { return add(x, idx(y)); };
  auto sub = [&](Value x, Value y) -> Value {
    return arith::SubIOp::create(b, x, y);
  };
  auto mul = [&](Value x, int64_t y) -> Value {
    return arith::MulIOp::create(b, x, idx(y));
  };
  auto div = [&](Value x, int64_t y) -> Value {
    return arith::DivUIOp::create(b, x, idx(y));
  };
  auto lt = [&](Value x, Value y) -> Value {
    return arith::CmpIOp::create(b, arith::CmpIPredicate::ult, x, y);
  };
  auto vec = [](int64_t width, Type element) {
    return VectorType::get({width}, element);
  };

  Value x = amd::readBuffer(b, b.getLoc(), op.getXSorted());
  Value w = amd::readBuffer(b, b.getLoc(), op.getW());
  Value offsets = amd::readBuffer(b, b.getLoc(), op.getExpertOffsets());
  Value m = memref::DimOp::create(b, x, 0);
  Value y = amd::allocResult(b, b.getLoc(), rType, m);

  // sum_e ceil(rows_e / 32) <= ceil(M / 32) + E.
  Value rowTiles = addc(div(addc(m, kTileM - 1), kTileM), numExperts);
  Value one = idx(1);
  auto tileType = [&](int64_t rows) {
    return amd::ldsTileType(ctx, in, rows);
  };
  // LDS as dynamic shared memory (see amd::openLaunch): two buffers per
  // operand.
  int64_t tileBytes = 2 * kTileM * (tileK + in.rowPad()) * in.bytes();
  static_assert(kTileM == kTileN);
  Value ldsBytes = arith::ConstantIntOp::create(b, 2 * tileBytes, 32);
  {
    OpBuilder::InsertionGuard guard(b);
    auto [launch, smem] =
        amd::openLaunch(b, b.getLoc(), rowTiles, idx(n / kTileN),
                        idx(kThreads), one, ldsBytes);
    Value aTiles =
        memref::ViewOp::create(b, tileType(kTileM), smem, idx(0), ValueRange{});
    Value bTiles = memref::ViewOp::create(b, tileType(kTileN), smem,
                                          idx(tileBytes), ValueRange{});
    Value tile = launch.getBlockIds().x;
    Value col0 = mul(launch.getBlockIds().y, kTileN);
    Value tid = launch.getThreadIds().x;

    // The workgroup's expert: the scan gives each expert's first tile
    // (iter 0); the tile's rows are [start, end).
    Value zero = idx(0);
    auto scan = scf::ForOp::create(b, zero, idx(numExperts), one,
                                   ValueRange{zero, zero, zero, zero});
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(scan.getBody());
      Value e = scan.getInductionVar();
      ValueRange it = scan.getRegionIterArgs();
      auto offsetAt = [&](Value i) -> Value {
        return arith::IndexCastOp::create(
            b, b.getIndexType(), memref::LoadOp::create(b, offsets, i));
      };
      Value lo = offsetAt(e), hi = offsetAt(addc(e, 1));
      hi = arith::MaxUIOp::create(b, hi, lo);
      Value tiles = div(addc(sub(hi, lo), kTileM - 1), kTileM);
      Value next = add(it[0], tiles);
      Value inside = arith::AndIOp::create(
          b, arith::CmpIOp::create(b, arith::CmpIPredicate::uge, tile, it[0]),
          lt(tile, next));
      Value start = add(lo, mul(sub(tile, it[0]), kTileM));
      scf::YieldOp::create(
          b, ValueRange{next, arith::SelectOp::create(b, inside, e, it[1]),
                        arith::SelectOp::create(b, inside, start, it[2]),
                        arith::SelectOp::create(b, inside, hi, it[3])});
    }
    Value expert = scan.getResult(1), rowStart = scan.getResult(2),
          rowEnd = scan.getResult(3);
    // Workgroups without rows do nothing; the condition is uniform, so the
    // barriers inside are too.
    auto work = scf::IfOp::create(b, lt(rowStart, rowEnd),
                                  /*withElseRegion=*/false);
    b.setInsertionPointToStart(work.thenBlock());
    Value lastRow = sub(rowEnd, one);

    amd::TileThread thread = amd::tileThread(b, b.getLoc(), tid);

    // Staging, as loom-amd-matmul-to-mfma's for K x N weights: thread t
    // moves `width` elements of x (tile row t / 8, K offset (t % 8) *
    // width; rows past the expert's end read its last row) and `width`
    // columns of w[e] at K row t / (32 / width), written N-major to LDS.
    int64_t width = in.stageWidth();
    VectorType stageType = vec(width, in.element);
    amd::StageSlots slots = amd::stageSlots(b, b.getLoc(), tid, width);
    Value aRow = slots.row, aCol = slots.k, bRow = slots.kRow,
          bCol = slots.col;
    Value aClamped = arith::MinUIOp::create(b, add(rowStart, aRow), lastRow);
    auto loadStep = [&](Value k0) -> SmallVector<Value> {
      Value av = vector::LoadOp::create(b, stageType, x,
                                        ValueRange{aClamped, add(k0, aCol)},
                                        false, llvm::Align(amd::kStageBytes));
      Value bv = vector::LoadOp::create(
          b, stageType, w, ValueRange{expert, add(k0, bRow), add(col0, bCol)},
          false, llvm::Align(amd::kStageBytes));
      return {av, bv};
    };
    auto storeStep = [&](ValueRange values, Value buffer) {
      vector::StoreOp::create(b, values[0], aTiles,
                              ValueRange{buffer, aRow, aCol}, false,
                              llvm::Align(amd::kStageBytes));
      amd::storeKRowNMajor(b, b.getLoc(), values[1], bTiles, buffer, bCol,
                           bRow);
    };

    // The accumulator: lane j + 16q holds C[4q + i][j], i = 0..3.
    auto accType = vec(4, in.accumulator);
    Value acc = arith::ConstantOp::create(b, accType, b.getZeroAttr(accType));
    Value result = amd::buildMfmaKLoop(b, b.getLoc(), in, thread, aTiles,
                                       bTiles, k, acc, {loadStep, storeStep});

    // Rows of the expert only; 16-bit results rounded once.
    Value accRow = add(rowStart, thread.accRow);
    Value accCol = add(col0, thread.accCol);
    for (int64_t i = 0; i < 4; ++i) {
      Value row = addc(accRow, i);
      auto ifOp =
          scf::IfOp::create(b, lt(row, rowEnd), /*withElseRegion=*/false);
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      Value v = vector::ExtractOp::create(b, result, ArrayRef<int64_t>{i});
      if (v.getType() != rType.getElementType())
        v = arith::TruncFOp::create(b, rType.getElementType(), v);
      memref::StoreOp::create(b, v, y, ValueRange{row, accCol});
    }
  }
  amd::replaceByBuffer(b, b.getLoc(), op, y);
}

struct GroupedMatmulToMfmaPass
    : public amd::TensorKernelPass<
          amd::impl::GroupedMatmulToMfmaPassBase<GroupedMatmulToMfmaPass>> {
  using TensorKernelPass::TensorKernelPass;

  void runOnOperation() override {
    amd::rewriteQualifying<moe::GroupedMatmulOp>(
        getOperation(),
        [&](moe::GroupedMatmulOp op) { return qualifies(op, chip); }, rewrite);
  }
};

} // namespace
