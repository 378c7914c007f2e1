//===- AttentionKernel.h - Shared by the attention kernels ------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// What the 16-bit (AttentionToMma.cpp) and f32 (AttentionF32.cpp) flash
// attention kernels build alike: index arithmetic, f32 constants, the
// reduction over a quad of lanes, and the per-lane state carried over key
// blocks.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_NVIDIA_ATTENTIONKERNEL_H
#define LOOM_TARGET_NVIDIA_ATTENTIONKERNEL_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::loom::nvidia::attention {

/// Index arithmetic (`add` of 0 builds nothing), f32 constants and the
/// quad reduction on an implicit-location builder.
struct KernelMath {
  ImplicitLocOpBuilder &b;

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value add(Value x, int64_t y) { return y ? add(x, idx(y)) : x; }
  Value mul(Value x, int64_t y) { return arith::MulIOp::create(b, x, idx(y)); }
  Value div(Value x, int64_t y) { return arith::DivUIOp::create(b, x, idx(y)); }
  Value rem(Value x, int64_t y) { return arith::RemUIOp::create(b, x, idx(y)); }
  Value f32(double v) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(float(v)));
  }

  /// `v` combined over the four lanes of a quad (xor 1, then xor 2).
  Value quadReduce(Value v, bool isMax) {
    for (int32_t offset : {1, 2}) {
      Value other = gpu::ShuffleOp::create(b, v, offset, /*width=*/32,
                                           gpu::ShuffleMode::XOR)
                        .getShuffleResult();
      v = isMax ? arith::MaximumFOp::create(b, v, other).getResult()
                : arith::AddFOp::create(b, v, other).getResult();
    }
    return v;
  }
};

/// Per-lane state carried over key blocks: O accumulators (D/8 n8 tiles of
/// four f32: c0, c1 at row g, c2, c3 at row g + 8), then the running max m
/// and the lane's partial row sum l of rows g and g + 8.
struct State {
  SmallVector<Value> o;
  Value m[2], l[2];

  SmallVector<Value> flat() const {
    SmallVector<Value> all(o);
    all.append({m[0], m[1], l[0], l[1]});
    return all;
  }
  static State unflat(ValueRange all) {
    State s;
    ValueRange o = all.drop_back(4);
    s.o.assign(o.begin(), o.end());
    for (int r = 0; r < 2; ++r) {
      s.m[r] = all[all.size() - 4 + r];
      s.l[r] = all[all.size() - 2 + r];
    }
    return s;
  }
};

} // namespace mlir::loom::nvidia::attention

#endif // LOOM_TARGET_NVIDIA_ATTENTIONKERNEL_H
