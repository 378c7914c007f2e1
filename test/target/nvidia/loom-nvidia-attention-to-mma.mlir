// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(loom-nvidia-attention-to-mma)' | FileCheck %s --check-prefix=CALL
// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(loom-nvidia-attention-to-mma,loom-nvidia-attention-kernels)' | FileCheck %s

// loom-nvidia-attention-to-mma alone: the op becomes buffers of its
// operands, the allocated result, a marked call of a private declaration
// standing for the kernel, and the result as a tensor (scale 1/sqrt(64)).
// CALL-LABEL: func.func @plain
// CALL-SAME: (%[[Q:.+]]: tensor<2x4x256x64xbf16>, %[[K:.+]]: tensor<2x4x512x64xbf16>, %[[V:.+]]: tensor<2x4x512x64xbf16>)
// CALL: %[[QM:.+]] = bufferization.to_buffer %[[Q]] read_only
// CALL: %[[KM:.+]] = bufferization.to_buffer %[[K]] read_only
// CALL: %[[VM:.+]] = bufferization.to_buffer %[[V]] read_only
// CALL: %[[OM:.+]] = memref.alloc() : memref<2x4x256x64xbf16>
// CALL: call @loom_nvidia_attention(%[[QM]], %[[KM]], %[[VM]], %[[OM]]) {loom.attention_mma = {causal = false, scale = 1.250000e-01 : f64}} : (memref<2x4x256x64xbf16>, memref<2x4x512x64xbf16>, memref<2x4x512x64xbf16>, memref<2x4x256x64xbf16>) -> ()
// CALL: %[[R:.+]] = bufferization.to_tensor %[[OM]] restrict writable
// CALL: return %[[R]]
// CALL: func.func private @loom_nvidia_attention(memref<2x4x256x64xbf16>, memref<2x4x512x64xbf16>, memref<2x4x512x64xbf16>, memref<2x4x256x64xbf16>)

// With loom-nvidia-attention-kernels, the kernel replaces the call.

