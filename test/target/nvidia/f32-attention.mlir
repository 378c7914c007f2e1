// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(loom-nvidia-attention-to-mma)' | FileCheck %s --check-prefix=CALL
// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(loom-nvidia-attention-to-mma{f32=simt})' | FileCheck %s --check-prefix=SIMT
// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(loom-nvidia-attention-to-mma,loom-nvidia-attention-kernels,canonicalize)' | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-nvidia-lowering="chip=sm_80 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefix=PTX
// RUN: loom-opt %s --split-input-file --loom-nvidia-lowering="chip=sm_90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefix=PTX

// f32 attention as the Llama models have it (GQA 4 query heads over 2 KV
// heads, D = 16, dynamic Sq = Skv, causal) on the 3xTF32 kernel
// (AttentionF32.cpp).

// Phase 1: the marked call on buffers; the result allocated with Sq taken
// from the query. f32=simt leaves the op to loom-convert-attn-to-linalg.
// CALL-LABEL: func.func @gqa_causal
// CALL: %[[QM:.+]] = bufferization.to_buffer %arg0 read_only : tensor<1x4x?x16xf32> to memref<1x4x?x16xf32>
// CALL: %[[KM:.+]] = bufferization.to_buffer %arg1 read_only
// CALL: %[[VM:.+]] = bufferization.to_buffer %arg2 read_only
// CALL: %[[SQ:.+]] = tensor.dim %arg0, %{{.+}} : tensor<1x4x?x16xf32>
// CALL: %[[OM:.+]] = memref.alloc(%[[SQ]]) : memref<1x4x?x16xf32>
// CALL: call @loom_nvidia_attention(%[[QM]], %[[KM]], %[[VM]], %[[OM]]) {loom.attention_mma = {causal = true, scale = 2.500000e-01 : f64}} : (memref<1x4x?x16xf32>, memref<1x2x?x16xf32>, memref<1x2x?x16xf32>, memref<1x4x?x16xf32>) -> ()
// CALL: bufferization.to_tensor %[[OM]] restrict writable
// SIMT-LABEL: func.func @gqa_causal
// SIMT-NOT: call
// SIMT: loom_attn.attention

// The kernel: grid (B * Hq = 4, max(ceil(Sq / 64), 1)) of 128 threads; a
// warp whose 16 rows start past Sq (or a block past B * Hq) does nothing;
// Q rows clamped to Sq - 1 are read as f32 pairs (d 2t, 2t + 1 of each k8
// step) and split into tf32 hi + lo; the key loop runs, per warp, up to
// min(Skv, q0 + 16 + Skv - Sq) (causal) in steps of 32 keys: S = Q K^T as
// 4 n8 tiles x 2 k8 steps x 3 mma (K pairs by 8-byte loads of the KV head
// head / 2), the scores scaled by scale * log2 e and dropped (-inf) past
// Skv or after the row's position, row max over the quad (xor 1, 2), exp2,
// and O += P V as 4 k8 steps x 2 n8 tiles x 3 mma (V read per element).
// (canonicalize folds the scalar loads of to_buffer'd tensors into
// tensor.extract; in the pipeline the kernel is built on buffers.)
// After the loop the row sums are added over the quad and O / l (0 where
// l = 0) stored as f32 pairs for rows below Sq.
// CHECK-LABEL: func.func @gqa_causal
// CHECK-NOT: loom_attn.attention
// CHECK: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[OM:.+]] = memref.alloc(%{{.+}}) : memref<1x4x?x16xf32>
// CHECK: %[[SQ:.+]] = tensor.dim %arg0
// CHECK: %[[SKV:.+]] = tensor.dim %arg1
// CHECK: %[[QB:.+]] = arith.divui
// CHECK: %[[GY:.+]] = arith.maxsi %[[QB]], %c1
// CHECK: gpu.launch blocks(%[[BX:.+]], %[[BY:.+]], %{{.+}}) in (%{{.+}} = %c4, %{{.+}} = %[[GY]], %{{.+}} = %c1) threads(%[[TX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %c128, %{{.+}} = %c1, %{{.+}} = %c1)
// CHECK: %[[Q0:.+]] = arith.addi
// CHECK: %[[INSIDE:.+]] = arith.cmpi slt, %[[Q0]], %[[SQ]]
// CHECK: scf.if
// CHECK: vector.load %{{.+}} {alignment = 8 : i64} : memref<1x4x?x16xf32>, vector<2xf32>
// CHECK: nvvm.convert.float.to.tf32 {{.+}} {rnd = #nvvm.fp_rnd_mode<rna>}
// CHECK: arith.minsi %[[SKV]]
// CHECK: arith.maxsi %{{.+}}, %c0
// CHECK: scf.for %[[KB:.+]] = %c0 to %{{.+}} step %c32 iter_args(
// CHECK: vector.load %{{.+}} {alignment = 8 : i64} : memref<1x2x?x16xf32>, vector<2xf32>
// CHECK-COUNT-24: nvvm.mma.sync {{.+}} {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<tf32>, multiplicandBPtxType = #nvvm.mma_type<tf32>, shape = #nvvm.shape<m = 16, n = 8, k = 8>}
// CHECK: arith.cmpi slt, %{{.+}}, %[[SKV]]
// CHECK: arith.cmpi sle
// CHECK: arith.select %{{.+}}, %{{.+}}, %[[NEGINF]] : f32
// CHECK: gpu.shuffle  xor %{{.+}}, %c1_i32, %c32_i32 : f32
// CHECK: gpu.shuffle  xor %{{.+}}, %c2_i32, %c32_i32 : f32
// CHECK: math.exp2
// CHECK: tensor.extract %arg2[
// CHECK-COUNT-24: nvvm.mma.sync
// CHECK: scf.yield
// CHECK: gpu.shuffle  xor
// CHECK: arith.divf
// CHECK: arith.cmpf oeq
// CHECK: scf.if
// CHECK: vector.store %{{.+}}, %[[OM]][{{.+}}] {alignment = 8 : i64} : memref<1x4x?x16xf32>, vector<2xf32>
// CHECK-NOT: func.func private @loom_nvidia_attention

