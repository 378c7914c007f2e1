// RUN: loom-opt %s --loom-amd-lowering="chip=gfx942 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefixes=ISA,GFX942
// RUN: loom-opt %s --loom-amd-lowering="chip=gfx90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefixes=ISA,GFX90A

// An f32 matmul with a dynamic row count runs on the matrix cores with
// double-buffered LDS tiles: the prologue stages K step 0 (global loads,
// ds_write, one barrier). Each loop step first issues the global loads of
// the next K step (dwordx2), reads its fragments from LDS (ds_read_b128),
// runs its four v_mfma_f32_16x16x4 with those loads in flight, and only
// then waits for them (s_waitcnt vmcnt), writes them to the other buffer
// (ds_write) and meets the workgroup at the step's single barrier. The
// backend unrolls the loop by the two buffers: the second half reads at
// offset 2560 (the second buffer) and writes the first. The accumulator
// stays in registers (no scratch); static LDS is 2 buffers x 2 operands x
// 32 rows x 20 floats = 10240 bytes.
// ISA-LABEL: {{^}}mm_kernel:
// ISA: global_load_dwordx2
// ISA: ds_write_b64
// ISA: s_barrier
// ISA: [[LOOP:.LBB[0-9_]+]]:
// ISA-NEXT: global_load_dwordx2
// ISA-NEXT: global_load_dwordx2
// ISA-NEXT: ds_read_b128
// ISA-NEXT: ds_read_b128
// ISA-NOT: {{ds_write|s_barrier|vmcnt}}
// GFX942-COUNT-4: v_mfma_f32_16x16x4_f32
// GFX90A-COUNT-4: v_mfma_f32_16x16x4f32
// ISA-NOT: {{v_mfma|s_barrier}}
// ISA: s_waitcnt vmcnt
// ISA-NEXT: ds_write
// ISA-NOT: v_mfma
// ISA: s_barrier
// ISA-NEXT: global_load_dwordx2
// ISA-NEXT: global_load_dwordx2
// ISA-NEXT: ds_read_b128 {{.*}} offset:2560
// ISA-NEXT: ds_read_b128 {{.*}} offset:2560
// ISA-NOT: {{ds_write|s_barrier|vmcnt}}
// GFX942-COUNT-4: v_mfma_f32_16x16x4_f32
// GFX90A-COUNT-4: v_mfma_f32_16x16x4f32
// ISA-NOT: {{v_mfma|s_barrier}}
// ISA: s_waitcnt vmcnt
// ISA-NEXT: ds_write
// ISA-NOT: v_mfma
// ISA: s_barrier
// ISA-NEXT: s_cbranch_scc1 [[LOOP]]
// ISA: global_store_dword
// ISA: s_endpgm
// ISA-NOT: {{^ *(scratch|buffer)_(load|store)}}
// ISA: .group_segment_fixed_size: 10240
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
