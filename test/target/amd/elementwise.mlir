// The assembly is embedded in the gpu.binary as an escaped string; sed turns
// its \0A escapes back into lines so that the checks read like AMDGPU ISA.
// RUN: loom-opt %s --loom-amd-lowering="chip=gfx942 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefixes=ISA,GFX942
// RUN: loom-opt %s --loom-amd-lowering="chip=gfx90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefixes=ISA,GFX90A
// RUN: loom-opt %s --loom-amd-lowering="chip=gfx942 format=none" | FileCheck %s --check-prefix=HOST

// A fused elementwise chain (add, then exp through the ROCm device library)
// on a 2-D tensor with a dynamic row count: one kernel, 256 threads (four
// wave64 wavefronts) along the contiguous dimension, each moving 16 bytes
// per access; no scratch.
// GFX942: .amdgcn_target \22amdgcn-amd-amdhsa--gfx942\22
// GFX90A: .amdgcn_target \22amdgcn-amd-amdhsa--gfx90a\22
// ISA-LABEL: {{^}}main_kernel:
// ISA: global_load_dwordx4
// ISA: global_load_dwordx4
// ISA: v_add_f32
// ISA: v_exp_f32
// ISA: global_store_dwordx4
// ISA: s_endpgm
// ISA-NOT: {{^ *(scratch|buffer)_(load|store)}}
// ISA: .private_segment_fixed_size: 0
// ISA: .wavefront_size: 64

// The host side: the entry wrapper the runtime calls, device buffers, one
// launch of 256-thread workgroups, the kernel module for the ROCDL target.
// HOST-DAG: llvm.func @loom_call_main(%{{.+}}: !llvm.ptr)
// HOST-DAG: llvm.call @mgpuMemAlloc
// HOST-DAG: llvm.call @mgpuMemcpy
// HOST-DAG: llvm.call @mgpuMemFree
// HOST-DAG: gpu.launch_func <%{{.+}} : !llvm.ptr> @main_kernel::@main_kernel blocks in ({{.+}}) threads in ({{.+}}) : i64
// HOST-DAG: gpu.module @main_kernel [#rocdl.target<O = 3, chip = "gfx942">]
// HOST-DAG: llvm.func @main_kernel({{.*}}) attributes {{{.*}}gpu.kernel
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @main(%a: tensor<?x1024xf32>, %b: tensor<?x1024xf32>) -> tensor<?x1024xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?x1024xf32>
  %e = tensor.empty(%n) : tensor<?x1024xf32>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<?x1024xf32>, tensor<?x1024xf32>) outs(%e : tensor<?x1024xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %t = arith.addf %x, %y : f32
    linalg.yield %t : f32
  } -> tensor<?x1024xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<?x1024xf32>) outs(%e : tensor<?x1024xf32>) {
  ^bb0(%x: f32, %o: f32):
    %t = math.exp %x : f32
    linalg.yield %t : f32
  } -> tensor<?x1024xf32>
  return %r : tensor<?x1024xf32>
}
