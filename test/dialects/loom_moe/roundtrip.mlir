// RUN: loom-opt %s --split-input-file | loom-opt --split-input-file | FileCheck %s

// Each case parses, prints and parses again; the CHECKs state the printed form.

// CHECK-LABEL: func.func @route_softmax_normalize
// CHECK-SAME: (%[[LOGITS:.+]]: tensor<16x8xf32>)
func.func @route_softmax_normalize(%logits: tensor<16x8xf32>) -> (tensor<16x2xf32>, tensor<16x2xi32>) {
  // CHECK: %[[W:.+]], %[[IDS:.+]] = loom_moe.route %[[LOGITS]] top 2 softmax normalize : tensor<16x8xf32> -> tensor<16x2xf32>, tensor<16x2xi32>
  %w, %ids = loom_moe.route %logits top 2 softmax normalize : tensor<16x8xf32> -> tensor<16x2xf32>, tensor<16x2xi32>
  // CHECK: return %[[W]], %[[IDS]]
  return %w, %ids : tensor<16x2xf32>, tensor<16x2xi32>
}

// -----

// CHECK-LABEL: func.func @route_softmax_raw
func.func @route_softmax_raw(%logits: tensor<16x8xf32>) -> tensor<16x2xi32> {
  // CHECK: loom_moe.route %{{.+}} top 2 softmax : tensor<16x8xf32> -> tensor<16x2xf32>, tensor<16x2xi32>
  %w, %ids = loom_moe.route %logits top 2 softmax : tensor<16x8xf32> -> tensor<16x2xf32>, tensor<16x2xi32>
  return %ids : tensor<16x2xi32>
}

// -----

// Dynamic token count, DeepSeek-V3 style scoring with renormalisation.
// CHECK-LABEL: func.func @route_sigmoid_normalize_dynamic
func.func @route_sigmoid_normalize_dynamic(%logits: tensor<?x256xbf16>) -> tensor<?x8xi32> {
  // CHECK: loom_moe.route %{{.+}} top 8 sigmoid normalize : tensor<?x256xbf16> -> tensor<?x8xf32>, tensor<?x8xi32>
  %w, %ids = loom_moe.route %logits top 8 sigmoid normalize : tensor<?x256xbf16> -> tensor<?x8xf32>, tensor<?x8xi32>
  return %ids : tensor<?x8xi32>
}

// -----

// CHECK-LABEL: func.func @route_sigmoid_raw_dynamic
func.func @route_sigmoid_raw_dynamic(%logits: tensor<?x?xf16>) -> tensor<?x4xf32> {
  // CHECK: loom_moe.route %{{.+}} top 4 sigmoid : tensor<?x?xf16> -> tensor<?x4xf32>, tensor<?x4xi32>
  %w, %ids = loom_moe.route %logits top 4 sigmoid : tensor<?x?xf16> -> tensor<?x4xf32>, tensor<?x4xi32>
  return %w : tensor<?x4xf32>
}

// -----

// Results may be less static than the operand; k = E is allowed.
// CHECK-LABEL: func.func @route_dynamic_results
func.func @route_dynamic_results(%logits: tensor<16x2xf32>) -> tensor<?x?xi32> {
  // CHECK: loom_moe.route %{{.+}} top 2 softmax : tensor<16x2xf32> -> tensor<?x?xf32>, tensor<?x?xi32>
  %w, %ids = loom_moe.route %logits top 2 softmax : tensor<16x2xf32> -> tensor<?x?xf32>, tensor<?x?xi32>
  return %ids : tensor<?x?xi32>
}

// -----

