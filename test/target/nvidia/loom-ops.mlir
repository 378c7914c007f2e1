// RUN: loom-opt %s --loom-nvidia-lowering="chip=sm_90a format=none f32-matmul=simt" | FileCheck %s --check-prefix=HOST
// RUN: loom-opt %s --loom-nvidia-lowering="chip=sm_90a format=isa f32-matmul=simt" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefix=PTX

// Loom attention (loom-convert-attn-to-linalg: an online-softmax loop over
// key blocks) compiles for the GPU: the key-block loop stays on the host
// and launches the kernels of each step; no Loom op and no host access to
// device memory is left. With f32-matmul=simt, f32 attention stays off the
// 3xTF32 kernel (f32-attention.mlir) and runs as these SIMT loops.
// HOST-NOT: loom_attn
// HOST: llvm.func @attn(
// HOST: llvm.call @mgpuMemAlloc
// HOST: ^bb{{[0-9]+}}({{.*}}):
// HOST: gpu.launch_func
// HOST: llvm.br ^bb
// HOST: llvm.func @loom_call_attn(
// PTX: .target sm_90a
// PTX: .visible .entry attn_kernel
// PTX: ex2.approx
func.func @attn(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x96x16xf32>, %v: tensor<1x2x96x16xf32>)
    -> tensor<1x4x8x16xf32> {
  %o = loom_attn.attention %q, %k, %v causal
      : tensor<1x4x8x16xf32>, tensor<1x2x96x16xf32>, tensor<1x2x96x16xf32> -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}
