// RUN: loom-opt %s --loom-nvidia-lowering="chip=sm_90a format=none" | FileCheck %s --check-prefix=HOST
// RUN: loom-opt %s --loom-nvidia-lowering="chip=sm_90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefix=PTX

// Loom MoE (loom-convert-moe-to-linalg) compiles for the GPU: the row-tile
// scf.forall of grouped_matmul stays on the host as a loop that launches
// each tile's kernels; no Loom op is left.
// HOST-NOT: loom_moe
// HOST: llvm.func @moe(
// HOST: llvm.call @mgpuMemAlloc
// HOST: gpu.launch_func
// HOST-NOT: loom_moe
// PTX: .target sm_90a
// PTX: .visible .entry moe_kernel
func.func @moe(%x: tensor<?x8xf32>, %logits: tensor<?x4xf32>, %w: tensor<4x8x8xf32>)
    -> tensor<?x8xf32> {
  %wt, %ids = loom_moe.route %logits top 2 softmax normalize
      : tensor<?x4xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
  %xs, %off, %perm = loom_moe.dispatch %x, %ids experts 4
      : tensor<?x8xf32>, tensor<?x2xi32> -> tensor<?x8xf32>, tensor<5xi32>, tensor<?xi32>
  %y = loom_moe.grouped_matmul %xs, %w, %off
      : tensor<?x8xf32>, tensor<4x8x8xf32>, tensor<5xi32> -> tensor<?x8xf32>
  %o = loom_moe.combine %y, %perm, %wt
      : tensor<?x8xf32>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x8xf32>
  return %o : tensor<?x8xf32>
}
