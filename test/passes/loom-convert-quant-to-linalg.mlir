// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-convert-quant-to-linalg))' | FileCheck %s

// Per-tensor i8: x / scale rounded half to even (math.roundeven, not
// round-half-away), saturated to [-128, 127], truncated to the storage width.
// CHECK-DAG: #[[$ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$SCALAR:.+]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @quantize_per_tensor
// CHECK-SAME: %[[X:.+]]: tensor<4x8xf32>, %[[S:.+]]: tensor<f32>
// CHECK-NOT: loom_quant
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$SCALAR]], #[[$ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]], %[[S]] : tensor<4x8xf32>, tensor<f32>)
// CHECK: %[[DIV:.+]] = arith.divf
// CHECK: %[[R:.+]] = math.roundeven %[[DIV]] : f32
// CHECK: %[[LO:.+]] = arith.maxnumf %[[R]], %{{.+}} : f32
// CHECK: %[[HI:.+]] = arith.minnumf %[[LO]], %{{.+}} : f32
// CHECK: %[[I:.+]] = arith.fptosi %[[HI]] : f32 to i32
// CHECK: %[[Q:.+]] = arith.trunci %[[I]] : i32 to i8
// CHECK: linalg.yield %[[Q]] : i8
// CHECK-NOT: loom_quant
func.func @quantize_per_tensor(%x: tensor<4x8xf32>, %s: tensor<f32>) -> tensor<4x8xi8> {
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i8>} : tensor<4x8xf32>, tensor<f32> -> tensor<4x8xi8>
  return %q : tensor<4x8xi8>
}

// -----

// Per-channel u8 with a zero point: scale and zero point are read along
// axis 1; the unsigned zero point is zero-extended and added after rounding.
// CHECK-DAG: #[[$CH:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @quantize_per_channel_zero_point
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[$CH]], #[[$CH]], #{{.+}}]
// CHECK: math.roundeven
// CHECK: builtin.unrealized_conversion_cast %{{.+}} : ui8 to i8
// CHECK: arith.extui %{{.+}} : i8 to i32
// CHECK: arith.addf
// CHECK: linalg.yield %{{.+}} : ui8
func.func @quantize_per_channel_zero_point(%x: tensor<4x8xf32>, %s: tensor<8xf32>, %z: tensor<8xui8>) -> tensor<4x8xui8> {
  %q = loom_quant.quantize %x, %s, %z {scheme = #loom_quant.scheme<u8, per_channel(axis = 1), zero_point>} : tensor<4x8xf32>, tensor<8xf32>, tensor<8xui8> -> tensor<4x8xui8>
  return %q : tensor<4x8xui8>
}

// -----

// Packed i4: each output byte quantizes elements 2i (low nibble) and 2i+1
// (high nibble, shifted by 4), each with its own group's scale.
// CHECK-LABEL: func.func @quantize_packed_i4
// CHECK: %[[E:.+]] = tensor.empty(%{{.+}}) : tensor<?x64xi8>
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<?x64xi8>)
// CHECK: arith.divui %{{.+}}, %c32
// CHECK: math.roundeven
// CHECK: arith.trunci %{{.+}} : i32 to i4
// CHECK: arith.extui %{{.+}} : i4 to i8
// CHECK: math.roundeven
// CHECK: %[[HI:.+]] = arith.shli %{{.+}}, %c4_i8 : i8
// CHECK: arith.ori %{{.+}}, %{{.+}} : i8
func.func @quantize_packed_i4(%x: tensor<?x128xf16>, %s: tensor<?x4xf16>) -> tensor<?x64xi8> {
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i4, per_group(axis = 1, size = 32), packed>} : tensor<?x128xf16>, tensor<?x4xf16> -> tensor<?x64xi8>
  return %q : tensor<?x64xi8>
}

// -----

