//===- LinalgMatchers.h - Small matchers on linalg.generic ------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// What the raising passes ask of the importer's linalg.generic ops: the
// value a body yields, which input a body value reads, splat constants.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_TRANSFORMS_LINALGMATCHERS_H
#define LOOM_PASSES_TRANSFORMS_LINALGMATCHERS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"

#include <optional>

namespace mlir::loom::match {

/// The value of a splat float constant (tensor or scalar).
inline std::optional<double> getSplatFloat(Value v) {
  DenseFPElementsAttr dense;
  if (matchPattern(v, m_Constant(&dense)) && dense.isSplat())
    return dense.getSplatValue<APFloat>().convertToDouble();
  FloatAttr scalar;
  if (matchPattern(v, m_Constant(&scalar)))
    return scalar.getValueAsDouble();
  return std::nullopt;
}

/// The single value a generic yields, or null.
inline Value yielded(linalg::GenericOp g) {
  auto yield = cast<linalg::YieldOp>(g.getBody()->getTerminator());
  return yield.getNumOperands() == 1 ? yield.getOperand(0) : Value();
}

/// The input operand a body value reads directly, or null.
inline OpOperand *inputOf(linalg::GenericOp g, Value v) {
  auto arg = dyn_cast<BlockArgument>(v);
  if (!arg || arg.getOwner() != g.getBody() ||
      arg.getArgNumber() >= g.getNumDpsInputs())
    return nullptr;
  return g.getDpsInputOperand(arg.getArgNumber());
}

inline bool isOutArg(linalg::GenericOp g, Value v) {
  auto arg = dyn_cast<BlockArgument>(v);
  return arg && arg.getOwner() == g.getBody() &&
         arg.getArgNumber() == g.getNumDpsInputs();
}

/// A generic with one result, `rank` loops, all parallel, identity output.
inline linalg::GenericOp elementwise(Value v, unsigned rank) {
  auto g = v.getDefiningOp<linalg::GenericOp>();
  if (!g || g.getNumDpsInits() != 1 || g.getNumLoops() != rank ||
      g.getNumReductionLoops() != 0 ||
      !g.getMatchingIndexingMap(g.getDpsInitOperand(0)).isIdentity())
    return nullptr;
  return g;
}

/// True if `init` is a linalg.fill of a float constant; the constant.
inline std::optional<double> filledWith(Value init) {
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (!fill)
    return std::nullopt;
  return getSplatFloat(fill.getInputs()[0]);
}

} // namespace mlir::loom::match

#endif // LOOM_PASSES_TRANSFORMS_LINALGMATCHERS_H
