// RUN: loom-opt %s --split-input-file --verify-diagnostics

//===----------------------------------------------------------------------===//
// loom_moe.route
//===----------------------------------------------------------------------===//

func.func @route_unknown_scoring(%logits: tensor<16x8xf32>) {
  // expected-error @+2 {{expected one of [softmax, sigmoid, given] for how router logits become expert scores, got: argmax}}
  // expected-error @+1 {{failed to parse LoomMoe_ScoringAttr parameter 'value'}}
  %w, %ids = loom_moe.route %logits top 2 argmax : tensor<16x8xf32> -> tensor<16x2xf32>, tensor<16x2xi32>
  return
}

// -----

// The standalone (generic) spelling of the attribute is `#loom_moe<scoring ...>`.
func.func @route_unknown_attribute(%logits: tensor<4x8xf32>) {
  // expected-error @+1 {{unknown attribute `score` in dialect `loom_moe`}}
  %w, %ids = "loom_moe.route"(%logits) <{k = 1 : i64, scoring = #loom_moe<score sigmoid>}> : (tensor<4x8xf32>) -> (tensor<4x1xf32>, tensor<4x1xi32>)
  return
}

// -----

func.func @route_missing_scoring(%logits: tensor<4x8xf32>) {
  // expected-error @+1 {{requires attribute 'scoring'}}
  %w, %ids = "loom_moe.route"(%logits) <{k = 1 : i64}> : (tensor<4x8xf32>) -> (tensor<4x1xf32>, tensor<4x1xi32>)
  return
}

// -----

func.func @route_k_zero(%logits: tensor<16x8xf32>) {
  // expected-error @+1 {{attribute 'k' failed to satisfy constraint: 64-bit signless integer attribute whose minimum value is 1}}
  %w, %ids = loom_moe.route %logits top 0 softmax : tensor<16x8xf32> -> tensor<16x0xf32>, tensor<16x0xi32>
  return
}

// -----

func.func @route_integer_logits(%logits: tensor<16x8xi32>) {
  // expected-error @+1 {{operand #0 must be 2D tensor of floating-point values}}
  %w, %ids = loom_moe.route %logits top 2 softmax : tensor<16x8xi32> -> tensor<16x2xf32>, tensor<16x2xi32>
  return
}

// -----

func.func @route_f16_weights(%logits: tensor<16x8xf16>) {
  // expected-error @+1 {{result #0 must be 2D tensor of 32-bit float values}}
  %w, %ids = loom_moe.route %logits top 2 softmax : tensor<16x8xf16> -> tensor<16x2xf16>, tensor<16x2xi32>
  return
}

// -----

func.func @route_k_exceeds_experts(%logits: tensor<16x2xf32>) {
  // expected-error @+1 {{k = 3 exceeds the 2 experts of 'logits'}}
  %w, %ids = loom_moe.route %logits top 3 softmax : tensor<16x2xf32> -> tensor<16x3xf32>, tensor<16x3xi32>
  return
}

// -----

func.func @route_weights_tokens(%logits: tensor<16x8xf32>) {
  // expected-error @+1 {{'weights' dim 0 is 8, expected 16 (tokens of 'logits')}}
  %w, %ids = loom_moe.route %logits top 2 softmax : tensor<16x8xf32> -> tensor<8x2xf32>, tensor<16x2xi32>
  return
}

// -----

func.func @route_weights_k(%logits: tensor<?x8xf32>) {
  // expected-error @+1 {{'weights' dim 1 is 3, expected 2 (k)}}
  %w, %ids = loom_moe.route %logits top 2 sigmoid : tensor<?x8xf32> -> tensor<?x3xf32>, tensor<?x2xi32>
  return
}

// -----

func.func @route_ids_tokens(%logits: tensor<16x8xf32>) {
  // expected-error @+1 {{'ids' dim 0 is 15, expected 16 (tokens of 'logits')}}
  %w, %ids = loom_moe.route %logits top 2 softmax normalize : tensor<16x8xf32> -> tensor<?x2xf32>, tensor<15x2xi32>
  return
}

// -----

func.func @route_ids_k(%logits: tensor<16x?xf32>) {
  // expected-error @+1 {{'ids' dim 1 is 1, expected 4 (k)}}
  %w, %ids = loom_moe.route %logits top 4 softmax : tensor<16x?xf32> -> tensor<16x4xf32>, tensor<16x1xi32>
  return
}

//===----------------------------------------------------------------------===//
// loom_moe.dispatch
//===----------------------------------------------------------------------===//

// -----

func.func @dispatch_zero_experts(%x: tensor<16x64xf32>, %ids: tensor<16x2xi32>) {
  // expected-error @+1 {{attribute 'num_experts' failed to satisfy constraint: 64-bit signless integer attribute whose minimum value is 1}}
  %xs, %off, %perm = loom_moe.dispatch %x, %ids experts 0 : tensor<16x64xf32>, tensor<16x2xi32> -> tensor<32x64xf32>, tensor<1xi32>, tensor<32xi32>
  return
}

// -----

func.func @dispatch_i64_ids(%x: tensor<16x64xf32>, %ids: tensor<16x2xi64>) {
  // expected-error @+1 {{operand #1 must be 2D tensor of 32-bit signless integer values}}
  %xs, %off, %perm = loom_moe.dispatch %x, %ids experts 8 : tensor<16x64xf32>, tensor<16x2xi64> -> tensor<32x64xf32>, tensor<9xi32>, tensor<32xi32>
  return
}

// -----

func.func @dispatch_element_type(%x: tensor<16x64xf32>, %ids: tensor<16x2xi32>) {
  // expected-error @+1 {{failed to verify that all of {x, x_sorted} have same element type}}
  %xs, %off, %perm = loom_moe.dispatch %x, %ids experts 8 : tensor<16x64xf32>, tensor<16x2xi32> -> tensor<32x64xf16>, tensor<9xi32>, tensor<32xi32>
  return
}

// -----

func.func @dispatch_ids_tokens(%x: tensor<16x64xf32>, %ids: tensor<8x2xi32>) {
  // expected-error @+1 {{'ids' dim 0 is 8, expected 16 (tokens of 'x')}}
  %xs, %off, %perm = loom_moe.dispatch %x, %ids experts 8 : tensor<16x64xf32>, tensor<8x2xi32> -> tensor<?x64xf32>, tensor<9xi32>, tensor<?xi32>
  return
}

// -----

func.func @dispatch_x_sorted_rows(%x: tensor<16x64xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'x_sorted' dim 0 is 16, expected 32 (tokens times k)}}
  %xs, %off, %perm = loom_moe.dispatch %x, %ids experts 8 : tensor<16x64xf32>, tensor<?x2xi32> -> tensor<16x64xf32>, tensor<9xi32>, tensor<?xi32>
  return
}