// 8-bit float storage converts with integer arithmetic (saturating to the
// largest finite value), ending in a bitcast of the byte.
// CHECK-LABEL: func.func @quantize_fp8
// CHECK: arith.minnumf %{{.+}}, %cst{{.*}} : f32
// CHECK: math.roundeven
// CHECK: arith.bitcast %{{.+}} : i8 to f8E4M3FN
// CHECK-NOT: arith.truncf
func.func @quantize_fp8(%x: tensor<16x32xf32>, %s: tensor<16xf32>) -> tensor<16x32xf8E4M3FN> {
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<f8E4M3FN, per_channel(axis = 0)>} : tensor<16x32xf32>, tensor<16xf32> -> tensor<16x32xf8E4M3FN>
  return %q : tensor<16x32xf8E4M3FN>
}

// -----

// Packed u4 per group: the byte is read at d1 floordiv 2, the parameters at
// d1 floordiv 32; the nibble is shifted down by 4 * (d1 mod 2) and masked.
// The f16 result is computed in f32 and truncated once.
// CHECK-DAG: #[[$BYTE:.+]] = affine_map<(d0, d1) -> (d0, d1 floordiv 2)>
// CHECK-DAG: #[[$GROUP:.+]] = affine_map<(d0, d1) -> (d0, d1 floordiv 32)>
// CHECK-LABEL: func.func @dequantize_packed_u4
// CHECK: linalg.generic {indexing_maps = [#[[$BYTE]], #[[$GROUP]], #[[$GROUP]], #{{.+}}]
// CHECK: %[[IDX:.+]] = linalg.index 1
// CHECK: arith.remui %[[IDX]], %c2
// CHECK: arith.shrui
// CHECK: arith.andi %{{.+}}, %c15_i8
// CHECK: arith.extui %{{.+}} : i8 to i32
// CHECK: arith.extui %{{.+}} : i4 to i32
// CHECK: arith.subf {{.*}} : f32
// CHECK: arith.mulf {{.*}} : f32
// CHECK: arith.truncf %{{.+}} : f32 to f16
func.func @dequantize_packed_u4(%q: tensor<64x64xui8>, %s: tensor<64x4xf16>, %z: tensor<64x4xi4>) -> tensor<64x128xf16> {
  %w = loom_quant.dequantize %q, %s, %z {scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 32), zero_point, packed>} : tensor<64x64xui8>, tensor<64x4xf16>, tensor<64x4xi4> -> tensor<64x128xf16>
  return %w : tensor<64x128xf16>
}

// -----

