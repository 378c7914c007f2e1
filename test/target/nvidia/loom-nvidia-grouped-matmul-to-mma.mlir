// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-nvidia-grouped-matmul-to-mma))' | FileCheck %s
// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-nvidia-grouped-matmul-to-mma{f32=simt}))' | FileCheck %s --check-prefix=SIMT

// bf16, dynamic M: the operands' buffers, the result allocated with M rows,
// a launch of (ceil(M / 64) + E) x (N / 64) blocks of 128 threads with two
// shared-memory stages of (64 x 40 + 32 x 72) bf16, the block's expert from
// a scan of the offsets, 16-byte loads, 2 k16 x (2 x 4) mma.sync per K step
// of 32, stores of bf16 pairs guarded by the expert's end.
// CHECK-LABEL: func.func @gm_bf16
// CHECK-SAME: (%[[X:.+]]: tensor<?x64xbf16>, %[[W:.+]]: tensor<4x64x128xbf16>, %[[OFF:.+]]: tensor<5xi32>)
// CHECK-DAG: %[[XB:.+]] = bufferization.to_buffer %[[X]] read_only : tensor<?x64xbf16> to memref<?x64xbf16>
// CHECK-DAG: %[[WB:.+]] = bufferization.to_buffer %[[W]] read_only : tensor<4x64x128xbf16> to memref<4x64x128xbf16>
// CHECK-DAG: %[[OB:.+]] = bufferization.to_buffer %[[OFF]] read_only : tensor<5xi32> to memref<5xi32>
// CHECK: %[[M:.+]] = memref.dim %[[XB]], %{{.+}} : memref<?x64xbf16>
// CHECK: %[[Y:.+]] = memref.alloc(%[[M]]) : memref<?x128xbf16>
// CHECK: %[[T:.+]] = arith.divui %{{.+}}, %{{.+}} : index
// CHECK: %[[ROWS:.+]] = arith.addi %[[T]], %{{.+}} : index
// CHECK: gpu.launch blocks(%[[BX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[ROWS]], %{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) threads({{.+}}) in ({{.+}}) dynamic_shared_memory_size %{{.+}}
// CHECK: %[[SCAN:.+]]:4 = scf.for
// CHECK: memref.load %[[OB]]
// CHECK: arith.select
// CHECK: scf.yield
// CHECK: %[[WORK:.+]] = arith.cmpi ult, %[[SCAN]]#2, %[[SCAN]]#3 : index
// CHECK: scf.if %[[WORK]]
// CHECK: gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// CHECK: vector.load %[[XB]][{{.+}}] {alignment = 16 : i64} : memref<?x64xbf16>, vector<8xbf16>
// CHECK: vector.load %[[WB]][%[[SCAN]]#1, {{.+}}] {alignment = 16 : i64} : memref<4x64x128xbf16>, vector<8xbf16>
// CHECK: vector.store {{.+}} {alignment = 16 : i64} : memref<64x40xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
// CHECK: vector.store {{.+}} {alignment = 16 : i64} : memref<32x72xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
// CHECK: gpu.barrier
// CHECK: scf.for {{.+}} -> (f32, f32,
// CHECK-COUNT-16: nvvm.mma.sync {{.+}}multiplicandAPtxType = #nvvm.mma_type<bf16>{{.+}}shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32)
// CHECK: gpu.barrier
// CHECK: scf.yield
// CHECK: arith.truncf %{{.+}} : vector<2xf32> to vector<2xbf16>
// CHECK: arith.cmpi ult, %{{.+}}, %[[SCAN]]#3
// CHECK: vector.store %{{.+}}, %[[Y]][{{.+}}] {alignment = 4 : i64} : memref<?x128xbf16>, vector<2xbf16>
// CHECK: gpu.terminator
// CHECK: %[[R:.+]] = bufferization.to_tensor %[[Y]] restrict writable : memref<?x128xbf16> to tensor<?x128xbf16>
// CHECK: return %[[R]]
// CHECK-NOT: loom_moe.grouped_matmul
func.func @gm_bf16(%x: tensor<?x64xbf16>, %w: tensor<4x64x128xbf16>, %off: tensor<5xi32>) -> tensor<?x128xbf16> {
  %y = loom_moe.grouped_matmul %x, %w, %off
      : tensor<?x64xbf16>, tensor<4x64x128xbf16>, tensor<5xi32> -> tensor<?x128xbf16>
  return %y : tensor<?x128xbf16>
}

// -----

