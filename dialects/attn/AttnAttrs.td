//===- AttnAttrs.td - Attributes of the loom_attn dialect -------*- tablegen -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_ATTN_ATTRS_TD
#define LOOM_ATTN_ATTRS_TD

include "dialects/attn/AttnBase.td"
include "mlir/IR/AttrTypeBase.td"

def LoomAttn_PatternAttr : AttrDef<LoomAttn_Dialect, "Pattern"> {
  let mnemonic = "pattern";
  let summary = "Structured sparsity pattern of an attention score matrix";
  let description = [{
    Says which keys a query may attend to, as a rule on positions rather than
    as a materialized mask, so that lowerings can skip whole tiles that the
    pattern excludes.

    Positions are absolute: key `k` is the `k`-th entry of the key sequence,
    and query `i` of a sequence of `Sq` queries over `Skv` keys sits at
    position `q = i + Skv - Sq` (the queries are the last `Sq` tokens, as in
    prefill that extends a KV cache). Key `k` is visible to query `q` iff

    * `causal` is absent, or `k <= q`; and
    * `window` is absent, or `|q - k| < window`, or `k < sinks`.

    `causal` gives decoder (autoregressive) attention; `window` a sliding
    window (Mistral, Longformer); `sinks` keeps the first tokens visible to
    every query (StreamingLLM attention sinks) and needs a window.
    A pattern restricts something: dense attention carries no pattern.

    Example:

    ```mlir
    #loom_attn.pattern<causal>
    #loom_attn.pattern<causal, window = 4096>
    #loom_attn.pattern<causal, window = 1024, sinks = 4>
    ```
  }];

  let parameters = (ins
    "bool":$causal,
    OptionalParameter<"std::optional<int64_t>",
                      "width of the sliding window, in tokens">:$window,
    DefaultValuedParameter<"int64_t", "0",
                           "leading tokens visible to every query">:$sinks
  );

  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;

  let extraClassDeclaration = [{
    /// Whether the key at absolute position `key` is visible to the query at
    /// absolute position `query` (the rule in the description).
    bool isVisible(int64_t query, int64_t key) const;
  }];
}

#endif // LOOM_ATTN_ATTRS_TD
