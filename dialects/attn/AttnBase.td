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
  let summary = "Attention: dense, paged-KV, sparse; KV-cache writes, RoPE";
  let description = [{
    Attention at the level the importer and the model-level passes work on:
    tensors with value semantics, one op per attention call. The ops say what
    is computed (scaled dot-product attention, optionally over a paged KV
    cache, optionally restricted by causality, a sliding window, attention
    sinks or a structured sparsity attribute; the KV-cache update; rotary
    position embedding); how it is tiled (FlashAttention-style online softmax,
    split-K decode) is decided by the lowerings.

    Layouts are fixed so that every pass can rely on them: dense tensors are
    `[batch, heads, seq, head_dim]`; paged caches are
    `[num_blocks, block_size, kv_heads, head_dim]`. Grouped-query attention is
    expressed by giving the keys and values fewer heads than the queries.
    Every dimension may be dynamic (`?`); verifiers check what is static.
  }];
  // The dialect's attributes use the generated dispatch to their parsers.
  let useDefaultAttributePrinterParser = 1;

  let extraClassDeclaration = [{
    // Defined next to the attributes' storage (AttnAttrs.cpp).
    void registerAttributes();
  }];
}

class LoomAttn_Op<string mnemonic, list<Trait> traits = []>
    : Op<LoomAttn_Dialect, mnemonic, traits>;

#endif // LOOM_ATTN_BASE_TD
