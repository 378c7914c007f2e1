//===- ConvPoolOps.cpp - placeholder ---===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "OpTable.h"

void mlir::loom::onnx_import::registerConvPoolOps(OpTable &) {}
