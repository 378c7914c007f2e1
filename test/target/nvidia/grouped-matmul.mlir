// RUN: loom-opt %s --split-input-file --loom-nvidia-lowering="chip=sm_90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefix=PTX
// RUN: loom-opt %s --split-input-file --loom-nvidia-lowering="chip=sm_80 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefix=PTX
// RUN: loom-opt %s --split-input-file --loom-nvidia-lowering="chip=sm_75 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefix=SM75

// A bf16 grouped matmul with dynamic M runs as one mma.sync kernel on sm_80
// and newer (sm_90a included): 16-byte global loads staged in shared memory
// (16-byte stores, 32-bit fragment loads of x's pairs), m16n8k16 bf16 mma
// with f32 accumulators, f32 pairs rounded to bf16 and stored as 32 bits.
// PTX: .visible .entry gm_kernel(
// PTX-NOT: .local
// PTX: ld.global.v4.b32
// PTX: st.shared.v4.b32
// PTX: bar.sync 0
// PTX: ld.shared.b32
// PTX: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX: cvt.rn.bf16x2.f32
// PTX: st.global.b32
// sm_75 has no bf16 mma: the SIMT loops of loom-convert-moe-to-linalg.
// SM75: .target sm_75
// SM75-NOT: mma.sync
func.func @gm(%x: tensor<?x256xbf16>, %w: tensor<8x256x128xbf16>, %off: tensor<9xi32>) -> tensor<?x128xbf16> {
  %y = loom_moe.grouped_matmul %x, %w, %off
      : tensor<?x256xbf16>, tensor<8x256x128xbf16>, tensor<9xi32> -> tensor<?x128xbf16>
  return %y : tensor<?x128xbf16>
}

// -----

// A bf16 MoE block (route, dispatch, the two expert matmuls, combine): both
// grouped matmuls take the kernel; the rest stays SIMT.
// PTX: .visible .entry moe_bf16_kernel
// PTX-COUNT-2: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// SM75-NOT: mma.sync
func.func @moe_bf16(%x: tensor<?x64xbf16>, %logits: tensor<?x4xf32>,
                    %w1: tensor<4x64x128xbf16>, %w2: tensor<4x128x64xbf16>)
    -> tensor<?x64xbf16> {
  %wt, %ids = loom_moe.route %logits top 2 softmax normalize
      : tensor<?x4xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
  %xs, %off, %perm = loom_moe.dispatch %x, %ids experts 4
      : tensor<?x64xbf16>, tensor<?x2xi32> -> tensor<?x64xbf16>, tensor<5xi32>, tensor<?xi32>
  %h = loom_moe.grouped_matmul %xs, %w1, %off
      : tensor<?x64xbf16>, tensor<4x64x128xbf16>, tensor<5xi32> -> tensor<?x128xbf16>
  %y = loom_moe.grouped_matmul %h, %w2, %off
      : tensor<?x128xbf16>, tensor<4x128x64xbf16>, tensor<5xi32> -> tensor<?x64xbf16>
  %o = loom_moe.combine %y, %perm, %wt
      : tensor<?x64xbf16>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x64xbf16>
  return %o : tensor<?x64xbf16>
}

// -----

// f16: the same kernel with f16 fragments, f32 accumulators rounded to f16.
// PTX: .visible .entry gm_f16_kernel(
// PTX: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// PTX: cvt.rn.f16x2.f32
// SM75-NOT: mma.sync
func.func @gm_f16(%x: tensor<?x128xf16>, %w: tensor<2x128x64xf16>, %off: tensor<3xi32>) -> tensor<?x64xf16> {
  %y = loom_moe.grouped_matmul %x, %w, %off
      : tensor<?x128xf16>, tensor<2x128x64xf16>, tensor<3xi32> -> tensor<?x64xf16>
  return %y : tensor<?x64xf16>
}

// -----

// Weights stacked from transposed N x K matrices: the kernel reads the
// untransposed [E, N, K] stack, B pairs as 32-bit shared loads.
// PTX: .visible .entry gm_nk_kernel
// PTX: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// SM75-NOT: mma.sync
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

// -----

// f32 (the MoE models' expert matmuls) takes the same kernel as 3xTF32:
// f32 tiles staged with 16-byte loads and stores, each fragment value split
// (cvt.rna.tf32.f32, the error converted again), three m16n8k8 tf32
// mma.sync per 16x8 tile and k8 step (4 k8 steps x 8 tiles x 3 per K step
// of 32: 96), f32 pairs stored as 64 bits. Below sm_80: SIMT loops.
// PTX: .visible .entry gm_f32_kernel(
// PTX-NOT: .local
// PTX: ld.global.v4.b32
// PTX: st.shared.v4.b32
// PTX: bar.sync 0
// PTX: ld.shared.b32
// PTX: cvt.rna.tf32.f32
// PTX: and.b32 {{.+}}, -8192;
// PTX: sub.rn.f32
// PTX: cvt.rna.tf32.f32
// PTX-COUNT-96: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
// PTX-NOT: mma.sync
// PTX: st.global.v2.b32
// SM75: .visible .entry gm_f32_kernel
// SM75-NOT: mma.sync
// SM75-NOT: cvt.rna.tf32
func.func @gm_f32(%x: tensor<?x64xf32>, %w: tensor<4x64x128xf32>, %off: tensor<5xi32>) -> tensor<?x128xf32> {
  %y = loom_moe.grouped_matmul %x, %w, %off
      : tensor<?x64xf32>, tensor<4x64x128xf32>, tensor<5xi32> -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}
