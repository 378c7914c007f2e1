//===- MatmulToWgmma.cpp - Hopper matmuls on TMA + wgmma ------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// A 16-bit float matmul with an f32 accumulator becomes one kernel, one
// block per 128x128 output tile, written in the nvgpu dialect:
//
//   host:     TMA descriptors of A (128x64 boxes) and B (64x64 boxes of a
//             K x N B, or 128x64 boxes of an N x K B, read K-major)
//   kernel:   `stages` shared-memory slots, one mbarrier each
//     producer (thread 0): TMA loads of a K step's A and B tiles into a slot;
//                          the mbarrier completes when the bytes landed
//     consumer (the warpgroup): wait on the slot's mbarrier, wgmma
//                          128x128x64 from shared memory into registers,
//                          hand the slot back to the producer
//     epilogue: accumulator -> shared memory -> global, coalesced (rounded
//               to 16 bits when the f32 result was only rounded after)
//
// A batch_matmul runs its batch as grid z on 2-d views of the operands
// (the batch's row offset added to the TMA coordinates); a matmul whose M
// is not a multiple of 128, or dynamic, has A's last box zero-filled by TMA
// and the epilogue stores only rows below M. Which matmuls qualify, and
// the contraction generics raised to them, is WgmmaMatching.cpp.
//
// The producer and consumer are separate regions of the K loop (marked
// `loom.role`), in one warpgroup for now: the warp-specialization passes
// split them into warp groups connected by the slots' barriers.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/NVIDIA/Passes.h"
#include "lib/Target/NVIDIA/WgmmaMatching.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::loom::nvidia {
#define GEN_PASS_DEF_MATMULTOWGMMAPASS
#include "lib/Target/NVIDIA/Passes.h.inc"
} // namespace mlir::loom::nvidia

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::nvidia;

namespace {

// The TMA box of a K x N B is 64 columns wide: one 128-byte swizzle row.
constexpr int64_t kTileM = kWgmmaTileM, kTileN = kWgmmaTileN,
                  kTileK = kWgmmaTileK, kBoxN = 64;
constexpr int64_t kWarpgroup = 128;

struct KernelBuilder {
  ImplicitLocOpBuilder &b;
  int64_t stages;
  Type element;
  Attribute smemSpace;

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value mul(Value x, int64_t y) { return arith::MulIOp::create(b, x, idx(y)); }

  int64_t aTileBytes() const { return kTileM * kTileK * 2; }
  int64_t bTileBytes() const { return kTileK * kTileN * 2; }
  int64_t sharedBytes() const {
    return std::max((aTileBytes() + bTileBytes()) * stages,
                    kTileM * kTileN * int64_t(sizeof(float)));
  }

