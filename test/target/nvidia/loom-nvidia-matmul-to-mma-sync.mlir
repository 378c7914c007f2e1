// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-nvidia-matmul-to-mma-sync))' | FileCheck %s
// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-nvidia-matmul-to-mma-sync{f32=simt}))' | FileCheck %s --check-prefix=SIMT
// RUN: not loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-nvidia-matmul-to-mma-sync{f32=fast}))' 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: error: loom-nvidia-matmul-to-mma-sync: f32 must be '3xtf32' or 'simt', not 'fast'

// One warp (32 lanes on thread_x) per 16x8 tile of C (tiles on blocks);
// the lane's fragments follow the PTX m16n8k16 layout: lane = 4 * group +
// t, C rows group and group + 8, columns 2t and 2t + 1; f16 pairs go to
// nvvm.mma.sync as vector<2xf16>.
// CHECK-LABEL: func.func @mm
// CHECK: %[[C8:.+]] = arith.constant 8 : index
// CHECK: %[[C32:.+]] = arith.constant 32 : index
// CHECK: scf.parallel (%[[TI:.+]], %[[TJ:.+]]) = (%{{.+}}, %{{.+}}) to (%[[C8]], %[[C32]])
// CHECK:   scf.parallel (%[[LANE:.+]]) = (%{{.+}}) to (%{{.+}})
// CHECK:     arith.divui %[[LANE]]
// CHECK:     arith.remui %[[LANE]]
// CHECK:     scf.for {{.+}} iter_args(%[[ACC:.+]] = %{{.+}}, %{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) -> (f32, f32, f32, f32)
// CHECK:       nvvm.mma.sync A[{{.+}}] B[{{.+}}] C[%[[ACC]], {{.+}}] {{{.+}}shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK:       scf.yield
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

// Shapes that are not multiples of the instruction stay linalg: 16-bit M
// of 12, f32 K of 12.
// CHECK-LABEL: func.func @ragged
// CHECK: linalg.matmul
// CHECK-LABEL: func.func @ragged_f32
// CHECK: linalg.matmul
func.func @ragged(%a: memref<12x16xf16>, %b: memref<16x8xf16>, %c: memref<12x8xf32>) {
  linalg.matmul ins(%a, %b : memref<12x16xf16>, memref<16x8xf16>) outs(%c : memref<12x8xf32>)
  return
}
func.func @ragged_f32(%a: memref<16x12xf32>, %b: memref<12x8xf32>, %c: memref<16x8xf32>) {
  linalg.matmul ins(%a, %b : memref<16x12xf32>, memref<12x8xf32>) outs(%c : memref<16x8xf32>)
  return
}

// -----

// bf16: the same loops; the fragments' bf16 pairs are packed into 32-bit
// registers for nvvm.mma.sync (4 for A, 2 for B), the accumulator goes in as
// four f32 and comes back from the result struct.
// CHECK-LABEL: func.func @bf16
// CHECK: scf.for {{.+}} -> (f32, f32, f32, f32)
// CHECK-COUNT-6: vector.bitcast %{{.+}} : vector<2xbf16> to vector<1xi32>
// CHECK: %[[D:.+]] = nvvm.mma.sync A[{{.+}}, {{.+}}, {{.+}}, {{.+}}] B[{{.+}}, {{.+}}] C[{{.+}}, {{.+}}, {{.+}}, {{.+}}] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK-COUNT-4: llvm.extractvalue %[[D]]
func.func @bf16(%a: memref<16x32xbf16>, %b: memref<32x8xbf16>, %c: memref<16x8xf32>) {
  linalg.matmul ins(%a, %b : memref<16x32xbf16>, memref<32x8xbf16>) outs(%c : memref<16x8xf32>)
  return
}

// -----

