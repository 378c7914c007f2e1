//===- MatmulToMfma.cpp - matmuls on MFMA with double-buffered LDS --------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// One kernel shape for every element type: 256-thread workgroups (four
// wave64 wavefronts) computing a 32x32 tile of C, each wavefront a 16x16
// quarter with 16x16xK MFMAs. Per K step every thread moves 8 bytes of A
// and 8 bytes of B from global memory to LDS, and every lane reads 16 bytes
// of A and of B back from LDS, which feed one to four MFMAs. B is kept
// N-major in LDS (like A, K contiguous), so both fragments are contiguous
// 16-byte reads.
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

// Workgroup tile (rows x cols of C) and the instruction's M and N.
constexpr int64_t kTileM = 32, kTileN = 32;
constexpr int64_t kInstrM = 16, kInstrN = 16;
constexpr int64_t kWave = 64, kThreads = 256;
// Bytes each thread stages per operand and K step, bytes each lane reads
// back per operand, and the padding of an LDS row (keeps rows 16-byte
// aligned and spreads the 16 rows a fragment read touches over the banks).
constexpr int64_t kStageBytes = 8, kFragmentBytes = 16, kRowPadBytes = 16;

/// The MFMA used for one element type on one chip.
struct Instr {
  Type element;     // A and B
  Type accumulator; // C
  int64_t k;        // the instruction's K
  int64_t perLane;  // elements of A (and B) each lane supplies to one MFMA

  int64_t bytes() const { return element.getIntOrFloatBitWidth() / 8; }
  /// K of one LDS step: 16 bytes per lane, four lanes along K.
  int64_t tileK() const { return 4 * kFragmentBytes / bytes(); }
  int64_t stageWidth() const { return kStageBytes / bytes(); }
  int64_t fragmentWidth() const { return kFragmentBytes / bytes(); }
  int64_t mfmasPerStep() const { return fragmentWidth() / perLane; }
  int64_t rowPad() const { return kRowPadBytes / bytes(); }
};

/// The instruction for A/B elements `element` on `chip`, if it has one.
std::optional<Instr> instrFor(Type element, StringRef chip) {
  Builder b(element.getContext());
  if (element.isF32())
    return Instr{element, b.getF32Type(), 4, 1};
  return std::nullopt;
}

/// A matched matmul: C[batch, m, n] += A[batch, m, k] * B[batch, k, n] on
/// identity-layout buffers (collapsed views of them, see `view`).
struct Plan {
  linalg::LinalgOp op;
  Instr instr;
};

/// An identity-layout buffer in the default memory space.
bool isPlainBuffer(Value value, Type element) {
  auto type = dyn_cast<MemRefType>(value.getType());
  return type && type.getLayout().isIdentity() &&
         type.getElementType() == element && type.getMemorySpace() == nullptr;
}

/// A `linalg.generic` that is a plain matmul, as the ONNX importer writes
/// MatMul/Gemm: loops (i, j, k) with k a reduction, maps (i, k), (k, j),
/// (i, j), body `out + a * b` in f32; or (b, i, j, k) with a batch of one
/// in front of A and C.
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

/// The plan for `op`, if it is a matmul the kernel takes.
std::optional<Plan> analyze(linalg::LinalgOp op, StringRef chip) {
  auto matmul = dyn_cast<linalg::MatmulOp>(op.getOperation());
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!(matmul && !matmul.hasUserDefinedMaps()) &&
      !(generic && isMatmulGeneric(generic)))
    return std::nullopt;
  Value a = op.getDpsInputs()[0], bMat = op.getDpsInputs()[1],
        c = op.getDpsInits()[0];
  auto aType = cast<MemRefType>(a.getType());
  auto bType = cast<MemRefType>(bMat.getType());
  auto cType = cast<MemRefType>(c.getType());
  std::optional<Instr> instr = instrFor(aType.getElementType(), chip);
  if (!instr || !isPlainBuffer(a, instr->element) ||
      !isPlainBuffer(bMat, instr->element) ||
      !isPlainBuffer(c, instr->accumulator) || !bType.hasStaticShape())
    return std::nullopt;
  bool batchOfOne = op.getNumLoops() == 4;
  if (batchOfOne && (aType.getDimSize(0) != 1 || cType.getDimSize(0) != 1))
    return std::nullopt;
  int64_t k = aType.getDimSize(aType.getRank() - 1);
  int64_t n = cType.getDimSize(cType.getRank() - 1);
  if (ShapedType::isDynamic(k) || ShapedType::isDynamic(n) ||
      k % instr->tileK() || n % kTileN)
    return std::nullopt;
  return Plan{op, *instr};
}