// -----

func.func @dispatch_x_sorted_width(%x: tensor<?x64xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'x_sorted' dim 1 is 32, expected 64 (row width of 'x')}}
  %xs, %off, %perm = loom_moe.dispatch %x, %ids experts 8 : tensor<?x64xf32>, tensor<?x2xi32> -> tensor<?x32xf32>, tensor<9xi32>, tensor<?xi32>
  return
}

// -----

func.func @dispatch_permutation_rows(%x: tensor<16x64xf32>, %ids: tensor<16x2xi32>) {
  // expected-error @+1 {{'permutation' dim 0 is 16, expected 32 (tokens times k)}}
  %xs, %off, %perm = loom_moe.dispatch %x, %ids experts 8 : tensor<16x64xf32>, tensor<16x2xi32> -> tensor<32x64xf32>, tensor<9xi32>, tensor<16xi32>
  return
}

// -----

// T is dynamic, so T * k is unknown, but the two results still disagree.
func.func @dispatch_permutation_vs_x_sorted(%x: tensor<?x64xf32>, %ids: tensor<?x2xi32>) {
  // expected-error @+1 {{'permutation' dim 0 is 6, expected 4 (rows of 'x_sorted')}}
  %xs, %off, %perm = loom_moe.dispatch %x, %ids experts 8 : tensor<?x64xf32>, tensor<?x2xi32> -> tensor<4x64xf32>, tensor<9xi32>, tensor<6xi32>
  return
}