// Non-causal bf16, D = 64: buffers of q, k, v, the result allocated, one
// block per (batch * head, 128 query rows) of 256 threads (Sq = 256 is a
// multiple of 128; each warp owns 16 rows), two rings of two 64 x 72 stages
// (K and V, rows padded by 8) in 36864 bytes of dynamic shared memory. The
// Q fragments (4 k16 steps x 4 registers) are loaded and the first block's
// cp.async copies issued (2 chunks of 16 bytes per thread for K and for V)
// before the key loop, which runs over all 512 keys: wait for the block's
// copies, one barrier, issue the next block's copies if there is one
// (keys + 64 < 512) and commit them, S = Q K^T
// (8 n8 tiles x 4 k16 steps = 32 mma, K fragments by ldmatrix.x4), the row
// max of the unscaled scores over the quad (xor 1, 2), exp2(s * scale - m)
// with one fma per score, and O += P V (4 k16 steps x 8 n8
// tiles = 32 mma, V fragments by ldmatrix.x4.trans). The row sums
// are added over the quad and O / l stored as bf16 pairs.
// CHECK-LABEL: func.func @plain
// CHECK-SAME: (%[[Q:.+]]: tensor<2x4x256x64xbf16>, %[[K:.+]]: tensor<2x4x512x64xbf16>, %[[V:.+]]: tensor<2x4x512x64xbf16>)
// CHECK-NOT: loom_attn.attention
// CHECK-DAG: %[[QM:.+]] = bufferization.to_buffer %[[Q]] read_only : tensor<2x4x256x64xbf16> to memref<2x4x256x64xbf16>
// CHECK-DAG: %[[KM:.+]] = bufferization.to_buffer %[[K]] read_only : tensor<2x4x512x64xbf16> to memref<2x4x512x64xbf16>
// CHECK-DAG: %[[VM:.+]] = bufferization.to_buffer %[[V]] read_only : tensor<2x4x512x64xbf16> to memref<2x4x512x64xbf16>
// CHECK-DAG: %[[OM:.+]] = memref.alloc() : memref<2x4x256x64xbf16>
// CHECK-DAG: %[[SMEM:.+]] = arith.constant 36864 : i32
// CHECK-DAG: %[[GX:.+]] = arith.constant 8 : index
// CHECK-DAG: %[[GY:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[TX:.+]] = arith.constant 256 : index
// CHECK: gpu.launch blocks({{.+}}) in ({{.+}} = %[[GX]], {{.+}} = %[[GY]], {{.+}}) threads({{.+}}) in ({{.+}} = %[[TX]], {{.+}}) dynamic_shared_memory_size %[[SMEM]]
// CHECK: gpu.dynamic_shared_memory
// CHECK: %[[KS:.+]] = memref.view {{.+}} to memref<128x72xbf16, #gpu.address_space<workgroup>>
// CHECK: %[[VS:.+]] = memref.view {{.+}} to memref<128x72xbf16, #gpu.address_space<workgroup>>
// CHECK-COUNT-16: vector.load %[[QM]]{{.+}} {alignment = 4 : i64} : memref<2x4x256x64xbf16>, vector<2xbf16>
// CHECK-COUNT-2: nvgpu.device_async_copy %[[KM]]{{.+}}, %[[KS]]{{.+}}, 8 {bypassL1} : memref<2x4x512x64xbf16> to memref<128x72xbf16, #gpu.address_space<workgroup>>
// CHECK-NEXT: nvgpu.device_async_copy %[[VM]]{{.+}}, %[[VS]]
// CHECK: nvvm.cp.async.commit.group
// CHECK: scf.for %[[KB0:[a-z0-9_]+]] = %{{.+}} to %[[END:c512[a-z0-9_]*]] step %{{.+}} iter_args(
// CHECK:   nvvm.cp.async.wait.group 0
// CHECK-NEXT: llvm.inline_asm has_side_effects "bar.sync 0;", "~{memory}"
// CHECK-NOT: llvm.inline_asm
// CHECK:   %[[NEXT:.+]] = arith.addi %[[KB0]], %{{.+}} : index
// CHECK:   %[[MORE:.+]] = arith.cmpi ult, %[[NEXT]], %[[END]] : index
// CHECK:   scf.if %[[MORE]] {
// CHECK:     nvgpu.device_async_copy %[[KM]]
// CHECK:     nvgpu.device_async_copy %[[VM]]
// CHECK:     nvgpu.device_async_copy %[[KM]]
// CHECK-NEXT: nvgpu.device_async_copy %[[VM]]{{.+}}workgroup>>
// CHECK-NEXT: }
// CHECK-NEXT: nvvm.cp.async.commit.group
// CHECK-NOT: llvm.inline_asm
// CHECK-NOT: arith.select
// CHECK:   nvgpu.ldmatrix %[[KS]]{{.+}} {numTiles = 4 : i32, transpose = false} : memref<128x72xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// CHECK-COUNT-32: nvvm.mma.sync {{.+}} {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>}
// CHECK-NOT: arith.select
// CHECK:   gpu.shuffle  xor
// CHECK:   gpu.shuffle  xor
// CHECK:   math.exp2
// CHECK:   %[[NEG:.+]] = arith.negf
// CHECK:   %[[X:.+]] = math.fma %{{.+}}, %{{.+}}, %[[NEG]] : f32
// CHECK:   math.exp2 %[[X]]
// CHECK:   arith.truncf {{.+}} : f32 to bf16
// CHECK:   nvgpu.ldmatrix %[[VS]]{{.+}} {numTiles = 4 : i32, transpose = true} : memref<128x72xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// CHECK-COUNT-32: nvvm.mma.sync
// CHECK:   scf.yield
// CHECK-NOT: nvvm.mma.sync
// CHECK: arith.divf
// CHECK: vector.store {{.+}}, %[[OM]]{{.+}} {alignment = 4 : i64} : memref<2x4x256x64xbf16>, vector<2xbf16>
// CHECK: gpu.terminator
// CHECK: %[[R:.+]] = bufferization.to_tensor %[[OM]] restrict writable : memref<2x4x256x64xbf16> to tensor<2x4x256x64xbf16>
// CHECK: return %[[R]]
// CHECK-NOT: func.func private @loom_nvidia_attention
func.func @plain(%q: tensor<2x4x256x64xbf16>, %k: tensor<2x4x512x64xbf16>,
                 %v: tensor<2x4x512x64xbf16>) -> tensor<2x4x256x64xbf16> {
  %o = loom_attn.attention %q, %k, %v
      : tensor<2x4x256x64xbf16>, tensor<2x4x512x64xbf16>,
        tensor<2x4x512x64xbf16> -> tensor<2x4x256x64xbf16>
  return %o : tensor<2x4x256x64xbf16>
}

