//===- MatmulToMmaSync.cpp - f16 matmul on tensor cores (mma.sync) --------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/NVIDIA/KernelHelpers.h"
#include "lib/Target/NVIDIA/Passes.h"

#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace mlir::loom::nvidia {
#define GEN_PASS_DEF_MATMULTOMMASYNCPASS
#include "lib/Target/NVIDIA/Passes.h.inc"
} // namespace mlir::loom::nvidia

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::nvidia;

namespace {

// The m16n8k16 instruction shape.
constexpr int64_t kM = 16, kN = 8, kK = 16, kWarp = 32;

bool isStaticIdentity(Value value, Type element) {
  auto type = dyn_cast<MemRefType>(value.getType());
  return type && type.getRank() == 2 && type.hasStaticShape() &&
         type.getLayout().isIdentity() && type.getElementType() == element;
}

/// `nvvm.mma.sync` m16n8k16 on bf16 fragments (nvgpu.mma.sync deduces PTX
/// types for f16 only): each pair of bf16 goes in one 32-bit register, the
/// f32 accumulator in four registers, as the PTX ISA lays them out.
Value bf16MmaSync(OpBuilder &b, Location loc, Value aFrag, Value bFrag,
                  Value acc) {
  Type i32 = b.getI32Type(), f32 = b.getF32Type();
  auto registers = [&](Value fragment) {
    auto type = cast<VectorType>(fragment.getType());
    SmallVector<Value> regs;
    for (int64_t i = 0; i < type.getDimSize(0); ++i) {
      Value pair = vector::ExtractOp::create(b, loc, fragment,
                                             ArrayRef<int64_t>{i});
      Value word = vector::BitCastOp::create(
          b, loc, VectorType::get({1}, i32), pair);
      regs.push_back(vector::ExtractOp::create(b, loc, word,
                                               ArrayRef<int64_t>{0}));
    }
    return regs;
  };
  SmallVector<Value> cRegs;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 2; ++j)
      cRegs.push_back(
          vector::ExtractOp::create(b, loc, acc, ArrayRef<int64_t>{i, j}));
  MLIRContext *ctx = b.getContext();
  auto resultType = LLVM::LLVMStructType::getLiteral(ctx, {f32, f32, f32, f32});
  auto mma = NVVM::MmaOp::create(
      b, loc, resultType, registers(aFrag), registers(bFrag), cRegs,
      ArrayRef<int64_t>{kM, kN, kK}, std::nullopt, std::nullopt,
      std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16, NVVM::MMATypes::bf16},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  Value result = arith::ConstantOp::create(b, loc, acc.getType(),
                                           b.getZeroAttr(acc.getType()));
  for (int64_t i = 0; i < 4; ++i) {
    Value v = LLVM::ExtractValueOp::create(b, loc, mma, ArrayRef<int64_t>{i});
    result = vector::InsertOp::create(b, loc, v, result,
                                      ArrayRef<int64_t>{i / 2, i % 2});
  }
  return result;
}

