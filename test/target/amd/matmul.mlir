// RUN: loom-opt %s --loom-amd-lowering="chip=gfx942 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefixes=ISA,GFX942
// RUN: loom-opt %s --loom-amd-lowering="chip=gfx90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefixes=ISA,GFX90A

// An f32 matmul with a dynamic row count runs on the matrix cores: tiles of
// A and B are staged in LDS (ds_write), read back per wavefront (ds_read)
// into v_mfma_f32_16x16x4 instructions, four per K step of 16, between
// barriers; the accumulator stays in registers (no scratch spills), and the
// kernel's static LDS is the two 2 KiB tiles.
// ISA-LABEL: {{^}}mm_kernel:
// ISA: global_load_dword
// ISA: ds_write_b32
// ISA: s_barrier
// ISA: ds_read_b32
// GFX942: v_mfma_f32_16x16x4_f32
// GFX90A: v_mfma_f32_16x16x4f32
// ISA: s_barrier
// ISA: global_store_dword
// ISA: s_endpgm
// ISA-NOT: {{^ *(scratch|buffer)_(load|store)}}
// ISA: .group_segment_fixed_size: 4096
// ISA: .name: mm_kernel
// ISA: .private_segment_fixed_size: 0
// ISA: .vgpr_spill_count: 0
func.func @mm(%a: tensor<?x256xf32>, %b: tensor<256x64xf32>) -> tensor<?x64xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?x256xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<?x64xf32>) -> tensor<?x64xf32>
  %r = linalg.matmul ins(%a, %b : tensor<?x256xf32>, tensor<256x64xf32>)
                     outs(%f : tensor<?x64xf32>) -> tensor<?x64xf32>
  return %r : tensor<?x64xf32>
}
