// RUN: loom-opt %s --split-input-file | loom-opt --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @quantize_per_tensor
// CHECK: loom_quant.quantize %{{.*}}, %{{.*}} {scheme = #loom_quant.scheme<i8>} : tensor<4x8xf32>, tensor<f32> -> tensor<4x8xi8>
func.func @quantize_per_tensor(%x: tensor<4x8xf32>, %s: tensor<f32>) -> tensor<4x8xi8> {
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i8>} : tensor<4x8xf32>, tensor<f32> -> tensor<4x8xi8>
  return %q : tensor<4x8xi8>
}

// -----

// CHECK-LABEL: func.func @quantize_per_channel_zero_point
// CHECK-SAME: %[[X:.+]]: tensor<4x8xf32>, %[[S:.+]]: tensor<8xf32>, %[[Z:.+]]: tensor<8xui8>
// CHECK: loom_quant.quantize %[[X]], %[[S]], %[[Z]] {scheme = #loom_quant.scheme<u8, per_channel(axis = 1), zero_point>}
// CHECK-SAME: : tensor<4x8xf32>, tensor<8xf32>, tensor<8xui8> -> tensor<4x8xui8>
func.func @quantize_per_channel_zero_point(%x: tensor<4x8xf32>, %s: tensor<8xf32>, %z: tensor<8xui8>) -> tensor<4x8xui8> {
  %q = loom_quant.quantize %x, %s, %z {scheme = #loom_quant.scheme<u8, per_channel(axis = 1), zero_point>} : tensor<4x8xf32>, tensor<8xf32>, tensor<8xui8> -> tensor<4x8xui8>
  return %q : tensor<4x8xui8>
}

// -----

// The scheme's clauses may come in any order; they print canonically.
// CHECK-LABEL: func.func @quantize_packed_int4_dynamic
// CHECK: {scheme = #loom_quant.scheme<i4, per_group(axis = 1, size = 32), packed>}
// CHECK-SAME: : tensor<?x128xf16>, tensor<?x4xf16> -> tensor<?x64xi8>
func.func @quantize_packed_int4_dynamic(%x: tensor<?x128xf16>, %s: tensor<?x4xf16>) -> tensor<?x64xi8> {
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i4, packed, per_group(axis = 1, size = 32)>} : tensor<?x128xf16>, tensor<?x4xf16> -> tensor<?x64xi8>
  return %q : tensor<?x64xi8>
}

// -----

// CHECK-LABEL: func.func @quantize_fp8
// CHECK: loom_quant.quantize {{.*}} {scheme = #loom_quant.scheme<f8E4M3FN, per_channel(axis = 0)>} : tensor<16x32xbf16>, tensor<16xf32> -> tensor<16x32xf8E4M3FN>
func.func @quantize_fp8(%x: tensor<16x32xbf16>, %s: tensor<16xf32>) -> tensor<16x32xf8E4M3FN> {
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<f8E4M3FN, per_channel(axis = 0)>} : tensor<16x32xbf16>, tensor<16xf32> -> tensor<16x32xf8E4M3FN>
  return %q : tensor<16x32xf8E4M3FN>
}

// -----

// CHECK-LABEL: func.func @dequantize_packed_u4
// CHECK: loom_quant.dequantize %{{.*}}, %{{.*}}, %{{.*}} {scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 32), zero_point, packed>}
// CHECK-SAME: : tensor<64x64xui8>, tensor<64x4xf16>, tensor<64x4xi4> -> tensor<64x128xf16>
func.func @dequantize_packed_u4(%q: tensor<64x64xui8>, %s: tensor<64x4xf16>, %z: tensor<64x4xi4>) -> tensor<64x128xf16> {
  %w = loom_quant.dequantize %q, %s, %z {scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 32), zero_point, packed>} : tensor<64x64xui8>, tensor<64x4xf16>, tensor<64x4xi4> -> tensor<64x128xf16>
  return %w : tensor<64x128xf16>
}

// -----

