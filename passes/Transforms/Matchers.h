//===- Matchers.h - Recognise the importer's linalg forms -------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Small structural matchers shared by the raising and fusion passes: they
// recognise the linalg ops the ONNX importer emits for a matmul, an
// elementwise op or a reduction, and the constants that feed them.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_TRANSFORMS_MATCHERS_H
#define LOOM_PASSES_TRANSFORMS_MATCHERS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Value.h"

#include <optional>

namespace mlir::loom::match {

/// A float matmul `lhs[..., M, K] x rhs` with a 2-D rhs, `[K, N]` or, with
/// `transposedRhs`, `[N, K]` (a Gemm with transB), accumulated into zeros.
struct Matmul {
  Operation *op = nullptr;
  Value lhs, rhs;
  bool transposedRhs = false;
};

/// Matches `linalg.matmul` (default maps) or a contraction `linalg.generic`
/// (`addf(acc, mulf(a, b))`, batch dims only on the lhs) whose init is a
/// zero fill.
std::optional<Matmul> matchMatmul(Value v);

/// Whether `v` is a `linalg.fill` of zero or a zero splat constant.
bool isZeroInit(Value v);

/// The single op of a one-result generic body whose result is yielded, or
/// null when the body has anything else.
Operation *singleBodyOp(linalg::GenericOp g);

/// Whether `v` is the body's block argument number `i`.
bool isBlockArg(Value v, unsigned i);

/// A generic whose iterators are all parallel and whose output map is the
/// identity (elementwise with broadcasting inputs).
bool isElementwise(linalg::GenericOp g);

/// Skips tensor.expand_shape / collapse_shape (unit dims in or out).
Value skipReshapes(Value v);

/// The value of an integer or float splat constant (any shape).
std::optional<int64_t> getIntSplat(Value v);
std::optional<double> getFloatSplat(Value v);

/// `v` as a double, rounded to nearest when its type is wider than double
/// (APFloat::convertToDouble asserts on such types).
double toDouble(const APFloat &v);

/// The single value a generic yields, or null.
Value yielded(linalg::GenericOp g);

/// The input operand a body value reads directly, or null.
OpOperand *inputOf(linalg::GenericOp g, Value v);

/// Whether `v` is the body's argument for the (single) output.
bool isOutArg(linalg::GenericOp g, Value v);

/// The generic defining `v` if it has one result, `rank` loops, all
/// parallel, and an identity output map; else null.
linalg::GenericOp elementwise(Value v, unsigned rank);

/// The input of an elementwise generic (identity maps) that only converts
/// floats: `arith.extf` (exact), or also `arith.truncf` when
/// `allowTruncation`; else null. Exporters of bf16 / f16 graphs put such
/// casts around the softmax.
Value floatCastSource(Value v, bool allowTruncation);

/// The float constant `init` is a linalg.fill of, if it is one.
std::optional<double> filledWith(Value init);

} // namespace mlir::loom::match

#endif // LOOM_PASSES_TRANSFORMS_MATCHERS_H