// -----

// Causal f16, D = 128, grouped-query (8 query heads over 2 key/value
// heads): kv head = head / 4. Two rings of two 64 x 136 stages = 69632
// bytes. Sq = 128:
// one block of 128 rows (256 threads) per head. The key loop ends at the
// diagonal (q0 + Skv - Sq, here q0 + 0) with no masking; the two 64-key
// blocks on the diagonal follow in a second loop over offsets 0, 64 (block
// at diagonal + offset), masked with `key + offset <= row` selects to -inf;
// a warp whose last row precedes the offset (warps 0-3 at offset 64) skips
// the block's math.
// CALL-LABEL: func.func @causal_gqa
// CALL: call @loom_nvidia_attention({{.+}}) {loom.attention_mma = {causal = true, scale = 0.08838834{{[0-9]*}} : f64}}
// CHECK-LABEL: func.func @causal_gqa
// CHECK-DAG: %[[SMEM:.+]] = arith.constant 69632 : i32
// CHECK-DAG: %[[GX:.+]] = arith.constant 8 : index
// CHECK-DAG: %[[TX:.+]] = arith.constant 256 : index
// CHECK: gpu.launch blocks(%[[BX:.+]], %[[BY:.+]], %{{.+}}) in ({{.+}} = %[[GX]], {{.+}}) threads({{.+}}) in ({{.+}} = %[[TX]], {{.+}}) dynamic_shared_memory_size %[[SMEM]]
// CHECK: %[[HEAD:.+]] = arith.remui %[[BX]], %{{.+}} : index
// CHECK: %[[KVH:.+]] = arith.divui %[[HEAD]], %[[C4:.+]] : index
// CHECK: %[[QB:.+]] = arith.subi %{{.+}}, %[[BY]] : index
// CHECK: %[[Q0:.+]] = arith.muli %[[QB]], %{{.+}} : index
// CHECK: memref.view {{.+}} to memref<128x136xf16, #gpu.address_space<workgroup>>
// CHECK: scf.for %{{.+}} = %{{.+}} to %[[Q0]] step
// CHECK:   nvgpu.device_async_copy %{{.+}}[%{{.+}}, %[[KVH]], %{{.+}}, %{{.+}}], %{{.+}}, 8 {bypassL1} : memref<1x2x128x128xf16> to memref<128x136xf16, #gpu.address_space<workgroup>>
// CHECK-NOT: arith.select
// CHECK:   nvvm.mma.sync {{.+}} : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK-NOT: arith.select
// CHECK:   scf.yield
// CHECK: %[[C128:.+]] = arith.constant 128 : index
// CHECK: scf.for %[[OFF:.+]] = %{{.+}} to %[[C128]] step %{{.+}} iter_args(
// CHECK:   %[[KB0:.+]] = arith.addi %[[Q0]], %[[OFF]] : index
// CHECK:   nvvm.cp.async.wait.group 0
// CHECK:   arith.addi %[[KB0]], %{{.+}} : index
// CHECK:   nvvm.cp.async.commit.group
// CHECK:   %[[ANY:.+]] = arith.cmpi ule, %[[OFF]], %{{.+}} : index
// CHECK:   scf.if %[[ANY]] -> (f32,
// CHECK:     %[[TOFF:.+]] = arith.addi %{{.+}}, %[[OFF]] : index
// CHECK:   %[[KEY:.+]] = arith.addi %[[TOFF]], %{{.+}} : index
// CHECK:   arith.cmpi ule, %[[KEY]], %{{.+}} : index
// CHECK:   arith.select
// CHECK:   math.exp2
// CHECK:   nvvm.mma.sync
// CHECK:   } else {
// CHECK-NEXT: scf.yield
// CHECK:   scf.yield
// CHECK-NOT: arith.cmpi ule
// CHECK: arith.divf
func.func @causal_gqa(%q: tensor<1x8x128x128xf16>, %k: tensor<1x2x128x128xf16>,
                      %v: tensor<1x2x128x128xf16>) -> tensor<1x8x128x128xf16> {
  %o = loom_attn.attention %q, %k, %v causal
      : tensor<1x8x128x128xf16>, tensor<1x2x128x128xf16>,
        tensor<1x2x128x128xf16> -> tensor<1x8x128x128xf16>
  return %o : tensor<1x8x128x128xf16>
}

