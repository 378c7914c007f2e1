//===- MatmulToMmaSync.cpp - float matmuls on tensor cores (mma.sync) -----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// One warp per 16x8 tile of C; each lane loads its fragments of A and B
// straight from global memory as the PTX ISA lays them out (lane = 4 * g +
// t) and keeps its four f32 accumulators c0..c3 = (g, 2t), (g, 2t + 1),
// (g + 8, 2t), (g + 8, 2t + 1) over a loop of K steps:
//
//   16-bit (m16n8k16): A pairs (g, k0..k0+1), (g + 8, k0..), (g, k0+8..),
//     (g + 8, k0+8..) with k0 = k + 2t; B pairs (k0..k0+1, g), (k0+8.., g);
//   f32 (m16n8k8 tf32, 3xTF32): A (g, k + t), (g + 8, k + t), (g, k + t +
//     4), (g + 8, k + t + 4); B (k + t, g), (k + t + 4, g); each value
//     split into tf32 hi + lo and three mma.sync per step (KernelHelpers).
//
// The f32 kernel also takes what the importer's f32 graphs produce: B
// stored N x K, a leading batch dimension (grid z), contraction generics
// grouped into such matmuls, and any M (the rows of the last row tile past
// M read row M - 1 and are not stored). A zero fill of C right before the
// matmul becomes zero accumulators.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/NVIDIA/KernelHelpers.h"
#include "lib/Target/NVIDIA/Passes.h"
#include "lib/Target/NVIDIA/WgmmaMatching.h"

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

constexpr int64_t kM = 16, kN = 8, kWarp = 32;

/// A matmul the kernel runs: C[batch?, m, n] += A[batch?, m, k] *
/// B[batch?, k, n] (or B[batch?, n, k] when `transposedB`).
struct WarpMatmul {
  Operation *op;
  Value a, b, c;
  Type element;
  bool transposedB = false, batched = false;
  int64_t kStep() const { return element.isF32() ? 8 : 16; }
};

/// An identity-layout memref of `rank` and `element` in the default memory
/// space, static but for dimension `dynamicDim` (none if negative).
bool isIdentity(Value value, int64_t rank, Type element,
                int64_t dynamicDim = -1) {
  auto type = dyn_cast<MemRefType>(value.getType());
  if (!type || type.getRank() != rank || !type.getLayout().isIdentity() ||
      type.getElementType() != element || type.getMemorySpace())
    return false;
  for (int64_t d = 0; d < rank; ++d)
    if (type.isDynamicDim(d) && d != dynamicDim)
      return false;
  return true;
}

/// The 16-bit kernel: a plain `linalg.matmul`, f16/bf16 A and B, f32 C,
/// static shapes that are multiples of 16x8x16. The f32 kernel (`f32`):
/// `linalg.matmul` or `linalg.batch_matmul`, plain or transposed-B, all
/// operands f32, K and N static multiples of 8 and 8, M any.
std::optional<WarpMatmul> match(Operation *operation, bool f32) {
  auto op = dyn_cast<linalg::LinalgOp>(operation);
  if (!op || op->getParentOfType<scf::ParallelOp>() ||
      op->getParentOfType<gpu::LaunchOp>() || !op.hasPureBufferSemantics())
    return std::nullopt;
  WarpMatmul mm{op, op.getDpsInputs()[0], op.getDpsInputs()[1],
                op.getDpsInits()[0], Type()};
  if (auto matmul = dyn_cast<linalg::MatmulOp>(operation)) {
    mm.transposedB = isa<linalg::MatmulTransposeBOp>(operation);
    if (matmul.hasUserDefinedMaps() && !mm.transposedB)
      return std::nullopt;
  } else if (auto batch = dyn_cast<linalg::BatchMatmulOp>(operation)) {
    mm.transposedB = isa<linalg::BatchMatmulTransposeBOp>(operation);
    if (batch.hasUserDefinedMaps() && !mm.transposedB)
      return std::nullopt;
    mm.batched = true;
  } else {
    return std::nullopt;
  }
  mm.element = cast<MemRefType>(mm.a.getType()).getElementType();
  Type f32Type = Float32Type::get(op.getContext());
  int64_t rank = mm.batched ? 3 : 2, mDim = rank - 2;
  if (mm.element.isF32()) {
    if (!f32 || !isIdentity(mm.a, rank, f32Type, mDim) ||
        !isIdentity(mm.b, rank, f32Type) ||
        !isIdentity(mm.c, rank, f32Type, mDim))
      return std::nullopt;
  } else if (mm.element.isF16() || mm.element.isBF16()) {
    if (mm.batched || mm.transposedB || !isIdentity(mm.a, 2, mm.element) ||
        !isIdentity(mm.b, 2, mm.element) || !isIdentity(mm.c, 2, f32Type) ||
        cast<MemRefType>(mm.c.getType()).getDimSize(0) % kM)
      return std::nullopt;
  } else {
    return std::nullopt;
  }
  auto cType = cast<MemRefType>(mm.c.getType());
  int64_t k = cast<MemRefType>(mm.a.getType()).getDimSize(rank - 1);
  if (cType.getDimSize(rank - 1) % kN || k % mm.kStep())
    return std::nullopt;
  return mm;
}

