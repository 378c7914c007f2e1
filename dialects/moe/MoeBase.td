//===- MoeBase.td - The loom_moe dialect ----------------------*- tablegen -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_MOE_BASE_TD
#define LOOM_MOE_BASE_TD

include "mlir/IR/OpBase.td"

def LoomMoe_Dialect : Dialect {
  let name = "loom_moe";
  let cppNamespace = "::mlir::loom::moe";
  let summary = "Mixture of experts: routing, dispatch, grouped GEMM, combine";
}

class LoomMoe_Op<string mnemonic, list<Trait> traits = []>
    : Op<LoomMoe_Dialect, mnemonic, traits>;

#endif // LOOM_MOE_BASE_TD
