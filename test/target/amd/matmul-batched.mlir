// RUN: loom-opt %s --loom-amd-lowering="chip=gfx942 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s

// A batched matmul (ONNX MatMul of two 3-D tensors: linalg.batch_matmul)
// runs on MFMA with the batch along the grid's z: the kernel reads its
// workgroup id z (an SGPR the descriptor enables).
// CHECK: {{^}}batched_kernel:
// CHECK: {{^}}batched_kernel:
// CHECK: ds_write
// CHECK: s_barrier
// CHECK: ds_read_b128
// CHECK: v_mfma_f32_16x16x4_f32
// CHECK: s_endpgm
// CHECK: .amdhsa_kernel batched_kernel
// CHECK: .amdhsa_system_sgpr_workgroup_id_z 1

// Gemm with transB (B stored N x K, how the importer writes a Linear
// layer's `x @ W^T`): B is staged like A, 8 bytes per thread and step, so
// the backend pairs the A and B stores into one ds_write2st64_b64 (no
// element-wise transposing b32 stores into LDS). K = 64: the loop of four
// steps is unrolled, each step's loads issued before its MFMAs.
// CHECK: {{^}}linear_kernel:
// CHECK: {{^}}linear_kernel:
// CHECK-NOT: {{ds_write_b32|ds_write2_b32}}
// CHECK: global_load_dwordx2
// CHECK: ds_write2st64_b64
// CHECK: s_barrier
// CHECK: global_load_dwordx2
// CHECK: ds_read_b128
// CHECK: v_mfma_f32_16x16x4_f32
// CHECK-NOT: {{ds_write_b32|ds_write2_b32}}
// CHECK: ds_write2st64_b64
// CHECK-NOT: {{ds_write_b32|ds_write2_b32}}
// CHECK: s_barrier
// CHECK: v_mfma_f32_16x16x4_f32
// CHECK: s_endpgm
// CHECK: .amdhsa_kernel linear_kernel
// CHECK: .amdhsa_private_segment_fixed_size 0
// CHECK: .amdhsa_system_sgpr_workgroup_id_z 0
func.func @batched(%a: tensor<4x?x64xf32>, %b: tensor<4x64x32xf32>) -> tensor<4x?x32xf32> {
  %c1 = arith.constant 1 : index
  %n = tensor.dim %a, %c1 : tensor<4x?x64xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<4x?x32xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x?x32xf32>) -> tensor<4x?x32xf32>
  %r = linalg.batch_matmul ins(%a, %b : tensor<4x?x64xf32>, tensor<4x64x32xf32>)
                           outs(%f : tensor<4x?x32xf32>) -> tensor<4x?x32xf32>
  return %r : tensor<4x?x32xf32>
}

#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (j, k)>
#c = affine_map<(i, j, k) -> (i, j)>
func.func @linear(%x: tensor<?x64xf32>, %w: tensor<96x64xf32>) -> tensor<?x96xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x64xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?x96xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<?x96xf32>) -> tensor<?x96xf32>
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x64xf32>, tensor<96x64xf32>) outs(%f : tensor<?x96xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x96xf32>
  return %r : tensor<?x96xf32>
}
