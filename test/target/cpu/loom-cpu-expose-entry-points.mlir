// RUN: loom-opt %s --split-input-file --verify-diagnostics --loom-cpu-expose-entry-points | FileCheck %s

// Public functions with a body become entry points; private helpers and
// declarations do not.
// CHECK-LABEL: func.func @main
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func private @helper
// CHECK-NOT: llvm.emit_c_interface
// CHECK-LABEL: func.func private @external
// CHECK-NOT: llvm.emit_c_interface
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = func.call @helper(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
func.func private @external(tensor<4xf32>) -> tensor<4xf32>

// -----

// expected-error @+1 {{entry point @scalar_arg argument 1 has type 'i32'; entry points take tensors only}}
func.func @scalar_arg(%x: tensor<4xf32>, %n: i32) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// expected-error @+1 {{entry point @scalar_result result 0 has type 'f32'; entry points return tensors only}}
func.func @scalar_result(%x: tensor<f32>) -> f32 {
  %v = tensor.extract %x[] : tensor<f32>
  return %v : f32
}
