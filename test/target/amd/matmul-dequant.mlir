// RUN: loom-opt %s --loom-amd-lowering="chip=gfx942 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefixes=ISA,GFX942
// RUN: loom-opt %s --loom-amd-lowering="chip=gfx90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefixes=ISA,GFX90A

// A W4 per-group quantized matmul with f32 activations (as the importer
// makes of com.microsoft MatMulNBits: N x K/2 packed u4 weights, groups of
// 32 along K, f32 scales, u4 zero points unpacked from bytes) runs on the
// f32 MFMA (loom-amd-dequant-matmul-to-mfma). Each K step of 16 loads, per
// thread, 2 activations (dwordx2), the weight byte holding its 2 nibbles,
// the group's scale and zero-point byte; after the step's fragment reads
// and 4 MFMAs it unpacks the nibbles (and 15 / shift by 4), subtracts the
// zero point, scales in f32 and writes A and B to the other LDS buffer.
// The first kernel is the accumulator's zero fill.
// ISA: {{^}}w4_kernel:
// ISA: {{^}}w4_kernel:
// ISA: s_barrier
// ISA-DAG: global_load_dword v
// ISA-DAG: global_load_ubyte
// ISA-DAG: global_load_ubyte
// ISA-DAG: global_load_dwordx2
// ISA: ds_read_b128
// ISA: ds_read_b128
// ISA-NOT: s_barrier
// GFX942-COUNT-4: v_mfma_f32_16x16x4_f32
// GFX90A-COUNT-4: v_mfma_f32_16x16x4f32
// ISA-NOT: {{v_mfma|s_barrier}}
// ISA: v_and_b32_e32 v{{[0-9]+}}, 15, v
// ISA: v_lshrrev_b16_e32 v{{[0-9]+}}, 4, v
// ISA: v_cvt_f32_i32
// ISA: v_pk_mul_f32
// ISA: s_waitcnt vmcnt(0)
// ISA-NEXT: ds_write2st64_b64
// ISA: s_barrier
// ISA: s_endpgm
// ISA-NOT: {{^ *(scratch|buffer)_(load|store)}}
// ISA: .group_segment_fixed_size: 10240
// ISA: .name: w4_kernel
// ISA: .private_segment_fixed_size: 0
// ISA: .vgpr_spill_count: 0
#zmap = affine_map<(d0, d1) -> (d0, d1)>
func.func @w4(%x: tensor<?x128xf32>, %w: tensor<64x64xi8>, %s: tensor<64x4xf32>, %zp: tensor<64x2xi8>) -> tensor<?x64xf32> {
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %e = tensor.empty() : tensor<64x4xi4>
  %z = linalg.generic {indexing_maps = [#zmap], iterator_types = ["parallel", "parallel"]} outs(%e : tensor<64x4xi4>) {
  ^bb0(%out: i4):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %jb = arith.divui %j, %c2 : index
    %byte = tensor.extract %zp[%i, %jb] : tensor<64x2xi8>
    %par = arith.remui %j, %c2 : index
    %sh = arith.muli %par, %c4 : index
    %sh8 = arith.index_cast %sh : index to i8
    %v = arith.shrui %byte, %sh8 : i8
    %t = arith.trunci %v : i8 to i4
    linalg.yield %t : i4
  } -> tensor<64x4xi4>
  %y = loom_quant.matmul %x, %w scale %s zero_point %z {transpose_weight, weight_scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 32), zero_point, packed>} : (tensor<?x128xf32>, tensor<64x64xi8>, tensor<64x4xf32>, tensor<64x4xi4>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
