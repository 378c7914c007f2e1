//===- SplitDeallocs.cpp - One bufferization.dealloc per buffer -----------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Keeps the deallocation bookkeeping in scalars on the host: see the pass's
// description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/NVIDIA/Passes.h"

namespace mlir::loom::nvidia {
#define GEN_PASS_DEF_SPLITDEALLOCSPASS
#include "lib/Target/NVIDIA/Passes.h.inc"
} // namespace mlir::loom::nvidia

using namespace mlir;
using namespace mlir::loom;

namespace {

void split(bufferization::DeallocOp dealloc) {
  OpBuilder b(dealloc);
  Location loc = dealloc.getLoc();
  SmallVector<Value> retained(dealloc.getRetained());
  size_t numRetained = retained.size();
  SmallVector<Value> ownership;
  for (auto [memref, condition] :
       llvm::zip(dealloc.getMemrefs(), dealloc.getConditions())) {
    auto single = bufferization::DeallocOp::create(
        b, loc, ValueRange{memref}, ValueRange{condition}, retained);
    for (size_t i = 0; i < numRetained; ++i) {
      Value owned = single.getUpdatedConditions()[i];
      if (ownership.size() > i)
        ownership[i] = arith::OrIOp::create(b, loc, ownership[i], owned);
      else
        ownership.push_back(owned);
    }
    // A later buffer that aliases this one is not freed again.
    retained.push_back(memref);
  }
  dealloc.replaceAllUsesWith(ownership);
  dealloc.erase();
}

struct SplitDeallocsPass
    : public nvidia::impl::SplitDeallocsPassBase<SplitDeallocsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<bufferization::DeallocOp> deallocs;
    getOperation()->walk([&](bufferization::DeallocOp dealloc) {
      if (dealloc.getMemrefs().size() > 1)
        deallocs.push_back(dealloc);
    });
    for (bufferization::DeallocOp dealloc : deallocs)
      split(dealloc);
  }
};

} // namespace