/// Emits the warp-per-tile kernel loops for `mm`.
LogicalResult rewrite(const WarpMatmul &mm) {
  Operation *op = mm.op;
  Operation *zeroFill = zeroFillBefore(op, mm.c);
  OpBuilder b(op);
  Location loc = op->getLoc();
  auto cType = cast<MemRefType>(mm.c.getType());
  int64_t rank = cType.getRank(), mDim = rank - 2;
  int64_t staticM = cType.getDimSize(mDim), n = cType.getDimSize(rank - 1),
          k = cast<MemRefType>(mm.a.getType()).getDimSize(rank - 1);
  auto idx = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto add = [&](Value x, Value y) -> Value {
    return arith::AddIOp::create(b, loc, x, y);
  };
  auto mul = [&](Value x, int64_t y) -> Value {
    return arith::MulIOp::create(b, loc, x, idx(y));
  };
  Value zero = idx(0), one = idx(1);
  // Rows past M (dynamic, or not a multiple of 16) are masked: their loads
  // read row M - 1 instead (an A row only reaches the same row of C) and
  // their results are not stored.
  bool masked = ShapedType::isDynamic(staticM) || staticM % kM != 0;
  Value m = memref::DimOp::create(b, loc, mm.c, mDim);
  Value rowTiles = masked ? arith::DivUIOp::create(
                                b, loc, add(m, idx(kM - 1)), idx(kM))
                                .getResult()
                          : idx(staticM / kM);
  SmallVector<Value> lower{zero, zero}, upper{rowTiles, idx(n / kN)},
      steps{one, one};
  SmallVector<gpu::Processor> blocks{gpu::Processor::BlockX,
                                     gpu::Processor::BlockY};
  if (mm.batched) {
    lower.push_back(zero);
    upper.push_back(idx(cType.getDimSize(0)));
    steps.push_back(one);
    blocks.push_back(gpu::Processor::BlockZ);
  }
  auto tiles = scf::ParallelOp::create(b, loc, lower, upper, steps);
  b.setInsertionPoint(tiles.getBody()->getTerminator());
  auto lanes = scf::ParallelOp::create(
      b, loc, ValueRange{zero}, ValueRange{idx(kWarp)}, ValueRange{one});
  if (failed(setMapping(tiles, blocks)) ||
      failed(setMapping(lanes, {gpu::Processor::ThreadX})))
    return failure();
  b.setInsertionPoint(lanes.getBody()->getTerminator());

  // (batch?, i, j) indices.
  auto at = [&](Value i, Value j) -> SmallVector<Value> {
    if (mm.batched)
      return {tiles.getInductionVars()[2], i, j};
    return {i, j};
  };
  auto load = [&](Value mem, Value i, Value j) -> Value {
    return memref::LoadOp::create(b, loc, mem, at(i, j));
  };
  Value lane = lanes.getInductionVars()[0];
  Value g = arith::DivUIOp::create(b, loc, lane, idx(4));
  Value t = arith::RemUIOp::create(b, loc, lane, idx(4));
  Value row0 = add(mul(tiles.getInductionVars()[0], kM), g);
  Value rows[2] = {row0, add(row0, idx(8))};
  Value col0 = add(mul(tiles.getInductionVars()[1], kN), mul(t, 2));
  Value cols[2] = {col0, add(col0, one)};
  Value bCol = add(mul(tiles.getInductionVars()[1], kN), g);
  // The rows this lane reads: its own, or M - 1 past the end.
  Value readRows[2] = {rows[0], rows[1]};
  Value inBounds[2];
  if (masked) {
    Value last = arith::SubIOp::create(b, loc, m, one);
    for (int64_t i = 0; i < 2; ++i) {
      inBounds[i] = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          rows[i], m);
      readRows[i] = arith::MinUIOp::create(b, loc, rows[i], last);
    }
  }
  // B's element (row kk of K, column `bCol`), wherever B keeps it.
  auto loadB = [&](Value kk) -> Value {
    return mm.transposedB ? load(mm.b, bCol, kk) : load(mm.b, kk, bCol);
  };

  SmallVector<Value> acc;
  if (zeroFill) {
    // C was just zeroed: zero accumulators, and every element of C is
    // stored below, so the fill (or copy of zeros) goes.
    acc.assign(4, arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0)));
  } else {
    for (Value r : readRows)
      for (Value c : cols)
        acc.push_back(load(mm.c, r, c));
  }
  int64_t kStep = mm.kStep();
  auto kLoop = scf::ForOp::create(b, loc, zero, idx(k), idx(kStep), acc);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(kLoop.getBody());
    Value kBase = kLoop.getInductionVar();
    ValueRange acc = kLoop.getRegionIterArgs();
    SmallVector<Value> d;
    if (mm.element.isF32()) {
      Value k0 = add(kBase, t), k4 = add(k0, idx(4));
      SmallVector<Tf32Split> aFrag, bFrag;
      for (Value kk : {k0, k4})
        for (Value r : readRows)
          aFrag.push_back(splitTf32(b, loc, load(mm.a, r, kk)));
      for (Value kk : {k0, k4})
        bFrag.push_back(splitTf32(b, loc, loadB(kk)));
      d = mma3xTf32(b, loc, aFrag, bFrag, acc);
    } else {
      auto pairType = VectorType::get({2}, mm.element);
      auto pair = [&](Value x, Value y) -> Value {
        return vector::FromElementsOp::create(b, loc, pairType,
                                              ValueRange{x, y});
      };
      // f16 pairs go in as vector<2xf16>, bf16 pairs packed in an i32.
      auto reg = [&](Value p) -> Value {
        if (mm.element.isF16())
          return p;
        Value word = vector::BitCastOp::create(
            b, loc, VectorType::get({1}, b.getI32Type()), p);
        return vector::ExtractOp::create(b, loc, word, ArrayRef<int64_t>{0});
      };
      Value k0 = add(kBase, mul(t, 2));
      Value k1 = add(k0, one), k8 = add(k0, idx(8)), k9 = add(k0, idx(9));
      SmallVector<Value> aRegs, bRegs;
      for (auto [x, y] : {std::pair(k0, k1), std::pair(k8, k9)})
        for (Value r : readRows)
          aRegs.push_back(reg(pair(load(mm.a, r, x), load(mm.a, r, y))));
      for (auto [x, y] : {std::pair(k0, k1), std::pair(k8, k9)})
        bRegs.push_back(reg(pair(loadB(x), loadB(y))));
      d = floatMmaSync(b, loc, {kM, kN, 16},
                       mm.element.isF16() ? NVVM::MMATypes::f16
                                          : NVVM::MMATypes::bf16,
                       aRegs, bRegs, acc);
    }
    scf::YieldOp::create(b, loc, d);
  }
  for (int64_t i = 0; i < 2; ++i) {
    OpBuilder::InsertionGuard guard(b);
    if (masked) {
      auto inside = scf::IfOp::create(b, loc, inBounds[i]);
      b.setInsertionPoint(inside.thenBlock()->getTerminator());
    }
    for (int64_t j = 0; j < 2; ++j)
      memref::StoreOp::create(b, loc, kLoop.getResult(2 * i + j), mm.c,
                              at(rows[i], cols[j]));
  }
  op->erase();
  if (zeroFill)
    zeroFill->erase();
  return success();
}

