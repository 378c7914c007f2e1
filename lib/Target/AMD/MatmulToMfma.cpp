//===- MatmulToMfma.cpp - f32 matmul on MFMA with LDS staging -------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/AMD/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace mlir::loom::amd {
#define GEN_PASS_DEF_MATMULTOMFMAPASS
#include "lib/Target/AMD/Passes.h.inc"
} // namespace mlir::loom::amd

using namespace mlir;
using namespace mlir::loom;

namespace {

// Workgroup tile (rows x cols of C), K step staged in LDS, the instruction.
constexpr int64_t kTileM = 32, kTileN = 32, kTileK = 16;
constexpr int64_t kInstrM = 16, kInstrN = 16, kInstrK = 4;
constexpr int64_t kWave = 64, kThreads = 256;

/// An f32 buffer with identity layout, [M, N] (N static), or [1, M, N]
/// when `batchOfOne`.
bool isIdentityF32(Value value, bool staticShape, bool batchOfOne = false) {
  auto type = dyn_cast<MemRefType>(value.getType());
  if (!type || !type.getLayout().isIdentity() ||
      !type.getElementType().isF32() || type.getMemorySpace() != nullptr ||
      (staticShape && !type.hasStaticShape()))
    return false;
  if (batchOfOne)
    return type.getRank() == 3 && type.getDimSize(0) == 1 &&
           !ShapedType::isDynamic(type.getDimSize(2));
  return type.getRank() == 2 && !ShapedType::isDynamic(type.getDimSize(1));
}

/// A `linalg.generic` that is a plain matmul, as the ONNX importer writes
/// MatMul/Gemm: loops (i, j, k) with k a reduction, maps (i, k), (k, j),
/// (i, j), body `out + a * b` in f32.
bool isMatmulGeneric(linalg::GenericOp op) {
  unsigned loops = op.getNumLoops();
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      (loops != 3 && loops != 4) || op.getNumReductionLoops() != 1 ||
      op.getIteratorTypesArray()[loops - 1] != utils::IteratorType::reduction)
    return false;
  MLIRContext *ctx = op.getContext();
  SmallVector<AffineMap> expected;
  if (loops == 3) {
    AffineExpr i, j, k;
    bindDims(ctx, i, j, k);
    expected = AffineMap::inferFromExprList(
        ArrayRef<ArrayRef<AffineExpr>>{{i, k}, {k, j}, {i, j}}, ctx);
  } else {
    // A batch of one in front of A and C: (b, i, k), (k, j), (b, i, j).
    AffineExpr bt, i, j, k;
    bindDims(ctx, bt, i, j, k);
    expected = AffineMap::inferFromExprList(
        ArrayRef<ArrayRef<AffineExpr>>{{bt, i, k}, {k, j}, {bt, i, j}}, ctx);
  }
  if (op.getIndexingMapsArray() != expected)
    return false;
  Block &body = op.getRegion().front();
  if (body.getOperations().size() != 3)
    return false;
  auto mul = dyn_cast<arith::MulFOp>(&body.front());
  auto add = dyn_cast<arith::AddFOp>(mul ? mul->getNextNode() : nullptr);
  auto yield = dyn_cast<linalg::YieldOp>(body.getTerminator());
  if (!mul || !add || !yield || yield.getNumOperands() != 1 ||
      yield.getOperand(0) != add.getResult())
    return false;
  Value a = body.getArgument(0), b = body.getArgument(1),
        out = body.getArgument(2);
  bool mulOk = (mul.getLhs() == a && mul.getRhs() == b) ||
               (mul.getLhs() == b && mul.getRhs() == a);
  bool addOk = (add.getLhs() == out && add.getRhs() == mul.getResult()) ||
               (add.getRhs() == out && add.getLhs() == mul.getResult());
  return mulOk && addOk;
}

