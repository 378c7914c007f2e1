// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-convert-quant-to-linalg{integer-product=true signed-activations=true}))' | FileCheck %s

// signed-activations (the AMD pipeline: its integer MFMA is signed x signed):
// the int8 Llama's u8 activations with a zero point are re-centred by an
// elementwise op of their own, a xor 0x80 (a - 128 as i8), the product
// sign-extends both sides, and the zero point of the correction is za - 128
// the same way, so a - za, and the result, are unchanged.
// CHECK-LABEL: func.func @u8_zero_point_recentred
// CHECK-SAME: %[[A:[^:]+]]: tensor<1x?x64xi8>, %[[W:[^:]+]]: tensor<64x32xi8>, %{{[^:]+}}: tensor<f32>, %{{[^:]+}}: tensor<f32>, %[[AZ:[^:]+]]: tensor<i8>
// CHECK: %[[A2:.+]] = tensor.collapse_shape %[[A]]
// CHECK: %[[AR:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel"]} ins(%[[A2]] : tensor<?x64xi8>) outs(%{{.+}} : tensor<?x64xi8>)
// CHECK:   %[[BIT:.+]] = arith.constant -128 : i8
// CHECK:   arith.xori %{{.+}}, %[[BIT]] : i8
// CHECK: %[[P:.+]] = linalg.generic {{.+}} ins(%[[AR]], %[[W]] : tensor<?x64xi8>, tensor<64x32xi8>) outs(%{{.+}} : tensor<?x32xi32>)
// CHECK: ^bb0(%[[X8:.+]]: i8, %[[Y8:.+]]: i8, %[[ACC:.+]]: i32):
// CHECK:   %[[X:.+]] = arith.extsi %[[X8]] : i8 to i32
// CHECK:   %[[Y:.+]] = arith.extsi %[[Y8]] : i8 to i32
// CHECK:   %[[XY:.+]] = arith.muli %[[X]], %[[Y]] : i32
// CHECK:   arith.addi %[[ACC]], %[[XY]] : i32
// CHECK-NOT: arith.extui
// CHECK: linalg.generic {{.+}} ins(%{{.+}}, %{{.+}}, %{{.+}}, %[[AZ]], %{{.+}} : tensor<1x?x32xi32>, tensor<f32>, tensor<f32>, tensor<i8>, tensor<32xi32>)
// CHECK: ^bb0(%[[V:.+]]: i32, %{{.+}}: f32, %{{.+}}: f32, %[[ZA:.+]]: i8, %[[CS:.+]]: i32, %{{.+}}: f32):
// CHECK:   %[[ZAF:.+]] = arith.xori %[[ZA]], %{{.+}} : i8
// CHECK:   %[[ZA32:.+]] = arith.extsi %[[ZAF]] : i8 to i32
// CHECK:   %[[CORR:.+]] = arith.muli %[[ZA32]], %[[CS]] : i32
// CHECK:   arith.subi %[[V]], %[[CORR]] : i32
// CHECK-NOT: arith.extui
func.func @u8_zero_point_recentred(%a: tensor<1x?x64xi8>, %w: tensor<64x32xi8>, %ws: tensor<f32>, %as: tensor<f32>, %az: tensor<i8>) -> tensor<1x?x32xf32> {
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as input_zero_point %az {
         input_scheme = #loom_quant.scheme<u8, zero_point>, weight_scheme = #loom_quant.scheme<i8>}
         : (tensor<1x?x64xi8>, tensor<64x32xi8>, tensor<f32>, tensor<f32>, tensor<i8>) -> tensor<1x?x32xf32>
  return %y : tensor<1x?x32xf32>
}

// -----

// The row sums (for a weight zero point) are of the re-centred input too,
// and K * za * zw uses za - 128; the u8 weight keeps its zero extension.
// CHECK-LABEL: func.func @both_zero_points_recentred
// CHECK: %[[AR:.+]] = linalg.generic {{.+}} outs(%{{.+}} : tensor<?x64xi8>)
// CHECK:   arith.xori
// CHECK: linalg.generic {{.+}} ins(%[[AR]], %{{.+}} : tensor<?x64xi8>, tensor<16x64xi8>) outs(%{{.+}} : tensor<?x16xi32>)
// CHECK:   arith.extsi
// CHECK:   arith.extui
// CHECK: linalg.generic {{.+}} ins(%{{.+}} : tensor<16x64xi8>) outs(%{{.+}} : tensor<16xi32>)
// CHECK:   arith.extui
// CHECK: linalg.generic {{.+}} ins(%[[AR]] : tensor<?x64xi8>) outs(%{{.+}} : tensor<?xi32>)
// CHECK:   arith.extsi
// CHECK: ^bb0(%[[V:.+]]: i32, %{{.+}}: f32, %{{.+}}: f32, %[[ZA:.+]]: i8, %[[CS:.+]]: i32, %[[ZW:.+]]: i8, %[[RS:.+]]: i32, %{{.+}}: f32):
// CHECK:   %[[ZAF:.+]] = arith.xori %[[ZA]]
// CHECK:   %[[ZA32:.+]] = arith.extsi %[[ZAF]]
// CHECK:   %[[ZW32:.+]] = arith.extui %[[ZW]]
// CHECK:   arith.muli %[[ZA32]], %[[ZW32]]
func.func @both_zero_points_recentred(%a: tensor<?x64xi8>, %w: tensor<16x64xi8>, %ws: tensor<16xf32>, %wz: tensor<16xi8>, %as: tensor<?xf32>, %az: tensor<?xi8>) -> tensor<?x16xf32> {
  %y = loom_quant.matmul %a, %w scale %ws zero_point %wz input_scale %as input_zero_point %az {
         weight_scheme = #loom_quant.scheme<u8, per_channel(axis = 0), zero_point>,
         input_scheme = #loom_quant.scheme<u8, per_channel(axis = 0), zero_point>, transpose_weight}
         : (tensor<?x64xi8>, tensor<16x64xi8>, tensor<16xf32>, tensor<16xi8>, tensor<?xf32>, tensor<?xi8>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// Without a zero point the u8 input is not re-centred (there is no
// correction to absorb the 128): the product stays u8 x i8.
// CHECK-LABEL: func.func @u8_no_zero_point
// CHECK-NOT: arith.xori
// CHECK: arith.extui
// CHECK-NOT: arith.xori
func.func @u8_no_zero_point(%a: tensor<8x64xi8>, %w: tensor<64x32xi8>, %ws: tensor<f32>, %as: tensor<f32>) -> tensor<8x32xf32> {
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as {
         input_scheme = #loom_quant.scheme<u8>, weight_scheme = #loom_quant.scheme<i8>}
         : (tensor<8x64xi8>, tensor<64x32xi8>, tensor<f32>, tensor<f32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}
