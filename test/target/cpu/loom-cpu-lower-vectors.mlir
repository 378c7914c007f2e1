// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-cpu-lower-vectors))' | FileCheck %s

// A register tile of a bufferized matmul: the accumulator's read and write
// leave the K loop (it becomes a loop-carried vector), and the contraction
// becomes one FMA per accumulator row.
// CHECK-LABEL: func.func @matmul_tile
// CHECK-NOT: vector.contract
// CHECK: %[[INIT:.+]] = vector.transfer_read %{{.+}} : memref<8x32xf32>, vector<8x32xf32>
// CHECK: %[[RES:.+]] = scf.for {{.+}} iter_args(%{{.+}} = %[[INIT]]) -> (vector<8x32xf32>)
// CHECK-NOT: vector.transfer_read {{.+}} memref<8x32xf32>
// CHECK-COUNT-8: vector.fma {{.+}} : vector<32xf32>
// CHECK: scf.yield
// CHECK: vector.transfer_write %[[RES]]
// CHECK: return
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
func.func @matmul_tile(%a: memref<8x64xf32>, %b: memref<64x32xf32>, %c: memref<8x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %f0 = arith.constant 0.0 : f32
  scf.for %k = %c0 to %c64 step %c1 {
    %va = vector.transfer_read %a[%c0, %k], %f0 {in_bounds = [true, true]} : memref<8x64xf32>, vector<8x1xf32>
    %vb = vector.transfer_read %b[%k, %c0], %f0 {in_bounds = [true, true]} : memref<64x32xf32>, vector<1x32xf32>
    %vc = vector.transfer_read %c[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<8x32xf32>, vector<8x32xf32>
    %r = vector.contract {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %va, %vb, %vc : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
    vector.transfer_write %r, %c[%c0, %c0] {in_bounds = [true, true]} : vector<8x32xf32>, memref<8x32xf32>
  }
  return
}

// -----

// Vector exp becomes a polynomial (no call per lane); scalar exp stays.
// CHECK-LABEL: func.func @exp
// CHECK-NOT: math.exp {{.+}} : vector<16xf32>
// CHECK: math.exp {{.+}} : f32
func.func @exp(%v: vector<16xf32>, %s: f32) -> (vector<16xf32>, f32) {
  %a = math.exp %v : vector<16xf32>
  %b = math.exp %s : f32
  return %a, %b : vector<16xf32>, f32
}
