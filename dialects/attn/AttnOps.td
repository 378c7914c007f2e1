//===- AttnOps.td - Operations of the loom_attn dialect ---------*- tablegen -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_ATTN_OPS_TD
#define LOOM_ATTN_OPS_TD

include "dialects/attn/AttnBase.td"
include "dialects/attn/AttnAttrs.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

// Shapes are checked in the verifiers (ranks, matching and dynamic dims), so
// the operand constraints only fix ranks and element kinds.
def LoomAttn_FloatTensor4D : 4DTensorOf<[AnyFloat]>;
def LoomAttn_FloatTensor3D : 3DTensorOf<[AnyFloat]>;
def LoomAttn_MaskTensor : 4DTensorOf<[I1, AnyFloat]>;
def LoomAttn_IndexTensor1D : 1DTensorOf<[I32, I64]>;
def LoomAttn_IndexTensor2D : 2DTensorOf<[I32, I64]>;

//===----------------------------------------------------------------------===//
// attention
//===----------------------------------------------------------------------===//

def LoomAttn_AttentionOp : LoomAttn_Op<"attention", [Pure]> {
  let summary = "Scaled dot-product attention over dense query, key, value";
  let description = [{
    Computes `softmax(scale * Q K^T + mask) V` per batch and head:

    * `query`: `[B, H, Sq, D]`, `key`: `[B, Hkv, Skv, D]`,
      `value`: `[B, Hkv, Skv, Dv]`, result: `[B, H, Sq, Dv]`.
    * `H` must be a multiple of `Hkv`; query head `h` reads key/value head
      `h / (H / Hkv)` (grouped-query and multi-query attention).
    * `scale` defaults to `1 / sqrt(D)`.
    * `mask` (optional) is `[B or 1, H or 1, Sq, Skv]`: `i1` keeps a score
      where true; a float mask is added to the scaled scores.
    * `pattern` (optional) restricts the visible keys by position (causal,
      sliding window, sinks); see `#loom_attn.pattern`. It combines with
      `mask`: a score counts only if both allow it.

    `query` and `key` share an element type (the `Q K^T` product); `value`
    and the result may differ (e.g. fp8 operands accumulating into bf16).
    The op carries no tiling: lowerings turn it into a FlashAttention-style
    kernel (online softmax over key tiles).

    Example (grouped-query, causal prefill):

    ```mlir
    %o = loom_attn.attention %q, %k, %v scale(0.125) pattern<causal>
        : tensor<1x32x512x128xbf16>, tensor<1x8x512x128xbf16>,
          tensor<1x8x512x128xbf16> -> tensor<1x32x512x128xbf16>
    ```
  }];

  let arguments = (ins
    LoomAttn_FloatTensor4D:$query,
    LoomAttn_FloatTensor4D:$key,
    LoomAttn_FloatTensor4D:$value,
    Optional<LoomAttn_MaskTensor>:$mask,
    OptionalAttr<F32Attr>:$scale,
    OptionalAttr<LoomAttn_PatternAttr>:$pattern
  );
  let results = (outs LoomAttn_FloatTensor4D:$result);

  let assemblyFormat = [{
    $query `,` $key `,` $value
    (`mask` `(` $mask^ `:` type($mask) `)`)?
    (`scale` `(` $scale^ `)`)?
    (`pattern` `` $pattern^)?
    attr-dict `:` type($query) `,` type($key) `,` type($value)
    `->` type($result)
  }];

  let builders = [
    // The result type follows from the operands: [B, H, Sq, Dv] in the
    // element type of the query.
    OpBuilder<(ins "Value":$query, "Value":$key, "Value":$value,
                   CArg<"Value", "{}">:$mask,
                   CArg<"FloatAttr", "{}">:$scale,
                   CArg<"PatternAttr", "{}">:$pattern)>
  ];

  let hasVerifier = 1;

  let extraClassDeclaration = [{
    /// The softmax scale: the attribute if set, else 1/sqrt(D) when the head
    /// dimension is static; std::nullopt when it must be computed at run time.
    std::optional<double> getStaticScale();
  }];
}

//===----------------------------------------------------------------------===//
// paged_decode
//===----------------------------------------------------------------------===//

