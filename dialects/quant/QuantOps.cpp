//===- QuantOps.cpp - Verifiers and builders of loom_quant ops --------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "dialects/quant/QuantDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::loom::quant;

#define GET_OP_CLASSES
#include "dialects/quant/QuantOps.cpp.inc"
