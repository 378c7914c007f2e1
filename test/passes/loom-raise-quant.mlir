// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-raise-quant))' | FileCheck %s

// The inputs are what the ONNX importer gives for small ONNX graphs.

// ONNX Runtime's dynamic int8 form (DynamicQuantizeLinear, MatMulInteger,
// Cast, Mul by x_scale * w_scale): one W8A8 matmul reading the u8
// activations with their dynamic scale and zero point and the i8 weight
// with its scale (the scale product is folded in). Nothing else is left.
// CHECK-LABEL: func.func @dyn
// CHECK-SAME: (%[[X:[^ ,]+]]: tensor<2x3x8xf32>)
// CHECK-DAG: %[[W:[^ ,]+]] = arith.constant dense<{{.*}}> : tensor<8x4xi8>
// CHECK-DAG: %[[WS:[^ ,]+]] = arith.constant dense<2.000000e-02> : tensor<f32>
// CHECK-DAG: %[[WZ:[^ ,]+]] = arith.constant dense<0> : tensor<i8>
// CHECK: %[[Q:[^ ,]+]], %[[S:[^ ,]+]], %[[Z:[^ ,]+]] = loom_quant.dynamic_quantize %[[X]]
// CHECK-NEXT: %[[Y:[^ ,]+]] = loom_quant.matmul %[[Q]], %[[W]] scale %[[WS]] zero_point %[[WZ]] input_scale %[[S]] input_zero_point %[[Z]] {input_scheme = #loom_quant.scheme<u8, zero_point>, weight_scheme = #loom_quant.scheme<i8, zero_point>} : (tensor<2x3x8xi8>, tensor<8x4xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>) -> tensor<2x3x4xf32>
// CHECK-NEXT: return %[[Y]]
func.func @dyn(%arg0: tensor<2x3x8xf32>) -> (tensor<2x3x4xf32>) {
  %cst = arith.constant dense<[[89, 34, 2, -59], [-49, -117, -108, -123], [-83, 79, 37, 104], [0, 27, 119, 58], [33, 11, 15, 110], [-57, 80, 43, -127], [-27, 90, 13, -119], [67, 58, 88, -83]]> : tensor<8x4xi8>
  %cst_0 = arith.constant dense<2.000000e-02> : tensor<f32>
  %cst_1 = arith.constant dense<0> : tensor<i8>
  %result, %scale, %zero_point = loom_quant.dynamic_quantize %arg0 {scheme = #loom_quant.scheme<u8, zero_point>} : tensor<2x3x8xf32> -> tensor<2x3x8xi8>, tensor<f32>, tensor<i8>
  %0 = tensor.empty() : tensor<f32>
  %1 = linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []} ins(%scale, %cst_0 : tensor<f32>, tensor<f32>) outs(%0 : tensor<f32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %9 = arith.mulf %in, %in_3 : f32
    linalg.yield %9 : f32
  } -> tensor<f32>
  %extracted = tensor.extract %zero_point[] : tensor<i8>
  %extracted_2 = tensor.extract %cst_1[] : tensor<i8>
  %c0_i32 = arith.constant 0 : i32
  %2 = tensor.empty() : tensor<2x3x4xi32>
  %3 = linalg.fill ins(%c0_i32 : i32) outs(%2 : tensor<2x3x4xi32>) -> tensor<2x3x4xi32>
  %4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%result, %cst : tensor<2x3x8xi8>, tensor<8x4xi8>) outs(%3 : tensor<2x3x4xi32>) {
  ^bb0(%in: i8, %in_3: i8, %out: i32):
    %9 = arith.extui %in : i8 to i32
    %10 = arith.extsi %in_3 : i8 to i32
    %11 = arith.extui %extracted : i8 to i32
    %12 = arith.subi %9, %11 : i32
    %13 = arith.extsi %extracted_2 : i8 to i32
    %14 = arith.subi %10, %13 : i32
    %15 = arith.muli %12, %14 : i32
    %16 = arith.addi %out, %15 : i32
    linalg.yield %16 : i32
  } -> tensor<2x3x4xi32>
  %5 = tensor.empty() : tensor<2x3x4xf32>
  %6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%4 : tensor<2x3x4xi32>) outs(%5 : tensor<2x3x4xf32>) {
  ^bb0(%in: i32, %out: f32):
    %9 = arith.sitofp %in : i32 to f32
    linalg.yield %9 : f32
  } -> tensor<2x3x4xf32>
  %7 = tensor.empty() : tensor<2x3x4xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> ()>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6, %1 : tensor<2x3x4xf32>, tensor<f32>) outs(%7 : tensor<2x3x4xf32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %9 = arith.mulf %in, %in_3 : f32
    linalg.yield %9 : f32
  } -> tensor<2x3x4xf32>
  return %8 : tensor<2x3x4xf32>
}