def LoomAttn_PagedDecodeOp : LoomAttn_Op<"paged_decode", [Pure]> {
  let summary = "Single-token decode attention over a paged KV cache";
  let description = [{
    Attention of one new query token per sequence over that sequence's
    cached keys and values, which live in fixed-size blocks of a shared
    cache (vLLM's PagedAttention, FlashInfer's page table):

    * `query`: `[B, H, D]`, one token per sequence.
    * `key_cache`: `[N, P, Hkv, D]`, `value_cache`: `[N, P, Hkv, Dv]`:
      `N` blocks of `P` tokens each.
    * `block_table`: `[B, M]`: entry `(b, j)` is the cache block holding
      tokens `j*P .. j*P+P-1` of sequence `b`.
    * `seq_lens`: `[B]`: number of cached tokens of each sequence, the new
      token included (it was written with `loom_attn.kv_cache_write`).
    * result: `[B, H, Dv]`.

    The query sits at position `seq_lens[b] - 1` and sees keys
    `0 .. seq_lens[b] - 1`, further restricted by `pattern` (sliding window,
    sinks). `scale` defaults to `1 / sqrt(D)`; heads are grouped as in
    `loom_attn.attention`. Lowerings may split the key range across thread
    blocks (split-K / stream-K decode).

    Example:

    ```mlir
    %o = loom_attn.paged_decode %q, %kc, %vc, %table, %lens
        : tensor<4x32x128xbf16>, tensor<1024x16x8x128xbf16>,
          tensor<1024x16x8x128xbf16>, tensor<4x64xi32>, tensor<4xi32>
          -> tensor<4x32x128xbf16>
    ```
  }];

  let arguments = (ins
    LoomAttn_FloatTensor3D:$query,
    LoomAttn_FloatTensor4D:$key_cache,
    LoomAttn_FloatTensor4D:$value_cache,
    LoomAttn_IndexTensor2D:$block_table,
    LoomAttn_IndexTensor1D:$seq_lens,
    OptionalAttr<F32Attr>:$scale,
    OptionalAttr<LoomAttn_PatternAttr>:$pattern
  );
  let results = (outs LoomAttn_FloatTensor3D:$result);

  let assemblyFormat = [{
    $query `,` $key_cache `,` $value_cache `,` $block_table `,` $seq_lens
    (`scale` `(` $scale^ `)`)?
    (`pattern` `` $pattern^)?
    attr-dict `:` type($query) `,` type($key_cache) `,` type($value_cache)
    `,` type($block_table) `,` type($seq_lens) `->` type($result)
  }];

  let hasVerifier = 1;

  let extraClassDeclaration = [{
    /// As AttentionOp::getStaticScale.
    std::optional<double> getStaticScale();
  }];
}

//===----------------------------------------------------------------------===//
// kv_cache_write
//===----------------------------------------------------------------------===//

def LoomAttn_KvCacheWriteOp : LoomAttn_Op<"kv_cache_write", [
    Pure, DestinationStyleOpInterface,
    AllTypesMatch<["cache", "result"]>]> {
  let summary = "Scatters new tokens' keys or values into a paged cache";
  let description = [{
    Writes token `t` of `update` (`[T, Hkv, D]`) into the cache
    (`[N, P, Hkv, D]`) at flat slot `slots[t]`, i.e. block `slots[t] / P`,
    offset `slots[t] % P`; a negative slot skips the token (padding). The
    result is the updated cache. Slots must be distinct.

    The cache is the op's destination (`DestinationStyleOpInterface`), so
    bufferization can update it in place.

    Example:

    ```mlir
    %kc2 = loom_attn.kv_cache_write %k into %kc[%slots]
        : tensor<4x8x128xbf16>, tensor<4xi32> -> tensor<1024x16x8x128xbf16>
    ```
  }];

  let arguments = (ins
    LoomAttn_FloatTensor3D:$update,
    LoomAttn_FloatTensor4D:$cache,
    LoomAttn_IndexTensor1D:$slots
  );
  let results = (outs LoomAttn_FloatTensor4D:$result);

  let assemblyFormat = [{
    $update `into` $cache `[` $slots `]` attr-dict
    `:` type($update) `,` type($slots) `->` type($cache)
  }];

  let hasVerifier = 1;

  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() { return getCacheMutable(); }
  }];
}

#endif // LOOM_ATTN_OPS_TD
