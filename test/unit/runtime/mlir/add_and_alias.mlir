// add_and_alias.mlir - Real MLIR-lowered CPU code for the loom_abi.h tests.
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
// Lowered with upstream passes only (see ../CMakeLists.txt), so the test
// checks loom_abi.h against what MLIR's C interface actually produces: two
// results through one struct pointer, an aligned malloc whose `allocated`
// differs from `aligned`, and a result aliasing an input.
func.func @add_and_alias(%a: memref<?xf32>, %b: memref<?xf32>)
    -> (memref<?xf32>, memref<?xf32>) attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xf32>
  %r = memref.alloc(%n) {alignment = 64} : memref<?xf32>
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %a[%i] : memref<?xf32>
    %y = memref.load %b[%i] : memref<?xf32>
    %s = arith.addf %x, %y : f32
    memref.store %s, %r[%i] : memref<?xf32>
  }
  return %r, %a : memref<?xf32>, memref<?xf32>
}
