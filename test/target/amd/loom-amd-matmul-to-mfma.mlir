// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-amd-matmul-to-mfma))' | FileCheck %s
// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-amd-matmul-to-mfma{chip=gfx908}))' | FileCheck %s --check-prefix=GFX908

// An f32 matmul (dynamic M, K % 16 == 0, N % 32 == 0) becomes one gpu.launch
// of 256-thread workgroups, one per 32x32 tile of C (N / 32 = 2 along y),
// with two LDS buffers per operand (rows of 16 + 4 padding floats; B is kept
// N-major). The prologue stages K step 0 into buffer 0; each loop step
// loads the next step from global memory first, reads its fragments from
// buffer s % 2, runs four 16x16x4 MFMAs, stores the loaded step into the
// other buffer and meets the workgroup at a single barrier.
// CHECK-LABEL: func.func @mm
// CHECK-NOT: linalg.matmul
// CHECK-DAG: %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[C256:.+]] = arith.constant 256 : index
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %{{.+}}, {{.*}} = %[[C2]], {{.*}}) threads({{.*}}) in ({{.*}} = %[[C256]], {{.*}}) workgroup(%[[A:.+]] : memref<2x32x20xf32, #gpu.address_space<workgroup>>, %[[B:.+]] : memref<2x32x20xf32, #gpu.address_space<workgroup>>)
// Prologue: step 0 into buffer 0, then the barrier.
// CHECK: vector.load %{{.+}} : memref<?x32xf32>, vector<2xf32>
// CHECK: vector.load %{{.+}} : memref<32x64xf32>, vector<2xf32>
// CHECK: vector.store %{{.+}}, %[[A]][%[[B0:[^,]+]], {{.+}}] {alignment = 8 : i64} : memref<2x32x20xf32, #gpu.address_space<workgroup>>, vector<2xf32>
// CHECK-COUNT-2: memref.store %{{.+}}, %[[B]][%[[B0]], {{.+}}]
// CHECK: gpu.barrier
// CHECK: scf.for %[[S:.+]] = %{{.+}} to %{{.+}} step %[[C1:.+]] iter_args(
// CHECK:   vector.load %{{.+}} : memref<?x32xf32>, vector<2xf32>
// CHECK:   vector.load %{{.+}} : memref<32x64xf32>, vector<2xf32>
// CHECK:   amdgpu.sched_barrier allow = <salu>
// CHECK:   %[[CUR:.+]] = arith.remui %[[S]], %{{.+}}
// CHECK:   %[[OTHER:.+]] = arith.subi %[[C1]], %[[CUR]]
// CHECK:   vector.load %[[A]][%[[CUR]], {{.+}}] {alignment = 16 : i64} : memref<2x32x20xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK:   vector.load %[[B]][%[[CUR]], {{.+}}] {alignment = 16 : i64} : memref<2x32x20xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK-COUNT-4: amdgpu.mfma 16x16x4
// CHECK:   amdgpu.sched_barrier allow = <salu>
// CHECK:   vector.store %{{.+}}, %[[A]][%[[OTHER]],
// CHECK-COUNT-2: memref.store %{{.+}}, %[[B]][%[[OTHER]],
// CHECK:   gpu.barrier
// CHECK-NEXT: scf.yield
func.func @mm(%a: memref<?x32xf32>, %b: memref<32x64xf32>, %c: memref<?x64xf32>) {
  linalg.matmul ins(%a, %b : memref<?x32xf32>, memref<32x64xf32>) outs(%c : memref<?x64xf32>)
  return
}

// -----

// K not a multiple of 16 (f32): left to the SIMT path.
// CHECK-LABEL: func.func @ragged_k
// CHECK: linalg.matmul
// CHECK-NOT: gpu.launch
func.func @ragged_k(%a: memref<8x12xf32>, %b: memref<12x64xf32>, %c: memref<8x64xf32>) {
  linalg.matmul ins(%a, %b : memref<8x12xf32>, memref<12x64xf32>) outs(%c : memref<8x64xf32>)
  return
}

// -----

// bf16 operands, f32 accumulator (the importer's 16-bit MatMul): K steps of
// 32, rows of 32 + 8 padding bf16 in LDS, 8-byte staging (4 elements),
// 16-byte fragments (8 elements) split into two 16x16x16 MFMAs on
// vector<4xbf16> (v_mfma_f32_16x16x16bf16_1k).
// CHECK-LABEL: func.func @bf16
// gfx908 has only the two-element bf16 MFMA: four 16x16x8 per step.
// GFX908-LABEL: func.func @bf16
// GFX908-COUNT-4: amdgpu.mfma 16x16x8 {{.+}} : vector<2xbf16>, vector<2xbf16>, vector<4xf32>
// GFX908-NOT: amdgpu.mfma
// CHECK: gpu.launch {{.*}} workgroup(%[[A:.+]] : memref<2x32x40xbf16, #gpu.address_space<workgroup>>, %[[B:.+]] : memref<2x32x40xbf16, #gpu.address_space<workgroup>>)
// CHECK: vector.load %{{.+}} : memref<?x64xbf16>, vector<4xbf16>
// CHECK: scf.for
// CHECK: %[[FA:.+]] = vector.load %[[A]]{{.+}} : memref<2x32x40xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
// CHECK: %[[FB:.+]] = vector.load %[[B]]{{.+}} : memref<2x32x40xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
// CHECK: %[[A0:.+]] = vector.shuffle %[[FA]], %[[FA]] [0, 1, 2, 3]
// CHECK: %[[B0:.+]] = vector.shuffle %[[FB]], %[[FB]] [0, 1, 2, 3]
// CHECK: %[[ACC:.+]] = amdgpu.mfma 16x16x16 %[[A0]] * %[[B0]] + %{{.+}} blgp = none : vector<4xbf16>, vector<4xbf16>, vector<4xf32>
// CHECK: %[[A1:.+]] = vector.shuffle %[[FA]], %[[FA]] [4, 5, 6, 7]
// CHECK: %[[B1:.+]] = vector.shuffle %[[FB]], %[[FB]] [4, 5, 6, 7]
// CHECK: amdgpu.mfma 16x16x16 %[[A1]] * %[[B1]] + %[[ACC]] blgp = none : vector<4xbf16>, vector<4xbf16>, vector<4xf32>
// CHECK-NOT: amdgpu.mfma
// CHECK: gpu.barrier
func.func @bf16(%a: memref<?x64xbf16>, %b: memref<64x32xbf16>, %c: memref<?x32xf32>) {
  linalg.matmul ins(%a, %b : memref<?x64xbf16>, memref<64x32xbf16>) outs(%c : memref<?x32xf32>)
  return
}

// -----

// f16 through a generic with extended operands.
// CHECK-LABEL: func.func @f16_generic
// GFX908-LABEL: func.func @f16_generic
// CHECK: gpu.launch
// CHECK-COUNT-2: amdgpu.mfma 16x16x16 {{.+}} : vector<4xf16>, vector<4xf16>, vector<4xf32>
// CHECK-NOT: amdgpu.mfma
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
func.func @f16_generic(%x: memref<?x32xf16>, %w: memref<32x64xf16>, %y: memref<?x64xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x32xf16>, memref<32x64xf16>) outs(%y : memref<?x64xf32>) {
  ^bb0(%p: f16, %q: f16, %o: f32):
    %pe = arith.extf %p : f16 to f32
    %qe = arith.extf %q : f16 to f32
    %m = arith.mulf %pe, %qe : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A 16-bit accumulator (rounding every step) or K not a multiple of 32 for
// 16-bit operands: left to the SIMT path.
// CHECK-LABEL: func.func @f16_acc
// CHECK: linalg.matmul
// CHECK-NOT: gpu.launch
// CHECK-LABEL: func.func @bf16_k16
// CHECK: linalg.matmul
// CHECK-NOT: gpu.launch
func.func @f16_acc(%a: memref<32x32xf16>, %b: memref<32x64xf16>, %c: memref<32x64xf16>) {
  linalg.matmul ins(%a, %b : memref<32x32xf16>, memref<32x64xf16>) outs(%c : memref<32x64xf16>)
  return
}
func.func @bf16_k16(%a: memref<32x16xbf16>, %b: memref<16x64xbf16>, %c: memref<32x64xf32>) {
  linalg.matmul ins(%a, %b : memref<32x16xbf16>, memref<16x64xbf16>) outs(%c : memref<32x64xf32>)
  return
}

// -----

// B stored N x K (Gemm transB, the importer's `x @ W^T`): B is staged like
// A, 8 contiguous bytes along K per thread, stored as a vector into the
// N-major LDS tile (no transposing scalar stores).
// CHECK-LABEL: func.func @transposed_b
// CHECK: gpu.launch {{.*}} workgroup(%[[A:.+]] : memref<2x32x20xf32, #gpu.address_space<workgroup>>, %[[B:.+]] : memref<2x32x20xf32, #gpu.address_space<workgroup>>)
// CHECK: vector.load %{{.+}} : memref<?x64xf32>, vector<2xf32>
// CHECK: vector.load %{{.+}} : memref<96x64xf32>, vector<2xf32>
// CHECK: vector.store %{{.+}}, %[[A]]
// CHECK-NEXT: vector.store %{{.+}}, %[[B]]
// CHECK-NOT: memref.store %{{.+}}, %[[B]]
// CHECK: scf.for
// CHECK-COUNT-4: amdgpu.mfma 16x16x4
#at = affine_map<(i, j, k) -> (i, k)>
#bt = affine_map<(i, j, k) -> (j, k)>
#ct = affine_map<(i, j, k) -> (i, j)>
func.func @transposed_b(%x: memref<?x64xf32>, %w: memref<96x64xf32>, %y: memref<?x96xf32>) {
  linalg.generic {indexing_maps = [#at, #bt, #ct], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xf32>, memref<96x64xf32>) outs(%y : memref<?x96xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A batched matmul (dynamic batch and M): batches along the grid's z, each
// workgroup indexing its batch with the block id z.
// CHECK-LABEL: func.func @batched
// CHECK-SAME: %[[X:[^:]+]]: memref<?x?x32xf32>
// CHECK-SAME: %[[C:[^:]+]]: memref<?x?x64xf32>
// CHECK-DAG: %[[M:.+]] = memref.dim %[[C]], %c1
// CHECK-DAG: %[[NB:.+]] = memref.dim %[[C]], %c0
// CHECK: gpu.launch blocks(%{{.+}}, %{{.+}}, %[[Z:.+]]) in ({{.*}}, {{.*}}, {{.*}} = %[[NB]]) threads
// CHECK: vector.load %[[X]][%[[Z]], {{.+}}] {alignment = 8 : i64} : memref<?x?x32xf32>, vector<2xf32>
// CHECK: vector.load %{{.+}}[%[[Z]], {{.+}}] {alignment = 8 : i64} : memref<?x32x64xf32>, vector<2xf32>
// CHECK: scf.for
// CHECK-COUNT-4: amdgpu.mfma 16x16x4
// CHECK: memref.store %{{.+}}, %[[C]][%[[Z]],
func.func @batched(%a: memref<?x?x32xf32>, %b: memref<?x32x64xf32>, %c: memref<?x?x64xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<?x?x32xf32>, memref<?x32x64xf32>) outs(%c : memref<?x?x64xf32>)
  return
}

// -----

// Grouped dimensions (a projection to heads: rows (b, s), columns (h, d)):
// the kernel runs on collapsed views, 2 x 32 = 64 columns.
// CHECK-LABEL: func.func @grouped
// CHECK-DAG: %[[A2:.+]] = memref.collapse_shape %{{.+}} {{\[\[}}0, 1], [2]] : memref<1x?x64xbf16> into memref<?x64xbf16>
// CHECK-DAG: %[[B2:.+]] = memref.collapse_shape %{{.+}} {{\[\[}}0], [1, 2]] : memref<64x2x32xbf16> into memref<64x64xbf16>
// CHECK-DAG: %[[C2:.+]] = memref.collapse_shape %{{.+}} {{\[\[}}0, 1], [2, 3]] : memref<1x?x2x32xf32> into memref<?x64xf32>
// CHECK: gpu.launch
// CHECK-COUNT-2: amdgpu.mfma 16x16x16
#ag = affine_map<(b, s, h, d, k) -> (b, s, k)>
#bg = affine_map<(b, s, h, d, k) -> (k, h, d)>
#cg = affine_map<(b, s, h, d, k) -> (b, s, h, d)>
func.func @grouped(%x: memref<1x?x64xbf16>, %w: memref<64x2x32xbf16>, %y: memref<1x?x2x32xf32>) {
  linalg.generic {indexing_maps = [#ag, #bg, #cg], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<1x?x64xbf16>, memref<64x2x32xbf16>) outs(%y : memref<1x?x2x32xf32>) {
  ^bb0(%p: bf16, %q: bf16, %o: f32):
    %pe = arith.extf %p : bf16 to f32
    %qe = arith.extf %q : bf16 to f32
    %m = arith.mulf %pe, %qe : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Attention's products on strided head views, or with a dynamic N: left to
// the SIMT path.
// CHECK-LABEL: func.func @strided_b
// CHECK: linalg.generic
// CHECK-NOT: gpu.launch
#as = affine_map<(h, i, j, k) -> (h, i, k)>
#bs = affine_map<(h, i, j, k) -> (h, j, k)>
#cs = affine_map<(h, i, j, k) -> (h, i, j)>
func.func @strided_b(%q: memref<4x?x16xf32>, %k: memref<4x64x16xf32, strided<[2048, 16, 1]>>, %s: memref<4x?x64xf32>) {
  linalg.generic {indexing_maps = [#as, #bs, #cs], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : memref<4x?x16xf32>, memref<4x64x16xf32, strided<[2048, 16, 1]>>) outs(%s : memref<4x?x64xf32>) {
  ^bb0(%p: f32, %r: f32, %o: f32):
    %m = arith.mulf %p, %r : f32
    %t = arith.addf %o, %m : f32
    linalg.yield %t : f32
  }
  return
}

// -----

// Signed bytes with an i32 accumulator (MatMulInteger without zero points):
// K steps of 64, 16-byte fragments of 16 bytes split into two 16x16x32
// MFMAs on vector<8xi8> (v_mfma_i32_16x16x32_i8) on gfx942, four 16x16x16 on
// vector<4xi8> (v_mfma_i32_16x16x16i8) before it.
// CHECK-LABEL: func.func @i8
// CHECK: gpu.launch {{.*}} workgroup(%{{.+}} : memref<2x32x80xi8, #gpu.address_space<workgroup>>, %{{.+}} : memref<2x32x80xi8, #gpu.address_space<workgroup>>)
// CHECK: vector.load %{{.+}} : memref<?x128xi8>, vector<8xi8>
// CHECK: scf.for
// CHECK-COUNT-2: amdgpu.mfma 16x16x32 {{.+}} : vector<8xi8>, vector<8xi8>, vector<4xi32>
// CHECK-NOT: amdgpu.mfma
// CHECK: memref.store %{{.+}} : memref<?x32xi32>
// GFX908-LABEL: func.func @i8
// GFX908-COUNT-4: amdgpu.mfma 16x16x16 {{.+}} : vector<4xi8>, vector<4xi8>, vector<4xi32>
// GFX908-NOT: amdgpu.mfma
// Unsigned bytes (zero-extended) stay SIMT: the MFMAs multiply signed bytes.
// CHECK-LABEL: func.func @u8
// CHECK: linalg.generic
// CHECK-NOT: gpu.launch
// GFX908-LABEL: func.func @u8
#ai = affine_map<(i, j, k) -> (i, k)>
#bi = affine_map<(i, j, k) -> (k, j)>
#ci = affine_map<(i, j, k) -> (i, j)>
func.func @i8(%x: memref<?x128xi8>, %w: memref<128x32xi8>, %y: memref<?x32xi32>) {
  linalg.generic {indexing_maps = [#ai, #bi, #ci], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x128xi8>, memref<128x32xi8>) outs(%y : memref<?x32xi32>) {
  ^bb0(%p: i8, %q: i8, %o: i32):
    %pe = arith.extsi %p : i8 to i32
    %qe = arith.extsi %q : i8 to i32
    %m = arith.muli %pe, %qe : i32
    %s = arith.addi %o, %m : i32
    linalg.yield %s : i32
  }
  return
}
func.func @u8(%x: memref<?x128xi8>, %w: memref<128x32xi8>, %y: memref<?x32xi32>) {
  linalg.generic {indexing_maps = [#ai, #bi, #ci], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x128xi8>, memref<128x32xi8>) outs(%y : memref<?x32xi32>) {
  ^bb0(%p: i8, %q: i8, %o: i32):
    %pe = arith.extui %p : i8 to i32
    %qe = arith.extsi %q : i8 to i32
    %m = arith.muli %pe, %qe : i32
    %s = arith.addi %o, %m : i32
    linalg.yield %s : i32
  }
  return
}