// CHECK-LABEL: func.func @dequantize_fp8_e5m2
// CHECK: {scheme = #loom_quant.scheme<f8E5M2>} : tensor<8xf8E5M2>, tensor<1xf32> -> tensor<8xf32>
func.func @dequantize_fp8_e5m2(%q: tensor<8xf8E5M2>, %s: tensor<1xf32>) -> tensor<8xf32> {
  %w = loom_quant.dequantize %q, %s {scheme = #loom_quant.scheme<f8E5M2, per_tensor>} : tensor<8xf8E5M2>, tensor<1xf32> -> tensor<8xf32>
  return %w : tensor<8xf32>
}

// -----

// CHECK-LABEL: func.func @dynamic_quantize_per_tensor_asymmetric
// CHECK: %{{.*}}, %{{.*}}, %{{.*}} = loom_quant.dynamic_quantize %{{.*}} {scheme = #loom_quant.scheme<u8, zero_point>} : tensor<4x8xf32> -> tensor<4x8xui8>, tensor<f32>, tensor<ui8>
func.func @dynamic_quantize_per_tensor_asymmetric(%x: tensor<4x8xf32>) -> (tensor<4x8xui8>, tensor<f32>, tensor<ui8>) {
  %q, %s, %z = loom_quant.dynamic_quantize %x {scheme = #loom_quant.scheme<u8, zero_point>} : tensor<4x8xf32> -> tensor<4x8xui8>, tensor<f32>, tensor<ui8>
  return %q, %s, %z : tensor<4x8xui8>, tensor<f32>, tensor<ui8>
}

// -----

// Per-token scales: one per row of a [T, d] activation with a dynamic T.
// CHECK-LABEL: func.func @dynamic_quantize_with_range
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>, %[[LO:.+]]: tensor<f32>, %[[HI:.+]]: tensor<f32>)
// CHECK: loom_quant.dynamic_quantize %[[X]] range(%[[LO]], %[[HI]] : tensor<f32>, tensor<f32>) {scheme = #loom_quant.scheme<u8, zero_point>} : tensor<4x8xf32> -> tensor<4x8xui8>, tensor<f32>, tensor<ui8>
func.func @dynamic_quantize_with_range(%x: tensor<4x8xf32>, %lo: tensor<f32>, %hi: tensor<f32>) -> (tensor<4x8xui8>, tensor<f32>, tensor<ui8>) {
  %q, %s, %z = loom_quant.dynamic_quantize %x range(%lo, %hi : tensor<f32>, tensor<f32>) {scheme = #loom_quant.scheme<u8, zero_point>} : tensor<4x8xf32> -> tensor<4x8xui8>, tensor<f32>, tensor<ui8>
  return %q, %s, %z : tensor<4x8xui8>, tensor<f32>, tensor<ui8>
}

// -----

// CHECK-LABEL: func.func @dynamic_quantize_per_token
// CHECK: %{{.*}}, %{{.*}} = loom_quant.dynamic_quantize %{{.*}} {scheme = #loom_quant.scheme<i8, per_channel(axis = 0)>} : tensor<?x64xf16> -> tensor<?x64xi8>, tensor<?xf32>
func.func @dynamic_quantize_per_token(%x: tensor<?x64xf16>) -> (tensor<?x64xi8>, tensor<?xf32>) {
  %q, %s = loom_quant.dynamic_quantize %x {scheme = #loom_quant.scheme<i8, per_channel(axis = 0)>} : tensor<?x64xf16> -> tensor<?x64xi8>, tensor<?xf32>
  return %q, %s : tensor<?x64xi8>, tensor<?xf32>
}

// -----

// W4A16 as MatMulNBits gives it: weight [N, K/2] bytes, groups along K.
// CHECK-LABEL: func.func @matmul_w4a16
// CHECK-SAME: %[[A:.+]]: tensor<2x4x128xf16>, %[[W:.+]]: tensor<256x64xui8>, %[[S:.+]]: tensor<256x4xf16>, %[[Z:.+]]: tensor<256x4xui4>
// CHECK: loom_quant.matmul %[[A]], %[[W]] scale %[[S]] zero_point %[[Z]]
// CHECK-SAME: transpose_weight
// CHECK-SAME: weight_scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 32), zero_point, packed>
// CHECK-SAME: -> tensor<2x4x256xf16>
func.func @matmul_w4a16(%a: tensor<2x4x128xf16>, %w: tensor<256x64xui8>, %s: tensor<256x4xf16>, %z: tensor<256x4xui4>) -> tensor<2x4x256xf16> {
  %y = loom_quant.matmul %a, %w scale %s zero_point %z {transpose_weight, weight_scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 32), zero_point, packed>} : (tensor<2x4x128xf16>, tensor<256x64xui8>, tensor<256x4xf16>, tensor<256x4xui4>) -> tensor<2x4x256xf16>
  return %y : tensor<2x4x256xf16>
}

// -----

// W8A8: per-channel weight, per-token dynamic input.
// CHECK-LABEL: func.func @matmul_w8a8
// CHECK: loom_quant.matmul %{{.*}}, %{{.*}} scale %{{.*}} input_scale %{{[0-9a-z_]+}} input_zero_point %{{[0-9a-z_]+}} {
// CHECK-SAME: input_scheme = #loom_quant.scheme<u8, per_channel(axis = 0), zero_point>
// CHECK-SAME: weight_scheme = #loom_quant.scheme<i8, per_channel(axis = 1)>
func.func @matmul_w8a8(%a: tensor<?x64xui8>, %w: tensor<64x32xi8>, %ws: tensor<32xf32>, %as: tensor<?xf32>, %az: tensor<?xui8>) -> tensor<?x32xf32> {
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as input_zero_point %az {weight_scheme = #loom_quant.scheme<i8, per_channel(axis = 1)>, input_scheme = #loom_quant.scheme<u8, per_channel(axis = 0), zero_point>} : (tensor<?x64xui8>, tensor<64x32xi8>, tensor<32xf32>, tensor<?xf32>, tensor<?xui8>) -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}

// -----

// W4A8: packed int4 weight, per-tensor int8 input.
// CHECK-LABEL: func.func @matmul_w4a8
// CHECK: input_scheme = #loom_quant.scheme<i8>
// CHECK-SAME: weight_scheme = #loom_quant.scheme<i4, per_group(axis = 0, size = 64), packed>
func.func @matmul_w4a8(%a: tensor<8x128xi8>, %w: tensor<128x32xi8>, %ws: tensor<2x64xf16>, %as: tensor<f32>) -> tensor<8x64xf16> {
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as {weight_scheme = #loom_quant.scheme<i4, per_group(axis = 0, size = 64), packed>, input_scheme = #loom_quant.scheme<i8>} : (tensor<8x128xi8>, tensor<128x32xi8>, tensor<2x64xf16>, tensor<f32>) -> tensor<8x64xf16>
  return %y : tensor<8x64xf16>
}

// -----

// FP8: e4m3 on both sides, per-tensor scales.
// CHECK-LABEL: func.func @matmul_fp8
// CHECK: input_scheme = #loom_quant.scheme<f8E4M3FN>
// CHECK-SAME: weight_scheme = #loom_quant.scheme<f8E4M3FN>
// CHECK-SAME: -> tensor<16x64xbf16>
func.func @matmul_fp8(%a: tensor<16x32xf8E4M3FN>, %w: tensor<32x64xf8E4M3FN>, %ws: tensor<f32>, %as: tensor<f32>) -> tensor<16x64xbf16> {
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as {weight_scheme = #loom_quant.scheme<f8E4M3FN>, input_scheme = #loom_quant.scheme<f8E4M3FN>} : (tensor<16x32xf8E4M3FN>, tensor<32x64xf8E4M3FN>, tensor<f32>, tensor<f32>) -> tensor<16x64xbf16>
  return %y : tensor<16x64xbf16>
}
