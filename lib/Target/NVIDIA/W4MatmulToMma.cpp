//===- W4MatmulToMma.cpp - W4 quantized matmuls on tensor cores -----------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// A `loom_quant.matmul` of 16-bit (or f32) activations and packed 4-bit
// weights with per-group scales along K (com.microsoft MatMulNBits) becomes
// one kernel (runs on tensors, before loom-convert-quant-to-linalg):
//
//   host:   A as [M, K] (leading dimensions collapsed), the operands'
//           buffers (bufferization.to_buffer), the result's allocation, a
//           launch of ceil(M / 64) x ceil(N / 64) blocks of 128 threads, the
//           result as a tensor again (to_tensor restrict, expanded back)
//   K loop: steps of 64, two shared-memory stages. Per step each thread
//           loads 4 x 16 bytes of A's [64 x 64] tile and 16 bytes (32
//           nibbles of K) of one weight row, with the row's scale and zero
//           point; the next step's loads are issued before the current
//           step's mma. The nibbles are dequantized into f16/bf16 in
//           registers: `0x6400 | q` (f16) or `0x4300 | q` (bf16) is the
//           16-bit float 1024 + q (128 + q), exactly; subtracting
//           1024 + zp (128 + zp) is exact, and one multiply by the scale
//           rounds (q - zp) * scale once to 16 bits. The weight tile is
//           stored to shared memory as [n][k], like A's [m][k], and each
//           warp computes a 32x32 part of the 64x64 tile with 2 x 4
//           m16n8k16 mma.sync per k16 (f32 accumulators), its fragments
//           loaded by 4 ldmatrix.x4 (2 for A's rows, 2 for the weight's)
//   store:  rounded once to the element type; rows past M are not stored
//           (their loads were clamped to row M - 1)
//
// Unlike the loops it replaces, which multiply by the dequantized weight
// in f32, the weight is rounded to 16 bits first (the tensor cores' input
// type), as every W4A16 GPU kernel does; weights exact in 16 bits give the
// same result.
//
// f32 activations (`f32=3xtf32`, the default) take the same kernel with f32
// tiles (16 bytes are 4 elements; rows of 64 padded to 68, two stages of
// 34 KiB): each word of 8 nibbles is dequantized as (q - zp) * scale in f32,
// the loops' own arithmetic, and each k8 runs the 3xTF32 step of the f32
// matmul kernels (mma3xTf32WarpStep: fragments by 32-bit shared loads,
// split into tf32 hi + lo, three m16n8k8 mma.sync); results stored as f32.
//
// N need only be a multiple of 8: a last column tile past N reads weight
// row N - 1 and stores only the columns below N.
//
//===----------------------------------------------------------------------===//

#include "dialects/quant/QuantDialect.h"
#include "lib/Target/NVIDIA/KernelHelpers.h"
#include "lib/Target/NVIDIA/MmaTileKernel.h"
#include "lib/Target/NVIDIA/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Matchers.h"

namespace mlir::loom::nvidia {
#define GEN_PASS_DEF_W4MATMULTOMMAPASS
#include "lib/Target/NVIDIA/Passes.h.inc"
} // namespace mlir::loom::nvidia

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::nvidia;
using namespace mlir::loom::nvidia::mma_tile;
namespace lq = mlir::loom::quant;