/// Emits the kernel for `plan`.
void rewrite(const Plan &plan) {
  linalg::LinalgOp op = plan.op;
  const Instr &in = plan.instr;
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
  int64_t tileK = in.tileK();
  auto idx = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value m = memref::DimOp::create(b, loc, c, 0);
  Value rowTiles = arith::CeilDivUIOp::create(b, loc, m, idx(kTileM));
  Value one = idx(1);

  // Two LDS buffers per operand: [buffer][row of A / column of C][k].
  Attribute lds = gpu::AddressSpaceAttr::get(b.getContext(),
                                             gpu::AddressSpace::Workgroup);
  auto tileType = [&](int64_t rows) {
    return MemRefType::get({2, rows, tileK + in.rowPad()}, in.element,
                           MemRefLayoutAttrInterface(), lds);
  };
  auto launch = gpu::LaunchOp::create(
      b, loc, rowTiles, idx(n / kTileN), one, idx(kThreads), one, one,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/ValueRange{},
      /*workgroupAttributions=*/TypeRange{tileType(kTileM), tileType(kTileN)});
  Block &body = launch.getBody().front();
  b.setInsertionPointToStart(&body);
  Value aTiles = launch.getWorkgroupAttributions()[0];
  Value bTiles = launch.getWorkgroupAttributions()[1];

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
  auto vec = [](int64_t width, Type element) {
    return VectorType::get({width}, element);
  };

  Value tid = launch.getThreadIds().x;
  Value row0 = mul(launch.getBlockIds().x, kTileM);
  Value col0 = mul(launch.getBlockIds().y, kTileN);
  Value lane = rem(tid, kWave), wave = div(tid, kWave);
  // Wave w owns the 16x16 quarter (w / 2, w % 2) of the tile.
  Value waveRow = mul(div(wave, 2), kInstrM);
  Value waveCol = mul(rem(wave, 2), kInstrN);
  Value laneCol = rem(lane, 16), laneQuad = div(lane, 16);

  // Staging: thread t moves `stageWidth` contiguous elements of A (row
  // t / 8 of the tile, K offset (t % 8) * width) and of B. B is K x N in
  // memory: thread t takes row t / (32 / width) along K, `width` columns,
  // and writes them N-major into LDS.
  int64_t width = in.stageWidth();
  VectorType stageType = vec(width, in.element);
  Value aRow = div(tid, 8), aCol = mul(rem(tid, 8), width);
  Value bRow = div(tid, kTileN / width), bCol = mul(rem(tid, kTileN / width),
                                                    width);
  // Rows of A past M read as zero (from a clamped, in-bounds address).
  Value lastRow = arith::SubIOp::create(b, loc, m, one);
  Value aGlobalRow = add(row0, aRow);
  Value aInside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                        aGlobalRow, m);
  Value aClamped = arith::MinUIOp::create(b, loc, aGlobalRow, lastRow);
  Value zeros = arith::ConstantOp::create(b, loc, stageType,
                                          b.getZeroAttr(stageType));
  auto loadStep = [&](Value k0) -> std::pair<Value, Value> {
    Value av = vector::LoadOp::create(b, loc, stageType, a,
                                      ValueRange{aClamped, add(k0, aCol)},
                                      false, llvm::Align(kStageBytes));
    av = arith::SelectOp::create(b, loc, aInside, av, zeros);
    Value bv = vector::LoadOp::create(
        b, loc, stageType, bMat, ValueRange{add(k0, bRow), add(col0, bCol)},
        false, llvm::Align(kStageBytes));
    return {av, bv};
  };
  auto storeStep = [&](std::pair<Value, Value> values, Value buffer) {
    vector::StoreOp::create(b, loc, values.first, aTiles,
                            ValueRange{buffer, aRow, aCol}, false,
                            llvm::Align(kStageBytes));
    for (int64_t i = 0; i < width; ++i) {
      Value v = vector::ExtractOp::create(b, loc, values.second,
                                          ArrayRef<int64_t>{i});
      memref::StoreOp::create(b, loc, v, bTiles,
                              ValueRange{buffer, add(bCol, idx(i)), bRow});
    }
  };

  // The accumulator: lane j + 16q holds C[4q + i][j], i = 0..3.
  Value zeroAcc =
      arith::ConstantOp::create(b, loc, in.accumulator,
                                b.getZeroAttr(in.accumulator));
  auto accType = vec(4, in.accumulator);
  Value accRow = add(add(row0, waveRow), mul(laneQuad, 4));
  Value accCol = add(add(col0, waveCol), laneCol);
  SmallVector<Value, 4> accRows;
  Value acc =
      arith::ConstantOp::create(b, loc, accType, b.getZeroAttr(accType));
  for (int64_t i = 0; i < 4; ++i) {
    accRows.push_back(add(accRow, idx(i)));
    Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         accRows[i], m);
    auto ifOp = scf::IfOp::create(b, loc, in.accumulator, inside,
                                  /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      scf::YieldOp::create(b, loc,
                           ValueRange{memref::LoadOp::create(
                               b, loc, c, ValueRange{accRows[i], accCol})});
      b.setInsertionPointToStart(ifOp.elseBlock());
      scf::YieldOp::create(b, loc, ValueRange{zeroAcc});
    }
    acc = vector::InsertOp::create(b, loc, ifOp.getResult(0), acc,
                                   ArrayRef<int64_t>{i});
  }

  // Prologue: step 0 into buffer 0.
  storeStep(loadStep(idx(0)), idx(0));
  gpu::BarrierOp::create(b, loc);

  // Step s reads buffer s % 2 while the loads of step s + 1 are in flight,
  // then writes them to the other buffer: that buffer's readers (step s -
  // 1) passed the previous barrier, and the next step's readers wait for
  // this one, so one barrier per step suffices. The last step reloads
  // itself (clamped K offset) into the unused buffer rather than branch.
  int64_t steps = k / tileK;
  auto kLoop =
      scf::ForOp::create(b, loc, idx(0), idx(steps), one, ValueRange{acc});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(kLoop.getBody());
    Value s = kLoop.getInductionVar();
    Value kNext = arith::MinUIOp::create(b, loc, mul(add(s, one), tileK),
                                         idx(k - tileK));
    std::pair<Value, Value> next = loadStep(kNext);
    Value cur = rem(s, 2);
    Value other = arith::SubIOp::create(b, loc, one, cur);
    Value kq = mul(laneQuad, in.fragmentWidth());
    VectorType fragType = vec(in.fragmentWidth(), in.element);
    Value aFrag = vector::LoadOp::create(
        b, loc, fragType, aTiles, ValueRange{cur, add(waveRow, laneCol), kq},
        false, llvm::Align(kFragmentBytes));
    Value bFrag = vector::LoadOp::create(
        b, loc, fragType, bTiles, ValueRange{cur, add(waveCol, laneCol), kq},
        false, llvm::Align(kFragmentBytes));
    // MFMA j takes elements [j * perLane, (j + 1) * perLane) of each lane's
    // fragment: K index kq + j * perLane + e in both A and B, so every
    // product of the step is summed once.
    Value sum = kLoop.getRegionIterArgs()[0];
    for (int64_t j = 0; j < in.mfmasPerStep(); ++j) {
      auto operand = [&](Value frag) -> Value {
        if (in.perLane == 1)
          return vector::ExtractOp::create(b, loc, frag, ArrayRef<int64_t>{j});
        return vector::ExtractStridedSliceOp::create(
            b, loc, frag, ArrayRef<int64_t>{j * in.perLane},
            ArrayRef<int64_t>{in.perLane}, ArrayRef<int64_t>{1});
      };
      sum = amdgpu::MFMAOp::create(b, loc, accType, kInstrM, kInstrN, in.k,
                                   /*blocks=*/1, operand(aFrag),
                                   operand(bFrag), sum);
    }
    storeStep(next, other);
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
    SmallVector<Plan> plans;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<scf::ParallelOp>() ||
          op->getParentOfType<gpu::LaunchOp>() || !op.hasPureBufferSemantics())
        return;
      if (std::optional<Plan> plan = analyze(op, chip))
        plans.push_back(*plan);
    });
    for (const Plan &plan : plans)
      rewrite(plan);
  }
};

} // namespace
