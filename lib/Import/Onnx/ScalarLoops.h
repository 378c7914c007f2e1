//===- ScalarLoops.h - scf loop helpers for sequential ops ------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Ops whose result depends on a sequential walk (NonMaxSuppression, Unique,
// Det, TfIdfVectorizer, MaxUnpool) are built as scf.for/scf.if nests that
// carry tensors as iteration values; bufferization makes the updates in
// place. These helpers keep the builder lambdas short.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_IMPORT_ONNX_SCALARLOOPS_H
#define LOOM_LIB_IMPORT_ONNX_SCALARLOOPS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace mlir::loom::onnx_import {

using LoopBody = function_ref<SmallVector<Value>(OpBuilder &, Location, Value /*iv*/, ValueRange /*iters*/)>;
using BranchBody = function_ref<SmallVector<Value>(OpBuilder &, Location)>;

inline Value cIdx(OpBuilder &b, Location l, int64_t v) { return arith::ConstantIndexOp::create(b, l, v); }

/// scf.for lb..ub step 1 carrying `inits`; `body` returns the yielded values.
inline ValueRange forLoop(OpBuilder &b, Location loc, Value lb, Value ub, ValueRange inits, LoopBody body) {
  auto op = scf::ForOp::create(b, loc, lb, ub, cIdx(b, loc, 1), inits,
                               [&](OpBuilder &lb2, Location l, Value iv, ValueRange it) {
                                 scf::YieldOp::create(lb2, l, body(lb2, l, iv, it));
                               });
  return op.getResults();
}

/// scf.if with results; both branches return values of the same types.
inline ValueRange ifElse(OpBuilder &b, Location loc, Value cond, BranchBody thenFn, BranchBody elseFn) {
  auto op = scf::IfOp::create(
      b, loc, cond, [&](OpBuilder &tb, Location l) { scf::YieldOp::create(tb, l, thenFn(tb, l)); },
      [&](OpBuilder &eb, Location l) { scf::YieldOp::create(eb, l, elseFn(eb, l)); });
  return op.getResults();
}

/// Scalar read of `t` at constant/variable indices.
inline Value at(OpBuilder &b, Location l, Value t, ValueRange idx) { return tensor::ExtractOp::create(b, l, t, idx); }
inline Value put(OpBuilder &b, Location l, Value v, Value t, ValueRange idx) {
  return tensor::InsertOp::create(b, l, v, t, idx);
}

} // namespace mlir::loom::onnx_import

#endif // LOOM_LIB_IMPORT_ONNX_SCALARLOOPS_H
