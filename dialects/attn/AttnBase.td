//===- AttnBase.td - The loom_attn dialect ----------------------*- tablegen -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_ATTN_BASE_TD
#define LOOM_ATTN_BASE_TD

include "mlir/IR/OpBase.td"

def LoomAttn_Dialect : Dialect {
  let name = "loom_attn";
  let cppNamespace = "::mlir::loom::attn";
  let summary = "Attention: flash, paged-KV decode, sparse patterns";
}

class LoomAttn_Op<string mnemonic, list<Trait> traits = []>
    : Op<LoomAttn_Dialect, mnemonic, traits>;

#endif // LOOM_ATTN_BASE_TD