// Packed signed i4: the nibble is sign-extended (shl 4, then arithmetic
// shr 4) and extended with extsi.
// CHECK-LABEL: func.func @dequantize_packed_i4
// CHECK: arith.shrui
// CHECK: arith.shli %{{.+}}, %c4_i8
// CHECK: arith.shrsi %{{.+}}, %c4_i8
// CHECK: arith.extsi %{{.+}} : i8 to i32
// CHECK-NOT: arith.extui
func.func @dequantize_packed_i4(%q: tensor<8x4xi8>, %s: tensor<8xf32>) -> tensor<8x8xf32> {
  %w = loom_quant.dequantize %q, %s {scheme = #loom_quant.scheme<i4, per_channel(axis = 0), packed>} : tensor<8x4xi8>, tensor<8xf32> -> tensor<8x8xf32>
  return %w : tensor<8x8xf32>
}

// -----

// DynamicQuantizeLinear: one reduction for min(x, 0) and max(x, 0) (both
// start at 0), the scale and zero point from them, then the quantization.
// CHECK-LABEL: func.func @dynamic_quantize_u8
// CHECK: %[[MIN:.+]]:2 = linalg.generic {{.*}}iterator_types = ["reduction", "reduction"]
// CHECK: arith.minimumf
// CHECK: arith.maximumf
// CHECK: %[[P:.+]]:2 = linalg.generic {{.*}} ins(%[[MIN]]#0, %[[MIN]]#1 : tensor<f32>, tensor<f32>)
// CHECK: arith.cmpf oeq
// CHECK: arith.select
// CHECK: arith.divf %{{.+}}, %cst{{.*}} : f32
// CHECK: math.roundeven
// CHECK: %[[Q:.+]] = linalg.generic {{.*}} ins(%{{.+}}, %[[P]]#0, %[[P]]#1 :
// CHECK: math.roundeven
// CHECK: return %[[Q]], %[[P]]#0, %[[P]]#1
func.func @dynamic_quantize_u8(%x: tensor<4x8xf32>) -> (tensor<4x8xui8>, tensor<f32>, tensor<ui8>) {
  %q, %s, %z = loom_quant.dynamic_quantize %x {scheme = #loom_quant.scheme<u8, zero_point>} : tensor<4x8xf32> -> tensor<4x8xui8>, tensor<f32>, tensor<ui8>
  return %q, %s, %z : tensor<4x8xui8>, tensor<f32>, tensor<ui8>
}

// -----

// With its range given (by a norm's row loop): no reduction over x, the
// scale and zero point straight from the range, then the quantization.
// CHECK-LABEL: func.func @dynamic_quantize_range
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>, %[[LO:.+]]: tensor<f32>, %[[HI:.+]]: tensor<f32>)
// CHECK-NOT: arith.minimumf
// CHECK: %[[P:.+]]:2 = linalg.generic {{.*}} ins(%[[LO]], %[[HI]] : tensor<f32>, tensor<f32>)
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: linalg.generic {{.*}} ins(%[[X]], %[[P]]#0, %[[P]]#1 : tensor<4x8xf32>, tensor<f32>, tensor<ui8>)
// CHECK-NOT: arith.minimumf
func.func @dynamic_quantize_range(%x: tensor<4x8xf32>, %lo: tensor<f32>, %hi: tensor<f32>) -> (tensor<4x8xui8>, tensor<f32>, tensor<ui8>) {
  %q, %s, %z = loom_quant.dynamic_quantize %x range(%lo, %hi : tensor<f32>, tensor<f32>) {scheme = #loom_quant.scheme<u8, zero_point>} : tensor<4x8xf32> -> tensor<4x8xui8>, tensor<f32>, tensor<ui8>
  return %q, %s, %z : tensor<4x8xui8>, tensor<f32>, tensor<ui8>
}

// -----

// Per token: the reduction keeps the token axis parallel.
// CHECK-LABEL: func.func @dynamic_quantize_per_token
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK-SAME: outs(%{{.+}}, %{{.+}} : tensor<?xf32>, tensor<?xf32>)
func.func @dynamic_quantize_per_token(%x: tensor<?x64xf16>) -> (tensor<?x64xi8>, tensor<?xf32>) {
  %q, %s = loom_quant.dynamic_quantize %x {scheme = #loom_quant.scheme<i8, per_channel(axis = 0)>} : tensor<?x64xf16> -> tensor<?x64xi8>, tensor<?xf32>
  return %q, %s : tensor<?x64xi8>, tensor<?xf32>
}

// -----

// W4A16 (MatMulNBits): one contraction over [batch, M, N, K] that reads the
// packed weight at (n, k floordiv 2) and its group parameters at
// (n, k floordiv 32), dequantizes in the body and accumulates in f32; no
// dequantized weight tensor exists. One elementwise generic rounds to f16.
// CHECK-DAG: #[[$A:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[$W:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d3 floordiv 2)>
// CHECK-DAG: #[[$G:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d3 floordiv 32)>
// CHECK-DAG: #[[$O:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul_w4a16
// CHECK-SAME: %[[A:[^:]+]]: tensor<?x4x128xf16>, %[[W:[^:]+]]: tensor<256x64xi8>, %[[S:[^:]+]]: tensor<256x4xf16>, %[[Z:[^:]+]]: tensor<256x4xi4>
// CHECK: %[[ACC:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<?x4x256xf32>)
// CHECK: %[[MM:.+]] = linalg.generic {indexing_maps = [#[[$A]], #[[$W]], #[[$G]], #[[$G]], #[[$O]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[A]], %[[W]], %[[S]], %[[Z]] :
// CHECK-SAME: outs(%[[ACC]] : tensor<?x4x256xf32>)
// CHECK: linalg.index 3
// CHECK: arith.shrui
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: %[[P:.+]] = arith.mulf
// CHECK: %[[SUM:.+]] = arith.addf %{{.+}}, %[[P]] : f32
// CHECK: linalg.yield %[[SUM]] : f32
// CHECK: %[[R:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[MM]] :
// CHECK: arith.truncf %{{.+}} : f32 to f16
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
func.func @matmul_w4a16(%a: tensor<?x4x128xf16>, %w: tensor<256x64xi8>, %s: tensor<256x4xf16>, %z: tensor<256x4xi4>) -> tensor<?x4x256xf16> {
  %y = loom_quant.matmul %a, %w scale %s zero_point %z {
         weight_scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 32), zero_point, packed>,
         transpose_weight}
         : (tensor<?x4x128xf16>, tensor<256x64xi8>, tensor<256x4xf16>, tensor<256x4xi4>) -> tensor<?x4x256xf16>
  return %y : tensor<?x4x256xf16>
}

// -----

// W8A8: the input element is dequantized with its own (per-token) scale in
// the same body; an f32 result needs no conversion generic.
// CHECK-DAG: #[[$TOK:.+]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-DAG: #[[$WCH:.+]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func.func @matmul_w8a8
// CHECK: %[[MM:.+]] = linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}, #[[$WCH]], #[[$TOK]], #{{.+}}], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: arith.extsi %{{.+}} : i8 to i32
// CHECK: arith.extsi %{{.+}} : i8 to i32
// CHECK-NOT: linalg.generic
// CHECK: return %[[MM]]
func.func @matmul_w8a8(%a: tensor<?x64xi8>, %w: tensor<128x64xi8>, %ws: tensor<128xf32>, %as: tensor<?xf32>) -> tensor<?x128xf32> {
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as {
         weight_scheme = #loom_quant.scheme<i8, per_channel(axis = 0)>,
         input_scheme = #loom_quant.scheme<i8, per_channel(axis = 0)>, transpose_weight}
         : (tensor<?x64xi8>, tensor<128x64xi8>, tensor<128xf32>, tensor<?xf32>) -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

// FP8: both operands are decoded from their bytes in the contraction body.
// CHECK-LABEL: func.func @matmul_fp8
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.bitcast %{{.+}} : f8E4M3FN to i8
// CHECK: arith.bitcast %{{.+}} : f8E4M3FN to i8
// CHECK-NOT: arith.extf %{{.+}} : f8E4M3FN
func.func @matmul_fp8(%a: tensor<8x32xf8E4M3FN>, %w: tensor<32x16xf8E4M3FN>, %ws: tensor<f32>, %as: tensor<f32>) -> tensor<8x16xbf16> {
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as {
         weight_scheme = #loom_quant.scheme<f8E4M3FN>, input_scheme = #loom_quant.scheme<f8E4M3FN>}
         : (tensor<8x32xf8E4M3FN>, tensor<32x16xf8E4M3FN>, tensor<f32>, tensor<f32>) -> tensor<8x16xbf16>
  return %y : tensor<8x16xbf16>
}

// -----

// Ops of other dialects are left alone.
// CHECK-LABEL: func.func @not_quant
// CHECK: loom_moe.route
// CHECK: linalg.matmul
func.func @not_quant(%l: tensor<4x8xf32>, %a: tensor<4x4xf32>, %b: tensor<4x4xf32>) -> (tensor<4x2xf32>, tensor<4x4xf32>) {
  %w, %ids = loom_moe.route %l top 2 softmax : tensor<4x8xf32> -> tensor<4x2xf32>, tensor<4x2xi32>
  %m = linalg.matmul ins(%a, %b : tensor<4x4xf32>, tensor<4x4xf32>) outs(%a : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %w, %m : tensor<4x2xf32>, tensor<4x4xf32>
}
