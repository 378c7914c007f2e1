// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-cpu-lower-vectors))' | FileCheck %s

// A register tile of a bufferized matmul (the accumulator a fresh
// allocation): the accumulator's read and write leave the K loop (it becomes a loop-carried vector), and the contraction
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
func.func @matmul_tile(%a: memref<8x64xf32>, %b: memref<64x32xf32>) -> memref<8x32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %f0 = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<8x32xf32>
  scf.for %k = %c0 to %c64 step %c1 {
    %va = vector.transfer_read %a[%c0, %k], %f0 {in_bounds = [true, true]} : memref<8x64xf32>, vector<8x1xf32>
    %vb = vector.transfer_read %b[%k, %c0], %f0 {in_bounds = [true, true]} : memref<64x32xf32>, vector<1x32xf32>
    %vc = vector.transfer_read %c[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<8x32xf32>, vector<8x32xf32>
    %r = vector.contract {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %va, %vb, %vc : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
    vector.transfer_write %r, %c[%c0, %c0] {in_bounds = [true, true]} : vector<8x32xf32>, memref<8x32xf32>
  }
  return %c : memref<8x32xf32>
}

// -----

// The same tile as tiling leaves it: every operand a memref.subview, the
// accumulator's view made inside the K loop. The view is loop-invariant
// and moves out; the accumulator (a fresh allocation that nothing else in
// the loop reads) is then loop-carried.
// CHECK-LABEL: func.func @matmul_tile_subviews
// CHECK: %[[C:.+]] = memref.subview %{{.+}}[0, %{{.+}}] [8, 32] [1, 1]
// CHECK: %[[INIT:.+]] = vector.transfer_read %[[C]]
// CHECK: %[[RES:.+]] = scf.for {{.+}} iter_args(%{{.+}} = %[[INIT]]) -> (vector<8x32xf32>)
// CHECK-NOT: vector.transfer_write
// CHECK-COUNT-8: vector.fma {{.+}} : vector<32xf32>
// CHECK: scf.yield
// CHECK: vector.transfer_write %[[RES]], %[[C]]
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
func.func @matmul_tile_subviews(%a: memref<8x64xf32>, %b: memref<64x128xf32>, %n: index) -> memref<8x128xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %f0 = arith.constant 0.0 : f32
  %acc = memref.alloc() : memref<8x128xf32>
  scf.for %k = %c0 to %c64 step %c1 {
    %sa = memref.subview %a[0, %k] [8, 1] [1, 1] : memref<8x64xf32> to memref<8x1xf32, strided<[64, 1], offset: ?>>
    %sb = memref.subview %b[%k, %n] [1, 32] [1, 1] : memref<64x128xf32> to memref<1x32xf32, strided<[128, 1], offset: ?>>
    %sc = memref.subview %acc[0, %n] [8, 32] [1, 1] : memref<8x128xf32> to memref<8x32xf32, strided<[128, 1], offset: ?>>
    %va = vector.transfer_read %sa[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<8x1xf32, strided<[64, 1], offset: ?>>, vector<8x1xf32>
    %vb = vector.transfer_read %sb[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<1x32xf32, strided<[128, 1], offset: ?>>, vector<1x32xf32>
    %vc = vector.transfer_read %sc[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<8x32xf32, strided<[128, 1], offset: ?>>, vector<8x32xf32>
    %r = vector.contract {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %va, %vb, %vc : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
    vector.transfer_write %r, %sc[%c0, %c0] {in_bounds = [true, true]} : vector<8x32xf32>, memref<8x32xf32, strided<[128, 1], offset: ?>>
  }
  return %acc : memref<8x128xf32>
}

// -----

// Not hoisted: the A operand is another view of the accumulator's buffer
// (every step reads what the last one wrote), and an accumulator in a
// function argument next to an A in another one (they may alias).
// CHECK-LABEL: func.func @aliasing_tile
// CHECK: scf.for
// CHECK: vector.transfer_read {{.+}} : memref<8x32xf32, strided<[128, 1]>>, vector<8x32xf32>
// CHECK: vector.fma
// CHECK: vector.transfer_write {{.+}} : vector<8x32xf32>, memref<8x32xf32, strided<[128, 1]>>
// CHECK-NEXT: }
// CHECK-LABEL: func.func @argument_tile
// CHECK: scf.for
// CHECK: vector.transfer_read {{.+}} : memref<8x32xf32>, vector<8x32xf32>
// CHECK: vector.transfer_write {{.+}} : vector<8x32xf32>, memref<8x32xf32>
// CHECK-NEXT: }
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>
func.func @aliasing_tile(%b: memref<64x32xf32>) -> memref<8x128xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %f0 = arith.constant 0.0 : f32
  %buf = memref.alloc() : memref<8x128xf32>
  %sc = memref.subview %buf[0, 0] [8, 32] [1, 1] : memref<8x128xf32> to memref<8x32xf32, strided<[128, 1]>>
  scf.for %k = %c0 to %c64 step %c1 {
    %sa = memref.subview %buf[0, %k] [8, 1] [1, 1] : memref<8x128xf32> to memref<8x1xf32, strided<[128, 1], offset: ?>>
    %va = vector.transfer_read %sa[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<8x1xf32, strided<[128, 1], offset: ?>>, vector<8x1xf32>
    %vb = vector.transfer_read %b[%k, %c0], %f0 {in_bounds = [true, true]} : memref<64x32xf32>, vector<1x32xf32>
    %vc = vector.transfer_read %sc[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<8x32xf32, strided<[128, 1]>>, vector<8x32xf32>
    %r = vector.contract {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %va, %vb, %vc : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
    vector.transfer_write %r, %sc[%c0, %c0] {in_bounds = [true, true]} : vector<8x32xf32>, memref<8x32xf32, strided<[128, 1]>>
  }
  return %buf : memref<8x128xf32>
}
func.func @argument_tile(%a: memref<8x64xf32>, %b: memref<64x32xf32>, %c: memref<8x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %f0 = arith.constant 0.0 : f32
  scf.for %k = %c0 to %c64 step %c1 {
    %sa = memref.subview %a[0, %k] [8, 1] [1, 1] : memref<8x64xf32> to memref<8x1xf32, strided<[64, 1], offset: ?>>
    %va = vector.transfer_read %sa[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<8x1xf32, strided<[64, 1], offset: ?>>, vector<8x1xf32>
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

// -----

// A batched bf16 matmul's register tile, [1, 8, 32] with an f32
// accumulator: the unit batch dim is dropped, so the contraction lowers to
// FMAs like the 2-D tile instead of staying a 3-D vector.contract (which
// the LLVM conversion cannot take).
// CHECK-LABEL: func.func @batched_bf16_tile
// CHECK-NOT: vector.contract
// CHECK: scf.for
// CHECK-COUNT-8: vector.fma {{.+}} : vector<32xf32>
// CHECK: scf.yield
#mA = affine_map<(b, m, n, k) -> (b, m, k)>
#mB = affine_map<(b, m, n, k) -> (b, k, n)>
#mC = affine_map<(b, m, n, k) -> (b, m, n)>
func.func @batched_bf16_tile(%a: memref<1x8x64xbf16>, %b: memref<1x64x32xbf16>) -> memref<1x8x32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %h0 = arith.constant 0.0 : bf16
  %f0 = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<1x8x32xf32>
  scf.for %k = %c0 to %c64 step %c1 {
    %va = vector.transfer_read %a[%c0, %c0, %k], %h0 {in_bounds = [true, true, true]} : memref<1x8x64xbf16>, vector<1x8x1xbf16>
    %vb = vector.transfer_read %b[%c0, %k, %c0], %h0 {in_bounds = [true, true, true]} : memref<1x64x32xbf16>, vector<1x1x32xbf16>
    %vc = vector.transfer_read %c[%c0, %c0, %c0], %f0 {in_bounds = [true, true, true]} : memref<1x8x32xf32>, vector<1x8x32xf32>
    %r = vector.contract {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "parallel", "reduction"], kind = #vector.kind<add>} %va, %vb, %vc : vector<1x8x1xbf16>, vector<1x1x32xbf16> into vector<1x8x32xf32>
    vector.transfer_write %r, %c[%c0, %c0, %c0] {in_bounds = [true, true, true]} : vector<1x8x32xf32>, memref<1x8x32xf32>
  }
  return %c : memref<1x8x32xf32>
}
