// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-amd-matmul-to-mfma))' | FileCheck %s

// An f32 matmul (dynamic M, K % 16 == 0, N % 32 == 0) becomes one gpu.launch
// of 256-thread workgroups, one per 32x32 tile of C (N / 32 = 2 along y),
// with two LDS buffers per operand (rows of 16 + 4 padding floats; B is kept
// N-major). The prologue stages K step 0 into buffer 0; each loop step
// loads the next step from global memory first, reads its fragments from
// buffer s % 2, runs four 16x16x4 MFMAs, stores the loaded step into the
// other buffer and meets the workgroup at a single barrier.
// CHECK-LABEL: func.func @mm
// CHECK-NOT: linalg.matmul
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[C256:.+]] = arith.constant 256 : index
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %{{.+}}, {{.*}} = %[[C2]], {{.*}}) threads({{.*}}) in ({{.*}} = %[[C256]], {{.*}}) workgroup(%[[A:.+]] : memref<2x32x20xf32, #gpu.address_space<workgroup>>, %[[B:.+]] : memref<2x32x20xf32, #gpu.address_space<workgroup>>)
// Prologue: step 0 into buffer 0, then the barrier.
// CHECK: vector.load %{{.+}} : memref<?x32xf32>, vector<2xf32>
// CHECK: vector.load %{{.+}} : memref<32x64xf32>, vector<2xf32>
// CHECK: vector.store %{{.+}}, %[[A]][%[[B0:[^,]+]], {{.+}}] {alignment = 8 : i64} : memref<2x32x20xf32, #gpu.address_space<workgroup>>, vector<2xf32>
// CHECK-COUNT-2: memref.store %{{.+}}, %[[B]][%[[B0]], {{.+}}]
// CHECK: gpu.barrier
// CHECK: scf.for %[[S:.+]] = %{{.+}} to %{{.+}} step %[[C1]] iter_args(
// CHECK:   vector.load %{{.+}} : memref<?x32xf32>, vector<2xf32>
// CHECK:   vector.load %{{.+}} : memref<32x64xf32>, vector<2xf32>
// CHECK:   %[[CUR:.+]] = arith.remui %[[S]], %{{.+}}
// CHECK:   %[[OTHER:.+]] = arith.subi %[[C1]], %[[CUR]]
// CHECK:   vector.load %[[A]][%[[CUR]], {{.+}}] {alignment = 16 : i64} : memref<2x32x20xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK:   vector.load %[[B]][%[[CUR]], {{.+}}] {alignment = 16 : i64} : memref<2x32x20xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK-COUNT-4: amdgpu.mfma 16x16x4
// CHECK:   vector.store %{{.+}}, %[[A]][%[[OTHER]],
// CHECK-COUNT-2: memref.store %{{.+}}, %[[B]][%[[OTHER]],
// CHECK:   gpu.barrier
// CHECK-NEXT: scf.yield
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
