// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-nvidia-matmul-to-mma-sync))' | FileCheck %s

// One warp (32 lanes on thread_x) per 16x8 tile of C (tiles on blocks);
// the lane's fragments follow the PTX m16n8k16 layout: lane = 4 * group +
// t, C rows group and group + 8, columns 2t and 2t + 1.
// CHECK-LABEL: func.func @mm
// CHECK: %[[C8:.+]] = arith.constant 8 : index
// CHECK: %[[C32:.+]] = arith.constant 32 : index
// CHECK: scf.parallel (%[[TI:.+]], %[[TJ:.+]]) = (%{{.+}}, %{{.+}}) to (%[[C8]], %[[C32]])
// CHECK:   scf.parallel (%[[LANE:.+]]) = (%{{.+}}) to (%{{.+}})
// CHECK:     arith.divui %[[LANE]]
// CHECK:     arith.remui %[[LANE]]
// CHECK:     scf.for {{.+}} iter_args(%[[ACC:.+]] = %{{.+}}) -> (vector<2x2xf32>)
// CHECK:       %[[D:.+]] = nvgpu.mma.sync(%{{.+}}, %{{.+}}, %[[ACC]]) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK:       scf.yield %[[D]]
// CHECK-COUNT-4: memref.store
// CHECK:   } {mapping = [#gpu.loop_dim_map<processor = thread_x, {{.*}}>]}
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x, {{.*}}>, #gpu.loop_dim_map<processor = block_y, {{.*}}>]}
// CHECK-NOT: linalg.matmul
func.func @mm(%a: memref<128x64xf16>, %b: memref<64x256xf16>, %c: memref<128x256xf32>) {
  linalg.matmul ins(%a, %b : memref<128x64xf16>, memref<64x256xf16>)
                outs(%c : memref<128x256xf32>)
  return
}

// -----

// f32 operands or shapes that are not multiples of 16x8x16 stay linalg.
// CHECK-LABEL: func.func @not_f16
// CHECK: linalg.matmul
// CHECK-LABEL: func.func @ragged
// CHECK: linalg.matmul
func.func @not_f16(%a: memref<16x16xf32>, %b: memref<16x8xf32>, %c: memref<16x8xf32>) {
  linalg.matmul ins(%a, %b : memref<16x16xf32>, memref<16x8xf32>) outs(%c : memref<16x8xf32>)
  return
}
func.func @ragged(%a: memref<12x16xf16>, %b: memref<16x8xf16>, %c: memref<12x8xf32>) {
  linalg.matmul ins(%a, %b : memref<12x16xf16>, memref<16x8xf16>) outs(%c : memref<12x8xf32>)
  return
}

// -----

// bf16: the same loops; the fragments' bf16 pairs are packed into 32-bit
// registers for nvvm.mma.sync (4 for A, 2 for B), the accumulator goes in as
// four f32 and comes back from the result struct.
// CHECK-LABEL: func.func @bf16
// CHECK: scf.for {{.+}} iter_args(%[[ACC:.+]] = %{{.+}}) -> (vector<2x2xf32>)
// CHECK-COUNT-6: vector.bitcast %{{.+}} : vector<2xbf16> to vector<1xi32>
// CHECK: %[[D:.+]] = nvvm.mma.sync A[{{.+}}, {{.+}}, {{.+}}, {{.+}}] B[{{.+}}, {{.+}}] C[{{.+}}, {{.+}}, {{.+}}, {{.+}}] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK-COUNT-4: llvm.extractvalue %[[D]]
// CHECK-NOT: nvgpu.mma.sync
func.func @bf16(%a: memref<16x32xbf16>, %b: memref<32x8xbf16>, %c: memref<16x8xf32>) {
  linalg.matmul ins(%a, %b : memref<16x32xbf16>, memref<32x8xbf16>) outs(%c : memref<16x8xf32>)
  return
}
