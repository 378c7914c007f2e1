// RUN: loom-opt %s --split-input-file --loom-nvidia-lowering="chip=sm_80 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefix=SM80
// RUN: loom-opt %s --split-input-file --loom-nvidia-lowering="chip=sm_90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefix=SM90

// An f16 x f16 -> f32 matmul runs on tensor cores. sm_80: one warp per 16x8
// tile, a K loop of m16n8k16 mma.sync with fragments from global memory.
// SM80: .visible .entry mm_kernel(
// SM80: mov.u32 {{.*}}%tid.x
// SM80: ld.global.b16
// SM80: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// SM80: st.global
// SM80-NOT: wgmma
// sm_90a: the host encodes TMA descriptors; one warpgroup per 128x128 tile
// waits on mbarriers for TMA loads into shared memory and runs wgmma
// (m64n128k16, 8 per 128x128x64 step: two 64-row halves x four k16), then
// stores C with 16-byte vectors.
// SM90: .visible .entry mm_kernel(
// SM90: mbarrier.init.shared.b64
// SM90: cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes
// SM90: mbarrier.try_wait.parity.shared.b64
// SM90: wgmma.fence.sync.aligned
// SM90-COUNT-8: wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16
// SM90: wgmma.commit_group.sync.aligned
// SM90: wgmma.wait_group.sync.aligned
// SM90: st.global.v4.b32
// SM90-NOT: mma.sync.aligned
// SM90: llvm.call @mgpuTensorMapEncodeTiledMemref
// SM90: llvm.call @mgpuTensorMapEncodeTiledMemref
// SM90: gpu.launch_func
func.func @mm(%a: tensor<128x64xf16>, %b: tensor<64x256xf16>) -> tensor<128x256xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x256xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<128x256xf32>) -> tensor<128x256xf32>
  %r = linalg.matmul ins(%a, %b : tensor<128x64xf16>, tensor<64x256xf16>)
                     outs(%f : tensor<128x256xf32>) -> tensor<128x256xf32>
  return %r : tensor<128x256xf32>
}

// -----

// bf16: mma.sync with bf16 fragments on sm_80, the same wgmma kernel with
// bf16 on sm_90a.
// SM80: .visible .entry mm_bf16_kernel(
// SM80: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// SM90: .visible .entry mm_bf16_kernel(
// SM90: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
func.func @mm_bf16(%a: tensor<128x128xbf16>, %b: tensor<128x128xbf16>) -> tensor<128x128xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x128xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<128x128xf32>) -> tensor<128x128xf32>
  %r = linalg.matmul ins(%a, %b : tensor<128x128xbf16>, tensor<128x128xbf16>)
                     outs(%f : tensor<128x128xf32>) -> tensor<128x128xf32>
  return %r : tensor<128x128xf32>
}

// -----

// x @ W^T with W stored N x K: on sm_90a both operands are loaded K-major
// and wgmma runs without the transpose flag (imm-trans-a = imm-trans-b =
// 0), with no transpose kernel; the result, only rounded to bf16, is
// stored as bf16 by the epilogue (16-byte stores, no f32 buffer, no
// rounding kernel).
// SM90-LABEL: llvm.func @linear_bf16(
// SM90: llvm.call @mgpuTensorMapEncodeTiledMemref
// SM90: llvm.call @mgpuTensorMapEncodeTiledMemref
// SM90: gpu.launch_func {{.+}} @linear_bf16_kernel::@linear_bf16_kernel
// SM90-NOT: gpu.launch_func
// SM90: .visible .entry linear_bf16_kernel(
// SM90: cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes
// SM90: wgmma.fence.sync.aligned
// SM90-COUNT-8: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 {{.+}}, p, 1, 1, 0, 0;
// SM90: wgmma.commit_group.sync.aligned
// SM90: wgmma.wait_group.sync.aligned 1;
// SM90: cvt.rn.bf16x2.f32
// SM90: st.global.v4.b32
// SM90-NOT: .entry
func.func @linear_bf16(%x: tensor<256x128xbf16>, %w: tensor<256x128xbf16>) -> tensor<256x256xbf16> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<256x256xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<256x256xf32>) -> tensor<256x256xf32>
  %r = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
                     ins(%x, %w : tensor<256x128xbf16>, tensor<256x128xbf16>)
                     outs(%f : tensor<256x256xf32>) -> tensor<256x256xf32>
  %e16 = tensor.empty() : tensor<256x256xbf16>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%r : tensor<256x256xf32>) outs(%e16 : tensor<256x256xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<256x256xbf16>
  return %y : tensor<256x256xbf16>
}

// -----