namespace {

// K step and stages; the 64x64 block tile of 128 threads is
// MmaTileKernel.h's.
constexpr int64_t kTileK = 64, kStages = 2;

/// Shared-memory layout of one K step for elements of `bytes` bytes (2, or
/// 4 for f32). Rows of 64 elements are padded by 16 bytes (16-bit: 144
/// bytes, f32: 272): the 32-bit fragment loads of rows g = 0..7, words
/// t = 0..3 hit banks 4g + t, all different; row starts stay 16-byte
/// aligned for the 16-byte stores.
struct Layout {
  int64_t bytes;
  int64_t vec() const { return 16 / bytes; } // elements per 16-byte load
  int64_t stride() const { return kTileK + vec(); }
  int64_t aBytes() const { return kTileM * stride() * bytes; }
  int64_t stageBytes() const { return (kTileM + kTileN) * stride() * bytes; }
  // A's tile is 64 rows of 16-byte chunks: 8 (16-bit) or 16 (f32) per
  // row, 4 or 8 per thread.
  int64_t aChunksPerRow() const { return kTileK / vec(); }
  int64_t aLoads() const { return kTileM * aChunksPerRow() / kThreads; }
  int64_t mmaK() const { return bytes == 4 ? 8 : 16; }
};
// The weight tile: 64 rows (n) of 32 bytes (64 nibbles of K); each thread
// loads 16 bytes (32 elements of K, 4 words of 8) of one row.
constexpr int64_t kNibblesPerThread = 32, kWordsPerThread = 4;
static_assert(kTileN * (kTileK / kNibblesPerThread) == kThreads);

/// The matmul's operands when it takes the kernel, null otherwise.
struct W4Matmul {
  lq::MatmulOp op;
  int64_t k, n, group;
  Type element;
  /// The zero point when it is the same everywhere (the importer's default
  /// 8), else -1 (read from the zero-point tensor, if any).
  int64_t splatZeroPoint = -1;
};

/// Whether `op` takes the kernel: W4A16 (16-bit float activations, or f32
/// when `f32`; no input scale), u4 weights packed [N, K / 2] (transposed,
/// the linear layer's layout), per-group scales along K of the
/// activations' type, groups a multiple of 8, K a multiple of 64 and N of
/// 8, static.
std::optional<W4Matmul> qualifies(lq::MatmulOp op, bool f32) {
  RankedTensorType aType = op.getA().getType();
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  auto rType = cast<RankedTensorType>(op.getResult().getType());
  lq::SchemeAttr scheme = op.getWeightScheme();
  Type element = aType.getElementType();
  if (op.getInputScale() ||
      !(element.isF16() || element.isBF16() || (f32 && element.isF32())) ||
      rType.getElementType() != element || aType.getRank() < 2 ||
      !op.getTransposeWeight() || scheme.getStorage() != lq::StorageType::u4 ||
      !scheme.getPacked() ||
      scheme.getGranularity() != lq::Granularity::per_group ||
      scheme.getAxis() != 1 || scheme.getGroupSize() % 8 != 0 ||
      wType.getRank() != 2 || !wType.hasStaticShape() ||
      !wType.getElementType().isSignlessInteger(8))
    return std::nullopt;
  int64_t k = aType.getDimSize(aType.getRank() - 1), n = wType.getDimSize(0),
          group = scheme.getGroupSize();
  if (ShapedType::isDynamic(k) || k != 2 * wType.getDimSize(1) ||
      k % kTileK != 0 || n % 8 != 0)
    return std::nullopt;
  int64_t groups = (k + group - 1) / group;
  auto sType = cast<RankedTensorType>(op.getWeightScale().getType());
  if (sType.getElementType() != element ||
      sType.getShape() != ArrayRef<int64_t>{n, groups})
    return std::nullopt;
  W4Matmul mm{op, k, n, group, element};
  if (Value zp = op.getWeightZeroPoint()) {
    auto zType = cast<RankedTensorType>(zp.getType());
    if (!zType.getElementType().isSignlessInteger(4) ||
        zType.getShape() != ArrayRef<int64_t>{n, groups})
      return std::nullopt;
    DenseIntElementsAttr splat;
    if (matchPattern(zp, m_Constant(&splat)) && splat.isSplat())
      mm.splatZeroPoint = splat.getSplatValue<APInt>().getZExtValue();
  } else {
    mm.splatZeroPoint = 0;
  }
  return mm;
}

struct KernelBuilder : IndexMath {
  Type element;
  Attribute smemSpace;
  Layout layout;

  Value i32(int64_t v) { return arith::ConstantIntOp::create(b, v, 32); }

  /// A [rows x stride] view of shared memory at byte `offset`.
  Value view(Value smem, Value offset, int64_t rows) {
    auto type = MemRefType::get({rows, layout.stride()}, element,
                                MemRefLayoutAttrInterface(), smemSpace);
    return memref::ViewOp::create(b, type, smem, offset, ValueRange{});
  }

  /// The 16-bit float `magic + v` (v < 16) as bits: 1024 + v in f16,
  /// 128 + v in bf16 (exact: both have a spacing of 1 there). `v` is i32.
  Value magicPlus(Value v) {
    return arith::OrIOp::create(b, v, i32(element.isF16() ? 0x6400 : 0x4300));
  }