// -----

func.func @dispatch_offsets_size(%x: tensor<16x64xf32>, %ids: tensor<16x2xi32>) {
  // expected-error @+1 {{'expert_offsets' dim 0 is 8, expected 9 (num_experts + 1)}}
  %xs, %off, %perm = loom_moe.dispatch %x, %ids experts 8 : tensor<16x64xf32>, tensor<16x2xi32> -> tensor<32x64xf32>, tensor<8xi32>, tensor<32xi32>
  return
}

//===----------------------------------------------------------------------===//
// loom_moe.grouped_matmul
//===----------------------------------------------------------------------===//

// -----

func.func @grouped_matmul_weight_rank(%x: tensor<32x64xf32>, %w: tensor<64x128xf32>, %off: tensor<9xi32>) {
  // expected-error @+1 {{operand #1 must be 3D tensor of floating-point values}}
  %y = loom_moe.grouped_matmul %x, %w, %off : tensor<32x64xf32>, tensor<64x128xf32>, tensor<9xi32> -> tensor<32x128xf32>
  return
}

// -----

func.func @grouped_matmul_result_element_type(%x: tensor<32x64xf32>, %w: tensor<8x64x128xf32>, %off: tensor<9xi32>) {
  // expected-error @+1 {{failed to verify that all of {x_sorted, result} have same element type}}
  %y = loom_moe.grouped_matmul %x, %w, %off : tensor<32x64xf32>, tensor<8x64x128xf32>, tensor<9xi32> -> tensor<32x128xbf16>
  return
}

// -----

func.func @grouped_matmul_weight_element_type(%x: tensor<32x64xbf16>, %w: tensor<8x64x128xf32>, %off: tensor<9xi32>) {
  // expected-error @+1 {{float weights must have the element type of 'x_sorted' ('bf16'), got 'f32'}}
  %y = loom_moe.grouped_matmul %x, %w, %off : tensor<32x64xbf16>, tensor<8x64x128xf32>, tensor<9xi32> -> tensor<32x128xbf16>
  return
}

// -----

func.func @grouped_matmul_k(%x: tensor<?x64xf32>, %w: tensor<8x32x128xf32>, %off: tensor<9xi32>) {
  // expected-error @+1 {{'w' dim 1 is 32, expected 64 (reduction size K of 'x_sorted')}}
  %y = loom_moe.grouped_matmul %x, %w, %off : tensor<?x64xf32>, tensor<8x32x128xf32>, tensor<9xi32> -> tensor<?x128xf32>
  return
}

// -----

func.func @grouped_matmul_offsets(%x: tensor<?x64xf32>, %w: tensor<8x64x128xf32>, %off: tensor<8xi32>) {
  // expected-error @+1 {{'expert_offsets' dim 0 is 8, expected 9 (experts of 'w' + 1)}}
  %y = loom_moe.grouped_matmul %x, %w, %off : tensor<?x64xf32>, tensor<8x64x128xf32>, tensor<8xi32> -> tensor<?x128xf32>
  return
}

// -----

func.func @grouped_matmul_result_rows(%x: tensor<32x64xf32>, %w: tensor<8x64x128xf32>, %off: tensor<?xi32>) {
  // expected-error @+1 {{'result' dim 0 is 16, expected 32 (rows of 'x_sorted')}}
  %y = loom_moe.grouped_matmul %x, %w, %off : tensor<32x64xf32>, tensor<8x64x128xf32>, tensor<?xi32> -> tensor<16x128xf32>
  return
}