// The generic form spells the scoring as a dialect attribute.
// CHECK-LABEL: func.func @route_generic_form
func.func @route_generic_form(%logits: tensor<4x8xf32>) -> tensor<4x1xi32> {
  // CHECK: loom_moe.route %{{.+}} top 1 sigmoid normalize : tensor<4x8xf32> -> tensor<4x1xf32>, tensor<4x1xi32>
  %w, %ids = "loom_moe.route"(%logits) <{k = 1 : i64, scoring = #loom_moe<scoring sigmoid>, normalize}> : (tensor<4x8xf32>) -> (tensor<4x1xf32>, tensor<4x1xi32>)
  return %ids : tensor<4x1xi32>
}

// -----

// CHECK-LABEL: func.func @dispatch_static
// CHECK-SAME: (%[[X:.+]]: tensor<16x64xf32>, %[[IDS:.+]]: tensor<16x2xi32>)
func.func @dispatch_static(%x: tensor<16x64xf32>, %ids: tensor<16x2xi32>) -> (tensor<32x64xf32>, tensor<9xi32>, tensor<32xi32>) {
  // CHECK: %[[XS:.+]], %[[OFF:.+]], %[[PERM:.+]] = loom_moe.dispatch %[[X]], %[[IDS]] experts 8 : tensor<16x64xf32>, tensor<16x2xi32> -> tensor<32x64xf32>, tensor<9xi32>, tensor<32xi32>
  %xs, %off, %perm = loom_moe.dispatch %x, %ids experts 8 : tensor<16x64xf32>, tensor<16x2xi32> -> tensor<32x64xf32>, tensor<9xi32>, tensor<32xi32>
  // CHECK: return %[[XS]], %[[OFF]], %[[PERM]]
  return %xs, %off, %perm : tensor<32x64xf32>, tensor<9xi32>, tensor<32xi32>
}

// -----

// Dynamic tokens; dispatch only moves rows, so integer rows are fine too.
// CHECK-LABEL: func.func @dispatch_dynamic
func.func @dispatch_dynamic(%x: tensor<?x128xi8>, %ids: tensor<?x2xi32>) -> tensor<?x128xi8> {
  // CHECK: loom_moe.dispatch %{{.+}}, %{{.+}} experts 1 : tensor<?x128xi8>, tensor<?x2xi32> -> tensor<?x128xi8>, tensor<2xi32>, tensor<?xi32>
  %xs, %off, %perm = loom_moe.dispatch %x, %ids experts 1 : tensor<?x128xi8>, tensor<?x2xi32> -> tensor<?x128xi8>, tensor<2xi32>, tensor<?xi32>
  return %xs : tensor<?x128xi8>
}

// -----

// CHECK-LABEL: func.func @dispatch_all_dynamic
func.func @dispatch_all_dynamic(%x: tensor<?x?xbf16>, %ids: tensor<?x?xi32>) -> tensor<?xi32> {
  // CHECK: loom_moe.dispatch %{{.+}}, %{{.+}} experts 64 : tensor<?x?xbf16>, tensor<?x?xi32> -> tensor<?x?xbf16>, tensor<?xi32>, tensor<?xi32>
  %xs, %off, %perm = loom_moe.dispatch %x, %ids experts 64 : tensor<?x?xbf16>, tensor<?x?xi32> -> tensor<?x?xbf16>, tensor<?xi32>, tensor<?xi32>
  return %perm : tensor<?xi32>
}

// -----

// CHECK-LABEL: func.func @grouped_matmul_static
// CHECK-SAME: (%[[X:.+]]: tensor<32x64xf32>, %[[W:.+]]: tensor<8x64x128xf32>, %[[OFF:.+]]: tensor<9xi32>)
func.func @grouped_matmul_static(%x: tensor<32x64xf32>, %w: tensor<8x64x128xf32>, %off: tensor<9xi32>) -> tensor<32x128xf32> {
  // CHECK: %[[Y:.+]] = loom_moe.grouped_matmul %[[X]], %[[W]], %[[OFF]] : tensor<32x64xf32>, tensor<8x64x128xf32>, tensor<9xi32> -> tensor<32x128xf32>
  %y = loom_moe.grouped_matmul %x, %w, %off : tensor<32x64xf32>, tensor<8x64x128xf32>, tensor<9xi32> -> tensor<32x128xf32>
  // CHECK: return %[[Y]]
  return %y : tensor<32x128xf32>
}

// -----

// CHECK-LABEL: func.func @grouped_matmul_dynamic
func.func @grouped_matmul_dynamic(%x: tensor<?x4096xbf16>, %w: tensor<?x4096x?xbf16>, %off: tensor<?xi32>) -> tensor<?x?xbf16> {
  // CHECK: loom_moe.grouped_matmul %{{.+}}, %{{.+}}, %{{.+}} : tensor<?x4096xbf16>, tensor<?x4096x?xbf16>, tensor<?xi32> -> tensor<?x?xbf16>
  %y = loom_moe.grouped_matmul %x, %w, %off : tensor<?x4096xbf16>, tensor<?x4096x?xbf16>, tensor<?xi32> -> tensor<?x?xbf16>
  return %y : tensor<?x?xbf16>
}

// -----

// CHECK-LABEL: func.func @combine_static
// CHECK-SAME: (%[[Y:.+]]: tensor<32x64xf32>, %[[PERM:.+]]: tensor<32xi32>, %[[W:.+]]: tensor<16x2xf32>)
func.func @combine_static(%y: tensor<32x64xf32>, %perm: tensor<32xi32>, %w: tensor<16x2xf32>) -> tensor<16x64xf32> {
  // CHECK: %[[OUT:.+]] = loom_moe.combine %[[Y]], %[[PERM]], %[[W]] : tensor<32x64xf32>, tensor<32xi32>, tensor<16x2xf32> -> tensor<16x64xf32>
  %out = loom_moe.combine %y, %perm, %w : tensor<32x64xf32>, tensor<32xi32>, tensor<16x2xf32> -> tensor<16x64xf32>
  // CHECK: return %[[OUT]]
  return %out : tensor<16x64xf32>
}

// -----

// CHECK-LABEL: func.func @combine_dynamic
func.func @combine_dynamic(%y: tensor<?x4096xf16>, %perm: tensor<?xi32>, %w: tensor<?x2xf32>) -> tensor<?x4096xf16> {
  // CHECK: loom_moe.combine %{{.+}}, %{{.+}}, %{{.+}} : tensor<?x4096xf16>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x4096xf16>
  %out = loom_moe.combine %y, %perm, %w : tensor<?x4096xf16>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x4096xf16>
  return %out : tensor<?x4096xf16>
}

// -----

// A whole MoE feed-forward step (one matmul per expert for brevity).
// CHECK-LABEL: func.func @moe_layer
// CHECK-SAME: (%[[X:.+]]: tensor<?x64xf32>, %[[LOGITS:.+]]: tensor<?x8xf32>, %[[W:.+]]: tensor<8x64x64xf32>)
func.func @moe_layer(%x: tensor<?x64xf32>, %logits: tensor<?x8xf32>, %w: tensor<8x64x64xf32>) -> tensor<?x64xf32> {
  // CHECK: %[[WEIGHTS:.+]], %[[IDS:.+]] = loom_moe.route %[[LOGITS]] top 2 softmax normalize
  // CHECK: %[[XS:.+]], %[[OFF:.+]], %[[PERM:.+]] = loom_moe.dispatch %[[X]], %[[IDS]] experts 8
  // CHECK: %[[Y:.+]] = loom_moe.grouped_matmul %[[XS]], %[[W]], %[[OFF]]
  // CHECK: %[[OUT:.+]] = loom_moe.combine %[[Y]], %[[PERM]], %[[WEIGHTS]]
  // CHECK: return %[[OUT]]
  %weights, %ids = loom_moe.route %logits top 2 softmax normalize : tensor<?x8xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
  %xs, %off, %perm = loom_moe.dispatch %x, %ids experts 8 : tensor<?x64xf32>, tensor<?x2xi32> -> tensor<?x64xf32>, tensor<9xi32>, tensor<?xi32>
  %y = loom_moe.grouped_matmul %xs, %w, %off : tensor<?x64xf32>, tensor<8x64x64xf32>, tensor<9xi32> -> tensor<?x64xf32>
  %out = loom_moe.combine %y, %perm, %weights : tensor<?x64xf32>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x64xf32>
  return %out : tensor<?x64xf32>
}
