// RUN: loom-opt %s --loom-amd-lowering="chip=gfx942 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s

// The ONNX importer writes MatMul as a linalg.generic contraction; it goes
// to the same MFMA kernel as linalg.matmul (double-buffered LDS tiles, 16x16x4 MFMAs).
// CHECK: ds_write
// CHECK: s_barrier
// CHECK: ds_read
// CHECK: v_mfma_f32_16x16x4_f32
// CHECK: .group_segment_fixed_size: 10240
// CHECK: .private_segment_fixed_size: 0

// With a batch of one in front of A and C ([1, ?, K] x [K, N], how the
// importer writes a 3-D MatMul): the same kernel on the 2-D views.
// CHECK: ds_write
// CHECK: ds_read
// CHECK: v_mfma_f32_16x16x4_f32
// CHECK: .group_segment_fixed_size: 10240

// A generic that is not a plain matmul (the product is scaled) stays a
// SIMT loop: no MFMA kernel after the two above.
// CHECK-NOT: v_mfma
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
func.func @gen(%x: tensor<?x64xf32>, %w: tensor<64x192xf32>) -> tensor<?x192xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x64xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?x192xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<?x192xf32>) -> tensor<?x192xf32>
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x64xf32>, tensor<64x192xf32>) outs(%f : tensor<?x192xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x192xf32>
  return %r : tensor<?x192xf32>
}

#a3 = affine_map<(b, i, j, k) -> (b, i, k)>
#b3 = affine_map<(b, i, j, k) -> (k, j)>
#c3 = affine_map<(b, i, j, k) -> (b, i, j)>
func.func @batch_of_one(%x: tensor<1x?x64xf32>, %w: tensor<64x32xf32>) -> tensor<1x?x32xf32> {
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c1 : tensor<1x?x64xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<1x?x32xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x?x32xf32>) -> tensor<1x?x32xf32>
  %r = linalg.generic {indexing_maps = [#a3, #b3, #c3], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<1x?x64xf32>, tensor<64x32xf32>) outs(%f : tensor<1x?x32xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x?x32xf32>
  return %r : tensor<1x?x32xf32>
}

func.func @scaled(%x: tensor<?x64xf32>, %w: tensor<64x192xf32>) -> tensor<?x192xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x64xf32>
  %z = arith.constant 0.0 : f32
  %two = arith.constant 2.0 : f32
  %e = tensor.empty(%n) : tensor<?x192xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<?x192xf32>) -> tensor<?x192xf32>
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x64xf32>, tensor<64x192xf32>) outs(%f : tensor<?x192xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %m = arith.mulf %p, %q : f32
    %t = arith.mulf %m, %two : f32
    %s = arith.addf %o, %t : f32
    linalg.yield %s : f32
  } -> tensor<?x192xf32>
  return %r : tensor<?x192xf32>
}