  MemRefType smemType(ArrayRef<int64_t> shape, Type type) {
    return MemRefType::get(shape, type, MemRefLayoutAttrInterface(),
                           smemSpace);
  }
  /// A view of `shape` at byte `offset` of the dynamic shared memory.
  Value view(Value smem, Value offset, ArrayRef<int64_t> shape, Type type) {
    return memref::ViewOp::create(b, smemType(shape, type), smem, offset,
                                  ValueRange{});
  }
  Value aSlot(Value smem, Value slot) {
    return view(smem, mul(slot, aTileBytes()), {kTileM, kTileK}, element);
  }
  /// Slot `slot` of B at column half `half` (TMA writes 64-column boxes).
  Value bSlot(Value smem, Value slot, ArrayRef<int64_t> shape,
              int64_t half = 0) {
    Value offset = add(mul(slot, bTileBytes()),
                       idx(aTileBytes() * stages + half * kTileK * kBoxN * 2));
    return view(smem, offset, shape, element);
  }
};

/// One K step of a 128x128 tile with B K-major (N x K in shared memory),
/// written in NVVM: `nvgpu.warpgroup.mma` advances B's descriptor as if B
/// were N-major (by 16 rows of K per k16 instruction) and cannot read a
/// K-major B.
///
/// Layout: A's slot holds 128 rows of M and B's slot 128 rows of N, each
/// row 64 elements of K (128 bytes) with TMA's 128-byte swizzle: both are
/// the K-major canonical layout wgmma takes without a transpose flag (A's
/// is the one `nvgpu.warpgroup.mma` already uses). Their descriptors come
/// from `nvgpu.warpgroup.generate.descriptor` (stride between 8-row groups
/// 1024 bytes, 128-byte swizzle; the leading-dimension offset is unused by
/// swizzled K-major layouts). Instruction (h, kk), m64n128k16, reads A rows
/// [64h, 64h + 64) and K [16kk, 16kk + 16): A's descriptor advanced by
/// 64 rows x 128 bytes x h + 32 bytes x kk, B's by 32 bytes x kk (the
/// address bits the swizzle applies to are those of the 1024-byte-aligned
/// slot plus the offset, as for A in the nvgpu lowering). In NVVM's BLAS
/// terms A (M x K, K contiguous) is row-major and B (K x N, K contiguous)
/// column-major: PTX imm-trans-a = imm-trans-b = 0, where the K x N
/// row-major B of the other kernel has imm-trans-b = 1.
Value kMajorStep(KernelBuilder &kb, Value acc, Value descA, Value descB) {
  ImplicitLocOpBuilder &b = kb.b;
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type(), i64 = b.getI64Type();
  // The accumulator as nvgpu's lowering types it: one struct of 64 f32
  // per 64-row half.
  auto half = LLVM::LLVMStructType::getLiteral(
      ctx, SmallVector<Type>(kTileN / 2, f32));
  auto whole = LLVM::LLVMStructType::getLiteral(
      ctx, SmallVector<Type>(kTileM / 64, half));
  Value regs =
      UnrealizedConversionCastOp::create(b, TypeRange{whole}, acc).getResult(0);
  auto asI64 = [&](Value desc) {
    return UnrealizedConversionCastOp::create(b, TypeRange{i64}, desc)
        .getResult(0);
  };
  Value dA = asI64(descA), dB = asI64(descB);
  // Descriptor start addresses count 16-byte units.
  auto advance = [&](Value desc, int64_t bytes) -> Value {
    if (!bytes)
      return desc;
    return arith::AddIOp::create(
        b, desc, arith::ConstantIntOp::create(b, bytes / 16, 64));
  };
  NVVM::WGMMATypes type = kb.element.isBF16() ? NVVM::WGMMATypes::bf16
                                              : NVVM::WGMMATypes::f16;
  auto shape = NVVM::MMAShapeAttr::get(ctx, 64, kTileN, 16);
  NVVM::WgmmaFenceAlignedOp::create(b);
  for (int64_t h = 0; h < kTileM / 64; ++h) {
    Value part = LLVM::ExtractValueOp::create(b, regs, h);
    for (int64_t kk = 0; kk < kTileK / 16; ++kk) {
      auto mma = NVVM::WgmmaMmaAsyncOp::create(
          b, half, part, advance(dA, h * 64 * kTileK * 2 + kk * 32),
          advance(dB, kk * 32), shape, type, type, NVVM::WGMMATypes::f32,
          NVVM::WGMMAScaleOut::one, NVVM::WGMMAScaleIn::one,
          NVVM::WGMMAScaleIn::one, NVVM::MMALayout::row,
          NVVM::MMALayout::col, /*satfinite=*/nullptr);
      mma->setAttr("loom.role", b.getStringAttr("consumer"));
      part = mma.getResult();
    }
    regs = LLVM::InsertValueOp::create(b, regs, part, h);
  }
  NVVM::WgmmaGroupSyncAlignedOp::create(b);
  // As `waitGroup = 1` of the nvgpu op: this step stays in flight.
  NVVM::WgmmaWaitGroupSyncOp::create(b, 1);
  return UnrealizedConversionCastOp::create(b, TypeRange{acc.getType()}, regs)
      .getResult(0);
}

/// The 2-d view [batch * rows, columns] of a batched operand (contiguous:
/// identity layout).
Value flatten(ImplicitLocOpBuilder &b, Value v) {
  return memref::CollapseShapeOp::create(
      b, v, SmallVector<ReassociationIndices>{{0, 1}, {2}});
}

LogicalResult rewrite(WgmmaMatmul match, int64_t stages) {
  Operation *op = match.op;
  ImplicitLocOpBuilder b(op->getLoc(), op);
  MLIRContext *ctx = op->getContext();
  Value a = match.a, bMat = match.b, c = match.c;
  auto aType = cast<MemRefType>(a.getType());
  auto cType = cast<MemRefType>(c.getType());
  int64_t rank = cType.getRank();
  int64_t batch = match.batched ? cType.getDimSize(0) : 1;
  int64_t m = cType.getDimSize(rank - 2), n = cType.getDimSize(rank - 1),
          k = aType.getDimSize(rank - 1), kSteps = k / kTileK;
  Type element = aType.getElementType();
  stages = std::min(stages, kSteps);
  KernelBuilder kb{b, stages, element,
                   gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup)};

