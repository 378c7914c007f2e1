// RUN: loom-opt %s --split-input-file --verify-diagnostics

func.func @pattern_empty(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{pattern must be causal or have a window; dense attention carries no pattern}}
  %o = loom_attn.attention %q, %k, %v pattern<> : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @pattern_window_zero(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{window must be at least 1, got 0}}
  %o = loom_attn.attention %q, %k, %v pattern<window = 0> : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @pattern_sinks_negative(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{sinks must be non-negative, got -1}}
  %o = loom_attn.attention %q, %k, %v pattern<window = 8, sinks = -1> : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @pattern_sinks_without_window(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{sinks need a window}}
  %o = loom_attn.attention %q, %k, %v pattern<causal, sinks = 4> : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @pattern_unknown_item(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{expected 'causal', 'window' or 'sinks', got 'stride'}}
  %o = loom_attn.attention %q, %k, %v pattern<causal, stride = 2> : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @pattern_causal_twice(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{'causal' given twice}}
  %o = loom_attn.attention %q, %k, %v pattern<causal, causal> : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @pattern_window_twice(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{'window' given twice}}
  %o = loom_attn.attention %q, %k, %v pattern<window = 2, window = 4> : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_qk_element_types(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf16>, %v: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{query and key must have the same element type, got 'f32' and 'f16'}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf16>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_key_batch(%q: tensor<2x8x16x32xf32>, %k: tensor<3x8x16x32xf32>, %v: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{batch of key (3) differs from query (2)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<3x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_value_batch(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<3x8x16x32xf32>) {
  // expected-error @+1 {{batch of value (3) differs from query (2)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<3x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_result_batch(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{batch of result (3) differs from query (2)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<3x8x16x32xf32>
  return
}

// -----

func.func @attention_value_heads(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{heads of value (2) differs from key (4)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_result_heads(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{heads of result (4) differs from query (8)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x4x16x32xf32>
  return
}

// -----

func.func @attention_heads_not_grouped(%q: tensor<2x6x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x32xf32>) {
  // expected-error @+1 {{query heads (6) must be a multiple of key/value heads (4)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x6x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32> -> tensor<2x6x16x32xf32>
  return
}

// -----

func.func @attention_heads_not_grouped_dynamic_key(%q: tensor<2x6x16x32xf32>, %k: tensor<2x?x16x32xf32>, %v: tensor<2x4x16x32xf32>) {
  // expected-error @+1 {{query heads (6) must be a multiple of key/value heads (4)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x6x16x32xf32>, tensor<2x?x16x32xf32>, tensor<2x4x16x32xf32> -> tensor<2x6x16x32xf32>
  return
}

// -----

func.func @attention_value_length(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x24x32xf32>) {
  // expected-error @+1 {{sequence length of value (24) differs from key (16)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x24x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_result_length(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{sequence length of result (24) differs from query (16)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x24x32xf32>
  return
}

// -----

func.func @attention_key_head_dim(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x64xf32>, %v: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{head dim of key (64) differs from query (32)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x8x16x64xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_result_head_dim(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x64xf32>) {
  // expected-error @+1 {{head dim of result (32) differs from value (64)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x64xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_scale_negative(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{scale must be positive and finite, got -1}}
  %o = loom_attn.attention %q, %k, %v scale(-1.0) : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_scale_infinite(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{scale must be positive and finite, got INF}}
  %o = loom_attn.attention %q, %k, %v scale(0x7F800000) : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_mask_batch(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x32xf32>, %m: tensor<3x1x16x16xi1>) {
  // expected-error @+1 {{batch of mask (3) differs from query (2)}}
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<3x1x16x16xi1>) : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_mask_heads(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x32xf32>, %m: tensor<1x4x16x16xi1>) {
  // expected-error @+1 {{heads of mask (4) differs from query (8)}}
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<1x4x16x16xi1>) : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_mask_query_length(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x32xf32>, %m: tensor<1x1x8x16xi1>) {
  // expected-error @+1 {{query length of mask (8) differs from query (16)}}
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<1x1x8x16xi1>) : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_mask_key_length(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x32xf32>, %m: tensor<1x1x16x8xf32>) {
  // expected-error @+1 {{key length of mask (8) differs from key (16)}}
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<1x1x16x8xf32>) : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_mask_value_length(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x?x32xf32>, %v: tensor<2x8x16x32xf32>, %m: tensor<1x1x16x8xf32>) {
  // expected-error @+1 {{key length of mask (8) differs from value (16)}}
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<1x1x16x8xf32>) : tensor<2x8x16x32xf32>, tensor<2x8x?x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_causal_more_queries_than_keys(%q: tensor<2x8x32x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{causal pattern needs at least as many keys (16) as queries (32)}}
  %o = loom_attn.attention %q, %k, %v pattern<causal> : tensor<2x8x32x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x32x32xf32>
  return
}

// -----

func.func @attention_query_rank(%q: tensor<8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{operand #0 must be 4D tensor of floating-point values, but got 'tensor<8x16x32xf32>'}}
  %o = loom_attn.attention %q, %k, %v : tensor<8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_integer_value(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x32xi8>) {
  // expected-error @+1 {{operand #2 must be 4D tensor of floating-point values, but got 'tensor<2x8x16x32xi8>'}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xi8> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_mask_element_type(%q: tensor<2x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %v: tensor<2x8x16x32xf32>, %m: tensor<1x1x16x16xi8>) {
  // expected-error @+1 {{operand #3 must be 4D tensor of 1-bit signless integer or floating-point values, but got 'tensor<1x1x16x16xi8>'}}
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<1x1x16x16xi8>) : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @paged_decode_element_types(%q: tensor<4x8x32xf32>, %kc: tensor<64x16x2x32xbf16>, %vc: tensor<64x16x2x32xf32>, %t: tensor<4x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{query and key_cache must have the same element type, got 'f32' and 'bf16'}}
  %o = loom_attn.paged_decode %q, %kc, %vc, %t, %l : tensor<4x8x32xf32>, tensor<64x16x2x32xbf16>, tensor<64x16x2x32xf32>, tensor<4x8xi32>, tensor<4xi32> -> tensor<4x8x32xf32>
  return
}

// -----

func.func @paged_decode_value_blocks(%q: tensor<4x8x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<32x16x2x32xf32>, %t: tensor<4x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{number of blocks of value_cache (32) differs from key_cache (64)}}
  %o = loom_attn.paged_decode %q, %kc, %vc, %t, %l : tensor<4x8x32xf32>, tensor<64x16x2x32xf32>, tensor<32x16x2x32xf32>, tensor<4x8xi32>, tensor<4xi32> -> tensor<4x8x32xf32>
  return
}

// -----

func.func @paged_decode_value_block_size(%q: tensor<4x8x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x8x2x32xf32>, %t: tensor<4x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{block size of value_cache (8) differs from key_cache (16)}}
  %o = loom_attn.paged_decode %q, %kc, %vc, %t, %l : tensor<4x8x32xf32>, tensor<64x16x2x32xf32>, tensor<64x8x2x32xf32>, tensor<4x8xi32>, tensor<4xi32> -> tensor<4x8x32xf32>
  return
}

// -----

func.func @paged_decode_value_heads(%q: tensor<4x8x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x4x32xf32>, %t: tensor<4x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{heads of value_cache (4) differs from key_cache (2)}}
  %o = loom_attn.paged_decode %q, %kc, %vc, %t, %l : tensor<4x8x32xf32>, tensor<64x16x2x32xf32>, tensor<64x16x4x32xf32>, tensor<4x8xi32>, tensor<4xi32> -> tensor<4x8x32xf32>
  return
}

// -----

func.func @paged_decode_key_head_dim(%q: tensor<4x8x32xf32>, %kc: tensor<64x16x2x64xf32>, %vc: tensor<64x16x2x32xf32>, %t: tensor<4x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{head dim of key_cache (64) differs from query (32)}}
  %o = loom_attn.paged_decode %q, %kc, %vc, %t, %l : tensor<4x8x32xf32>, tensor<64x16x2x64xf32>, tensor<64x16x2x32xf32>, tensor<4x8xi32>, tensor<4xi32> -> tensor<4x8x32xf32>
  return
}

// -----

func.func @paged_decode_result_head_dim(%q: tensor<4x8x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x64xf32>, %t: tensor<4x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{head dim of result (32) differs from value_cache (64)}}
  %o = loom_attn.paged_decode %q, %kc, %vc, %t, %l : tensor<4x8x32xf32>, tensor<64x16x2x32xf32>, tensor<64x16x2x64xf32>, tensor<4x8xi32>, tensor<4xi32> -> tensor<4x8x32xf32>
  return
}

// -----

func.func @paged_decode_table_batch(%q: tensor<4x8x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x32xf32>, %t: tensor<3x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{batch of block_table (3) differs from query (4)}}
  %o = loom_attn.paged_decode %q, %kc, %vc, %t, %l : tensor<4x8x32xf32>, tensor<64x16x2x32xf32>, tensor<64x16x2x32xf32>, tensor<3x8xi32>, tensor<4xi32> -> tensor<4x8x32xf32>
  return
}

// -----

func.func @paged_decode_lens_batch(%q: tensor<4x8x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x32xf32>, %t: tensor<4x8xi32>, %l: tensor<3xi32>) {
  // expected-error @+1 {{batch of seq_lens (3) differs from query (4)}}
  %o = loom_attn.paged_decode %q, %kc, %vc, %t, %l : tensor<4x8x32xf32>, tensor<64x16x2x32xf32>, tensor<64x16x2x32xf32>, tensor<4x8xi32>, tensor<3xi32> -> tensor<4x8x32xf32>
  return
}

// -----

func.func @paged_decode_result_batch(%q: tensor<4x8x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x32xf32>, %t: tensor<4x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{batch of result (3) differs from query (4)}}
  %o = loom_attn.paged_decode %q, %kc, %vc, %t, %l : tensor<4x8x32xf32>, tensor<64x16x2x32xf32>, tensor<64x16x2x32xf32>, tensor<4x8xi32>, tensor<4xi32> -> tensor<3x8x32xf32>
  return
}

// -----

func.func @paged_decode_result_heads(%q: tensor<4x8x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x32xf32>, %t: tensor<4x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{heads of result (4) differs from query (8)}}
  %o = loom_attn.paged_decode %q, %kc, %vc, %t, %l : tensor<4x8x32xf32>, tensor<64x16x2x32xf32>, tensor<64x16x2x32xf32>, tensor<4x8xi32>, tensor<4xi32> -> tensor<4x4x32xf32>
  return
}

// -----

func.func @paged_decode_heads_not_grouped(%q: tensor<4x8x32xf32>, %kc: tensor<64x16x3x32xf32>, %vc: tensor<64x16x3x32xf32>, %t: tensor<4x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{query heads (8) must be a multiple of key/value heads (3)}}
  %o = loom_attn.paged_decode %q, %kc, %vc, %t, %l : tensor<4x8x32xf32>, tensor<64x16x3x32xf32>, tensor<64x16x3x32xf32>, tensor<4x8xi32>, tensor<4xi32> -> tensor<4x8x32xf32>
  return
}