struct MatmulToMmaSyncPass
    : public nvidia::impl::MatmulToMmaSyncPassBase<MatmulToMmaSyncPass> {
  using Base::Base;

  void runOnOperation() override {
    if (f32 != "3xtf32" && f32 != "simt") {
      emitError(getOperation().getLoc(),
                "loom-nvidia-matmul-to-mma-sync: f32 must be '3xtf32' or "
                "'simt', not '")
          << f32 << "'";
      return signalPassFailure();
    }
    bool f32Kernel = f32 == "3xtf32";
    // The importer's f32 contractions, grouped into (batch) matmuls when
    // the f32 kernel takes them.
    if (f32Kernel) {
      SmallVector<linalg::GenericOp> generics;
      getOperation().walk(
          [&](linalg::GenericOp op) { generics.push_back(op); });
      for (linalg::GenericOp op : generics)
        contractionAsMatmul(op, [](Operation *matmul) {
          std::optional<WarpMatmul> mm = match(matmul, /*f32=*/true);
          return mm && mm->element.isF32();
        });
    }
    SmallVector<WarpMatmul> matmuls;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (std::optional<WarpMatmul> mm = match(op, f32Kernel))
        matmuls.push_back(*mm);
    });
    for (const WarpMatmul &mm : matmuls)
      if (failed(rewrite(mm)))
        return signalPassFailure();
  }
};

} // namespace
