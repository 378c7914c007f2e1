// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-nvidia-matmul-to-wgmma{stages=3}))' | FileCheck %s

// A zero-filled bf16 matmul: TMA descriptors on the host, one warpgroup per
// 128x128 tile of C, a ring of 3 slots of 32 KiB (16 KiB of A, two 8 KiB
// boxes of B), the K loop waiting on the slot's barrier, wgmma, and a
// refill 3 steps ahead; the fill is gone (the epilogue stores, no loads).
// CHECK-LABEL: func.func @zero_filled
// CHECK-NOT: linalg.fill
// CHECK: %[[DA:.+]] = nvgpu.tma.create.descriptor %{{.+}} box[%{{.+}}, %{{.+}}] : memref<*xbf16> -> <tensor = memref<128x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// CHECK: %[[DB:.+]] = nvgpu.tma.create.descriptor %{{.+}} box[%{{.+}}, %{{.+}}] : memref<*xbf16> -> <tensor = memref<64x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// CHECK-DAG: %[[SMEM:.+]] = arith.constant 98304 : i32
// CHECK-DAG: %[[GX:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[GY:.+]] = arith.constant 4 : index
// CHECK: gpu.launch blocks({{.+}}) in ({{.+}} = %[[GX]], {{.+}} = %[[GY]], {{.+}}) threads({{.+}}) in ({{.+}} = %{{.+}}, {{.+}}) dynamic_shared_memory_size %[[SMEM]]
// CHECK: %[[BAR:.+]] = nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>, num_barriers = 3>
// CHECK-COUNT-3: nvgpu.mbarrier.init %[[BAR]]
// CHECK: gpu.barrier
// The prologue fills the 3 slots: expect 32 KiB, one A box, two B boxes.
// CHECK-COUNT-3: nvgpu.mbarrier.arrive.expect_tx %[[BAR]][%{{.+}}], %{{.+}}, predicate
// CHECK: nvgpu.warpgroup.mma.init.accumulator -> <fragmented = vector<128x128xf32>>
// CHECK: scf.for %[[K:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %{{.+}})
// CHECK:   nvgpu.mbarrier.try_wait.parity %[[BAR]]
// CHECK:   %[[WA:.+]] = nvgpu.warpgroup.generate.descriptor %{{.+}}, %[[DA]]
// CHECK:   %[[WB:.+]] = nvgpu.warpgroup.generate.descriptor %{{.+}}, %[[DB]] : memref<64x128xbf16
// CHECK:   %[[D:.+]] = nvgpu.warpgroup.mma %[[WA]], %[[WB]], %[[ACC]] {loom.role = "consumer", transposeB}
// The wgmma stays in flight (waitGroup defaults to 1), so the slot refilled
// is the previous step's, `stages` - 1 ahead, from step 1 on.
// CHECK:   gpu.barrier
// CHECK:   %[[NEXT:.+]] = arith.addi %[[K]], %[[C2:.+]] : index
// CHECK:   %[[STARTED:.+]] = arith.cmpi uge, %[[K]]
// CHECK:   %[[IN:.+]] = arith.cmpi ult, %[[NEXT]], %{{.+}}
// CHECK:   %[[MORE:.+]] = arith.andi %[[STARTED]], %[[IN]]
// CHECK:   scf.if %[[MORE]]
// CHECK:     nvgpu.mbarrier.arrive.expect_tx
// CHECK-COUNT-3: nvgpu.tma.async.load
// CHECK:   } {loom.role = "producer"}
// CHECK:   scf.yield %[[D]]
// CHECK: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK: nvgpu.warpgroup.mma.store
// CHECK: scf.for
// CHECK-NOT: vector.load {{.*}} : memref<256x512xf32>
// CHECK:   vector.store %{{.+}} : memref<256x512xf32>, vector<4xf32>
// CHECK-NOT: linalg.matmul
func.func @zero_filled(%a: memref<256x256xbf16>, %b: memref<256x512xbf16>, %c: memref<256x512xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%c : memref<256x512xf32>)
  linalg.matmul ins(%a, %b : memref<256x256xbf16>, memref<256x512xbf16>)
                outs(%c : memref<256x512xf32>)
  return
}

// -----

// Without a zero fill the product is added to C; K = 64 is one step, so the
// ring has one slot.
// CHECK-LABEL: func.func @accumulates
// CHECK: nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>>
// CHECK: nvgpu.warpgroup.mma {{.+}} : <tensor = memref<128x64xf16
// CHECK: %[[OLD:.+]] = vector.load %{{.+}} : memref<128x128xf32>, vector<4xf32>
// CHECK: arith.addf %{{.+}}, %[[OLD]] : vector<4xf32>
// CHECK: vector.store
func.func @accumulates(%a: memref<128x64xf16>, %b: memref<64x128xf16>, %c: memref<128x128xf32>) {
  linalg.matmul ins(%a, %b : memref<128x64xf16>, memref<64x128xf16>)
                outs(%c : memref<128x128xf32>)
  return
}

