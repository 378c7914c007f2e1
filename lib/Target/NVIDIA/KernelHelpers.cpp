//===- KernelHelpers.cpp - Shared by the NVIDIA kernel passes -------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/NVIDIA/KernelHelpers.h"

#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"

using namespace mlir;

namespace {

/// `v`, a value of a generic's body, with float extensions looked through.
Value skipExt(Value v) {
  if (auto ext = v.getDefiningOp<arith::ExtFOp>())
    return ext.getIn();
  return v;
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
