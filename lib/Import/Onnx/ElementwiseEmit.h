//===- ElementwiseEmit.h - One ONNX elementwise node to linalg --*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IMPORT_ONNX_ELEMENTWISEEMIT_H
#define LOOM_IMPORT_ONNX_ELEMENTWISEEMIT_H

#include "Builders.h"
#include "ConstFold.h"
#include "Importer.h"
#include "OpTable.h"

namespace mlir::loom::onnx_import {

/// Builds the node's elementwise linalg.generic over `ins` (numpy
/// broadcasting) with `fn` as its body, folds it when `hostFn` is given and
/// every input is a known constant (`inputIdx`: the node input of each of
/// `ins`, when they differ), and defines output 0.
LogicalResult
emitElementwise(NodeImporter &n, ValueRange ins, Type resultElem, ScalarFn fn,
                function_ref<HostScalar(ArrayRef<HostScalar>)> hostFn = nullptr,
                ArrayRef<unsigned> inputIdx = {});

} // namespace mlir::loom::onnx_import

#endif // LOOM_IMPORT_ONNX_ELEMENTWISEEMIT_H
