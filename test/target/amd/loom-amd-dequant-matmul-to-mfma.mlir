// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-amd-dequant-matmul-to-mfma))' | FileCheck %s

// The int4 Llama's contraction after loom-convert-quant-to-linalg, fusion
// and bufferization: rows (d0, d1) of A and C, columns d2, K d3; the
// weight byte at (d2, d3 floordiv 2), the scale at (d2, d3 floordiv 32),
// the zero point loaded from its packed bytes in the body. It becomes the
// MFMA kernel on C viewed as rows x 64: per element a thread stages, the
// loads (activation, weight byte, scale, zero-point byte) before the
// step's MFMAs, the nibble selection and (q - zp) * scale after them,
// written as f32 vector<2> to the A and B LDS tiles.
// CHECK-LABEL: func.func @w4
// CHECK-NOT: linalg.generic
// CHECK: %[[C2D:.+]] = memref.collapse_shape %{{.+}} {{\[}}[0, 1], [2]] : memref<1x?x64xf32> into memref<?x64xf32>
// CHECK: gpu.launch {{.*}} workgroup(%[[A:.+]] : memref<2x32x20xf32, #gpu.address_space<workgroup>>, %[[B:.+]] : memref<2x32x20xf32, #gpu.address_space<workgroup>>)
// Prologue.
// CHECK: memref.load %{{.+}} : memref<1x?x64xf32>
// CHECK: memref.load %{{.+}} : memref<64x32xi8>
// CHECK: memref.load %{{.+}} : memref<64x2xf32>
// CHECK: memref.load %{{.+}} : memref<64x1xi8>
// CHECK: arith.shrui
// CHECK: arith.trunci %{{.+}} : i8 to i4
// CHECK: arith.subf
// CHECK: vector.from_elements
// CHECK: vector.store %{{.+}}, %[[A]]
// CHECK: vector.from_elements
// CHECK: vector.store %{{.+}}, %[[B]]
// CHECK: gpu.barrier
// The loop: loads, fence, fragments, 4 MFMAs, fence, dequantize, stores.
// CHECK: scf.for
// CHECK:   memref.load %{{.+}} : memref<64x32xi8>
// CHECK:   amdgpu.sched_barrier allow = <salu>
// CHECK:   vector.load %[[A]]
// CHECK:   vector.load %[[B]]
// CHECK-COUNT-4: amdgpu.mfma 16x16x4
// CHECK:   amdgpu.sched_barrier allow = <salu>
// CHECK:   arith.andi
// CHECK:   arith.sitofp
// CHECK:   arith.mulf
// CHECK:   vector.store %{{.+}}, %[[A]]
// CHECK:   vector.store %{{.+}}, %[[B]]
// CHECK:   gpu.barrier
// CHECK: memref.store %{{.+}}, %[[C2D]]
#a = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#w = affine_map<(d0, d1, d2, d3) -> (d2, d3 floordiv 2)>
#s = affine_map<(d0, d1, d2, d3) -> (d2, d3 floordiv 32)>
#c = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
func.func @w4(%x: memref<1x?x64xf32>, %wq: memref<64x32xi8>, %sc: memref<64x2xf32>, %zp: memref<64x1xi8>, %y: memref<1x?x64xf32>) {
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c4_i8 = arith.constant 4 : i8
  %c15_i8 = arith.constant 15 : i8
  linalg.generic {indexing_maps = [#a, #w, #s, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %wq, %sc : memref<1x?x64xf32>, memref<64x32xi8>, memref<64x2xf32>) outs(%y : memref<1x?x64xf32>) {
  ^bb0(%in: f32, %q: i8, %scale: f32, %out: f32):
    %n = linalg.index 2 : index
    %k = linalg.index 3 : index
    %g = affine.apply affine_map<()[s0] -> (s0 floordiv 32)>()[%k]
    %gb = arith.divui %g, %c2 : index
    %zb = memref.load %zp[%n, %gb] : memref<64x1xi8>
    %gp = arith.remui %g, %c2 : index
    %gs = arith.muli %gp, %c4 : index
    %gs8 = arith.index_cast %gs : index to i8
    %zs = arith.shrui %zb, %gs8 : i8
    %z4 = arith.trunci %zs : i8 to i4
    %kp = arith.remui %k, %c2 : index
    %kp8 = arith.index_cast %kp : index to i8
    %ks = arith.muli %kp8, %c4_i8 : i8
    %qs = arith.shrui %q, %ks : i8
    %qn = arith.andi %qs, %c15_i8 : i8
    %qi = arith.extui %qn : i8 to i32
    %qf = arith.sitofp %qi : i32 to f32
    %zi = arith.extui %z4 : i4 to i32
    %zf = arith.sitofp %zi : i32 to f32
    %d = arith.subf %qf, %zf : f32
    %wv = arith.mulf %d, %scale : f32
    %p = arith.mulf %in, %wv : f32
    %r = arith.addf %out, %p : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Not dequantizing (an f32 product with a fused activation): left to the
// SIMT path.
// CHECK-LABEL: func.func @not_quantized
// CHECK-NOT: gpu.launch
// CHECK: linalg.generic
#a2 = affine_map<(i, j, k) -> (i, k)>
#b2 = affine_map<(i, j, k) -> (j, k)>
#c2 = affine_map<(i, j, k) -> (i, j)>
func.func @not_quantized(%x: memref<?x64xf32>, %w: memref<64x64xf32>, %y: memref<?x64xf32>) {
  linalg.generic {indexing_maps = [#a2, #b2, #c2], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xf32>, memref<64x64xf32>) outs(%y : memref<?x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %e = math.exp %a : f32
    %p = arith.mulf %e, %b : f32
    %r = arith.addf %o, %p : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// N = 48 is not a multiple of the 32-column tile: 2 column tiles, the
// second's columns past 47 staged from column 47 (loads in bounds) and
// lanes holding a column past N load and store no row of C.
// CHECK-LABEL: func.func @partial_tile
// CHECK-NOT: linalg.generic
// CHECK: %[[TWO:.+]] = arith.constant 2 : index
// CHECK: gpu.launch blocks({{.+}}) in ({{.+}}, %{{.+}} = %[[TWO]], %{{.+}})
// CHECK: %[[LAST:.+]] = arith.constant 47 : index
// CHECK: %[[BCOL:.+]] = arith.minui %{{.+}}, %[[LAST]] : index
// CHECK: %[[INSIDE:.+]] = arith.cmpi ult, %[[COL:.+]], %{{.+}} : index
// CHECK: %[[ROWS:.+]] = arith.select %[[INSIDE]], %{{.+}}, %{{.+}} : index
// CHECK: arith.cmpi ult, %{{.+}}, %[[ROWS]] : index
// CHECK: memref.load %{{.+}}[%{{.+}}, %[[COL]]] : memref<?x48xf32>
// CHECK: memref.load %{{.+}}[%[[BCOL]], %{{.+}}] : memref<48x64xi8>
// CHECK: scf.for
// CHECK: arith.cmpi ult, %{{.+}}, %[[ROWS]] : index
// CHECK: memref.store %{{.+}}, %{{.+}}[%{{.+}}, %[[COL]]] : memref<?x48xf32>
// CHECK-NOT: linalg.generic
#a3 = affine_map<(i, j, k) -> (i, k)>
#b3 = affine_map<(i, j, k) -> (j, k)>
#c3 = affine_map<(i, j, k) -> (i, j)>
func.func @partial_tile(%x: memref<?x64xf32>, %w: memref<48x64xi8>, %y: memref<?x48xf32>) {
  linalg.generic {indexing_maps = [#a3, #b3, #c3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xf32>, memref<48x64xi8>) outs(%y : memref<?x48xf32>) {
  ^bb0(%a: f32, %b: i8, %o: f32):
    %bf = arith.sitofp %b : i8 to f32
    %p = arith.mulf %a, %bf : f32
    %r = arith.addf %o, %p : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// The down projection of the int4 Llama: SiLU(gate) * up fused into the
// contraction's A side (two activation inputs), an i8 weight with a
// per-row scale on the B side. Both activations are loaded before the
// MFMAs; the SiLU, its product and the dequantization run after them.
// CHECK-LABEL: func.func @fused_a_side
// CHECK: gpu.launch
// CHECK: scf.for
// CHECK:   memref.load %{{.+}} : memref<?x128xf32>
// CHECK:   memref.load %{{.+}} : memref<?x128xf32>
// CHECK:   memref.load %{{.+}} : memref<32x128xi8>
// CHECK:   amdgpu.sched_barrier
// CHECK-COUNT-4: amdgpu.mfma 16x16x4
// CHECK:   amdgpu.sched_barrier
// CHECK:   math.exp
// CHECK:   arith.sitofp
// CHECK:   gpu.barrier
// CHECK-NOT: linalg.generic
#g = affine_map<(i, j, k) -> (i, k)>
#w4 = affine_map<(i, j, k) -> (j, k)>
#s4 = affine_map<(i, j, k) -> (j)>
#c4 = affine_map<(i, j, k) -> (i, j)>
func.func @fused_a_side(%gate: memref<?x128xf32>, %up: memref<?x128xf32>, %w: memref<32x128xi8>, %s: memref<32xf32>, %y: memref<?x32xf32>) {
  %one = arith.constant 1.0 : f32
  linalg.generic {indexing_maps = [#g, #g, #w4, #s4, #c4], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%gate, %up, %w, %s : memref<?x128xf32>, memref<?x128xf32>, memref<32x128xi8>, memref<32xf32>) outs(%y : memref<?x32xf32>) {
  ^bb0(%gv: f32, %uv: f32, %q: i8, %sc: f32, %o: f32):
    %n = arith.negf %gv : f32
    %e = math.exp %n : f32
    %d = arith.addf %e, %one : f32
    %sig = arith.divf %one, %d : f32
    %silu = arith.mulf %gv, %sig : f32
    %a = arith.mulf %silu, %uv : f32
    %qf = arith.sitofp %q : i8 to f32
    %wv = arith.mulf %qf, %sc : f32
    %p = arith.mulf %a, %wv : f32
    %r = arith.addf %o, %p : f32
    linalg.yield %r : f32
  }
  return
}