  /// Eight consecutive weights of K, dequantized: `word` holds their
  /// nibbles (element 2i in the low nibble of byte i, 2i + 1 in the high
  /// one), `zpPlusMagic` is magicPlus(zero point) as a 16-bit float.
  Value dequantize(Value word, Value zpPlusMagic, Value scale) {
    SmallVector<Value> pairs;
    for (int64_t p = 0; p < 4; ++p) {
      // Byte p's two nibbles into the low bits of each 16-bit half.
      Value x = p ? arith::ShRUIOp::create(b, word, i32(8 * p)).getResult()
                  : word;
      Value lo = arith::AndIOp::create(b, x, i32(0xF));
      Value hi = arith::AndIOp::create(
          b, arith::ShLIOp::create(b, x, i32(12)), i32(0xF0000));
      pairs.push_back(arith::OrIOp::create(
          b, arith::OrIOp::create(b, lo, hi),
          i32(element.isF16() ? 0x64006400 : 0x43004300)));
    }
    auto vecType = VectorType::get({8}, element);
    Value bits = vector::FromElementsOp::create(
        b, VectorType::get({4}, b.getI32Type()), pairs);
    Value v = vector::BitCastOp::create(b, vecType, bits);
    v = arith::SubFOp::create(b, v,
                              vector::BroadcastOp::create(b, vecType,
                                                          zpPlusMagic));
    return arith::MulFOp::create(
        b, v, vector::BroadcastOp::create(b, vecType, scale));
  }

  /// The f32 form: eight weights of K as (q - zp) * scale in f32, the
  /// dequantizing contraction's arithmetic (q - zp is a small integer,
  /// exact; the multiply rounds once). Element j is bits 4j..4j+3 of
  /// `word`; `zp` is an i32.
  Value dequantizeF32(Value word, Value zp, Value scale) {
    auto i32x8 = VectorType::get({8}, b.getI32Type());
    SmallVector<int32_t> shifts;
    for (int32_t j = 0; j < 8; ++j)
      shifts.push_back(4 * j);
    Value q = arith::ShRUIOp::create(
        b, vector::BroadcastOp::create(b, i32x8, word),
        arith::ConstantOp::create(
            b, i32x8, DenseElementsAttr::get(i32x8, ArrayRef(shifts))));
    q = arith::AndIOp::create(
        b, q,
        arith::ConstantOp::create(b, i32x8,
                                  DenseElementsAttr::get(i32x8, int32_t(0xF))));
    auto f32x8 = VectorType::get({8}, b.getF32Type());
    Value v = arith::UIToFPOp::create(b, f32x8, q);
    v = arith::SubFOp::create(
        b, v,
        vector::BroadcastOp::create(
            b, f32x8, arith::UIToFPOp::create(b, b.getF32Type(), zp)));
    return arith::MulFOp::create(b, v,
                                 vector::BroadcastOp::create(b, f32x8, scale));
  }
};

/// One K step's global loads of a thread, in flight while the previous
/// step computes.
struct StepLoads {
  SmallVector<Value> a;
  Value nibbles;
  SmallVector<Value> scale, zeroPoint;
};

void rewrite(const W4Matmul &mm) {
  lq::MatmulOp op = mm.op;
  ImplicitLocOpBuilder b(op.getLoc(), op);
  MLIRContext *ctx = op.getContext();
  Type element = mm.element;
  int64_t kSteps = mm.k / kTileK;
  bool f32 = element.isF32();
  Layout layout{f32 ? 4 : 2};
  KernelBuilder kb{
      {b}, element, gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup),
      layout};

  // A as [M, K].
  Value a = op.getA();
  RankedTensorType aType = op.getA().getType();
  int64_t rank = aType.getRank();
  SmallVector<ReassociationIndices> collapse(2);
  for (int64_t i = 0; i + 1 < rank; ++i)
    collapse[0].push_back(i);
  collapse[1].push_back(rank - 1);
  if (rank > 2)
    a = tensor::CollapseShapeOp::create(b, a, collapse);
  auto a2Type = cast<RankedTensorType>(a.getType());

  auto bufferOf = [&](Value tensor) -> Value {
    auto type = cast<RankedTensorType>(tensor.getType());
    return bufferization::ToBufferOp::create(
        b, MemRefType::get(type.getShape(), type.getElementType()), tensor,
        /*read_only=*/b.getUnitAttr());
  };
  Value x = bufferOf(a), w = bufferOf(op.getWeight()),
        scales = bufferOf(op.getWeightScale());
  Value zps = mm.splatZeroPoint < 0 ? bufferOf(op.getWeightZeroPoint())
                                    : Value();
  Value m = memref::DimOp::create(b, x, 0);
  auto yType = MemRefType::get({a2Type.getDimSize(0), mm.n}, element);
  SmallVector<Value> dynSizes;
  if (yType.isDynamicDim(0))
    dynSizes.push_back(m);
  Value y = memref::AllocOp::create(b, yType, dynSizes);

