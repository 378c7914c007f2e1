// RUN: loom-opt %s --loom-amd-lowering="chip=gfx942 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefixes=ISA,GFX942
// RUN: loom-opt %s --loom-amd-lowering="chip=gfx90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefixes=ISA,GFX90A

// An integer matmul of signed bytes into i32 (ONNX MatMulInteger without
// zero points) runs on the integer MFMAs: K steps of 64 bytes, each lane's
// 16-byte LDS fragment feeding two v_mfma_i32_16x16x32_i8 (gfx942) or four
// v_mfma_i32_16x16x16i8 (gfx90a), the next step's loads in flight. LDS: 2
// buffers x 2 operands x 32 rows x 80 bytes; no scratch.
// ISA: {{^}}mm_i8_kernel:
// ISA: {{^}}mm_i8_kernel:
// ISA: global_load_dwordx2
// ISA: s_barrier
// ISA: global_load_dwordx2
// ISA: ds_read_b128
// ISA-NOT: s_barrier
// GFX942-COUNT-2: v_mfma_i32_16x16x32_i8
// GFX90A-COUNT-4: v_mfma_i32_16x16x16i8
// ISA-NOT: {{v_mfma|s_barrier}}
// ISA: s_waitcnt vmcnt
// ISA-NEXT: ds_write
// ISA: s_barrier
// ISA: s_endpgm
// ISA-NOT: {{^ *(scratch|buffer)_(load|store)}}
// ISA: .group_segment_fixed_size: 10240
// ISA: .name: mm_i8_kernel
// ISA: .private_segment_fixed_size: 0
// ISA: .vgpr_spill_count: 0
#a = affine_map<(i, j, k) -> (i, k)>
#b = affine_map<(i, j, k) -> (k, j)>
#c = affine_map<(i, j, k) -> (i, j)>
func.func @mm_i8(%x: tensor<?x256xi8>, %w: tensor<256x64xi8>) -> tensor<?x64xi32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x256xi8>
  %z = arith.constant 0 : i32
  %e = tensor.empty(%n) : tensor<?x64xi32>
  %f = linalg.fill ins(%z : i32) outs(%e : tensor<?x64xi32>) -> tensor<?x64xi32>
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x256xi8>, tensor<256x64xi8>) outs(%f : tensor<?x64xi32>) {
  ^bb0(%p: i8, %q: i8, %o: i32):
    %pe = arith.extsi %p : i8 to i32
    %qe = arith.extsi %q : i8 to i32
    %m = arith.muli %pe, %qe : i32
    %s = arith.addi %o, %m : i32
    linalg.yield %s : i32
  } -> tensor<?x64xi32>
  return %r : tensor<?x64xi32>
}
