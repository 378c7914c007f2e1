// RUN: loom-opt %s --loom-cpu-lowering | FileCheck %s

// The whole CPU pipeline takes tensors down to the LLVM dialect, with the
// runtime's entry wrapper and no call into MLIR's runner libraries.
// CHECK-NOT: func.func
// CHECK-NOT: memrefCopy
// CHECK-DAG: llvm.func @_mlir_ciface_main
// CHECK-DAG: llvm.func @loom_call_main(%{{.+}}: !llvm.ptr)
// CHECK-DAG: llvm.call @malloc
#id = affine_map<(d0) -> (d0)>
func.func @main(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%a, %b : tensor<?xf32>, tensor<?xf32>) outs(%e : tensor<?xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %t = math.exp %s : f32
    linalg.yield %t : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}
