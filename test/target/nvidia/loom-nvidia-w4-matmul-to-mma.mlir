// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-nvidia-w4-matmul-to-mma))' | FileCheck %s
// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-nvidia-w4-matmul-to-mma{f32=simt}))' | FileCheck %s --check-prefix=SIMT
// RUN: not loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-nvidia-w4-matmul-to-mma{f32=fast}))' 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: loom-nvidia-w4-matmul-to-mma: f32 must be '3xtf32' or 'simt', not 'fast'

// f16, dynamic M, groups of 32 with a zero-point tensor (MatMulNBits'
// form): the operands' buffers, the result allocated with M rows, a launch
// of max(ceil(M / 64), 1) x (N / 64) blocks of 128 threads with two stages
// of (64 + 64) x 72 f16; per K step of 64, 16-byte loads of A and of 32
// nibbles, one scale and zero point per thread (groups of 32), the nibbles
// made f16 (| 0x6400 = 1024 + q), minus 1024 + zp, times the scale, stored
// to the [n][k] tile; 4 k16 x (4 ldmatrix.x4, 2 x 4 mma.sync); stores
// guarded by M.
// CHECK-LABEL: func.func @w4_f16
// CHECK-SAME: (%[[A:.+]]: tensor<?x256xf16>, %[[W:.+]]: tensor<128x128xi8>, %[[S:.+]]: tensor<128x8xf16>, %[[Z:.+]]: tensor<128x8xi4>)
// CHECK-NOT: loom_quant.matmul
// CHECK-DAG: %[[AB:.+]] = bufferization.to_buffer %[[A]] read_only : tensor<?x256xf16> to memref<?x256xf16>
// CHECK-DAG: %[[WB:.+]] = bufferization.to_buffer %[[W]] read_only : tensor<128x128xi8> to memref<128x128xi8>
// CHECK-DAG: %[[SB:.+]] = bufferization.to_buffer %[[S]] read_only : tensor<128x8xf16> to memref<128x8xf16>
// CHECK-DAG: %[[ZB:.+]] = bufferization.to_buffer %[[Z]] read_only : tensor<128x8xi4> to memref<128x8xi4>
// CHECK: %[[M:.+]] = memref.dim %[[AB]], %{{.+}} : memref<?x256xf16>
// CHECK: %[[Y:.+]] = memref.alloc(%[[M]]) : memref<?x128xf16>
// CHECK: %[[ROWS:.+]] = arith.maxui %{{.+}}, %{{.+}} : index
// CHECK-DAG: %[[SMEM:.+]] = arith.constant 36864 : i32
// CHECK-DAG: %[[COLS:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[THREADS:.+]] = arith.constant 128 : index
// CHECK: gpu.launch blocks({{.+}}) in (%{{.+}} = %[[ROWS]], %{{.+}} = %[[COLS]], %{{.+}} = %{{.+}}) threads({{.+}}) in (%{{.+}} = %[[THREADS]], {{.+}}) dynamic_shared_memory_size %[[SMEM]]
// CHECK: gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// CHECK: vector.load %[[AB]][{{.+}}] {alignment = 16 : i64} : memref<?x256xf16>, vector<8xf16>
// CHECK: vector.load %[[WB]][{{.+}}] {alignment = 16 : i64} : memref<128x128xi8>, vector<16xi8>
// CHECK: memref.load %[[SB]]
// CHECK: memref.load %[[ZB]]
// CHECK-NOT: memref.load %[[SB]]
// CHECK: vector.store {{.+}} {alignment = 16 : i64} : memref<64x72xf16, #gpu.address_space<workgroup>>, vector<8xf16>
// CHECK: %[[ZP:.+]] = arith.extui %{{.+}} : i4 to i32
// CHECK: %[[F16M:.+]] = arith.constant 25600 : i32
// CHECK: arith.ori %[[ZP]], %[[F16M]] : i32
// CHECK: arith.constant 15 : i32
// CHECK: arith.constant 983040 : i32
// CHECK: arith.constant 1677747200 : i32
// CHECK: %[[BITS:.+]] = vector.from_elements {{.+}} : vector<4xi32>
// CHECK: %[[H:.+]] = vector.bitcast %[[BITS]] : vector<4xi32> to vector<8xf16>
// CHECK: %[[D:.+]] = arith.subf %[[H]], %{{.+}} : vector<8xf16>
// CHECK: %[[V:.+]] = arith.mulf %[[D]], %{{.+}} : vector<8xf16>
// CHECK: vector.store %[[V]], %{{.+}} {alignment = 16 : i64} : memref<64x72xf16, #gpu.address_space<workgroup>>, vector<8xf16>
// CHECK: gpu.barrier
// CHECK: scf.for {{.+}} -> (f32, f32,
// CHECK: vector.load %[[WB]]
// CHECK: nvgpu.ldmatrix %{{.+}} {numTiles = 4 : i32, transpose = false} : memref<64x72xf16, #gpu.address_space<workgroup>> -> vector<4x2xf16>
// CHECK-COUNT-32: nvvm.mma.sync {{.+}} shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (vector<2xf16>, vector<2xf16>, f32)
// CHECK: gpu.barrier
// CHECK: scf.yield
// CHECK: %[[R:.+]] = arith.truncf %{{.+}} : vector<2xf32> to vector<2xf16>
// CHECK: %[[IN:.+]] = arith.cmpi ult, %{{.+}}, %[[M]] : index
// CHECK: scf.if %[[IN]]
// CHECK: vector.store %[[R]], %[[Y]][{{.+}}] {alignment = 4 : i64} : memref<?x128xf16>, vector<2xf16>
// CHECK: %[[T:.+]] = bufferization.to_tensor %[[Y]] restrict writable : memref<?x128xf16> to tensor<?x128xf16>
// CHECK: return %[[T]]
func.func @w4_f16(%a: tensor<?x256xf16>, %w: tensor<128x128xi8>, %s: tensor<128x8xf16>, %z: tensor<128x8xi4>) -> tensor<?x128xf16> {
  %y = loom_quant.matmul %a, %w scale %s zero_point %z {transpose_weight,
         weight_scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 32), zero_point, packed>}
         : (tensor<?x256xf16>, tensor<128x128xi8>, tensor<128x8xf16>, tensor<128x8xi4>) -> tensor<?x128xf16>
  return %y : tensor<?x128xf16>
}

