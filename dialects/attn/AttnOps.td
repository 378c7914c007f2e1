//===- AttnOps.td - Operations of the loom_attn dialect ---------*- tablegen -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_ATTN_OPS_TD
#define LOOM_ATTN_OPS_TD

include "dialects/attn/AttnBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

#endif // LOOM_ATTN_OPS_TD
