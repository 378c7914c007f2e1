//===- AttnDialect.cpp - The loom_attn dialect ----------------------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "dialects/attn/AttnDialect.h"

using namespace mlir;
using namespace mlir::loom::attn;

#include "dialects/attn/AttnDialect.cpp.inc"

void LoomAttnDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "dialects/attn/AttnOps.cpp.inc"
      >();
}