// -----

// bf16, a 3-d input, groups of 16, the importer's default zero point (a
// splat 8): A collapsed to [2 * S, K], the zero point a constant (no
// buffer), one scale per word of 8 nibbles (4 per thread), bf16's magic
// 0x4300 (128 + q), the result expanded back.
// CHECK-LABEL: func.func @w4_bf16
// CHECK-SAME: (%[[A:.+]]: tensor<2x?x128xbf16>, %[[W:.+]]: tensor<64x64xi8>, %[[S:.+]]: tensor<64x8xbf16>)
// CHECK: %[[C:.+]] = tensor.collapse_shape %[[A]] {{\[\[}}0, 1], [2]] : tensor<2x?x128xbf16> into tensor<?x128xbf16>
// CHECK: bufferization.to_buffer %[[C]] read_only : tensor<?x128xbf16> to memref<?x128xbf16>
// CHECK: %[[SB:.+]] = bufferization.to_buffer %[[S]] read_only
// CHECK-NOT: to_buffer
// CHECK: gpu.launch
// CHECK-COUNT-4: memref.load %[[SB]]
// CHECK-NOT: memref.load
// CHECK: arith.constant 8 : i32
// CHECK: arith.constant 17152 : i32
// CHECK: arith.constant 1124090624 : i32
// CHECK: vector.bitcast %{{.+}} : vector<4xi32> to vector<8xbf16>
// CHECK: nvvm.mma.sync {{.+}} multiplicandAPtxType = #nvvm.mma_type<bf16>
// CHECK: %[[T:.+]] = bufferization.to_tensor %{{.+}} restrict writable : memref<?x64xbf16> to tensor<?x64xbf16>
// CHECK: %[[D:.+]] = tensor.dim %[[A]]
// CHECK: %[[E:.+]] = tensor.expand_shape %[[T]] {{\[\[}}0, 1], [2]] output_shape [2, %[[D]], 64] : tensor<?x64xbf16> into tensor<2x?x64xbf16>
// CHECK: return %[[E]]
func.func @w4_bf16(%a: tensor<2x?x128xbf16>, %w: tensor<64x64xi8>, %s: tensor<64x8xbf16>) -> tensor<2x?x64xbf16> {
  %z = arith.constant dense<8> : tensor<64x8xi4>
  %y = loom_quant.matmul %a, %w scale %s zero_point %z {transpose_weight,
         weight_scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 16), zero_point, packed>}
         : (tensor<2x?x128xbf16>, tensor<64x64xi8>, tensor<64x8xbf16>, tensor<64x8xi4>) -> tensor<2x?x64xbf16>
  return %y : tensor<2x?x64xbf16>
}

// -----

