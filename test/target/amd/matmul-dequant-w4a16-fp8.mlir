// RUN: loom-opt %s --loom-amd-lowering="chip=gfx942 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefixes=ISA,GFX942
// RUN: loom-opt %s --loom-amd-lowering="chip=gfx90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefixes=ISA,GFX90A

// Quantized matmuls whose dequantizing contraction computes in f32 run on
// the f32 MFMA (loom-amd-dequant-matmul-to-mfma) with the staged values
// computed as the body computes them.
//
// W4A16 (MatMulNBits with f16 activations and f16 scales): the body
// widens the activation to f32 (exact) and dequantizes the weight as
// (q - zp) * f32(scale) in f32, which is not an f16 in general, so the
// kernel stages f32 and uses v_mfma_f32_16x16x4[_]f32, not the f16 MFMA.
// N = 40: two column tiles, the second partial. Per K step a thread loads
// 2 f16 activations (one dword), the weight byte, the group's f16 scale
// (ushort) and the zero-point byte; after the step's 4 MFMAs it converts
// the nibbles and the f16 values to f32 and writes A and B to LDS. The
// first kernel unpacks the zero points, the last rounds the f32 sums to
// f16 (once).
// ISA: {{^}}w4a16_kernel:
// ISA: {{^}}w4a16_kernel:
// ISA-DAG: global_load_ushort
// ISA-DAG: global_load_ubyte
// ISA-DAG: global_load_dword v
// ISA: s_barrier
// ISA: ds_read_b128
// ISA: ds_read_b128
// ISA-NOT: s_barrier
// GFX942-COUNT-4: v_mfma_f32_16x16x4_f32
// GFX90A-COUNT-4: v_mfma_f32_16x16x4f32
// ISA-NOT: {{v_mfma|s_barrier}}
// ISA: v_cvt_f32_i32
// ISA: v_cvt_f32_f16
// ISA: ds_write2st64_b64
// ISA: s_barrier
// ISA: s_endpgm
// ISA-NOT: {{^ *(scratch|buffer)_(load|store)}}
// ISA: .group_segment_fixed_size: 10240
// ISA: .name: w4a16_kernel
// ISA: .private_segment_fixed_size: 0
// ISA: .vgpr_count: {{[1-5]?[0-9]|6[0-4]}}{{$}}
// ISA: .vgpr_spill_count: 0
// ISA: {{^}}w4a16_kernel:
// ISA-NOT: v_mfma
// ISA: v_cvt_f16_f32
// ISA: s_endpgm
#zmap = affine_map<(d0, d1) -> (d0, d1)>
func.func @w4a16(%x: tensor<?x128xf16>, %w: tensor<40x64xi8>, %s: tensor<40x4xf16>, %zp: tensor<40x2xi8>) -> tensor<?x40xf16> {
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %e = tensor.empty() : tensor<40x4xi4>
  %z = linalg.generic {indexing_maps = [#zmap], iterator_types = ["parallel", "parallel"]} outs(%e : tensor<40x4xi4>) {
  ^bb0(%out: i4):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %jb = arith.divui %j, %c2 : index
    %byte = tensor.extract %zp[%i, %jb] : tensor<40x2xi8>
    %par = arith.remui %j, %c2 : index
    %sh = arith.muli %par, %c4 : index
    %sh8 = arith.index_cast %sh : index to i8
    %v = arith.shrui %byte, %sh8 : i8
    %t = arith.trunci %v : i8 to i4
    linalg.yield %t : i4
  } -> tensor<40x4xi4>
  %y = loom_quant.matmul %x, %w scale %s zero_point %z {transpose_weight, weight_scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 32), zero_point, packed>} : (tensor<?x128xf16>, tensor<40x64xi8>, tensor<40x4xf16>, tensor<40x4xi4>) -> tensor<?x40xf16>
  return %y : tensor<?x40xf16>
}

// FP8 (e4m3 x e4m3, per-tensor activation scale, per-column weight
// scale): on AMD the pipeline lowers it with the dequantizing path, an f32
// contraction whose body decodes both e4m3 values to f32 (exact) and
// scales them; the kernel stages those f32 values for the f32 MFMA. Per K
// step a thread loads its 2 activation bytes (one ushort), 2 weight bytes
// (K rows apart, sbyte) and the column's f32 scale; after the MFMAs the
// decode (mantissa to f32, times 2^exponent) and the scaling, then LDS.
// The first kernel is the accumulator's zero fill.
// ISA: {{^}}fp8_kernel:
// ISA: {{^}}fp8_kernel:
// ISA-DAG: global_load_ushort
// ISA-DAG: global_load_sbyte
// ISA-DAG: global_load_dword v
// ISA: s_barrier
// ISA: ds_read_b128
// ISA: ds_read_b128
// ISA-NOT: s_barrier
// GFX942-COUNT-4: v_mfma_f32_16x16x4_f32
// GFX90A-COUNT-4: v_mfma_f32_16x16x4f32
// ISA-NOT: {{v_mfma|s_barrier}}
// ISA: v_cvt_f32_ubyte0
// ISA: v_pk_mul_f32
// ISA: ds_write2st64_b64
// ISA: s_barrier
// ISA: s_endpgm
// ISA-NOT: {{^ *(scratch|buffer)_(load|store)}}
// ISA: .group_segment_fixed_size: 10240
// ISA: .name: fp8_kernel
// ISA: .private_segment_fixed_size: 0
// ISA: .vgpr_count: {{[1-5]?[0-9]|6[0-4]}}{{$}}
// ISA: .vgpr_spill_count: 0
func.func @fp8(%x: tensor<?x64xf8E4M3FN>, %w: tensor<64x96xf8E4M3FN>, %s: tensor<96xf32>) -> tensor<?x96xf32> {
  %xs = arith.constant dense<0.01> : tensor<f32>
  %y = loom_quant.matmul %x, %w scale %s input_scale %xs {input_scheme = #loom_quant.scheme<f8E4M3FN>, weight_scheme = #loom_quant.scheme<f8E4M3FN, per_channel(axis = 1)>} : (tensor<?x64xf8E4M3FN>, tensor<64x96xf8E4M3FN>, tensor<96xf32>, tensor<f32>) -> tensor<?x96xf32>
  return %y : tensor<?x96xf32>
}
