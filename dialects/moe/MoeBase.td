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
  let description = [{
    The four steps of a mixture-of-experts layer as tensor ops: `route` picks
    the top-k experts of each token, `dispatch` groups the token rows by
    expert, `grouped_matmul` runs each expert's weights on its row block,
    and `combine` scatters the rows back and sums them with the routing
    weights. Keeping them as ops (instead of gathers and loops) lets the
    compiler pick a grouped-GEMM kernel and fuse the data movement around it.
  }];
  // The `scoring` enum is an attribute of this dialect.
  let useDefaultAttributePrinterParser = 1;
}

class LoomMoe_Op<string mnemonic, list<Trait> traits = []>
    : Op<LoomMoe_Dialect, mnemonic, traits>;

#endif // LOOM_MOE_BASE_TD