  // At least one block: an empty A launches one that does nothing.
  Value rowTiles = arith::MaxUIOp::create(
      b, kb.div(kb.add(m, kTileM - 1), kTileM), kb.idx(1));
  Value one = kb.idx(1);
  Value smemBytes = kb.i32(layout.stageBytes() * kStages);
  auto launch = gpu::LaunchOp::create(
      b, rowTiles, kb.idx(llvm::divideCeil(mm.n, kTileN)), one,
      kb.idx(kThreads), one, one, smemBytes, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/ValueRange{});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    gpu::TerminatorOp::create(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    Value rowStart = kb.mul(launch.getBlockIds().x, kTileM);
    Value col0 = kb.mul(launch.getBlockIds().y, kTileN);
    Value tid = launch.getThreadIds().x;
    // The same for the whole block: the barriers inside are uniform.
    auto work = scf::IfOp::create(b, kb.lt(rowStart, m),
                                  /*withElseRegion=*/false);
    b.setInsertionPointToStart(work.thenBlock());
    Value lastRow = arith::SubIOp::create(b, m, one);

    Value smem = gpu::DynamicSharedMemoryOp::create(
        b, MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                           MemRefLayoutAttrInterface(), kb.smemSpace));
    auto aStage = [&](Value stage) {
      return kb.view(smem, kb.mul(stage, layout.stageBytes()), kTileM);
    };
    auto bStage = [&](Value stage) {
      return kb.view(
          smem, kb.add(kb.mul(stage, layout.stageBytes()), layout.aBytes()),
          kTileN);
    };

    // The thread's chunks of A's tile (rows past M read row M - 1: in
    // bounds, and their results are not stored) and its part of the
    // weight tile: row wRow, K elements [32 h, 32 h + 32) of the step.
    SmallVector<Value> aRow, aCol, aSrcRow;
    for (int64_t i = 0; i < layout.aLoads(); ++i) {
      Value chunk = kb.add(tid, i * kThreads);
      aRow.push_back(kb.div(chunk, layout.aChunksPerRow()));
      aCol.push_back(
          kb.mul(kb.rem(chunk, layout.aChunksPerRow()), layout.vec()));
      aSrcRow.push_back(
          arith::MinUIOp::create(b, kb.add(rowStart, aRow.back()), lastRow));
    }
    Value wRow = kb.div(tid, 2);
    Value wK = kb.mul(kb.rem(tid, 2), kNibblesPerThread);
    // Rows of the last column tile past N read row N - 1 (their columns
    // of the result are not stored).
    Value wSrcRow =
        arith::MinUIOp::create(b, kb.add(col0, wRow), kb.idx(mm.n - 1));
    // One scale and zero point for the thread's 32 elements when groups
    // are multiples of 32; else one per word of 8 (groups of 8, 16).
    int64_t groupsPerThread = mm.group % kNibblesPerThread == 0
                                  ? 1
                                  : kWordsPerThread;
    llvm::MaybeAlign align16(16);
    auto vecType = VectorType::get({layout.vec()}, element);
    auto nibbleType = VectorType::get({16}, b.getI8Type());
    auto loadGlobal = [&](Value step) {
      StepLoads loads;
      Value k0 = kb.mul(step, kTileK);
      for (int64_t i = 0; i < layout.aLoads(); ++i)
        loads.a.push_back(vector::LoadOp::create(
            b, vecType, x, ValueRange{aSrcRow[i], kb.add(k0, aCol[i])},
            /*nontemporal=*/false, align16));
      Value kThread = kb.add(k0, wK);
      loads.nibbles = vector::LoadOp::create(
          b, nibbleType, w, ValueRange{wSrcRow, kb.div(kThread, 2)},
          /*nontemporal=*/false, align16);
      for (int64_t j = 0; j < groupsPerThread; ++j) {
        Value group = kb.div(kb.add(kThread, j * 8), mm.group);
        loads.scale.push_back(
            memref::LoadOp::create(b, scales, ValueRange{wSrcRow, group}));
        if (zps)
          loads.zeroPoint.push_back(
              memref::LoadOp::create(b, zps, ValueRange{wSrcRow, group}));
      }
      return loads;
    };
    auto storeShared = [&](Value stage, const StepLoads &loads) {
      Value as = aStage(stage), bs = bStage(stage);
      for (int64_t i = 0; i < layout.aLoads(); ++i)
        vector::StoreOp::create(b, loads.a[i], as, ValueRange{aRow[i], aCol[i]},
                                /*nontemporal=*/false, align16);
      Value words = vector::BitCastOp::create(
          b, VectorType::get({kWordsPerThread}, b.getI32Type()), loads.nibbles);
      // The zero points as i32 (f32) or as 16-bit magic + zp.
      SmallVector<Value> zpValues;
      for (int64_t j = 0; j < groupsPerThread; ++j) {
        Value zp = zps ? arith::ExtUIOp::create(b, b.getI32Type(),
                                                loads.zeroPoint[j])
                             .getResult()
                       : kb.i32(mm.splatZeroPoint);
        if (f32) {
          zpValues.push_back(zp);
          continue;
        }
        Value bits = arith::TruncIOp::create(b, b.getI16Type(),
                                             kb.magicPlus(zp));
        zpValues.push_back(arith::BitcastOp::create(b, element, bits));
      }
      for (int64_t j = 0; j < kWordsPerThread; ++j) {
        int64_t g = groupsPerThread == 1 ? 0 : j;
        Value word =
            vector::ExtractOp::create(b, words, ArrayRef<int64_t>{j});
        Value v = f32 ? kb.dequantizeF32(word, zpValues[g], loads.scale[g])
                      : kb.dequantize(word, zpValues[g], loads.scale[g]);
        vector::StoreOp::create(b, v, bs, ValueRange{wRow, kb.add(wK, j * 8)},
                                /*nontemporal=*/false, align16);
      }
    };

