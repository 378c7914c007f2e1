//===- Int8MatmulToMmaSync.cpp - 8-bit integer matmuls on tensor cores ----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// An 8-bit integer product accumulated in i32 (C[M, N] += ext(A) * ext(B),
// signed or unsigned operands) runs on `mma.sync.m16n8k32` with s8/u8
// multiplicands and s32 accumulators, one warp per 16x8 tile of C. Each
// 32-bit register holds 4 consecutive K elements (PTX ISA, m16n8k32 .s8
// fragments; lane = 4 * group + t):
//
//   A: a0 = (group, 4t..4t+3), a1 = (group + 8, 4t..), a2/a3 the same at
//      K + 16;
//   B: b0 = (4t..4t+3, group), b1 the same at K + 16;
//   C: (group, 2t), (group, 2t + 1), (group + 8, 2t), (group + 8, 2t + 1).
//
// Integer sums are exact (wrapping as i32 addition does), so the result is
// bit-identical to the loops it replaces.
//
// With `fp8` (sm_89 and newer), an f8E4M3FN x f8E4M3FN -> f32 contraction
// (`acc + extf(a) * extf(b)`) takes the same kernel with the e4m3 form of
// the instruction, `mma.sync.m16n8k32.row.col.f32.e4m3.e4m3.f32`: the PTX ISA
// gives its A, B and C fragments the same layout as the s8 form's (4
// consecutive K elements of one byte each per A/B register; C in f32).
// MLIR 22's `nvvm.mma.sync` has no e4m3 form (NVVM lists FP8 only for the
// sparse and block-scaled variants), so the step calls LLVM's intrinsic
// `llvm.nvvm.mma.m16n8k32.row.col.f32.e4m3.e4m3.f32` through
// `llvm.call_intrinsic`; NVPTX selects it from PTX ISA 8.4 on. The sum is
// accumulated in the tensor core's order and precision, not the loops'.
//
// M may be dynamic (the tokens of a quantized linear layer): the last row
// tile reads row M - 1 for the rows past M, which only feed rows of C that
// are not stored. A zero fill of C right before the matmul is folded into
// zero accumulators.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/NVIDIA/KernelHelpers.h"
#include "lib/Target/NVIDIA/Passes.h"

#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"

namespace mlir::loom::nvidia {
#define GEN_PASS_DEF_INT8MATMULTOMMASYNCPASS
#include "lib/Target/NVIDIA/Passes.h.inc"
} // namespace mlir::loom::nvidia

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::nvidia;

