// RUN: loom-opt %s --loom-nvidia-lowering="chip=sm_90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s
// RUN: loom-opt %s --loom-nvidia-lowering="chip=sm_80 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s

// An f32 matmul compiles to a SIMT kernel: one thread per output element,
// a multiply-add loop over K (unrolled by LLVM). Only f16 matmuls go to
// tensor cores (tensor-cores.mlir); wgmma is not generated yet.
// CHECK-LABEL: .visible .entry mm_kernel(
// CHECK: mov.u32 {{.*}}%tid.x
// CHECK: ld.global
// CHECK: mul.rn.f32
// CHECK: add.rn.f32
// CHECK: st.global
// CHECK-NOT: mma.sync
// CHECK-NOT: wgmma.mma_async
func.func @mm(%a: tensor<128x64xf32>, %b: tensor<64x256xf32>) -> tensor<128x256xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x256xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<128x256xf32>) -> tensor<128x256xf32>
  %r = linalg.matmul ins(%a, %b : tensor<128x64xf32>, tensor<64x256xf32>)
                     outs(%f : tensor<128x256xf32>) -> tensor<128x256xf32>
  return %r : tensor<128x256xf32>
}
