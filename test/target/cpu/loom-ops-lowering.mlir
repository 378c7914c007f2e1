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

// -----

// Every loom_attn op, through loom-convert-attn-to-linalg, reaches LLVM:
// attention with every restriction (dynamic shapes and strided sparsity in
// the second), paged attention, the cache write and both rope forms.
// CHECK-NOT: loom_attn
// CHECK: llvm.func @loom_call_attn
// CHECK-NOT: loom_attn
// CHECK: llvm.func @loom_call_attn_dynamic
// CHECK-NOT: loom_attn
// CHECK: llvm.func @loom_call_decode
#layout = #loom_attn.block_sparse<q_block = 4, kv_block = 32,
    layout = dense<[[[true, false, true], [false, true, true]]]> : tensor<1x2x3xi1>>
func.func @attn(%q: tensor<1x4x8x16xbf16>, %k: tensor<1x2x96x16xbf16>, %v: tensor<1x2x96x16xbf16>,
                %m: tensor<8x96xi1>, %b: tensor<4x1x96xf32>) -> tensor<1x4x8x16xbf16> {
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<8x96xi1>) bias(%b : tensor<4x1x96xf32>)
      causal window(32, 0) sinks(2) softcap(20.0) sparsity(#layout)
      : tensor<1x4x8x16xbf16>, tensor<1x2x96x16xbf16>, tensor<1x2x96x16xbf16> -> tensor<1x4x8x16xbf16>
  return %o : tensor<1x4x8x16xbf16>
}
func.func @attn_dynamic(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>,
                        %m: tensor<?x1x?x?xf16>) -> tensor<?x?x?x?xf32> {
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<?x1x?x?xf16>)
      sparsity(#loom_attn.strided<block = 16, stride = 2, offsets = [0, 1]>)
      : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}
func.func @decode(%x: tensor<2x4x1x16xf16>, %kn: tensor<2x2x16xf16>, %vn: tensor<2x2x16xf16>,
                  %kc: tensor<8x4x2x16xf16>, %vc: tensor<8x4x2x16xf16>, %slots: tensor<2xi32>,
                  %pos: tensor<2x1xi32>, %cos: tensor<64x4xf32>, %sin: tensor<64x4xf32>,
                  %table: tensor<2x4xi32>, %lens: tensor<2xi32>)
    -> (tensor<2x4x1x16xf16>, tensor<8x4x2x16xf16>, tensor<8x4x2x16xf16>) {
  %q = loom_attn.rope %x, %pos, %cos, %sin rotary_dim(8)
      : tensor<2x4x1x16xf16>, tensor<2x1xi32>, tensor<64x4xf32>, tensor<64x4xf32>
  %qi = loom_attn.rope %q, %pos, %cos, %sin interleaved rotary_dim(8)
      : tensor<2x4x1x16xf16>, tensor<2x1xi32>, tensor<64x4xf32>, tensor<64x4xf32>
  %kc2, %vc2 = loom_attn.kv_cache_write %kn, %vn into %kc, %vc at %slots
      : tensor<2x2x16xf16>, tensor<2x2x16xf16>, tensor<2xi32> -> tensor<8x4x2x16xf16>, tensor<8x4x2x16xf16>
  %o = loom_attn.paged_attention %qi, %kc2, %vc2, %table, %lens causal
      : tensor<2x4x1x16xf16>, tensor<8x4x2x16xf16>, tensor<8x4x2x16xf16>, tensor<2x4xi32>, tensor<2xi32>
        -> tensor<2x4x1x16xf16>
  return %o, %kc2, %vc2 : tensor<2x4x1x16xf16>, tensor<8x4x2x16xf16>, tensor<8x4x2x16xf16>
}
