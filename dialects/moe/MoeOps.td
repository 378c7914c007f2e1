//===- MoeOps.td - Operations of the loom_moe dialect ---------*- tablegen -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_MOE_OPS_TD
#define LOOM_MOE_OPS_TD

include "dialects/moe/MoeBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

#endif // LOOM_MOE_OPS_TD