/// Emits the kernel for `op` (checked by the caller).
void rewrite(linalg::LinalgOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value a = op.getDpsInputs()[0], bMat = op.getDpsInputs()[1],
        c = op.getDpsInits()[0];
  // A batch of one: the kernel works on the 2-D views.
  auto drop = [&](Value v) -> Value {
    if (cast<MemRefType>(v.getType()).getRank() == 2)
      return v;
    return memref::CollapseShapeOp::create(
        b, loc, v, ArrayRef<ReassociationIndices>{{0, 1}, {2}});
  };
  a = drop(a);
  c = drop(c);
  int64_t n = cast<MemRefType>(c.getType()).getDimSize(1);
  int64_t k = cast<MemRefType>(a.getType()).getDimSize(1);
  auto idx = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value m = memref::DimOp::create(b, loc, c, 0);
  Value rowTiles = arith::CeilDivUIOp::create(b, loc, m, idx(kTileM));
  Value one = idx(1);

  Attribute lds = gpu::AddressSpaceAttr::get(b.getContext(),
                                             gpu::AddressSpace::Workgroup);
  auto aTileType = MemRefType::get({kTileM, kTileK}, b.getF32Type(),
                                   MemRefLayoutAttrInterface(), lds);
  auto bTileType = MemRefType::get({kTileK, kTileN}, b.getF32Type(),
                                   MemRefLayoutAttrInterface(), lds);
  auto launch = gpu::LaunchOp::create(
      b, loc, rowTiles, idx(n / kTileN), one, idx(kThreads), one, one,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/ValueRange{},
      /*workgroupAttributions=*/TypeRange{aTileType, bTileType});
  Block &body = launch.getBody().front();
  b.setInsertionPointToStart(&body);
  Value aTile = launch.getWorkgroupAttributions()[0];
  Value bTile = launch.getWorkgroupAttributions()[1];

  auto add = [&](Value x, Value y) -> Value {
    return arith::AddIOp::create(b, loc, x, y);
  };
  auto mul = [&](Value x, int64_t y) -> Value {
    return arith::MulIOp::create(b, loc, x, idx(y));
  };
  auto div = [&](Value x, int64_t y) -> Value {
    return arith::DivUIOp::create(b, loc, x, idx(y));
  };
  auto rem = [&](Value x, int64_t y) -> Value {
    return arith::RemUIOp::create(b, loc, x, idx(y));
  };
  Value zeroF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  // Loads a row of A or C only below M; other rows read as zero.
  auto maskedLoad = [&](Value mem, Value row, Value col) -> Value {
    Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         row, m);
    auto ifOp = scf::IfOp::create(b, loc, b.getF32Type(), inside,
                                  /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    scf::YieldOp::create(
        b, loc,
        ValueRange{memref::LoadOp::create(b, loc, mem, ValueRange{row, col})});
    b.setInsertionPointToStart(ifOp.elseBlock());
    scf::YieldOp::create(b, loc, ValueRange{zeroF});
    return ifOp.getResult(0);
  };

  Value tid = launch.getThreadIds().x;
  Value row0 = mul(launch.getBlockIds().x, kTileM);
  Value col0 = mul(launch.getBlockIds().y, kTileN);
  Value lane = rem(tid, kWave), wave = div(tid, kWave);
  // Wave w owns the 16x16 quarter (w / 2, w % 2) of the tile.
  Value waveRow = mul(div(wave, 2), kInstrM);
  Value waveCol = mul(rem(wave, 2), kInstrN);
  Value laneCol = rem(lane, 16), laneQuad = div(lane, 16);

  // The accumulator: lane j + 16q holds C[4q + i][j], i = 0..3.
  auto accType = VectorType::get({4}, b.getF32Type());
  Value accRow = add(add(row0, waveRow), mul(laneQuad, 4));
  Value accCol = add(add(col0, waveCol), laneCol);
  SmallVector<Value, 4> accRows;
  Value acc =
      arith::ConstantOp::create(b, loc, accType, b.getZeroAttr(accType));
  for (int64_t i = 0; i < 4; ++i) {
    accRows.push_back(add(accRow, idx(i)));
    acc = vector::InsertOp::create(b, loc, maskedLoad(c, accRows[i], accCol),
                                   acc, ArrayRef<int64_t>{i});
  }

  auto kLoop = scf::ForOp::create(b, loc, idx(0), idx(k), idx(kTileK),
                                  ValueRange{acc});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(kLoop.getBody());
    Value k0 = kLoop.getInductionVar();
    // Stage A (32x16: thread t -> rows t/16 and t/16 + 16, column t%16) and
    // B (16x32: rows t/32 and t/32 + 8, column t%32): coalesced along the
    // contiguous dimension of each.
    Value aRow = div(tid, kTileK), aCol = rem(tid, kTileK);
    Value bRow = div(tid, kTileN), bCol = rem(tid, kTileN);
    for (int64_t half = 0; half < 2; ++half) {
      Value r = add(aRow, idx(half * kTileM / 2));
      memref::StoreOp::create(b, loc,
                              maskedLoad(a, add(row0, r), add(k0, aCol)),
                              aTile, ValueRange{r, aCol});
      Value kr = add(bRow, idx(half * kTileK / 2));
      Value v = memref::LoadOp::create(
          b, loc, bMat, ValueRange{add(k0, kr), add(col0, bCol)});
      memref::StoreOp::create(b, loc, v, bTile, ValueRange{kr, bCol});
    }
    gpu::BarrierOp::create(b, loc);
    Value sum = kLoop.getRegionIterArgs()[0];
    for (int64_t kk = 0; kk < kTileK; kk += kInstrK) {
      Value kIdx = add(idx(kk), laneQuad);
      Value aVal = memref::LoadOp::create(
          b, loc, aTile, ValueRange{add(waveRow, laneCol), kIdx});
      Value bVal = memref::LoadOp::create(
          b, loc, bTile, ValueRange{kIdx, add(waveCol, laneCol)});
      sum = amdgpu::MFMAOp::create(b, loc, accType, kInstrM, kInstrN, kInstrK,
                                   /*blocks=*/1, aVal, bVal, sum);
    }
    // The next step overwrites the tiles: everyone must be done reading.
    gpu::BarrierOp::create(b, loc);
    scf::YieldOp::create(b, loc, sum);
  }
  Value result = kLoop.getResult(0);
  for (int64_t i = 0; i < 4; ++i) {
    Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         accRows[i], m);
    auto ifOp = scf::IfOp::create(b, loc, inside, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    Value v = vector::ExtractOp::create(b, loc, result, ArrayRef<int64_t>{i});
    memref::StoreOp::create(b, loc, v, c, ValueRange{accRows[i], accCol});
  }
  gpu::TerminatorOp::create(b, loc);
  op->erase();
}

