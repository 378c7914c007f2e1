// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-convert-quant-to-linalg{integer-product=true}))' | FileCheck %s

// W8A8 as the int8 Llama imports it (DynamicQuantizeLinear's u8 input with a
// zero point, i8 weight): the raw bytes multiply in i32 over [M, K] with the
// batch dimension collapsed (u8 zero-extended, i8 sign-extended), then one
// epilogue subtracts za * colsum(w) and scales by both scales.
// CHECK-DAG: #[[$A:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$W:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[$C:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[$WCOL:.+]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG: #[[$ROW:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[$N:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @w8a8_zero_point
// CHECK-SAME: %[[A:[^:]+]]: tensor<1x?x64xi8>, %[[W:[^:]+]]: tensor<64x32xi8>, %[[WS:[^:]+]]: tensor<f32>, %[[AS:[^:]+]]: tensor<f32>, %[[AZ:[^:]+]]: tensor<i8>
// CHECK: %[[A2:.+]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1], [2]] : tensor<1x?x64xi8> into tensor<?x64xi8>
// CHECK: %[[ACC:.+]] = linalg.fill ins(%{{.+}} : i32) outs(%{{.+}} : tensor<?x32xi32>)
// CHECK: %[[P:.+]] = linalg.generic {indexing_maps = [#[[$A]], #[[$W]], #[[$C]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[A2]], %[[W]] : tensor<?x64xi8>, tensor<64x32xi8>) outs(%[[ACC]] : tensor<?x32xi32>)
// CHECK:   %[[X:.+]] = arith.extui %{{.+}} : i8 to i32
// CHECK:   %[[Y:.+]] = arith.extsi %{{.+}} : i8 to i32
// CHECK:   %[[XY:.+]] = arith.muli %[[X]], %[[Y]] : i32
// CHECK:   arith.addi %{{.+}}, %[[XY]] : i32
// CHECK: %[[COLS:.+]] = linalg.generic {indexing_maps = [#[[$WCOL]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[W]] : tensor<64x32xi8>) outs(%{{.+}} : tensor<32xi32>)
// CHECK:   arith.extsi
// CHECK: %[[P3:.+]] = tensor.expand_shape %[[P]] {{\[}}[0, 1], [2]] output_shape [1, %{{.+}}, 32] : tensor<?x32xi32> into tensor<1x?x32xi32>
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[P3]], %[[AS]], %[[WS]], %[[AZ]], %[[COLS]] : tensor<1x?x32xi32>, tensor<f32>, tensor<f32>, tensor<i8>, tensor<32xi32>)
// CHECK: ^bb0(%[[V:.+]]: i32, %[[SA:.+]]: f32, %[[SW:.+]]: f32, %[[ZA:.+]]: i8, %[[CS:.+]]: i32, %{{.+}}: f32):
// CHECK:   %[[ZA32:.+]] = arith.extui %[[ZA]] : i8 to i32
// CHECK:   %[[CORR:.+]] = arith.muli %[[ZA32]], %[[CS]] : i32
// CHECK:   %[[D:.+]] = arith.subi %[[V]], %[[CORR]] : i32
// CHECK:   %[[F:.+]] = arith.sitofp %[[D]] : i32 to f32
// CHECK:   %[[S:.+]] = arith.mulf %[[SA]], %[[SW]] : f32
// CHECK:   %[[R:.+]] = arith.mulf %[[F]], %[[S]] : f32
// CHECK:   linalg.yield %[[R]] : f32
// CHECK-NOT: loom_quant
func.func @w8a8_zero_point(%a: tensor<1x?x64xi8>, %w: tensor<64x32xi8>, %ws: tensor<f32>, %as: tensor<f32>, %az: tensor<i8>) -> tensor<1x?x32xf32> {
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as input_zero_point %az {
         input_scheme = #loom_quant.scheme<u8, zero_point>, weight_scheme = #loom_quant.scheme<i8>}
         : (tensor<1x?x64xi8>, tensor<64x32xi8>, tensor<f32>, tensor<f32>, tensor<i8>) -> tensor<1x?x32xf32>
  return %y : tensor<1x?x32xf32>
}

// -----

// Zero points on both sides (per token, per output channel), weight N x K:
// row sums of the input times zw are subtracted too, and K * za * zw added
// back; a 16-bit result is rounded once from f32.
// CHECK-LABEL: func.func @both_zero_points
// CHECK: linalg.generic {{.+}} ins(%{{.+}}, %{{.+}} : tensor<?x64xi8>, tensor<16x64xi8>) outs(%{{.+}} : tensor<?x16xi32>)
// CHECK: %[[COLS:.+]] = linalg.generic {{.+}} ins(%{{.+}} : tensor<16x64xi8>) outs(%{{.+}} : tensor<16xi32>)
// CHECK: %[[ROWS:.+]] = linalg.generic {{.+}} ins(%{{.+}} : tensor<?x64xi8>) outs(%{{.+}} : tensor<?xi32>)
// CHECK: %[[K:.+]] = arith.index_cast %{{.+}} : index to i32
// CHECK: linalg.generic
// CHECK: ^bb0(%[[V:.+]]: i32, %{{.+}}: f32, %{{.+}}: f32, %[[ZA:.+]]: i8, %[[CS:.+]]: i32, %[[ZW:.+]]: i8, %[[RS:.+]]: i32, %{{.+}}: f16):
// CHECK:   %[[ZA32:.+]] = arith.extui %[[ZA]]
// CHECK:   %[[C1:.+]] = arith.muli %[[ZA32]], %[[CS]]
// CHECK:   %[[D1:.+]] = arith.subi %[[V]], %[[C1]]
// CHECK:   %[[ZW32:.+]] = arith.extui %[[ZW]]
// CHECK:   %[[C2:.+]] = arith.muli %[[ZW32]], %[[RS]]
// CHECK:   %[[D2:.+]] = arith.subi %[[D1]], %[[C2]]
// CHECK:   %[[ZZ:.+]] = arith.muli %[[ZA32]], %[[ZW32]]
// CHECK:   %[[KZZ:.+]] = arith.muli %[[K]], %[[ZZ]]
// CHECK:   %[[D3:.+]] = arith.addi %[[D2]], %[[KZZ]]
// CHECK:   arith.sitofp %[[D3]] : i32 to f32
// CHECK:   arith.truncf %{{.+}} : f32 to f16
func.func @both_zero_points(%a: tensor<?x64xi8>, %w: tensor<16x64xi8>, %ws: tensor<16xf32>, %wz: tensor<16xi8>, %as: tensor<?xf32>, %az: tensor<?xi8>) -> tensor<?x16xf16> {
  %y = loom_quant.matmul %a, %w scale %ws zero_point %wz input_scale %as input_zero_point %az {
         weight_scheme = #loom_quant.scheme<u8, per_channel(axis = 0), zero_point>,
         input_scheme = #loom_quant.scheme<u8, per_channel(axis = 0), zero_point>, transpose_weight}
         : (tensor<?x64xi8>, tensor<16x64xi8>, tensor<16xf32>, tensor<16xi8>, tensor<?xf32>, tensor<?xi8>) -> tensor<?x16xf16>
  return %y : tensor<?x16xf16>
}

// -----

// Scales that vary along K (per-group weights) cannot leave the sum, and
// float inputs have no integer product: both keep the dequantizing f32
// contraction.
// CHECK-LABEL: func.func @per_group_weight
// CHECK-NOT: xi32>
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<8x64xf32>)
// CHECK: arith.addf
// CHECK-LABEL: func.func @float_input
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : tensor<8x64xf32>)
// CHECK: arith.addf
func.func @per_group_weight(%a: tensor<8x64xi8>, %w: tensor<64x64xi8>, %ws: tensor<2x64xf32>, %as: tensor<f32>) -> tensor<8x64xf32> {
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as {
         weight_scheme = #loom_quant.scheme<i8, per_group(axis = 0, size = 32)>,
         input_scheme = #loom_quant.scheme<i8>}
         : (tensor<8x64xi8>, tensor<64x64xi8>, tensor<2x64xf32>, tensor<f32>) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}
func.func @float_input(%a: tensor<8x64xf32>, %w: tensor<64x64xi8>, %ws: tensor<64xf32>) -> tensor<8x64xf32> {
  %y = loom_quant.matmul %a, %w scale %ws {
         weight_scheme = #loom_quant.scheme<i8, per_channel(axis = 1)>}
         : (tensor<8x64xf32>, tensor<64x64xi8>, tensor<64xf32>) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

// A constant weight's column sums are folded at compile time (column 0:
// 1 + 3 = 4, column 1: -2 + 4 = 2), so no kernel sums them on each call.
// CHECK-LABEL: func.func @constant_weight
// CHECK: %[[W:[a-z0-9_]+]] = arith.constant dense<{{.+}}> : tensor<2x2xi8>
// CHECK: linalg.generic {{.+}} ins(%{{.+}}, %[[W]] : tensor<?x2xi8>, tensor<2x2xi8>)
// CHECK-NOT: iterator_types = ["parallel", "reduction"]
// CHECK: %[[COLS:[a-z0-9_]+]] = arith.constant dense<[4, 2]> : tensor<2xi32>
// CHECK-NOT: iterator_types = ["parallel", "reduction"]
// CHECK: linalg.generic {{.+}} ins(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[COLS]] :
func.func @constant_weight(%a: tensor<?x2xi8>, %as: tensor<f32>, %az: tensor<i8>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[1, -2], [3, 4]]> : tensor<2x2xi8>
  %ws = arith.constant dense<0.5> : tensor<f32>
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as input_zero_point %az {
         input_scheme = #loom_quant.scheme<u8, zero_point>, weight_scheme = #loom_quant.scheme<i8>}
         : (tensor<?x2xi8>, tensor<2x2xi8>, tensor<f32>, tensor<f32>, tensor<i8>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
