//===- QuantOps.td - Operations of the loom_quant dialect ---------*- tablegen -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_QUANT_OPS_TD
#define LOOM_QUANT_OPS_TD

include "dialects/quant/QuantBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

#endif // LOOM_QUANT_OPS_TD
