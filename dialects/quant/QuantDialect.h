//===- QuantDialect.h - The loom_quant dialect -------------------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_QUANT_QUANTDIALECT_H
#define LOOM_DIALECTS_QUANT_QUANTDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/quant/QuantDialect.h.inc"
#include "dialects/quant/QuantEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/quant/QuantAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialects/quant/QuantOps.h.inc"

namespace mlir::loom::quant {

/// Checks that `scale` (and `zeroPoint`, when the scheme has one) fit a
/// tensor of logical shape `shape` quantized with `scheme`; `what` names the
/// quantized operand in the diagnostics ("weight", "input", ...).
LogicalResult verifyQuantParams(Operation *op, SchemeAttr scheme,
                                ArrayRef<int64_t> shape, Value scale,
                                Value zeroPoint, StringRef what);

/// Checks that `stored` can hold values of `scheme` whose logical shape is
/// `logical`: the element type and, for packed storage, the halved
/// innermost dimension.
LogicalResult verifyStoredTensor(Operation *op, SchemeAttr scheme,
                                 RankedTensorType stored,
                                 ArrayRef<int64_t> logical, StringRef what);

/// The logical shape of a stored tensor (the innermost dimension doubled
/// for packed storage).
SmallVector<int64_t> getLogicalShape(SchemeAttr scheme,
                                     RankedTensorType stored);

} // namespace mlir::loom::quant

#endif // LOOM_DIALECTS_QUANT_QUANTDIALECT_H
