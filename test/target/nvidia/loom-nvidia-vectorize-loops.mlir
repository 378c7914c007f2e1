// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-nvidia-vectorize-loops))' | FileCheck %s

// f32 elementwise with a row bias: 4 elements (16 bytes) per iteration,
// the bias stays a scalar and is broadcast.
// CHECK-LABEL: func.func @bias_add
// CHECK: %[[C4:.+]] = arith.constant 4 : index
// CHECK: scf.parallel (%[[I:.+]], %[[J:.+]]) = ({{.*}}) to ({{.*}}) step (%{{.+}}, %[[C4]])
// CHECK:   %[[X:.+]] = vector.load %{{.+}}[%[[I]], %[[J]]] {alignment = 16 : i64} : memref<?x512xf32>, vector<4xf32>
// CHECK:   %[[B:.+]] = memref.load %{{.+}}[%[[I]]] : memref<?xf32>
// CHECK:   %[[BB:.+]] = vector.broadcast %[[B]] : f32 to vector<4xf32>
// CHECK:   %[[S:.+]] = arith.addf %[[X]], %[[BB]] : vector<4xf32>
// CHECK:   %[[E:.+]] = math.exp %[[S]] : vector<4xf32>
// CHECK:   vector.store %[[E]], %{{.+}}[%[[I]], %[[J]]] {alignment = 16 : i64} : memref<?x512xf32>, vector<4xf32>
func.func @bias_add(%a: memref<?x512xf32>, %b: memref<?xf32>, %o: memref<?x512xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c512 = arith.constant 512 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c512) step (%c1, %c1) {
    %x = memref.load %a[%i, %j] : memref<?x512xf32>
    %y = memref.load %b[%i] : memref<?xf32>
    %s = arith.addf %x, %y : f32
    %e = math.exp %s : f32
    memref.store %e, %o[%i, %j] : memref<?x512xf32>
    scf.reduce
  }
  return
}

// -----

// f16: 8 elements make 16 bytes.
// CHECK-LABEL: func.func @half
// CHECK: vector.load {{.*}} : memref<64xf16>, vector<8xf16>
// CHECK: vector.store {{.*}} : memref<64xf16>, vector<8xf16>
func.func @half(%a: memref<64xf16>, %o: memref<64xf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    %x = memref.load %a[%i] : memref<64xf16>
    %y = arith.mulf %x, %x : f16
    memref.store %y, %o[%i] : memref<64xf16>
    scf.reduce
  }
  return
}

// -----

// A transposed read and a size that is not a multiple of 4 stay scalar.
// CHECK-LABEL: func.func @transposed
// CHECK-NOT: vector.
// CHECK: memref.load
// CHECK-LABEL: func.func @ragged
// CHECK-NOT: vector.
// CHECK: memref.load
func.func @transposed(%a: memref<64x64xf32>, %o: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c64) step (%c1, %c1) {
    %x = memref.load %a[%j, %i] : memref<64x64xf32>
    memref.store %x, %o[%i, %j] : memref<64x64xf32>
    scf.reduce
  }
  return
}
func.func @ragged(%a: memref<6xf32>, %o: memref<6xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c6 = arith.constant 6 : index
  scf.parallel (%i) = (%c0) to (%c6) step (%c1) {
    %x = memref.load %a[%i] : memref<6xf32>
    memref.store %x, %o[%i] : memref<6xf32>
    scf.reduce
  }
  return
}
