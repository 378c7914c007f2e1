// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-nvidia-int8-mma-sync))' | FileCheck %s

// i8 x i8 -> i32: one warp per 16x8 tile of C, K in steps of 32. A's
// registers are 4 consecutive bytes of a row (4-byte vector loads at
// 4 * t and 4 * t + 16), B's (K x N) 4 bytes down column `group`; the
// accumulator is C's four i32 of the lane, added to in place.
// CHECK-LABEL: func.func @mm
// CHECK: scf.parallel (%{{.+}}, %{{.+}}) = (%{{.+}}, %{{.+}}) to (%{{.+}}, %{{.+}})
// CHECK:   scf.parallel (%[[LANE:.+]]) = (%{{.+}}) to (%{{.+}})
// CHECK:     arith.divui %[[LANE]]
// CHECK:     arith.remui %[[LANE]]
// CHECK-COUNT-4: memref.load %{{.+}} : memref<32x16xi32>
// CHECK:     scf.for {{.+}} iter_args({{.+}}) -> (i32, i32, i32, i32)
// CHECK-COUNT-4: vector.load %{{.+}} {alignment = 4 : i64} : memref<32x64xi8>, vector<4xi8>
// CHECK-COUNT-4: memref.load %{{.+}} : memref<64x16xi8>
// CHECK:       vector.from_elements
// CHECK:       vector.bitcast %{{.+}} : vector<4xi8> to vector<1xi32>
// CHECK:       %[[D:.+]] = nvvm.mma.sync A[{{.+}}, {{.+}}, {{.+}}, {{.+}}] B[{{.+}}, {{.+}}] C[{{.+}}, {{.+}}, {{.+}}, {{.+}}] {intOverflowBehavior = #nvvm.mma_int_overflow<wrapped>, layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<s8>, multiplicandBPtxType = #nvvm.mma_type<s8>, shape = #nvvm.shape<m = 16, n = 8, k = 32>} : (i32, i32, i32) -> !llvm.struct<(i32, i32, i32, i32)>
// CHECK-COUNT-4: llvm.extractvalue %[[D]]
// CHECK:     scf.yield
// CHECK-COUNT-4: memref.store %{{.+}} : memref<32x16xi32>
// CHECK-NOT: linalg.matmul
func.func @mm(%a: memref<32x64xi8>, %b: memref<64x16xi8>, %c: memref<32x16xi32>) {
  linalg.matmul ins(%a, %b : memref<32x64xi8>, memref<64x16xi8>)
                outs(%c : memref<32x16xi32>)
  return
}

// -----

// A contraction generic with an unsigned A (activations from
// DynamicQuantizeLinear) and a signed B stored N x K: u8.s8, and B's
// registers are 4-byte loads along K too.
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>
// CHECK-LABEL: func.func @u8_s8_nk
// CHECK: scf.for
// CHECK-COUNT-4: vector.load %{{.+}} : memref<16x32xi8>, vector<4xi8>
// CHECK-COUNT-2: vector.load %{{.+}} : memref<8x32xi8>, vector<4xi8>
// CHECK: nvvm.mma.sync {{.+}} multiplicandAPtxType = #nvvm.mma_type<u8>, multiplicandBPtxType = #nvvm.mma_type<s8>
// CHECK-NOT: linalg.generic
func.func @u8_s8_nk(%a: memref<16x32xi8>, %b: memref<8x32xi8>, %c: memref<16x8xi32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<16x32xi8>, memref<8x32xi8>) outs(%c : memref<16x8xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %xe = arith.extui %x : i8 to i32
    %ye = arith.extsi %y : i8 to i32
    %p = arith.muli %xe, %ye : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  }
  return
}

// -----

