// RUN: loom-opt %S/../../examples/transformer-block.mlir --canonicalize --cse | FileCheck %s

// The README's bundled example parses, verifies and keeps every Loom op
// through canonicalization.
// CHECK-LABEL: func.func @decoder_block
// CHECK-COUNT-2: loom_attn.rope
// CHECK: loom_attn.attention {{.*}} causal
// CHECK: loom_quant.matmul {{.*}} weight_scheme = #loom_quant.scheme<i4, per_group(axis = 1, size = 32), packed>
// CHECK: loom_moe.route {{.*}} top 2 softmax normalize
// CHECK: loom_moe.dispatch {{.*}} experts 4
// CHECK-COUNT-2: loom_moe.grouped_matmul
// CHECK: loom_moe.combine
