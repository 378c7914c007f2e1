//===- GroupedMatmulToMma.cpp - MoE grouped matmul on tensor cores --------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// A 16-bit `loom_moe.grouped_matmul` becomes one kernel (runs on tensors,
// before loom-convert-moe-to-linalg):
//
//   host:   the operands' buffers (bufferization.to_buffer), the result's
//           allocation, a launch of (ceil(M / 64) + E) x (N / 64) blocks of
//           128 threads, the result as a tensor again (to_tensor restrict)
//   block:  row tile `blockIdx.x` of the experts' row tiles (each expert's
//           rows cut into tiles of 64; a tile never spans two experts),
//           found by a scan over expert_offsets; a block past the last
//           tile does nothing (the grid is sized for the worst case, so M
//           needs no host read-back)
//   K loop: steps of 32; x's [64 x 32] and w[e]'s [32 x 64] tiles go
//           through shared memory (16-byte loads, two buffers: the next
//           step's global loads are in flight while the current step
//           computes); each warp computes a 32x32 part of the 64x64 tile
//           with 2 x 4 m16n8k16 mma.sync per k16, f32 accumulators
//   store:  rounded once to the element type; rows past the expert's end
//           are not stored (their loads were clamped to its last row)
//
// f32 operands take the same kernel: f32 tiles in shared memory (16 bytes
// are 4 elements) and, per k8, the 3xTF32 step (each value split into tf32
// hi + lo, three mma.sync m16n8k8; KernelHelpers.h) instead of one k16.
//
//===----------------------------------------------------------------------===//

#include "dialects/moe/MoeDialect.h"
#include "lib/Target/NVIDIA/KernelHelpers.h"
#include "lib/Target/NVIDIA/MmaTileKernel.h"
#include "lib/Target/NVIDIA/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::loom::nvidia {
#define GEN_PASS_DEF_GROUPEDMATMULTOMMAPASS
#include "lib/Target/NVIDIA/Passes.h.inc"
} // namespace mlir::loom::nvidia

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::nvidia;
using namespace mlir::loom::nvidia::mma_tile;

namespace {

// K step and stages; the 64x64 block tile of 128 threads is
// MmaTileKernel.h's.
constexpr int64_t kTileK = 32, kStages = 2;

/// Shared-memory layout of one K step for elements of `bytes` bytes. Rows
/// are padded so that the fragment loads of a warp do not conflict and
/// every row start stays 16-byte aligned for the 16-byte stores: x's (and
/// [n][k] weights') rows by 16 bytes (16-bit: rows of 80 bytes, 8 rows on
/// different banks; f32: 144 bytes, 4g + t distinct), w's [k][n] rows by
/// 8 elements (16-bit: 144 bytes; f32: 288 bytes, 8t + g distinct).
struct Layout {
  int64_t bytes;
  int64_t vec() const { return 16 / bytes; } // elements per 16-byte load
  int64_t aStride() const { return kTileK + vec(); }
  int64_t bStride() const { return kTileN + 8; }
  int64_t aBytes() const { return kTileM * aStride() * bytes; }
  int64_t bBytes(bool nk) const {
    // Weights stored [E, N, K] (see weightsAsNK): w's tile is kept [n][k]
    // like x's.
    return nk ? kTileN * aStride() * bytes : kTileK * bStride() * bytes;
  }
  int64_t mmaK() const { return bytes == 4 ? 8 : 16; }
};

/// Whether the op takes the kernel: 16-bit float operands (or f32 when
/// `f32`), static E, K, N with K and N multiples of the tile.
bool qualifies(moe::GroupedMatmulOp op, bool f32) {
  auto xType = cast<RankedTensorType>(op.getXSorted().getType());
  auto wType = cast<RankedTensorType>(op.getW().getType());
  Type element = xType.getElementType();
  if (!(element.isBF16() || element.isF16() || (f32 && element.isF32())) ||
      wType.getElementType() != element || !wType.hasStaticShape() ||
      ShapedType::isDynamic(xType.getDimSize(1)))
    return false;
  int64_t k = wType.getDimSize(1), n = wType.getDimSize(2);
  return xType.getDimSize(1) == k && k % kTileK == 0 && n % kTileN == 0 &&
         wType.getDimSize(0) >= 1;
}

struct KernelBuilder : IndexMath {
  Type element;
  Attribute smemSpace;

