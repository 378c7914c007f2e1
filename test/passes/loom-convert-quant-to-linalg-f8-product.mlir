// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-convert-quant-to-linalg{f8-product=true}))' | FileCheck %s

// FP8 (e4m3) input and weight, scales constant along K: the product of the
// stored 8-bit floats in f32 over [M, K] (batch collapsed), then both
// scales in an elementwise epilogue over [..., M, N].
// CHECK-DAG: #[[MK:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[KN:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[MN:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[SCALAR:.+]] = affine_map<(d0, d1, d2) -> ()>
// CHECK-DAG: #[[COL:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @fp8
// CHECK-SAME: %[[A:[^:]+]]: tensor<1x?x64xf8E4M3FN>, %[[W:[^:]+]]: tensor<64x32xf8E4M3FN>, %[[WS:[^:]+]]: tensor<32xf32>, %[[AS:[^:]+]]: tensor<f32>
// CHECK: %[[A2:.+]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1], [2]] : tensor<1x?x64xf8E4M3FN> into tensor<?x64xf8E4M3FN>
// CHECK: %[[ACC:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<?x32xf32>)
// CHECK: %[[P:.+]] = linalg.generic {indexing_maps = [#[[MK]], #[[KN]], #[[MN]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[A2]], %[[W]] : tensor<?x64xf8E4M3FN>, tensor<64x32xf8E4M3FN>) outs(%[[ACC]] : tensor<?x32xf32>)
// CHECK: ^bb0(%[[X:.+]]: f8E4M3FN, %[[Y:.+]]: f8E4M3FN, %[[O:.+]]: f32):
// CHECK-NEXT: %[[XF:.+]] = arith.extf %[[X]] : f8E4M3FN to f32
// CHECK-NEXT: %[[YF:.+]] = arith.extf %[[Y]] : f8E4M3FN to f32
// CHECK-NEXT: %[[M:.+]] = arith.mulf %[[XF]], %[[YF]] : f32
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[O]], %[[M]] : f32
// CHECK-NEXT: linalg.yield %[[S]]
// CHECK: %[[P3:.+]] = tensor.expand_shape %[[P]] {{\[}}[0, 1], [2]]
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[SCALAR]], #[[COL]], #[[ID]]], {{.*}}} ins(%[[P3]], %[[AS]], %[[WS]] : tensor<1x?x32xf32>, tensor<f32>, tensor<32xf32>)
// CHECK: ^bb0(%[[V:.+]]: f32, %[[SA:.+]]: f32, %[[SW:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[SCALE:.+]] = arith.mulf %[[SA]], %[[SW]] : f32
// CHECK-NEXT: %[[R:.+]] = arith.mulf %[[V]], %[[SCALE]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK-NOT: loom_quant
func.func @fp8(%a: tensor<1x?x64xf8E4M3FN>, %w: tensor<64x32xf8E4M3FN>, %ws: tensor<32xf32>, %as: tensor<f32>) -> tensor<1x?x32xf32> {
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as {
         input_scheme = #loom_quant.scheme<f8E4M3FN>,
         weight_scheme = #loom_quant.scheme<f8E4M3FN, per_channel(axis = 1)>}
         : (tensor<1x?x64xf8E4M3FN>, tensor<64x32xf8E4M3FN>, tensor<32xf32>, tensor<f32>) -> tensor<1x?x32xf32>
  return %y : tensor<1x?x32xf32>
}

// -----

// A transposed [N, K] weight with per-row (output channel) scales: the
// weight is read as B[n, k]; bf16 results are rounded once at the end.
// CHECK-DAG: #[[NK:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @fp8_transposed
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[NK]], #{{.+}}], iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.+}}, %{{.+}} : tensor<16x64xf8E4M3FN>, tensor<32x64xf8E4M3FN>) outs(%{{.+}} : tensor<16x32xf32>)
// CHECK: arith.extf %{{.+}} : f8E4M3FN to f32
// CHECK: arith.truncf %{{.+}} : f32 to bf16
func.func @fp8_transposed(%a: tensor<16x64xf8E4M3FN>, %w: tensor<32x64xf8E4M3FN>, %ws: tensor<32xf32>, %as: tensor<f32>) -> tensor<16x32xbf16> {
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as {
         transpose_weight,
         input_scheme = #loom_quant.scheme<f8E4M3FN>,
         weight_scheme = #loom_quant.scheme<f8E4M3FN, per_channel(axis = 0)>}
         : (tensor<16x64xf8E4M3FN>, tensor<32x64xf8E4M3FN>, tensor<32xf32>, tensor<f32>) -> tensor<16x32xbf16>
  return %y : tensor<16x32xbf16>
}

// -----

// Per-group scales along K cannot leave the sum: the dequantizing
// contraction, whose body decodes the 8-bit floats with integer arithmetic.
// CHECK-LABEL: func.func @fp8_per_group
// CHECK-NOT: arith.extf %{{.+}} : f8E4M3FN
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.bitcast %{{.+}} : f8E4M3FN to i8
func.func @fp8_per_group(%a: tensor<16x64xf8E4M3FN>, %w: tensor<64x32xf8E4M3FN>, %ws: tensor<2x32xf32>, %as: tensor<f32>) -> tensor<16x32xf32> {
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as {
         input_scheme = #loom_quant.scheme<f8E4M3FN>,
         weight_scheme = #loom_quant.scheme<f8E4M3FN, per_group(axis = 0, size = 32)>}
         : (tensor<16x64xf8E4M3FN>, tensor<64x32xf8E4M3FN>, tensor<2x32xf32>, tensor<f32>) -> tensor<16x32xf32>
  return %y : tensor<16x32xf32>
}

// -----

// An f32 input (weight-only FP8): not a product of 8-bit floats.
// CHECK-LABEL: func.func @fp8_weight_only
// CHECK-NOT: arith.extf %{{.+}} : f8E4M3FN
// CHECK: arith.bitcast %{{.+}} : f8E4M3FN to i8
func.func @fp8_weight_only(%a: tensor<16x64xf32>, %w: tensor<64x32xf8E4M3FN>, %ws: tensor<f32>) -> tensor<16x32xf32> {
  %y = loom_quant.matmul %a, %w scale %ws {
         weight_scheme = #loom_quant.scheme<f8E4M3FN>}
         : (tensor<16x64xf32>, tensor<64x32xf8E4M3FN>, tensor<f32>) -> tensor<16x32xf32>
  return %y : tensor<16x32xf32>
}
