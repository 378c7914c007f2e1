//===- AttnOps.td - Operations of the loom_attn dialect ---------*- tablegen -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Shapes: B batch, Hq query heads, Hkv key/value heads, Sq queries, Skv keys,
// D query/key head dim, Dv value head dim; paged caches are N blocks of P
// tokens. Every dimension may be dynamic; the verifiers compare only what is
// static on both sides.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_ATTN_OPS_TD
#define LOOM_ATTN_OPS_TD

include "dialects/attn/AttnBase.td"
include "dialects/attn/AttnAttrs.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

// The operand constraints fix ranks and element kinds; the C++ verifiers
// check how the shapes relate.
def LoomAttn_FloatTensor4D : 4DTensorOf<[AnyFloat]>;
def LoomAttn_FloatTensor3D : 3DTensorOf<[AnyFloat]>;
def LoomAttn_FloatTensor2D : 2DTensorOf<[AnyFloat]>;
def LoomAttn_MaskTensor : RankedTensorOf<[I1, AnyFloat]>;
def LoomAttn_BiasTensor : RankedTensorOf<[AnyFloat]>;

def LoomAttn_SparsityAttr : AnyAttrOf<[LoomAttn_BlockSparseAttr,
                                       LoomAttn_StridedAttr]>;

// Which scores survive and how they are scaled; shared by attention and
// paged_attention (checked by one C++ helper, verifyScoreAttrs).
defvar LoomAttn_ScoreAttrs = (ins
  OptionalAttr<F32Attr>:$scale,
  UnitAttr:$causal,
  OptionalAttr<DenseI64ArrayAttr>:$window,
  OptionalAttr<I64Attr>:$sinks,
  OptionalAttr<F32Attr>:$softcap
);

// Each attribute behind a keyword, values in parentheses: a dialect
// attribute directly before the `:` of the types would swallow it.
defvar LoomAttn_ScoreAttrsFormat = [{
  (`scale` `(` $scale^ `)`)?
  (`causal` $causal^)?
  (`window` `(` custom<Window>($window)^ `)`)?
  (`sinks` `(` $sinks^ `)`)?
  (`softcap` `(` $softcap^ `)`)?
}];