  /// A [rows x stride] view of shared memory at byte `offset`.
  Value view(Value smem, Value offset, int64_t rows, int64_t stride) {
    auto type = MemRefType::get({rows, stride}, element,
                                MemRefLayoutAttrInterface(), smemSpace);
    return memref::ViewOp::create(b, type, smem, offset, ValueRange{});
  }
};

/// The weights as [E, N, K] when `w` is the stack of transposed [N, K]
/// matrices that loom-raise-moe builds from non-constant N x K linear
/// weights (`tensor.concat` of `expand_shape(linalg.transpose(w_e))`): the
/// stack of the untransposed matrices (a contiguous copy instead of a
/// transposing one); the kernel reads their rows of K as it reads x's.
/// Null otherwise.
Value weightsAsNK(moe::GroupedMatmulOp op) {
  auto concat = op.getW().getDefiningOp<tensor::ConcatOp>();
  if (!concat || concat.getDim() != 0)
    return {};
  SmallVector<Value> matrices;
  for (Value part : concat.getInputs()) {
    auto expand = part.getDefiningOp<tensor::ExpandShapeOp>();
    auto transpose =
        expand ? expand.getSrc().getDefiningOp<linalg::TransposeOp>()
               : linalg::TransposeOp();
    if (!transpose || transpose.getPermutation() != ArrayRef<int64_t>{1, 0} ||
        cast<ShapedType>(expand.getResultType()).getDimSize(0) != 1)
      return {};
    matrices.push_back(transpose.getInput());
  }
  OpBuilder b(op);
  SmallVector<Value> parts;
  for (Value matrix : matrices) {
    auto type = cast<RankedTensorType>(matrix.getType());
    auto part = RankedTensorType::get(
        {1, type.getDimSize(0), type.getDimSize(1)}, type.getElementType());
    parts.push_back(tensor::ExpandShapeOp::create(
        b, op.getLoc(), part, matrix,
        SmallVector<ReassociationIndices>{{0, 1}, {2}}));
  }
  return tensor::ConcatOp::create(b, op.getLoc(), /*dim=*/0, parts);
}

/// `wNK`: the weights as [E, N, K] (weightsAsNK), or null to read `w`.
void rewrite(moe::GroupedMatmulOp op, Value wNK) {
  ImplicitLocOpBuilder b(op.getLoc(), op);
  MLIRContext *ctx = op.getContext();
  auto xType = cast<RankedTensorType>(op.getXSorted().getType());
  auto wType = cast<RankedTensorType>(op.getW().getType());
  auto oType = cast<RankedTensorType>(op.getExpertOffsets().getType());
  auto rType = cast<RankedTensorType>(op.getResult().getType());
  Type element = xType.getElementType();
  int64_t numExperts = wType.getDimSize(0), k = wType.getDimSize(1),
          n = wType.getDimSize(2), kSteps = k / kTileK;
  Layout layout{element.getIntOrFloatBitWidth() / 8};
  bool f32 = element.isF32();
  KernelBuilder kb{{b}, element,
                   gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup)};
  auto bufferOf = [&](Value tensor, RankedTensorType type) -> Value {
    return bufferization::ToBufferOp::create(
        b, MemRefType::get(type.getShape(), type.getElementType()), tensor,
        /*read_only=*/b.getUnitAttr());
  };
  Value x = bufferOf(op.getXSorted(), xType);
  bool nk = bool(wNK);
  Value w = nk ? bufferOf(wNK, cast<RankedTensorType>(wNK.getType()))
               : bufferOf(op.getW(), wType);
  int64_t stageBytes = layout.aBytes() + layout.bBytes(nk);
  Value offsets = bufferOf(op.getExpertOffsets(), oType);
  Value m = memref::DimOp::create(b, x, 0);
  auto yType = MemRefType::get(rType.getShape(), element);
  SmallVector<Value> dynSizes;
  if (yType.isDynamicDim(0))
    dynSizes.push_back(m);
  Value y = memref::AllocOp::create(b, yType, dynSizes);

