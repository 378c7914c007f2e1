// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-nvidia-int8-mma-sync{fp8=true}))' | FileCheck %s
// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-nvidia-int8-mma-sync))' | FileCheck %s --check-prefix=NOFP8

#a = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#nk = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>

// f8E4M3FN x f8E4M3FN -> f32 (loom-convert-quant-to-linalg{f8-product}),
// C zero-filled before: the int8 kernel's tiles and fragments (4 bytes of K
// per register, B's 4 bytes down column `group` for a K x N weight) with
// zero f32 accumulators and the e4m3 intrinsic, operands a0..a3, b0, b1,
// c0..c3; C's four f32 stored, the fill gone.
// CHECK-LABEL: func.func @e4m3_kn
// CHECK-NOT: linalg.fill
// CHECK: scf.parallel (%{{.+}}, %{{.+}}) = (%{{.+}}, %{{.+}}) to (%{{.+}}, %{{.+}})
// CHECK:   scf.parallel (%[[LANE:.+]]) = (%{{.+}}) to (%{{.+}})
// CHECK:     %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:     scf.for {{.+}} iter_args(%[[C0:.+]] = %[[Z]], %[[C1:.+]] = %[[Z]], %[[C2:.+]] = %[[Z]], %[[C3:.+]] = %[[Z]]) -> (f32, f32, f32, f32)
// CHECK-COUNT-4: vector.load %{{.+}} {alignment = 4 : i64} : memref<32x64xf8E4M3FN>, vector<4xf8E4M3FN>
// CHECK-COUNT-4: memref.load %{{.+}} : memref<64x16xf8E4M3FN>
// CHECK:       vector.from_elements {{.+}} : vector<4xf8E4M3FN>
// CHECK:       vector.bitcast %{{.+}} : vector<4xf8E4M3FN> to vector<1xi32>
// CHECK:       %[[D:.+]] = llvm.call_intrinsic "llvm.nvvm.mma.m16n8k32.row.col.f32.e4m3.e4m3.f32"(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[C0]], %[[C1]], %[[C2]], %[[C3]]) : (i32, i32, i32, i32, i32, i32, f32, f32, f32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK-COUNT-4: llvm.extractvalue %[[D]]
// CHECK:     scf.yield
// CHECK-COUNT-4: memref.store %{{.+}} : memref<32x16xf32>
// CHECK-NOT: linalg.generic
// NOFP8-LABEL: func.func @e4m3_kn
// NOFP8: linalg.fill
// NOFP8: linalg.generic
// NOFP8-NOT: llvm.call_intrinsic
func.func @e4m3_kn(%a: memref<32x64xf8E4M3FN>, %b: memref<64x16xf8E4M3FN>, %c: memref<32x16xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%c : memref<32x16xf32>)
  linalg.generic {indexing_maps = [#a, #kn, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<32x64xf8E4M3FN>, memref<64x16xf8E4M3FN>) outs(%c : memref<32x16xf32>) {
  ^bb0(%x: f8E4M3FN, %y: f8E4M3FN, %acc: f32):
    %xe = arith.extf %x : f8E4M3FN to f32
    %ye = arith.extf %y : f8E4M3FN to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#nk = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>

// An N x K weight and dynamic M, C not zero-filled: B's registers are
// 4-byte loads along K, the accumulators start from C (rows clamped to
// M - 1), rows past M are not stored.
// CHECK-LABEL: func.func @e4m3_nk_dynamic_m
// CHECK:     arith.minui
// CHECK-COUNT-4: memref.load %{{.+}} : memref<?x8xf32>
// CHECK:     scf.for {{.+}} -> (f32, f32, f32, f32)
// CHECK-COUNT-4: vector.load %{{.+}} : memref<?x32xf8E4M3FN>, vector<4xf8E4M3FN>
// CHECK-COUNT-2: vector.load %{{.+}} : memref<8x32xf8E4M3FN>, vector<4xf8E4M3FN>
// CHECK:       llvm.call_intrinsic "llvm.nvvm.mma.m16n8k32.row.col.f32.e4m3.e4m3.f32"
// CHECK:     scf.if
// CHECK-COUNT-2: memref.store %{{.+}} : memref<?x8xf32>
func.func @e4m3_nk_dynamic_m(%a: memref<?x32xf8E4M3FN>, %b: memref<8x32xf8E4M3FN>, %c: memref<?x8xf32>) {
  linalg.generic {indexing_maps = [#a, #nk, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<?x32xf8E4M3FN>, memref<8x32xf8E4M3FN>) outs(%c : memref<?x8xf32>) {
  ^bb0(%x: f8E4M3FN, %y: f8E4M3FN, %acc: f32):
    %xe = arith.extf %x : f8E4M3FN to f32
    %ye = arith.extf %y : f8E4M3FN to f32
    %p = arith.mulf %ye, %xe : f32
    %s = arith.addf %p, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// Not taken: e5m2 operands (the kernel is e4m3 only), and a body that
// scales an operand (not the bare product).
// CHECK-LABEL: func.func @not_taken
// CHECK-NOT: llvm.call_intrinsic
// CHECK-COUNT-2: linalg.generic
// CHECK-NOT: llvm.call_intrinsic
func.func @not_taken(%a: memref<32x64xf8E5M2>, %b: memref<64x16xf8E5M2>, %c: memref<32x16xf32>,
                     %a2: memref<32x64xf8E4M3FN>, %b2: memref<64x16xf8E4M3FN>, %s: f32) {
  linalg.generic {indexing_maps = [#a, #kn, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<32x64xf8E5M2>, memref<64x16xf8E5M2>) outs(%c : memref<32x16xf32>) {
  ^bb0(%x: f8E5M2, %y: f8E5M2, %acc: f32):
    %xe = arith.extf %x : f8E5M2 to f32
    %ye = arith.extf %y : f8E5M2 to f32
    %p = arith.mulf %xe, %ye : f32
    %r = arith.addf %acc, %p : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#a, #kn, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a2, %b2 : memref<32x64xf8E4M3FN>, memref<64x16xf8E4M3FN>) outs(%c : memref<32x16xf32>) {
  ^bb0(%x: f8E4M3FN, %y: f8E4M3FN, %acc: f32):
    %xe = arith.extf %x : f8E4M3FN to f32
    %ye = arith.extf %y : f8E4M3FN to f32
    %xs = arith.mulf %xe, %s : f32
    %p = arith.mulf %xs, %ye : f32
    %r = arith.addf %acc, %p : f32
    linalg.yield %r : f32
  }
  return
}