defvar LoomAttn_ScoreSemantics = [{
    Scores and masking, per batch `b` and query head `h` (which reads
    key/value head `h / (Hq / Hkv)`: multi-head, grouped-query and multi-query
    attention):

    1. `s[i, j] = scale * dot(q[i], k[j])`; `scale` defaults to `1 / sqrt(D)`
       (`getScaleOrDefault()` in C++) and must be > 0.
    2. With `softcap(c)` (c > 0): `s = c * tanh(s / c)` (Gemma 2, Grok).
    3. Query `i` sits at position `p(i) = i + Skv - Sq`: the queries are the
       last `Sq` tokens of the key sequence (bottom-right alignment, as in
       decode and in chunked prefill over a KV cache). Key `j` is dropped
       (`s[i, j] = -inf`) when
       * `causal` is set and `j > p(i)`;
       * `window(left, right)` is set and `j < p(i) - left` or
         `j > p(i) + right` (`-1`: unbounded on that side; `window(4095, 0)`
         is Mistral's sliding window);
       * but with `sinks(n)` the first `n` keys (`j < n`) are kept whatever
         the window says (StreamingLLM attention sinks); `causal` still
         applies to them.
    4. `o[i] = sum_j softmax_j(s[i, :]) * v[j]`. A row whose keys are all
       dropped gives zeros.

    `Q K^T`, the softmax and `P V` accumulate in f32 whatever the operand
    element types; the result is rounded to the element type of the values.
}];

//===----------------------------------------------------------------------===//
// attention
//===----------------------------------------------------------------------===//

def LoomAttn_AttentionOp : LoomAttn_Op<"attention", [
    Pure, AttrSizedOperandSegments]> {
  let summary = "Scaled dot-product attention over dense query, key, value";
  let description = !strconcat([{
    Operands: `query` `[B, Hq, Sq, D]`, `key` `[B, Hkv, Skv, D]`, `value`
    `[B, Hkv, Skv, Dv]`; result `[B, Hq, Sq, Dv]` in the element type of
    `value`. `Hq` must be a multiple of `Hkv`.
  }], LoomAttn_ScoreSemantics, [{
    Further restrictions, applied before the softmax:

    * `mask(%m : type)`: an `i1` mask drops the scores where it is false; a
      float mask is added to them (additive mask, `-inf` drops).
    * `bias(%b : type)`: a float tensor added to the scores after the
      soft-capping (ALiBi, relative position biases).
    * `sparsity(#loom_attn.block_sparse<...>)` or
      `sparsity(#loom_attn.strided<...>)`: structured sparsity; a score in
      a block the attribute excludes is dropped (sinks stay visible).

    `mask` and `bias` have rank at most 4 and broadcast to `[B, Hq, Sq, Skv]`
    with numpy's right-aligned rules: every static dimension is 1 or equal to
    the one it lines up with.

    Precision: scores, softmax and `P V` are computed in f32 whatever the
    operand types (see above). A bf16 / f16 graph raised into this op
    (`loom-raise-attention` looks through the f32 upcast of the logits and
    the downcast of `P` that exporters put around the softmax, and through
    contractions that accumulate in the narrow type) therefore gives a
    result at least as precise as the graph it replaces, not bit-identical
    to it.

    The op carries no tiling: lowerings turn it into a FlashAttention-style
    kernel (online softmax over key tiles) and skip tiles that `causal`,
    `window` or `sparsity` exclude.

    Example (grouped-query causal prefill with a sliding window, and a
    block-sparse variant with an additive mask):

    ```mlir
    %o = loom_attn.attention %q, %k, %v causal window(4095, 0)
        : tensor<1x32x512x128xbf16>, tensor<1x8x512x128xbf16>,
          tensor<1x8x512x128xbf16> -> tensor<1x32x512x128xbf16>
    %s = loom_attn.attention %q, %k, %v mask(%m : tensor<512x512xf32>)
        scale(0.125) sparsity(#loom_attn.block_sparse<q_block = 256,
          kv_block = 256, layout = dense<true> : tensor<1x2x2xi1>>)
        : tensor<1x32x512x128xbf16>, tensor<1x8x512x128xbf16>,
          tensor<1x8x512x128xbf16> -> tensor<1x32x512x128xbf16>
    ```
  }]);

  let arguments = !con((ins
    LoomAttn_FloatTensor4D:$query,
    LoomAttn_FloatTensor4D:$key,
    LoomAttn_FloatTensor4D:$value,
    Optional<LoomAttn_MaskTensor>:$mask,
    Optional<LoomAttn_BiasTensor>:$bias),
    LoomAttn_ScoreAttrs,
    (ins OptionalAttr<LoomAttn_SparsityAttr>:$sparsity));
  let results = (outs LoomAttn_FloatTensor4D:$result);

  let assemblyFormat = !strconcat([{
    $query `,` $key `,` $value
    (`mask` `(` $mask^ `:` type($mask) `)`)?
    (`bias` `(` $bias^ `:` type($bias) `)`)?
  }], LoomAttn_ScoreAttrsFormat, [{
    (`sparsity` `(` $sparsity^ `)`)?
    attr-dict `:` type($query) `,` type($key) `,` type($value)
    `->` type($result)
  }]);

  let builders = [
    // The result type follows from the operands: [B, Hq, Sq, Dv] in the
    // element type of the value. Attributes are set afterwards through the
    // generated setters (setCausal, setWindow, ...).
    OpBuilder<(ins "Value":$query, "Value":$key, "Value":$value,
                   CArg<"Value", "{}">:$mask, CArg<"Value", "{}">:$bias)>
  ];

  let hasVerifier = 1;

  let extraClassDeclaration = [{
    /// The softmax scale: the attribute if set, else 1/sqrt(D); std::nullopt
    /// when neither is known statically (no attribute, dynamic D).
    std::optional<double> getScaleOrDefault();
  }];
}

//===----------------------------------------------------------------------===//
// paged_attention
//===----------------------------------------------------------------------===//

def LoomAttn_PagedAttentionOp : LoomAttn_Op<"paged_attention", [Pure]> {
  let summary = "Attention over a paged KV cache (decode, chunked prefill)";
  let description = !strconcat([{
    Attention of the newest `Sq` tokens of each sequence over that sequence's
    keys and values, which live in fixed-size blocks of a shared cache
    (vLLM's PagedAttention, FlashInfer's page table):

    * `query`: `[B, Hq, Sq, D]`; `Sq = 1` is decode, `Sq > 1` chunked
      prefill or speculative verification.
    * `k_cache`: `[N, P, Hkv, D]`, `v_cache`: `[N, P, Hkv, Dv]`: `N` blocks
      of `P` tokens each.
    * `block_table`: `[B, M]` i32: token `t` of sequence `b` is at
      `k_cache[block_table[b, t / P], t % P]`.
    * `seq_lens`: `[B]` i32: tokens of each sequence in the cache, the new
      ones included (they are written first with `loom_attn.kv_cache_write`).
      Sequence `b` plays the role of `Skv = seq_lens[b]` below.
    * result: `[B, Hq, Sq, Dv]` in the element type of `v_cache`.
  }], LoomAttn_ScoreSemantics, [{
    Lowerings may split the key range across thread blocks (split-K decode).

    Example:

    ```mlir
    %o = loom_attn.paged_attention %q, %kc, %vc, %table, %lens causal
        : tensor<4x32x1x128xbf16>, tensor<1024x16x8x128xbf16>,
          tensor<1024x16x8x128xbf16>, tensor<4x64xi32>, tensor<4xi32>
          -> tensor<4x32x1x128xbf16>
    ```
  }]);

  let arguments = !con((ins
    LoomAttn_FloatTensor4D:$query,
    LoomAttn_FloatTensor4D:$k_cache,
    LoomAttn_FloatTensor4D:$v_cache,
    2DTensorOf<[I32]>:$block_table,
    1DTensorOf<[I32]>:$seq_lens),
    LoomAttn_ScoreAttrs);
  let results = (outs LoomAttn_FloatTensor4D:$result);

  let assemblyFormat = !strconcat([{
    $query `,` $k_cache `,` $v_cache `,` $block_table `,` $seq_lens
  }], LoomAttn_ScoreAttrsFormat, [{
    attr-dict `:` type($query) `,` type($k_cache) `,` type($v_cache)
    `,` type($block_table) `,` type($seq_lens) `->` type($result)
  }]);

  let builders = [
    // The result type follows from the operands: [B, Hq, Sq, Dv] in the
    // element type of v_cache.
    OpBuilder<(ins "Value":$query, "Value":$k_cache, "Value":$v_cache,
                   "Value":$block_table, "Value":$seq_lens)>
  ];

  let hasVerifier = 1;

  let extraClassDeclaration = [{
    /// As AttentionOp::getScaleOrDefault.
    std::optional<double> getScaleOrDefault();
  }];
}

//===----------------------------------------------------------------------===//
// kv_cache_write
//===----------------------------------------------------------------------===//

def LoomAttn_KvCacheWriteOp : LoomAttn_Op<"kv_cache_write", [
    Pure, DestinationStyleOpInterface,
    AllTypesMatch<["k_cache", "new_k_cache"]>,
    AllTypesMatch<["v_cache", "new_v_cache"]>]> {
  let summary = "Scatters new tokens' keys and values into paged caches";
  let description = [{
    Writes token `t` of `k` (`[T, Hkv, D]`) and `v` (`[T, Hkv, Dv]`) into
    `k_cache` (`[N, P, Hkv, D]`) and `v_cache` (`[N, P, Hkv, Dv]`) at slot
    `slot_mapping[t]` (`[T]` i32), i.e. block `slot / P`, offset `slot % P`.
    A negative slot skips the token (padding), as in vLLM's
    `reshape_and_cache`. Slots must be distinct.

    Value semantics: the results are the updated caches, with the caches'
    types. The caches are the op's destinations
    (`DestinationStyleOpInterface`), so bufferization can update them in
    place.

    Example:

    ```mlir
    %kc2, %vc2 = loom_attn.kv_cache_write %k, %v into %kc, %vc at %slots
        : tensor<4x8x128xbf16>, tensor<4x8x128xbf16>, tensor<4xi32>
          -> tensor<1024x16x8x128xbf16>, tensor<1024x16x8x128xbf16>
    ```
  }];

  let arguments = (ins
    LoomAttn_FloatTensor3D:$k,
    LoomAttn_FloatTensor3D:$v,
    LoomAttn_FloatTensor4D:$k_cache,
    LoomAttn_FloatTensor4D:$v_cache,
    1DTensorOf<[I32]>:$slot_mapping
  );
  let results = (outs
    LoomAttn_FloatTensor4D:$new_k_cache,
    LoomAttn_FloatTensor4D:$new_v_cache
  );

  let assemblyFormat = [{
    $k `,` $v `into` $k_cache `,` $v_cache `at` $slot_mapping attr-dict
    `:` type($k) `,` type($v) `,` type($slot_mapping)
    `->` type($k_cache) `,` type($v_cache)
  }];

  let hasVerifier = 1;

  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() {
      // k_cache and v_cache are operands 2 and 3.
      return MutableOperandRange(getOperation(), 2, 2);
    }
  }];
}