  // sum_e ceil(rows_e / 64) <= ceil(M / 64) + E: the worst case needs no
  // read of the offsets on the host.
  Value rowTiles = kb.add(kb.div(kb.add(m, kTileM - 1), kTileM), numExperts);
  Value one = kb.idx(1);
  Value smemBytes =
      arith::ConstantIntOp::create(b, stageBytes * kStages, 32);
  auto launch = gpu::LaunchOp::create(
      b, rowTiles, kb.idx(n / kTileN), one, kb.idx(kThreads), one, one,
      smemBytes, /*asyncTokenType=*/nullptr, /*asyncDependencies=*/ValueRange{});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    gpu::TerminatorOp::create(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    Value tile = launch.getBlockIds().x;
    Value col0 = kb.mul(launch.getBlockIds().y, kTileN);
    Value tid = launch.getThreadIds().x;

    // The block's expert: the scan of expert_offsets gives each expert's
    // first tile (`base`); the tile's rows are [start, end).
    Value zero = kb.idx(0);
    auto scan = scf::ForOp::create(b, zero, kb.idx(numExperts), one,
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
      Value lo = offsetAt(e), hi = offsetAt(kb.add(e, 1));
      hi = arith::MaxUIOp::create(b, hi, lo);
      Value tiles = kb.div(kb.add(arith::SubIOp::create(b, hi, lo), kTileM - 1),
                           kTileM);
      Value next = kb.add(it[0], tiles);
      Value inside = arith::AndIOp::create(
          b, arith::CmpIOp::create(b, arith::CmpIPredicate::uge, tile, it[0]),
          kb.lt(tile, next));
      Value start = kb.add(lo, kb.mul(arith::SubIOp::create(b, tile, it[0]),
                                      kTileM));
      scf::YieldOp::create(
          b, ValueRange{next, arith::SelectOp::create(b, inside, e, it[1]),
                        arith::SelectOp::create(b, inside, start, it[2]),
                        arith::SelectOp::create(b, inside, hi, it[3])});
    }
    Value expert = scan.getResult(1), rowStart = scan.getResult(2),
          rowEnd = scan.getResult(3);
    // Blocks without rows (past the last tile) do nothing; the condition is
    // the same for the whole block, so the barriers inside are uniform.
    auto work = scf::IfOp::create(b, kb.lt(rowStart, rowEnd),
                                  /*withElseRegion=*/false);
    b.setInsertionPointToStart(work.thenBlock());
    Value lastRow = arith::SubIOp::create(b, rowEnd, one);

    Value smem = gpu::DynamicSharedMemoryOp::create(
        b, MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                           MemRefLayoutAttrInterface(), kb.smemSpace));
    auto aStage = [&](Value stage) {
      return kb.view(smem, kb.mul(stage, stageBytes), kTileM,
                     layout.aStride());
    };
    auto bStage = [&](Value stage) {
      Value offset = kb.add(kb.mul(stage, stageBytes), layout.aBytes());
      return nk ? kb.view(smem, offset, kTileN, layout.aStride())
                : kb.view(smem, offset, kTileK, layout.bStride());
    };

