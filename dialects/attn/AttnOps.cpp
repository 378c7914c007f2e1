//===- AttnOps.cpp - Verifiers and builders of loom_attn ops --------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "dialects/attn/AttnDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::loom::attn;

#define GET_OP_CLASSES
#include "dialects/attn/AttnOps.cpp.inc"
