// RUN: loom-opt %s --split-input-file | loom-opt --split-input-file | FileCheck %s

// Multi-head attention with nothing optional: no mask, scale or pattern is
// printed.
// CHECK-LABEL: func.func @attention_plain(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<2x8x64x32xf32>
// CHECK-SAME:    %[[K:[a-zA-Z0-9_]+]]: tensor<2x8x64x32xf32>
// CHECK-SAME:    %[[V:[a-zA-Z0-9_]+]]: tensor<2x8x64x32xf32>
// CHECK:         %[[O:.+]] = loom_attn.attention %[[Q]], %[[K]], %[[V]] :
// CHECK-SAME:      tensor<2x8x64x32xf32>, tensor<2x8x64x32xf32>, tensor<2x8x64x32xf32> -> tensor<2x8x64x32xf32>
// CHECK-NOT:     mask
// CHECK:         return %[[O]]
func.func @attention_plain(%q: tensor<2x8x64x32xf32>, %k: tensor<2x8x64x32xf32>,
                           %v: tensor<2x8x64x32xf32>) -> tensor<2x8x64x32xf32> {
  %o = loom_attn.attention %q, %k, %v
      : tensor<2x8x64x32xf32>, tensor<2x8x64x32xf32>, tensor<2x8x64x32xf32>
      -> tensor<2x8x64x32xf32>
  return %o : tensor<2x8x64x32xf32>
}

// -----

// Grouped-query attention (32 query heads over 8 KV heads), explicit scale,
// causal prefill.
// CHECK-LABEL: func.func @attention_gqa_causal(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x32x512x128xbf16>
// CHECK-SAME:    %[[K:[a-zA-Z0-9_]+]]: tensor<1x8x512x128xbf16>
// CHECK-SAME:    %[[V:[a-zA-Z0-9_]+]]: tensor<1x8x512x128xbf16>
// CHECK:         loom_attn.attention %[[Q]], %[[K]], %[[V]] scale(1.250000e-01) pattern<causal> :
// CHECK-SAME:      tensor<1x32x512x128xbf16>, tensor<1x8x512x128xbf16>, tensor<1x8x512x128xbf16> -> tensor<1x32x512x128xbf16>
func.func @attention_gqa_causal(%q: tensor<1x32x512x128xbf16>, %k: tensor<1x8x512x128xbf16>,
                                %v: tensor<1x8x512x128xbf16>) -> tensor<1x32x512x128xbf16> {
  %o = loom_attn.attention %q, %k, %v scale(0.125) pattern<causal>
      : tensor<1x32x512x128xbf16>, tensor<1x8x512x128xbf16>, tensor<1x8x512x128xbf16>
      -> tensor<1x32x512x128xbf16>
  return %o : tensor<1x32x512x128xbf16>
}

// -----

// A boolean mask broadcast over batch and heads, with a sliding window and
// attention sinks; the pattern's items come back in canonical order.
// CHECK-LABEL: func.func @attention_mask_window_sinks(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<4x16x256x64xf16>
// CHECK-SAME:    %[[K:[a-zA-Z0-9_]+]]: tensor<4x16x256x64xf16>
// CHECK-SAME:    %[[V:[a-zA-Z0-9_]+]]: tensor<4x16x256x64xf16>
// CHECK-SAME:    %[[M:[a-zA-Z0-9_]+]]: tensor<1x1x256x256xi1>
// CHECK:         loom_attn.attention %[[Q]], %[[K]], %[[V]] mask(%[[M]] : tensor<1x1x256x256xi1>)
// CHECK-SAME:      pattern<causal, window = 128, sinks = 4> :
func.func @attention_mask_window_sinks(%q: tensor<4x16x256x64xf16>, %k: tensor<4x16x256x64xf16>,
                                       %v: tensor<4x16x256x64xf16>,
                                       %m: tensor<1x1x256x256xi1>) -> tensor<4x16x256x64xf16> {
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<1x1x256x256xi1>)
      pattern<sinks = 4, window = 128, causal>
      : tensor<4x16x256x64xf16>, tensor<4x16x256x64xf16>, tensor<4x16x256x64xf16>
      -> tensor<4x16x256x64xf16>
  return %o : tensor<4x16x256x64xf16>
}

// -----

// An additive float mask of full shape; a bidirectional window (no causal).
// CHECK-LABEL: func.func @attention_additive_mask(
// CHECK-SAME:    %[[M:[a-zA-Z0-9_]+]]: tensor<2x4x16x16xf32>
// CHECK:         loom_attn.attention
// CHECK-SAME:      mask(%[[M]] : tensor<2x4x16x16xf32>) pattern<window = 3> :
func.func @attention_additive_mask(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x16x8xf32>,
                                   %v: tensor<2x4x16x8xf32>,
                                   %m: tensor<2x4x16x16xf32>) -> tensor<2x4x16x8xf32> {
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<2x4x16x16xf32>) pattern<window = 3>
      : tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32> -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}

