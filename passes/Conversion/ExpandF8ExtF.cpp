//===- ExpandF8ExtF.cpp - arith.extf from 8-bit floats as integer code ----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// FP8 contractions keep `arith.extf %x : f8E4M3FN to f32` in their bodies so
// that tensor-core passes can recognise them (the FP8 mma multiplies the
// stored bytes). LLVM has no f8 types (they lower to i8) and arith has no
// lowering of that extf, so whatever remains becomes the exact decode by
// integer arithmetic of QuantLowering.cpp.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/Passes.h"
#include "passes/Conversion/QuantLowering.h"

namespace mlir::loom {
#define GEN_PASS_DEF_EXPANDF8EXTFPASS
#include "passes/Conversion/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;

namespace {

struct ExpandF8ExtFPass
    : public loom::impl::ExpandF8ExtFPassBase<ExpandF8ExtFPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<arith::ExtFOp> exts;
    getOperation().walk([&](arith::ExtFOp op) {
      if (isa<Float8E4M3FNType, Float8E5M2Type>(op.getIn().getType()))
        exts.push_back(op);
    });
    for (arith::ExtFOp op : exts) {
      OpBuilder b(op);
      Value v = quant::emitF8ToF32(b, op.getLoc(), op.getIn());
      v = quant::castFloat(b, op.getLoc(), v, op.getType());
      op.replaceAllUsesWith(v);
      op.erase();
    }
  }
};

} // namespace
