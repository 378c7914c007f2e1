//===- VectorizeLoops.cpp - 16-byte accesses for elementwise loops --------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/NVIDIA/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::loom::nvidia {
#define GEN_PASS_DEF_VECTORIZELOOPSPASS
#include "lib/Target/NVIDIA/Passes.h.inc"
} // namespace mlir::loom::nvidia

using namespace mlir;
using namespace mlir::loom;

namespace {

constexpr int64_t kVectorBytes = 16;

/// How a load or store indexes the innermost loop dimension.
enum class Access { Vector, Uniform, Unsupported };

Access classify(MemRefType type, ValueRange indices, Value iv,
                const DenseSet<Value> &varying, int64_t &width) {
  bool lastIsIv = !indices.empty() && indices.back() == iv;
  for (Value index : lastIsIv ? indices.drop_back() : indices)
    if (index == iv || varying.contains(index))
      return Access::Unsupported;
  if (!lastIsIv)
    return Access::Uniform;
  Type element = type.getElementType();
  if (!element.isIntOrFloat() || !type.getLayout().isIdentity())
    return Access::Unsupported;
  unsigned bits = element.getIntOrFloatBitWidth();
  if (bits < 8 || bits % 8 != 0 || kVectorBytes * 8 % bits != 0)
    return Access::Unsupported;
  int64_t w = kVectorBytes * 8 / bits;
  if (width && width != w)
    return Access::Unsupported;
  // Each row must start on a vector boundary for the alignment to hold.
  int64_t last = type.getShape().back();
  if (ShapedType::isDynamic(last) || last % w != 0)
    return Access::Unsupported;
  width = w;
  return Access::Vector;
}

/// Checks that the loop's body is elementwise along `iv`; fills the values
/// that vary along it and the vector width. The body is rewritten only
/// after the whole of it passed.
bool analyze(Block *body, Value iv, DenseSet<Value> &varying, int64_t &width) {
  for (Operation &op : body->without_terminator()) {
    if (op.getNumRegions() != 0)
      return false;
    if (auto load = dyn_cast<memref::LoadOp>(op)) {
      Access access =
          classify(load.getMemRefType(), load.getIndices(), iv, varying, width);
      if (access == Access::Unsupported)
        return false;
      if (access == Access::Vector)
        varying.insert(load.getResult());
      continue;
    }
    if (auto store = dyn_cast<memref::StoreOp>(op)) {
      // A store that does not move with the index would be a race.
      if (classify(store.getMemRefType(), store.getIndices(), iv, varying,
                   width) != Access::Vector)
        return false;
      continue;
    }
    bool anyVarying = false;
    for (Value operand : op.getOperands()) {
      if (operand == iv)
        return false;
      anyVarying |= varying.contains(operand);
    }
    if (!anyVarying) {
      if (!isPure(&op))
        return false;
      continue;
    }
    if (!op.hasTrait<OpTrait::Elementwise>() || !isPure(&op))
      return false;
    for (Value result : op.getResults()) {
      if (!result.getType().isIntOrFloat())
        return false;
      varying.insert(result);
    }
  }
  return width != 0;
}

/// `value` as a vector of `width`, broadcasting uniform scalars.
Value asVector(OpBuilder &b, Location loc, Value value, int64_t width) {
  if (isa<VectorType>(value.getType()))
    return value;
  return vector::BroadcastOp::create(
      b, loc, VectorType::get({width}, value.getType()), value);
}

void vectorize(scf::ParallelOp loop, const DenseSet<Value> &varying,
               int64_t width) {
  Block *body = loop.getBody();
  OpBuilder b(loop.getContext());
  IRMapping map;
  SmallVector<Operation *> old;
  for (Operation &op : body->without_terminator()) {
    old.push_back(&op);
    b.setInsertionPoint(&op);
    Location loc = op.getLoc();
    auto lookup = [&](ValueRange values) {
      return llvm::map_to_vector(
          values, [&](Value v) { return map.lookupOrDefault(v); });
    };
    if (auto load = dyn_cast<memref::LoadOp>(op);
        load && varying.contains(load.getResult())) {
      auto type = VectorType::get({width}, load.getType());
      unsigned bytes = width * load.getType().getIntOrFloatBitWidth() / 8;
      map.map(load.getResult(),
              vector::LoadOp::create(
                  b, loc, type, map.lookupOrDefault(load.getMemRef()),
                  lookup(load.getIndices()),
                  /*nontemporal=*/false, llvm::MaybeAlign(bytes)));
      continue;
    }
    if (auto store = dyn_cast<memref::StoreOp>(op)) {
      Value value =
          asVector(b, loc, map.lookupOrDefault(store.getValue()), width);
      unsigned bytes =
          width * store.getValue().getType().getIntOrFloatBitWidth() / 8;
      vector::StoreOp::create(b, loc, value,
                              map.lookupOrDefault(store.getMemRef()),
                              lookup(store.getIndices()),
                              /*nontemporal=*/false, llvm::MaybeAlign(bytes));
      continue;
    }
    bool anyVarying = llvm::any_of(
        op.getOperands(), [&](Value v) { return varying.contains(v); });
    if (!anyVarying) {
      b.clone(op, map);
      continue;
    }
    // An elementwise op: the same op on vectors.
    SmallVector<Value> operands;
    for (Value operand : op.getOperands())
      operands.push_back(asVector(b, loc, map.lookupOrDefault(operand), width));
    SmallVector<Type> types;
    for (Type type : op.getResultTypes())
      types.push_back(VectorType::get({width}, type));
    OperationState state(loc, op.getName(), operands, types, op.getAttrs());
    Operation *vectorOp = b.create(state);
    map.map(op.getResults(), vectorOp->getResults());
  }
  for (Operation *op : llvm::reverse(old))
    op->erase();

  // The innermost dimension now advances a vector at a time.
  b.setInsertionPoint(loop);
  unsigned dim = loop.getNumLoops() - 1;
  loop.getStepMutable()[dim].set(
      arith::ConstantIndexOp::create(b, loop.getLoc(), width));
}

struct VectorizeLoopsPass
    : public nvidia::impl::VectorizeLoopsPassBase<VectorizeLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    // Outermost parallel loops only: nested ones run inside their threads.
    SmallVector<scf::ParallelOp> candidates;
    func.walk([&](scf::ParallelOp loop) {
      if (!loop->getParentOfType<scf::ParallelOp>())
        candidates.push_back(loop);
    });
    {
      for (scf::ParallelOp loop : candidates) {
        if (loop.getNumReductions() != 0)
          continue;
        unsigned dim = loop.getNumLoops() - 1;
        std::optional<int64_t> lb =
            getConstantIntValue(loop.getLowerBound()[dim]);
        std::optional<int64_t> ub =
            getConstantIntValue(loop.getUpperBound()[dim]);
        std::optional<int64_t> step = getConstantIntValue(loop.getStep()[dim]);
        if (lb != 0 || step != 1 || !ub)
          continue;
        DenseSet<Value> varying;
        int64_t width = 0;
        if (!analyze(loop.getBody(), loop.getInductionVars()[dim], varying,
                     width) ||
            *ub % width != 0)
          continue;
        vectorize(loop, varying, width);
      }
    }
  }
};

} // namespace