// -----

// Per-column weight scales and zero points ([N]; the zero point is the
// integer contraction's third input): per_channel along the weight's N axis.
// CHECK-LABEL: func.func @dyn_perchannel
// CHECK-DAG: %[[WS:[^ ,]+]] = arith.constant dense<2.000000e-02> : tensor<4xf32>
// CHECK-DAG: %[[WZ:[^ ,]+]] = arith.constant dense<0> : tensor<4xi8>
// CHECK: %[[Q:[^ ,]+]], %[[S:[^ ,]+]], %[[Z:[^ ,]+]] = loom_quant.dynamic_quantize
// CHECK-NEXT: %[[Y:[^ ,]+]] = loom_quant.matmul %[[Q]], %{{[^ ,]+}} scale %[[WS]] zero_point %[[WZ]] input_scale %[[S]] input_zero_point %[[Z]] {input_scheme = #loom_quant.scheme<u8, zero_point>, weight_scheme = #loom_quant.scheme<i8, per_channel(axis = 1), zero_point>}
// CHECK-NEXT: return %[[Y]]
func.func @dyn_perchannel(%arg0: tensor<2x3x8xf32>) -> (tensor<2x3x4xf32>) {
  %cst = arith.constant dense<[[-105, 92, -122, 10], [-107, -51, -5, -20], [-25, -120, -126, -96], [-125, 43, 6, 37], [-62, 29, 67, -30], [-10, 126, 77, 122], [-31, 47, 114, 38], [86, 47, 51, -29]]> : tensor<8x4xi8>
  %cst_0 = arith.constant dense<2.000000e-02> : tensor<4xf32>
  %cst_1 = arith.constant dense<0> : tensor<4xi8>
  %result, %scale, %zero_point = loom_quant.dynamic_quantize %arg0 {scheme = #loom_quant.scheme<u8, zero_point>} : tensor<2x3x8xf32> -> tensor<2x3x8xi8>, tensor<f32>, tensor<i8>
  %0 = tensor.empty() : tensor<4xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%scale, %cst_0 : tensor<f32>, tensor<4xf32>) outs(%0 : tensor<4xf32>) {
  ^bb0(%in: f32, %in_2: f32, %out: f32):
    %9 = arith.mulf %in, %in_2 : f32
    linalg.yield %9 : f32
  } -> tensor<4xf32>
  %extracted = tensor.extract %zero_point[] : tensor<i8>
  %c0_i32 = arith.constant 0 : i32
  %2 = tensor.empty() : tensor<2x3x4xi32>
  %3 = linalg.fill ins(%c0_i32 : i32) outs(%2 : tensor<2x3x4xi32>) -> tensor<2x3x4xi32>
  %4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%result, %cst, %cst_1 : tensor<2x3x8xi8>, tensor<8x4xi8>, tensor<4xi8>) outs(%3 : tensor<2x3x4xi32>) {
  ^bb0(%in: i8, %in_2: i8, %in_3: i8, %out: i32):
    %9 = arith.extui %in : i8 to i32
    %10 = arith.extsi %in_2 : i8 to i32
    %11 = arith.extui %extracted : i8 to i32
    %12 = arith.subi %9, %11 : i32
    %13 = arith.extsi %in_3 : i8 to i32
    %14 = arith.subi %10, %13 : i32
    %15 = arith.muli %12, %14 : i32
    %16 = arith.addi %out, %15 : i32
    linalg.yield %16 : i32
  } -> tensor<2x3x4xi32>
  %5 = tensor.empty() : tensor<2x3x4xf32>
  %6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%4 : tensor<2x3x4xi32>) outs(%5 : tensor<2x3x4xf32>) {
  ^bb0(%in: i32, %out: f32):
    %9 = arith.sitofp %in : i32 to f32
    linalg.yield %9 : f32
  } -> tensor<2x3x4xf32>
  %7 = tensor.empty() : tensor<2x3x4xf32>
  %8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%6, %1 : tensor<2x3x4xf32>, tensor<4xf32>) outs(%7 : tensor<2x3x4xf32>) {
  ^bb0(%in: f32, %in_2: f32, %out: f32):
    %9 = arith.mulf %in, %in_2 : f32
    linalg.yield %9 : f32
  } -> tensor<2x3x4xf32>
  return %8 : tensor<2x3x4xf32>
}

