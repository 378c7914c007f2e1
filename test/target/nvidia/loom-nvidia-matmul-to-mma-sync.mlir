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
