// The assembly is embedded in the gpu.binary as an escaped string; sed turns
// its \0A escapes back into lines so that the checks read like AMDGPU ISA.
// RUN: loom-opt %s --loom-amd-lowering="chip=gfx942 format=none" | FileCheck %s --check-prefix=ROCDL
// RUN: loom-opt %s --loom-amd-lowering="chip=gfx942 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s --check-prefix=ISA

// math.ipowi / math.fpowi (ONNX Pow with an integer exponent) have no ROCDL
// lowering either: as on NVIDIA, they become calls of the functions
// convert-math-to-funcs generates, copied into the kernel module.
// ROCDL: gpu.module @main_kernel
// ROCDL-DAG: llvm.func linkonce_odr @__mlir_math_ipowi_i32(
// ROCDL-DAG: llvm.func linkonce_odr @__mlir_math_fpowi_f32_i32(
// ROCDL-DAG: llvm.call @__mlir_math_ipowi_i32(
// ROCDL-DAG: llvm.call @__mlir_math_fpowi_f32_i32(
// ROCDL-NOT: math.ipowi
// ROCDL-NOT: math.fpowi
// ISA: main_kernel:
// ISA: v_mul_lo_u32
// ISA: v_mul_f32
// ISA: s_endpgm
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @main(%a: tensor<?x64xi32>, %e: tensor<?x64xi32>, %x: tensor<?x64xf32>)
    -> (tensor<?x64xi32>, tensor<?x64xf32>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?x64xi32>
  %ei = tensor.empty(%n) : tensor<?x64xi32>
  %ef = tensor.empty(%n) : tensor<?x64xf32>
  %r:2 = linalg.generic {indexing_maps = [#id, #id, #id, #id, #id],
                         iterator_types = ["parallel", "parallel"]}
      ins(%a, %e, %x : tensor<?x64xi32>, tensor<?x64xi32>, tensor<?x64xf32>)
      outs(%ei, %ef : tensor<?x64xi32>, tensor<?x64xf32>) {
  ^bb0(%va: i32, %ve: i32, %vx: f32, %o1: i32, %o2: f32):
    %p = math.ipowi %va, %ve : i32
    %q = math.fpowi %vx, %ve : f32, i32
    linalg.yield %p, %q : i32, f32
  } -> (tensor<?x64xi32>, tensor<?x64xf32>)
  return %r#0, %r#1 : tensor<?x64xi32>, tensor<?x64xf32>
}
