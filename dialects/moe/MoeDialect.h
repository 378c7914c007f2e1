//===- MoeDialect.h - The loom_moe dialect -------------------------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_MOE_MOEDIALECT_H
#define LOOM_DIALECTS_MOE_MOEDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/moe/MoeDialect.h.inc"

// Enums and attributes come first: the op classes use them.
#include "dialects/moe/MoeEnums.h.inc"
#define GET_ATTRDEF_CLASSES
#include "dialects/moe/MoeAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialects/moe/MoeOps.h.inc"

#endif // LOOM_DIALECTS_MOE_MOEDIALECT_H
