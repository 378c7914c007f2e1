// RUN: loom-opt %s --split-input-file --loom-nvidia-lowering="chip=sm_90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-nvidia-lowering="chip=sm_80 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-nvidia-lowering="chip=sm_90a format=isa f32-matmul=simt" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefix=SIMT
// RUN: env LOOM_CUDA_F32_MATMUL=simt loom-opt %s --split-input-file --loom-nvidia-lowering="chip=sm_80 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefix=SIMT
// RUN: loom-opt %s --split-input-file --loom-nvidia-lowering="chip=sm_75 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefix=SIMT

// An f32 matmul on sm_80+ runs on tensor cores as 3xTF32: one warp per
// 16x8 tile, per K step of 8 each of the lane's 4 A and 2 B values split
// into tf32 hi (cvt.rna, low 13 bits cleared) and lo (the f32 error,
// cvt.rna again), then three m16n8k8 tf32 mma.sync (hi * lo, lo * hi,
// hi * hi) into the same f32 accumulators; the zero fill is gone (zero
// accumulators), so this is the only kernel.
// CHECK-LABEL: .visible .entry mm_kernel(
// CHECK-COUNT-6: cvt.rna.tf32.f32
// CHECK: and.b32 {{.+}}, -8192;
// CHECK: sub.rn.f32
// CHECK: cvt.rna.tf32.f32
// CHECK: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
// CHECK: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
// CHECK: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
// CHECK-NOT: mma.sync
// CHECK: st.global.b32
// CHECK-NOT: gpu.binary
// CHECK-LABEL: llvm.func @linear(
// With f32-matmul=simt (or LOOM_CUDA_F32_MATMUL=simt), and below sm_80:
// the SIMT kernel, one thread per output element, a multiply-add loop
// over K (unrolled by LLVM).
// SIMT-LABEL: gpu.binary @mm_kernel_0
// SIMT: mov.u32 {{.*}}%tid.x
// SIMT: ld.global
// SIMT: mul.rn.f32
// SIMT: add.rn.f32
// SIMT: st.global
// SIMT-NOT: mma.sync
// SIMT-NOT: cvt.rna.tf32.f32
// SIMT-LABEL: llvm.func @linear(
func.func @mm(%a: tensor<128x64xf32>, %b: tensor<64x256xf32>) -> tensor<128x256xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x256xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<128x256xf32>) -> tensor<128x256xf32>
  %r = linalg.matmul ins(%a, %b : tensor<128x64xf32>, tensor<64x256xf32>)
                     outs(%f : tensor<128x256xf32>) -> tensor<128x256xf32>
  return %r : tensor<128x256xf32>
}

// -----

// A linear layer as the importer writes it (x [1, S, K] with a dynamic
// sequence, W [N, K]): one 3xTF32 kernel on the collapsed [S, K] view, W's
// fragment values read along its rows, rows past S not stored.
// CHECK-LABEL: .visible .entry linear_kernel(
// CHECK: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
// CHECK: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
// CHECK: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
// CHECK-NOT: mma.sync
// CHECK: st.global.b32
// SIMT: .visible .entry linear_kernel
// SIMT-NOT: mma.sync
func.func @linear(%x: tensor<1x?x64xf32>, %w: tensor<48x64xf32>) -> tensor<1x?x48xf32> {
  %c1 = arith.constant 1 : index
  %s = tensor.dim %x, %c1 : tensor<1x?x64xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty(%s) : tensor<1x?x48xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x?x48xf32>) -> tensor<1x?x48xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>,
                                        affine_map<(d0, d1, d2, d3) -> (d2, d3)>,
                                        affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<1x?x64xf32>, tensor<48x64xf32>) outs(%f : tensor<1x?x48xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  } -> tensor<1x?x48xf32>
  return %r : tensor<1x?x48xf32>
}
