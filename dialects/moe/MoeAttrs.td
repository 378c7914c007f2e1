//===- MoeAttrs.td - Attributes of the loom_moe dialect ----*- tablegen -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_MOE_ATTRS_TD
#define LOOM_MOE_ATTRS_TD

include "dialects/moe/MoeBase.td"
include "mlir/IR/EnumAttr.td"

def LoomMoe_Scoring : I32Enum<"Scoring",
    "how router logits become expert scores", [
  I32EnumCase<"Softmax", 0, "softmax">,
  I32EnumCase<"Sigmoid", 1, "sigmoid">,
  I32EnumCase<"Given", 2, "given">
]> {
  let cppNamespace = "::mlir::loom::moe";
  let description = [{
    `softmax`: a softmax over all experts of a token, then the top-k
    (Mixtral, Qwen-MoE). `sigmoid`: an independent sigmoid per expert, then
    the top-k (DeepSeek-V3). `given`: the input already holds the scores
    (a router whose softmax the graph computes and rounds itself, so that
    the selection sees exactly the graph's values).
  }];
}

// The default format prints the bare keyword (`softmax`) inside an op's
// custom syntax, and `#loom_moe<scoring softmax>` where it stands alone.
def LoomMoe_ScoringAttr
    : EnumAttr<LoomMoe_Dialect, LoomMoe_Scoring, "scoring">;

#endif // LOOM_MOE_ATTRS_TD