// f32 with a dynamic M, C zero-filled first: ceil(M / 16) x N / 8 tiles,
// rows past M read row M - 1 and are not stored; zero accumulators instead
// of the fill. K steps of 8 on m16n8k8 tf32 (PTX fragments: A (g, t),
// (g + 8, t), (g, t + 4), (g + 8, t + 4); B (t, g), (t + 4, g)), each value
// split into hi = tf32(x) (cvt.rna, low 13 bits cleared) and lo = tf32(x -
// hi); three mma.sync: hi * lo, lo * hi, then hi * hi.
// CHECK-LABEL: func.func @f32_dynamic
// CHECK-NOT: linalg.fill
// CHECK: %[[M:.+]] = memref.dim %{{.+}}, %{{.+}} : memref<?x32xf32>
// CHECK: %[[M15:.+]] = arith.addi %[[M]], %{{.+}}
// CHECK: %[[TILES:.+]] = arith.divui %[[M15]], %{{.+}}
// CHECK: scf.parallel (%{{.+}}, %{{.+}}) = (%{{.+}}, %{{.+}}) to (%[[TILES]], %{{.+}})
// CHECK: %[[G:.+]] = arith.divui %{{.+}}, %{{.+}} : index
// CHECK: %[[T:.+]] = arith.remui %{{.+}}, %{{.+}} : index
// CHECK: %[[ROW0:.+]] = arith.addi %{{.+}}, %[[G]] : index
// CHECK: %[[LAST:.+]] = arith.subi %[[M]], %{{.+}} : index
// CHECK: %[[IN0:.+]] = arith.cmpi ult, %[[ROW0]], %[[M]]
// CHECK: %[[R0:.+]] = arith.minui %[[ROW0]], %[[LAST]]
// CHECK: %[[R8:.+]] = arith.minui %{{.+}}, %[[LAST]]
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: scf.for %[[K:[a-z0-9_]+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]], %{{.+}} = %[[ZERO]])
// CHECK:   %[[K0:.+]] = arith.addi %[[K]], %[[T]] : index
// CHECK:   %[[K4:.+]] = arith.addi %[[K0]], %{{.+}} : index
// CHECK:   %[[A0:.+]] = memref.load %{{.+}}[%[[R0]], %[[K0]]] : memref<?x64xf32>
// CHECK:   %[[A0T:.+]] = nvvm.convert.float.to.tf32 %[[A0]] {rnd = #nvvm.fp_rnd_mode<rna>}
// CHECK:   %[[A0HI:.+]] = arith.andi %[[A0T]], %{{.+}} : i32
// CHECK:   %[[A0F:.+]] = arith.bitcast %[[A0HI]] : i32 to f32
// CHECK:   %[[A0E:.+]] = arith.subf %[[A0]], %[[A0F]] : f32
// CHECK:   %[[A0LO:.+]] = nvvm.convert.float.to.tf32 %[[A0E]] {rnd = #nvvm.fp_rnd_mode<rna>}
// CHECK:   memref.load %{{.+}}[%[[R8]], %[[K0]]] : memref<?x64xf32>
// CHECK:   memref.load %{{.+}}[%[[R0]], %[[K4]]] : memref<?x64xf32>
// CHECK:   memref.load %{{.+}}[%[[R8]], %[[K4]]] : memref<?x64xf32>
// CHECK:   %[[B0:.+]] = memref.load %{{.+}}[%[[K0]], %{{.+}}] : memref<64x32xf32>
// CHECK:   %[[B0T:.+]] = nvvm.convert.float.to.tf32 %[[B0]]
// CHECK:   %[[B0HI:.+]] = arith.andi %[[B0T]]
// CHECK:   %[[B0LO:.+]] = nvvm.convert.float.to.tf32
// CHECK:   memref.load %{{.+}}[%[[K4]], %{{.+}}] : memref<64x32xf32>
// CHECK:   %[[D1:.+]] = nvvm.mma.sync A[%[[A0HI]], {{.+}}] B[%[[B0LO]], {{.+}}] C[{{.+}}] {{{.+}}multiplicandAPtxType = #nvvm.mma_type<tf32>, multiplicandBPtxType = #nvvm.mma_type<tf32>, shape = #nvvm.shape<m = 16, n = 8, k = 8>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK:   %[[D2:.+]] = nvvm.mma.sync A[%[[A0LO]], {{.+}}] B[%[[B0HI]], {{.+}}]
// CHECK:   %[[D3:.+]] = nvvm.mma.sync A[%[[A0HI]], {{.+}}] B[%[[B0HI]], {{.+}}]
// CHECK: scf.if %[[IN0]] {
// CHECK-COUNT-2: memref.store
// CHECK: scf.if
// CHECK-COUNT-2: memref.store
// CHECK-NOT: linalg.matmul
// SIMT-LABEL: func.func @f32_dynamic
// SIMT: linalg.fill
// SIMT: linalg.matmul
func.func @f32_dynamic(%a: memref<?x64xf32>, %b: memref<64x32xf32>, %c: memref<?x32xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%c : memref<?x32xf32>)
  linalg.matmul ins(%a, %b : memref<?x64xf32>, memref<64x32xf32>) outs(%c : memref<?x32xf32>)
  return
}