// -----

// Negative: the product is scaled by w_scale * w_scale, not by the dynamic
// scale of its input; the integer contraction stays.
// CHECK-LABEL: func.func @dyn_wrong_scale
// CHECK-NOT: loom_quant.matmul
// CHECK: arith.muli
// CHECK: arith.sitofp
// CHECK-NOT: loom_quant.matmul
// CHECK: return
func.func @dyn_wrong_scale(%arg0: tensor<3x8xf32>) -> (tensor<3x4xf32>) {
  %cst = arith.constant dense<[[95, -93, 20, 56], [87, 6, -32, -49], [-20, -4, 55, 98], [-109, 110, 7, -37], [43, 18, -63, -46], [55, 23, 1, -42], [66, -28, -44, 99], [-60, -70, 54, 31]]> : tensor<8x4xi8>
  %cst_0 = arith.constant dense<0> : tensor<i8>
  %result, %scale, %zero_point = loom_quant.dynamic_quantize %arg0 {scheme = #loom_quant.scheme<u8, zero_point>} : tensor<3x8xf32> -> tensor<3x8xi8>, tensor<f32>, tensor<i8>
  %cst_1 = arith.constant dense<4.000000e-04> : tensor<f32>
  %extracted = tensor.extract %zero_point[] : tensor<i8>
  %extracted_2 = tensor.extract %cst_0[] : tensor<i8>
  %c0_i32 = arith.constant 0 : i32
  %0 = tensor.empty() : tensor<3x4xi32>
  %1 = linalg.fill ins(%c0_i32 : i32) outs(%0 : tensor<3x4xi32>) -> tensor<3x4xi32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%result, %cst : tensor<3x8xi8>, tensor<8x4xi8>) outs(%1 : tensor<3x4xi32>) {
  ^bb0(%in: i8, %in_3: i8, %out: i32):
    %7 = arith.extui %in : i8 to i32
    %8 = arith.extsi %in_3 : i8 to i32
    %9 = arith.extui %extracted : i8 to i32
    %10 = arith.subi %7, %9 : i32
    %11 = arith.extsi %extracted_2 : i8 to i32
    %12 = arith.subi %8, %11 : i32
    %13 = arith.muli %10, %12 : i32
    %14 = arith.addi %out, %13 : i32
    linalg.yield %14 : i32
  } -> tensor<3x4xi32>
  %3 = tensor.empty() : tensor<3x4xf32>
  %4 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%2 : tensor<3x4xi32>) outs(%3 : tensor<3x4xf32>) {
  ^bb0(%in: i32, %out: f32):
    %7 = arith.sitofp %in : i32 to f32
    linalg.yield %7 : f32
  } -> tensor<3x4xf32>
  %5 = tensor.empty() : tensor<3x4xf32>
  %6 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%4, %cst_1 : tensor<3x4xf32>, tensor<f32>) outs(%5 : tensor<3x4xf32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %7 = arith.mulf %in, %in_3 : f32
    linalg.yield %7 : f32
  } -> tensor<3x4xf32>
  return %6 : tensor<3x4xf32>
}

// -----

