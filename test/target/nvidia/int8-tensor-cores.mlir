// RUN: loom-opt %s --loom-nvidia-lowering="chip=sm_80 format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s
// RUN: loom-opt %s --loom-nvidia-lowering="chip=sm_90a format=isa" | sed -e 's/\\0A/\n/g' -e 's/\\09/ /g' | FileCheck %s

// An i8 x i8 -> i32 matmul runs on tensor cores: m16n8k32 mma.sync with s8
// multiplicands and s32 accumulators, A's registers loaded 4 bytes at once.
// CHECK-LABEL: .visible .entry mm_kernel(
// CHECK: ld.global.{{b32|u32}}
// CHECK: mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32
// CHECK: st.global.{{b32|u32}}
func.func @mm(%a: tensor<64x128xi8>, %b: tensor<128x64xi8>) -> tensor<64x64xi32> {
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<64x64xi32>
  %f = linalg.fill ins(%z : i32) outs(%e : tensor<64x64xi32>) -> tensor<64x64xi32>
  %r = linalg.matmul ins(%a, %b : tensor<64x128xi8>, tensor<128x64xi8>)
                     outs(%f : tensor<64x64xi32>) -> tensor<64x64xi32>
  return %r : tensor<64x64xi32>
}

// W8A8 quantized matmuls with a dynamic token count: the integer product
// runs on the same kernel, a row tile's stores guarded by the row count,
// the zero-point correction and scales in an elementwise kernel after it.
// Symmetric i8 activations: s8.s8.
// CHECK-LABEL: .visible .entry w8a8_kernel(
// CHECK: mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32
// CHECK: setp.ge.u64 [[P:%p[0-9]+]], %{{.+}}, %{{.+}};
// CHECK: @[[P]] bra
// CHECK: st.global.{{b32|u32}}
// CHECK: .visible .entry w8a8_kernel(
// CHECK: cvt.rn.f32.s32
// CHECK: mul.{{(rn.)?}}f32
func.func @w8a8(%a: tensor<1x?x64xi8>, %w: tensor<64x32xi8>, %ws: tensor<32xf32>, %as: tensor<f32>) -> tensor<1x?x32xf32> {
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as {
         input_scheme = #loom_quant.scheme<i8>,
         weight_scheme = #loom_quant.scheme<i8, per_channel(axis = 1)>}
         : (tensor<1x?x64xi8>, tensor<64x32xi8>, tensor<32xf32>, tensor<f32>) -> tensor<1x?x32xf32>
  return %y : tensor<1x?x32xf32>
}

// DynamicQuantizeLinear's u8 activations with a zero point (the int8
// Llama's form): u8.s8, and the weight's column sums for the correction.
// CHECK-LABEL: .visible .entry w8a8_zero_point_kernel(
// CHECK: mma.sync.aligned.m16n8k32.row.col.s32.u8.s8.s32
func.func @w8a8_zero_point(%a: tensor<1x?x128xi8>, %w: tensor<128x64xi8>, %ws: tensor<f32>, %as: tensor<f32>, %az: tensor<i8>) -> tensor<1x?x64xf32> {
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as input_zero_point %az {
         input_scheme = #loom_quant.scheme<u8, zero_point>, weight_scheme = #loom_quant.scheme<i8>}
         : (tensor<1x?x128xi8>, tensor<128x64xi8>, tensor<f32>, tensor<f32>, tensor<i8>) -> tensor<1x?x64xf32>
  return %y : tensor<1x?x64xf32>
}
