//===- KernelHelpers.cpp - Shared by the NVIDIA kernel passes -------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/NVIDIA/KernelHelpers.h"

#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace {

/// `v`, a value of a generic's body, with float extensions looked through.
Value skipExt(Value v) {
  if (auto ext = v.getDefiningOp<arith::ExtFOp>())
    return ext.getIn();
  return v;
}

/// An op that touches registers only.
template <typename OpTy>
struct NoMemoryEffects
    : public MemoryEffectOpInterface::ExternalModel<NoMemoryEffects<OpTy>,
                                                    OpTy> {
  void getEffects(
      Operation *,
      SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &)
      const {}
};
struct BarrierReadsAndWrites
    : public MemoryEffectOpInterface::ExternalModel<BarrierReadsAndWrites,
                                                    gpu::BarrierOp> {
  void getEffects(
      Operation *,
      SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
          &effects) const {
    effects.emplace_back(MemoryEffects::Read::get());
    effects.emplace_back(MemoryEffects::Write::get());
  }
};

template <typename OpTy, typename Model>
void attachIfMissing(MLIRContext *ctx) {
  std::optional<RegisteredOperationName> name =
      RegisteredOperationName::lookup(OpTy::getOperationName(), ctx);
  if (name && !name->hasInterface<MemoryEffectOpInterface>())
    OpTy::template attachInterface<Model>(*ctx);
}

} // namespace

bool loom::nvidia::isMulAddBody(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  if (body.getOperations().size() > 5)
    return false;
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto addOp = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  Value acc = body.getArgument(2);
  if (!addOp || (addOp.getLhs() != acc && addOp.getRhs() != acc))
    return false;
  Value prod = addOp.getLhs() == acc ? addOp.getRhs() : addOp.getLhs();
  auto mulOp = prod.getDefiningOp<arith::MulFOp>();
  if (!mulOp)
    return false;
  Value x = skipExt(mulOp.getLhs()), y = skipExt(mulOp.getRhs());
  Value a = body.getArgument(0), b = body.getArgument(1);
  return (x == a && y == b) || (x == b && y == a);
}

SmallVector<unsigned> loom::nvidia::dimsOf(AffineMap map) {
  return llvm::map_to_vector(map.getResults(), [](AffineExpr e) {
    return cast<AffineDimExpr>(e).getPosition();
  });
}

LogicalResult loom::nvidia::setMapping(scf::ParallelOp loop,
                                       ArrayRef<gpu::Processor> processors) {
  MLIRContext *ctx = loop.getContext();
  AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
  SmallVector<gpu::ParallelLoopDimMappingAttr> mapping;
  for (gpu::Processor processor : processors)
    mapping.push_back(
        gpu::ParallelLoopDimMappingAttr::get(ctx, processor, id, id));
  return gpu::setMappingAttr(loop, mapping);
}

