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
