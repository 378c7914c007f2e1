// RUN: loom-opt %s --split-input-file --loom-nvidia-lowering="chip=sm_90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-nvidia-lowering="chip=sm_80 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s

// A decode GEMV (one row of A, bf16 B stored K x N) is a bandwidth-bound
// kernel on every chip: B read with 16-byte loads (8 bf16), f32 FMAs, the
// warps' sums through shared memory, then a kernel adding the K slices.
// (The first kernel is C's zero fill.)
// CHECK: .visible .entry gemv_kernel(
// CHECK: .visible .entry gemv_kernel(
// CHECK-COUNT-4: ld.global{{(\.nc)?}}.v4.b32
// CHECK: fma.rn.f32
// CHECK: bar.sync
// CHECK: st.global.b32
// CHECK: bar.sync
// CHECK: .visible .entry gemv_kernel(
// CHECK: ld.global.b32
// CHECK: add.rn.f32
// CHECK: st.global.b32
func.func @gemv(%a: tensor<1x4096xbf16>, %b: tensor<4096x4096xbf16>) -> tensor<1x4096xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4096xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x4096xf32>) -> tensor<1x4096xf32>
  %r = linalg.matmul ins(%a, %b : tensor<1x4096xbf16>, tensor<4096x4096xbf16>)
                     outs(%f : tensor<1x4096xf32>) -> tensor<1x4096xf32>
  return %r : tensor<1x4096xf32>
}

// -----

// A linear layer (B stored N x K, as after a folded Transpose): lanes read
// 16 bytes of K each and meet through xor shuffles.
// CHECK: .visible .entry linear_kernel(
// CHECK: .visible .entry linear_kernel(
// CHECK: ld.global{{(\.nc)?}}.v4.b32
// CHECK: fma.rn.f32
// CHECK-COUNT-5: shfl.sync.bfly.b32
// CHECK: st.global.b32
// CHECK-NOT: mma.sync
// CHECK-NOT: wgmma
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d1, d2)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @linear(%a: tensor<2x2048xf16>, %b: tensor<1024x2048xf16>) -> tensor<2x1024xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x1024xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2x1024xf32>) -> tensor<2x1024xf32>
  %r = linalg.generic {indexing_maps = [#a, #b, #c],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<2x2048xf16>, tensor<1024x2048xf16>)
      outs(%f : tensor<2x1024xf32>) {
  ^bb0(%x: f16, %y: f16, %acc: f32):
    %xe = arith.extf %x : f16 to f32
    %ye = arith.extf %y : f16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x1024xf32>
  return %r : tensor<2x1024xf32>
}