// QDQ: a per-channel dequantized weight into linalg.matmul; the matmul
// reads the stored weight, the dequantize goes.
// CHECK-LABEL: func.func @dq_matmul
// CHECK-SAME: (%[[X:[^ ,]+]]: tensor<3x8xf32>)
// CHECK-NOT: loom_quant.dequantize
// CHECK: %[[Y:[^ ,]+]] = loom_quant.matmul %[[X]], %{{[^ ,]+}} scale %{{[^ ,]+}} {weight_scheme = #loom_quant.scheme<i8, per_channel(axis = 1)>} : (tensor<3x8xf32>, tensor<8x4xi8>, tensor<4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: return %[[Y]]
func.func @dq_matmul(%arg0: tensor<3x8xf32>) -> (tensor<3x4xf32>) {
  %cst = arith.constant dense<[[-115, -106, -32, 84], [-26, 72, -47, -67], [74, 95, -107, -113], [43, -42, 18, -89], [91, -13, 100, 75], [52, -69, 67, -114], [17, -25, 126, -77], [113, -104, 31, 20]]> : tensor<8x4xi8>
  %cst_0 = arith.constant dense<2.000000e-02> : tensor<4xf32>
  %0 = loom_quant.dequantize %cst, %cst_0 {scheme = #loom_quant.scheme<i8, per_channel(axis = 1)>} : tensor<8x4xi8>, tensor<4xf32> -> tensor<8x4xf32>
  %1 = tensor.empty() : tensor<3x4xf32>
  %cst_1 = arith.constant 0.000000e+00 : f32
  %2 = linalg.fill ins(%cst_1 : f32) outs(%1 : tensor<3x4xf32>) -> tensor<3x4xf32>
  %3 = linalg.matmul ins(%arg0, %0 : tensor<3x8xf32>, tensor<8x4xf32>) outs(%2 : tensor<3x4xf32>) -> tensor<3x4xf32>
  return %3 : tensor<3x4xf32>
}

// -----

// QDQ into a Gemm with transB (the importer's contraction generic reading
// the weight as [N, K]): transpose_weight, u8 with its zero point.
// CHECK-LABEL: func.func @dq_gemm
// CHECK-NOT: loom_quant.dequantize
// CHECK: %[[Y:[^ ,]+]] = loom_quant.matmul %{{[^ ,]+}}, %{{[^ ,]+}} scale %{{[^ ,]+}} zero_point %{{[^ ,]+}} {transpose_weight, weight_scheme = #loom_quant.scheme<u8, zero_point>} : (tensor<3x8xf32>, tensor<4x8xi8>, tensor<f32>, tensor<i8>) -> tensor<3x4xf32>
// CHECK-NEXT: return %[[Y]]
func.func @dq_gemm(%arg0: tensor<3x8xf32>) -> (tensor<3x4xf32>) {
  %cst = arith.constant dense<[[-27, 76, -26, -85, -29, 50, -63, -16], [12, 93, -94, 26, -126, -96, -62, -20], [104, 112, 120, -13, 49, 127, 12, 108], [-15, -98, 89, -3, -103, -15, 4, 117]]> : tensor<4x8xi8>
  %cst_0 = arith.constant dense<2.000000e-02> : tensor<f32>
  %cst_1 = arith.constant dense<-128> : tensor<i8>
  %0 = loom_quant.dequantize %cst, %cst_0, %cst_1 {scheme = #loom_quant.scheme<u8, zero_point>} : tensor<4x8xi8>, tensor<f32>, tensor<i8> -> tensor<4x8xf32>
  %1 = tensor.empty() : tensor<3x4xf32>
  %cst_2 = arith.constant 0.000000e+00 : f32
  %2 = linalg.fill ins(%cst_2 : f32) outs(%1 : tensor<3x4xf32>) -> tensor<3x4xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %0 : tensor<3x8xf32>, tensor<4x8xf32>) outs(%2 : tensor<3x4xf32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %4 = arith.mulf %in, %in_3 : f32
    %5 = arith.addf %out, %4 : f32
    linalg.yield %5 : f32
  } -> tensor<3x4xf32>
  return %3 : tensor<3x4xf32>
}

// -----

// QDQ on both sides: the quantized activations and their scale and zero
// point feed the matmul directly (W8A8).
// CHECK-LABEL: func.func @qdq_act
// CHECK: %[[Q:[^ ,]+]] = loom_quant.quantize
// CHECK-NOT: loom_quant.dequantize
// CHECK: %[[Y:[^ ,]+]] = loom_quant.matmul %[[Q]], %{{[^ ,]+}} scale %{{[^ ,]+}} input_scale %{{[^ ,]+}} input_zero_point %{{[^ ,]+}} {input_scheme = #loom_quant.scheme<i8, zero_point>, weight_scheme = #loom_quant.scheme<i8>}
// CHECK-NEXT: return %[[Y]]
func.func @qdq_act(%arg0: tensor<3x8xf32>) -> (tensor<3x4xf32>) {
  %cst = arith.constant dense<[[85, 65, -24, -1], [-21, 7, -69, 72], [-108, -22, -56, 59], [63, 53, 107, 109], [-81, -98, -94, 58], [119, 108, 42, 118], [94, -124, -97, 92], [-107, 122, 83, 116]]> : tensor<8x4xi8>
  %cst_0 = arith.constant dense<2.000000e-02> : tensor<f32>
  %cst_1 = arith.constant dense<1.000000e-01> : tensor<f32>
  %cst_2 = arith.constant dense<3> : tensor<i8>
  %0 = loom_quant.quantize %arg0, %cst_1, %cst_2 {scheme = #loom_quant.scheme<i8, zero_point>} : tensor<3x8xf32>, tensor<f32>, tensor<i8> -> tensor<3x8xi8>
  %1 = loom_quant.dequantize %0, %cst_1, %cst_2 {scheme = #loom_quant.scheme<i8, zero_point>} : tensor<3x8xi8>, tensor<f32>, tensor<i8> -> tensor<3x8xf32>
  %2 = loom_quant.dequantize %cst, %cst_0 {scheme = #loom_quant.scheme<i8>} : tensor<8x4xi8>, tensor<f32> -> tensor<8x4xf32>
  %3 = tensor.empty() : tensor<3x4xf32>
  %cst_3 = arith.constant 0.000000e+00 : f32
  %4 = linalg.fill ins(%cst_3 : f32) outs(%3 : tensor<3x4xf32>) -> tensor<3x4xf32>
  %5 = linalg.matmul ins(%1, %2 : tensor<3x8xf32>, tensor<8x4xf32>) outs(%4 : tensor<3x4xf32>) -> tensor<3x4xf32>
  return %5 : tensor<3x4xf32>
}

// -----

// Negative: the dequantized tensor feeds an addition, not a matmul.
// CHECK-LABEL: func.func @dq_add
// CHECK: loom_quant.dequantize
// CHECK-NOT: loom_quant.matmul
// CHECK: return
func.func @dq_add(%arg0: tensor<3x8xf32>) -> (tensor<3x8xf32>) {
  %cst = arith.constant dense<[[-36, -90, 4, 120, -34, 99, -30, 81], [-69, -6, -44, -68, 99, 76, -92, 107], [119, -60, -19, 9, 39, -15, -90, 109]]> : tensor<3x8xi8>
  %cst_0 = arith.constant dense<2.000000e-02> : tensor<f32>
  %0 = loom_quant.dequantize %cst, %cst_0 {scheme = #loom_quant.scheme<i8>} : tensor<3x8xi8>, tensor<f32> -> tensor<3x8xf32>
  %1 = tensor.empty() : tensor<3x8xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%arg0, %0 : tensor<3x8xf32>, tensor<3x8xf32>) outs(%1 : tensor<3x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %3 = arith.addf %in, %in_1 : f32
    linalg.yield %3 : f32
  } -> tensor<3x8xf32>
  return %2 : tensor<3x8xf32>
}

// -----

// Scale migration: MatMulNBits times a constant scalar. The scalar scales
// the per-group weight scales (computed once, before the matmul) and the
// multiplication after the matmul goes.
// CHECK-LABEL: func.func @nbits_scale
// CHECK-DAG: %[[C:[^ ,]+]] = arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK-DAG: %[[S:[^ ,]+]] = tensor.expand_shape %{{[^ ,]+}} {{\[\[}}0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
// CHECK: %[[NS:[^ ,]+]] = linalg.generic {{.*}} ins(%[[S]], %[[C]] : tensor<4x1xf32>, tensor<f32>)
// CHECK: arith.mulf
// CHECK: %[[Y:[^ ,]+]] = loom_quant.matmul %{{[^ ,]+}}, %{{[^ ,]+}} scale %[[NS]] zero_point
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
func.func @nbits_scale(%arg0: tensor<3x32xf32>) -> (tensor<3x4xf32>) {
  %cst = arith.constant dense<[[[-80, 10, -49, -70, 46, -100, 127, 7, -20, -73, 79, 4, 23, -63, 38, -126]], [[-27, -20, 68, 16, 126, -42, -97, 17, -91, 87, 57, 109, -34, -10, 35, -113]], [[-62, 66, 69, 61, 53, -30, 55, 57, 31, 31, -58, 73, -52, -107, -38, -115]], [[-62, -50, 15, -114, 115, 73, 115, 105, 125, -48, -46, -97, -75, -12, -94, 94]]]> : tensor<4x1x16xi8>
  %cst_0 = arith.constant dense<5.000000e-02> : tensor<4xf32>
  %cst_1 = arith.constant dense<5.000000e-01> : tensor<f32>
  %collapsed = tensor.collapse_shape %cst [[0, 1, 2]] : tensor<4x1x16xi8> into tensor<64xi8>
  %expanded = tensor.expand_shape %collapsed [[0, 1]] output_shape [4, 16] : tensor<64xi8> into tensor<4x16xi8>
  %expanded_2 = tensor.expand_shape %cst_0 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %cst_3 = arith.constant dense<-8> : tensor<4x1xi4>
  %0 = loom_quant.matmul %arg0, %expanded scale %expanded_2 zero_point %cst_3 {transpose_weight, weight_scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 32), zero_point, packed>} : (tensor<3x32xf32>, tensor<4x16xi8>, tensor<4x1xf32>, tensor<4x1xi4>) -> tensor<3x4xf32>
  %1 = tensor.empty() : tensor<3x4xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%0, %cst_1 : tensor<3x4xf32>, tensor<f32>) outs(%1 : tensor<3x4xf32>) {
  ^bb0(%in: f32, %in_4: f32, %out: f32):
    %3 = arith.mulf %in, %in_4 : f32
    linalg.yield %3 : f32
  } -> tensor<3x4xf32>
  return %2 : tensor<3x4xf32>
}

// -----

// Negative: a scale known only at run time is not folded.
// CHECK-LABEL: func.func @nbits_runtime_scale
// CHECK: %[[M:[^ ,]+]] = loom_quant.matmul
// CHECK: %[[Y:[^ ,]+]] = linalg.generic {{.*}} ins(%[[M]], %{{[^ ,]+}} : tensor<3x4xf32>, tensor<f32>)
// CHECK: return %[[Y]]
func.func @nbits_runtime_scale(%arg0: tensor<3x32xf32>, %arg1: tensor<f32>) -> (tensor<3x4xf32>) {
  %cst = arith.constant dense<[[[20, -116, 59, -105, 6, -40, -16, 37, -48, 103, 10, -24, -17, 10, -105, -47]], [[-55, 105, -37, -45, 28, 2, 26, 93, 27, 20, 65, -90, -123, 69, -14, -77]], [[-95, -16, -56, 32, 9, -36, 103, 15, 121, 97, 109, 109, 80, 124, 125, -8]], [[-80, -59, 2, 78, -6, 68, -126, -36, -94, -32, 41, -126, -94, 87, -110, -3]]]> : tensor<4x1x16xi8>
  %cst_0 = arith.constant dense<5.000000e-02> : tensor<4xf32>
  %collapsed = tensor.collapse_shape %cst [[0, 1, 2]] : tensor<4x1x16xi8> into tensor<64xi8>
  %expanded = tensor.expand_shape %collapsed [[0, 1]] output_shape [4, 16] : tensor<64xi8> into tensor<4x16xi8>
  %expanded_1 = tensor.expand_shape %cst_0 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %cst_2 = arith.constant dense<-8> : tensor<4x1xi4>
  %0 = loom_quant.matmul %arg0, %expanded scale %expanded_1 zero_point %cst_2 {transpose_weight, weight_scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 32), zero_point, packed>} : (tensor<3x32xf32>, tensor<4x16xi8>, tensor<4x1xf32>, tensor<4x1xi4>) -> tensor<3x4xf32>
  %1 = tensor.empty() : tensor<3x4xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%0, %arg1 : tensor<3x4xf32>, tensor<f32>) outs(%1 : tensor<3x4xf32>) {
  ^bb0(%in: f32, %in_3: f32, %out: f32):
    %3 = arith.mulf %in, %in_3 : f32
    linalg.yield %3 : f32
  } -> tensor<3x4xf32>
  return %2 : tensor<3x4xf32>
}
