//===- MoeDialect.cpp - The loom_moe dialect ----------------------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "dialects/moe/MoeDialect.h"

using namespace mlir;
using namespace mlir::loom::moe;

#include "dialects/moe/MoeDialect.cpp.inc"

void LoomMoeDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/moe/MoeOps.cpp.inc"
      >();
}
