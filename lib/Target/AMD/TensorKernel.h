//===- TensorKernel.h - Driver of the tensor-level kernel passes -*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// What the AMD passes that build their kernels on tensors, before
// bufferization (GroupedMatmulToMfma.cpp, AttentionToMfma.cpp), share
// around the kernel itself: the pass (its dependent dialects with the
// barriers' memory effects, OrdersMemory.h, and the walk that collects the
// ops it takes before rewriting them) and the host side of each rewrite
// (the operands' buffers, the result's allocation, the gpu.launch with
// dynamic LDS, the result as a tensor again).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_AMD_TENSORKERNEL_H
#define LOOM_TARGET_AMD_TENSORKERNEL_H

#include "lib/Target/AMD/OrdersMemory.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

#include <type_traits>

namespace mlir::loom::amd {

/// A tensor-level kernel pass: the generated `PassBase` whose dependent
/// dialects also get the barriers' memory-effect models.
template <typename PassBase> struct TensorKernelPass : public PassBase {
  using PassBase::PassBase;

  void getDependentDialects(DialectRegistry &registry) const override {
    PassBase::getDependentDialects(registry);
    addOrdersMemoryModels(registry);
  }
};

/// Rewrites every `OpTy` under `root` for which `qualifies(op)` (a
/// std::optional) holds a value with `rewrite(op, value)`; the ops are
/// collected first, as the rewrites erase them.
template <typename OpTy, typename Qualifies, typename Rewrite>
void rewriteQualifying(Operation *root, Qualifies qualifies, Rewrite rewrite) {
  using Info = typename std::invoke_result_t<Qualifies, OpTy>::value_type;
  SmallVector<std::pair<OpTy, Info>> ops;
  root->walk([&](OpTy op) {
    if (std::optional<Info> info = qualifies(op))
      ops.push_back({op, *info});
  });
  for (auto &[op, info] : ops)
    rewrite(op, info);
}

/// The buffer of tensor operand `tensor`, read only.
inline Value readBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  return bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()), tensor,
      /*read_only=*/b.getUnitAttr());
}

/// The result's buffer, of the shape of `type`; its dynamic dimension (the
/// kernels have at most one) has size `dynamicSize`.
inline Value allocResult(OpBuilder &b, Location loc, RankedTensorType type,
                         Value dynamicSize) {
  auto memType = MemRefType::get(type.getShape(), type.getElementType());
  SmallVector<Value> dynSizes;
  for (int64_t i = 0; i < memType.getRank(); ++i)
    if (memType.isDynamicDim(i))
      dynSizes.push_back(dynamicSize);
  return memref::AllocOp::create(b, loc, memType, dynSizes);
}

/// A launch of `gridX` x `gridY` workgroups of `threads` threads with
/// `ldsBytes` (i32) of dynamic LDS (workgroup attributions would be block
/// arguments of memref type, which the later buffer deallocation gives
/// ownership arguments the launch does not take). `b` is left at the start
/// of its body, before its terminator; `lds` is the LDS as bytes.
struct KernelLaunch {
  gpu::LaunchOp op;
  Value lds;
};
inline KernelLaunch openLaunch(OpBuilder &b, Location loc, Value gridX,
                               Value gridY, Value threads, Value one,
                               Value ldsBytes) {
  auto launch = gpu::LaunchOp::create(
      b, loc, gridX, gridY, one, threads, one, one, ldsBytes,
      /*asyncTokenType=*/nullptr, /*asyncDependencies=*/ValueRange{});
  b.setInsertionPointToStart(&launch.getBody().front());
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(&launch.getBody().front());
  Attribute workgroup = gpu::AddressSpaceAttr::get(
      b.getContext(), gpu::AddressSpace::Workgroup);
  Value smem = gpu::DynamicSharedMemoryOp::create(
      b, loc,
      MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                      MemRefLayoutAttrInterface(), workgroup));
  return {launch, smem};
}

/// Replaces the result of `op` by the tensor of `result` (its buffer,
/// restrict and writable) and erases `op`.
inline void replaceByBuffer(OpBuilder &b, Location loc, Operation *op,
                            Value result) {
  Value tensor = bufferization::ToTensorOp::create(
      b, loc, op->getResult(0).getType(), result, /*restrict=*/true,
      /*writable=*/true);
  op->getResult(0).replaceAllUsesWith(tensor);
  op->erase();
}

} // namespace mlir::loom::amd

#endif // LOOM_TARGET_AMD_TENSORKERNEL_H