    // Cooperative loads, 16 bytes per thread and load: x's tile is 64 rows
    // of 4 chunks, w's 32 rows of 8 chunks: 256 chunks each, 2 per thread
    // (f32: 8 and 16 chunks per row, 4 per thread).
    int64_t kVec = layout.vec();
    auto vecType = VectorType::get({kVec}, element);
    int64_t kAChunksPerRow = kTileK / kVec, kBChunksPerRow = kTileN / kVec;
    int64_t kLoads = kTileM * kAChunksPerRow / kThreads;
    assert(kTileK * kBChunksPerRow / kThreads == kLoads);
    SmallVector<Value> aRow, aCol, aSrcRow, bRow, bCol;
    for (int64_t i = 0; i < kLoads; ++i) {
      Value chunk = kb.add(tid, i * kThreads);
      aRow.push_back(kb.div(chunk, kAChunksPerRow));
      aCol.push_back(kb.mul(kb.rem(chunk, kAChunksPerRow), kVec));
      // Rows past the expert's end read its last row instead (in bounds;
      // their results are not stored).
      aSrcRow.push_back(
          arith::MinUIOp::create(b, kb.add(rowStart, aRow.back()), lastRow));
      // w's tile: 32 rows (k) of 8 chunks (n), or for [E, N, K] weights 64
      // rows (n) of 4 chunks (k), as x's.
      int64_t perRow = nk ? kAChunksPerRow : kBChunksPerRow;
      bRow.push_back(kb.div(chunk, perRow));
      bCol.push_back(kb.mul(kb.rem(chunk, perRow), kVec));
    }
    llvm::MaybeAlign align16(16);
    auto loadGlobal = [&](Value step) {
      Value k0 = kb.mul(step, kTileK);
      SmallVector<Value> regs;
      for (int64_t i = 0; i < kLoads; ++i)
        regs.push_back(vector::LoadOp::create(
            b, vecType, x, ValueRange{aSrcRow[i], kb.add(k0, aCol[i])},
            /*nontemporal=*/false, align16));
      for (int64_t i = 0; i < kLoads; ++i)
        regs.push_back(vector::LoadOp::create(
            b, vecType, w,
            nk ? ValueRange{expert, kb.add(col0, bRow[i]), kb.add(k0, bCol[i])}
               : ValueRange{expert, kb.add(k0, bRow[i]), kb.add(col0, bCol[i])},
            /*nontemporal=*/false, align16));
      return regs;
    };
    auto storeShared = [&](Value stage, ArrayRef<Value> regs) {
      Value as = aStage(stage), bs = bStage(stage);
      for (int64_t i = 0; i < kLoads; ++i) {
        vector::StoreOp::create(b, regs[i], as, ValueRange{aRow[i], aCol[i]},
                                /*nontemporal=*/false, align16);
        vector::StoreOp::create(b, regs[kLoads + i], bs,
                                ValueRange{bRow[i], bCol[i]},
                                /*nontemporal=*/false, align16);
      }
    };

    // The lane's place in its warp's 32x32 tile and in the mma fragments.
    WarpLane wl = warpLane(kb, tid);
    Value g = wl.g, t = wl.t, warpRow = wl.warpRow, warpCol = wl.warpCol;
    Value t2 = wl.t2;

    storeShared(kb.idx(0), loadGlobal(kb.idx(0)));
    gpu::BarrierOp::create(b);