// f32 activations (the int4 Llama's q projection... shape: [1, S, 64] x
// [32, 64] with groups of 32 and a zero-point tensor): f32 tiles of 64 x 68
// (two stages of 2 x 17 KiB), 8 16-byte loads of A per thread, the weight
// rows clamped to N - 1 = 31 (N = 32: one column tile, half of it past N),
// the nibbles of each word shifted by 0, 4, .., 28 and masked, made f32,
// minus the zero point (f32), times the scale, stored as 8 f32 to the
// [n][k] tile; per k8 (8 per step) 32-bit shared loads of the fragments,
// each split into tf32 hi + lo, and 3 mma.sync m16n8k8 tf32 for each of the
// 2 x 4 tiles (192 per step); f32 pairs stored unrounded where row < M and
// column < N.
// With f32=simt it stays for loom-convert-quant-to-linalg.
// CHECK-LABEL: func.func @w4_f32
// CHECK-SAME: (%[[A:.+]]: tensor<1x?x64xf32>, %[[W:.+]]: tensor<32x32xi8>, %[[S:.+]]: tensor<32x2xf32>, %[[Z:.+]]: tensor<32x2xi4>)
// CHECK: %[[C:.+]] = tensor.collapse_shape %[[A]] {{\[\[}}0, 1], [2]] : tensor<1x?x64xf32> into tensor<?x64xf32>
// CHECK: %[[AB:.+]] = bufferization.to_buffer %[[C]] read_only : tensor<?x64xf32> to memref<?x64xf32>
// CHECK: %[[WB:.+]] = bufferization.to_buffer %[[W]] read_only
// CHECK: %[[SB:.+]] = bufferization.to_buffer %[[S]] read_only
// CHECK: %[[ZB:.+]] = bufferization.to_buffer %[[Z]] read_only
// CHECK: %[[M:.+]] = memref.dim %[[AB]]
// CHECK: %[[Y:.+]] = memref.alloc(%[[M]]) : memref<?x32xf32>
// CHECK: %[[SMEM:.+]] = arith.constant 69632 : i32
// CHECK: gpu.launch blocks({{.+}}) threads({{.+}}) dynamic_shared_memory_size %[[SMEM]]
// CHECK: %[[NLAST:.+]] = arith.constant 31 : index
// CHECK: %[[WROW:.+]] = arith.minui %{{.+}}, %[[NLAST]] : index
// CHECK-COUNT-8: vector.load %[[AB]][{{.+}}] {alignment = 16 : i64} : memref<?x64xf32>, vector<4xf32>
// CHECK: vector.load %[[WB]][%[[WROW]], %{{.+}}] {alignment = 16 : i64} : memref<32x32xi8>, vector<16xi8>
// CHECK: %[[SC:.+]] = memref.load %[[SB]][%[[WROW]], %{{.+}}] : memref<32x2xf32>
// CHECK: memref.load %[[ZB]][%[[WROW]], %{{.+}}] : memref<32x2xi4>
// CHECK-COUNT-8: vector.store %{{.+}} {alignment = 16 : i64} : memref<64x68xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK: %[[ZP:.+]] = arith.extui %{{.+}} : i4 to i32
// CHECK: %[[WORD:.+]] = vector.broadcast %{{.+}} : i32 to vector<8xi32>
// CHECK: %[[SH:.+]] = arith.shrui %[[WORD]], %{{.+}} : vector<8xi32>
// CHECK: %[[Q:.+]] = arith.andi %[[SH]], %{{.+}} : vector<8xi32>
// CHECK: %[[QF:.+]] = arith.uitofp %[[Q]] : vector<8xi32> to vector<8xf32>
// CHECK: %[[ZF:.+]] = arith.uitofp %[[ZP]] : i32 to f32
// CHECK: %[[ZV:.+]] = vector.broadcast %[[ZF]] : f32 to vector<8xf32>
// CHECK: %[[D:.+]] = arith.subf %[[QF]], %[[ZV]] : vector<8xf32>
// CHECK: %[[SV:.+]] = vector.broadcast %[[SC]] : f32 to vector<8xf32>
// CHECK: %[[V:.+]] = arith.mulf %[[D]], %[[SV]] : vector<8xf32>
// CHECK: vector.store %[[V]], %{{.+}} {alignment = 16 : i64} : memref<64x68xf32, #gpu.address_space<workgroup>>, vector<8xf32>
// CHECK: gpu.barrier
// CHECK: scf.for {{.+}} -> (f32, f32,
// CHECK-NOT: nvgpu.ldmatrix
// CHECK: %[[X:.+]] = memref.load %{{.+}} : memref<64x68xf32, #gpu.address_space<workgroup>>
// CHECK: %[[HI:.+]] = nvvm.convert.float.to.tf32 %[[X]] {rnd = #nvvm.fp_rnd_mode<rna>}
// CHECK: %[[HIC:.+]] = arith.andi %[[HI]], %{{.+}} : i32
// CHECK: %[[HIF:.+]] = arith.bitcast %[[HIC]] : i32 to f32
// CHECK: %[[E:.+]] = arith.subf %[[X]], %[[HIF]] : f32
// CHECK: nvvm.convert.float.to.tf32 %[[E]] {rnd = #nvvm.fp_rnd_mode<rna>}
// CHECK-COUNT-192: nvvm.mma.sync {{.+}} multiplicandAPtxType = #nvvm.mma_type<tf32>, multiplicandBPtxType = #nvvm.mma_type<tf32>, shape = #nvvm.shape<m = 16, n = 8, k = 8>}
// CHECK-NOT: nvvm.mma.sync
// CHECK: gpu.barrier
// CHECK: scf.yield
// CHECK-NOT: arith.truncf
// CHECK: %[[P:.+]] = vector.from_elements %{{.+}}, %{{.+}} : vector<2xf32>
// CHECK: %[[INM:.+]] = arith.cmpi ult, %[[R:.+]], %[[M]] : index
// CHECK: %[[INN:.+]] = arith.cmpi ult, %[[COL:.+]], %{{.+}} : index
// CHECK: %[[IN:.+]] = arith.andi %[[INM]], %[[INN]] : i1
// CHECK: scf.if %[[IN]]
// CHECK: vector.store %[[P]], %[[Y]][%[[R]], %[[COL]]] {alignment = 8 : i64} : memref<?x32xf32>, vector<2xf32>
// CHECK: %[[T:.+]] = bufferization.to_tensor %[[Y]] restrict writable : memref<?x32xf32> to tensor<?x32xf32>
// CHECK: tensor.expand_shape %[[T]]
// SIMT-LABEL: func.func @w4_f32
// SIMT-NOT: gpu.launch
// SIMT: loom_quant.matmul
// SIMT-NOT: gpu.launch
func.func @w4_f32(%a: tensor<1x?x64xf32>, %w: tensor<32x32xi8>, %s: tensor<32x2xf32>, %z: tensor<32x2xi4>) -> tensor<1x?x32xf32> {
  %y = loom_quant.matmul %a, %w scale %s zero_point %z {transpose_weight,
         weight_scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 32), zero_point, packed>}
         : (tensor<1x?x64xf32>, tensor<32x32xi8>, tensor<32x2xf32>, tensor<32x2xi4>) -> tensor<1x?x32xf32>
  return %y : tensor<1x?x32xf32>
}