    // The lane's place in its warp's 32x32 tile and in the mma fragments
    // (PTX ISA, m16n8k16): lane = 4 * g + t.
    WarpLane wl = warpLane(kb, tid);
    Value lane = wl.lane, g = wl.g, t = wl.t;
    Value warpRow = wl.warpRow, warpCol = wl.warpCol;
    // The row and column this lane addresses for ldmatrix.x4 (lanes
    // 8i .. 8i + 7 give the rows of 8x8 block i): A's blocks at (rows +8
    // (i % 2), cols +8 (i / 2)), the weight tile's at (n +8 (i / 2),
    // k +8 (i % 2)).
    Value ldBlock = kb.div(lane, 8), ldLane = kb.rem(lane, 8);
    Value ldRowA = kb.add(kb.add(warpRow, ldLane), kb.mul(kb.rem(ldBlock, 2), 8));
    Value ldColA = kb.mul(kb.div(ldBlock, 2), 8);
    Value ldRowB = kb.add(kb.add(warpCol, ldLane), kb.mul(kb.div(ldBlock, 2), 8));
    Value ldColB = kb.mul(kb.rem(ldBlock, 2), 8);

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
      Value nextStep =
          arith::MinUIOp::create(b, kb.add(step, 1), kb.idx(kSteps - 1));
      StepLoads loads = loadGlobal(nextStep);
      Value as = aStage(stage), bs = bStage(stage);
      auto x4Type = VectorType::get({4, 2}, element);
      auto ldmatrix = [&](Value tile, Value row, Value col) {
        Value x4 = nvgpu::LdMatrixOp::create(b, x4Type, tile,
                                             ValueRange{row, col},
                                             /*transpose=*/false,
                                             /*numTiles=*/4);
        SmallVector<Value> parts;
        for (int64_t i = 0; i < 4; ++i)
          parts.push_back(
              vector::ExtractOp::create(b, x4, ArrayRef<int64_t>{i}));
        return parts;
      };
      SmallVector<Value> acc(kLoop.getRegionIterArgs());
      // f32: per k8 the 3xTF32 step on both tiles ([m][k] and [n][k]) with
      // 32-bit shared loads (KernelHelpers.h).
      for (int64_t kk = 0; f32 && kk < kTileK; kk += layout.mmaK())
        mma3xTf32WarpStep(b, b.getLoc(), as, bs, /*bIsNK=*/true, warpRow,
                          warpCol, g, t, kk, kWarpTilesM, kWarpTilesN, acc);
      for (int64_t kk = 0; !f32 && kk < kTileK; kk += layout.mmaK()) {
        // A fragment of rows r..r+15 (row-major [m][k]), k0 = kk + 2t:
        //   a0,a1 = (r + g, k0..k0+1)     a2,a3 = (r + g + 8, k0..k0+1)
        //   a4,a5 = (r + g, k0+8..k0+9)   a6,a7 = (r + g + 8, k0+8..k0+9)
        // i.e. row g, cols 2t, 2t + 1 of the 8x8 blocks (rows +0, cols +0),
        // (+8, +0), (+0, +8), (+8, +8), what ldmatrix.x4 hands lane 4g + t
        // when lanes 8i .. 8i + 7 address block i's rows.
        SmallVector<SmallVector<Value>> aFrags;
        for (int64_t mi = 0; mi < kWarpTilesM; ++mi)
          aFrags.push_back(ldmatrix(as, kb.add(ldRowA, mi * kMmaM),
                                    kb.add(ldColA, kk)));
        // B fragment of columns c..c+7 (the weight tile is [n][k]):
        //   b0,b1 = (k0..k0+1 ; c + g)    b2,b3 = (k0+8..k0+9 ; c + g)
        // i.e. row g, cols 2t, 2t + 1 of the 8x8 blocks (n +0, k +0) and
        // (n +0, k +8); one ldmatrix.x4 loads those of columns c and c + 8:
        // blocks (+0, +0), (+0, +8), (+8, +0), (+8, +8).
        SmallVector<SmallVector<Value>> bFrags;
        for (int64_t ni = 0; ni < kWarpTilesN; ni += 2) {
          SmallVector<Value> x4 = ldmatrix(bs, kb.add(ldRowB, ni * kMmaN),
                                           kb.add(ldColB, kk));
          bFrags.push_back({x4[0], x4[1]});
          bFrags.push_back({x4[2], x4[3]});
        }
        mmaWarpTiles(kb, element, aFrags, bFrags, acc);
      }
      // Everyone is done reading the other stage (previous step's barrier)
      // and this one stays untouched until the barrier below.
      storeShared(kb.rem(kb.add(step, 1), kStages), loads);
      gpu::BarrierOp::create(b);
      scf::YieldOp::create(b, acc);
    }

    // Epilogue: each C pair rounded once and stored as 32 bits (f32: 64
    // bits), rows < M and columns < N (N is a multiple of 8, so the pair's
    // second column is < N with its first).
    storeAccPairs(kb, element, kLoop.getResults(), y, rowStart, col0, wl,
                  [&](Value row, Value c) {
                    Value inside = kb.lt(row, m);
                    if (mm.n % kTileN != 0)
                      inside = arith::AndIOp::create(b, inside,
                                                     kb.lt(c, kb.idx(mm.n)));
                    return inside;
                  });
  }
  auto y2Type = RankedTensorType::get(yType.getShape(), element);
  Value result = bufferization::ToTensorOp::create(
      b, y2Type, y, /*restrict=*/true, /*writable=*/true);
  if (rank > 2) {
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, b.getLoc(),
                                                            op.getA());
    sizes.back() = b.getIndexAttr(mm.n);
    result = tensor::ExpandShapeOp::create(b, op.getResult().getType(), result,
                                           collapse, sizes);
  }
  op.getResult().replaceAllUsesWith(result);
  op.erase();
}

struct W4MatmulToMmaPass
    : public nvidia::impl::W4MatmulToMmaPassBase<W4MatmulToMmaPass> {
  using Base::Base;

  void getDependentDialects(DialectRegistry &registry) const override {
    Base::getDependentDialects(registry);
    addKernelEffectModels(registry);
  }

  void runOnOperation() override {
    if (f32 != "3xtf32" && f32 != "simt") {
      getOperation().emitError()
          << "loom-nvidia-w4-matmul-to-mma: f32 must be '3xtf32' or 'simt', "
             "not '"
          << f32 << "'";
      return signalPassFailure();
    }
    SmallVector<W4Matmul> found;
    getOperation().walk([&](lq::MatmulOp op) {
      if (std::optional<W4Matmul> mm = qualifies(op, f32 == "3xtf32"))
        found.push_back(*mm);
    });
    for (const W4Matmul &mm : found)
      rewrite(mm);
  }
};

} // namespace
