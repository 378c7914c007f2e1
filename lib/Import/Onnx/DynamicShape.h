//===- DynamicShape.h - Shape ops driven by runtime tensors -----*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Variants of Reshape/Slice/Split/Pad/Tile/OneHot/Squeeze/Unsqueeze/CumSum/
// ReduceSum for when their shape, index or axis operand is a graph input
// rather than a constant: the sizes are computed with arith at run time and
// the results carry dynamic dims.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_IMPORT_ONNX_DYNAMICSHAPE_H
#define LOOM_LIB_IMPORT_ONNX_DYNAMICSHAPE_H

#include "mlir/Support/LLVM.h"

namespace mlir::loom::onnx_import {
class NodeImporter;

LogicalResult reshapeRuntime(NodeImporter &n);
LogicalResult sliceRuntime(NodeImporter &n);
LogicalResult expandRuntime(NodeImporter &n);
LogicalResult splitRuntime(NodeImporter &n, int64_t axis);
LogicalResult padRuntime(NodeImporter &n, StringRef mode);
LogicalResult tileRuntime(NodeImporter &n);
LogicalResult oneHotRuntime(NodeImporter &n);
LogicalResult unsqueezeRuntime(NodeImporter &n);
LogicalResult squeezeRuntime(NodeImporter &n);

} // namespace mlir::loom::onnx_import

#endif // LOOM_LIB_IMPORT_ONNX_DYNAMICSHAPE_H