// A batch_matmul on sm_90a: the batch is grid z; block z reads A's rows
// from z * M (M = 256: z << 8) and B's from z * K (K = 128: z << 7) of the
// flattened operands' 2-d tensor maps.
// SM90-LABEL: llvm.func @bmm(
// SM90: llvm.call @mgpuTensorMapEncodeTiledMemref
// SM90: llvm.call @mgpuTensorMapEncodeTiledMemref
// SM90: gpu.launch_func {{.+}} @bmm_kernel::@bmm_kernel
// SM90: .visible .entry bmm_kernel(
// SM90: mov.u32 %[[Z:r[0-9]+]], %ctaid.z;
// SM90-DAG: shl.b32 %{{r[0-9]+}}, %[[Z]], 8;
// SM90-DAG: shl.b32 %{{r[0-9]+}}, %[[Z]], 7;
// SM90: cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes
// SM90-COUNT-8: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// SM90: st.global.v4.b32
func.func @bmm(%a: tensor<4x256x128xbf16>, %b: tensor<4x128x256xbf16>) -> tensor<4x256x256xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x256x256xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x256x256xf32>) -> tensor<4x256x256xf32>
  %r = linalg.batch_matmul ins(%a, %b : tensor<4x256x128xbf16>, tensor<4x128x256xbf16>)
                     outs(%f : tensor<4x256x256xf32>) -> tensor<4x256x256xf32>
  return %r : tensor<4x256x256xf32>
}

// -----

// A prefill of 2047 rows: the last row block's A box is zero-filled by
// TMA past row 2047, and the epilogue stores min(128, 2047 - row0) rows.
// SM90: .visible .entry partial_m_kernel(
// SM90: wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16
// SM90: xor.b64 %[[LEFT:rd[0-9]+]], %{{rd[0-9]+}}, 2047;
// SM90: min.u64 %{{rd[0-9]+}}, %[[LEFT]], 128;
// SM90: st.global.v4.b32
func.func @partial_m(%a: tensor<2047x128xf16>, %b: tensor<256x128xf16>) -> tensor<2047x256xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2047x256xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2047x256xf32>) -> tensor<2047x256xf32>
  %r = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
                     ins(%a, %b : tensor<2047x128xf16>, tensor<256x128xf16>) outs(%f : tensor<2047x256xf32>) -> tensor<2047x256xf32>
  return %r : tensor<2047x256xf32>
}

// -----

// A dynamic M: the kernel takes M as a parameter and stores
// min(128, M - row0) rows; the tensor maps read M from the memref.
// SM90-LABEL: llvm.func @dynamic_m(
// SM90: llvm.call @mgpuTensorMapEncodeTiledMemref
// SM90: gpu.launch_func {{.+}} @dynamic_m_kernel::@dynamic_m_kernel
// SM90: .visible .entry dynamic_m_kernel(
// SM90: ld.param.b64 %{{rd[0-9]+}}, [dynamic_m_kernel_param_9];
// SM90: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// SM90: min.u64 %{{rd[0-9]+}}, %{{rd[0-9]+}}, 128;
// SM90: st.global.v4.b32
func.func @dynamic_m(%a: tensor<?x128xbf16>, %b: tensor<128x256xbf16>) -> tensor<?x256xf32> {
  %z = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %m = tensor.dim %a, %c0 : tensor<?x128xbf16>
  %e = tensor.empty(%m) : tensor<?x256xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<?x256xf32>) -> tensor<?x256xf32>
  %r = linalg.matmul ins(%a, %b : tensor<?x128xbf16>, tensor<128x256xbf16>) outs(%f : tensor<?x256xf32>) -> tensor<?x256xf32>
  return %r : tensor<?x256xf32>
}

// -----

// Attention's Q . K^T as a contraction generic (batch and heads leading
// all operands, K read [b, h, n, k]) whose f32 result is only rounded to
// bf16: one kernel, the heads as grid z, K read K-major (imm-trans-b = 0),
// the epilogue storing bf16.
// SM90-LABEL: llvm.func @qk(
// SM90: gpu.launch_func {{.+}} @qk_kernel::@qk_kernel
// SM90-NOT: gpu.launch_func
// SM90: .visible .entry qk_kernel(
// SM90: mov.u32 %{{r[0-9]+}}, %ctaid.z;
// SM90: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 {{.+}}, p, 1, 1, 0, 0;
// SM90: cvt.rn.bf16x2.f32
// SM90: st.global.v4.b32
#q = affine_map<(b, h, m, n, k) -> (b, h, m, k)>
#k = affine_map<(b, h, m, n, k) -> (b, h, n, k)>
#s = affine_map<(b, h, m, n, k) -> (b, h, m, n)>
func.func @qk(%q: tensor<1x4x256x128xbf16>, %k: tensor<1x4x256x128xbf16>) -> tensor<1x4x256x256xbf16> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x256x256xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x4x256x256xf32>) -> tensor<1x4x256x256xf32>
  %r = linalg.generic {indexing_maps = [#q, #k, #s], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x4x256x128xbf16>, tensor<1x4x256x128xbf16>) outs(%f : tensor<1x4x256x256xf32>) {
  ^bb0(%x: bf16, %y: bf16, %o: f32):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    %p = arith.mulf %xf, %yf : f32
    %a = arith.addf %o, %p : f32
    linalg.yield %a : f32
  } -> tensor<1x4x256x256xf32>
  %e2 = tensor.empty() : tensor<1x4x256x256xbf16>
  %t = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%r : tensor<1x4x256x256xf32>) outs(%e2 : tensor<1x4x256x256xbf16>) {
  ^bb0(%i: f32, %o: bf16):
    %c = arith.truncf %i : f32 to bf16
    linalg.yield %c : bf16
  } -> tensor<1x4x256x256xbf16>
  return %t : tensor<1x4x256x256xbf16>
}
