// RUN: loom-opt %s --split-input-file --loom-nvidia-lowering="chip=sm_80 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-nvidia-lowering="chip=sm_90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s

// bf16 causal grouped-query attention becomes one FlashAttention-2 kernel on
// both chips: K and V blocks copied to a two-stage shared-memory ring by
// 16-byte cp.async (the next block's copies in flight while the current
// one is computed), their fragments read by ldmatrix (x4, and x4.trans for
// V), mma.sync m16n8k16 for S = Q K^T and O += P V, the online softmax's
// row max and sum over the lanes of a quad with butterfly shuffles, exp2 in
// registers, and O / l stored from registers.
// CHECK: .visible .entry attn_kernel(
// CHECK: .shared .align 16 .b8 __dynamic_shmem__0
// (Block layout puts the loop's parts in varying order: unordered checks.)
// CHECK-DAG: cp.async.cg.shared.global [{{.+}}], [{{.+}}], 16;
// CHECK-DAG: cp.async.commit_group;
// CHECK-DAG: cp.async.wait_group 0;
// CHECK-DAG: bar.sync 0
// CHECK-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-DAG: shfl.sync.bfly.b32 {{.+}}, 1, 31, -1
// CHECK-DAG: shfl.sync.bfly.b32 {{.+}}, 2, 31, -1
// CHECK-DAG: ex2.approx
// CHECK-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// CHECK-DAG: st.global.b32
// CHECK-NOT: .entry
// CHECK: gpu.launch_func
func.func @attn(%q: tensor<1x4x128x64xbf16>, %k: tensor<1x2x128x64xbf16>,
                %v: tensor<1x2x128x64xbf16>) -> tensor<1x4x128x64xbf16> {
  %o = loom_attn.attention %q, %k, %v causal
      : tensor<1x4x128x64xbf16>, tensor<1x2x128x64xbf16>,
        tensor<1x2x128x64xbf16> -> tensor<1x4x128x64xbf16>
  return %o : tensor<1x4x128x64xbf16>
}

// -----

// f16, D = 128, not causal: the same kernel with f16 fragments.
// CHECK: .visible .entry attn_f16_kernel(
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK: shfl.sync.bfly.b32
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
func.func @attn_f16(%q: tensor<2x2x64x128xf16>, %k: tensor<2x2x192x128xf16>,
                    %v: tensor<2x2x192x128xf16>) -> tensor<2x2x64x128xf16> {
  %o = loom_attn.attention %q, %k, %v
      : tensor<2x2x64x128xf16>, tensor<2x2x192x128xf16>,
        tensor<2x2x192x128xf16> -> tensor<2x2x64x128xf16>
  return %o : tensor<2x2x64x128xf16>
}
