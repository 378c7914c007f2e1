// RUN: loom-opt %s --loom-nvidia-lowering="chip=sm_80 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s
// RUN: loom-opt %s --loom-nvidia-lowering="chip=sm_90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s

// An i8 x i8 -> i32 matmul runs on tensor cores: m16n8k32 mma.sync with s8
// multiplicands and s32 accumulators, A's registers loaded 4 bytes at once.
// CHECK-LABEL: .visible .entry mm_kernel(
// CHECK: ld.global.{{b32|u32}}
// CHECK: mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32
// CHECK: st.global.{{b32|u32}}
func.func @mm(%a: tensor<64x128xi8>, %b: tensor<128x64xi8>) -> tensor<64x64xi32> {
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<64x64xi32>
  %f = linalg.fill ins(%z : i32) outs(%e : tensor<64x64xi32>) -> tensor<64x64xi32>
  %r = linalg.matmul ins(%a, %b : tensor<64x128xi8>, tensor<128x64xi8>)
                     outs(%f : tensor<64x64xi32>) -> tensor<64x64xi32>
  return %r : tensor<64x64xi32>
}
