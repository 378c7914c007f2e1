// RUN: loom-opt %s --split-input-file --verify-diagnostics --loom-cpu-emit-entry-wrappers | FileCheck %s

// With results: args[1] is the results buffer, args[2 + i] input i.
// CHECK-LABEL: llvm.func @loom_call_two_inputs(
// CHECK-SAME: %[[ARGS:.+]]: !llvm.ptr)
// CHECK: %[[R_ADDR:.+]] = llvm.getelementptr %[[ARGS]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[R:.+]] = llvm.load %[[R_ADDR]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[A_ADDR:.+]] = llvm.getelementptr %[[ARGS]][2]
// CHECK: %[[A:.+]] = llvm.load %[[A_ADDR]]
// CHECK: %[[B_ADDR:.+]] = llvm.getelementptr %[[ARGS]][3]
// CHECK: %[[B:.+]] = llvm.load %[[B_ADDR]]
// CHECK: llvm.call @_mlir_ciface_two_inputs(%[[R]], %[[A]], %[[B]])
// CHECK: llvm.return
llvm.func @two_inputs(%a: !llvm.ptr) -> !llvm.struct<(ptr, ptr, i64)> {
  %0 = llvm.mlir.poison : !llvm.struct<(ptr, ptr, i64)>
  llvm.return %0 : !llvm.struct<(ptr, ptr, i64)>
}
llvm.func @_mlir_ciface_two_inputs(%r: !llvm.ptr, %a: !llvm.ptr, %b: !llvm.ptr) {
  llvm.return
}

// -----

// Without results the inputs still start at args[2].
// CHECK-LABEL: llvm.func @loom_call_no_results(
// CHECK: llvm.getelementptr %{{.+}}[2]
// CHECK-NOT: llvm.getelementptr
// CHECK: llvm.call @_mlir_ciface_no_results(
llvm.func @no_results(%a: !llvm.ptr) {
  llvm.return
}
llvm.func @_mlir_ciface_no_results(%a: !llvm.ptr) {
  llvm.return
}

// -----

// Functions without a C interface get no wrapper.
// CHECK-NOT: loom_call_
llvm.func @plain() {
  llvm.return
}

// -----

llvm.func @scalar() -> f32 {
  %0 = llvm.mlir.constant(1.0 : f32) : f32
  llvm.return %0 : f32
}
// expected-error @+1 {{entry point @scalar returns a value directly; expected all results through memref descriptors}}
llvm.func @_mlir_ciface_scalar() -> f32 {
  %0 = llvm.mlir.constant(1.0 : f32) : f32
  llvm.return %0 : f32
}

// -----

// expected-error @+1 {{no function @orphan behind the C interface}}
llvm.func @_mlir_ciface_orphan(%a: !llvm.ptr) {
  llvm.return
}

// -----

llvm.func @by_value(%a: i64) {
  llvm.return
}
// expected-error @+1 {{entry point @by_value takes a non-pointer argument 'i64'}}
llvm.func @_mlir_ciface_by_value(%a: i64) {
  llvm.return
}
