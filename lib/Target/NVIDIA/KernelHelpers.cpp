//===- KernelHelpers.cpp - Shared by the NVIDIA kernel passes -------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/NVIDIA/KernelHelpers.h"

#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace {

/// `v`, a value of a generic's body, with float extensions looked through.
Value skipExt(Value v) {
  if (auto ext = v.getDefiningOp<arith::ExtFOp>())
    return ext.getIn();
  return v;
}

struct MmaHasNoMemoryEffects
    : public MemoryEffectOpInterface::ExternalModel<MmaHasNoMemoryEffects,
                                                    NVVM::MmaOp> {
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

SmallVector<Value> loom::nvidia::mmaSyncM16N8K16(OpBuilder &b, Location loc,
                                                 Type element,
                                                 ArrayRef<Value> a,
                                                 ArrayRef<Value> bPairs,
                                                 ArrayRef<Value> acc) {
  auto regs = [&](ArrayRef<Value> pairs) {
    if (element.isF16())
      return SmallVector<Value>(pairs);
    return llvm::map_to_vector(pairs, [&](Value pair) -> Value {
      Value word = vector::BitCastOp::create(
          b, loc, VectorType::get({1}, b.getI32Type()), pair);
      return vector::ExtractOp::create(b, loc, word, ArrayRef<int64_t>{0});
    });
  };
  Type f32 = b.getF32Type();
  NVVM::MMATypes type =
      element.isF16() ? NVVM::MMATypes::f16 : NVVM::MMATypes::bf16;
  auto resultType =
      LLVM::LLVMStructType::getLiteral(b.getContext(), {f32, f32, f32, f32});
  auto op = NVVM::MmaOp::create(
      b, loc, resultType, regs(a), regs(bPairs), acc,
      ArrayRef<int64_t>{16, 8, 16}, std::nullopt, std::nullopt,
      std::array<NVVM::MMATypes, 2>{type, type},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  SmallVector<Value> d;
  for (int64_t i = 0; i < 4; ++i)
    d.push_back(LLVM::ExtractValueOp::create(b, loc, op, ArrayRef<int64_t>{i}));
  return d;
}

void loom::nvidia::addKernelEffectModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, NVVM::NVVMDialect *) {
    attachIfMissing<NVVM::MmaOp, MmaHasNoMemoryEffects>(ctx);
  });
  registry.addExtension(+[](MLIRContext *ctx, gpu::GPUDialect *) {
    attachIfMissing<gpu::BarrierOp, BarrierReadsAndWrites>(ctx);
  });
}