/// Emits the warp-per-tile kernel loops for `op` (checked by the caller).
LogicalResult rewrite(linalg::MatmulOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value a = op.getDpsInputs()[0], bMat = op.getDpsInputs()[1],
        c = op.getDpsInits()[0];
  auto cType = cast<MemRefType>(c.getType());
  int64_t m = cType.getDimSize(0), n = cType.getDimSize(1),
          k = cast<MemRefType>(a.getType()).getDimSize(1);
  auto idx = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value zero = idx(0), one = idx(1);

  auto tiles = scf::ParallelOp::create(b, loc, ValueRange{zero, zero},
                                       ValueRange{idx(m / kM), idx(n / kN)},
                                       ValueRange{one, one});
  b.setInsertionPoint(tiles.getBody()->getTerminator());
  auto lanes = scf::ParallelOp::create(
      b, loc, ValueRange{idx(0)}, ValueRange{idx(kWarp)}, ValueRange{idx(1)});
  if (failed(setMapping(tiles,
                        {gpu::Processor::BlockX, gpu::Processor::BlockY})) ||
      failed(setMapping(lanes, {gpu::Processor::ThreadX})))
    return failure();

  b.setInsertionPoint(lanes.getBody()->getTerminator());
  auto add = [&](Value x, Value y) -> Value {
    return arith::AddIOp::create(b, loc, x, y);
  };
  auto mul = [&](Value x, int64_t y) -> Value {
    return arith::MulIOp::create(b, loc, x, idx(y));
  };
  Value lane = lanes.getInductionVars()[0];
  // PTX ISA, mma.m16n8k16 fragments: lane = 4 * group + thread-in-group.
  Value group = arith::DivUIOp::create(b, loc, lane, idx(4));
  Value inGroup = arith::RemUIOp::create(b, loc, lane, idx(4));
  Value row0 = add(mul(tiles.getInductionVars()[0], kM), group);
  Value row8 = add(row0, idx(8));
  Value col0 = add(mul(tiles.getInductionVars()[1], kN), mul(inGroup, 2));
  Value col1 = add(col0, idx(1));
  Value bCol = add(mul(tiles.getInductionVars()[1], kN), group);

  auto pair = [&](Value mem, Value r0, Value c0, Value r1, Value c1) -> Value {
    Value x = memref::LoadOp::create(b, loc, mem, ValueRange{r0, c0});
    Value y = memref::LoadOp::create(b, loc, mem, ValueRange{r1, c1});
    return vector::FromElementsOp::create(
        b, loc, VectorType::get({2}, x.getType()), ValueRange{x, y});
  };
  auto fragment = [&](ArrayRef<Value> pairs) -> Value {
    auto pairType = cast<VectorType>(pairs.front().getType());
    auto type =
        VectorType::get({int64_t(pairs.size()), 2}, pairType.getElementType());
    Value result = arith::ConstantOp::create(b, loc, type, b.getZeroAttr(type));
    for (auto [i, p] : llvm::enumerate(pairs))
      result = vector::InsertOp::create(b, loc, p, result,
                                        ArrayRef<int64_t>{int64_t(i)});
    return result;
  };

  // C: rows group and group + 8, two adjacent columns each.
  Value acc = fragment(
      {pair(c, row0, col0, row0, col1), pair(c, row8, col0, row8, col1)});
  auto kLoop =
      scf::ForOp::create(b, loc, idx(0), idx(k), idx(kK), ValueRange{acc});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(kLoop.getBody());
    Value k0 = add(kLoop.getInductionVar(), mul(inGroup, 2));
    Value k1 = add(k0, idx(1)), k8 = add(k0, idx(8)), k9 = add(k0, idx(9));
    // A: (group, k0..k1), (group + 8, k0..k1), then the same at k + 8.
    Value aFrag =
        fragment({pair(a, row0, k0, row0, k1), pair(a, row8, k0, row8, k1),
                  pair(a, row0, k8, row0, k9), pair(a, row8, k8, row8, k9)});
    // B: column `group`, rows k0..k1 and k8..k9.
    Value bFrag = fragment(
        {pair(bMat, k0, bCol, k1, bCol), pair(bMat, k8, bCol, k9, bCol)});
    Value acc = kLoop.getRegionIterArgs()[0];
    Value d = cast<VectorType>(aFrag.getType()).getElementType().isF16()
                  ? nvgpu::MmaSyncOp::create(b, loc, aFrag, bFrag, acc,
                                             ArrayRef<int64_t>{kM, kN, kK})
                        .getResult()
                  : bf16MmaSync(b, loc, aFrag, bFrag, acc);
    scf::YieldOp::create(b, loc, d);
  }
  Value result = kLoop.getResult(0);
  Value rows[2] = {row0, row8}, cols[2] = {col0, col1};
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 2; ++j) {
      Value v =
          vector::ExtractOp::create(b, loc, result, ArrayRef<int64_t>{i, j});
      memref::StoreOp::create(b, loc, v, c, ValueRange{rows[i], cols[j]});
    }
  op.erase();
  return success();
}

struct MatmulToMmaSyncPass
    : public nvidia::impl::MatmulToMmaSyncPassBase<MatmulToMmaSyncPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::MatmulOp> matmuls;
    getOperation().walk([&](linalg::MatmulOp op) {
      if (op->getParentOfType<scf::ParallelOp>() ||
          !op.hasPureBufferSemantics() || op.hasUserDefinedMaps())
        return;
      Builder b(op.getContext());
      Value a = op.getDpsInputs()[0], bMat = op.getDpsInputs()[1],
            c = op.getDpsInits()[0];
      Type element = cast<MemRefType>(a.getType()).getElementType();
      if (!(element.isF16() || element.isBF16()) ||
          !isStaticIdentity(a, element) || !isStaticIdentity(bMat, element) ||
          !isStaticIdentity(c, b.getF32Type()))
        return;
      auto cType = cast<MemRefType>(c.getType());
      int64_t k = cast<MemRefType>(a.getType()).getDimSize(1);
      if (cType.getDimSize(0) % kM || cType.getDimSize(1) % kN || k % kK)
        return;
      matmuls.push_back(op);
    });
    for (linalg::MatmulOp op : matmuls)
      if (failed(rewrite(op)))
        return signalPassFailure();
  }
};

} // namespace