// -----

// Dynamic batch and sequence lengths; causal with fewer queries than keys
// (prefill that extends a cache); a value head dim unlike the query's.
// CHECK-LABEL: func.func @attention_dynamic(
// CHECK:         loom_attn.attention {{.*}} pattern<causal> :
// CHECK-SAME:      tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x96xf32> -> tensor<?x8x?x96xf32>
// CHECK:         loom_attn.attention {{.*}} pattern<causal> :
// CHECK-SAME:      tensor<1x8x16x64xf32>, tensor<1x8x48x64xf32>, tensor<1x8x48x96xf32> -> tensor<1x8x16x96xf32>
func.func @attention_dynamic(%q: tensor<?x8x?x64xf32>, %k: tensor<?x8x?x64xf32>,
                             %v: tensor<?x8x?x96xf32>, %q1: tensor<1x8x16x64xf32>,
                             %k1: tensor<1x8x48x64xf32>, %v1: tensor<1x8x48x96xf32>)
    -> (tensor<?x8x?x96xf32>, tensor<1x8x16x96xf32>) {
  %o = loom_attn.attention %q, %k, %v pattern<causal>
      : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x96xf32> -> tensor<?x8x?x96xf32>
  %o1 = loom_attn.attention %q1, %k1, %v1 pattern<causal>
      : tensor<1x8x16x64xf32>, tensor<1x8x48x64xf32>, tensor<1x8x48x96xf32> -> tensor<1x8x16x96xf32>
  return %o, %o1 : tensor<?x8x?x96xf32>, tensor<1x8x16x96xf32>
}

// -----

// fp8 query/key/value accumulating into a bf16 result.
// CHECK-LABEL: func.func @attention_fp8(
// CHECK:         loom_attn.attention
// CHECK-SAME:      tensor<1x8x128x128xf8E4M3FN>, tensor<1x8x128x128xf8E4M3FN>, tensor<1x8x128x128xf8E4M3FN> -> tensor<1x8x128x128xbf16>
func.func @attention_fp8(%q: tensor<1x8x128x128xf8E4M3FN>, %k: tensor<1x8x128x128xf8E4M3FN>,
                         %v: tensor<1x8x128x128xf8E4M3FN>) -> tensor<1x8x128x128xbf16> {
  %o = loom_attn.attention %q, %k, %v
      : tensor<1x8x128x128xf8E4M3FN>, tensor<1x8x128x128xf8E4M3FN>, tensor<1x8x128x128xf8E4M3FN>
      -> tensor<1x8x128x128xbf16>
  return %o : tensor<1x8x128x128xbf16>
}

// -----