// -----

// Left to loom-convert-quant-to-linalg: N not a multiple of 8, K not a
// multiple of 64, f32 activations with f16 scales, W8A8 (an input scale).
// CHECK-LABEL: func.func @not_taken
// CHECK-NOT: gpu.launch
// CHECK-COUNT-4: loom_quant.matmul
// CHECK-NOT: gpu.launch
func.func @not_taken(%a: tensor<4x256xf16>, %w40: tensor<36x128xi8>, %s40: tensor<36x8xf16>,
                     %a32: tensor<4x32xf16>, %w32: tensor<64x16xi8>, %s32: tensor<64x1xf16>,
                     %af: tensor<4x256xf32>, %w: tensor<64x128xi8>, %sf: tensor<64x8xf16>,
                     %q: tensor<4x64xi8>, %w8: tensor<64x32xi8>, %s8: tensor<32xf32>, %as: tensor<f32>)
    -> (tensor<4x36xf16>, tensor<4x64xf16>, tensor<4x64xf32>, tensor<4x32xf32>) {
  %y1 = loom_quant.matmul %a, %w40 scale %s40 {transpose_weight,
          weight_scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 32), packed>}
          : (tensor<4x256xf16>, tensor<36x128xi8>, tensor<36x8xf16>) -> tensor<4x36xf16>
  %y2 = loom_quant.matmul %a32, %w32 scale %s32 {transpose_weight,
          weight_scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 32), packed>}
          : (tensor<4x32xf16>, tensor<64x16xi8>, tensor<64x1xf16>) -> tensor<4x64xf16>
  %y3 = loom_quant.matmul %af, %w scale %sf {transpose_weight,
          weight_scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 32), packed>}
          : (tensor<4x256xf32>, tensor<64x128xi8>, tensor<64x8xf16>) -> tensor<4x64xf32>
  %y4 = loom_quant.matmul %q, %w8 scale %s8 input_scale %as {
          input_scheme = #loom_quant.scheme<i8>,
          weight_scheme = #loom_quant.scheme<i8, per_channel(axis = 1)>}
          : (tensor<4x64xi8>, tensor<64x32xi8>, tensor<32xf32>, tensor<f32>) -> tensor<4x32xf32>
  return %y1, %y2, %y3, %y4 : tensor<4x36xf16>, tensor<4x64xf16>, tensor<4x64xf32>, tensor<4x32xf32>
}