// -----

func.func @grouped_matmul_result_width(%x: tensor<?x64xf32>, %w: tensor<?x64x128xf32>, %off: tensor<?xi32>) {
  // expected-error @+1 {{'result' dim 1 is 64, expected 128 (output size N of 'w')}}
  %y = loom_moe.grouped_matmul %x, %w, %off : tensor<?x64xf32>, tensor<?x64x128xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return
}

//===----------------------------------------------------------------------===//
// loom_moe.combine
//===----------------------------------------------------------------------===//

// -----

func.func @combine_f16_weights(%y: tensor<32x64xf32>, %perm: tensor<32xi32>, %w: tensor<16x2xf16>) {
  // expected-error @+1 {{operand #2 must be 2D tensor of 32-bit float values}}
  %out = loom_moe.combine %y, %perm, %w : tensor<32x64xf32>, tensor<32xi32>, tensor<16x2xf16> -> tensor<16x64xf32>
  return
}

// -----

func.func @combine_result_element_type(%y: tensor<32x64xf32>, %perm: tensor<32xi32>, %w: tensor<16x2xf32>) {
  // expected-error @+1 {{failed to verify that all of {y_sorted, result} have same element type}}
  %out = loom_moe.combine %y, %perm, %w : tensor<32x64xf32>, tensor<32xi32>, tensor<16x2xf32> -> tensor<16x64xf16>
  return
}

// -----

func.func @combine_y_rows(%y: tensor<30x64xf32>, %perm: tensor<?xi32>, %w: tensor<16x2xf32>) {
  // expected-error @+1 {{'y_sorted' dim 0 is 30, expected 32 (tokens times k of 'weights')}}
  %out = loom_moe.combine %y, %perm, %w : tensor<30x64xf32>, tensor<?xi32>, tensor<16x2xf32> -> tensor<16x64xf32>
  return
}

// -----

func.func @combine_permutation_rows(%y: tensor<?x64xf32>, %perm: tensor<30xi32>, %w: tensor<16x2xf32>) {
  // expected-error @+1 {{'permutation' dim 0 is 30, expected 32 (tokens times k of 'weights')}}
  %out = loom_moe.combine %y, %perm, %w : tensor<?x64xf32>, tensor<30xi32>, tensor<16x2xf32> -> tensor<16x64xf32>
  return
}

// -----

// T * k is unknown, but permutation and y_sorted still disagree.
func.func @combine_permutation_vs_y(%y: tensor<32x64xf32>, %perm: tensor<30xi32>, %w: tensor<?x2xf32>) {
  // expected-error @+1 {{'permutation' dim 0 is 30, expected 32 (rows of 'y_sorted')}}
  %out = loom_moe.combine %y, %perm, %w : tensor<32x64xf32>, tensor<30xi32>, tensor<?x2xf32> -> tensor<?x64xf32>
  return
}

// -----

func.func @combine_result_tokens(%y: tensor<?x64xf32>, %perm: tensor<?xi32>, %w: tensor<16x2xf32>) {
  // expected-error @+1 {{'result' dim 0 is 32, expected 16 (tokens of 'weights')}}
  %out = loom_moe.combine %y, %perm, %w : tensor<?x64xf32>, tensor<?xi32>, tensor<16x2xf32> -> tensor<32x64xf32>
  return
}

// -----

func.func @combine_result_width(%y: tensor<?x64xf32>, %perm: tensor<?xi32>, %w: tensor<?x2xf32>) {
  // expected-error @+1 {{'result' dim 1 is 128, expected 64 (row width of 'y_sorted')}}
  %out = loom_moe.combine %y, %perm, %w : tensor<?x64xf32>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x128xf32>
  return
}