// M dynamic (the tokens of a quantized linear layer): ceil(M / 16) row
// tiles; a lane's rows past M read row M - 1 (clamped) and are not stored.
// CHECK-LABEL: func.func @dynamic_m
// CHECK-SAME: %[[A:[^:]+]]: memref<?x64xi8>
// CHECK-SAME: %[[C:[^:]+]]: memref<?x32xi32>
// CHECK: %[[M:.+]] = memref.dim %[[C]], %{{.+}} : memref<?x32xi32>
// CHECK: %[[M15:.+]] = arith.addi %[[M]], %{{.+}}
// CHECK: %[[TILES:.+]] = arith.divui %[[M15]], %{{.+}}
// CHECK: scf.parallel (%{{.+}}, %{{.+}}) = (%{{.+}}, %{{.+}}) to (%[[TILES]], %{{.+}})
// CHECK:   scf.parallel
// CHECK:     %[[LAST:.+]] = arith.subi %[[M]], %{{.+}}
// CHECK:     %[[IN0:.+]] = arith.cmpi ult, %[[R0:.+]], %[[M]]
// CHECK:     %[[CL0:.+]] = arith.minui %[[R0]], %[[LAST]]
// CHECK:     %[[IN8:.+]] = arith.cmpi ult, %[[R8:.+]], %[[M]]
// CHECK:     %[[CL8:.+]] = arith.minui %[[R8]], %[[LAST]]
// CHECK:     memref.load %[[C]][%[[CL0]],
// CHECK:     scf.for
// CHECK:       vector.load %[[A]][%[[CL0]],
// CHECK:       vector.load %[[A]][%[[CL8]],
// CHECK:       nvvm.mma.sync
// CHECK:     scf.if %[[IN0]] {
// CHECK-COUNT-2: memref.store %{{.+}}, %[[C]][%[[R0]],
// CHECK:     scf.if %[[IN8]] {
// CHECK-COUNT-2: memref.store %{{.+}}, %[[C]][%[[R8]],
// CHECK-NOT: linalg.matmul
func.func @dynamic_m(%a: memref<?x64xi8>, %b: memref<64x32xi8>, %c: memref<?x32xi32>) {
  linalg.matmul ins(%a, %b : memref<?x64xi8>, memref<64x32xi8>)
                outs(%c : memref<?x32xi32>)
  return
}

// -----

// A zero fill of C right before the matmul becomes zero accumulators: C is
// not read, and the fill (a kernel of its own) is gone; every element of C
// is still stored.
// CHECK-LABEL: func.func @zero_filled
// CHECK-NOT: linalg.fill
// CHECK: scf.parallel
// CHECK:   scf.parallel
// CHECK:     %[[Z:.+]] = arith.constant 0 : i32
// CHECK-NOT: memref.load %{{.+}} : memref<?x16xi32>
// CHECK: scf.for {{.+}} iter_args(%{{.+}} = %[[Z]], %{{.+}} = %[[Z]], %{{.+}} = %[[Z]], %{{.+}} = %[[Z]]) -> (i32, i32, i32, i32)
// CHECK: nvvm.mma.sync
// CHECK-COUNT-2: memref.store %{{.+}} : memref<?x16xi32>
// CHECK-NOT: linalg.fill
func.func @zero_filled(%a: memref<?x32xi8>, %b: memref<32x16xi8>, %c: memref<?x16xi32>) {
  %z = arith.constant 0 : i32
  linalg.fill ins(%z : i32) outs(%c : memref<?x16xi32>)
  linalg.matmul ins(%a, %b : memref<?x32xi8>, memref<32x16xi8>)
                outs(%c : memref<?x16xi32>)
  return
}

// -----

// K or N not multiples of 32 and 8, zero points in the body, and
// float operands stay as they are.
// CHECK-LABEL: func.func @ragged
// CHECK: linalg.matmul
// CHECK-LABEL: func.func @zero_point
// CHECK: linalg.generic
// CHECK-LABEL: func.func @float
// CHECK: linalg.matmul
func.func @ragged(%a: memref<16x48xi8>, %b: memref<48x8xi8>, %c: memref<16x8xi32>) {
  linalg.matmul ins(%a, %b : memref<16x48xi8>, memref<48x8xi8>) outs(%c : memref<16x8xi32>)
  return
}
#a2 = affine_map<(m, n, k) -> (m, k)>
#b2 = affine_map<(m, n, k) -> (k, n)>
#c2 = affine_map<(m, n, k) -> (m, n)>
func.func @zero_point(%a: memref<16x32xi8>, %b: memref<32x8xi8>, %c: memref<16x8xi32>, %za: i32) {
  linalg.generic {indexing_maps = [#a2, #b2, #c2], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<16x32xi8>, memref<32x8xi8>) outs(%c : memref<16x8xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %xe = arith.extui %x : i8 to i32
    %xz = arith.subi %xe, %za : i32
    %ye = arith.extsi %y : i8 to i32
    %p = arith.muli %xz, %ye : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  }
  return
}
func.func @float(%a: memref<16x32xf16>, %b: memref<32x8xf16>, %c: memref<16x8xf32>) {
  linalg.matmul ins(%a, %b : memref<16x32xf16>, memref<32x8xf16>) outs(%c : memref<16x8xf32>)
  return
}