// The generic form reads back into the custom one.
// CHECK-LABEL: func.func @attention_generic(
// CHECK:         loom_attn.attention {{.*}} scale(5.000000e-01) pattern<window = 2> :
func.func @attention_generic(%q: tensor<1x1x4x4xf32>, %k: tensor<1x1x4x4xf32>,
                             %v: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %o = "loom_attn.attention"(%q, %k, %v)
      <{scale = 5.000000e-01 : f32, pattern = #loom_attn.pattern<window = 2>}>
      : (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  return %o : tensor<1x1x4x4xf32>
}

// -----

// Decode over a paged cache: [blocks, block_size, kv_heads, head_dim].
// CHECK-LABEL: func.func @paged_decode(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<4x32x128xbf16>
// CHECK-SAME:    %[[KC:[a-zA-Z0-9_]+]]: tensor<1024x16x8x128xbf16>
// CHECK-SAME:    %[[VC:[a-zA-Z0-9_]+]]: tensor<1024x16x8x128xbf16>
// CHECK-SAME:    %[[T:[a-zA-Z0-9_]+]]: tensor<4x64xi32>
// CHECK-SAME:    %[[L:[a-zA-Z0-9_]+]]: tensor<4xi32>
// CHECK:         %[[O:.+]] = loom_attn.paged_decode %[[Q]], %[[KC]], %[[VC]], %[[T]], %[[L]] :
// CHECK-SAME:      tensor<4x32x128xbf16>, tensor<1024x16x8x128xbf16>, tensor<1024x16x8x128xbf16>, tensor<4x64xi32>, tensor<4xi32> -> tensor<4x32x128xbf16>
// CHECK:         return %[[O]]
func.func @paged_decode(%q: tensor<4x32x128xbf16>, %kc: tensor<1024x16x8x128xbf16>,
                        %vc: tensor<1024x16x8x128xbf16>, %table: tensor<4x64xi32>,
                        %lens: tensor<4xi32>) -> tensor<4x32x128xbf16> {
  %o = loom_attn.paged_decode %q, %kc, %vc, %table, %lens
      : tensor<4x32x128xbf16>, tensor<1024x16x8x128xbf16>, tensor<1024x16x8x128xbf16>,
        tensor<4x64xi32>, tensor<4xi32> -> tensor<4x32x128xbf16>
  return %o : tensor<4x32x128xbf16>
}

// -----

// Dynamic batch and cache size, i64 indices, scale and a windowed pattern.
// CHECK-LABEL: func.func @paged_decode_dynamic(
// CHECK:         loom_attn.paged_decode {{.*}} scale(2.500000e-01) pattern<window = 4096, sinks = 4> :
// CHECK-SAME:      tensor<?x8x16xf16>, tensor<?x32x2x16xf16>, tensor<?x32x2x16xf16>, tensor<?x?xi64>, tensor<?xi64> -> tensor<?x8x16xf16>
func.func @paged_decode_dynamic(%q: tensor<?x8x16xf16>, %kc: tensor<?x32x2x16xf16>,
                                %vc: tensor<?x32x2x16xf16>, %table: tensor<?x?xi64>,
                                %lens: tensor<?xi64>) -> tensor<?x8x16xf16> {
  %o = loom_attn.paged_decode %q, %kc, %vc, %table, %lens scale(0.25)
      pattern<window = 4096, sinks = 4>
      : tensor<?x8x16xf16>, tensor<?x32x2x16xf16>, tensor<?x32x2x16xf16>,
        tensor<?x?xi64>, tensor<?xi64> -> tensor<?x8x16xf16>
  return %o : tensor<?x8x16xf16>
}

// -----

// Writing the new token's keys, then attending over the updated cache.
// CHECK-LABEL: func.func @write_then_decode(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<4x32x128xbf16>
// CHECK-SAME:    %[[KNEW:[a-zA-Z0-9_]+]]: tensor<4x8x128xbf16>
// CHECK-SAME:    %[[KC:[a-zA-Z0-9_]+]]: tensor<1024x16x8x128xbf16>
// CHECK-SAME:    %[[VC:[a-zA-Z0-9_]+]]: tensor<1024x16x8x128xbf16>
// CHECK-SAME:    %[[S:[a-zA-Z0-9_]+]]: tensor<4xi64>
// CHECK:         %[[KC2:.+]] = loom_attn.kv_cache_write %[[KNEW]] into %[[KC]][%[[S]]] :
// CHECK-SAME:      tensor<4x8x128xbf16>, tensor<4xi64> -> tensor<1024x16x8x128xbf16>
// CHECK:         loom_attn.paged_decode %[[Q]], %[[KC2]], %[[VC]],
func.func @write_then_decode(%q: tensor<4x32x128xbf16>, %knew: tensor<4x8x128xbf16>,
                             %kc: tensor<1024x16x8x128xbf16>, %vc: tensor<1024x16x8x128xbf16>,
                             %slots: tensor<4xi64>, %table: tensor<4x64xi32>,
                             %lens: tensor<4xi32>) -> tensor<4x32x128xbf16> {
  %kc2 = loom_attn.kv_cache_write %knew into %kc[%slots]
      : tensor<4x8x128xbf16>, tensor<4xi64> -> tensor<1024x16x8x128xbf16>
  %o = loom_attn.paged_decode %q, %kc2, %vc, %table, %lens
      : tensor<4x32x128xbf16>, tensor<1024x16x8x128xbf16>, tensor<1024x16x8x128xbf16>,
        tensor<4x64xi32>, tensor<4xi32> -> tensor<4x32x128xbf16>
  return %o : tensor<4x32x128xbf16>
}

// -----

// A dynamic token count (a whole prefill chunk written at once).
// CHECK-LABEL: func.func @kv_cache_write_dynamic(
// CHECK:         loom_attn.kv_cache_write {{.*}} : tensor<?x2x16xf32>, tensor<?xi32> -> tensor<64x8x2x16xf32>
func.func @kv_cache_write_dynamic(%u: tensor<?x2x16xf32>, %c: tensor<64x8x2x16xf32>,
                                  %s: tensor<?xi32>) -> tensor<64x8x2x16xf32> {
  %c2 = loom_attn.kv_cache_write %u into %c[%s]
      : tensor<?x2x16xf32>, tensor<?xi32> -> tensor<64x8x2x16xf32>
  return %c2 : tensor<64x8x2x16xf32>
}
