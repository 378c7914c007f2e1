//===- ConstFold.h - Import-time evaluation of small tensors ----*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Exporters compute shapes with Shape/Gather/Concat/Cast/arith nodes; when
// their inputs are known the importer evaluates them on the host so that
// Reshape/Expand/Slice see constant operands and static types.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_IMPORT_ONNX_CONSTFOLD_H
#define LOOM_LIB_IMPORT_ONNX_CONSTFOLD_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <vector>

namespace mlir::loom::onnx_import {

/// One element: integers keep full int64 precision, floats are doubles.
struct HostScalar {
  bool isFloat = false;
  double f = 0;
  int64_t i = 0;
  double asF() const { return isFloat ? f : (double)i; }
  int64_t asI() const { return isFloat ? (int64_t)f : i; }
  static HostScalar ofF(double v) { return {true, v, 0}; }
  static HostScalar ofI(int64_t v) { return {false, 0, v}; }
};

/// Largest tensor the importer evaluates on the host.
constexpr int64_t kMaxFoldElements = 4096;

/// Elements of a constant (unsigned integers zero-extended).
std::vector<HostScalar> hostValues(DenseElementsAttr a, bool isUnsigned);

/// Builds an attribute of `type` from host values.
DenseElementsAttr hostAttr(RankedTensorType type, ArrayRef<HostScalar> vals);

/// Numpy-broadcast elementwise evaluation; null when an input is missing or
/// the result is too large.
DenseElementsAttr
foldElementwise(ArrayRef<DenseElementsAttr> ins, ArrayRef<bool> unsignedIns,
                RankedTensorType outType,
                function_ref<HostScalar(ArrayRef<HostScalar>)> fn);

} // namespace mlir::loom::onnx_import

#endif // LOOM_LIB_IMPORT_ONNX_CONSTFOLD_H
