// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-amd-attention-to-mfma))' | FileCheck %s
// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-amd-attention-to-mfma{chip=gfx908}))' | FileCheck %s --check-prefix=GFX908

// f16, dynamic Sq = Skv, D = 32: (4 heads, ceil(Sq / 64)) workgroups of 256
// threads, two LDS buffers of 16 x (32 + 8) halves for K and two for V.
// Q is loaded once (two 16x16x16 MFMAs over D); the key loop carries the
// two O^T tiles, the row max and the lane's row sum; each step loads the
// next block, computes S^T (two MFMAs), reduces the max over lanes xor 16
// and xor 32, exponentiates with rocdl.exp2, accumulates O^T (one MFMA per
// 16 columns of D), stores the next block to the other buffer and meets
// the workgroup at a barrier. Rows inside Sq store O / l.
// CHECK-LABEL: func.func @f16_dynamic
// CHECK-NOT: loom_attn.attention
// CHECK-DAG: %[[Q:.+]] = bufferization.to_buffer %arg0 read_only : tensor<1x4x?x32xf16> to memref<1x4x?x32xf16>
// CHECK-DAG: %[[K:.+]] = bufferization.to_buffer %arg1 read_only
// CHECK-DAG: %[[V:.+]] = bufferization.to_buffer %arg2 read_only
// CHECK: %[[SQ:.+]] = memref.dim %[[Q]], %{{.+}} : memref<1x4x?x32xf16>
// CHECK: %[[SKV:.+]] = memref.dim %[[K]], %{{.+}} : memref<1x4x?x32xf16>
// CHECK: %[[O:.+]] = memref.alloc(%[[SQ]]) : memref<1x4x?x32xf16>
// CHECK: %[[QB:.+]] = arith.ceildivui %[[SQ]], %c64
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %c4{{.*}}, {{.*}} = %[[QB]], {{.*}}) threads({{.*}}) in ({{.*}} = %c256{{.*}}, {{.*}}) dynamic_shared_memory_size %c5120_i32
// CHECK: %[[KL:.+]] = memref.view {{.*}} to memref<2x16x40xf16, #gpu.address_space<workgroup>>
// CHECK: %[[VL:.+]] = memref.view {{.*}}[%c2560{{.*}}][] : {{.*}} to memref<2x16x40xf16, #gpu.address_space<workgroup>>
// CHECK-COUNT-2: vector.load %[[Q]]{{.*}} vector<4xf16>
// CHECK: %[[BLOCKS:.+]] = arith.ceildivui %[[SKV]], %c16
// CHECK: scf.if
// CHECK:   vector.store {{.*}}, %[[KL]]
// CHECK:   vector.store {{.*}}, %[[VL]]
// CHECK: gpu.barrier
// CHECK: %[[LOOP:.+]]:4 = scf.for %{{.+}} = %{{.+}} to %[[BLOCKS]] {{.*}} -> (vector<4xf32>, vector<4xf32>, f32, f32)
// CHECK:   vector.load %[[K]]
// CHECK:   vector.load %[[V]]
// CHECK:   amdgpu.sched_barrier
// CHECK-COUNT-2: amdgpu.mfma 16x16x16 {{.*}} : vector<4xf16>, vector<4xf16>, vector<4xf32>
// CHECK:   gpu.shuffle xor %{{.+}}, %c16_i32{{.*}}, %c64_i32
// CHECK:   gpu.shuffle xor %{{.+}}, %c32_i32{{.*}}, %c64_i32
// CHECK:   rocdl.exp2
// CHECK:   amdgpu.mfma 16x16x16
// CHECK:   amdgpu.mfma 16x16x16
// CHECK:   vector.store {{.*}}, %[[KL]]
// CHECK:   vector.store {{.*}}, %[[VL]]
// CHECK:   gpu.barrier
// CHECK: gpu.shuffle xor %[[LOOP]]#3, %c16_i32
// CHECK: scf.if
// CHECK-COUNT-2: vector.store {{.*}}, %[[O]]{{.*}} vector<4xf16>
// CHECK: bufferization.to_tensor %[[O]] restrict writable
// GFX908-LABEL: func.func @f16_dynamic
// GFX908: amdgpu.mfma 16x16x16
func.func @f16_dynamic(%q: tensor<1x4x?x32xf16>, %k: tensor<1x4x?x32xf16>, %v: tensor<1x4x?x32xf16>) -> tensor<1x4x?x32xf16> {
  %o = loom_attn.attention %q, %k, %v : tensor<1x4x?x32xf16>, tensor<1x4x?x32xf16>, tensor<1x4x?x32xf16> -> tensor<1x4x?x32xf16>
  return %o : tensor<1x4x?x32xf16>
}