struct MatmulToMfmaPass
    : public amd::impl::MatmulToMfmaPassBase<MatmulToMfmaPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> matmuls;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<scf::ParallelOp>() ||
          op->getParentOfType<gpu::LaunchOp>() || !op.hasPureBufferSemantics())
        return;
      auto matmul = dyn_cast<linalg::MatmulOp>(op.getOperation());
      auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
      if (!(matmul && !matmul.hasUserDefinedMaps()) &&
          !(generic && isMatmulGeneric(generic)))
        return;
      Value a = op.getDpsInputs()[0], bMat = op.getDpsInputs()[1],
            c = op.getDpsInits()[0];
      bool batched = op.getNumLoops() == 4;
      if (!isIdentityF32(a, false, batched) || !isIdentityF32(bMat, true) ||
          !isIdentityF32(c, false, batched))
        return;
      auto aType = cast<MemRefType>(a.getType());
      auto cType = cast<MemRefType>(c.getType());
      int64_t k = aType.getDimSize(aType.getRank() - 1);
      int64_t n = cType.getDimSize(cType.getRank() - 1);
      if (k % kTileK || n % kTileN)
        return;
      matmuls.push_back(op);
    });
    for (linalg::LinalgOp op : matmuls)
      rewrite(op);
  }
};

} // namespace