SmallVector<Value> loom::nvidia::floatMmaSync(OpBuilder &b, Location loc,
                                              ArrayRef<int64_t> mnk,
                                              NVVM::MMATypes type,
                                              ValueRange aRegs,
                                              ValueRange bRegs,
                                              ValueRange acc) {
  Type f32 = b.getF32Type();
  auto resultType =
      LLVM::LLVMStructType::getLiteral(b.getContext(), {f32, f32, f32, f32});
  auto mma = NVVM::MmaOp::create(
      b, loc, resultType, aRegs, bRegs, acc, mnk, std::nullopt, std::nullopt,
      std::array<NVVM::MMATypes, 2>{type, type},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  SmallVector<Value> d;
  for (int64_t i = 0; i < 4; ++i)
    d.push_back(
        LLVM::ExtractValueOp::create(b, loc, mma, ArrayRef<int64_t>{i}));
  return d;
}

loom::nvidia::Tf32Split loom::nvidia::splitTf32(OpBuilder &b, Location loc,
                                                Value value) {
  auto toTf32 = [&](Value v) -> Value {
    return NVVM::ConvertFloatToTF32Op::create(
        b, loc, b.getI32Type(), v, NVVM::FPRoundingMode::RNA,
        NVVM::SaturationMode::NONE, /*relu=*/false);
  };
  // The tf32 bits of `hi`, as an f32 whose low 13 mantissa bits are zero
  // (cleared here too, whatever the conversion leaves in them), so that
  // value - hi is the exact rounding error.
  Value hi = arith::AndIOp::create(
      b, loc, toTf32(value),
      arith::ConstantIntOp::create(b, loc, b.getI32Type(),
                                   int64_t(int32_t(0xffffe000u))));
  Value hiFloat = arith::BitcastOp::create(b, loc, b.getF32Type(), hi);
  Value lo = toTf32(arith::SubFOp::create(b, loc, value, hiFloat));
  return {hi, lo};
}

SmallVector<Value> loom::nvidia::mma3xTf32(OpBuilder &b, Location loc,
                                           ArrayRef<Tf32Split> a,
                                           ArrayRef<Tf32Split> bFrag,
                                           ValueRange acc) {
  auto his = [](ArrayRef<Tf32Split> f) {
    return llvm::map_to_vector(f, [](const Tf32Split &s) { return s.hi; });
  };
  auto los = [](ArrayRef<Tf32Split> f) {
    return llvm::map_to_vector(f, [](const Tf32Split &s) { return s.lo; });
  };
  constexpr int64_t mnk[] = {16, 8, 8};
  SmallVector<Value> d =
      floatMmaSync(b, loc, mnk, NVVM::MMATypes::tf32, his(a), los(bFrag), acc);
  d = floatMmaSync(b, loc, mnk, NVVM::MMATypes::tf32, los(a), his(bFrag), d);
  return floatMmaSync(b, loc, mnk, NVVM::MMATypes::tf32, his(a), his(bFrag),
                      d);
}

void loom::nvidia::mma3xTf32WarpStep(OpBuilder &b, Location loc, Value aTile,
                                     Value bTile, bool bIsNK, Value warpRow,
                                     Value warpCol, Value g, Value t,
                                     int64_t kk, int64_t mTiles, int64_t nTiles,
                                     MutableArrayRef<Value> acc) {
  auto add = [&](Value x, int64_t y) -> Value {
    return arith::AddIOp::create(b, loc, x,
                                 arith::ConstantIndexOp::create(b, loc, y));
  };
  auto split = [&](Value tile, Value row, Value col) {
    return splitTf32(
        b, loc, memref::LoadOp::create(b, loc, tile, ValueRange{row, col}));
  };
  Value k0 = add(t, kk), k4 = add(t, kk + 4);
  SmallVector<SmallVector<Tf32Split>> aFrags, bFrags;
  for (int64_t mi = 0; mi < mTiles; ++mi) {
    Value r = add(arith::AddIOp::create(b, loc, warpRow, g), 16 * mi);
    Value r8 = add(r, 8);
    SmallVector<Tf32Split> frag;
    for (Value col : {k0, k4})
      for (Value row : {r, r8})
        frag.push_back(split(aTile, row, col));
    aFrags.push_back(frag);
  }
  for (int64_t ni = 0; ni < nTiles; ++ni) {
    Value c = add(arith::AddIOp::create(b, loc, warpCol, g), 8 * ni);
    SmallVector<Tf32Split> frag;
    for (Value k : {k0, k4})
      frag.push_back(bIsNK ? split(bTile, c, k) : split(bTile, k, c));
    bFrags.push_back(frag);
  }
  for (int64_t mi = 0; mi < mTiles; ++mi)
    for (int64_t ni = 0; ni < nTiles; ++ni) {
      int64_t at = 4 * (mi * nTiles + ni);
      SmallVector<Value> d = mma3xTf32(b, loc, aFrags[mi], bFrags[ni],
                                       ValueRange(acc.slice(at, 4)));
      std::copy(d.begin(), d.end(), acc.begin() + at);
    }
}

SmallVector<Value> loom::nvidia::mmaSyncM16N8K16(OpBuilder &b, Location loc,
                                                 Type element,
                                                 ArrayRef<Value> a,
                                                 ArrayRef<Value> bPairs,
                                                 ArrayRef<Value> acc) {
  // bf16 pairs go packed in 32-bit registers, f16 pairs as vector<2xf16>.
  auto regs = [&](ArrayRef<Value> pairs) {
    if (element.isF16())
      return SmallVector<Value>(pairs);
    return llvm::map_to_vector(pairs, [&](Value pair) -> Value {
      Value word = vector::BitCastOp::create(
          b, loc, VectorType::get({1}, b.getI32Type()), pair);
      return vector::ExtractOp::create(b, loc, word, ArrayRef<int64_t>{0});
    });
  };
  constexpr int64_t mnk[] = {16, 8, 16};
  return floatMmaSync(b, loc, mnk,
                      element.isF16() ? NVVM::MMATypes::f16
                                      : NVVM::MMATypes::bf16,
                      regs(a), regs(bPairs), acc);
}

void loom::nvidia::addKernelEffectModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, NVVM::NVVMDialect *) {
    attachIfMissing<NVVM::MmaOp, NoMemoryEffects<NVVM::MmaOp>>(ctx);
    attachIfMissing<NVVM::ConvertFloatToTF32Op,
                    NoMemoryEffects<NVVM::ConvertFloatToTF32Op>>(ctx);
  });
  registry.addExtension(+[](MLIRContext *ctx, gpu::GPUDialect *) {
    attachIfMissing<gpu::BarrierOp, BarrierReadsAndWrites>(ctx);
  });
}