    Value accZero = arith::ConstantOp::create(b, b.getF32FloatAttr(0.0f));
    SmallVector<Value> init(kAccs, accZero);
    auto kLoop = scf::ForOp::create(b, kb.idx(0), kb.idx(kSteps), one, init);
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(kLoop.getBody());
      Value step = kLoop.getInductionVar();
      Value stage = kb.rem(step, kStages);
      // The next step's global loads are issued before this step's mma; the
      // last step reloads itself (into the stage nobody reads any more)
      // instead of branching.
      Value nextStep = arith::MinUIOp::create(b, kb.add(step, 1),
                                              kb.idx(kSteps - 1));
      SmallVector<Value> regs = loadGlobal(nextStep);
      Value as = aStage(stage), bs = bStage(stage);
      auto pairType = VectorType::get({2}, element);
      SmallVector<Value> acc(kLoop.getRegionIterArgs());
      // f32: per k8 the 3xTF32 step (tf32 m16n8k8 fragments, one f32
      // each, split once into tf32 hi + lo).
      for (int64_t kk = 0; f32 && kk < kTileK; kk += layout.mmaK())
        mma3xTf32WarpStep(b, b.getLoc(), as, bs, nk, warpRow, warpCol, g, t, kk,
                          kWarpTilesM, kWarpTilesN, acc);
      for (int64_t kk = 0; !f32 && kk < kTileK; kk += layout.mmaK()) {
        Value k0 = kb.add(t2, kk), k8 = kb.add(t2, kk + 8);
        // A fragment of rows r..r+15 (x's tile, row-major [m][k]):
        //   a0,a1 = (r + g, k0..k0+1)     a2,a3 = (r + g + 8, k0..k0+1)
        //   a4,a5 = (r + g, k0+8..k0+9)   a6,a7 = (r + g + 8, k0+8..k0+9)
        // with k0 = kk + 2t; each pair is contiguous: one 32-bit load.
        SmallVector<SmallVector<Value>> aFrags;
        for (int64_t mi = 0; mi < kWarpTilesM; ++mi) {
          Value r = kb.add(kb.add(warpRow, g), mi * kMmaM);
          Value r8 = kb.add(r, 8);
          auto pair = [&](Value row, Value col) -> Value {
            return vector::LoadOp::create(b, pairType, as, ValueRange{row, col},
                                          false, llvm::MaybeAlign(4));
          };
          aFrags.push_back({pair(r, k0), pair(r8, k0), pair(r, k8),
                            pair(r8, k8)});
        }
        // B fragment of columns c..c+7:
        //   b0,b1 = (k0, k0+1 ; c + g)    b2,b3 = (k0+8, k0+9 ; c + g)
        // w's tile row-major [k][n]: two 16-bit loads per pair (the pair
        // runs down a column); [n][k] (weights [E, N, K]): one 32-bit load.
        SmallVector<SmallVector<Value>> bFrags;
        for (int64_t ni = 0; ni < kWarpTilesN; ++ni) {
          Value c = kb.add(kb.add(warpCol, g), ni * kMmaN);
          auto pair = [&](Value row) -> Value {
            if (nk)
              return vector::LoadOp::create(b, pairType, bs,
                                            ValueRange{c, row}, false,
                                            llvm::MaybeAlign(4));
            Value lo = memref::LoadOp::create(b, bs, ValueRange{row, c});
            Value hi =
                memref::LoadOp::create(b, bs, ValueRange{kb.add(row, 1), c});
            return vector::FromElementsOp::create(b, pairType,
                                                  ValueRange{lo, hi});
          };
          bFrags.push_back({pair(k0), pair(k8)});
        }
        mmaWarpTiles(kb, element, aFrags, bFrags, acc);
      }
      // Everyone is done reading the other stage (previous step's barrier)
      // and this one stays untouched until the barrier below.
      storeShared(kb.rem(kb.add(step, 1), kStages), regs);
      gpu::BarrierOp::create(b);
      scf::YieldOp::create(b, acc);
    }

    // Epilogue: each C pair rounded once and stored as 32 bits (f32: stored
    // as is, 64 bits), for the rows that belong to the expert.
    storeAccPairs(kb, element, kLoop.getResults(), y, rowStart, col0, wl,
                  [&](Value row, Value) { return kb.lt(row, rowEnd); });
  }
  Value result = bufferization::ToTensorOp::create(
      b, rType, y, /*restrict=*/true, /*writable=*/true);
  op.getResult().replaceAllUsesWith(result);
  op.erase();
}

struct GroupedMatmulToMmaPass
    : public nvidia::impl::GroupedMatmulToMmaPassBase<
          GroupedMatmulToMmaPass> {
  using Base::Base;

  void getDependentDialects(DialectRegistry &registry) const override {
    Base::getDependentDialects(registry);
    addKernelEffectModels(registry);
  }

  void runOnOperation() override {
    if (f32 != "3xtf32" && f32 != "simt") {
      emitError(getOperation().getLoc(),
                "loom-nvidia-grouped-matmul-to-mma: f32 must be '3xtf32' or "
                "'simt', not '")
          << f32 << "'";
      return signalPassFailure();
    }
    SmallVector<moe::GroupedMatmulOp> ops;
    getOperation().walk([&](moe::GroupedMatmulOp op) {
      if (qualifies(op, f32 == "3xtf32"))
        ops.push_back(op);
    });
    for (moe::GroupedMatmulOp op : ops)
      rewrite(op, weightsAsNK(op));
  }
};

} // namespace