// f16, static M: the same kernel with f16 fragments; the result's
// allocation is static.
// CHECK-LABEL: func.func @gm_f16
// CHECK: memref.alloc() : memref<96x64xf16>
// CHECK: gpu.launch
// CHECK-COUNT-16: nvvm.mma.sync {{.+}}shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (vector<2xf16>, vector<2xf16>, f32)
// CHECK: arith.truncf %{{.+}} : vector<2xf32> to vector<2xf16>
// CHECK: bufferization.to_tensor %{{.+}} restrict writable : memref<96x64xf16> to tensor<96x64xf16>
// CHECK-NOT: loom_moe.grouped_matmul
func.func @gm_f16(%x: tensor<96x32xf16>, %w: tensor<2x32x64xf16>, %off: tensor<3xi32>) -> tensor<96x64xf16> {
  %y = loom_moe.grouped_matmul %x, %w, %off
      : tensor<96x32xf16>, tensor<2x32x64xf16>, tensor<3xi32> -> tensor<96x64xf16>
  return %y : tensor<96x64xf16>
}

// -----

// f32: the same kernel with f32 tiles (x's rows of 32 + 4, w's of 64 + 8:
// 2 x 18 KiB of dynamic shared memory, 16-byte loads of 4 f32) and, per
// k8, every fragment value split into tf32 hi + lo (cvt.rna, the low 13
// bits cleared, the error converted again) and three m16n8k8 tf32 mma per
// tile, the small products first: hi * lo, lo * hi, hi * hi. f32 results
// stored as pairs, not rounded. With f32=simt it stays for
// loom-convert-moe-to-linalg.
// CHECK-LABEL: func.func @gm_f32
// CHECK: %[[SMEM:.+]] = arith.constant 36864 : i32
// CHECK: gpu.launch {{.+}} dynamic_shared_memory_size %[[SMEM]]
// CHECK: vector.load %{{.+}} : memref<?x64xf32>, vector<4xf32>
// CHECK: vector.load %{{.+}} : memref<4x64x128xf32>, vector<4xf32>
// CHECK: scf.for
// CHECK: %[[A:.+]] = memref.load %{{.+}} : memref<64x36xf32, #gpu.address_space<workgroup>>
// CHECK: %[[AT:.+]] = nvvm.convert.float.to.tf32 %[[A]] {rnd = #nvvm.fp_rnd_mode<rna>}
// CHECK: %[[AHI:.+]] = arith.andi %[[AT]], %{{.+}} : i32
// CHECK: %[[AF:.+]] = arith.bitcast %[[AHI]] : i32 to f32
// CHECK: %[[AE:.+]] = arith.subf %[[A]], %[[AF]] : f32
// CHECK: %[[ALO:.+]] = nvvm.convert.float.to.tf32 %[[AE]] {rnd = #nvvm.fp_rnd_mode<rna>}
// CHECK: memref.load %{{.+}} : memref<32x72xf32, #gpu.address_space<workgroup>>
// CHECK: %[[D1:.+]] = nvvm.mma.sync A[%[[AHI]], {{.+}}] B[{{.+}}] C[{{.+}}] {{{.+}}multiplicandAPtxType = #nvvm.mma_type<tf32>, multiplicandBPtxType = #nvvm.mma_type<tf32>, shape = #nvvm.shape<m = 16, n = 8, k = 8>}
// CHECK: nvvm.mma.sync A[%[[ALO]], {{.+}}] B[{{.+}}] C[{{.+}}]
// CHECK: nvvm.mma.sync A[%[[AHI]], {{.+}}] B[{{.+}}] C[{{.+}}]
// CHECK-NOT: arith.truncf
// CHECK: vector.store %{{.+}} : memref<?x128xf32>, vector<2xf32>
// CHECK-NOT: loom_moe.grouped_matmul
// SIMT-LABEL: func.func @gm_f32
// SIMT-NOT: gpu.launch
// SIMT: loom_moe.grouped_matmul
func.func @gm_f32(%x: tensor<?x64xf32>, %w: tensor<4x64x128xf32>, %off: tensor<5xi32>) -> tensor<?x128xf32> {
  %y = loom_moe.grouped_matmul %x, %w, %off
      : tensor<?x64xf32>, tensor<4x64x128xf32>, tensor<5xi32> -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

// K = 48 is not a multiple of the K step (32): left alone.
// CHECK-LABEL: func.func @gm_k48
// CHECK-NOT: gpu.launch
// CHECK: loom_moe.grouped_matmul
func.func @gm_k48(%x: tensor<?x48xbf16>, %w: tensor<4x48x128xbf16>, %off: tensor<5xi32>) -> tensor<?x128xbf16> {
  %y = loom_moe.grouped_matmul %x, %w, %off
      : tensor<?x48xbf16>, tensor<4x48x128xbf16>, tensor<5xi32> -> tensor<?x128xbf16>
  return %y : tensor<?x128xbf16>
}

// -----

// N = 96 is not a multiple of the column tile (64): left alone.
// CHECK-LABEL: func.func @gm_n96
// CHECK-NOT: gpu.launch
// CHECK: loom_moe.grouped_matmul
func.func @gm_n96(%x: tensor<?x64xbf16>, %w: tensor<4x64x96xbf16>, %off: tensor<5xi32>) -> tensor<?x96xbf16> {
  %y = loom_moe.grouped_matmul %x, %w, %off
      : tensor<?x64xbf16>, tensor<4x64x96xbf16>, tensor<5xi32> -> tensor<?x96xbf16>
  return %y : tensor<?x96xbf16>
}

// -----

// Weights stacked from transposed N x K matrices (loom-raise-moe's form for
// non-constant linear weights): the kernel reads the untransposed stack
// [E, N, K], whose tiles are kept [n][k] in shared memory like x's, and the
// B pairs are 32-bit loads.
// CHECK-LABEL: func.func @gm_nk
// CHECK-SAME: (%[[X:.+]]: tensor<?x64xbf16>, %[[W0:.+]]: tensor<128x64xbf16>, %[[W1:.+]]: tensor<128x64xbf16>, %[[OFF:.+]]: tensor<3xi32>)
// CHECK-DAG: %[[E0:.+]] = tensor.expand_shape %[[W0]] {{\[\[}}0, 1], [2]] output_shape [1, 128, 64]
// CHECK-DAG: %[[E1:.+]] = tensor.expand_shape %[[W1]] {{\[\[}}0, 1], [2]] output_shape [1, 128, 64]
// CHECK: %[[NK:.+]] = tensor.concat dim(0) %[[E0]], %[[E1]] : (tensor<1x128x64xbf16>, tensor<1x128x64xbf16>) -> tensor<2x128x64xbf16>
// CHECK: %[[WB:.+]] = bufferization.to_buffer %[[NK]] read_only : tensor<2x128x64xbf16> to memref<2x128x64xbf16>
// CHECK: gpu.launch
// CHECK: vector.load %[[WB]][{{.+}}] {alignment = 16 : i64} : memref<2x128x64xbf16>, vector<8xbf16>
// CHECK: vector.store {{.+}} : memref<64x40xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
// CHECK: vector.store {{.+}} : memref<64x40xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
// CHECK: scf.for
// CHECK: vector.load {{.+}} {alignment = 4 : i64} : memref<64x40xbf16, #gpu.address_space<workgroup>>, vector<2xbf16>
// CHECK-NOT: memref.load {{.+}} : memref<{{.+}}, #gpu.address_space<workgroup>>
// CHECK: nvvm.mma.sync
func.func @gm_nk(%x: tensor<?x64xbf16>, %w0: tensor<128x64xbf16>, %w1: tensor<128x64xbf16>, %off: tensor<3xi32>) -> tensor<?x128xbf16> {
  %e0 = tensor.empty() : tensor<64x128xbf16>
  %t0 = linalg.transpose ins(%w0 : tensor<128x64xbf16>) outs(%e0 : tensor<64x128xbf16>) permutation = [1, 0]
  %x0 = tensor.expand_shape %t0 [[0, 1], [2]] output_shape [1, 64, 128] : tensor<64x128xbf16> into tensor<1x64x128xbf16>
  %e1 = tensor.empty() : tensor<64x128xbf16>
  %t1 = linalg.transpose ins(%w1 : tensor<128x64xbf16>) outs(%e1 : tensor<64x128xbf16>) permutation = [1, 0]
  %x1 = tensor.expand_shape %t1 [[0, 1], [2]] output_shape [1, 64, 128] : tensor<64x128xbf16> into tensor<1x64x128xbf16>
  %w = tensor.concat dim(0) %x0, %x1 : (tensor<1x64x128xbf16>, tensor<1x64x128xbf16>) -> tensor<2x64x128xbf16>
  %y = loom_moe.grouped_matmul %x, %w, %off
      : tensor<?x64xbf16>, tensor<2x64x128xbf16>, tensor<3xi32> -> tensor<?x128xbf16>
  return %y : tensor<?x128xbf16>
}
