// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-nvidia-matvec))' | FileCheck %s

// Decode GEMV, B K x N in bf16: blocks of 256 columns (a lane's 8 bf16 =
// 16 bytes) x 16 K slices of 512 rows (8 warps x 64 rows, 4 rows per step),
// f32 sums per lane; the warps' sums meet in shared memory and each block
// writes its slice of the f32 workspace, which a second kernel adds to C in
// slice order.
// CHECK-LABEL: func.func @gemv_kn
// CHECK: %[[WS:.+]] = memref.alloc() : memref<16x1x8192xf32>
// CHECK: gpu.launch blocks({{.+}}) in ({{.+}} = %{{.+}}, {{.+}} = %{{.+}}, {{.+}}) threads({{.+}}) in ({{.+}} = %{{.+}}, {{.+}}) dynamic_shared_memory_size
// CHECK:   scf.for {{.+}} iter_args(%{{.+}} = %{{.+}}) -> (vector<8xf32>)
// CHECK-COUNT-4: vector.load %{{.+}} {alignment = 16 : i64} : memref<8192x8192xbf16>, vector<8xbf16>
// CHECK:     memref.load %{{.+}} : memref<1x8192xbf16>
// CHECK:     arith.extf %{{.+}} : bf16 to f32
// CHECK:     vector.broadcast
// CHECK:     vector.fma %{{.+}}, %{{.+}}, %{{.+}} : vector<8xf32>
// CHECK:   gpu.dynamic_shared_memory
// CHECK:   vector.store %{{.+}} : memref<8x256xf32, #gpu.address_space<workgroup>>, vector<8xf32>
// CHECK:   gpu.barrier
// CHECK:   scf.for
// CHECK-COUNT-8: memref.load %{{.+}} : memref<8x256xf32, #gpu.address_space<workgroup>>
// CHECK:     memref.store %{{.+}}, %[[WS]]
// CHECK:   gpu.barrier
// CHECK: gpu.launch
// CHECK:   scf.for {{.+}} = %{{.+}} to %{{.+}} step {{.+}} iter_args({{.+}}) -> (f32)
// CHECK:     memref.load %[[WS]]
// CHECK:   memref.load %{{.+}} : memref<1x8192xf32>
// CHECK:   arith.addf
// CHECK:   memref.store %{{.+}} : memref<1x8192xf32>
// CHECK: memref.dealloc %[[WS]]
// CHECK-NOT: linalg.matmul
func.func @gemv_kn(%a: memref<1x8192xbf16>, %b: memref<8192x8192xbf16>, %c: memref<1x8192xf32>) {
  linalg.matmul ins(%a, %b : memref<1x8192xbf16>, memref<8192x8192xbf16>)
                outs(%c : memref<1x8192xf32>)
  return
}

// -----

// A small f32 matmul (4 floats per 16 bytes): one block of 128 columns, K
// not split, so no workspace: the block adds its sums to C directly, one row
// of C after the other.
// CHECK-LABEL: func.func @small_f32
// CHECK-NOT: memref.alloc
// CHECK: gpu.launch
// CHECK:   scf.for {{.+}} -> (vector<4xf32>, vector<4xf32>)
// CHECK:     vector.load %{{.+}} {alignment = 16 : i64} : memref<64x128xf32>, vector<4xf32>
// CHECK-COUNT-2: memref.store %{{.+}}, %{{.+}} : memref<2x128xf32>
// CHECK-NOT: gpu.launch
// CHECK: return
func.func @small_f32(%a: memref<2x64xf32>, %b: memref<64x128xf32>, %c: memref<2x128xf32>) {
  linalg.matmul ins(%a, %b : memref<2x64xf32>, memref<64x128xf32>)
                outs(%c : memref<2x128xf32>)
  return
}

// -----

// A linear layer's contraction generic with B stored N x K (f16) and a
// 3-d activation: collapsed to 2-d views; a warp per row of B, each lane
// 8 halves of K per step, the lanes' sums reduced by xor shuffles; K split
// into 4 slices (128 blocks of 8 rows x 4 = 512 blocks).
#a = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#b = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
#c = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @linear_nk
// CHECK-DAG: memref.collapse_shape %{{.+}} {{\[}}[0, 1], [2]] : memref<1x4x4096xf16> into memref<4x4096xf16>
// CHECK-DAG: memref.collapse_shape %{{.+}} {{\[}}[0, 1], [2]] : memref<1x4x1024xf32> into memref<4x1024xf32>
// CHECK: %[[WS:.+]] = memref.alloc() : memref<4x4x1024xf32>
// CHECK: gpu.launch
// CHECK:   scf.if
// CHECK:     scf.for {{.+}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK:       vector.load %{{.+}} {alignment = 16 : i64} : memref<1024x4096xf16>, vector<8xf16>
// CHECK:       vector.load %{{.+}} {alignment = 16 : i64} : memref<4x4096xf16>, vector<8xf16>
// CHECK:       vector.fma
// CHECK:     vector.reduction <add>, %{{.+}} : vector<8xf32> into f32
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK:     scf.if
// CHECK:       memref.store %{{.+}}, %[[WS]]
// CHECK: gpu.launch
// CHECK: memref.dealloc %[[WS]]
// CHECK-NOT: linalg.generic
func.func @linear_nk(%a: memref<1x4x4096xf16>, %b: memref<1024x4096xf16>, %c: memref<1x4x1024xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<1x4x4096xf16>, memref<1024x4096xf16>)
      outs(%c : memref<1x4x1024xf32>) {
  ^bb0(%x: f16, %y: f16, %acc: f32):
    %xe = arith.extf %x : f16 to f32
    %ye = arith.extf %y : f16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// More than 16 rows is a GEMM; columns that are not a multiple of a warp's
// 32 vectors, and integer operands, are left to the other passes.
// CHECK-LABEL: func.func @gemm
// CHECK: linalg.matmul
// CHECK-LABEL: func.func @ragged
// CHECK: linalg.matmul
// CHECK-LABEL: func.func @integer
// CHECK: linalg.matmul
func.func @gemm(%a: memref<32x256xbf16>, %b: memref<256x256xbf16>, %c: memref<32x256xf32>) {
  linalg.matmul ins(%a, %b : memref<32x256xbf16>, memref<256x256xbf16>) outs(%c : memref<32x256xf32>)
  return
}
func.func @ragged(%a: memref<1x256xbf16>, %b: memref<256x100xbf16>, %c: memref<1x100xf32>) {
  linalg.matmul ins(%a, %b : memref<1x256xbf16>, memref<256x100xbf16>) outs(%c : memref<1x100xf32>)
  return
}
func.func @integer(%a: memref<1x256xi8>, %b: memref<256x256xi8>, %c: memref<1x256xi32>) {
  linalg.matmul ins(%a, %b : memref<1x256xi8>, memref<256x256xi8>) outs(%c : memref<1x256xi32>)
  return
}