// -----

// What wgmma does not take here stays linalg: f32 operands, N not a
// multiple of 128, K not a multiple of 64, strided operands, a non-zero
// fill (kept, and the matmul accumulates), transposed maps.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: nvgpu.
// CHECK-COUNT-5: linalg.matmul
// CHECK-NOT: nvgpu.
func.func @left_alone(%a32: memref<128x64xf32>, %b32: memref<64x128xf32>, %c: memref<128x128xf32>,
                      %a: memref<128x64xf16>, %b96: memref<64x96xf16>, %c96: memref<128x96xf32>,
                      %a32k: memref<128x32xf16>, %b32k: memref<32x128xf16>,
                      %as: memref<128x64xf16, strided<[128, 1]>>, %b: memref<64x128xf16>,
                      %bt: memref<128x64xf16>) {
  linalg.matmul ins(%a32, %b32 : memref<128x64xf32>, memref<64x128xf32>) outs(%c : memref<128x128xf32>)
  linalg.matmul ins(%a, %b96 : memref<128x64xf16>, memref<64x96xf16>) outs(%c96 : memref<128x96xf32>)
  linalg.matmul ins(%a32k, %b32k : memref<128x32xf16>, memref<32x128xf16>) outs(%c : memref<128x128xf32>)
  linalg.matmul ins(%as, %b : memref<128x64xf16, strided<[128, 1]>>, memref<64x128xf16>) outs(%c : memref<128x128xf32>)
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
                ins(%a, %bt : memref<128x64xf16>, memref<128x64xf16>) outs(%c : memref<128x128xf32>)
  return
}

// -----

// An N-d activation times a 2-d weight (the importer's generic with 16-bit
// operands extended to f32) is a matmul of the collapsed views.
#a = affine_map<(b, m, n, k) -> (b, m, k)>
#w = affine_map<(b, m, n, k) -> (k, n)>
#c = affine_map<(b, m, n, k) -> (b, m, n)>
// CHECK-LABEL: func.func @batched_activation
// CHECK-DAG: %[[A2:.+]] = memref.collapse_shape %{{.+}} {{\[\[}}0, 1], [2]] : memref<2x128x64xbf16> into memref<256x64xbf16>
// CHECK-DAG: %[[C2:.+]] = memref.collapse_shape %{{.+}} {{\[\[}}0, 1], [2]] : memref<2x128x128xf32> into memref<256x128xf32>
// CHECK: nvgpu.tma.create.descriptor
// CHECK: gpu.launch
// CHECK: nvgpu.warpgroup.mma
// CHECK-NOT: linalg.generic
func.func @batched_activation(%a: memref<2x128x64xbf16>, %w: memref<64x128xbf16>, %c: memref<2x128x128xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%c : memref<2x128x128xf32>)
  linalg.generic {indexing_maps = [#a, #w, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %w : memref<2x128x64xbf16>, memref<64x128xbf16>) outs(%c : memref<2x128x128xf32>) {
  ^bb0(%x: bf16, %y: bf16, %o: f32):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    %p = arith.mulf %xf, %yf : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The same generic with f32 operands, or a body that is not a product
// added to the accumulator, is left alone.
#a = affine_map<(b, m, n, k) -> (b, m, k)>
#w = affine_map<(b, m, n, k) -> (k, n)>
#c = affine_map<(b, m, n, k) -> (b, m, n)>
// CHECK-LABEL: func.func @not_a_matmul
// CHECK-NOT: memref.collapse_shape
// CHECK-COUNT-2: linalg.generic
// CHECK-NOT: gpu.launch
func.func @not_a_matmul(%a: memref<2x128x64xf32>, %w: memref<64x128xf32>, %c: memref<2x128x128xf32>,
                        %ah: memref<2x128x64xbf16>, %wh: memref<64x128xbf16>) {
  linalg.generic {indexing_maps = [#a, #w, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %w : memref<2x128x64xf32>, memref<64x128xf32>) outs(%c : memref<2x128x128xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#a, #w, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%ah, %wh : memref<2x128x64xbf16>, memref<64x128xbf16>) outs(%c : memref<2x128x128xf32>) {
  ^bb0(%x: bf16, %y: bf16, %o: f32):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    %p = arith.subf %xf, %yf : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}