  // Accumulate into C unless C was just zero-filled (the importer's form).
  bool accumulate = true;
  if (Operation *zero = zeroFillBefore(op, c)) {
    zero->erase();
    accumulate = false;
  }
  // A zero-filled C only rounded to 16 bits afterwards: the epilogue
  // rounds and writes the 16-bit buffer; C and the rounding op go away.
  std::optional<WgmmaTruncation> truncation;
  if (!accumulate)
    truncation = truncationOf(op, c);
  Value out = truncation ? truncation->out : c;
  Type outElement = cast<MemRefType>(out.getType()).getElementType();

  // M rows at run time: a dynamic M is read from C. (No guard for M = 0:
  // gpu-async-region does not reach a launch nested in scf.if; the
  // runtime's tensor-map check reports an empty A as an error.)
  Value rows = ShapedType::isDynamic(m)
                   ? memref::DimOp::create(b, c, 0).getResult()
                   : kb.idx(m);
  bool masked = ShapedType::isDynamic(m) || m % kTileM != 0;
  // A batch runs as 2-d operands [batch * M, K], [batch * K, N] (or
  // [batch * N, K]) and C [batch * M, N], its offset added to the row
  // coordinates: a box never crosses a batch (M % 128, K % 64, N % 128).
  if (match.batched) {
    a = flatten(b, a);
    bMat = flatten(b, bMat);
    out = flatten(b, out);
  }

  // Host: one TMA descriptor per operand, 128-byte swizzled boxes; A's
  // rows past M (the last box of a partial M) read as zeros.
  auto descriptorType = [&](ArrayRef<int64_t> box) {
    return nvgpu::TensorMapDescriptorType::get(
        ctx, kb.smemType(box, element), nvgpu::TensorMapSwizzleKind::SWIZZLE_128B,
        nvgpu::TensorMapL2PromoKind::L2PROMO_NONE,
        nvgpu::TensorMapOOBKind::OOB_ZERO,
        nvgpu::TensorMapInterleaveKind::INTERLEAVE_NONE);
  };
  auto descriptor = [&](Value mem, ArrayRef<int64_t> box) -> Value {
    Value unranked = memref::CastOp::create(
        b, UnrankedMemRefType::get(element, Attribute()), mem);
    SmallVector<Value> sizes =
        llvm::map_to_vector(box, [&](int64_t v) { return kb.idx(v); });
    return nvgpu::TmaCreateDescriptorOp::create(b, descriptorType(box),
                                                unranked, sizes);
  };
  // B K x N: 64x64 boxes (64 columns are one 128-byte swizzle row), two per
  // tile; B N x K: one 128x64 box per tile, laid out as A's.
  bool kMajorB = match.kMajorB;
  Value descA = descriptor(a, {kTileM, kTileK});
  Value descB = kMajorB ? descriptor(bMat, {kTileN, kTileK})
                        : descriptor(bMat, {kTileK, kBoxN});

  Value one = kb.idx(1);
  Value smemBytes = arith::ConstantIntOp::create(b, kb.sharedBytes(), 32);
  Value gridX =
      ShapedType::isDynamic(m)
          ? arith::DivUIOp::create(b, kb.add(rows, kb.idx(kTileM - 1)),
                                   kb.idx(kTileM))
                .getResult()
          : kb.idx(llvm::divideCeil(m, kTileM));
  auto launch = gpu::LaunchOp::create(
      b, gridX, kb.idx(n / kTileN), kb.idx(batch), kb.idx(kWarpgroup), one,
      one, smemBytes, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/ValueRange{});
  b.setInsertionPointToStart(&launch.getBody().front());
  gpu::TerminatorOp::create(b);
  b.setInsertionPointToStart(&launch.getBody().front());

