// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-cpu-copies-to-linalg))' | FileCheck %s

// CHECK-LABEL: func.func @strided_copy
// CHECK-SAME: %[[SRC:.+]]: memref<4x4xf32, strided<[8, 1]>>, %[[DST:.+]]: memref<4x4xf32>
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%[[SRC]] : memref<4x4xf32, strided<[8, 1]>>) outs(%[[DST]] : memref<4x4xf32>)
func.func @strided_copy(%src: memref<4x4xf32, strided<[8, 1]>>, %dst: memref<4x4xf32>) {
  memref.copy %src, %dst : memref<4x4xf32, strided<[8, 1]>> to memref<4x4xf32>
  return
}