// -----

// Causal bf16 with Sq = 192, not a multiple of 128: blocks of 64 rows and
// 128 threads, three query blocks, one masked block after the loop (a
// loop of one step).
// CHECK-LABEL: func.func @causal_64
// CHECK-DAG: %[[GY:.+]] = arith.constant 3 : index
// CHECK-DAG: %[[TX:.+]] = arith.constant 128 : index
// CHECK: gpu.launch blocks({{.+}}) in ({{.+}}, {{.+}} = %[[GY]], {{.+}}) threads({{.+}}) in ({{.+}} = %[[TX]], {{.+}})
// CHECK: scf.yield
// CHECK: %[[C64:.+]] = arith.constant 64 : index
// CHECK: scf.for %{{.+}} = %{{.+}} to %[[C64]] step
// CHECK:   arith.cmpi ule
// CHECK:   nvvm.mma.sync
// CHECK:   scf.yield
// CHECK-NOT: arith.cmpi ule
// CHECK: arith.divf
func.func @causal_64(%q: tensor<1x2x192x64xbf16>, %k: tensor<1x2x256x64xbf16>,
                     %v: tensor<1x2x256x64xbf16>) -> tensor<1x2x192x64xbf16> {
  %o = loom_attn.attention %q, %k, %v causal
      : tensor<1x2x192x64xbf16>, tensor<1x2x256x64xbf16>,
        tensor<1x2x256x64xbf16> -> tensor<1x2x192x64xbf16>
  return %o : tensor<1x2x192x64xbf16>
}

// -----

// The softmax scale folds log2(e) in: 0.5 * 1.44269504 = 0.72134752.
// CHECK-LABEL: func.func @scaled
// CHECK: gpu.launch
// CHECK: arith.constant 0.72134751{{[0-9]*}} : f32
func.func @scaled(%q: tensor<1x1x64x64xbf16>, %k: tensor<1x1x64x64xbf16>,
                  %v: tensor<1x1x64x64xbf16>) -> tensor<1x1x64x64xbf16> {
  %o = loom_attn.attention %q, %k, %v scale(0.5)
      : tensor<1x1x64x64xbf16>, tensor<1x1x64x64xbf16>,
        tensor<1x1x64x64xbf16> -> tensor<1x1x64x64xbf16>
  return %o : tensor<1x1x64x64xbf16>
}

// -----

// An additive bf16 mask broadcast over batch and heads ([Sq, Skv], as the
// exporters' causal masks are): each lane reads its score pairs' mask
// values (adjacent keys, 4-byte loads), adds them in the exp2 domain with
// an fma, shifts rows that have seen no key yet by 0 instead of -inf, and
// gives zeros for rows whose keys were all masked (l = 0).
// CALL-LABEL: func.func @masked
// CALL: call @loom_nvidia_attention(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) {{.+}} : (memref<1x2x128x64xbf16>, memref<1x2x128x64xbf16>, memref<1x2x128x64xbf16>, memref<128x128xbf16>, memref<1x2x128x64xbf16>) -> ()
// CHECK-LABEL: func.func @masked
// CHECK-SAME: %[[M:[a-z0-9]+]]: tensor<128x128xbf16>
// CHECK: %[[MM:.+]] = bufferization.to_buffer %[[M]] read_only : tensor<128x128xbf16> to memref<128x128xbf16>
// CHECK: gpu.launch
// CHECK: scf.for
// CHECK:   vector.load %[[MM]][%{{.+}}, %{{.+}}] {alignment = 4 : i64} : memref<128x128xbf16>, vector<2xbf16>
// CHECK:   arith.extf {{.+}} : bf16 to f32
// CHECK:   math.fma
// CHECK:   arith.cmpf oeq
// CHECK:   arith.select
// CHECK:   math.exp2
// CHECK:   scf.yield
// CHECK: arith.cmpf oeq
// CHECK: arith.select
func.func @masked(%q: tensor<1x2x128x64xbf16>, %k: tensor<1x2x128x64xbf16>,
                  %v: tensor<1x2x128x64xbf16>, %m: tensor<128x128xbf16>)
    -> tensor<1x2x128x64xbf16> {
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<128x128xbf16>)
      : tensor<1x2x128x64xbf16>, tensor<1x2x128x64xbf16>,
        tensor<1x2x128x64xbf16> -> tensor<1x2x128x64xbf16>
  return %o : tensor<1x2x128x64xbf16>
}

