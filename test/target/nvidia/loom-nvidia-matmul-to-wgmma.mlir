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
// multiple of 128, K not a multiple of 64, strided operands, a transposed
// A.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: nvgpu.
// CHECK-COUNT-5: linalg.matmul
// CHECK-NOT: nvgpu.
func.func @left_alone(%a32: memref<128x64xf32>, %b32: memref<64x128xf32>, %c: memref<128x128xf32>,
                      %a: memref<128x64xf16>, %b96: memref<64x96xf16>, %c96: memref<128x96xf32>,
                      %a32k: memref<128x32xf16>, %b32k: memref<32x128xf16>,
                      %as: memref<128x64xf16, strided<[128, 1]>>, %b: memref<64x128xf16>,
                      %at: memref<64x128xf16>) {
  linalg.matmul ins(%a32, %b32 : memref<128x64xf32>, memref<64x128xf32>) outs(%c : memref<128x128xf32>)
  linalg.matmul ins(%a, %b96 : memref<128x64xf16>, memref<64x96xf16>) outs(%c96 : memref<128x96xf32>)
  linalg.matmul ins(%a32k, %b32k : memref<128x32xf16>, memref<32x128xf16>) outs(%c : memref<128x128xf32>)
  linalg.matmul ins(%as, %b : memref<128x64xf16, strided<[128, 1]>>, memref<64x128xf16>) outs(%c : memref<128x128xf32>)
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>]
                ins(%at, %b : memref<64x128xf16>, memref<64x128xf16>) outs(%c : memref<128x128xf32>)
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

// -----

// B stored N x K (the transposed-B maps): loaded K-major, in 128x64 boxes
// like A's, into one 16 KiB box per slot, and multiplied by wgmma without
// the transpose: per K step 8 m64n128k16 (two 64-row halves x four k16)
// with B's descriptor advanced by 32 bytes (2 units of 16) per k16 and
// A's by 64 rows x 128 bytes (512 units) per half.
// CHECK-LABEL: func.func @k_major_b
// CHECK-NOT: linalg.transpose
// CHECK: nvgpu.tma.create.descriptor %{{.+}} box[%{{.+}}, %{{.+}}] : memref<*xbf16> -> <tensor = memref<128x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// CHECK: %[[DB:.+]] = nvgpu.tma.create.descriptor %{{.+}} box[%{{.+}}, %{{.+}}] : memref<*xbf16> -> <tensor = memref<128x64xbf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// CHECK: gpu.launch
// The prologue: one A box and one B box per slot (2 slots: K = 128).
// CHECK: nvgpu.mbarrier.arrive.expect_tx %{{.+}}[%{{.+}}], %{{.+}}, predicate
// CHECK-COUNT-2: nvgpu.tma.async.load
// CHECK: nvgpu.mbarrier.arrive.expect_tx
// CHECK: scf.for %{{.+}} iter_args(%[[ACC:.+]] = %{{.+}})
// CHECK:   nvgpu.mbarrier.try_wait.parity
// CHECK:   %[[WB:.+]] = nvgpu.warpgroup.generate.descriptor %{{.+}}, %[[DB]] : memref<128x64xbf16, #gpu.address_space<workgroup>>
// CHECK:   %[[REGS:.+]] = builtin.unrealized_conversion_cast %[[ACC]] : !nvgpu.warpgroup.accumulator<fragmented = vector<128x128xf32>> to !llvm.struct<(struct<(f32
// CHECK:   %[[IA:.+]] = builtin.unrealized_conversion_cast %{{.+}} : !nvgpu.warpgroup.descriptor<tensor = memref<128x64xbf16, #gpu.address_space<workgroup>>> to i64
// CHECK:   %[[IB:.+]] = builtin.unrealized_conversion_cast %[[WB]] : !nvgpu.warpgroup.descriptor<tensor = memref<128x64xbf16, #gpu.address_space<workgroup>>> to i64
// CHECK:   nvvm.wgmma.fence.aligned
// CHECK:   %[[H0:.+]] = llvm.extractvalue %[[REGS]][0]
// CHECK:   nvvm.wgmma.mma_async %[[IA]], %[[IB]], %[[H0]], <m = 64, n = 128, k = 16>, D[<f32>, <one>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>] {loom.role = "consumer"}
// CHECK:   %[[A1:.+]] = arith.addi %[[IA]], %c2_i64 : i64
// CHECK:   %[[B1:.+]] = arith.addi %[[IB]], %c2_i64{{.*}} : i64
// CHECK:   nvvm.wgmma.mma_async %[[A1]], %[[B1]]
// CHECK-COUNT-2: nvvm.wgmma.mma_async
// CHECK:   llvm.insertvalue
// CHECK:   %[[H1:.+]] = llvm.extractvalue %{{.+}}[1]
// CHECK:   %[[A4:.+]] = arith.addi %[[IA]], %{{.+}} : i64
// CHECK:   nvvm.wgmma.mma_async %[[A4]], %[[IB]], %[[H1]]
// CHECK-COUNT-3: nvvm.wgmma.mma_async
// CHECK:   nvvm.wgmma.commit.group.sync.aligned
// CHECK:   nvvm.wgmma.wait.group.sync.aligned 1
// CHECK:   %[[NEW:.+]] = builtin.unrealized_conversion_cast %{{.+}} to !nvgpu.warpgroup.accumulator<fragmented = vector<128x128xf32>>
// CHECK:   scf.if
// CHECK:     nvgpu.mbarrier.arrive.expect_tx
// CHECK-COUNT-2: nvgpu.tma.async.load
// CHECK:   } {loom.role = "producer"}
// CHECK:   scf.yield %[[NEW]]
// CHECK: nvgpu.warpgroup.mma.store
// CHECK-NOT: linalg.matmul
func.func @k_major_b(%a: memref<256x128xbf16>, %b: memref<128x128xbf16>, %c: memref<256x128xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%c : memref<256x128xf32>)
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
                ins(%a, %b : memref<256x128xbf16>, memref<128x128xbf16>) outs(%c : memref<256x128xf32>)
  return
}