namespace {

constexpr int64_t kM = 16, kN = 8, kK = 32, kWarp = 32;

/// An i8 x i8 -> i32 (or, with `e4m3`, f8E4M3FN x f8E4M3FN -> f32) matmul
/// in 2-d form; B is K x N unless `transposedB`.
struct IntMatmul {
  Value a, b, c;
  bool unsignedA = false, unsignedB = false, transposedB = false;
  bool e4m3 = false;
};

bool isInt8(Type t) { return t.isInteger(8); }
bool isInt32(Type t) { return t.isInteger(32); }
bool isE4M3(Type t) { return isa<Float8E4M3FNType>(t); }
bool isF32(Type t) { return t.isF32(); }

/// A 2-d identity-layout memref of elements `isElement` takes, in the
/// default memory space, whose dimensions from `firstStatic` on are static.
bool is2D(Value value, bool (*isElement)(Type), unsigned firstStatic) {
  auto type = dyn_cast<MemRefType>(value.getType());
  if (!type || type.getRank() != 2 || !type.getLayout().isIdentity() ||
      type.getMemorySpace() || !isElement(type.getElementType()))
    return false;
  for (unsigned d = firstStatic; d < 2; ++d)
    if (type.isDynamicDim(d))
      return false;
  return true;
}

/// N and K static multiples of 8 and 32 (B static); M, the rows of A and
/// C, any size, dynamic included: a tile's rows past M are masked.
bool fits(const IntMatmul &mm) {
  auto operand = mm.e4m3 ? isE4M3 : isInt8;
  if (!is2D(mm.a, operand, 1) || !is2D(mm.b, operand, 0) ||
      !is2D(mm.c, mm.e4m3 ? isF32 : isInt32, 1))
    return false;
  auto cType = cast<MemRefType>(mm.c.getType());
  int64_t k = cast<MemRefType>(mm.a.getType()).getDimSize(1);
  return cType.getDimSize(1) % kN == 0 && k % kK == 0;
}

/// Whether `v` is `ext(arg)` from i8 to i32; sets `isUnsigned`.
bool isExtOf(Value v, Value arg, bool &isUnsigned) {
  if (auto ext = v.getDefiningOp<arith::ExtSIOp>()) {
    isUnsigned = false;
    return ext.getIn() == arg;
  }
  if (auto ext = v.getDefiningOp<arith::ExtUIOp>()) {
    isUnsigned = true;
    return ext.getIn() == arg;
  }
  return false;
}

/// Whether `v` is `extf(arg)` to f32 from f8E4M3FN.
bool isExtFOf(Value v, Value arg) {
  auto ext = v.getDefiningOp<arith::ExtFOp>();
  return ext && ext.getIn() == arg && isE4M3(arg.getType()) &&
         ext.getType().isF32();
}

/// Whether the body of `op` is `acc + extf(a) * extf(b)` (in either order)
/// in f32, from f8E4M3FN operands.
bool isE4M3Body(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  Value acc = body.getArgument(2);
  if (!add || (add.getLhs() != acc && add.getRhs() != acc) ||
      body.getOperations().size() != 5)
    return false;
  auto mul = (add.getLhs() == acc ? add.getRhs() : add.getLhs())
                 .getDefiningOp<arith::MulFOp>();
  if (!mul)
    return false;
  Value x = mul.getLhs(), y = mul.getRhs();
  if (!isExtFOf(x, body.getArgument(0)))
    std::swap(x, y);
  return isExtFOf(x, body.getArgument(0)) && isExtFOf(y, body.getArgument(1));
}

/// A 2-d contraction generic `C[m, n] += ext(A[m, k]) * ext(B[k, n] or
/// B[n, k])` in i32, or (`allowE4M3`) the same with `extf` from f8E4M3FN
/// in f32.
std::optional<IntMatmul> fromGeneric(linalg::GenericOp op, bool allowE4M3) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasPureBufferSemantics() || op.getNumLoops() != 3)
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
             k = getAffineDimExpr(2, ctx);
  auto map = [&](ArrayRef<AffineExpr> e) {
    return AffineMap::get(3, 0, e, ctx);
  };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[0] != map({m, k}) || maps[2] != map({m, n}))
    return std::nullopt;
  IntMatmul mm{op.getDpsInputs()[0], op.getDpsInputs()[1],
               op.getDpsInits()[0]};
  if (maps[1] == map({n, k}))
    mm.transposedB = true;
  else if (maps[1] != map({k, n}))
    return std::nullopt;
  if (allowE4M3 && isE4M3Body(op)) {
    mm.e4m3 = true;
    if (!fits(mm))
      return std::nullopt;
    return mm;
  }
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddIOp>();
  Value acc = body.getArgument(2);
  if (!add || (add.getLhs() != acc && add.getRhs() != acc))
    return std::nullopt;
  auto mul = (add.getLhs() == acc ? add.getRhs() : add.getLhs())
                 .getDefiningOp<arith::MulIOp>();
  if (!mul || body.getOperations().size() != 5)
    return std::nullopt;
  Value x = mul.getLhs(), y = mul.getRhs();
  if (!isExtOf(x, body.getArgument(0), mm.unsignedA))
    std::swap(x, y);
  if (!isExtOf(x, body.getArgument(0), mm.unsignedA) ||
      !isExtOf(y, body.getArgument(1), mm.unsignedB))
    return std::nullopt;
  if (!fits(mm))
    return std::nullopt;
  return mm;
}

std::optional<IntMatmul> fromMatmul(linalg::MatmulOp op) {
  if (!op.hasPureBufferSemantics() || op.hasUserDefinedMaps())
    return std::nullopt;
  IntMatmul mm{op.getDpsInputs()[0], op.getDpsInputs()[1],
               op.getDpsInits()[0]};
  bool isUnsigned = op.getCast() == linalg::TypeFn::cast_unsigned;
  mm.unsignedA = mm.unsignedB = isUnsigned;
  if (!fits(mm))
    return std::nullopt;
  return mm;
}

/// The `linalg.fill` of zero into C right before `op`, if any.
linalg::FillOp getZeroFillBefore(Operation *op, Value c) {
  auto fill = dyn_cast_or_null<linalg::FillOp>(op->getPrevNode());
  if (!fill || !fill.hasPureBufferSemantics() ||
      fill.getDpsInits()[0] != c)
    return nullptr;
  Value value = fill.getDpsInputs()[0];
  return matchPattern(value, m_Zero()) || matchPattern(value, m_PosZeroFloat())
             ? fill
             : nullptr;
}