// -----

func.func @paged_decode_scale_zero(%q: tensor<4x8x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x32xf32>, %t: tensor<4x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{scale must be positive and finite, got 0}}
  %o = loom_attn.paged_decode %q, %kc, %vc, %t, %l scale(0.0) : tensor<4x8x32xf32>, tensor<64x16x2x32xf32>, tensor<64x16x2x32xf32>, tensor<4x8xi32>, tensor<4xi32> -> tensor<4x8x32xf32>
  return
}

// -----

func.func @paged_decode_float_table(%q: tensor<4x8x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x32xf32>, %t: tensor<4x8xf32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{operand #3 must be 2D tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4x8xf32>'}}
  %o = loom_attn.paged_decode %q, %kc, %vc, %t, %l : tensor<4x8x32xf32>, tensor<64x16x2x32xf32>, tensor<64x16x2x32xf32>, tensor<4x8xf32>, tensor<4xi32> -> tensor<4x8x32xf32>
  return
}

// -----

func.func @kv_cache_write_element_types(%u: tensor<4x2x32xf16>, %c: tensor<64x16x2x32xf32>, %s: tensor<4xi32>) {
  // expected-error @+1 {{update and cache must have the same element type, got 'f16' and 'f32'}}
  %o = loom_attn.kv_cache_write %u into %c[%s] : tensor<4x2x32xf16>, tensor<4xi32> -> tensor<64x16x2x32xf32>
  return
}

// -----

func.func @kv_cache_write_slots(%u: tensor<4x2x32xf32>, %c: tensor<64x16x2x32xf32>, %s: tensor<5xi32>) {
  // expected-error @+1 {{tokens of slots (5) differs from update (4)}}
  %o = loom_attn.kv_cache_write %u into %c[%s] : tensor<4x2x32xf32>, tensor<5xi32> -> tensor<64x16x2x32xf32>
  return
}

// -----

func.func @kv_cache_write_heads(%u: tensor<4x3x32xf32>, %c: tensor<64x16x2x32xf32>, %s: tensor<4xi32>) {
  // expected-error @+1 {{heads of update (3) differs from cache (2)}}
  %o = loom_attn.kv_cache_write %u into %c[%s] : tensor<4x3x32xf32>, tensor<4xi32> -> tensor<64x16x2x32xf32>
  return
}

// -----

func.func @kv_cache_write_head_dim(%u: tensor<4x2x16xf32>, %c: tensor<64x16x2x32xf32>, %s: tensor<4xi32>) {
  // expected-error @+1 {{head dim of update (16) differs from cache (32)}}
  %o = loom_attn.kv_cache_write %u into %c[%s] : tensor<4x2x16xf32>, tensor<4xi32> -> tensor<64x16x2x32xf32>
  return
}

// -----

func.func @kv_cache_write_result_type(%u: tensor<4x2x32xf32>, %c: tensor<64x16x2x32xf32>, %s: tensor<4xi32>) {
  // expected-error @+1 {{failed to verify that all of {cache, result} have same type}}
  %o = "loom_attn.kv_cache_write"(%u, %c, %s) : (tensor<4x2x32xf32>, tensor<64x16x2x32xf32>, tensor<4xi32>) -> tensor<64x16x2x32xf16>
  return
}