// One kernel per attention op, with 3xTF32 mma.sync m16n8k8 (48 in the key
// loop), the hi / lo conversions, the quad shuffles, ex2 and no local
// memory (nothing spilled).
// PTX: .visible .entry gqa_causal_kernel(
// PTX-NOT: .local
// PTX-DAG: cvt.rna.tf32.f32
// PTX-DAG: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
// PTX-DAG: shfl.sync.bfly.b32 {{.+}}, 1, 31, -1
// PTX-DAG: shfl.sync.bfly.b32 {{.+}}, 2, 31, -1
// PTX-DAG: ex2.approx
// PTX-NOT: .local
// PTX: llvm.func @mgpuStreamCreate
func.func @gqa_causal(%q: tensor<1x4x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x16xf32>)
    -> tensor<1x4x?x16xf32> {
  %o = loom_attn.attention %q, %k, %v scale(2.500000e-01) causal
      : tensor<1x4x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32> -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}

// -----

// An additive mask [1, 1, ?, ?] (the MoE model's): its dynamic dimensions
// are tested for size 1 on the host (numpy broadcasting at run time); each
// score reads it with clamped indices and adds mask * log2 e (a
// tensor.extract after canonicalize, as above).
// CALL-LABEL: func.func @masked
// CALL: call @loom_nvidia_attention(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) {loom.attention_mma = {causal = false, scale = 2.500000e-01 : f64}} : (memref<1x4x?x16xf32>, memref<1x4x?x16xf32>, memref<1x4x?x16xf32>, memref<1x1x?x?xf32>, memref<1x4x?x16xf32>) -> ()
// CHECK-LABEL: func.func @masked
// CHECK: %[[ONE2:.+]] = arith.cmpi eq, %{{.+}}, %c1
// CHECK: %[[ONE3:.+]] = arith.cmpi eq, %{{.+}}, %c1
// CHECK: gpu.launch
// CHECK: scf.for
// CHECK: arith.select %[[ONE2]], %c0
// CHECK: arith.select %[[ONE3]], %c0
// CHECK: tensor.extract %arg3[%c0, %c0, %{{.+}}, %{{.+}}] : tensor<1x1x?x?xf32>
// PTX: .visible .entry masked_kernel(
// PTX-NOT: .local
// PTX: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
// PTX-NOT: .local
// PTX: llvm.func @mgpuStreamCreate
func.func @masked(%q: tensor<1x4x?x16xf32>, %k: tensor<1x4x?x16xf32>, %v: tensor<1x4x?x16xf32>, %m: tensor<1x1x?x?xf32>)
    -> tensor<1x4x?x16xf32> {
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<1x1x?x?xf32>) scale(2.500000e-01)
      : tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32> -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}

// -----

// D = 64, static shapes, causal with Skv > Sq: ptxas keeps everything in
// registers (184 on sm_80), nothing spills.
// PTX: .visible .entry d64_kernel(
// PTX-NOT: .local
// PTX: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
// PTX-NOT: .local
// PTX: llvm.func @mgpuStreamCreate
func.func @d64(%q: tensor<2x8x100x64xf32>, %k: tensor<2x8x130x64xf32>, %v: tensor<2x8x130x64xf32>)
    -> tensor<2x8x100x64xf32> {
  %o = loom_attn.attention %q, %k, %v causal
      : tensor<2x8x100x64xf32>, tensor<2x8x130x64xf32>, tensor<2x8x130x64xf32> -> tensor<2x8x100x64xf32>
  return %o : tensor<2x8x100x64xf32>
}

// -----

// Left to loom-convert-attn-to-linalg: D = 128 (the split Q fragments and O
// would spill), D = 12 (not a multiple of 8), a bias.
// CALL-LABEL: func.func @not_taken
// CALL-NOT: call
// CALL-COUNT-3: loom_attn.attention
// CALL-NOT: call
func.func @not_taken(%q: tensor<1x2x40x128xf32>, %q12: tensor<1x2x40x12xf32>, %q16: tensor<1x2x40x16xf32>,
                     %bias: tensor<40x40xf32>)
    -> (tensor<1x2x40x128xf32>, tensor<1x2x40x12xf32>, tensor<1x2x40x16xf32>) {
  %0 = loom_attn.attention %q, %q, %q causal
      : tensor<1x2x40x128xf32>, tensor<1x2x40x128xf32>, tensor<1x2x40x128xf32> -> tensor<1x2x40x128xf32>
  %1 = loom_attn.attention %q12, %q12, %q12
      : tensor<1x2x40x12xf32>, tensor<1x2x40x12xf32>, tensor<1x2x40x12xf32> -> tensor<1x2x40x12xf32>
  %2 = loom_attn.attention %q16, %q16, %q16 bias(%bias : tensor<40x40xf32>)
      : tensor<1x2x40x16xf32>, tensor<1x2x40x16xf32>, tensor<1x2x40x16xf32> -> tensor<1x2x40x16xf32>
  return %0, %1, %2 : tensor<1x2x40x128xf32>, tensor<1x2x40x12xf32>, tensor<1x2x40x16xf32>
}