//===----------------------------------------------------------------------===//
// rope
//===----------------------------------------------------------------------===//

def LoomAttn_RopeOp : LoomAttn_Op<"rope", [
    Pure, AllTypesMatch<["x", "result"]>]> {
  let summary = "Rotary position embedding (RoPE)";
  let description = [{
    Rotates channel pairs of `x` (`[B, H, S, D]`) by position-dependent
    angles read from precomputed tables: with `p = positions[b, s]`
    (`[B, S]`, i32 or i64), `c = cos_cache[p, i]`, `n = sin_cache[p, i]`
    (caches `[max_pos, R / 2]`, float) and `R = rotary_dim` (default `D`):

    * default, half-split (GPT-NeoX, Llama): pair `i < R / 2` is channels
      `(i, i + R / 2)`;
    * `interleaved` (GPT-J): pair `i` is channels `(2i, 2i + 1)`;

    and each pair `(x1, x2)` becomes `(x1 * c - x2 * n, x2 * c + x1 * n)`,
    computed in f32. Channels `R .. D - 1` pass through unchanged (partial
    rotary, as in GPT-NeoX and Phi). `rotary_dim` is even and
    `0 < rotary_dim <= D`. A position outside `[0, max_pos)` gives
    unspecified results. The result has the type of `x`.

    Example:

    ```mlir
    %qr = loom_attn.rope %q, %pos, %cos, %sin
        : tensor<1x32x512x128xbf16>, tensor<1x512xi32>, tensor<4096x64xf32>,
          tensor<4096x64xf32>
    ```
  }];

  let arguments = (ins
    LoomAttn_FloatTensor4D:$x,
    2DTensorOf<[I32, I64]>:$positions,
    LoomAttn_FloatTensor2D:$cos_cache,
    LoomAttn_FloatTensor2D:$sin_cache,
    UnitAttr:$interleaved,
    OptionalAttr<I64Attr>:$rotary_dim
  );
  let results = (outs LoomAttn_FloatTensor4D:$result);

  let assemblyFormat = [{
    $x `,` $positions `,` $cos_cache `,` $sin_cache
    (`interleaved` $interleaved^)?
    (`rotary_dim` `(` $rotary_dim^ `)`)?
    attr-dict `:` type($x) `,` type($positions) `,` type($cos_cache) `,`
    type($sin_cache)
  }];

  let builders = [
    // The result has the type of x; half-split over all channels unless
    // told otherwise.
    OpBuilder<(ins "Value":$x, "Value":$positions, "Value":$cos_cache,
                   "Value":$sin_cache, CArg<"bool", "false">:$interleaved,
                   CArg<"std::optional<int64_t>", "std::nullopt">:$rotary_dim),
    [{
      build($_builder, $_state, x.getType(), x, positions, cos_cache,
            sin_cache, interleaved,
            rotary_dim ? $_builder.getI64IntegerAttr(*rotary_dim)
                       : IntegerAttr());
    }]>
  ];

  let hasVerifier = 1;

  let extraClassDeclaration = [{
    /// Rotated channels: rotary_dim if set, else D (std::nullopt when D is
    /// dynamic).
    std::optional<int64_t> getRotaryDimOrDefault();
  }];
}

#endif // LOOM_ATTN_OPS_TD
