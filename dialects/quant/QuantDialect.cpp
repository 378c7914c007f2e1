//===- QuantDialect.cpp - The loom_quant dialect ---------------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "dialects/quant/QuantDialect.h"

using namespace mlir;
using namespace mlir::loom::quant;

#include "dialects/quant/QuantDialect.cpp.inc"

void LoomQuantDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "dialects/quant/QuantOps.cpp.inc"
      >();
}
