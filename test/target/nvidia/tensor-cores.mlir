// RUN: loom-opt %s --loom-nvidia-lowering="chip=sm_80 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s
// RUN: loom-opt %s --loom-nvidia-lowering="chip=sm_90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s

// An f16 x f16 -> f32 matmul runs on tensor cores: one warp per 16x8 tile,
// a K loop of m16n8k16 mma.sync. On sm_90a this is the Ampere instruction
// too: wgmma (warpgroup MMA from shared memory, fed by TMA) is the next
// step and is not generated yet.
// CHECK: .visible .entry mm_kernel(
// CHECK: mov.u32 {{.*}}%tid.x
// CHECK: ld.global.b16
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK: st.global
// CHECK-NOT: wgmma
func.func @mm(%a: tensor<128x64xf16>, %b: tensor<64x256xf16>) -> tensor<128x256xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x256xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<128x256xf32>) -> tensor<128x256xf32>
  %r = linalg.matmul ins(%a, %b : tensor<128x64xf16>, tensor<64x256xf16>)
                     outs(%f : tensor<128x256xf32>) -> tensor<128x256xf32>
  return %r : tensor<128x256xf32>
}
