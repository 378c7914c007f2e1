// The PTX is embedded in the gpu.binary as an escaped string; sed turns its
// \0A escapes back into lines so that the checks read like PTX.
// RUN: loom-opt %s --loom-nvidia-lowering="chip=sm_90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefixes=PTX,SM90
// RUN: loom-opt %s --loom-nvidia-lowering="chip=sm_80 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefixes=PTX,SM80
// RUN: loom-opt %s --loom-nvidia-lowering="chip=sm_90a format=none" | FileCheck %s --check-prefix=HOST

// A fused elementwise chain (add, then exp through libdevice) on a 2-D
// tensor with a dynamic row count: one kernel (the chain is fused), 256
// threads along the contiguous dimension, each moving 16 bytes per access.
// SM90: .target sm_90a
// SM80: .target sm_80
// PTX: .visible .entry main_kernel(
// PTX: mov.u32 {{.*}}%tid.x
// PTX: ld.global.v4.{{[bf]}}32
// PTX: ld.global.v4.{{[bf]}}32
// PTX: add.rn.f32
// PTX: ex2.approx
// PTX: st.global.v4.{{[bf]}}32
// PTX: ret;
// PTX-NOT: .entry

// The host side: the entry wrapper the runtime calls, device buffers for
// the inputs and the result, copies, one launch of 256-thread blocks.
// HOST-DAG: llvm.func @loom_call_main(%{{.+}}: !llvm.ptr)
// HOST-DAG: llvm.call @mgpuMemAlloc
// HOST-DAG: llvm.call @mgpuMemcpy
// HOST-DAG: llvm.call @mgpuMemFree
// HOST-DAG: gpu.launch_func <%{{.+}} : !llvm.ptr> @main_kernel::@main_kernel blocks in ({{.+}}) threads in ({{.+}}) : i64
// HOST-DAG: gpu.module @main_kernel [#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx84">]
// HOST-DAG: llvm.func @main_kernel({{.*}}) attributes {gpu.kernel
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @main(%a: tensor<?x512xf32>, %b: tensor<?x512xf32>) -> tensor<?x512xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?x512xf32>
  %e = tensor.empty(%n) : tensor<?x512xf32>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<?x512xf32>, tensor<?x512xf32>) outs(%e : tensor<?x512xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %t = arith.addf %x, %y : f32
    linalg.yield %t : f32
  } -> tensor<?x512xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<?x512xf32>) outs(%e : tensor<?x512xf32>) {
  ^bb0(%x: f32, %o: f32):
    %t = math.exp %x : f32
    linalg.yield %t : f32
  } -> tensor<?x512xf32>
  return %r : tensor<?x512xf32>
}
