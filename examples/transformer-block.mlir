// A decoder block written in Loom's three dialects, for the README's main
// command: rotary embedding and causal grouped-query attention (loom_attn),
// an output projection with 4-bit weights (loom_quant, the MatMulNBits
// layout), and a top-2 mixture-of-experts feed-forward (loom_moe).
//
// Shapes: 8 tokens, 4 query heads and 2 key/value heads of size 16
// (hidden 64), 4 experts with an inner size of 128.

func.func @decoder_block(
    %q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>,
    %positions: tensor<1x8xi32>, %cos: tensor<64x8xf32>, %sin: tensor<64x8xf32>,
    %o_weight: tensor<64x32xi8>, %o_scale: tensor<64x2xf32>,
    %router: tensor<64x4xf32>, %experts_up: tensor<4x64x128xf32>,
    %experts_down: tensor<4x128x64xf32>) -> tensor<8x64xf32> {
  // Attention: RoPE on q and k (Llama's half-split form), then causal GQA.
  %q_rot = loom_attn.rope %q, %positions, %cos, %sin
      : tensor<1x4x8x16xf32>, tensor<1x8xi32>, tensor<64x8xf32>, tensor<64x8xf32>
  %k_rot = loom_attn.rope %k, %positions, %cos, %sin
      : tensor<1x2x8x16xf32>, tensor<1x8xi32>, tensor<64x8xf32>, tensor<64x8xf32>
  %attn = loom_attn.attention %q_rot, %k_rot, %v causal
      : tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32> -> tensor<1x4x8x16xf32>

  // [1, heads, tokens, 16] -> [tokens, heads * 16].
  %heads = tensor.collapse_shape %attn [[0, 1], [2], [3]]
      : tensor<1x4x8x16xf32> into tensor<4x8x16xf32>
  %init = tensor.empty() : tensor<8x4x16xf32>
  %tokens = linalg.transpose ins(%heads : tensor<4x8x16xf32>)
      outs(%init : tensor<8x4x16xf32>) permutation = [1, 0, 2]
  %hidden = tensor.collapse_shape %tokens [[0], [1, 2]]
      : tensor<8x4x16xf32> into tensor<8x64xf32>

  // Output projection, W4A16: int4 weights [N, K] packed two per byte,
  // one scale per group of 32 along K.
  %proj = loom_quant.matmul %hidden, %o_weight scale %o_scale {
      transpose_weight,
      weight_scheme = #loom_quant.scheme<i4, per_group(axis = 1, size = 32), packed>}
      : (tensor<8x64xf32>, tensor<64x32xi8>, tensor<64x2xf32>) -> tensor<8x64xf32>

  // Mixture of experts: route each token to 2 of 4 experts, run each
  // expert on its own tokens only, and combine by the routing weights.
  %zero = arith.constant 0.0 : f32
  %logits_init = tensor.empty() : tensor<8x4xf32>
  %logits_zero = linalg.fill ins(%zero : f32) outs(%logits_init : tensor<8x4xf32>) -> tensor<8x4xf32>
  %logits = linalg.matmul ins(%proj, %router : tensor<8x64xf32>, tensor<64x4xf32>)
      outs(%logits_zero : tensor<8x4xf32>) -> tensor<8x4xf32>
  %weights, %ids = loom_moe.route %logits top 2 softmax normalize
      : tensor<8x4xf32> -> tensor<8x2xf32>, tensor<8x2xi32>
  %rows, %offsets, %perm = loom_moe.dispatch %proj, %ids experts 4
      : tensor<8x64xf32>, tensor<8x2xi32> -> tensor<16x64xf32>, tensor<5xi32>, tensor<16xi32>
  %up = loom_moe.grouped_matmul %rows, %experts_up, %offsets
      : tensor<16x64xf32>, tensor<4x64x128xf32>, tensor<5xi32> -> tensor<16x128xf32>
  %down = loom_moe.grouped_matmul %up, %experts_down, %offsets
      : tensor<16x128xf32>, tensor<4x128x64xf32>, tensor<5xi32> -> tensor<16x64xf32>
  %out = loom_moe.combine %down, %perm, %weights
      : tensor<16x64xf32>, tensor<16xi32>, tensor<8x2xf32> -> tensor<8x64xf32>
  return %out : tensor<8x64xf32>
}
