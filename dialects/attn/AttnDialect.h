//===- AttnDialect.h - The loom_attn dialect -------------------------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_ATTN_ATTNDIALECT_H
#define LOOM_DIALECTS_ATTN_ATTNDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/attn/AttnDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/attn/AttnAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialects/attn/AttnOps.h.inc"

#endif // LOOM_DIALECTS_ATTN_ATTNDIALECT_H