  // C is a whole device allocation (identity layout, rows of N % 128
  // elements): 16-byte aligned rows, so the epilogue's vectors become
  // 16-byte accesses.
  out = memref::AssumeAlignmentOp::create(b, out, 16);
  Value smem = gpu::DynamicSharedMemoryOp::create(
      b, kb.smemType({ShapedType::kDynamic}, b.getI8Type()));
  Value tid = launch.getThreadIds().x;
  Value row0 = kb.mul(launch.getBlockIds().x, kTileM);
  Value col0 = kb.mul(launch.getBlockIds().y, kTileN);
  // Rows of the flattened operands where this block's batch starts: A's
  // and C's (batch * M), B's (batch * K, or batch * N read K-major).
  Value aBase = kb.idx(0), bBase = kb.idx(0);
  if (match.batched) {
    aBase = kb.mul(launch.getBlockIds().z, m);
    bBase = kb.mul(launch.getBlockIds().z, kMajorB ? n : k);
  }
  Value aRow = kb.add(aBase, row0);
  Value leader = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, tid,
                                       kb.idx(0));

  auto barrierType = nvgpu::MBarrierGroupType::get(ctx, kb.smemSpace, stages);
  Value barriers = nvgpu::MBarrierCreateOp::create(b, barrierType);
  for (int64_t s = 0; s < stages; ++s)
    nvgpu::MBarrierInitOp::create(b, barriers, one, kb.idx(s), leader);
  nvgpu::TmaPrefetchOp::create(b, descA, leader);
  nvgpu::TmaPrefetchOp::create(b, descB, leader);
  gpu::BarrierOp::create(b);

  // Producer: K step `step` into its slot; the barrier expects its bytes.
  auto produce = [&](Value step) {
    Value slot = arith::RemUIOp::create(b, step, kb.idx(stages));
    Value kOffset = kb.mul(step, kTileK);
    int64_t bytes = kb.aTileBytes() + kb.bTileBytes();
    nvgpu::MBarrierArriveExpectTxOp::create(b, barriers, kb.idx(bytes), slot,
                                            leader);
    // TMA coordinates run innermost dimension first.
    nvgpu::TmaAsyncLoadOp::create(b, kb.aSlot(smem, slot), barriers, descA,
                                  ValueRange{kOffset, aRow}, slot,
                                  /*multicastMask=*/Value(), leader);
    if (kMajorB) {
      nvgpu::TmaAsyncLoadOp::create(b, kb.bSlot(smem, slot, {kTileN, kTileK}),
                                    barriers, descB,
                                    ValueRange{kOffset, kb.add(bBase, col0)},
                                    slot, /*multicastMask=*/Value(), leader);
      return;
    }
    for (int64_t half = 0; half < kTileN / kBoxN; ++half)
      nvgpu::TmaAsyncLoadOp::create(
          b, kb.bSlot(smem, slot, {kTileK, kBoxN}, half), barriers, descB,
          ValueRange{kb.add(col0, kb.idx(half * kBoxN)),
                     kb.add(bBase, kOffset)},
          slot,
          /*multicastMask=*/Value(), leader);
  };
  for (int64_t s = 0; s < stages; ++s)
    produce(kb.idx(s));

  auto accType = nvgpu::WarpgroupAccumulatorType::get(
      ctx, VectorType::get({kTileM, kTileN}, b.getF32Type()));
  Value acc = nvgpu::WarpgroupMmaInitAccumulatorOp::create(b, accType);
  auto loop = scf::ForOp::create(b, kb.idx(0), kb.idx(kSteps), one,
                                 ValueRange{acc});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value step = loop.getInductionVar();
    Value slot = arith::RemUIOp::create(b, step, kb.idx(stages));
    // The slot's barrier completes once per use: phase (step / stages) % 2.
    Value round = arith::DivUIOp::create(b, step, kb.idx(stages));
    Value parity = arith::IndexCastUIOp::create(b, b.getI1Type(), round);
    nvgpu::MBarrierTryWaitParityOp::create(b, barriers, parity,
                                           kb.idx(10000000), slot);
    auto descType = [&](ArrayRef<int64_t> shape) {
      return nvgpu::WarpgroupMatrixDescriptorType::get(
          ctx, kb.smemType(shape, element));
    };
    Value dA = nvgpu::WarpgroupGenerateDescriptorOp::create(
        b, descType({kTileM, kTileK}), kb.aSlot(smem, slot), descA);
    // The wgmma stays in flight (wait until one group is pending): the
    // previous step's is complete, so its slot is free.
    Value result;
    if (kMajorB) {
      Value dB = nvgpu::WarpgroupGenerateDescriptorOp::create(
          b, descType({kTileN, kTileK}),
          kb.bSlot(smem, slot, {kTileN, kTileK}), descB);
      result = kMajorStep(kb, loop.getRegionIterArgs()[0], dA, dB);
    } else {
      // B is K x N row-major in shared memory: wgmma's transposed B.
      Value dB = nvgpu::WarpgroupGenerateDescriptorOp::create(
          b, descType({kTileK, kTileN}),
          kb.bSlot(smem, slot, {kTileK, kTileN}), descB);
      auto mma = nvgpu::WarpgroupMmaOp::create(
          b, accType, dA, dB, /*waitGroup=*/b.getI64IntegerAttr(1),
          /*transposeA=*/UnitAttr(), /*transposeB=*/b.getUnitAttr(),
          loop.getRegionIterArgs()[0]);
      mma->setAttr("loom.role", b.getStringAttr("consumer"));
      result = mma.getResult();
    }
    // Every warp is done with the previous slot: refill it with the step
    // `stages` after the previous one.
    gpu::BarrierOp::create(b);
    Value next = kb.add(step, kb.idx(stages - 1));
    Value started = arith::CmpIOp::create(b, arith::CmpIPredicate::uge, step,
                                          kb.idx(1));
    Value inRange = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, next,
                                          kb.idx(kSteps));
    Value more = arith::AndIOp::create(b, started, inRange);
    auto refill = scf::IfOp::create(b, more, /*withElseRegion=*/false);
    refill->setAttr("loom.role", b.getStringAttr("producer"));
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(refill.thenBlock());
      produce(next);
    }
    scf::YieldOp::create(b, result);
  }
  // Epilogue: registers -> shared memory (the slots are free now) -> C.
  NVVM::WgmmaWaitGroupSyncOp::create(b, 0);
  gpu::BarrierOp::create(b);
  Value staged = kb.view(smem, kb.idx(0), {kTileM, kTileN}, b.getF32Type());
  nvgpu::WarpgroupMmaStoreOp::create(b, loop.getResult(0), staged);
  gpu::BarrierOp::create(b);
  // 16 bytes of the output per thread and iteration.
  int64_t vector = 16 / (outElement.getIntOrFloatBitWidth() / 8);
  auto vecType = VectorType::get({vector}, b.getF32Type());
  int64_t rowVectors = kTileN / vector;
  // A partial M: the last block stores only its rows below M.
  Value limit = kb.idx(kTileM * rowVectors);
  if (masked) {
    Value left = arith::SubIOp::create(b, rows, row0);
    limit = kb.mul(arith::MinUIOp::create(b, left, kb.idx(kTileM)),
                   rowVectors);
  }
  auto copy = scf::ForOp::create(b, tid, limit, kb.idx(kWarpgroup));
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(copy.getBody());
    Value i = copy.getInductionVar();
    Value r = arith::DivUIOp::create(b, i, kb.idx(rowVectors));
    Value col = kb.mul(arith::RemUIOp::create(b, i, kb.idx(rowVectors)),
                       vector);
    Value v = vector::LoadOp::create(b, vecType, staged, ValueRange{r, col});
    Value gr = kb.add(aRow, r), gc = kb.add(col0, col);
    if (accumulate)
      v = arith::AddFOp::create(
          b, v, vector::LoadOp::create(b, vecType, out, ValueRange{gr, gc}));
    if (truncation)
      v = arith::TruncFOp::create(
          b, VectorType::get({vector}, outElement), v);
    vector::StoreOp::create(b, v, out, ValueRange{gr, gc});
  }
  op->erase();
  if (truncation)
    eraseTruncated(*truncation, c);
  return success();
}

struct MatmulToWgmmaPass
    : public nvidia::impl::MatmulToWgmmaPassBase<MatmulToWgmmaPass> {
  using Base::Base;

  void runOnOperation() override {
    if (stages < 1) {
      getOperation().emitError("loom-nvidia-matmul-to-wgmma: stages must be "
                               "at least 1");
      return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](linalg::GenericOp op) { generics.push_back(op); });
    for (linalg::GenericOp op : generics)
      contractionAsMatmul(op);
    SmallVector<WgmmaMatmul> matmuls;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (std::optional<WgmmaMatmul> match = matchWgmmaMatmul(op))
        matmuls.push_back(*match);
    });
    for (WgmmaMatmul match : matmuls)
      if (failed(rewrite(match, stages)))
        return signalPassFailure();
  }
};

} // namespace