// -----

// Left to loom-convert-attn-to-linalg: an i1 mask, a mask broadcast along
// the keys, a bias, f32 operands with a head dim of 12 (not a multiple of
// 8: f32-attention.mlir has the f32 kernel), a head dim of 80, a sequence that is not a
// multiple of 64, a window, fewer keys than queries with causal.
// CALL-LABEL: func.func @not_taken
// CALL-NOT: call
// CALL-COUNT-8: loom_attn.attention
// CALL-NOT: call
// CHECK-LABEL: func.func @not_taken
// CHECK-NOT: gpu.launch
// CHECK-COUNT-8: loom_attn.attention
// CHECK-NOT: gpu.launch
func.func @not_taken(%q: tensor<1x1x64x64xbf16>, %k: tensor<1x1x64x64xbf16>,
                     %v: tensor<1x1x64x64xbf16>, %m: tensor<64x64xi1>,
                     %qf: tensor<1x1x64x12xf32>, %q80: tensor<1x1x64x80xbf16>,
                     %q48: tensor<1x1x48x64xbf16>, %q128: tensor<1x1x128x64xbf16>,
                     %mk: tensor<64x1xbf16>, %bias: tensor<64x64xbf16>)
    -> (tensor<1x1x64x64xbf16>, tensor<1x1x64x12xf32>, tensor<1x1x64x80xbf16>,
        tensor<1x1x48x64xbf16>, tensor<1x1x64x64xbf16>, tensor<1x1x128x64xbf16>,
        tensor<1x1x64x64xbf16>, tensor<1x1x64x64xbf16>) {
  %0 = loom_attn.attention %q, %k, %v mask(%m : tensor<64x64xi1>)
      : tensor<1x1x64x64xbf16>, tensor<1x1x64x64xbf16>,
        tensor<1x1x64x64xbf16> -> tensor<1x1x64x64xbf16>
  %1 = loom_attn.attention %qf, %qf, %qf
      : tensor<1x1x64x12xf32>, tensor<1x1x64x12xf32>,
        tensor<1x1x64x12xf32> -> tensor<1x1x64x12xf32>
  %2 = loom_attn.attention %q80, %q80, %q80
      : tensor<1x1x64x80xbf16>, tensor<1x1x64x80xbf16>,
        tensor<1x1x64x80xbf16> -> tensor<1x1x64x80xbf16>
  %3 = loom_attn.attention %q48, %q48, %q48
      : tensor<1x1x48x64xbf16>, tensor<1x1x48x64xbf16>,
        tensor<1x1x48x64xbf16> -> tensor<1x1x48x64xbf16>
  %4 = loom_attn.attention %q, %k, %v causal window(16, 0)
      : tensor<1x1x64x64xbf16>, tensor<1x1x64x64xbf16>,
        tensor<1x1x64x64xbf16> -> tensor<1x1x64x64xbf16>
  %5 = loom_attn.attention %q128, %k, %v causal
      : tensor<1x1x128x64xbf16>, tensor<1x1x64x64xbf16>,
        tensor<1x1x64x64xbf16> -> tensor<1x1x128x64xbf16>
  %6 = loom_attn.attention %q, %k, %v mask(%mk : tensor<64x1xbf16>)
      : tensor<1x1x64x64xbf16>, tensor<1x1x64x64xbf16>,
        tensor<1x1x64x64xbf16> -> tensor<1x1x64x64xbf16>
  %7 = loom_attn.attention %q, %k, %v bias(%bias : tensor<64x64xbf16>)
      : tensor<1x1x64x64xbf16>, tensor<1x1x64x64xbf16>,
        tensor<1x1x64x64xbf16> -> tensor<1x1x64x64xbf16>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<1x1x64x64xbf16>, tensor<1x1x64x12xf32>,
      tensor<1x1x64x80xbf16>, tensor<1x1x48x64xbf16>, tensor<1x1x64x64xbf16>,
      tensor<1x1x128x64xbf16>, tensor<1x1x64x64xbf16>, tensor<1x1x64x64xbf16>
}
