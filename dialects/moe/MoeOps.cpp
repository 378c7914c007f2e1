//===- MoeOps.cpp - Verifiers and builders of loom_moe ops --------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "dialects/moe/MoeDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::loom::moe;

#define GET_OP_CLASSES
#include "dialects/moe/MoeOps.cpp.inc"
