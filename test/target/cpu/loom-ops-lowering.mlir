// RUN: loom-opt %s --split-input-file --loom-cpu-lowering | FileCheck %s

// The CPU pipeline starts with the Loom lowerings: no Loom op survives,
// the bridges between ui8 tensors and signless arithmetic fold away, and
// 8-bit floats need no runtime library.
// CHECK-NOT: loom_quant
// CHECK-NOT: unrealized_conversion_cast
// CHECK-NOT: __extend
// CHECK-NOT: __trunc
// CHECK: llvm.func @loom_call_quant
func.func @quant(%x: tensor<4x8xf32>, %w: tensor<16x4xui8>, %s: tensor<16x1xf32>,
                 %z: tensor<16x1xi4>, %f: tensor<8xf8E5M2>, %fs: tensor<f32>)
    -> (tensor<4x16xf32>, tensor<8xf32>) {
  %y = loom_quant.matmul %x, %w scale %s zero_point %z {
         weight_scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 8), zero_point, packed>,
         transpose_weight}
         : (tensor<4x8xf32>, tensor<16x4xui8>, tensor<16x1xf32>, tensor<16x1xi4>) -> tensor<4x16xf32>
  %d = loom_quant.dequantize %f, %fs {scheme = #loom_quant.scheme<f8E5M2>}
      : tensor<8xf8E5M2>, tensor<f32> -> tensor<8xf32>
  return %y, %d : tensor<4x16xf32>, tensor<8xf32>
}

// -----

// CHECK-NOT: loom_moe
// CHECK: llvm.func @loom_call_moe
func.func @moe(%x: tensor<?x8xf32>, %l: tensor<?x4xf32>, %w: tensor<4x8x8xf32>) -> tensor<?x8xf32> {
  %wt, %ids = loom_moe.route %l top 2 softmax normalize
      : tensor<?x4xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
  %xs, %off, %perm = loom_moe.dispatch %x, %ids experts 4
      : tensor<?x8xf32>, tensor<?x2xi32> -> tensor<?x8xf32>, tensor<5xi32>, tensor<?xi32>
  %y = loom_moe.grouped_matmul %xs, %w, %off
      : tensor<?x8xf32>, tensor<4x8x8xf32>, tensor<5xi32> -> tensor<?x8xf32>
  %o = loom_moe.combine %y, %perm, %wt
      : tensor<?x8xf32>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x8xf32>
  return %o : tensor<?x8xf32>
}
