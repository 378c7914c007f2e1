//===- OrdersMemory.h - Memory effects of the kernels' barriers -*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Shared by the AMD passes that build their kernels on tensors, before
// bufferization (GroupedMatmulToMfma.cpp, AttentionToMfma.cpp, through
// TensorKernel.h).
// `gpu.barrier` and `amdgpu.sched_barrier` declare no memory effects, and
// the buffer deallocation that runs after those passes rejects ops with
// unknown effects (inside the kernels' `gpu.launch`). Both order memory
// accesses around them, so they are modelled as reading and writing all
// memory.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_AMD_ORDERSMEMORY_H
#define LOOM_TARGET_AMD_ORDERSMEMORY_H

#include "mlir/Dialect/AMDGPU/IR/AMDGPUDialect.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::loom::amd {

template <typename OpTy>
struct OrdersMemory
    : public MemoryEffectOpInterface::ExternalModel<OrdersMemory<OpTy>, OpTy> {
  void
  getEffects(Operation *,
             SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
                 &effects) const {
    effects.emplace_back(MemoryEffects::Read::get());
    effects.emplace_back(MemoryEffects::Write::get());
  }
};

template <typename OpTy> void attachIfMissing(MLIRContext *ctx) {
  std::optional<RegisteredOperationName> name =
      RegisteredOperationName::lookup(OpTy::getOperationName(), ctx);
  if (name && !name->hasInterface<MemoryEffectOpInterface>())
    OpTy::template attachInterface<OrdersMemory<OpTy>>(*ctx);
}

/// Registers the models when the dialects load (a pass's
/// getDependentDialects).
inline void addOrdersMemoryModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, gpu::GPUDialect *) {
    attachIfMissing<gpu::BarrierOp>(ctx);
  });
  registry.addExtension(+[](MLIRContext *ctx, amdgpu::AMDGPUDialect *) {
    attachIfMissing<amdgpu::SchedBarrierOp>(ctx);
  });
}

} // namespace mlir::loom::amd

#endif // LOOM_TARGET_AMD_ORDERSMEMORY_H