// -----

// The importer's f32 linear layer: [1, ?, K] x W[N, K] as a contraction
// generic becomes a transposed-B matmul on the collapsed [?, K] view, B's
// fragment values read along rows of W (W[g, k + t]); C accumulated (no
// fill before), so its values are the initial accumulators.
// CHECK-LABEL: func.func @f32_linear
// CHECK: %[[A:.+]] = memref.collapse_shape %{{.+}} {{\[}}[0, 1], [2]] : memref<1x?x64xf32> into memref<?x64xf32>
// CHECK: %[[C:.+]] = memref.collapse_shape %{{.+}} {{\[}}[0, 1], [2]] : memref<1x?x48xf32> into memref<?x48xf32>
// CHECK: scf.parallel
// CHECK: memref.load %[[C]]
// CHECK: scf.for %[[K:[a-z0-9_]+]] = {{.+}} -> (f32, f32, f32, f32)
// CHECK:   %[[K0:.+]] = arith.addi %[[K]], %{{.+}} : index
// CHECK:   memref.load %[[A]]
// CHECK:   memref.load %{{.+}}[%{{.+}}, %[[K0]]] : memref<48x64xf32>
// CHECK-COUNT-3: nvvm.mma.sync
// CHECK-NOT: linalg.generic
// SIMT-LABEL: func.func @f32_linear
// SIMT: linalg.generic
func.func @f32_linear(%x: memref<1x?x64xf32>, %w: memref<48x64xf32>, %y: memref<1x?x48xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>,
                                   affine_map<(d0, d1, d2, d3) -> (d2, d3)>,
                                   affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<1x?x64xf32>, memref<48x64xf32>) outs(%y : memref<1x?x48xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// f32 batch_matmul: the batch on grid z, every access indexed by it.
// CHECK-LABEL: func.func @f32_batched
// CHECK: scf.parallel (%{{.+}}, %{{.+}}, %[[Z:.+]]) = (%{{.+}}, %{{.+}}, %{{.+}}) to (%{{.+}}, %{{.+}}, %{{.+}})
// CHECK: memref.load %{{.+}}[%[[Z]], %{{.+}}, %{{.+}}] : memref<4x32x16xf32>
// CHECK-COUNT-3: nvvm.mma.sync
// CHECK: memref.store %{{.+}}, %{{.+}}[%[[Z]], %{{.+}}, %{{.+}}] : memref<4x32x16xf32>
// CHECK: mapping = [#gpu.loop_dim_map<processor = block_x, {{.*}}>, #gpu.loop_dim_map<processor = block_y, {{.*}}>, #gpu.loop_dim_map<processor = block_z, {{.*}}>]
func.func @f32_batched(%a: memref<4x32x24xf32>, %b: memref<4x24x16xf32>, %c: memref<4x32x16xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<4x32x24xf32>, memref<4x24x16xf32>) outs(%c : memref<4x32x16xf32>)
  return
}
