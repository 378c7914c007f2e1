// RUN: loom-opt %s --split-input-file --verify-diagnostics

func.func @block_sparse_q_block(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{q_block must be positive, got 0}}
  %o = loom_attn.attention %q, %k, %v sparsity(#loom_attn.block_sparse<q_block = 0, kv_block = 16, layout = dense<true> : tensor<1x1x1xi1>>) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @block_sparse_kv_block(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{kv_block must be positive, got -1}}
  %o = loom_attn.attention %q, %k, %v sparsity(#loom_attn.block_sparse<q_block = 16, kv_block = -1, layout = dense<true> : tensor<1x1x1xi1>>) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @block_sparse_layout_type(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{layout must be a tensor of i1, got 'tensor<1x1x1xi32>'}}
  %o = loom_attn.attention %q, %k, %v sparsity(#loom_attn.block_sparse<q_block = 16, kv_block = 16, layout = dense<1> : tensor<1x1x1xi32>>) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @block_sparse_layout_rank(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{layout must have rank 3 [heads, q_blocks, kv_blocks], got 'tensor<1x1xi1>'}}
  %o = loom_attn.attention %q, %k, %v sparsity(#loom_attn.block_sparse<q_block = 16, kv_block = 16, layout = dense<true> : tensor<1x1xi1>>) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @block_sparse_layout_empty(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{layout dimensions must be positive, got 'tensor<1x0x1xi1>'}}
  %o = loom_attn.attention %q, %k, %v sparsity(#loom_attn.block_sparse<q_block = 16, kv_block = 16, layout = dense<> : tensor<1x0x1xi1>>) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @strided_block(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{block must be positive, got 0}}
  %o = loom_attn.attention %q, %k, %v sparsity(#loom_attn.strided<block = 0, stride = 4, offsets = [0]>) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @strided_stride(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{stride must be positive, got 0}}
  %o = loom_attn.attention %q, %k, %v sparsity(#loom_attn.strided<block = 16, stride = 0, offsets = [0]>) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @strided_offset_too_large(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{offset 4 of head 1 must be in [0, 4)}}
  %o = loom_attn.attention %q, %k, %v sparsity(#loom_attn.strided<block = 16, stride = 4, offsets = [0, 4]>) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @strided_offset_negative(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{offset -1 of head 0 must be in [0, 4)}}
  %o = loom_attn.attention %q, %k, %v sparsity(#loom_attn.strided<block = 16, stride = 4, offsets = [-1]>) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_result_element_type(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xbf16>) {
  // expected-error @+1 {{result and value must have the same element type, got 'f32' and 'bf16'}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xbf16> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_key_batch(%q: tensor<2x8x16x32xf32>, %k: tensor<3x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{batch of key (3) differs from query (2)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<3x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_value_batch(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<3x2x16x32xf32>) {
  // expected-error @+1 {{batch of value (3) differs from query (2)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<3x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_result_batch(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{batch of result (3) differs from query (2)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<3x8x16x32xf32>
  return
}

// -----

func.func @attention_value_heads(%q: tensor<2x8x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{heads of value (2) differs from key (4)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_result_heads(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{heads of result (4) differs from query (8)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x4x16x32xf32>
  return
}

// -----

func.func @attention_heads_not_grouped(%q: tensor<2x6x16x32xf32>, %k: tensor<2x4x16x32xf32>, %v: tensor<2x4x16x32xf32>) {
  // expected-error @+1 {{query heads (6) must be a multiple of key/value heads (4)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x6x16x32xf32>, tensor<2x4x16x32xf32>, tensor<2x4x16x32xf32> -> tensor<2x6x16x32xf32>
  return
}

// -----

// The static head count of the value decides when the key's is dynamic.
func.func @attention_heads_not_grouped_dynamic_key(%q: tensor<2x6x16x32xf32>, %k: tensor<2x?x16x32xf32>, %v: tensor<2x4x16x32xf32>) {
  // expected-error @+1 {{query heads (6) must be a multiple of key/value heads (4)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x6x16x32xf32>, tensor<2x?x16x32xf32>, tensor<2x4x16x32xf32> -> tensor<2x6x16x32xf32>
  return
}

// -----

func.func @attention_value_length(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x24x32xf32>) {
  // expected-error @+1 {{key length of value (24) differs from key (16)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x24x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_result_length(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{query length of result (24) differs from query (16)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x24x32xf32>
  return
}

// -----

func.func @attention_key_head_dim(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x64xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{head dim of key (64) differs from query (32)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x2x16x64xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_result_head_dim(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x64xf32>) {
  // expected-error @+1 {{head dim of result (32) differs from value (64)}}
  %o = loom_attn.attention %q, %k, %v : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x64xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_mask_rank(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>, %m: tensor<1x2x8x16x16xi1>) {
  // expected-error @+1 {{mask has rank 5, expected at most 4}}
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<1x2x8x16x16xi1>) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_mask_batch(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>, %m: tensor<3x1x16x16xi1>) {
  // expected-error @+1 {{mask dim 0 (3) does not broadcast to batch (2)}}
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<3x1x16x16xi1>) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

// Right-aligned: the last dim of a rank-2 mask lines up with the keys.
func.func @attention_mask_key_length(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>, %m: tensor<16x8xf32>) {
  // expected-error @+1 {{mask dim 1 (8) does not broadcast to key length (16)}}
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<16x8xf32>) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

// The key length comes from the value when the key's is dynamic.
func.func @attention_mask_key_length_from_value(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x?x32xf32>, %v: tensor<2x2x16x32xf32>, %m: tensor<8xf32>) {
  // expected-error @+1 {{mask dim 0 (8) does not broadcast to key length (16)}}
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<8xf32>) : tensor<2x8x16x32xf32>, tensor<2x2x?x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_bias_rank(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>, %b: tensor<1x1x1x1x1xf32>) {
  // expected-error @+1 {{bias has rank 5, expected at most 4}}
  %o = loom_attn.attention %q, %k, %v bias(%b : tensor<1x1x1x1x1xf32>) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_bias_heads(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>, %b: tensor<4x1x16xf32>) {
  // expected-error @+1 {{bias dim 0 (4) does not broadcast to query heads (8)}}
  %o = loom_attn.attention %q, %k, %v bias(%b : tensor<4x1x16xf32>) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_bias_query_length(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>, %b: tensor<1x8x16xf32>) {
  // expected-error @+1 {{bias dim 1 (8) does not broadcast to query length (16)}}
  %o = loom_attn.attention %q, %k, %v bias(%b : tensor<1x8x16xf32>) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_scale_negative(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{scale must be positive and finite, got -1}}
  %o = loom_attn.attention %q, %k, %v scale(-1.0) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_scale_infinite(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{scale must be positive and finite, got INF}}
  %o = loom_attn.attention %q, %k, %v scale(0x7F800000) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_softcap_zero(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{softcap must be positive and finite, got 0}}
  %o = loom_attn.attention %q, %k, %v softcap(0.0) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_window_bounds(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{window bounds must be >= -1 (-1 = unbounded), got [-2, 0]}}
  %o = loom_attn.attention %q, %k, %v causal window(-2, 0) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_sinks_negative(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{sinks must be non-negative, got -1}}
  %o = loom_attn.attention %q, %k, %v window(8, 0) sinks(-1) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_block_sparse_heads(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{block_sparse layout has 2 heads; expected 1 or the number of query heads (8)}}
  %o = loom_attn.attention %q, %k, %v sparsity(#loom_attn.block_sparse<q_block = 16, kv_block = 16, layout = dense<true> : tensor<2x1x1xi1>>) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_block_sparse_query_blocks(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{block_sparse layout has 1 query blocks; expected ceil(16 / 8) = 2}}
  %o = loom_attn.attention %q, %k, %v sparsity(#loom_attn.block_sparse<q_block = 8, kv_block = 16, layout = dense<true> : tensor<8x1x1xi1>>) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_block_sparse_key_blocks(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{block_sparse layout has 3 key blocks; expected ceil(16 / 5) = 4}}
  %o = loom_attn.attention %q, %k, %v sparsity(#loom_attn.block_sparse<q_block = 16, kv_block = 5, layout = dense<true> : tensor<1x1x3xi1>>) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_strided_offsets(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{strided offsets have 2 entries; expected 1 or the number of query heads (8)}}
  %o = loom_attn.attention %q, %k, %v sparsity(#loom_attn.strided<block = 4, stride = 2, offsets = [0, 1]>) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

// Ranks and element kinds are ODS constraints.
func.func @attention_query_rank(%q: tensor<8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{operand #0 must be 4D tensor of floating-point values, but got 'tensor<8x16x32xf32>'}}
  %o = loom_attn.attention %q, %k, %v : tensor<8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @attention_mask_element_type(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>, %m: tensor<16x16xi8>) {
  // expected-error @+1 {{operand #3 must be ranked tensor of 1-bit signless integer or floating-point values, but got 'tensor<16x16xi8>'}}
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<16x16xi8>) : tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32> -> tensor<2x8x16x32xf32>
  return
}

// -----

// Only the generic form can give a window of the wrong size.
func.func @attention_window_size(%q: tensor<2x8x16x32xf32>, %k: tensor<2x2x16x32xf32>, %v: tensor<2x2x16x32xf32>) {
  // expected-error @+1 {{window must be [left, right], got 1 values}}
  %o = "loom_attn.attention"(%q, %k, %v) <{window = array<i64: 8>, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>}> : (tensor<2x8x16x32xf32>, tensor<2x2x16x32xf32>, tensor<2x2x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @paged_result_element_type(%q: tensor<4x8x1x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x32xf16>, %t: tensor<4x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{result and v_cache must have the same element type, got 'f32' and 'f16'}}
  %o = loom_attn.paged_attention %q, %kc, %vc, %t, %l : tensor<4x8x1x32xf32>, tensor<64x16x2x32xf32>, tensor<64x16x2x32xf16>, tensor<4x8xi32>, tensor<4xi32> -> tensor<4x8x1x32xf32>
  return
}

// -----

func.func @paged_value_blocks(%q: tensor<4x8x1x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<32x16x2x32xf32>, %t: tensor<4x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{number of blocks of v_cache (32) differs from k_cache (64)}}
  %o = loom_attn.paged_attention %q, %kc, %vc, %t, %l : tensor<4x8x1x32xf32>, tensor<64x16x2x32xf32>, tensor<32x16x2x32xf32>, tensor<4x8xi32>, tensor<4xi32> -> tensor<4x8x1x32xf32>
  return
}

// -----

func.func @paged_value_block_size(%q: tensor<4x8x1x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x8x2x32xf32>, %t: tensor<4x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{block size of v_cache (8) differs from k_cache (16)}}
  %o = loom_attn.paged_attention %q, %kc, %vc, %t, %l : tensor<4x8x1x32xf32>, tensor<64x16x2x32xf32>, tensor<64x8x2x32xf32>, tensor<4x8xi32>, tensor<4xi32> -> tensor<4x8x1x32xf32>
  return
}

// -----

func.func @paged_value_heads(%q: tensor<4x8x1x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x4x32xf32>, %t: tensor<4x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{heads of v_cache (4) differs from k_cache (2)}}
  %o = loom_attn.paged_attention %q, %kc, %vc, %t, %l : tensor<4x8x1x32xf32>, tensor<64x16x2x32xf32>, tensor<64x16x4x32xf32>, tensor<4x8xi32>, tensor<4xi32> -> tensor<4x8x1x32xf32>
  return
}

// -----

func.func @paged_key_head_dim(%q: tensor<4x8x1x32xf32>, %kc: tensor<64x16x2x64xf32>, %vc: tensor<64x16x2x32xf32>, %t: tensor<4x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{head dim of k_cache (64) differs from query (32)}}
  %o = loom_attn.paged_attention %q, %kc, %vc, %t, %l : tensor<4x8x1x32xf32>, tensor<64x16x2x64xf32>, tensor<64x16x2x32xf32>, tensor<4x8xi32>, tensor<4xi32> -> tensor<4x8x1x32xf32>
  return
}

// -----

func.func @paged_result_head_dim(%q: tensor<4x8x1x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x64xf32>, %t: tensor<4x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{head dim of result (32) differs from v_cache (64)}}
  %o = loom_attn.paged_attention %q, %kc, %vc, %t, %l : tensor<4x8x1x32xf32>, tensor<64x16x2x32xf32>, tensor<64x16x2x64xf32>, tensor<4x8xi32>, tensor<4xi32> -> tensor<4x8x1x32xf32>
  return
}

// -----

func.func @paged_table_batch(%q: tensor<4x8x1x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x32xf32>, %t: tensor<3x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{batch of block_table (3) differs from query (4)}}
  %o = loom_attn.paged_attention %q, %kc, %vc, %t, %l : tensor<4x8x1x32xf32>, tensor<64x16x2x32xf32>, tensor<64x16x2x32xf32>, tensor<3x8xi32>, tensor<4xi32> -> tensor<4x8x1x32xf32>
  return
}

// -----

func.func @paged_lens_batch(%q: tensor<4x8x1x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x32xf32>, %t: tensor<4x8xi32>, %l: tensor<3xi32>) {
  // expected-error @+1 {{batch of seq_lens (3) differs from query (4)}}
  %o = loom_attn.paged_attention %q, %kc, %vc, %t, %l : tensor<4x8x1x32xf32>, tensor<64x16x2x32xf32>, tensor<64x16x2x32xf32>, tensor<4x8xi32>, tensor<3xi32> -> tensor<4x8x1x32xf32>
  return
}

// -----

func.func @paged_result_batch(%q: tensor<4x8x1x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x32xf32>, %t: tensor<4x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{batch of result (3) differs from query (4)}}
  %o = loom_attn.paged_attention %q, %kc, %vc, %t, %l : tensor<4x8x1x32xf32>, tensor<64x16x2x32xf32>, tensor<64x16x2x32xf32>, tensor<4x8xi32>, tensor<4xi32> -> tensor<3x8x1x32xf32>
  return
}

// -----

func.func @paged_result_heads(%q: tensor<4x8x1x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x32xf32>, %t: tensor<4x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{heads of result (4) differs from query (8)}}
  %o = loom_attn.paged_attention %q, %kc, %vc, %t, %l : tensor<4x8x1x32xf32>, tensor<64x16x2x32xf32>, tensor<64x16x2x32xf32>, tensor<4x8xi32>, tensor<4xi32> -> tensor<4x4x1x32xf32>
  return
}

// -----

func.func @paged_result_length(%q: tensor<4x8x1x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x32xf32>, %t: tensor<4x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{query length of result (2) differs from query (1)}}
  %o = loom_attn.paged_attention %q, %kc, %vc, %t, %l : tensor<4x8x1x32xf32>, tensor<64x16x2x32xf32>, tensor<64x16x2x32xf32>, tensor<4x8xi32>, tensor<4xi32> -> tensor<4x8x2x32xf32>
  return
}

// -----

func.func @paged_heads_not_grouped(%q: tensor<4x6x1x32xf32>, %kc: tensor<64x16x4x32xf32>, %vc: tensor<64x16x4x32xf32>, %t: tensor<4x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{query heads (6) must be a multiple of key/value heads (4)}}
  %o = loom_attn.paged_attention %q, %kc, %vc, %t, %l : tensor<4x6x1x32xf32>, tensor<64x16x4x32xf32>, tensor<64x16x4x32xf32>, tensor<4x8xi32>, tensor<4xi32> -> tensor<4x6x1x32xf32>
  return
}

// -----

// The score attributes share attention's checks.
func.func @paged_softcap_negative(%q: tensor<4x8x1x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x32xf32>, %t: tensor<4x8xi32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{softcap must be positive and finite, got -5}}
  %o = loom_attn.paged_attention %q, %kc, %vc, %t, %l causal softcap(-5.0) : tensor<4x8x1x32xf32>, tensor<64x16x2x32xf32>, tensor<64x16x2x32xf32>, tensor<4x8xi32>, tensor<4xi32> -> tensor<4x8x1x32xf32>
  return
}

// -----

func.func @paged_i64_table(%q: tensor<4x8x1x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x32xf32>, %t: tensor<4x8xi64>, %l: tensor<4xi32>) {
  // expected-error @+1 {{operand #3 must be 2D tensor of 32-bit signless integer values, but got 'tensor<4x8xi64>'}}
  %o = loom_attn.paged_attention %q, %kc, %vc, %t, %l : tensor<4x8x1x32xf32>, tensor<64x16x2x32xf32>, tensor<64x16x2x32xf32>, tensor<4x8xi64>, tensor<4xi32> -> tensor<4x8x1x32xf32>
  return
}

// -----

func.func @write_key_element_type(%k: tensor<4x2x32xf16>, %v: tensor<4x2x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x32xf32>, %s: tensor<4xi32>) {
  // expected-error @+1 {{k and k_cache must have the same element type, got 'f16' and 'f32'}}
  %kc2, %vc2 = loom_attn.kv_cache_write %k, %v into %kc, %vc at %s : tensor<4x2x32xf16>, tensor<4x2x32xf32>, tensor<4xi32> -> tensor<64x16x2x32xf32>, tensor<64x16x2x32xf32>
  return
}

// -----

func.func @write_value_element_type(%k: tensor<4x2x32xf32>, %v: tensor<4x2x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x32xbf16>, %s: tensor<4xi32>) {
  // expected-error @+1 {{v and v_cache must have the same element type, got 'f32' and 'bf16'}}
  %kc2, %vc2 = loom_attn.kv_cache_write %k, %v into %kc, %vc at %s : tensor<4x2x32xf32>, tensor<4x2x32xf32>, tensor<4xi32> -> tensor<64x16x2x32xf32>, tensor<64x16x2x32xbf16>
  return
}

// -----

func.func @write_value_tokens(%k: tensor<4x2x32xf32>, %v: tensor<3x2x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x32xf32>, %s: tensor<4xi32>) {
  // expected-error @+1 {{tokens of v (3) differs from k (4)}}
  %kc2, %vc2 = loom_attn.kv_cache_write %k, %v into %kc, %vc at %s : tensor<4x2x32xf32>, tensor<3x2x32xf32>, tensor<4xi32> -> tensor<64x16x2x32xf32>, tensor<64x16x2x32xf32>
  return
}

// -----

func.func @write_slot_tokens(%k: tensor<4x2x32xf32>, %v: tensor<4x2x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x32xf32>, %s: tensor<5xi32>) {
  // expected-error @+1 {{tokens of slot_mapping (5) differs from k (4)}}
  %kc2, %vc2 = loom_attn.kv_cache_write %k, %v into %kc, %vc at %s : tensor<4x2x32xf32>, tensor<4x2x32xf32>, tensor<5xi32> -> tensor<64x16x2x32xf32>, tensor<64x16x2x32xf32>
  return
}

// -----

func.func @write_value_heads(%k: tensor<4x2x32xf32>, %v: tensor<4x4x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x32xf32>, %s: tensor<4xi32>) {
  // expected-error @+1 {{heads of v (4) differs from k (2)}}
  %kc2, %vc2 = loom_attn.kv_cache_write %k, %v into %kc, %vc at %s : tensor<4x2x32xf32>, tensor<4x4x32xf32>, tensor<4xi32> -> tensor<64x16x2x32xf32>, tensor<64x16x2x32xf32>
  return
}

// -----

func.func @write_key_cache_heads(%k: tensor<4x2x32xf32>, %v: tensor<4x2x32xf32>, %kc: tensor<64x16x4x32xf32>, %vc: tensor<64x16x2x32xf32>, %s: tensor<4xi32>) {
  // expected-error @+1 {{heads of k_cache (4) differs from k (2)}}
  %kc2, %vc2 = loom_attn.kv_cache_write %k, %v into %kc, %vc at %s : tensor<4x2x32xf32>, tensor<4x2x32xf32>, tensor<4xi32> -> tensor<64x16x4x32xf32>, tensor<64x16x2x32xf32>
  return
}

// -----

func.func @write_value_cache_heads(%k: tensor<4x2x32xf32>, %v: tensor<4x2x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x4x32xf32>, %s: tensor<4xi32>) {
  // expected-error @+1 {{heads of v_cache (4) differs from v (2)}}
  %kc2, %vc2 = loom_attn.kv_cache_write %k, %v into %kc, %vc at %s : tensor<4x2x32xf32>, tensor<4x2x32xf32>, tensor<4xi32> -> tensor<64x16x2x32xf32>, tensor<64x16x4x32xf32>
  return
}

// -----

func.func @write_key_cache_head_dim(%k: tensor<4x2x32xf32>, %v: tensor<4x2x32xf32>, %kc: tensor<64x16x2x64xf32>, %vc: tensor<64x16x2x32xf32>, %s: tensor<4xi32>) {
  // expected-error @+1 {{head dim of k_cache (64) differs from k (32)}}
  %kc2, %vc2 = loom_attn.kv_cache_write %k, %v into %kc, %vc at %s : tensor<4x2x32xf32>, tensor<4x2x32xf32>, tensor<4xi32> -> tensor<64x16x2x64xf32>, tensor<64x16x2x32xf32>
  return
}

// -----

func.func @write_value_cache_head_dim(%k: tensor<4x2x32xf32>, %v: tensor<4x2x16xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x32xf32>, %s: tensor<4xi32>) {
  // expected-error @+1 {{head dim of v_cache (32) differs from v (16)}}
  %kc2, %vc2 = loom_attn.kv_cache_write %k, %v into %kc, %vc at %s : tensor<4x2x32xf32>, tensor<4x2x16xf32>, tensor<4xi32> -> tensor<64x16x2x32xf32>, tensor<64x16x2x32xf32>
  return
}

// -----

func.func @write_value_cache_blocks(%k: tensor<4x2x32xf32>, %v: tensor<4x2x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<32x16x2x32xf32>, %s: tensor<4xi32>) {
  // expected-error @+1 {{number of blocks of v_cache (32) differs from k_cache (64)}}
  %kc2, %vc2 = loom_attn.kv_cache_write %k, %v into %kc, %vc at %s : tensor<4x2x32xf32>, tensor<4x2x32xf32>, tensor<4xi32> -> tensor<64x16x2x32xf32>, tensor<32x16x2x32xf32>
  return
}

// -----

func.func @write_value_cache_block_size(%k: tensor<4x2x32xf32>, %v: tensor<4x2x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x8x2x32xf32>, %s: tensor<4xi32>) {
  // expected-error @+1 {{block size of v_cache (8) differs from k_cache (16)}}
  %kc2, %vc2 = loom_attn.kv_cache_write %k, %v into %kc, %vc at %s : tensor<4x2x32xf32>, tensor<4x2x32xf32>, tensor<4xi32> -> tensor<64x16x2x32xf32>, tensor<64x8x2x32xf32>
  return
}

// -----

func.func @write_i64_slots(%k: tensor<4x2x32xf32>, %v: tensor<4x2x32xf32>, %kc: tensor<64x16x2x32xf32>, %vc: tensor<64x16x2x32xf32>, %s: tensor<4xi64>) {
  // expected-error @+1 {{operand #4 must be 1D tensor of 32-bit signless integer values, but got 'tensor<4xi64>'}}
  %kc2, %vc2 = loom_attn.kv_cache_write %k, %v into %kc, %vc at %s : tensor<4x2x32xf32>, tensor<4x2x32xf32>, tensor<4xi64> -> tensor<64x16x2x32xf32>, tensor<64x16x2x32xf32>
  return
}

// -----

func.func @rope_cache_element_types(%x: tensor<1x8x16x64xf32>, %p: tensor<1x16xi32>, %c: tensor<128x32xf32>, %s: tensor<128x32xf16>) {
  // expected-error @+1 {{cos_cache and sin_cache must have the same element type, got 'f32' and 'f16'}}
  %r = loom_attn.rope %x, %p, %c, %s : tensor<1x8x16x64xf32>, tensor<1x16xi32>, tensor<128x32xf32>, tensor<128x32xf16>
  return
}

// -----

func.func @rope_positions_batch(%x: tensor<1x8x16x64xf32>, %p: tensor<2x16xi32>, %c: tensor<128x32xf32>, %s: tensor<128x32xf32>) {
  // expected-error @+1 {{batch of positions (2) differs from x (1)}}
  %r = loom_attn.rope %x, %p, %c, %s : tensor<1x8x16x64xf32>, tensor<2x16xi32>, tensor<128x32xf32>, tensor<128x32xf32>
  return
}

// -----

func.func @rope_positions_length(%x: tensor<1x8x16x64xf32>, %p: tensor<1x8xi64>, %c: tensor<128x32xf32>, %s: tensor<128x32xf32>) {
  // expected-error @+1 {{sequence length of positions (8) differs from x (16)}}
  %r = loom_attn.rope %x, %p, %c, %s : tensor<1x8x16x64xf32>, tensor<1x8xi64>, tensor<128x32xf32>, tensor<128x32xf32>
  return
}

// -----

func.func @rope_cache_rows(%x: tensor<1x8x16x64xf32>, %p: tensor<1x16xi32>, %c: tensor<128x32xf32>, %s: tensor<64x32xf32>) {
  // expected-error @+1 {{max positions of sin_cache (64) differs from cos_cache (128)}}
  %r = loom_attn.rope %x, %p, %c, %s : tensor<1x8x16x64xf32>, tensor<1x16xi32>, tensor<128x32xf32>, tensor<64x32xf32>
  return
}

// -----

func.func @rope_cache_columns(%x: tensor<1x8x16x64xf32>, %p: tensor<1x16xi32>, %c: tensor<128x32xf32>, %s: tensor<128x16xf32>) {
  // expected-error @+1 {{columns of sin_cache (16) differs from cos_cache (32)}}
  %r = loom_attn.rope %x, %p, %c, %s : tensor<1x8x16x64xf32>, tensor<1x16xi32>, tensor<128x32xf32>, tensor<128x16xf32>
  return
}

// -----

func.func @rope_rotary_dim_zero(%x: tensor<1x8x16x64xf32>, %p: tensor<1x16xi32>, %c: tensor<128x32xf32>, %s: tensor<128x32xf32>) {
  // expected-error @+1 {{rotary_dim must be positive, got 0}}
  %r = loom_attn.rope %x, %p, %c, %s rotary_dim(0) : tensor<1x8x16x64xf32>, tensor<1x16xi32>, tensor<128x32xf32>, tensor<128x32xf32>
  return
}

// -----

func.func @rope_rotary_dim_odd(%x: tensor<1x8x16x64xf32>, %p: tensor<1x16xi32>, %c: tensor<128x32xf32>, %s: tensor<128x32xf32>) {
  // expected-error @+1 {{rotary_dim must be even, got 31}}
  %r = loom_attn.rope %x, %p, %c, %s rotary_dim(31) : tensor<1x8x16x64xf32>, tensor<1x16xi32>, tensor<128x32xf32>, tensor<128x32xf32>
  return
}

// -----

func.func @rope_rotary_dim_too_large(%x: tensor<1x8x16x64xf32>, %p: tensor<1x16xi32>, %c: tensor<128x32xf32>, %s: tensor<128x32xf32>) {
  // expected-error @+1 {{rotary_dim (128) exceeds the head dim of x (64)}}
  %r = loom_attn.rope %x, %p, %c, %s rotary_dim(128) : tensor<1x8x16x64xf32>, tensor<1x16xi32>, tensor<128x32xf32>, tensor<128x32xf32>
  return
}

// -----

func.func @rope_odd_head_dim(%x: tensor<1x8x16x63xf32>, %p: tensor<1x16xi32>, %c: tensor<128x32xf32>, %s: tensor<128x32xf32>) {
  // expected-error @+1 {{head dim of x (63) must be even when rotary_dim is not given}}
  %r = loom_attn.rope %x, %p, %c, %s : tensor<1x8x16x63xf32>, tensor<1x16xi32>, tensor<128x32xf32>, tensor<128x32xf32>
  return
}

// -----

func.func @rope_columns_vs_head_dim(%x: tensor<1x8x16x64xf32>, %p: tensor<1x16xi32>, %c: tensor<128x16xf32>, %s: tensor<128x16xf32>) {
  // expected-error @+1 {{cos_cache has 16 columns; expected rotary_dim / 2 = 32}}
  %r = loom_attn.rope %x, %p, %c, %s : tensor<1x8x16x64xf32>, tensor<1x16xi32>, tensor<128x16xf32>, tensor<128x16xf32>
  return
}

// -----

func.func @rope_columns_vs_rotary_dim(%x: tensor<1x8x16x64xf32>, %p: tensor<1x16xi32>, %c: tensor<128x32xf32>, %s: tensor<128x32xf32>) {
  // expected-error @+1 {{cos_cache has 32 columns; expected rotary_dim / 2 = 16}}
  %r = loom_attn.rope %x, %p, %c, %s interleaved rotary_dim(32) : tensor<1x8x16x64xf32>, tensor<1x16xi32>, tensor<128x32xf32>, tensor<128x32xf32>
  return
}

// -----

// The sin table's columns count when the cos table's are dynamic.
func.func @rope_columns_from_sin(%x: tensor<1x8x16x64xf32>, %p: tensor<1x16xi32>, %c: tensor<128x?xf32>, %s: tensor<128x8xf32>) {
  // expected-error @+1 {{sin_cache has 8 columns; expected rotary_dim / 2 = 32}}
  %r = loom_attn.rope %x, %p, %c, %s : tensor<1x8x16x64xf32>, tensor<1x16xi32>, tensor<128x?xf32>, tensor<128x8xf32>
  return
}