// -----

// Causal grouped-query f32: kv head = head / 2; the keys visited end at
// the workgroup's last row's position, max(0, min(Skv, q0 + 64 + Skv - Sq));
// a key is kept iff key < Skv and key + Sq <= row + Skv.
// CHECK-LABEL: func.func @causal_gqa_f32
// CHECK: gpu.launch
// CHECK: %[[BH:.+]] = arith.remui %{{.+}}, %c4
// CHECK: arith.divui %[[BH]], %c2
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: scf.for
// CHECK:   arith.cmpi ule
// CHECK-COUNT-4: amdgpu.mfma 16x16x4 {{.*}} : f32, f32, vector<4xf32>
// GFX908-LABEL: func.func @causal_gqa_f32
// GFX908: amdgpu.mfma 16x16x4
func.func @causal_gqa_f32(%q: tensor<1x4x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x16xf32>) -> tensor<1x4x?x16xf32> {
  %o = loom_attn.attention %q, %k, %v causal : tensor<1x4x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32> -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}

// -----

// bf16 on gfx908 (no 16x16x16 bf16 form): two 16x16x8 MFMAs per 16 keys
// of P V, each taking two of the lane's four probabilities.
// GFX908-LABEL: func.func @bf16_gfx908
// GFX908: scf.for
// GFX908-COUNT-2: amdgpu.mfma 16x16x8 {{.*}} : vector<2xbf16>, vector<2xbf16>, vector<4xf32>
// GFX908: rocdl.exp2
// GFX908-COUNT-2: amdgpu.mfma 16x16x8 {{.*}} : vector<2xbf16>, vector<2xbf16>, vector<4xf32>
func.func @bf16_gfx908(%q: tensor<1x2x64x16xbf16>, %k: tensor<1x2x64x16xbf16>, %v: tensor<1x2x64x16xbf16>) -> tensor<1x2x64x16xbf16> {
  %o = loom_attn.attention %q, %k, %v : tensor<1x2x64x16xbf16>, tensor<1x2x64x16xbf16>, tensor<1x2x64x16xbf16> -> tensor<1x2x64x16xbf16>
  return %o : tensor<1x2x64x16xbf16>
}

// -----

// Left to loom-convert-attn-to-linalg: a bias, and D not a multiple of 16.
// CHECK-LABEL: func.func @not_taken
// CHECK-NOT: gpu.launch
// CHECK: loom_attn.attention
// CHECK: loom_attn.attention
func.func @not_taken(%q: tensor<1x2x64x16xf32>, %k: tensor<1x2x64x16xf32>, %v: tensor<1x2x64x16xf32>, %b: tensor<64x64xf32>, %q2: tensor<1x2x64x24xf32>, %k2: tensor<1x2x64x24xf32>, %v2: tensor<1x2x64x24xf32>) -> (tensor<1x2x64x16xf32>, tensor<1x2x64x24xf32>) {
  %o = loom_attn.attention %q, %k, %v bias(%b : tensor<64x64xf32>) : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32> -> tensor<1x2x64x16xf32>
  %o2 = loom_attn.attention %q2, %k2, %v2 : tensor<1x2x64x24xf32>, tensor<1x2x64x24xf32>, tensor<1x2x64x24xf32> -> tensor<1x2x64x24xf32>
  return %o, %o2 : tensor<1x2x64x16xf32>, tensor<1x2x64x24xf32>
}
