// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-amd-matmul-to-mfma))' | FileCheck %s

// An f32 matmul (dynamic M, K % 16 == 0, N % 32 == 0) becomes one gpu.launch
// of 256-thread workgroups, one per 32x32 tile of C (N / 32 = 2 along y),
// with the A and B tiles staged in LDS, a barrier, then four
// 16x16x4 MFMAs per K step reading the tiles back, and a barrier before the
// next step overwrites them.
// CHECK-LABEL: func.func @mm
// CHECK-NOT: linalg.matmul
// CHECK: %[[C2:.+]] = arith.constant 2 : index
// CHECK: %[[C256:.+]] = arith.constant 256 : index
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %{{.+}}, {{.*}} = %[[C2]], {{.*}}) threads({{.*}}) in ({{.*}} = %[[C256]], {{.*}}) workgroup(%[[A:.+]] : memref<32x16xf32, #gpu.address_space<workgroup>>, %[[B:.+]] : memref<16x32xf32, #gpu.address_space<workgroup>>)
// CHECK: memref.store %{{.+}}, %[[A]]
// CHECK: memref.store %{{.+}}, %[[B]]
// CHECK: gpu.barrier
// CHECK-COUNT-4: amdgpu.mfma 16x16x4
// CHECK: gpu.barrier
func.func @mm(%a: memref<?x32xf32>, %b: memref<32x64xf32>, %c: memref<?x64xf32>) {
  linalg.matmul ins(%a, %b : memref<?x32xf32>, memref<32x64xf32>) outs(%c : memref<?x64xf32>)
  return
}

// -----

// K not a multiple of 16, or f16 operands: left to the SIMT path.
// CHECK-LABEL: func.func @ragged_k
// CHECK: linalg.matmul
// CHECK-NOT: gpu.launch
// CHECK-LABEL: func.func @f16
// CHECK: linalg.matmul
// CHECK-NOT: gpu.launch
func.func @ragged_k(%a: memref<8x12xf32>, %b: memref<12x64xf32>, %c: memref<8x64xf32>) {
  linalg.matmul ins(%a, %b : memref<8x12xf32>, memref<12x64xf32>) outs(%c : memref<8x64xf32>)
  return
}
func.func @f16(%a: memref<32x32xf16>, %b: memref<32x64xf16>, %c: memref<32x64xf32>) {
  linalg.matmul ins(%a, %b : memref<32x32xf16>, memref<32x64xf16>) outs(%c : memref<32x64xf32>)
  return
}
