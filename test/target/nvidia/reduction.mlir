// RUN: loom-opt %s --loom-nvidia-lowering="chip=sm_90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s
// RUN: loom-opt %s --loom-nvidia-lowering="chip=sm_80 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s

// A row reduction: one thread per row, a sequential loop over the row.
// CHECK-LABEL: .visible .entry rowmax_kernel(
// CHECK: ld.global
// CHECK: max.f32
// CHECK: st.global
func.func @rowmax(%a: tensor<128x1024xf32>) -> tensor<128xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<128xf32>
  %f = linalg.fill ins(%ninf : f32) outs(%e : tensor<128xf32>) -> tensor<128xf32>
  %r = linalg.reduce ins(%a : tensor<128x1024xf32>) outs(%f : tensor<128xf32>) dimensions = [1]
    (%x: f32, %acc: f32) {
      %m = arith.maxnumf %x, %acc : f32
      linalg.yield %m : f32
    }
  return %r : tensor<128xf32>
}

// A reduction to a scalar has no parallel dimension: it still runs on the
// device (one thread), never on the host.
// CHECK-LABEL: .visible .entry total_kernel
// CHECK: ld.global
// CHECK: add.rn.f32
// CHECK: st.global
func.func @total(%a: tensor<1024xf32>) -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %r = linalg.reduce ins(%a : tensor<1024xf32>) outs(%f : tensor<f32>) dimensions = [0]
    (%x: f32, %acc: f32) {
      %s = arith.addf %x, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<f32>
}