/// One s8/u8 step: `nvvm.mma.sync` m16n8k32 with wrapping s32 accumulators.
Value createIntMma(OpBuilder &b, Location loc, const IntMatmul &mm,
                   ValueRange aRegs, ValueRange bRegs, ValueRange acc) {
  Type i32 = b.getI32Type();
  auto type = [](bool isUnsigned) {
    return isUnsigned ? NVVM::MMATypes::u8 : NVVM::MMATypes::s8;
  };
  auto resultType = LLVM::LLVMStructType::getLiteral(b.getContext(),
                                                     {i32, i32, i32, i32});
  return NVVM::MmaOp::create(
      b, loc, resultType, aRegs, bRegs, acc, ArrayRef<int64_t>{kM, kN, kK},
      std::nullopt, NVVM::MMAIntOverflow::wrapped,
      std::array<NVVM::MMATypes, 2>{type(mm.unsignedA), type(mm.unsignedB)},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
}

/// One e4m3 step with f32 accumulators. `nvvm.mma.sync` has no e4m3 form
/// in MLIR 22: LLVM's intrinsic is called directly, its operands in PTX
/// order (a0..a3, b0, b1, c0..c3), its result the four f32 of D.
Value createE4M3Mma(OpBuilder &b, Location loc, ValueRange aRegs,
                    ValueRange bRegs, ValueRange acc) {
  Type f32 = b.getF32Type();
  auto resultType =
      LLVM::LLVMStructType::getLiteral(b.getContext(), {f32, f32, f32, f32});
  SmallVector<Value> operands(aRegs);
  llvm::append_range(operands, bRegs);
  llvm::append_range(operands, acc);
  return LLVM::CallIntrinsicOp::create(
             b, loc, resultType,
             b.getStringAttr("llvm.nvvm.mma.m16n8k32.row.col.f32.e4m3.e4m3.f32"),
             operands)
      .getResult(0);
}

LogicalResult rewrite(Operation *op, const IntMatmul &mm) {
  linalg::FillOp fill = getZeroFillBefore(op, mm.c);
  bool zeroFill = bool(fill);
  OpBuilder b(op);
  Location loc = op->getLoc();
  auto cType = cast<MemRefType>(mm.c.getType());
  int64_t staticM = cType.getDimSize(0), n = cType.getDimSize(1),
          k = cast<MemRefType>(mm.a.getType()).getDimSize(1);
  auto idx = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value zero = idx(0), one = idx(1);
  // Rows past M (dynamic, or not a multiple of 16) are masked: their loads
  // read row M - 1 instead (an A row only reaches the same row of C) and
  // their results are not stored.
  bool masked = ShapedType::isDynamic(staticM) || staticM % kM != 0;
  Value m = memref::DimOp::create(b, loc, mm.c, 0);
  Value rowTiles =
      masked ? arith::DivUIOp::create(b, loc,
                                      arith::AddIOp::create(b, loc, m,
                                                            idx(kM - 1)),
                                      idx(kM))
                   .getResult()
             : idx(staticM / kM);
  auto tiles = scf::ParallelOp::create(b, loc, ValueRange{zero, zero},
                                       ValueRange{rowTiles, idx(n / kN)},
                                       ValueRange{one, one});
  b.setInsertionPoint(tiles.getBody()->getTerminator());
  auto lanes = scf::ParallelOp::create(b, loc, ValueRange{idx(0)},
                                       ValueRange{idx(kWarp)},
                                       ValueRange{idx(1)});
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
  Type i32 = b.getI32Type();
  // 4 K elements of one byte per register: i8 or f8E4M3FN.
  auto quad = VectorType::get(
      {4}, cast<MemRefType>(mm.a.getType()).getElementType());
  auto word = [&](Value bytes) -> Value {
    Value w = vector::BitCastOp::create(b, loc, VectorType::get({1}, i32),
                                        bytes);
    return vector::ExtractOp::create(b, loc, w, ArrayRef<int64_t>{0});
  };
  // 4 bytes consecutive in memory (along K of a row-major operand).
  auto rowWord = [&](Value mem, Value r, Value c) -> Value {
    return word(vector::LoadOp::create(b, loc, quad, mem, ValueRange{r, c},
                                       /*nontemporal=*/false,
                                       llvm::MaybeAlign(4)));
  };
  // 4 bytes down a column (B stored K x N).
  auto columnWord = [&](Value mem, Value r, Value c) -> Value {
    SmallVector<Value> bytes;
    for (int64_t i = 0; i < 4; ++i)
      bytes.push_back(
          memref::LoadOp::create(b, loc, mem, ValueRange{add(r, idx(i)), c}));
    return word(vector::FromElementsOp::create(b, loc, quad, bytes));
  };

  Value lane = lanes.getInductionVars()[0];
  Value group = arith::DivUIOp::create(b, loc, lane, idx(4));
  Value t = arith::RemUIOp::create(b, loc, lane, idx(4));
  Value row0 = add(mul(tiles.getInductionVars()[0], kM), group);
  Value row8 = add(row0, idx(8));
  Value col0 = add(mul(tiles.getInductionVars()[1], kN), mul(t, 2));
  Value col1 = add(col0, idx(1));
  Value bCol = add(mul(tiles.getInductionVars()[1], kN), group);

  Value rows[2] = {row0, row8}, cols[2] = {col0, col1};
  // The rows this lane reads: its own, or M - 1 past the end.
  Value readRows[2] = {row0, row8};
  Value inBounds[2];
  if (masked) {
    Value last = arith::SubIOp::create(b, loc, m, one);
    for (int64_t i = 0; i < 2; ++i) {
      inBounds[i] = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          rows[i], m);
      readRows[i] = arith::MinUIOp::create(b, loc, rows[i], last);
    }
  }
  SmallVector<Value> acc;
  if (zeroFill) {
    // C was just zero-filled: start from zero registers (every element of
    // C is stored below, so the fill is dropped).
    Value zeroAcc =
        mm.e4m3 ? arith::ConstantFloatOp::create(b, loc, b.getF32Type(),
                                                 APFloat(0.0f))
                      .getResult()
                : arith::ConstantIntOp::create(b, loc, b.getI32Type(), 0)
                      .getResult();
    acc.assign(4, zeroAcc);
  } else {
    for (Value r : readRows)
      for (Value c : cols)
        acc.push_back(memref::LoadOp::create(b, loc, mm.c, ValueRange{r, c}));
  }
  auto kLoop = scf::ForOp::create(b, loc, idx(0), idx(k), idx(kK), acc);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(kLoop.getBody());
    Value k0 = add(kLoop.getInductionVar(), mul(t, 4));
    Value k16 = add(k0, idx(16));
    SmallVector<Value> aRegs = {rowWord(mm.a, readRows[0], k0),
                                rowWord(mm.a, readRows[1], k0),
                                rowWord(mm.a, readRows[0], k16),
                                rowWord(mm.a, readRows[1], k16)};
    SmallVector<Value> bRegs;
    for (Value kk : {k0, k16})
      bRegs.push_back(mm.transposedB ? rowWord(mm.b, bCol, kk)
                                     : columnWord(mm.b, kk, bCol));
    Value mma = mm.e4m3 ? createE4M3Mma(b, loc, aRegs, bRegs,
                                        kLoop.getRegionIterArgs())
                        : createIntMma(b, loc, mm, aRegs, bRegs,
                                       kLoop.getRegionIterArgs());
    SmallVector<Value> next;
    for (int64_t i = 0; i < 4; ++i)
      next.push_back(
          LLVM::ExtractValueOp::create(b, loc, mma, ArrayRef<int64_t>{i}));
    scf::YieldOp::create(b, loc, next);
  }
  for (int64_t i = 0; i < 2; ++i) {
    OpBuilder::InsertionGuard guard(b);
    if (masked) {
      auto inside = scf::IfOp::create(b, loc, inBounds[i]);
      b.setInsertionPoint(inside.thenBlock()->getTerminator());
    }
    for (int64_t j = 0; j < 2; ++j)
      memref::StoreOp::create(b, loc, kLoop.getResult(2 * i + j), mm.c,
                              ValueRange{rows[i], cols[j]});
  }
  op->erase();
  if (fill)
    fill->erase();
  return success();
}

struct Int8MatmulToMmaSyncPass
    : public nvidia::impl::Int8MatmulToMmaSyncPassBase<
          Int8MatmulToMmaSyncPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<std::pair<Operation *, IntMatmul>> found;
    getOperation().walk([&](Operation *op) {
      if (op->getParentOfType<scf::ParallelOp>() ||
          op->getParentOfType<gpu::LaunchOp>())
        return;
      std::optional<IntMatmul> mm;
      if (auto matmul = dyn_cast<linalg::MatmulOp>(op))
        mm = fromMatmul(matmul);
      else if (auto generic = dyn_cast<linalg::GenericOp>(op))
        mm = fromGeneric(generic, fp8);
      if (mm)
        found.emplace_back(op, *mm);
    });
    for (auto &[op, mm] : found)
      if (failed(rewrite(op, mm)))
        return signalPassFailure();
  }
};

} // namespace
