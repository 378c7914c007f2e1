// RUN: loom-opt %s --loom-amd-lowering="chip=gfx942 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefixes=ISA,GFX942
// RUN: loom-opt %s --loom-amd-lowering="chip=gfx90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefixes=ISA,GFX90A

// 16-bit matmuls as the importer writes them: bf16 / f16 operands, an f32
// accumulator, and one rounding to the 16-bit type afterwards. The product
// runs on the 16x16x16 MFMAs (two per K step of 32): gfx942 names them
// v_mfma_f32_16x16x16_bf16 / _f16, gfx90a v_mfma_f32_16x16x16bf16_1k /
// 16x16x16f16. Staging is 8 bytes per thread and operand (dwordx2 loads,
// ds_write_b64 for A), fragments are 16-byte LDS reads; LDS is 2 buffers x
// 2 operands x 32 rows x 40 elements x 2 bytes = 10240 bytes; no scratch.
// The rounding is a separate elementwise kernel (v_cvt / v_perm or shifts
// of the f32 results), so the sum is rounded once.

// ISA: {{^}}bf16_kernel:
// ISA: global_load_dwordx2
// ISA: ds_write_b64
// ISA: s_barrier
// ISA: ds_read_b128
// ISA: ds_read_b128
// ISA: global_load_dwordx2
// GFX942: v_mfma_f32_16x16x16_bf16
// GFX90A: v_mfma_f32_16x16x16bf16_1k
// GFX942: v_mfma_f32_16x16x16_bf16
// GFX90A: v_mfma_f32_16x16x16bf16_1k
// ISA: s_barrier
// ISA: s_endpgm
// ISA-NOT: {{^ *(scratch|buffer)_(load|store)}}
// ISA: .group_segment_fixed_size: 10240
// ISA: .name: bf16_kernel
// ISA: .private_segment_fixed_size: 0
// ISA: .vgpr_spill_count: 0

// ISA: {{^}}f16_kernel:
// ISA: ds_read_b128
// GFX942: v_mfma_f32_16x16x16_f16
// GFX90A: v_mfma_f32_16x16x16f16
// GFX942: v_mfma_f32_16x16x16_f16
// GFX90A: v_mfma_f32_16x16x16f16
// ISA: s_barrier
// ISA: s_endpgm
// ISA-NOT: {{^ *(scratch|buffer)_(load|store)}}


#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
#e = affine_map<(i, j) -> (i, j)>
func.func @bf16(%x: tensor<?x128xbf16>, %w: tensor<128x64xbf16>) -> tensor<?x64xbf16> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x128xbf16>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<?x64xf32>) -> tensor<?x64xf32>
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x128xbf16>, tensor<128x64xbf16>) outs(%f : tensor<?x64xf32>) {
  ^bb0(%p: bf16, %q: bf16, %o: f32):
    %pe = arith.extf %p : bf16 to f32
    %qe = arith.extf %q : bf16 to f32
    %m = arith.mulf %pe, %qe : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x64xf32>
  %e16 = tensor.empty(%n) : tensor<?x64xbf16>
  %t = linalg.generic {indexing_maps = [#e, #e], iterator_types = ["parallel", "parallel"]}
      ins(%r : tensor<?x64xf32>) outs(%e16 : tensor<?x64xbf16>) {
  ^bb0(%v: f32, %o: bf16):
    %h = arith.truncf %v : f32 to bf16
    linalg.yield %h : bf16
  } -> tensor<?x64xbf16>
  return %t : tensor<?x64xbf16>
}

func.func @f16(%x: tensor<64x64xf16>, %w: tensor<64x32xf16>) -> tensor<64x32xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x32xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<64x32xf32>) -> tensor<64x32xf32>
  %r = linalg.matmul ins(%x, %w : tensor<64x64xf16>, tensor<64x32xf16>) outs(%f : tensor<64x32xf32>) -> tensor<64x32xf32>
  return %r : tensor<64x32xf32>
}