// -----

// A linear layer: the activation times an N x K weight, as the importer's
// generic reads it, becomes the K-major kernel without a transposed copy.
#a = affine_map<(b, m, n, k) -> (b, m, k)>
#w = affine_map<(b, m, n, k) -> (n, k)>
#c = affine_map<(b, m, n, k) -> (b, m, n)>
// CHECK-LABEL: func.func @linear_nk_weight
// CHECK-NOT: memref.alloc
// CHECK-NOT: linalg.transpose
// CHECK: nvgpu.tma.create.descriptor %{{.+}} box[%{{.+}}, %{{.+}}] : memref<*xf16> -> <tensor = memref<128x64xf16
// CHECK: nvgpu.tma.create.descriptor %{{.+}} box[%{{.+}}, %{{.+}}] : memref<*xf16> -> <tensor = memref<128x64xf16
// CHECK: gpu.launch
// CHECK-COUNT-8: nvvm.wgmma.mma_async {{.+}} A[<f16>, <one>, <row>], B[<f16>, <one>, <col>]
// CHECK-NOT: linalg.
func.func @linear_nk_weight(%a: memref<2x128x64xf16>, %w: memref<256x64xf16>, %c: memref<2x128x256xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%c : memref<2x128x256xf32>)
  linalg.generic {indexing_maps = [#a, #w, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %w : memref<2x128x64xf16>, memref<256x64xf16>) outs(%c : memref<2x128x256xf32>) {
  ^bb0(%x: f16, %y: f16, %o: f32):
    %xf = arith.extf %x : f16 to f32
    %yf = arith.extf %y : f16 to f32
    %p = arith.mulf %xf, %yf : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The importer's explicit Transpose of an N x K weight into a K x N buffer
// that the matmul reads: the matmul reads the weight K-major instead. The
// first copy is dropped (the buffer is overwritten by the second before
// anything else reads it); the second is kept, another op reads it.
#a = affine_map<(b, m, n, k) -> (b, m, k)>
#w = affine_map<(b, m, n, k) -> (k, n)>
#c = affine_map<(b, m, n, k) -> (b, m, n)>
// CHECK-LABEL: func.func @transposed_weight_copy
// CHECK-SAME: %[[W1:[^:]+]]: memref<128x64xbf16>, %[[W2:[^:]+]]: memref<128x64xbf16>
// CHECK: %[[KN:.+]] = memref.alloc() : memref<64x128xbf16>
// CHECK-NOT: linalg.transpose
// CHECK: nvgpu.tma.create.descriptor
// CHECK: memref.cast %[[W1]]
// CHECK: gpu.launch
// CHECK: linalg.transpose ins(%[[W2]] : memref<128x64xbf16>) outs(%[[KN]] : memref<64x128xbf16>)
// CHECK: memref.cast %[[W2]]
// CHECK: gpu.launch
// CHECK: linalg.copy ins(%[[KN]]
// CHECK-NOT: linalg.generic
func.func @transposed_weight_copy(%x: memref<1x128x64xbf16>, %w1: memref<128x64xbf16>, %w2: memref<128x64xbf16>,
                                  %c1: memref<1x128x128xf32>, %c2: memref<1x128x128xf32>, %keep: memref<64x128xbf16>) {
  %z = arith.constant 0.0 : f32
  %kn = memref.alloc() : memref<64x128xbf16>
  linalg.transpose ins(%w1 : memref<128x64xbf16>) outs(%kn : memref<64x128xbf16>) permutation = [1, 0]
  linalg.fill ins(%z : f32) outs(%c1 : memref<1x128x128xf32>)
  linalg.generic {indexing_maps = [#a, #w, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %kn : memref<1x128x64xbf16>, memref<64x128xbf16>) outs(%c1 : memref<1x128x128xf32>) {
  ^bb0(%p: bf16, %q: bf16, %o: f32):
    %pf = arith.extf %p : bf16 to f32
    %qf = arith.extf %q : bf16 to f32
    %m = arith.mulf %pf, %qf : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  linalg.transpose ins(%w2 : memref<128x64xbf16>) outs(%kn : memref<64x128xbf16>) permutation = [1, 0]
  linalg.fill ins(%z : f32) outs(%c2 : memref<1x128x128xf32>)
  linalg.generic {indexing_maps = [#a, #w, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %kn : memref<1x128x64xbf16>, memref<64x128xbf16>) outs(%c2 : memref<1x128x128xf32>) {
  ^bb0(%p: bf16, %q: bf16, %o: f32):
    %pf = arith.extf %p : bf16 to f32
    %qf = arith.extf %q : bf16 to f32
    %m = arith.mulf %pf, %qf : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  linalg.copy ins(%kn : memref<64x128xbf16>) outs(%keep : memref<64x128xbf16>)
  memref.dealloc %kn : memref<64x128xbf16>
  return
}

// -----

// A zero-filled f32 result that is only rounded to bf16 afterwards (the
// importer's 16-bit MatMul): the epilogue rounds and stores bf16 directly,
// 8 values (16 bytes) per thread; the f32 buffer and the rounding op are
// gone, and the bf16 buffer is allocated before the kernel.
#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @rounded_result
// CHECK-NOT: memref<256x128xf32>
// CHECK: %[[Y:.+]] = memref.alloc() {alignment = 64 : i64} : memref<256x128xbf16>
// CHECK: gpu.launch
// CHECK: %[[OUT:.+]] = memref.assume_alignment %[[Y]], 16
// CHECK: nvgpu.warpgroup.mma.store
// CHECK: scf.for
// CHECK:   %[[V:.+]] = vector.load %{{.+}} : memref<128x128xf32, #gpu.address_space<workgroup>>, vector<8xf32>
// CHECK:   %[[T:.+]] = arith.truncf %[[V]] : vector<8xf32> to vector<8xbf16>
// CHECK:   vector.store %[[T]], %[[OUT]][%{{.+}}, %{{.+}}] : memref<256x128xbf16>, vector<8xbf16>
// CHECK-NOT: linalg.generic
// CHECK-NOT: memref<256x128xf32>
// CHECK: return %[[Y]]
func.func @rounded_result(%a: memref<256x64xbf16>, %b: memref<64x128xbf16>) -> memref<256x128xbf16> {
  %z = arith.constant 0.0 : f32
  %c = memref.alloc() {alignment = 64 : i64} : memref<256x128xf32>
  linalg.fill ins(%z : f32) outs(%c : memref<256x128xf32>)
  linalg.matmul ins(%a, %b : memref<256x64xbf16>, memref<64x128xbf16>) outs(%c : memref<256x128xf32>)
  %y = memref.alloc() {alignment = 64 : i64} : memref<256x128xbf16>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<256x128xf32>) outs(%y : memref<256x128xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  }
  memref.dealloc %c : memref<256x128xf32>
  return %y : memref<256x128xbf16>
}

// -----

// Rounding fused with other work, or a C read elsewhere, keeps the f32
// result: the epilogue stores f32.
#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @rounded_and_more
// CHECK: vector.store %{{.+}} : memref<128x128xf32>, vector<4xf32>
// CHECK: linalg.generic
// CHECK: arith.negf
func.func @rounded_and_more(%a: memref<128x64xbf16>, %b: memref<64x128xbf16>, %y: memref<128x128xbf16>) {
  %z = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<128x128xf32>
  linalg.fill ins(%z : f32) outs(%c : memref<128x128xf32>)
  linalg.matmul ins(%a, %b : memref<128x64xbf16>, memref<64x128xbf16>) outs(%c : memref<128x128xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<128x128xf32>) outs(%y : memref<128x128xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %n = arith.negf %in : f32
    %t = arith.truncf %n : f32 to bf16
    linalg.yield %t : bf16
  }
  memref.dealloc %c : memref<128x128xf32>
  return
}

// -----

// The same through reshapes (Llama's per-head Q projection): the weight
// viewed as heads x head_dim x K is transposed into a K x heads x head_dim
// view of a K x N buffer; the matmul reads the 2-d weight K-major and the
// copy is dropped.
#a = affine_map<(b, m, h, d, k) -> (b, m, k)>
#w = affine_map<(b, m, h, d, k) -> (k, h, d)>
#c = affine_map<(b, m, h, d, k) -> (b, m, h, d)>
// CHECK-LABEL: func.func @transposed_head_views
// CHECK-SAME: %{{[^:]+}}: memref<1x128x64xbf16>, %[[W:[^:]+]]: memref<256x64xbf16>
// CHECK-NOT: linalg.transpose
// CHECK: memref.cast %[[W]] : memref<256x64xbf16> to memref<*xbf16>
// CHECK: nvgpu.tma.create.descriptor %{{.+}} box[%{{.+}}, %{{.+}}] : memref<*xbf16> -> <tensor = memref<128x64xbf16
// CHECK: gpu.launch
// CHECK: nvvm.wgmma.mma_async
// CHECK-NOT: linalg.
func.func @transposed_head_views(%x: memref<1x128x64xbf16>, %w: memref<256x64xbf16>, %c: memref<1x128x4x64xf32>) {
  %z = arith.constant 0.0 : f32
  %kn = memref.alloc() : memref<64x256xbf16>
  %wv = memref.expand_shape %w [[0, 1], [2]] output_shape [4, 64, 64] : memref<256x64xbf16> into memref<4x64x64xbf16>
  %knv = memref.expand_shape %kn [[0], [1, 2]] output_shape [64, 4, 64] : memref<64x256xbf16> into memref<64x4x64xbf16>
  linalg.transpose ins(%wv : memref<4x64x64xbf16>) outs(%knv : memref<64x4x64xbf16>) permutation = [2, 0, 1]
  linalg.fill ins(%z : f32) outs(%c : memref<1x128x4x64xf32>)
  linalg.generic {indexing_maps = [#a, #w, #c], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %knv : memref<1x128x64xbf16>, memref<64x4x64xbf16>) outs(%c : memref<1x128x4x64xf32>) {
  ^bb0(%p: bf16, %q: bf16, %o: f32):
    %pf = arith.extf %p : bf16 to f32
    %qf = arith.extf %q : bf16 to f32
    %m = arith.mulf %pf, %qf : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  memref.dealloc %kn : memref<64x256xbf16>
  return
}

// -----

// A batch_matmul runs its batch as grid z on 2-d views of the operands:
// [batch * M, K], [batch * K, N] and C [batch * M, N]; block z's rows start
// at z * M in A and C and at z * K in B.
// CHECK-LABEL: func.func @batch_matmul
// CHECK-DAG: %[[A2:.+]] = memref.collapse_shape %{{.+}} {{\[\[}}0, 1], [2]] : memref<3x256x64xbf16> into memref<768x64xbf16>
// CHECK-DAG: %[[B2:.+]] = memref.collapse_shape %{{.+}} {{\[\[}}0, 1], [2]] : memref<3x64x128xbf16> into memref<192x128xbf16>
// CHECK-DAG: %[[C2:.+]] = memref.collapse_shape %{{.+}} {{\[\[}}0, 1], [2]] : memref<3x256x128xf32> into memref<768x128xf32>
// CHECK-DAG: memref.cast %[[A2]] : memref<768x64xbf16> to memref<*xbf16>
// CHECK-DAG: memref.cast %[[B2]] : memref<192x128xbf16> to memref<*xbf16>
// CHECK-DAG: %[[GX:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[GZ:.+]] = arith.constant 3 : index
// CHECK: gpu.launch blocks(%[[BX:[^,]+]], %{{[^,]+}}, %[[BZ:[^)]+]]) in ({{.+}} = %[[GX]], {{.+}} = %{{.+}}, {{.+}} = %[[GZ]])
// CHECK-DAG: %[[ROW0:.+]] = arith.muli %[[BX]], %c128
// CHECK-DAG: %[[ABASE:.+]] = arith.muli %[[BZ]], %c256
// CHECK-DAG: %[[BBASE:.+]] = arith.muli %[[BZ]], %c64
// CHECK: %[[AROW:.+]] = arith.addi %[[ABASE]], %[[ROW0]]
// CHECK: nvgpu.tma.async.load %{{.+}}[%{{.+}}, %[[AROW]]]
// CHECK: %[[BROW:.+]] = arith.addi %[[BBASE]], %{{.+}}
// CHECK: nvgpu.tma.async.load %{{.+}}[%{{.+}}, %[[BROW]]]
// CHECK: nvgpu.warpgroup.mma
// CHECK: scf.for
// CHECK:   %[[GR:.+]] = arith.addi %[[AROW]], %{{.+}}
// CHECK:   vector.store %{{.+}}, %{{.+}}[%[[GR]], %{{.+}}] : memref<768x128xf32>
// CHECK-NOT: linalg.batch_matmul
func.func @batch_matmul(%a: memref<3x256x64xbf16>, %b: memref<3x64x128xbf16>, %c: memref<3x256x128xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%c : memref<3x256x128xf32>)
  linalg.batch_matmul ins(%a, %b : memref<3x256x64xbf16>, memref<3x64x128xbf16>) outs(%c : memref<3x256x128xf32>)
  return
}

// -----

// Attention's Q . K^T as the importer writes it (batch and heads leading
// all operands, K read [b, h, n, k]): a transposed-B batch_matmul on views
// with the batch dims collapsed, K read K-major from rows z * N.
#q = affine_map<(b, h, m, n, k) -> (b, h, m, k)>
#k = affine_map<(b, h, m, n, k) -> (b, h, n, k)>
#s = affine_map<(b, h, m, n, k) -> (b, h, m, n)>
// CHECK-LABEL: func.func @batched_qk
// CHECK-DAG: memref.collapse_shape %{{.+}} {{\[\[}}0, 1], [2], [3]] : memref<1x2x128x64xf16> into memref<2x128x64xf16>
// CHECK-DAG: memref.collapse_shape %{{.+}} {{\[\[}}0, 1], [2], [3]] : memref<1x2x256x64xf16> into memref<2x256x64xf16>
// CHECK-DAG: memref.collapse_shape %{{.+}} {{\[\[}}0, 1], [2]] : memref<2x256x64xf16> into memref<512x64xf16>
// CHECK: gpu.launch blocks(%{{[^,]+}}, %[[BY:[^,]+]], %[[BZ:[^)]+]]) in
// CHECK-DAG: %[[COL0:.+]] = arith.muli %[[BY]], %c128
// CHECK-DAG: %[[BBASE:.+]] = arith.muli %[[BZ]], %c256
// CHECK: %[[BROW:.+]] = arith.addi %[[BBASE]], %[[COL0]]
// CHECK: nvgpu.tma.async.load %{{.+}}[%{{.+}}, %[[BROW]]]
// CHECK-COUNT-8: nvvm.wgmma.mma_async {{.+}} A[<f16>, <one>, <row>], B[<f16>, <one>, <col>]
// CHECK-NOT: linalg.generic
func.func @batched_qk(%q: memref<1x2x128x64xf16>, %k: memref<1x2x256x64xf16>, %s: memref<1x2x128x256xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%s : memref<1x2x128x256xf32>)
  linalg.generic {indexing_maps = [#q, #k, #s], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : memref<1x2x128x64xf16>, memref<1x2x256x64xf16>) outs(%s : memref<1x2x128x256xf32>) {
  ^bb0(%x: f16, %y: f16, %o: f32):
    %xf = arith.extf %x : f16 to f32
    %yf = arith.extf %y : f16 to f32
    %p = arith.mulf %xf, %yf : f32
    %r = arith.addf %o, %p : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A batch whose M is not a multiple of 128 would have A's boxes cross
// batches: left alone.
// CHECK-LABEL: func.func @batch_partial_m
// CHECK-NOT: gpu.launch
// CHECK: linalg.batch_matmul
func.func @batch_partial_m(%a: memref<2x100x64xbf16>, %b: memref<2x64x128xbf16>, %c: memref<2x100x128xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<2x100x64xbf16>, memref<2x64x128xbf16>) outs(%c : memref<2x100x128xf32>)
  return
}

// -----

// M = 200: two row blocks; TMA zero-fills A's rows past 200 in the second
// and the epilogue stores min(128, 200 - row0) rows (8 bf16 per thread
// and iteration, 16 per row).
#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @partial_m
// CHECK-DAG: %[[C200:.+]] = arith.constant 200 : index
// CHECK-DAG: %[[GX:.+]] = arith.constant 2 : index
// CHECK: gpu.launch blocks(%[[BX:[^,]+]], %{{[^,]+}}, %{{[^)]+}}) in ({{[^,]+}} = %[[GX]],
// CHECK: %[[ROW0:.+]] = arith.muli %[[BX]], %c128
// CHECK: nvgpu.warpgroup.mma.store
// CHECK: %[[LEFT:.+]] = arith.subi %[[C200]], %[[ROW0]]
// CHECK: %[[ROWS:.+]] = arith.minui %[[LEFT]], %c128
// CHECK: %[[LIMIT:.+]] = arith.muli %[[ROWS]], %c16
// CHECK: scf.for %{{.+}} = %{{.+}} to %[[LIMIT]] step
// CHECK:   vector.store %{{.+}} : memref<200x128xbf16>, vector<8xbf16>
func.func @partial_m(%a: memref<200x64xbf16>, %b: memref<64x128xbf16>) -> memref<200x128xbf16> {
  %z = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<200x128xf32>
  linalg.fill ins(%z : f32) outs(%c : memref<200x128xf32>)
  linalg.matmul ins(%a, %b : memref<200x64xbf16>, memref<64x128xbf16>) outs(%c : memref<200x128xf32>)
  %y = memref.alloc() : memref<200x128xbf16>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<200x128xf32>) outs(%y : memref<200x128xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  }
  memref.dealloc %c : memref<200x128xf32>
  return %y : memref<200x128xbf16>
}

// -----

// A dynamic M (a sequence length) is read from C at run time: the grid
// has ceil(M / 128) row blocks and the tensor maps take M from the memref.
// CHECK-LABEL: func.func @dynamic_m
// CHECK-SAME: %[[A:[^:]+]]: memref<?x64xf16>, %{{[^:]+}}: memref<64x128xf16>, %[[C:[^:]+]]: memref<?x128xf32>
// CHECK: %[[M:.+]] = memref.dim %[[C]], %c0
// CHECK:   memref.cast %[[A]] : memref<?x64xf16> to memref<*xf16>
// CHECK:   %[[UP:.+]] = arith.addi %[[M]], %c127
// CHECK:   %[[GX:.+]] = arith.divui %[[UP]], %c128
// CHECK:   gpu.launch blocks({{.+}}) in ({{.+}} = %[[GX]],
// CHECK:     arith.subi %[[M]], %{{.+}}
// CHECK:     arith.minui
// CHECK:     arith.addf
// CHECK:     vector.store %{{.+}} : memref<?x128xf32>, vector<4xf32>
func.func @dynamic_m(%a: memref<?x64xf16>, %b: memref<64x128xf16>, %c: memref<?x128xf32>) {
  linalg.matmul ins(%a, %b : memref<?x64xf16>, memref<64x128xf16>) outs(%c : memref<?x128xf32>)
  return
}

// -----

// Llama's form of a zero accumulator: one buffer zero-filled once, copied
// (through a reshaped view) into each accumulator. Those copies are zero
// fills: the kernels store C without reading it and the copies go; a copy
// of a buffer written after its fill is a real initial value and stays.
// CHECK-LABEL: func.func @copied_zeros
// CHECK: linalg.fill
// CHECK-NOT: linalg.copy
// CHECK: gpu.launch
// CHECK-NOT: vector.load {{.*}} : memref<128x128xf32>
// CHECK: vector.store %{{.+}} : memref<128x128xf32>
// CHECK-NOT: linalg.copy
// CHECK: gpu.launch
// CHECK-NOT: vector.load {{.*}} : memref<128x128xf32>
// CHECK: vector.store %{{.+}} : memref<128x128xf32>
// CHECK: linalg.copy
// CHECK: gpu.launch
// CHECK: vector.load %{{.+}} : memref<128x128xf32>, vector<4xf32>
// CHECK: arith.addf
func.func @copied_zeros(%a: memref<128x64xbf16>, %b: memref<64x128xbf16>, %c1: memref<128x128xf32>,
                        %c2: memref<128x128xf32>, %c3: memref<128x128xf32>) {
  %z = arith.constant 0.0 : f32
  %zeros = memref.alloc() : memref<1x128x128xf32>
  linalg.fill ins(%z : f32) outs(%zeros : memref<1x128x128xf32>)
  %view = memref.collapse_shape %zeros [[0, 1], [2]] : memref<1x128x128xf32> into memref<128x128xf32>
  linalg.copy ins(%view : memref<128x128xf32>) outs(%c1 : memref<128x128xf32>)
  linalg.matmul ins(%a, %b : memref<128x64xbf16>, memref<64x128xbf16>) outs(%c1 : memref<128x128xf32>)
  linalg.copy ins(%view : memref<128x128xf32>) outs(%c2 : memref<128x128xf32>)
  linalg.matmul ins(%a, %b : memref<128x64xbf16>, memref<64x128xbf16>) outs(%c2 : memref<128x128xf32>)
  linalg.copy ins(%c1 : memref<128x128xf32>) outs(%view : memref<128x128xf32>)
  linalg.copy ins(%view : memref<128x128xf32>) outs(%c3 : memref<128x128xf32>)
  linalg.matmul ins(%a, %b : memref<128x64xbf16>, memref<64x128xbf16>) outs(%c3 : memref<128x128xf32>)
  memref.dealloc %zeros : memref<1x128x128xf32>
  return
}
