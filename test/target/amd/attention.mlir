// RUN: loom-opt %s --split-input-file --loom-amd-lowering="chip=gfx942 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefixes=ISA,GFX942
// RUN: loom-opt %s --split-input-file --loom-amd-lowering="chip=gfx90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefixes=ISA,GFX90A

// Attention on MFMA (loom-amd-attention-to-mfma), compiled to ISA. Nothing
// here has run on an AMD GPU. Each kernel: Q loaded into registers, the
// prologue's K / V block written to LDS and a barrier; per key block, the
// next block's global loads, S^T = K Q^T on MFMA from LDS, the scores'
// exponentials (v_exp_f32) and the row max over the row's four lanes
// (ds_swizzle for xor 16, ds_bpermute for xor 32), O^T += V^T P^T on MFMA,
// the LDS stores of the next block and one barrier; then the row sums
// reduced the same way and O stored. No scratch, at most 64 VGPRs (full
// occupancy: eight wavefronts per SIMD).

// The f32 Llama's attention (committed model, test/models/llama_opset18):
// dynamic Sq and Skv, grouped-query (4 query heads over 2 KV heads), D = 16,
// an additive mask [1, 1, Sq, Skv].
// ISA-LABEL: {{^}}llama_f32_kernel:
// ISA: global_load_dword
// ISA: ds_write
// ISA: s_barrier
// ISA: ds_read
// GFX942-COUNT-4: v_mfma_f32_16x16x4_f32
// GFX90A-COUNT-4: v_mfma_f32_16x16x4f32
// ISA: ds_swizzle_b32
// ISA: ds_bpermute_b32
// ISA: v_exp_f32
// GFX942: v_mfma_f32_16x16x4_f32
// GFX90A: v_mfma_f32_16x16x4f32
// ISA: ds_write
// ISA: s_barrier
// ISA: ds_swizzle_b32
// ISA: ds_bpermute_b32
// ISA: global_store_dwordx4
// ISA: s_endpgm
// ISA-NOT: {{^ *(scratch|buffer)_(load|store)}}
// ISA: .name: llama_f32_kernel
// ISA: .private_segment_fixed_size: 0
// ISA: .vgpr_count: {{([0-9]|[1-5][0-9]|6[0-4])$}}
// ISA: .vgpr_spill_count: 0
func.func @llama_f32(%q: tensor<1x4x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x16xf32>, %m: tensor<1x1x?x?xf32>) -> tensor<1x4x?x16xf32> {
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<1x1x?x?xf32>) scale(0.25) : tensor<1x4x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32> -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}

// -----

// bf16, causal, grouped-query (8 query heads over 2 KV heads), D = 64: four
// 16x16x16 MFMAs for S^T (D / 16), four for O^T (one per 16 columns of D),
// V^T read from LDS one element at a time; 16-bit results stored.
// ISA-LABEL: {{^}}bf16_causal_kernel:
// ISA: global_load_dwordx2
// ISA: ds_write
// ISA: s_barrier
// ISA: ds_read
// GFX942-COUNT-2: v_mfma_f32_16x16x16_bf16
// GFX90A-COUNT-2: v_mfma_f32_16x16x16bf16_1k
// ISA: ds_swizzle_b32
// ISA: ds_bpermute_b32
// ISA: v_exp_f32
// ISA: ds_read_u16
// GFX942: v_mfma_f32_16x16x16_bf16
// GFX90A: v_mfma_f32_16x16x16bf16_1k
// ISA: s_barrier
// ISA: global_store_dwordx2
// ISA: s_endpgm
// ISA-NOT: {{^ *(scratch|buffer)_(load|store)}}
// ISA: .name: bf16_causal_kernel
// ISA: .private_segment_fixed_size: 0
// ISA: .vgpr_count: {{([0-9]|[1-5][0-9]|6[0-4])$}}
// ISA: .vgpr_spill_count: 0
func.func @bf16_causal(%q: tensor<2x8x128x64xbf16>, %k: tensor<2x2x128x64xbf16>, %v: tensor<2x2x128x64xbf16>) -> tensor<2x8x128x64xbf16> {
  %o = loom_attn.attention %q, %k, %v causal : tensor<2x8x128x64xbf16>, tensor<2x2x128x64xbf16>, tensor<2x2x128x64xbf16> -> tensor<2x8x128x64xbf16>
  return %o : tensor<2x8x128x64xbf16>
}

// -----

// The opset-23 Llama's attention: f32, causal, an i1 mask, dynamic lengths.
// ISA-LABEL: {{^}}f32_causal_i1_kernel:
// ISA: global_load_ubyte
// GFX942: v_mfma_f32_16x16x4_f32
// GFX90A: v_mfma_f32_16x16x4f32
// ISA: v_exp_f32
// ISA: s_barrier
// ISA: global_store_dwordx4
// ISA: s_endpgm
// ISA-NOT: {{^ *(scratch|buffer)_(load|store)}}
// ISA: .name: f32_causal_i1_kernel
// ISA: .private_segment_fixed_size: 0
// ISA: .vgpr_count: {{([0-9]|[1-5][0-9]|6[0-4])$}}
// ISA: .vgpr_spill_count: 0
func.func @f32_causal_i1(%q: tensor<1x4x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x16xf32>, %m: tensor<1x1x?x?xi1>) -> tensor<1x4x?x16xf32> {
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<1x1x?x?xi1>) scale(0.25) causal : tensor<1x4x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32> -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}
