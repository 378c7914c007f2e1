// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-raise-moe))' | FileCheck %s

// The inputs are what the ONNX importer gives for a Mixtral-style block as
// torch.onnx.export writes it (scripts/bench_moe.py builds the same graph):
// router Gemm, Softmax, TopK (k = 2 of E = 3), renormalisation, then each
// expert's SwiGLU FFN (Gemm with transB) over all tokens, scaled by
// ReduceSum(topk_w * Cast(topk_i == e)) and accumulated into zeros.

// Constant weights and a dynamic token count: the weights are stacked into
// one [E, K, N] constant per layer (each Gemm weight [N, K] transposed: the
// first row of expert 0's gate weight is the first column of e0_w1, expert
// 1's starts with e1_w1's first column, all -1); the router Gemm stays; the
// softmax, top-k, mask and dense experts are gone; the SiLU gating runs on
// the dispatched rows.
// CHECK-LABEL: func.func @moe_const_dyn
// CHECK-SAME: (%[[X:[^ ,]+]]: tensor<?x4xf32>)
// CHECK: %[[LOGITS:[^ ,]+]] = linalg.generic
// CHECK-NOT: arith.cmpi
// CHECK-NOT: linalg.generic
// CHECK: %[[W:[^ ,]+]], %[[IDS:[^ ,]+]] = loom_moe.route %[[LOGITS]] top 2 softmax normalize : tensor<?x3xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
// CHECK: %[[XS:[^ ,]+]], %[[OFF:[^ ,]+]], %[[PERM:[^ ,]+]] = loom_moe.dispatch %[[X]], %[[IDS]] experts 3 : tensor<?x4xf32>, tensor<?x2xi32> -> tensor<?x4xf32>, tensor<4xi32>, tensor<?xi32>
// CHECK: %[[W1:[^ ,]+]] = arith.constant dense<{{\[\[\[}}-2.000000e+00, 1.000000e+00, 3.000000e+00, 2.000000e+00], [2.000000e+00, 0.000000e+00, 2.000000e+00, -1.000000e+00]{{.*}}{{\]\]}}, {{\[\[}}-1.000000e+00, -1.000000e+00, -1.000000e+00, -1.000000e+00]{{.*}} : tensor<3x4x4xf32>
// CHECK: %[[G:[^ ,]+]] = loom_moe.grouped_matmul %[[XS]], %[[W1]], %[[OFF]] : tensor<?x4xf32>, tensor<3x4x4xf32>, tensor<4xi32> -> tensor<?x4xf32>
// CHECK: %[[W3:[^ ,]+]] = arith.constant dense<{{.*}}> : tensor<3x4x4xf32>
// CHECK: %[[U:[^ ,]+]] = loom_moe.grouped_matmul %[[XS]], %[[W3]], %[[OFF]]
// CHECK: %[[SIG:[^ ,]+]] = linalg.generic {{.*}} ins(%[[G]] : tensor<?x4xf32>)
// CHECK: math.exp
// CHECK: %[[SILU:[^ ,]+]] = linalg.generic {{.*}} ins(%[[G]], %[[SIG]] : tensor<?x4xf32>, tensor<?x4xf32>)
// CHECK: %[[H:[^ ,]+]] = linalg.generic {{.*}} ins(%[[SILU]], %[[U]] : tensor<?x4xf32>, tensor<?x4xf32>)
// CHECK: %[[W2:[^ ,]+]] = arith.constant dense<{{\[\[\[}}0.000000e+00, 2.000000e+00, -1.000000e+00, 2.000000e+00]{{.*}} : tensor<3x4x4xf32>
// CHECK: %[[Y:[^ ,]+]] = loom_moe.grouped_matmul %[[H]], %[[W2]], %[[OFF]]
// CHECK: %[[OUT:[^ ,]+]] = loom_moe.combine %[[Y]], %[[PERM]], %[[W]] : tensor<?x4xf32>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x4xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[OUT]]
func.func @moe_const_dyn(%arg0: tensor<?x4xf32>) -> (tensor<?x4xf32>) {
  %cst = arith.constant dense<0.000000e+00> : tensor<f32>
  %cst_0 = arith.constant dense<[[0.000000e+00, 0.000000e+00, 2.000000e+00, 3.000000e+00], [-3.000000e+00, -2.000000e+00, 2.000000e+00, 3.000000e+00], [-2.000000e+00, -1.000000e+00, 3.000000e+00, -1.000000e+00]]> : tensor<3x4xf32>
  %cst_1 = arith.constant dense<0> : tensor<i64>
  %cst_2 = arith.constant dense<[[-2.000000e+00, 2.000000e+00, -2.000000e+00, -1.000000e+00], [1.000000e+00, 0.000000e+00, -3.000000e+00, -3.000000e+00], [3.000000e+00, 2.000000e+00, 2.000000e+00, 0.000000e+00], [2.000000e+00, -1.000000e+00, 0.000000e+00, 2.000000e+00]]> : tensor<4x4xf32>
  %cst_3 = arith.constant dense<[[-3.000000e+00, -1.000000e+00, -3.000000e+00, 0.000000e+00], [3.000000e+00, -3.000000e+00, -1.000000e+00, -1.000000e+00], [3.000000e+00, -2.000000e+00, 0.000000e+00, -2.000000e+00], [-3.000000e+00, 2.000000e+00, -3.000000e+00, -2.000000e+00]]> : tensor<4x4xf32>
  %cst_4 = arith.constant dense<[[0.000000e+00, 0.000000e+00, -3.000000e+00, 3.000000e+00], [2.000000e+00, 3.000000e+00, -3.000000e+00, 2.000000e+00], [-1.000000e+00, 0.000000e+00, 3.000000e+00, -2.000000e+00], [2.000000e+00, -2.000000e+00, -1.000000e+00, 3.000000e+00]]> : tensor<4x4xf32>
  %cst_5 = arith.constant dense<1> : tensor<i64>
  %cst_6 = arith.constant dense<[[-1.000000e+00, 0.000000e+00, -1.000000e+00, -3.000000e+00], [-1.000000e+00, 1.000000e+00, 0.000000e+00, 2.000000e+00], [-1.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00], [-1.000000e+00, -3.000000e+00, 2.000000e+00, 0.000000e+00]]> : tensor<4x4xf32>
  %cst_7 = arith.constant dense<[[3.000000e+00, 0.000000e+00, -1.000000e+00, -3.000000e+00], [0.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00], [-2.000000e+00, 1.000000e+00, 2.000000e+00, -2.000000e+00], [-1.000000e+00, 2.000000e+00, 1.000000e+00, 0.000000e+00]]> : tensor<4x4xf32>
  %cst_8 = arith.constant dense<[[1.000000e+00, 0.000000e+00, 3.000000e+00, 2.000000e+00], [-3.000000e+00, -2.000000e+00, 0.000000e+00, 2.000000e+00], [-3.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00], [3.000000e+00, -2.000000e+00, 0.000000e+00, 2.000000e+00]]> : tensor<4x4xf32>
  %cst_9 = arith.constant dense<2> : tensor<i64>
  %cst_10 = arith.constant dense<[[-1.000000e+00, -2.000000e+00, 0.000000e+00, -3.000000e+00], [-2.000000e+00, 2.000000e+00, 1.000000e+00, 3.000000e+00], [2.000000e+00, 3.000000e+00, -1.000000e+00, 0.000000e+00], [1.000000e+00, -2.000000e+00, 3.000000e+00, -3.000000e+00]]> : tensor<4x4xf32>
  %cst_11 = arith.constant dense<[[2.000000e+00, 1.000000e+00, -2.000000e+00, 2.000000e+00], [-1.000000e+00, 2.000000e+00, 3.000000e+00, -2.000000e+00], [0.000000e+00, -2.000000e+00, 1.000000e+00, 1.000000e+00], [2.000000e+00, 2.000000e+00, 3.000000e+00, 3.000000e+00]]> : tensor<4x4xf32>
  %cst_12 = arith.constant dense<[[3.000000e+00, -2.000000e+00, -3.000000e+00, 0.000000e+00], [-1.000000e+00, 3.000000e+00, 2.000000e+00, -1.000000e+00], [1.000000e+00, 1.000000e+00, 3.000000e+00, -3.000000e+00], [0.000000e+00, 1.000000e+00, 0.000000e+00, 3.000000e+00]]> : tensor<4x4xf32>
  %c0 = arith.constant 0 : index
  %dim = tensor.dim %arg0, %c0 : tensor<?x4xf32>
  %0 = tensor.empty(%dim) : tensor<?x3xf32>
  %cst_13 = arith.constant 0.000000e+00 : f32
  %1 = linalg.fill ins(%cst_13 : f32) outs(%0 : tensor<?x3xf32>) -> tensor<?x3xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %cst_0 : tensor<?x4xf32>, tensor<3x4xf32>) outs(%1 : tensor<?x3xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?x3xf32>
  %cst_14 = arith.constant 0xFF800000 : f32
  %c0_15 = arith.constant 0 : index
  %dim_16 = tensor.dim %2, %c0_15 : tensor<?x3xf32>
  %3 = tensor.empty(%dim_16) : tensor<?xf32>
  %4 = linalg.fill ins(%cst_14 : f32) outs(%3 : tensor<?xf32>) -> tensor<?xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%2 : tensor<?x3xf32>) outs(%4 : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %118 = arith.maximumf %out, %in : f32
    linalg.yield %118 : f32
  } -> tensor<?xf32>
  %c0_17 = arith.constant 0 : index
  %dim_18 = tensor.dim %5, %c0_17 : tensor<?xf32>
  %expanded = tensor.expand_shape %5 [[0, 1]] output_shape [%dim_18, 1] : tensor<?xf32> into tensor<?x1xf32>
  %c0_19 = arith.constant 0 : index
  %dim_20 = tensor.dim %2, %c0_19 : tensor<?x3xf32>
  %6 = tensor.empty(%dim_20) : tensor<?x3xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%2, %expanded : tensor<?x3xf32>, tensor<?x1xf32>) outs(%6 : tensor<?x3xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.subf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x3xf32>
  %cst_21 = arith.constant 0.000000e+00 : f32
  %c0_22 = arith.constant 0 : index
  %dim_23 = tensor.dim %7, %c0_22 : tensor<?x3xf32>
  %8 = tensor.empty(%dim_23) : tensor<?xf32>
  %9 = linalg.fill ins(%cst_21 : f32) outs(%8 : tensor<?xf32>) -> tensor<?xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%7 : tensor<?x3xf32>) outs(%9 : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %118 = math.exp %in : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?xf32>
  %c0_24 = arith.constant 0 : index
  %dim_25 = tensor.dim %10, %c0_24 : tensor<?xf32>
  %expanded_26 = tensor.expand_shape %10 [[0, 1]] output_shape [%dim_25, 1] : tensor<?xf32> into tensor<?x1xf32>
  %c0_27 = arith.constant 0 : index
  %dim_28 = tensor.dim %7, %c0_27 : tensor<?x3xf32>
  %11 = tensor.empty(%dim_28) : tensor<?x3xf32>
  %12 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%7, %expanded_26 : tensor<?x3xf32>, tensor<?x1xf32>) outs(%11 : tensor<?x3xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = math.exp %in : f32
    %119 = arith.divf %118, %in_143 : f32
    linalg.yield %119 : f32
  } -> tensor<?x3xf32>
  %c0_29 = arith.constant 0 : index
  %dim_30 = tensor.dim %12, %c0_29 : tensor<?x3xf32>
  %c0_i64 = arith.constant 0 : i64
  %13 = tensor.empty(%dim_30) : tensor<?x3xi64>
  %14 = linalg.fill ins(%c0_i64 : i64) outs(%13 : tensor<?x3xi64>) -> tensor<?x3xi64>
  %15 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%12, %12 : tensor<?x3xf32>, tensor<?x3xf32>) outs(%14 : tensor<?x3xi64>) {
  ^bb0(%in: f32, %in_143: f32, %out: i64):
    %118 = linalg.index 1 : index
    %119 = linalg.index 2 : index
    %120 = arith.cmpf ogt, %in_143, %in : f32
    %121 = arith.cmpf oeq, %in_143, %in : f32
    %122 = arith.cmpi ult, %119, %118 : index
    %123 = arith.andi %121, %122 : i1
    %124 = arith.ori %120, %123 : i1
    %125 = arith.extui %124 : i1 to i64
    %126 = arith.addi %out, %125 : i64
    linalg.yield %126 : i64
  } -> tensor<?x3xi64>
  %c0_31 = arith.constant 0 : index
  %dim_32 = tensor.dim %12, %c0_31 : tensor<?x3xf32>
  %cst_33 = arith.constant 0.000000e+00 : f32
  %16 = tensor.empty(%dim_32) : tensor<?x2xf32>
  %17 = linalg.fill ins(%cst_33 : f32) outs(%16 : tensor<?x2xf32>) -> tensor<?x2xf32>
  %c0_i64_34 = arith.constant 0 : i64
  %18 = tensor.empty(%dim_32) : tensor<?x2xi64>
  %19 = linalg.fill ins(%c0_i64_34 : i64) outs(%18 : tensor<?x2xi64>) -> tensor<?x2xi64>
  %20:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%12, %15 : tensor<?x3xf32>, tensor<?x3xi64>) outs(%17, %19 : tensor<?x2xf32>, tensor<?x2xi64>) {
  ^bb0(%in: f32, %in_143: i64, %out: f32, %out_144: i64):
    %118 = linalg.index 1 : index
    %119 = arith.index_cast %118 : index to i64
    %120 = linalg.index 2 : index
    %121 = arith.index_cast %120 : index to i64
    %122 = arith.cmpi eq, %in_143, %119 : i64
    %123 = arith.select %122, %in, %out : f32
    %124 = arith.select %122, %121, %out_144 : i64
    linalg.yield %123, %124 : f32, i64
  } -> (tensor<?x2xf32>, tensor<?x2xi64>)
  %cst_35 = arith.constant 0.000000e+00 : f32
  %c0_36 = arith.constant 0 : index
  %dim_37 = tensor.dim %20#0, %c0_36 : tensor<?x2xf32>
  %21 = tensor.empty(%dim_37) : tensor<?xf32>
  %22 = linalg.fill ins(%cst_35 : f32) outs(%21 : tensor<?xf32>) -> tensor<?xf32>
  %23 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%20#0 : tensor<?x2xf32>) outs(%22 : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %118 = arith.addf %out, %in : f32
    linalg.yield %118 : f32
  } -> tensor<?xf32>
  %c0_38 = arith.constant 0 : index
  %dim_39 = tensor.dim %23, %c0_38 : tensor<?xf32>
  %expanded_40 = tensor.expand_shape %23 [[0, 1]] output_shape [%dim_39, 1] : tensor<?xf32> into tensor<?x1xf32>
  %c0_41 = arith.constant 0 : index
  %dim_42 = tensor.dim %20#0, %c0_41 : tensor<?x2xf32>
  %24 = tensor.empty(%dim_42) : tensor<?x2xf32>
  %25 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#0, %expanded_40 : tensor<?x2xf32>, tensor<?x1xf32>) outs(%24 : tensor<?x2xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.divf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x2xf32>
  %c0_43 = arith.constant 0 : index
  %dim_44 = tensor.dim %arg0, %c0_43 : tensor<?x4xf32>
  %26 = arith.index_cast %dim_44 : index to i64
  %c1 = arith.constant 1 : index
  %dim_45 = tensor.dim %arg0, %c1 : tensor<?x4xf32>
  %27 = arith.index_cast %dim_45 : index to i64
  %from_elements = tensor.from_elements %26, %27 : tensor<2xi64>
  %c1_i64 = arith.constant 1 : i64
  %c0_46 = arith.constant 0 : index
  %extracted = tensor.extract %from_elements[%c0_46] : tensor<2xi64>
  %28 = arith.maxsi %c1_i64, %extracted : i64
  %29 = arith.index_cast %28 : i64 to index
  %c1_i64_47 = arith.constant 1 : i64
  %c1_48 = arith.constant 1 : index
  %extracted_49 = tensor.extract %from_elements[%c1_48] : tensor<2xi64>
  %30 = arith.maxsi %c1_i64_47, %extracted_49 : i64
  %31 = arith.index_cast %30 : i64 to index
  %32 = tensor.empty(%29, %31) : tensor<?x?xf32>
  %33 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%cst : tensor<f32>) outs(%32 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<?x?xf32>
  %cast = tensor.cast %33 : tensor<?x?xf32> to tensor<?x4xf32>
  %c0_50 = arith.constant 0 : index
  %dim_51 = tensor.dim %20#1, %c0_50 : tensor<?x2xi64>
  %34 = tensor.empty(%dim_51) : tensor<?x2xi1>
  %35 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#1, %cst_1 : tensor<?x2xi64>, tensor<i64>) outs(%34 : tensor<?x2xi1>) {
  ^bb0(%in: i64, %in_143: i64, %out: i1):
    %118 = arith.cmpi eq, %in, %in_143 : i64
    linalg.yield %118 : i1
  } -> tensor<?x2xi1>
  %c0_52 = arith.constant 0 : index
  %dim_53 = tensor.dim %35, %c0_52 : tensor<?x2xi1>
  %36 = tensor.empty(%dim_53) : tensor<?x2xf32>
  %37 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%35 : tensor<?x2xi1>) outs(%36 : tensor<?x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %118 = arith.uitofp %in : i1 to f32
    linalg.yield %118 : f32
  } -> tensor<?x2xf32>
  %c0_54 = arith.constant 0 : index
  %dim_55 = tensor.dim %25, %c0_54 : tensor<?x2xf32>
  %38 = tensor.empty(%dim_55) : tensor<?x2xf32>
  %39 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%25, %37 : tensor<?x2xf32>, tensor<?x2xf32>) outs(%38 : tensor<?x2xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x2xf32>
  %cst_56 = arith.constant 0.000000e+00 : f32
  %c0_57 = arith.constant 0 : index
  %dim_58 = tensor.dim %39, %c0_57 : tensor<?x2xf32>
  %40 = tensor.empty(%dim_58) : tensor<?xf32>
  %41 = linalg.fill ins(%cst_56 : f32) outs(%40 : tensor<?xf32>) -> tensor<?xf32>
  %42 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%39 : tensor<?x2xf32>) outs(%41 : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %118 = arith.addf %out, %in : f32
    linalg.yield %118 : f32
  } -> tensor<?xf32>
  %c0_59 = arith.constant 0 : index
  %dim_60 = tensor.dim %42, %c0_59 : tensor<?xf32>
  %expanded_61 = tensor.expand_shape %42 [[0, 1]] output_shape [%dim_60, 1] : tensor<?xf32> into tensor<?x1xf32>
  %c0_62 = arith.constant 0 : index
  %dim_63 = tensor.dim %arg0, %c0_62 : tensor<?x4xf32>
  %43 = tensor.empty(%dim_63) : tensor<?x4xf32>
  %cst_64 = arith.constant 0.000000e+00 : f32
  %44 = linalg.fill ins(%cst_64 : f32) outs(%43 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %45 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %cst_2 : tensor<?x4xf32>, tensor<4x4xf32>) outs(%44 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?x4xf32>
  %c0_65 = arith.constant 0 : index
  %dim_66 = tensor.dim %45, %c0_65 : tensor<?x4xf32>
  %46 = tensor.empty(%dim_66) : tensor<?x4xf32>
  %47 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%45 : tensor<?x4xf32>) outs(%46 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %118 = arith.negf %in : f32
    %119 = math.exp %118 : f32
    %cst_143 = arith.constant 1.000000e+00 : f32
    %cst_144 = arith.constant 1.000000e+00 : f32
    %120 = arith.addf %cst_144, %119 : f32
    %121 = arith.divf %cst_143, %120 : f32
    linalg.yield %121 : f32
  } -> tensor<?x4xf32>
  %c0_67 = arith.constant 0 : index
  %dim_68 = tensor.dim %45, %c0_67 : tensor<?x4xf32>
  %48 = tensor.empty(%dim_68) : tensor<?x4xf32>
  %49 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%45, %47 : tensor<?x4xf32>, tensor<?x4xf32>) outs(%48 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_69 = arith.constant 0 : index
  %dim_70 = tensor.dim %arg0, %c0_69 : tensor<?x4xf32>
  %50 = tensor.empty(%dim_70) : tensor<?x4xf32>
  %cst_71 = arith.constant 0.000000e+00 : f32
  %51 = linalg.fill ins(%cst_71 : f32) outs(%50 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %52 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %cst_3 : tensor<?x4xf32>, tensor<4x4xf32>) outs(%51 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?x4xf32>
  %c0_72 = arith.constant 0 : index
  %dim_73 = tensor.dim %49, %c0_72 : tensor<?x4xf32>
  %53 = tensor.empty(%dim_73) : tensor<?x4xf32>
  %54 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%49, %52 : tensor<?x4xf32>, tensor<?x4xf32>) outs(%53 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_74 = arith.constant 0 : index
  %dim_75 = tensor.dim %54, %c0_74 : tensor<?x4xf32>
  %55 = tensor.empty(%dim_75) : tensor<?x4xf32>
  %cst_76 = arith.constant 0.000000e+00 : f32
  %56 = linalg.fill ins(%cst_76 : f32) outs(%55 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %57 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%54, %cst_4 : tensor<?x4xf32>, tensor<4x4xf32>) outs(%56 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?x4xf32>
  %c0_77 = arith.constant 0 : index
  %dim_78 = tensor.dim %expanded_61, %c0_77 : tensor<?x1xf32>
  %58 = tensor.empty(%dim_78) : tensor<?x4xf32>
  %59 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_61, %57 : tensor<?x1xf32>, tensor<?x4xf32>) outs(%58 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_79 = arith.constant 0 : index
  %dim_80 = tensor.dim %cast, %c0_79 : tensor<?x4xf32>
  %60 = tensor.empty(%dim_80) : tensor<?x4xf32>
  %61 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%cast, %59 : tensor<?x4xf32>, tensor<?x4xf32>) outs(%60 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.addf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_81 = arith.constant 0 : index
  %dim_82 = tensor.dim %20#1, %c0_81 : tensor<?x2xi64>
  %62 = tensor.empty(%dim_82) : tensor<?x2xi1>
  %63 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#1, %cst_5 : tensor<?x2xi64>, tensor<i64>) outs(%62 : tensor<?x2xi1>) {
  ^bb0(%in: i64, %in_143: i64, %out: i1):
    %118 = arith.cmpi eq, %in, %in_143 : i64
    linalg.yield %118 : i1
  } -> tensor<?x2xi1>
  %c0_83 = arith.constant 0 : index
  %dim_84 = tensor.dim %63, %c0_83 : tensor<?x2xi1>
  %64 = tensor.empty(%dim_84) : tensor<?x2xf32>
  %65 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%63 : tensor<?x2xi1>) outs(%64 : tensor<?x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %118 = arith.uitofp %in : i1 to f32
    linalg.yield %118 : f32
  } -> tensor<?x2xf32>
  %c0_85 = arith.constant 0 : index
  %dim_86 = tensor.dim %25, %c0_85 : tensor<?x2xf32>
  %66 = tensor.empty(%dim_86) : tensor<?x2xf32>
  %67 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%25, %65 : tensor<?x2xf32>, tensor<?x2xf32>) outs(%66 : tensor<?x2xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x2xf32>
  %cst_87 = arith.constant 0.000000e+00 : f32
  %c0_88 = arith.constant 0 : index
  %dim_89 = tensor.dim %67, %c0_88 : tensor<?x2xf32>
  %68 = tensor.empty(%dim_89) : tensor<?xf32>
  %69 = linalg.fill ins(%cst_87 : f32) outs(%68 : tensor<?xf32>) -> tensor<?xf32>
  %70 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%67 : tensor<?x2xf32>) outs(%69 : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %118 = arith.addf %out, %in : f32
    linalg.yield %118 : f32
  } -> tensor<?xf32>
  %c0_90 = arith.constant 0 : index
  %dim_91 = tensor.dim %70, %c0_90 : tensor<?xf32>
  %expanded_92 = tensor.expand_shape %70 [[0, 1]] output_shape [%dim_91, 1] : tensor<?xf32> into tensor<?x1xf32>
  %c0_93 = arith.constant 0 : index
  %dim_94 = tensor.dim %arg0, %c0_93 : tensor<?x4xf32>
  %71 = tensor.empty(%dim_94) : tensor<?x4xf32>
  %cst_95 = arith.constant 0.000000e+00 : f32
  %72 = linalg.fill ins(%cst_95 : f32) outs(%71 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %73 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %cst_6 : tensor<?x4xf32>, tensor<4x4xf32>) outs(%72 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?x4xf32>
  %c0_96 = arith.constant 0 : index
  %dim_97 = tensor.dim %73, %c0_96 : tensor<?x4xf32>
  %74 = tensor.empty(%dim_97) : tensor<?x4xf32>
  %75 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%73 : tensor<?x4xf32>) outs(%74 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %118 = arith.negf %in : f32
    %119 = math.exp %118 : f32
    %cst_143 = arith.constant 1.000000e+00 : f32
    %cst_144 = arith.constant 1.000000e+00 : f32
    %120 = arith.addf %cst_144, %119 : f32
    %121 = arith.divf %cst_143, %120 : f32
    linalg.yield %121 : f32
  } -> tensor<?x4xf32>
  %c0_98 = arith.constant 0 : index
  %dim_99 = tensor.dim %73, %c0_98 : tensor<?x4xf32>
  %76 = tensor.empty(%dim_99) : tensor<?x4xf32>
  %77 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%73, %75 : tensor<?x4xf32>, tensor<?x4xf32>) outs(%76 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_100 = arith.constant 0 : index
  %dim_101 = tensor.dim %arg0, %c0_100 : tensor<?x4xf32>
  %78 = tensor.empty(%dim_101) : tensor<?x4xf32>
  %cst_102 = arith.constant 0.000000e+00 : f32
  %79 = linalg.fill ins(%cst_102 : f32) outs(%78 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %80 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %cst_7 : tensor<?x4xf32>, tensor<4x4xf32>) outs(%79 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?x4xf32>
  %c0_103 = arith.constant 0 : index
  %dim_104 = tensor.dim %77, %c0_103 : tensor<?x4xf32>
  %81 = tensor.empty(%dim_104) : tensor<?x4xf32>
  %82 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%77, %80 : tensor<?x4xf32>, tensor<?x4xf32>) outs(%81 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_105 = arith.constant 0 : index
  %dim_106 = tensor.dim %82, %c0_105 : tensor<?x4xf32>
  %83 = tensor.empty(%dim_106) : tensor<?x4xf32>
  %cst_107 = arith.constant 0.000000e+00 : f32
  %84 = linalg.fill ins(%cst_107 : f32) outs(%83 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %85 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%82, %cst_8 : tensor<?x4xf32>, tensor<4x4xf32>) outs(%84 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?x4xf32>
  %c0_108 = arith.constant 0 : index
  %dim_109 = tensor.dim %expanded_92, %c0_108 : tensor<?x1xf32>
  %86 = tensor.empty(%dim_109) : tensor<?x4xf32>
  %87 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_92, %85 : tensor<?x1xf32>, tensor<?x4xf32>) outs(%86 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_110 = arith.constant 0 : index
  %dim_111 = tensor.dim %61, %c0_110 : tensor<?x4xf32>
  %88 = tensor.empty(%dim_111) : tensor<?x4xf32>
  %89 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%61, %87 : tensor<?x4xf32>, tensor<?x4xf32>) outs(%88 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.addf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_112 = arith.constant 0 : index
  %dim_113 = tensor.dim %20#1, %c0_112 : tensor<?x2xi64>
  %90 = tensor.empty(%dim_113) : tensor<?x2xi1>
  %91 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#1, %cst_9 : tensor<?x2xi64>, tensor<i64>) outs(%90 : tensor<?x2xi1>) {
  ^bb0(%in: i64, %in_143: i64, %out: i1):
    %118 = arith.cmpi eq, %in, %in_143 : i64
    linalg.yield %118 : i1
  } -> tensor<?x2xi1>
  %c0_114 = arith.constant 0 : index
  %dim_115 = tensor.dim %91, %c0_114 : tensor<?x2xi1>
  %92 = tensor.empty(%dim_115) : tensor<?x2xf32>
  %93 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%91 : tensor<?x2xi1>) outs(%92 : tensor<?x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %118 = arith.uitofp %in : i1 to f32
    linalg.yield %118 : f32
  } -> tensor<?x2xf32>
  %c0_116 = arith.constant 0 : index
  %dim_117 = tensor.dim %25, %c0_116 : tensor<?x2xf32>
  %94 = tensor.empty(%dim_117) : tensor<?x2xf32>
  %95 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%25, %93 : tensor<?x2xf32>, tensor<?x2xf32>) outs(%94 : tensor<?x2xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x2xf32>
  %cst_118 = arith.constant 0.000000e+00 : f32
  %c0_119 = arith.constant 0 : index
  %dim_120 = tensor.dim %95, %c0_119 : tensor<?x2xf32>
  %96 = tensor.empty(%dim_120) : tensor<?xf32>
  %97 = linalg.fill ins(%cst_118 : f32) outs(%96 : tensor<?xf32>) -> tensor<?xf32>
  %98 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%95 : tensor<?x2xf32>) outs(%97 : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %118 = arith.addf %out, %in : f32
    linalg.yield %118 : f32
  } -> tensor<?xf32>
  %c0_121 = arith.constant 0 : index
  %dim_122 = tensor.dim %98, %c0_121 : tensor<?xf32>
  %expanded_123 = tensor.expand_shape %98 [[0, 1]] output_shape [%dim_122, 1] : tensor<?xf32> into tensor<?x1xf32>
  %c0_124 = arith.constant 0 : index
  %dim_125 = tensor.dim %arg0, %c0_124 : tensor<?x4xf32>
  %99 = tensor.empty(%dim_125) : tensor<?x4xf32>
  %cst_126 = arith.constant 0.000000e+00 : f32
  %100 = linalg.fill ins(%cst_126 : f32) outs(%99 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %101 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %cst_10 : tensor<?x4xf32>, tensor<4x4xf32>) outs(%100 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?x4xf32>
  %c0_127 = arith.constant 0 : index
  %dim_128 = tensor.dim %101, %c0_127 : tensor<?x4xf32>
  %102 = tensor.empty(%dim_128) : tensor<?x4xf32>
  %103 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%101 : tensor<?x4xf32>) outs(%102 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %118 = arith.negf %in : f32
    %119 = math.exp %118 : f32
    %cst_143 = arith.constant 1.000000e+00 : f32
    %cst_144 = arith.constant 1.000000e+00 : f32
    %120 = arith.addf %cst_144, %119 : f32
    %121 = arith.divf %cst_143, %120 : f32
    linalg.yield %121 : f32
  } -> tensor<?x4xf32>
  %c0_129 = arith.constant 0 : index
  %dim_130 = tensor.dim %101, %c0_129 : tensor<?x4xf32>
  %104 = tensor.empty(%dim_130) : tensor<?x4xf32>
  %105 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%101, %103 : tensor<?x4xf32>, tensor<?x4xf32>) outs(%104 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_131 = arith.constant 0 : index
  %dim_132 = tensor.dim %arg0, %c0_131 : tensor<?x4xf32>
  %106 = tensor.empty(%dim_132) : tensor<?x4xf32>
  %cst_133 = arith.constant 0.000000e+00 : f32
  %107 = linalg.fill ins(%cst_133 : f32) outs(%106 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %108 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %cst_11 : tensor<?x4xf32>, tensor<4x4xf32>) outs(%107 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?x4xf32>
  %c0_134 = arith.constant 0 : index
  %dim_135 = tensor.dim %105, %c0_134 : tensor<?x4xf32>
  %109 = tensor.empty(%dim_135) : tensor<?x4xf32>
  %110 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%105, %108 : tensor<?x4xf32>, tensor<?x4xf32>) outs(%109 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_136 = arith.constant 0 : index
  %dim_137 = tensor.dim %110, %c0_136 : tensor<?x4xf32>
  %111 = tensor.empty(%dim_137) : tensor<?x4xf32>
  %cst_138 = arith.constant 0.000000e+00 : f32
  %112 = linalg.fill ins(%cst_138 : f32) outs(%111 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %113 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%110, %cst_12 : tensor<?x4xf32>, tensor<4x4xf32>) outs(%112 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?x4xf32>
  %c0_139 = arith.constant 0 : index
  %dim_140 = tensor.dim %expanded_123, %c0_139 : tensor<?x1xf32>
  %114 = tensor.empty(%dim_140) : tensor<?x4xf32>
  %115 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_123, %113 : tensor<?x1xf32>, tensor<?x4xf32>) outs(%114 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_141 = arith.constant 0 : index
  %dim_142 = tensor.dim %89, %c0_141 : tensor<?x4xf32>
  %116 = tensor.empty(%dim_142) : tensor<?x4xf32>
  %117 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%89, %115 : tensor<?x4xf32>, tensor<?x4xf32>) outs(%116 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.addf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  return %117 : tensor<?x4xf32>
}

// -----

// The same block with the weights as resource blobs (how the importer
// keeps large initializers): still stacked at compile time, into one
// resource per layer; the first row of expert 0's stacked gate weight is
// the first column of e0_w1 (-2, 1, 3, 2), no tensor.concat copies them at
// run time.
// CHECK-LABEL: func.func @moe_resources
// CHECK-NOT: tensor.concat
// CHECK: %[[W1:[^ ,]+]] = arith.constant dense_resource<[[R1:moe_stacked_weights[_0-9]*]]> : tensor<3x4x4xf32>
// CHECK: loom_moe.grouped_matmul %{{.+}}, %[[W1]], %{{.+}}
// CHECK-NOT: tensor.concat
// CHECK: return
// CHECK: [[R1]]: "0x04000000000000C00000803F0000404000000040
func.func @moe_resources(%arg0: tensor<?x4xf32>) -> (tensor<?x4xf32>) {
  %cst = arith.constant dense<0.000000e+00> : tensor<f32>
  %cst_0 = arith.constant dense<[[0.000000e+00, 0.000000e+00, 2.000000e+00, 3.000000e+00], [-3.000000e+00, -2.000000e+00, 2.000000e+00, 3.000000e+00], [-2.000000e+00, -1.000000e+00, 3.000000e+00, -1.000000e+00]]> : tensor<3x4xf32>
  %cst_1 = arith.constant dense<0> : tensor<i64>
  %cst_2 = arith.constant dense_resource<w0> : tensor<4x4xf32>
  %cst_3 = arith.constant dense_resource<w1> : tensor<4x4xf32>
  %cst_4 = arith.constant dense_resource<w2> : tensor<4x4xf32>
  %cst_5 = arith.constant dense<1> : tensor<i64>
  %cst_6 = arith.constant dense_resource<w3> : tensor<4x4xf32>
  %cst_7 = arith.constant dense_resource<w4> : tensor<4x4xf32>
  %cst_8 = arith.constant dense_resource<w5> : tensor<4x4xf32>
  %cst_9 = arith.constant dense<2> : tensor<i64>
  %cst_10 = arith.constant dense_resource<w6> : tensor<4x4xf32>
  %cst_11 = arith.constant dense_resource<w7> : tensor<4x4xf32>
  %cst_12 = arith.constant dense_resource<w8> : tensor<4x4xf32>
  %c0 = arith.constant 0 : index
  %dim = tensor.dim %arg0, %c0 : tensor<?x4xf32>
  %0 = tensor.empty(%dim) : tensor<?x3xf32>
  %cst_13 = arith.constant 0.000000e+00 : f32
  %1 = linalg.fill ins(%cst_13 : f32) outs(%0 : tensor<?x3xf32>) -> tensor<?x3xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %cst_0 : tensor<?x4xf32>, tensor<3x4xf32>) outs(%1 : tensor<?x3xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?x3xf32>
  %cst_14 = arith.constant 0xFF800000 : f32
  %c0_15 = arith.constant 0 : index
  %dim_16 = tensor.dim %2, %c0_15 : tensor<?x3xf32>
  %3 = tensor.empty(%dim_16) : tensor<?xf32>
  %4 = linalg.fill ins(%cst_14 : f32) outs(%3 : tensor<?xf32>) -> tensor<?xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%2 : tensor<?x3xf32>) outs(%4 : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %118 = arith.maximumf %out, %in : f32
    linalg.yield %118 : f32
  } -> tensor<?xf32>
  %c0_17 = arith.constant 0 : index
  %dim_18 = tensor.dim %5, %c0_17 : tensor<?xf32>
  %expanded = tensor.expand_shape %5 [[0, 1]] output_shape [%dim_18, 1] : tensor<?xf32> into tensor<?x1xf32>
  %c0_19 = arith.constant 0 : index
  %dim_20 = tensor.dim %2, %c0_19 : tensor<?x3xf32>
  %6 = tensor.empty(%dim_20) : tensor<?x3xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%2, %expanded : tensor<?x3xf32>, tensor<?x1xf32>) outs(%6 : tensor<?x3xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.subf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x3xf32>
  %cst_21 = arith.constant 0.000000e+00 : f32
  %c0_22 = arith.constant 0 : index
  %dim_23 = tensor.dim %7, %c0_22 : tensor<?x3xf32>
  %8 = tensor.empty(%dim_23) : tensor<?xf32>
  %9 = linalg.fill ins(%cst_21 : f32) outs(%8 : tensor<?xf32>) -> tensor<?xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%7 : tensor<?x3xf32>) outs(%9 : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %118 = math.exp %in : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?xf32>
  %c0_24 = arith.constant 0 : index
  %dim_25 = tensor.dim %10, %c0_24 : tensor<?xf32>
  %expanded_26 = tensor.expand_shape %10 [[0, 1]] output_shape [%dim_25, 1] : tensor<?xf32> into tensor<?x1xf32>
  %c0_27 = arith.constant 0 : index
  %dim_28 = tensor.dim %7, %c0_27 : tensor<?x3xf32>
  %11 = tensor.empty(%dim_28) : tensor<?x3xf32>
  %12 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%7, %expanded_26 : tensor<?x3xf32>, tensor<?x1xf32>) outs(%11 : tensor<?x3xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = math.exp %in : f32
    %119 = arith.divf %118, %in_143 : f32
    linalg.yield %119 : f32
  } -> tensor<?x3xf32>
  %c0_29 = arith.constant 0 : index
  %dim_30 = tensor.dim %12, %c0_29 : tensor<?x3xf32>
  %c0_i64 = arith.constant 0 : i64
  %13 = tensor.empty(%dim_30) : tensor<?x3xi64>
  %14 = linalg.fill ins(%c0_i64 : i64) outs(%13 : tensor<?x3xi64>) -> tensor<?x3xi64>
  %15 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%12, %12 : tensor<?x3xf32>, tensor<?x3xf32>) outs(%14 : tensor<?x3xi64>) {
  ^bb0(%in: f32, %in_143: f32, %out: i64):
    %118 = linalg.index 1 : index
    %119 = linalg.index 2 : index
    %120 = arith.cmpf ogt, %in_143, %in : f32
    %121 = arith.cmpf oeq, %in_143, %in : f32
    %122 = arith.cmpi ult, %119, %118 : index
    %123 = arith.andi %121, %122 : i1
    %124 = arith.ori %120, %123 : i1
    %125 = arith.extui %124 : i1 to i64
    %126 = arith.addi %out, %125 : i64
    linalg.yield %126 : i64
  } -> tensor<?x3xi64>
  %c0_31 = arith.constant 0 : index
  %dim_32 = tensor.dim %12, %c0_31 : tensor<?x3xf32>
  %cst_33 = arith.constant 0.000000e+00 : f32
  %16 = tensor.empty(%dim_32) : tensor<?x2xf32>
  %17 = linalg.fill ins(%cst_33 : f32) outs(%16 : tensor<?x2xf32>) -> tensor<?x2xf32>
  %c0_i64_34 = arith.constant 0 : i64
  %18 = tensor.empty(%dim_32) : tensor<?x2xi64>
  %19 = linalg.fill ins(%c0_i64_34 : i64) outs(%18 : tensor<?x2xi64>) -> tensor<?x2xi64>
  %20:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%12, %15 : tensor<?x3xf32>, tensor<?x3xi64>) outs(%17, %19 : tensor<?x2xf32>, tensor<?x2xi64>) {
  ^bb0(%in: f32, %in_143: i64, %out: f32, %out_144: i64):
    %118 = linalg.index 1 : index
    %119 = arith.index_cast %118 : index to i64
    %120 = linalg.index 2 : index
    %121 = arith.index_cast %120 : index to i64
    %122 = arith.cmpi eq, %in_143, %119 : i64
    %123 = arith.select %122, %in, %out : f32
    %124 = arith.select %122, %121, %out_144 : i64
    linalg.yield %123, %124 : f32, i64
  } -> (tensor<?x2xf32>, tensor<?x2xi64>)
  %cst_35 = arith.constant 0.000000e+00 : f32
  %c0_36 = arith.constant 0 : index
  %dim_37 = tensor.dim %20#0, %c0_36 : tensor<?x2xf32>
  %21 = tensor.empty(%dim_37) : tensor<?xf32>
  %22 = linalg.fill ins(%cst_35 : f32) outs(%21 : tensor<?xf32>) -> tensor<?xf32>
  %23 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%20#0 : tensor<?x2xf32>) outs(%22 : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %118 = arith.addf %out, %in : f32
    linalg.yield %118 : f32
  } -> tensor<?xf32>
  %c0_38 = arith.constant 0 : index
  %dim_39 = tensor.dim %23, %c0_38 : tensor<?xf32>
  %expanded_40 = tensor.expand_shape %23 [[0, 1]] output_shape [%dim_39, 1] : tensor<?xf32> into tensor<?x1xf32>
  %c0_41 = arith.constant 0 : index
  %dim_42 = tensor.dim %20#0, %c0_41 : tensor<?x2xf32>
  %24 = tensor.empty(%dim_42) : tensor<?x2xf32>
  %25 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#0, %expanded_40 : tensor<?x2xf32>, tensor<?x1xf32>) outs(%24 : tensor<?x2xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.divf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x2xf32>
  %c0_43 = arith.constant 0 : index
  %dim_44 = tensor.dim %arg0, %c0_43 : tensor<?x4xf32>
  %26 = arith.index_cast %dim_44 : index to i64
  %c1 = arith.constant 1 : index
  %dim_45 = tensor.dim %arg0, %c1 : tensor<?x4xf32>
  %27 = arith.index_cast %dim_45 : index to i64
  %from_elements = tensor.from_elements %26, %27 : tensor<2xi64>
  %c1_i64 = arith.constant 1 : i64
  %c0_46 = arith.constant 0 : index
  %extracted = tensor.extract %from_elements[%c0_46] : tensor<2xi64>
  %28 = arith.maxsi %c1_i64, %extracted : i64
  %29 = arith.index_cast %28 : i64 to index
  %c1_i64_47 = arith.constant 1 : i64
  %c1_48 = arith.constant 1 : index
  %extracted_49 = tensor.extract %from_elements[%c1_48] : tensor<2xi64>
  %30 = arith.maxsi %c1_i64_47, %extracted_49 : i64
  %31 = arith.index_cast %30 : i64 to index
  %32 = tensor.empty(%29, %31) : tensor<?x?xf32>
  %33 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%cst : tensor<f32>) outs(%32 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<?x?xf32>
  %cast = tensor.cast %33 : tensor<?x?xf32> to tensor<?x4xf32>
  %c0_50 = arith.constant 0 : index
  %dim_51 = tensor.dim %20#1, %c0_50 : tensor<?x2xi64>
  %34 = tensor.empty(%dim_51) : tensor<?x2xi1>
  %35 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#1, %cst_1 : tensor<?x2xi64>, tensor<i64>) outs(%34 : tensor<?x2xi1>) {
  ^bb0(%in: i64, %in_143: i64, %out: i1):
    %118 = arith.cmpi eq, %in, %in_143 : i64
    linalg.yield %118 : i1
  } -> tensor<?x2xi1>
  %c0_52 = arith.constant 0 : index
  %dim_53 = tensor.dim %35, %c0_52 : tensor<?x2xi1>
  %36 = tensor.empty(%dim_53) : tensor<?x2xf32>
  %37 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%35 : tensor<?x2xi1>) outs(%36 : tensor<?x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %118 = arith.uitofp %in : i1 to f32
    linalg.yield %118 : f32
  } -> tensor<?x2xf32>
  %c0_54 = arith.constant 0 : index
  %dim_55 = tensor.dim %25, %c0_54 : tensor<?x2xf32>
  %38 = tensor.empty(%dim_55) : tensor<?x2xf32>
  %39 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%25, %37 : tensor<?x2xf32>, tensor<?x2xf32>) outs(%38 : tensor<?x2xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x2xf32>
  %cst_56 = arith.constant 0.000000e+00 : f32
  %c0_57 = arith.constant 0 : index
  %dim_58 = tensor.dim %39, %c0_57 : tensor<?x2xf32>
  %40 = tensor.empty(%dim_58) : tensor<?xf32>
  %41 = linalg.fill ins(%cst_56 : f32) outs(%40 : tensor<?xf32>) -> tensor<?xf32>
  %42 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%39 : tensor<?x2xf32>) outs(%41 : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %118 = arith.addf %out, %in : f32
    linalg.yield %118 : f32
  } -> tensor<?xf32>
  %c0_59 = arith.constant 0 : index
  %dim_60 = tensor.dim %42, %c0_59 : tensor<?xf32>
  %expanded_61 = tensor.expand_shape %42 [[0, 1]] output_shape [%dim_60, 1] : tensor<?xf32> into tensor<?x1xf32>
  %c0_62 = arith.constant 0 : index
  %dim_63 = tensor.dim %arg0, %c0_62 : tensor<?x4xf32>
  %43 = tensor.empty(%dim_63) : tensor<?x4xf32>
  %cst_64 = arith.constant 0.000000e+00 : f32
  %44 = linalg.fill ins(%cst_64 : f32) outs(%43 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %45 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %cst_2 : tensor<?x4xf32>, tensor<4x4xf32>) outs(%44 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?x4xf32>
  %c0_65 = arith.constant 0 : index
  %dim_66 = tensor.dim %45, %c0_65 : tensor<?x4xf32>
  %46 = tensor.empty(%dim_66) : tensor<?x4xf32>
  %47 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%45 : tensor<?x4xf32>) outs(%46 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %118 = arith.negf %in : f32
    %119 = math.exp %118 : f32
    %cst_143 = arith.constant 1.000000e+00 : f32
    %cst_144 = arith.constant 1.000000e+00 : f32
    %120 = arith.addf %cst_144, %119 : f32
    %121 = arith.divf %cst_143, %120 : f32
    linalg.yield %121 : f32
  } -> tensor<?x4xf32>
  %c0_67 = arith.constant 0 : index
  %dim_68 = tensor.dim %45, %c0_67 : tensor<?x4xf32>
  %48 = tensor.empty(%dim_68) : tensor<?x4xf32>
  %49 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%45, %47 : tensor<?x4xf32>, tensor<?x4xf32>) outs(%48 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_69 = arith.constant 0 : index
  %dim_70 = tensor.dim %arg0, %c0_69 : tensor<?x4xf32>
  %50 = tensor.empty(%dim_70) : tensor<?x4xf32>
  %cst_71 = arith.constant 0.000000e+00 : f32
  %51 = linalg.fill ins(%cst_71 : f32) outs(%50 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %52 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %cst_3 : tensor<?x4xf32>, tensor<4x4xf32>) outs(%51 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?x4xf32>
  %c0_72 = arith.constant 0 : index
  %dim_73 = tensor.dim %49, %c0_72 : tensor<?x4xf32>
  %53 = tensor.empty(%dim_73) : tensor<?x4xf32>
  %54 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%49, %52 : tensor<?x4xf32>, tensor<?x4xf32>) outs(%53 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_74 = arith.constant 0 : index
  %dim_75 = tensor.dim %54, %c0_74 : tensor<?x4xf32>
  %55 = tensor.empty(%dim_75) : tensor<?x4xf32>
  %cst_76 = arith.constant 0.000000e+00 : f32
  %56 = linalg.fill ins(%cst_76 : f32) outs(%55 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %57 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%54, %cst_4 : tensor<?x4xf32>, tensor<4x4xf32>) outs(%56 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?x4xf32>
  %c0_77 = arith.constant 0 : index
  %dim_78 = tensor.dim %expanded_61, %c0_77 : tensor<?x1xf32>
  %58 = tensor.empty(%dim_78) : tensor<?x4xf32>
  %59 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_61, %57 : tensor<?x1xf32>, tensor<?x4xf32>) outs(%58 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_79 = arith.constant 0 : index
  %dim_80 = tensor.dim %cast, %c0_79 : tensor<?x4xf32>
  %60 = tensor.empty(%dim_80) : tensor<?x4xf32>
  %61 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%cast, %59 : tensor<?x4xf32>, tensor<?x4xf32>) outs(%60 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.addf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_81 = arith.constant 0 : index
  %dim_82 = tensor.dim %20#1, %c0_81 : tensor<?x2xi64>
  %62 = tensor.empty(%dim_82) : tensor<?x2xi1>
  %63 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#1, %cst_5 : tensor<?x2xi64>, tensor<i64>) outs(%62 : tensor<?x2xi1>) {
  ^bb0(%in: i64, %in_143: i64, %out: i1):
    %118 = arith.cmpi eq, %in, %in_143 : i64
    linalg.yield %118 : i1
  } -> tensor<?x2xi1>
  %c0_83 = arith.constant 0 : index
  %dim_84 = tensor.dim %63, %c0_83 : tensor<?x2xi1>
  %64 = tensor.empty(%dim_84) : tensor<?x2xf32>
  %65 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%63 : tensor<?x2xi1>) outs(%64 : tensor<?x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %118 = arith.uitofp %in : i1 to f32
    linalg.yield %118 : f32
  } -> tensor<?x2xf32>
  %c0_85 = arith.constant 0 : index
  %dim_86 = tensor.dim %25, %c0_85 : tensor<?x2xf32>
  %66 = tensor.empty(%dim_86) : tensor<?x2xf32>
  %67 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%25, %65 : tensor<?x2xf32>, tensor<?x2xf32>) outs(%66 : tensor<?x2xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x2xf32>
  %cst_87 = arith.constant 0.000000e+00 : f32
  %c0_88 = arith.constant 0 : index
  %dim_89 = tensor.dim %67, %c0_88 : tensor<?x2xf32>
  %68 = tensor.empty(%dim_89) : tensor<?xf32>
  %69 = linalg.fill ins(%cst_87 : f32) outs(%68 : tensor<?xf32>) -> tensor<?xf32>
  %70 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%67 : tensor<?x2xf32>) outs(%69 : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %118 = arith.addf %out, %in : f32
    linalg.yield %118 : f32
  } -> tensor<?xf32>
  %c0_90 = arith.constant 0 : index
  %dim_91 = tensor.dim %70, %c0_90 : tensor<?xf32>
  %expanded_92 = tensor.expand_shape %70 [[0, 1]] output_shape [%dim_91, 1] : tensor<?xf32> into tensor<?x1xf32>
  %c0_93 = arith.constant 0 : index
  %dim_94 = tensor.dim %arg0, %c0_93 : tensor<?x4xf32>
  %71 = tensor.empty(%dim_94) : tensor<?x4xf32>
  %cst_95 = arith.constant 0.000000e+00 : f32
  %72 = linalg.fill ins(%cst_95 : f32) outs(%71 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %73 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %cst_6 : tensor<?x4xf32>, tensor<4x4xf32>) outs(%72 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?x4xf32>
  %c0_96 = arith.constant 0 : index
  %dim_97 = tensor.dim %73, %c0_96 : tensor<?x4xf32>
  %74 = tensor.empty(%dim_97) : tensor<?x4xf32>
  %75 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%73 : tensor<?x4xf32>) outs(%74 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %118 = arith.negf %in : f32
    %119 = math.exp %118 : f32
    %cst_143 = arith.constant 1.000000e+00 : f32
    %cst_144 = arith.constant 1.000000e+00 : f32
    %120 = arith.addf %cst_144, %119 : f32
    %121 = arith.divf %cst_143, %120 : f32
    linalg.yield %121 : f32
  } -> tensor<?x4xf32>
  %c0_98 = arith.constant 0 : index
  %dim_99 = tensor.dim %73, %c0_98 : tensor<?x4xf32>
  %76 = tensor.empty(%dim_99) : tensor<?x4xf32>
  %77 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%73, %75 : tensor<?x4xf32>, tensor<?x4xf32>) outs(%76 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_100 = arith.constant 0 : index
  %dim_101 = tensor.dim %arg0, %c0_100 : tensor<?x4xf32>
  %78 = tensor.empty(%dim_101) : tensor<?x4xf32>
  %cst_102 = arith.constant 0.000000e+00 : f32
  %79 = linalg.fill ins(%cst_102 : f32) outs(%78 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %80 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %cst_7 : tensor<?x4xf32>, tensor<4x4xf32>) outs(%79 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?x4xf32>
  %c0_103 = arith.constant 0 : index
  %dim_104 = tensor.dim %77, %c0_103 : tensor<?x4xf32>
  %81 = tensor.empty(%dim_104) : tensor<?x4xf32>
  %82 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%77, %80 : tensor<?x4xf32>, tensor<?x4xf32>) outs(%81 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_105 = arith.constant 0 : index
  %dim_106 = tensor.dim %82, %c0_105 : tensor<?x4xf32>
  %83 = tensor.empty(%dim_106) : tensor<?x4xf32>
  %cst_107 = arith.constant 0.000000e+00 : f32
  %84 = linalg.fill ins(%cst_107 : f32) outs(%83 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %85 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%82, %cst_8 : tensor<?x4xf32>, tensor<4x4xf32>) outs(%84 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?x4xf32>
  %c0_108 = arith.constant 0 : index
  %dim_109 = tensor.dim %expanded_92, %c0_108 : tensor<?x1xf32>
  %86 = tensor.empty(%dim_109) : tensor<?x4xf32>
  %87 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_92, %85 : tensor<?x1xf32>, tensor<?x4xf32>) outs(%86 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_110 = arith.constant 0 : index
  %dim_111 = tensor.dim %61, %c0_110 : tensor<?x4xf32>
  %88 = tensor.empty(%dim_111) : tensor<?x4xf32>
  %89 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%61, %87 : tensor<?x4xf32>, tensor<?x4xf32>) outs(%88 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.addf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_112 = arith.constant 0 : index
  %dim_113 = tensor.dim %20#1, %c0_112 : tensor<?x2xi64>
  %90 = tensor.empty(%dim_113) : tensor<?x2xi1>
  %91 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#1, %cst_9 : tensor<?x2xi64>, tensor<i64>) outs(%90 : tensor<?x2xi1>) {
  ^bb0(%in: i64, %in_143: i64, %out: i1):
    %118 = arith.cmpi eq, %in, %in_143 : i64
    linalg.yield %118 : i1
  } -> tensor<?x2xi1>
  %c0_114 = arith.constant 0 : index
  %dim_115 = tensor.dim %91, %c0_114 : tensor<?x2xi1>
  %92 = tensor.empty(%dim_115) : tensor<?x2xf32>
  %93 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%91 : tensor<?x2xi1>) outs(%92 : tensor<?x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %118 = arith.uitofp %in : i1 to f32
    linalg.yield %118 : f32
  } -> tensor<?x2xf32>
  %c0_116 = arith.constant 0 : index
  %dim_117 = tensor.dim %25, %c0_116 : tensor<?x2xf32>
  %94 = tensor.empty(%dim_117) : tensor<?x2xf32>
  %95 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%25, %93 : tensor<?x2xf32>, tensor<?x2xf32>) outs(%94 : tensor<?x2xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x2xf32>
  %cst_118 = arith.constant 0.000000e+00 : f32
  %c0_119 = arith.constant 0 : index
  %dim_120 = tensor.dim %95, %c0_119 : tensor<?x2xf32>
  %96 = tensor.empty(%dim_120) : tensor<?xf32>
  %97 = linalg.fill ins(%cst_118 : f32) outs(%96 : tensor<?xf32>) -> tensor<?xf32>
  %98 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%95 : tensor<?x2xf32>) outs(%97 : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %118 = arith.addf %out, %in : f32
    linalg.yield %118 : f32
  } -> tensor<?xf32>
  %c0_121 = arith.constant 0 : index
  %dim_122 = tensor.dim %98, %c0_121 : tensor<?xf32>
  %expanded_123 = tensor.expand_shape %98 [[0, 1]] output_shape [%dim_122, 1] : tensor<?xf32> into tensor<?x1xf32>
  %c0_124 = arith.constant 0 : index
  %dim_125 = tensor.dim %arg0, %c0_124 : tensor<?x4xf32>
  %99 = tensor.empty(%dim_125) : tensor<?x4xf32>
  %cst_126 = arith.constant 0.000000e+00 : f32
  %100 = linalg.fill ins(%cst_126 : f32) outs(%99 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %101 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %cst_10 : tensor<?x4xf32>, tensor<4x4xf32>) outs(%100 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?x4xf32>
  %c0_127 = arith.constant 0 : index
  %dim_128 = tensor.dim %101, %c0_127 : tensor<?x4xf32>
  %102 = tensor.empty(%dim_128) : tensor<?x4xf32>
  %103 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%101 : tensor<?x4xf32>) outs(%102 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %118 = arith.negf %in : f32
    %119 = math.exp %118 : f32
    %cst_143 = arith.constant 1.000000e+00 : f32
    %cst_144 = arith.constant 1.000000e+00 : f32
    %120 = arith.addf %cst_144, %119 : f32
    %121 = arith.divf %cst_143, %120 : f32
    linalg.yield %121 : f32
  } -> tensor<?x4xf32>
  %c0_129 = arith.constant 0 : index
  %dim_130 = tensor.dim %101, %c0_129 : tensor<?x4xf32>
  %104 = tensor.empty(%dim_130) : tensor<?x4xf32>
  %105 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%101, %103 : tensor<?x4xf32>, tensor<?x4xf32>) outs(%104 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_131 = arith.constant 0 : index
  %dim_132 = tensor.dim %arg0, %c0_131 : tensor<?x4xf32>
  %106 = tensor.empty(%dim_132) : tensor<?x4xf32>
  %cst_133 = arith.constant 0.000000e+00 : f32
  %107 = linalg.fill ins(%cst_133 : f32) outs(%106 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %108 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %cst_11 : tensor<?x4xf32>, tensor<4x4xf32>) outs(%107 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?x4xf32>
  %c0_134 = arith.constant 0 : index
  %dim_135 = tensor.dim %105, %c0_134 : tensor<?x4xf32>
  %109 = tensor.empty(%dim_135) : tensor<?x4xf32>
  %110 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%105, %108 : tensor<?x4xf32>, tensor<?x4xf32>) outs(%109 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_136 = arith.constant 0 : index
  %dim_137 = tensor.dim %110, %c0_136 : tensor<?x4xf32>
  %111 = tensor.empty(%dim_137) : tensor<?x4xf32>
  %cst_138 = arith.constant 0.000000e+00 : f32
  %112 = linalg.fill ins(%cst_138 : f32) outs(%111 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %113 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%110, %cst_12 : tensor<?x4xf32>, tensor<4x4xf32>) outs(%112 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    %119 = arith.addf %out, %118 : f32
    linalg.yield %119 : f32
  } -> tensor<?x4xf32>
  %c0_139 = arith.constant 0 : index
  %dim_140 = tensor.dim %expanded_123, %c0_139 : tensor<?x1xf32>
  %114 = tensor.empty(%dim_140) : tensor<?x4xf32>
  %115 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_123, %113 : tensor<?x1xf32>, tensor<?x4xf32>) outs(%114 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.mulf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  %c0_141 = arith.constant 0 : index
  %dim_142 = tensor.dim %89, %c0_141 : tensor<?x4xf32>
  %116 = tensor.empty(%dim_142) : tensor<?x4xf32>
  %117 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%89, %115 : tensor<?x4xf32>, tensor<?x4xf32>) outs(%116 : tensor<?x4xf32>) {
  ^bb0(%in: f32, %in_143: f32, %out: f32):
    %118 = arith.addf %in, %in_143 : f32
    linalg.yield %118 : f32
  } -> tensor<?x4xf32>
  return %117 : tensor<?x4xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w0: "0x04000000000000C000000040000000C0000080BF0000803F00000000000040C0000040C00000404000000040000000400000000000000040000080BF0000000000000040",
      w1: "0x04000000000040C0000080BF000040C00000000000004040000040C0000080BF000080BF00004040000000C000000000000000C0000040C000000040000040C0000000C0",
      w2: "0x040000000000000000000000000040C0000040400000004000004040000040C000000040000080BF0000000000004040000000C000000040000000C0000080BF00004040",
      w3: "0x04000000000080BF00000000000080BF000040C0000080BF0000803F0000000000000040000080BF0000803F0000004000004040000080BF000040C00000004000000000",
      w4: "0x040000000000404000000000000080BF000040C0000000000000803F0000004000000040000000C00000803F00000040000000C0000080BF000000400000803F00000000",
      w5: "0x040000000000803F000000000000404000000040000040C0000000C00000000000000040000040C00000803F000000400000004000004040000000C00000000000000040",
      w6: "0x04000000000080BF000000C000000000000040C0000000C0000000400000803F000040400000004000004040000080BF000000000000803F000000C000004040000040C0",
      w7: "0x04000000000000400000803F000000C000000040000080BF0000004000004040000000C000000000000000C00000803F0000803F00000040000000400000404000004040",
      w8: "0x0400000000004040000000C0000040C000000000000080BF0000404000000040000080BF0000803F0000803F00004040000040C0000000000000803F0000000000004040"
    }
  }
#-}

// -----

// Weights as arguments: stacked at run time by transposes and a concat.
// CHECK-LABEL: func.func @moe_basic
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<4x4xf32>, %[[GATE:[a-z0-9_]+]]: tensor<3x4xf32>, %[[E0W1:[a-z0-9_]+]]: tensor<4x4xf32>, %[[E0W3:[a-z0-9_]+]]: tensor<4x4xf32>, %[[E0W2:[a-z0-9_]+]]: tensor<4x4xf32>, %[[E1W1:[a-z0-9_]+]]: tensor<4x4xf32>, %{{[a-z0-9_]+}}: tensor<4x4xf32>, %{{[a-z0-9_]+}}: tensor<4x4xf32>, %[[E2W1:[a-z0-9_]+]]: tensor<4x4xf32>
// CHECK: %[[LOGITS:[^ ,]+]] = linalg.generic {{.*}} ins(%[[X]], %[[GATE]] :
// CHECK: %[[W:[^ ,]+]], %[[IDS:[^ ,]+]] = loom_moe.route %[[LOGITS]] top 2 softmax normalize
// CHECK: %[[XS:[^ ,]+]], %[[OFF:[^ ,]+]], %[[PERM:[^ ,]+]] = loom_moe.dispatch %[[X]], %[[IDS]] experts 3
// CHECK: %[[T0:[^ ,]+]] = linalg.transpose ins(%[[E0W1]] : tensor<4x4xf32>) {{.*}} permutation = [1, 0]
// CHECK: %[[X0:[^ ,]+]] = tensor.expand_shape %[[T0]] {{\[\[}}0, 1], [2]] output_shape [1, 4, 4]
// CHECK: %[[T1:[^ ,]+]] = linalg.transpose ins(%[[E1W1]]
// CHECK: %[[X1:[^ ,]+]] = tensor.expand_shape %[[T1]]
// CHECK: %[[T2:[^ ,]+]] = linalg.transpose ins(%[[E2W1]]
// CHECK: %[[X2:[^ ,]+]] = tensor.expand_shape %[[T2]]
// CHECK: %[[W1:[^ ,]+]] = tensor.concat dim(0) %[[X0]], %[[X1]], %[[X2]] : (tensor<1x4x4xf32>, tensor<1x4x4xf32>, tensor<1x4x4xf32>) -> tensor<3x4x4xf32>
// CHECK: loom_moe.grouped_matmul %[[XS]], %[[W1]], %[[OFF]]
// CHECK: tensor.concat
// CHECK: loom_moe.grouped_matmul %[[XS]]
// CHECK: linalg.transpose ins(%[[E0W2]]
// CHECK: %[[Y:[^ ,]+]] = loom_moe.grouped_matmul
// CHECK: %[[OUT:[^ ,]+]] = loom_moe.combine %[[Y]], %[[PERM]], %[[W]]
// CHECK: return %[[OUT]]
func.func @moe_basic(%arg0: tensor<4x4xf32>, %arg1: tensor<3x4xf32>, %arg2: tensor<4x4xf32>, %arg3: tensor<4x4xf32>, %arg4: tensor<4x4xf32>, %arg5: tensor<4x4xf32>, %arg6: tensor<4x4xf32>, %arg7: tensor<4x4xf32>, %arg8: tensor<4x4xf32>, %arg9: tensor<4x4xf32>, %arg10: tensor<4x4xf32>) -> (tensor<4x4xf32>) {
  %cst = arith.constant dense<0.000000e+00> : tensor<f32>
  %cst_0 = arith.constant dense<0> : tensor<i64>
  %cst_1 = arith.constant dense<1> : tensor<i64>
  %cst_2 = arith.constant dense<2> : tensor<i64>
  %0 = tensor.empty() : tensor<4x3xf32>
  %cst_3 = arith.constant 0.000000e+00 : f32
  %1 = linalg.fill ins(%cst_3 : f32) outs(%0 : tensor<4x3xf32>) -> tensor<4x3xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<4x4xf32>, tensor<3x4xf32>) outs(%1 : tensor<4x3xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x3xf32>
  %cst_4 = arith.constant 0xFF800000 : f32
  %3 = tensor.empty() : tensor<4xf32>
  %4 = linalg.fill ins(%cst_4 : f32) outs(%3 : tensor<4xf32>) -> tensor<4xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%2 : tensor<4x3xf32>) outs(%4 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.maximumf %out, %in : f32
    linalg.yield %112 : f32
  } -> tensor<4xf32>
  %expanded = tensor.expand_shape %5 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %6 = tensor.empty() : tensor<4x3xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%2, %expanded : tensor<4x3xf32>, tensor<4x1xf32>) outs(%6 : tensor<4x3xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.subf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x3xf32>
  %cst_5 = arith.constant 0.000000e+00 : f32
  %8 = tensor.empty() : tensor<4xf32>
  %9 = linalg.fill ins(%cst_5 : f32) outs(%8 : tensor<4xf32>) -> tensor<4xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%7 : tensor<4x3xf32>) outs(%9 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = math.exp %in : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4xf32>
  %expanded_6 = tensor.expand_shape %10 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %11 = tensor.empty() : tensor<4x3xf32>
  %12 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%7, %expanded_6 : tensor<4x3xf32>, tensor<4x1xf32>) outs(%11 : tensor<4x3xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = math.exp %in : f32
    %113 = arith.divf %112, %in_26 : f32
    linalg.yield %113 : f32
  } -> tensor<4x3xf32>
  %c0_i64 = arith.constant 0 : i64
  %13 = tensor.empty() : tensor<4x3xi64>
  %14 = linalg.fill ins(%c0_i64 : i64) outs(%13 : tensor<4x3xi64>) -> tensor<4x3xi64>
  %15 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%12, %12 : tensor<4x3xf32>, tensor<4x3xf32>) outs(%14 : tensor<4x3xi64>) {
  ^bb0(%in: f32, %in_26: f32, %out: i64):
    %112 = linalg.index 1 : index
    %113 = linalg.index 2 : index
    %114 = arith.cmpf ogt, %in_26, %in : f32
    %115 = arith.cmpf oeq, %in_26, %in : f32
    %116 = arith.cmpi ult, %113, %112 : index
    %117 = arith.andi %115, %116 : i1
    %118 = arith.ori %114, %117 : i1
    %119 = arith.extui %118 : i1 to i64
    %120 = arith.addi %out, %119 : i64
    linalg.yield %120 : i64
  } -> tensor<4x3xi64>
  %cst_7 = arith.constant 0.000000e+00 : f32
  %16 = tensor.empty() : tensor<4x2xf32>
  %17 = linalg.fill ins(%cst_7 : f32) outs(%16 : tensor<4x2xf32>) -> tensor<4x2xf32>
  %c0_i64_8 = arith.constant 0 : i64
  %18 = tensor.empty() : tensor<4x2xi64>
  %19 = linalg.fill ins(%c0_i64_8 : i64) outs(%18 : tensor<4x2xi64>) -> tensor<4x2xi64>
  %20:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%12, %15 : tensor<4x3xf32>, tensor<4x3xi64>) outs(%17, %19 : tensor<4x2xf32>, tensor<4x2xi64>) {
  ^bb0(%in: f32, %in_26: i64, %out: f32, %out_27: i64):
    %112 = linalg.index 1 : index
    %113 = arith.index_cast %112 : index to i64
    %114 = linalg.index 2 : index
    %115 = arith.index_cast %114 : index to i64
    %116 = arith.cmpi eq, %in_26, %113 : i64
    %117 = arith.select %116, %in, %out : f32
    %118 = arith.select %116, %115, %out_27 : i64
    linalg.yield %117, %118 : f32, i64
  } -> (tensor<4x2xf32>, tensor<4x2xi64>)
  %cst_9 = arith.constant 0.000000e+00 : f32
  %21 = tensor.empty() : tensor<4xf32>
  %22 = linalg.fill ins(%cst_9 : f32) outs(%21 : tensor<4xf32>) -> tensor<4xf32>
  %23 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%20#0 : tensor<4x2xf32>) outs(%22 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.addf %out, %in : f32
    linalg.yield %112 : f32
  } -> tensor<4xf32>
  %expanded_10 = tensor.expand_shape %23 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %24 = tensor.empty() : tensor<4x2xf32>
  %25 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#0, %expanded_10 : tensor<4x2xf32>, tensor<4x1xf32>) outs(%24 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.divf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x2xf32>
  %26 = tensor.empty() : tensor<4x4xf32>
  %27 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%cst : tensor<f32>) outs(%26 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4x4xf32>
  %28 = tensor.empty() : tensor<4x2xi1>
  %29 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#1, %cst_0 : tensor<4x2xi64>, tensor<i64>) outs(%28 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_26: i64, %out: i1):
    %112 = arith.cmpi eq, %in, %in_26 : i64
    linalg.yield %112 : i1
  } -> tensor<4x2xi1>
  %30 = tensor.empty() : tensor<4x2xf32>
  %31 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%29 : tensor<4x2xi1>) outs(%30 : tensor<4x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %112 = arith.uitofp %in : i1 to f32
    linalg.yield %112 : f32
  } -> tensor<4x2xf32>
  %32 = tensor.empty() : tensor<4x2xf32>
  %33 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%25, %31 : tensor<4x2xf32>, tensor<4x2xf32>) outs(%32 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x2xf32>
  %cst_11 = arith.constant 0.000000e+00 : f32
  %34 = tensor.empty() : tensor<4xf32>
  %35 = linalg.fill ins(%cst_11 : f32) outs(%34 : tensor<4xf32>) -> tensor<4xf32>
  %36 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%33 : tensor<4x2xf32>) outs(%35 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.addf %out, %in : f32
    linalg.yield %112 : f32
  } -> tensor<4xf32>
  %expanded_12 = tensor.expand_shape %36 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %37 = tensor.empty() : tensor<4x4xf32>
  %cst_13 = arith.constant 0.000000e+00 : f32
  %38 = linalg.fill ins(%cst_13 : f32) outs(%37 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %39 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg2 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%38 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %40 = tensor.empty() : tensor<4x4xf32>
  %41 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%39 : tensor<4x4xf32>) outs(%40 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.negf %in : f32
    %113 = math.exp %112 : f32
    %cst_26 = arith.constant 1.000000e+00 : f32
    %cst_27 = arith.constant 1.000000e+00 : f32
    %114 = arith.addf %cst_27, %113 : f32
    %115 = arith.divf %cst_26, %114 : f32
    linalg.yield %115 : f32
  } -> tensor<4x4xf32>
  %42 = tensor.empty() : tensor<4x4xf32>
  %43 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%39, %41 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%42 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %44 = tensor.empty() : tensor<4x4xf32>
  %cst_14 = arith.constant 0.000000e+00 : f32
  %45 = linalg.fill ins(%cst_14 : f32) outs(%44 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %46 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg3 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%45 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %47 = tensor.empty() : tensor<4x4xf32>
  %48 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%43, %46 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%47 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %49 = tensor.empty() : tensor<4x4xf32>
  %cst_15 = arith.constant 0.000000e+00 : f32
  %50 = linalg.fill ins(%cst_15 : f32) outs(%49 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %51 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%48, %arg4 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%50 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %52 = tensor.empty() : tensor<4x4xf32>
  %53 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_12, %51 : tensor<4x1xf32>, tensor<4x4xf32>) outs(%52 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %54 = tensor.empty() : tensor<4x4xf32>
  %55 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%27, %53 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%54 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.addf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %56 = tensor.empty() : tensor<4x2xi1>
  %57 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#1, %cst_1 : tensor<4x2xi64>, tensor<i64>) outs(%56 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_26: i64, %out: i1):
    %112 = arith.cmpi eq, %in, %in_26 : i64
    linalg.yield %112 : i1
  } -> tensor<4x2xi1>
  %58 = tensor.empty() : tensor<4x2xf32>
  %59 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%57 : tensor<4x2xi1>) outs(%58 : tensor<4x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %112 = arith.uitofp %in : i1 to f32
    linalg.yield %112 : f32
  } -> tensor<4x2xf32>
  %60 = tensor.empty() : tensor<4x2xf32>
  %61 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%25, %59 : tensor<4x2xf32>, tensor<4x2xf32>) outs(%60 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x2xf32>
  %cst_16 = arith.constant 0.000000e+00 : f32
  %62 = tensor.empty() : tensor<4xf32>
  %63 = linalg.fill ins(%cst_16 : f32) outs(%62 : tensor<4xf32>) -> tensor<4xf32>
  %64 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%61 : tensor<4x2xf32>) outs(%63 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.addf %out, %in : f32
    linalg.yield %112 : f32
  } -> tensor<4xf32>
  %expanded_17 = tensor.expand_shape %64 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %65 = tensor.empty() : tensor<4x4xf32>
  %cst_18 = arith.constant 0.000000e+00 : f32
  %66 = linalg.fill ins(%cst_18 : f32) outs(%65 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %67 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg5 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%66 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %68 = tensor.empty() : tensor<4x4xf32>
  %69 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%67 : tensor<4x4xf32>) outs(%68 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.negf %in : f32
    %113 = math.exp %112 : f32
    %cst_26 = arith.constant 1.000000e+00 : f32
    %cst_27 = arith.constant 1.000000e+00 : f32
    %114 = arith.addf %cst_27, %113 : f32
    %115 = arith.divf %cst_26, %114 : f32
    linalg.yield %115 : f32
  } -> tensor<4x4xf32>
  %70 = tensor.empty() : tensor<4x4xf32>
  %71 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%67, %69 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%70 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %72 = tensor.empty() : tensor<4x4xf32>
  %cst_19 = arith.constant 0.000000e+00 : f32
  %73 = linalg.fill ins(%cst_19 : f32) outs(%72 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %74 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg6 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%73 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %75 = tensor.empty() : tensor<4x4xf32>
  %76 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%71, %74 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%75 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %77 = tensor.empty() : tensor<4x4xf32>
  %cst_20 = arith.constant 0.000000e+00 : f32
  %78 = linalg.fill ins(%cst_20 : f32) outs(%77 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %79 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%76, %arg7 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%78 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %80 = tensor.empty() : tensor<4x4xf32>
  %81 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_17, %79 : tensor<4x1xf32>, tensor<4x4xf32>) outs(%80 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %82 = tensor.empty() : tensor<4x4xf32>
  %83 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%55, %81 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%82 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.addf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %84 = tensor.empty() : tensor<4x2xi1>
  %85 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#1, %cst_2 : tensor<4x2xi64>, tensor<i64>) outs(%84 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_26: i64, %out: i1):
    %112 = arith.cmpi eq, %in, %in_26 : i64
    linalg.yield %112 : i1
  } -> tensor<4x2xi1>
  %86 = tensor.empty() : tensor<4x2xf32>
  %87 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%85 : tensor<4x2xi1>) outs(%86 : tensor<4x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %112 = arith.uitofp %in : i1 to f32
    linalg.yield %112 : f32
  } -> tensor<4x2xf32>
  %88 = tensor.empty() : tensor<4x2xf32>
  %89 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%25, %87 : tensor<4x2xf32>, tensor<4x2xf32>) outs(%88 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x2xf32>
  %cst_21 = arith.constant 0.000000e+00 : f32
  %90 = tensor.empty() : tensor<4xf32>
  %91 = linalg.fill ins(%cst_21 : f32) outs(%90 : tensor<4xf32>) -> tensor<4xf32>
  %92 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%89 : tensor<4x2xf32>) outs(%91 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.addf %out, %in : f32
    linalg.yield %112 : f32
  } -> tensor<4xf32>
  %expanded_22 = tensor.expand_shape %92 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %93 = tensor.empty() : tensor<4x4xf32>
  %cst_23 = arith.constant 0.000000e+00 : f32
  %94 = linalg.fill ins(%cst_23 : f32) outs(%93 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %95 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg8 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%94 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %96 = tensor.empty() : tensor<4x4xf32>
  %97 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%95 : tensor<4x4xf32>) outs(%96 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.negf %in : f32
    %113 = math.exp %112 : f32
    %cst_26 = arith.constant 1.000000e+00 : f32
    %cst_27 = arith.constant 1.000000e+00 : f32
    %114 = arith.addf %cst_27, %113 : f32
    %115 = arith.divf %cst_26, %114 : f32
    linalg.yield %115 : f32
  } -> tensor<4x4xf32>
  %98 = tensor.empty() : tensor<4x4xf32>
  %99 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%95, %97 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%98 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %100 = tensor.empty() : tensor<4x4xf32>
  %cst_24 = arith.constant 0.000000e+00 : f32
  %101 = linalg.fill ins(%cst_24 : f32) outs(%100 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %102 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg9 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%101 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %103 = tensor.empty() : tensor<4x4xf32>
  %104 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%99, %102 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%103 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %105 = tensor.empty() : tensor<4x4xf32>
  %cst_25 = arith.constant 0.000000e+00 : f32
  %106 = linalg.fill ins(%cst_25 : f32) outs(%105 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %107 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%104, %arg10 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%106 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %108 = tensor.empty() : tensor<4x4xf32>
  %109 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_22, %107 : tensor<4x1xf32>, tensor<4x4xf32>) outs(%108 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %110 = tensor.empty() : tensor<4x4xf32>
  %111 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%83, %109 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%110 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.addf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  return %111 : tensor<4x4xf32>
}

// -----

// Without the renormalisation the weights are the top-k scores themselves:
// route without `normalize`.
// CHECK-LABEL: func.func @moe_no_norm
// CHECK: loom_moe.route %{{.+}} top 2 softmax : tensor<4x3xf32>
// CHECK: loom_moe.combine
func.func @moe_no_norm(%arg0: tensor<4x4xf32>, %arg1: tensor<3x4xf32>, %arg2: tensor<4x4xf32>, %arg3: tensor<4x4xf32>, %arg4: tensor<4x4xf32>, %arg5: tensor<4x4xf32>, %arg6: tensor<4x4xf32>, %arg7: tensor<4x4xf32>, %arg8: tensor<4x4xf32>, %arg9: tensor<4x4xf32>, %arg10: tensor<4x4xf32>) -> (tensor<4x4xf32>) {
  %cst = arith.constant dense<0.000000e+00> : tensor<f32>
  %cst_0 = arith.constant dense<0> : tensor<i64>
  %cst_1 = arith.constant dense<1> : tensor<i64>
  %cst_2 = arith.constant dense<2> : tensor<i64>
  %0 = tensor.empty() : tensor<4x3xf32>
  %cst_3 = arith.constant 0.000000e+00 : f32
  %1 = linalg.fill ins(%cst_3 : f32) outs(%0 : tensor<4x3xf32>) -> tensor<4x3xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<4x4xf32>, tensor<3x4xf32>) outs(%1 : tensor<4x3xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    %108 = arith.addf %out, %107 : f32
    linalg.yield %108 : f32
  } -> tensor<4x3xf32>
  %cst_4 = arith.constant 0xFF800000 : f32
  %3 = tensor.empty() : tensor<4xf32>
  %4 = linalg.fill ins(%cst_4 : f32) outs(%3 : tensor<4xf32>) -> tensor<4xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%2 : tensor<4x3xf32>) outs(%4 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %107 = arith.maximumf %out, %in : f32
    linalg.yield %107 : f32
  } -> tensor<4xf32>
  %expanded = tensor.expand_shape %5 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %6 = tensor.empty() : tensor<4x3xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%2, %expanded : tensor<4x3xf32>, tensor<4x1xf32>) outs(%6 : tensor<4x3xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.subf %in, %in_24 : f32
    linalg.yield %107 : f32
  } -> tensor<4x3xf32>
  %cst_5 = arith.constant 0.000000e+00 : f32
  %8 = tensor.empty() : tensor<4xf32>
  %9 = linalg.fill ins(%cst_5 : f32) outs(%8 : tensor<4xf32>) -> tensor<4xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%7 : tensor<4x3xf32>) outs(%9 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %107 = math.exp %in : f32
    %108 = arith.addf %out, %107 : f32
    linalg.yield %108 : f32
  } -> tensor<4xf32>
  %expanded_6 = tensor.expand_shape %10 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %11 = tensor.empty() : tensor<4x3xf32>
  %12 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%7, %expanded_6 : tensor<4x3xf32>, tensor<4x1xf32>) outs(%11 : tensor<4x3xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = math.exp %in : f32
    %108 = arith.divf %107, %in_24 : f32
    linalg.yield %108 : f32
  } -> tensor<4x3xf32>
  %c0_i64 = arith.constant 0 : i64
  %13 = tensor.empty() : tensor<4x3xi64>
  %14 = linalg.fill ins(%c0_i64 : i64) outs(%13 : tensor<4x3xi64>) -> tensor<4x3xi64>
  %15 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%12, %12 : tensor<4x3xf32>, tensor<4x3xf32>) outs(%14 : tensor<4x3xi64>) {
  ^bb0(%in: f32, %in_24: f32, %out: i64):
    %107 = linalg.index 1 : index
    %108 = linalg.index 2 : index
    %109 = arith.cmpf ogt, %in_24, %in : f32
    %110 = arith.cmpf oeq, %in_24, %in : f32
    %111 = arith.cmpi ult, %108, %107 : index
    %112 = arith.andi %110, %111 : i1
    %113 = arith.ori %109, %112 : i1
    %114 = arith.extui %113 : i1 to i64
    %115 = arith.addi %out, %114 : i64
    linalg.yield %115 : i64
  } -> tensor<4x3xi64>
  %cst_7 = arith.constant 0.000000e+00 : f32
  %16 = tensor.empty() : tensor<4x2xf32>
  %17 = linalg.fill ins(%cst_7 : f32) outs(%16 : tensor<4x2xf32>) -> tensor<4x2xf32>
  %c0_i64_8 = arith.constant 0 : i64
  %18 = tensor.empty() : tensor<4x2xi64>
  %19 = linalg.fill ins(%c0_i64_8 : i64) outs(%18 : tensor<4x2xi64>) -> tensor<4x2xi64>
  %20:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%12, %15 : tensor<4x3xf32>, tensor<4x3xi64>) outs(%17, %19 : tensor<4x2xf32>, tensor<4x2xi64>) {
  ^bb0(%in: f32, %in_24: i64, %out: f32, %out_25: i64):
    %107 = linalg.index 1 : index
    %108 = arith.index_cast %107 : index to i64
    %109 = linalg.index 2 : index
    %110 = arith.index_cast %109 : index to i64
    %111 = arith.cmpi eq, %in_24, %108 : i64
    %112 = arith.select %111, %in, %out : f32
    %113 = arith.select %111, %110, %out_25 : i64
    linalg.yield %112, %113 : f32, i64
  } -> (tensor<4x2xf32>, tensor<4x2xi64>)
  %21 = tensor.empty() : tensor<4x4xf32>
  %22 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%cst : tensor<f32>) outs(%21 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4x4xf32>
  %23 = tensor.empty() : tensor<4x2xi1>
  %24 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#1, %cst_0 : tensor<4x2xi64>, tensor<i64>) outs(%23 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_24: i64, %out: i1):
    %107 = arith.cmpi eq, %in, %in_24 : i64
    linalg.yield %107 : i1
  } -> tensor<4x2xi1>
  %25 = tensor.empty() : tensor<4x2xf32>
  %26 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%24 : tensor<4x2xi1>) outs(%25 : tensor<4x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %107 = arith.uitofp %in : i1 to f32
    linalg.yield %107 : f32
  } -> tensor<4x2xf32>
  %27 = tensor.empty() : tensor<4x2xf32>
  %28 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#0, %26 : tensor<4x2xf32>, tensor<4x2xf32>) outs(%27 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    linalg.yield %107 : f32
  } -> tensor<4x2xf32>
  %cst_9 = arith.constant 0.000000e+00 : f32
  %29 = tensor.empty() : tensor<4xf32>
  %30 = linalg.fill ins(%cst_9 : f32) outs(%29 : tensor<4xf32>) -> tensor<4xf32>
  %31 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%28 : tensor<4x2xf32>) outs(%30 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %107 = arith.addf %out, %in : f32
    linalg.yield %107 : f32
  } -> tensor<4xf32>
  %expanded_10 = tensor.expand_shape %31 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %32 = tensor.empty() : tensor<4x4xf32>
  %cst_11 = arith.constant 0.000000e+00 : f32
  %33 = linalg.fill ins(%cst_11 : f32) outs(%32 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %34 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg2 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%33 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    %108 = arith.addf %out, %107 : f32
    linalg.yield %108 : f32
  } -> tensor<4x4xf32>
  %35 = tensor.empty() : tensor<4x4xf32>
  %36 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%34 : tensor<4x4xf32>) outs(%35 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %107 = arith.negf %in : f32
    %108 = math.exp %107 : f32
    %cst_24 = arith.constant 1.000000e+00 : f32
    %cst_25 = arith.constant 1.000000e+00 : f32
    %109 = arith.addf %cst_25, %108 : f32
    %110 = arith.divf %cst_24, %109 : f32
    linalg.yield %110 : f32
  } -> tensor<4x4xf32>
  %37 = tensor.empty() : tensor<4x4xf32>
  %38 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%34, %36 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%37 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    linalg.yield %107 : f32
  } -> tensor<4x4xf32>
  %39 = tensor.empty() : tensor<4x4xf32>
  %cst_12 = arith.constant 0.000000e+00 : f32
  %40 = linalg.fill ins(%cst_12 : f32) outs(%39 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %41 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg3 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%40 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    %108 = arith.addf %out, %107 : f32
    linalg.yield %108 : f32
  } -> tensor<4x4xf32>
  %42 = tensor.empty() : tensor<4x4xf32>
  %43 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%38, %41 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%42 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    linalg.yield %107 : f32
  } -> tensor<4x4xf32>
  %44 = tensor.empty() : tensor<4x4xf32>
  %cst_13 = arith.constant 0.000000e+00 : f32
  %45 = linalg.fill ins(%cst_13 : f32) outs(%44 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %46 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%43, %arg4 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%45 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    %108 = arith.addf %out, %107 : f32
    linalg.yield %108 : f32
  } -> tensor<4x4xf32>
  %47 = tensor.empty() : tensor<4x4xf32>
  %48 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_10, %46 : tensor<4x1xf32>, tensor<4x4xf32>) outs(%47 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    linalg.yield %107 : f32
  } -> tensor<4x4xf32>
  %49 = tensor.empty() : tensor<4x4xf32>
  %50 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%22, %48 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%49 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.addf %in, %in_24 : f32
    linalg.yield %107 : f32
  } -> tensor<4x4xf32>
  %51 = tensor.empty() : tensor<4x2xi1>
  %52 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#1, %cst_1 : tensor<4x2xi64>, tensor<i64>) outs(%51 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_24: i64, %out: i1):
    %107 = arith.cmpi eq, %in, %in_24 : i64
    linalg.yield %107 : i1
  } -> tensor<4x2xi1>
  %53 = tensor.empty() : tensor<4x2xf32>
  %54 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%52 : tensor<4x2xi1>) outs(%53 : tensor<4x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %107 = arith.uitofp %in : i1 to f32
    linalg.yield %107 : f32
  } -> tensor<4x2xf32>
  %55 = tensor.empty() : tensor<4x2xf32>
  %56 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#0, %54 : tensor<4x2xf32>, tensor<4x2xf32>) outs(%55 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    linalg.yield %107 : f32
  } -> tensor<4x2xf32>
  %cst_14 = arith.constant 0.000000e+00 : f32
  %57 = tensor.empty() : tensor<4xf32>
  %58 = linalg.fill ins(%cst_14 : f32) outs(%57 : tensor<4xf32>) -> tensor<4xf32>
  %59 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%56 : tensor<4x2xf32>) outs(%58 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %107 = arith.addf %out, %in : f32
    linalg.yield %107 : f32
  } -> tensor<4xf32>
  %expanded_15 = tensor.expand_shape %59 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %60 = tensor.empty() : tensor<4x4xf32>
  %cst_16 = arith.constant 0.000000e+00 : f32
  %61 = linalg.fill ins(%cst_16 : f32) outs(%60 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %62 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg5 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%61 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    %108 = arith.addf %out, %107 : f32
    linalg.yield %108 : f32
  } -> tensor<4x4xf32>
  %63 = tensor.empty() : tensor<4x4xf32>
  %64 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%62 : tensor<4x4xf32>) outs(%63 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %107 = arith.negf %in : f32
    %108 = math.exp %107 : f32
    %cst_24 = arith.constant 1.000000e+00 : f32
    %cst_25 = arith.constant 1.000000e+00 : f32
    %109 = arith.addf %cst_25, %108 : f32
    %110 = arith.divf %cst_24, %109 : f32
    linalg.yield %110 : f32
  } -> tensor<4x4xf32>
  %65 = tensor.empty() : tensor<4x4xf32>
  %66 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%62, %64 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%65 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    linalg.yield %107 : f32
  } -> tensor<4x4xf32>
  %67 = tensor.empty() : tensor<4x4xf32>
  %cst_17 = arith.constant 0.000000e+00 : f32
  %68 = linalg.fill ins(%cst_17 : f32) outs(%67 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %69 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg6 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%68 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    %108 = arith.addf %out, %107 : f32
    linalg.yield %108 : f32
  } -> tensor<4x4xf32>
  %70 = tensor.empty() : tensor<4x4xf32>
  %71 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%66, %69 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%70 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    linalg.yield %107 : f32
  } -> tensor<4x4xf32>
  %72 = tensor.empty() : tensor<4x4xf32>
  %cst_18 = arith.constant 0.000000e+00 : f32
  %73 = linalg.fill ins(%cst_18 : f32) outs(%72 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %74 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%71, %arg7 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%73 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    %108 = arith.addf %out, %107 : f32
    linalg.yield %108 : f32
  } -> tensor<4x4xf32>
  %75 = tensor.empty() : tensor<4x4xf32>
  %76 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_15, %74 : tensor<4x1xf32>, tensor<4x4xf32>) outs(%75 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    linalg.yield %107 : f32
  } -> tensor<4x4xf32>
  %77 = tensor.empty() : tensor<4x4xf32>
  %78 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%50, %76 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%77 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.addf %in, %in_24 : f32
    linalg.yield %107 : f32
  } -> tensor<4x4xf32>
  %79 = tensor.empty() : tensor<4x2xi1>
  %80 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#1, %cst_2 : tensor<4x2xi64>, tensor<i64>) outs(%79 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_24: i64, %out: i1):
    %107 = arith.cmpi eq, %in, %in_24 : i64
    linalg.yield %107 : i1
  } -> tensor<4x2xi1>
  %81 = tensor.empty() : tensor<4x2xf32>
  %82 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%80 : tensor<4x2xi1>) outs(%81 : tensor<4x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %107 = arith.uitofp %in : i1 to f32
    linalg.yield %107 : f32
  } -> tensor<4x2xf32>
  %83 = tensor.empty() : tensor<4x2xf32>
  %84 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#0, %82 : tensor<4x2xf32>, tensor<4x2xf32>) outs(%83 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    linalg.yield %107 : f32
  } -> tensor<4x2xf32>
  %cst_19 = arith.constant 0.000000e+00 : f32
  %85 = tensor.empty() : tensor<4xf32>
  %86 = linalg.fill ins(%cst_19 : f32) outs(%85 : tensor<4xf32>) -> tensor<4xf32>
  %87 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%84 : tensor<4x2xf32>) outs(%86 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %107 = arith.addf %out, %in : f32
    linalg.yield %107 : f32
  } -> tensor<4xf32>
  %expanded_20 = tensor.expand_shape %87 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %88 = tensor.empty() : tensor<4x4xf32>
  %cst_21 = arith.constant 0.000000e+00 : f32
  %89 = linalg.fill ins(%cst_21 : f32) outs(%88 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %90 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg8 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%89 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    %108 = arith.addf %out, %107 : f32
    linalg.yield %108 : f32
  } -> tensor<4x4xf32>
  %91 = tensor.empty() : tensor<4x4xf32>
  %92 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%90 : tensor<4x4xf32>) outs(%91 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %107 = arith.negf %in : f32
    %108 = math.exp %107 : f32
    %cst_24 = arith.constant 1.000000e+00 : f32
    %cst_25 = arith.constant 1.000000e+00 : f32
    %109 = arith.addf %cst_25, %108 : f32
    %110 = arith.divf %cst_24, %109 : f32
    linalg.yield %110 : f32
  } -> tensor<4x4xf32>
  %93 = tensor.empty() : tensor<4x4xf32>
  %94 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%90, %92 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%93 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    linalg.yield %107 : f32
  } -> tensor<4x4xf32>
  %95 = tensor.empty() : tensor<4x4xf32>
  %cst_22 = arith.constant 0.000000e+00 : f32
  %96 = linalg.fill ins(%cst_22 : f32) outs(%95 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %97 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg9 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%96 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    %108 = arith.addf %out, %107 : f32
    linalg.yield %108 : f32
  } -> tensor<4x4xf32>
  %98 = tensor.empty() : tensor<4x4xf32>
  %99 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%94, %97 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%98 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    linalg.yield %107 : f32
  } -> tensor<4x4xf32>
  %100 = tensor.empty() : tensor<4x4xf32>
  %cst_23 = arith.constant 0.000000e+00 : f32
  %101 = linalg.fill ins(%cst_23 : f32) outs(%100 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %102 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%99, %arg10 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%101 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    %108 = arith.addf %out, %107 : f32
    linalg.yield %108 : f32
  } -> tensor<4x4xf32>
  %103 = tensor.empty() : tensor<4x4xf32>
  %104 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_20, %102 : tensor<4x1xf32>, tensor<4x4xf32>) outs(%103 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.mulf %in, %in_24 : f32
    linalg.yield %107 : f32
  } -> tensor<4x4xf32>
  %105 = tensor.empty() : tensor<4x4xf32>
  %106 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%78, %104 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%105 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_24: f32, %out: f32):
    %107 = arith.addf %in, %in_24 : f32
    linalg.yield %107 : f32
  } -> tensor<4x4xf32>
  return %106 : tensor<4x4xf32>
}

// -----

// Negative: the top-k is taken over the raw router logits (no softmax);
// route's scoring cannot express it.
// CHECK-LABEL: func.func @moe_no_softmax
// CHECK-NOT: loom_moe
// CHECK: return
func.func @moe_no_softmax(%arg0: tensor<4x4xf32>, %arg1: tensor<3x4xf32>, %arg2: tensor<4x4xf32>, %arg3: tensor<4x4xf32>, %arg4: tensor<4x4xf32>, %arg5: tensor<4x4xf32>, %arg6: tensor<4x4xf32>, %arg7: tensor<4x4xf32>, %arg8: tensor<4x4xf32>, %arg9: tensor<4x4xf32>, %arg10: tensor<4x4xf32>) -> (tensor<4x4xf32>) {
  %cst = arith.constant dense<0.000000e+00> : tensor<f32>
  %cst_0 = arith.constant dense<0> : tensor<i64>
  %cst_1 = arith.constant dense<1> : tensor<i64>
  %cst_2 = arith.constant dense<2> : tensor<i64>
  %0 = tensor.empty() : tensor<4x3xf32>
  %cst_3 = arith.constant 0.000000e+00 : f32
  %1 = linalg.fill ins(%cst_3 : f32) outs(%0 : tensor<4x3xf32>) -> tensor<4x3xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<4x4xf32>, tensor<3x4xf32>) outs(%1 : tensor<4x3xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    %103 = arith.addf %out, %102 : f32
    linalg.yield %103 : f32
  } -> tensor<4x3xf32>
  %c0_i64 = arith.constant 0 : i64
  %3 = tensor.empty() : tensor<4x3xi64>
  %4 = linalg.fill ins(%c0_i64 : i64) outs(%3 : tensor<4x3xi64>) -> tensor<4x3xi64>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%2, %2 : tensor<4x3xf32>, tensor<4x3xf32>) outs(%4 : tensor<4x3xi64>) {
  ^bb0(%in: f32, %in_22: f32, %out: i64):
    %102 = linalg.index 1 : index
    %103 = linalg.index 2 : index
    %104 = arith.cmpf ogt, %in_22, %in : f32
    %105 = arith.cmpf oeq, %in_22, %in : f32
    %106 = arith.cmpi ult, %103, %102 : index
    %107 = arith.andi %105, %106 : i1
    %108 = arith.ori %104, %107 : i1
    %109 = arith.extui %108 : i1 to i64
    %110 = arith.addi %out, %109 : i64
    linalg.yield %110 : i64
  } -> tensor<4x3xi64>
  %cst_4 = arith.constant 0.000000e+00 : f32
  %6 = tensor.empty() : tensor<4x2xf32>
  %7 = linalg.fill ins(%cst_4 : f32) outs(%6 : tensor<4x2xf32>) -> tensor<4x2xf32>
  %c0_i64_5 = arith.constant 0 : i64
  %8 = tensor.empty() : tensor<4x2xi64>
  %9 = linalg.fill ins(%c0_i64_5 : i64) outs(%8 : tensor<4x2xi64>) -> tensor<4x2xi64>
  %10:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%2, %5 : tensor<4x3xf32>, tensor<4x3xi64>) outs(%7, %9 : tensor<4x2xf32>, tensor<4x2xi64>) {
  ^bb0(%in: f32, %in_22: i64, %out: f32, %out_23: i64):
    %102 = linalg.index 1 : index
    %103 = arith.index_cast %102 : index to i64
    %104 = linalg.index 2 : index
    %105 = arith.index_cast %104 : index to i64
    %106 = arith.cmpi eq, %in_22, %103 : i64
    %107 = arith.select %106, %in, %out : f32
    %108 = arith.select %106, %105, %out_23 : i64
    linalg.yield %107, %108 : f32, i64
  } -> (tensor<4x2xf32>, tensor<4x2xi64>)
  %cst_6 = arith.constant 0.000000e+00 : f32
  %11 = tensor.empty() : tensor<4xf32>
  %12 = linalg.fill ins(%cst_6 : f32) outs(%11 : tensor<4xf32>) -> tensor<4xf32>
  %13 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%10#0 : tensor<4x2xf32>) outs(%12 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %102 = arith.addf %out, %in : f32
    linalg.yield %102 : f32
  } -> tensor<4xf32>
  %expanded = tensor.expand_shape %13 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %14 = tensor.empty() : tensor<4x2xf32>
  %15 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%10#0, %expanded : tensor<4x2xf32>, tensor<4x1xf32>) outs(%14 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.divf %in, %in_22 : f32
    linalg.yield %102 : f32
  } -> tensor<4x2xf32>
  %16 = tensor.empty() : tensor<4x4xf32>
  %17 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%cst : tensor<f32>) outs(%16 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4x4xf32>
  %18 = tensor.empty() : tensor<4x2xi1>
  %19 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%10#1, %cst_0 : tensor<4x2xi64>, tensor<i64>) outs(%18 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_22: i64, %out: i1):
    %102 = arith.cmpi eq, %in, %in_22 : i64
    linalg.yield %102 : i1
  } -> tensor<4x2xi1>
  %20 = tensor.empty() : tensor<4x2xf32>
  %21 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%19 : tensor<4x2xi1>) outs(%20 : tensor<4x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %102 = arith.uitofp %in : i1 to f32
    linalg.yield %102 : f32
  } -> tensor<4x2xf32>
  %22 = tensor.empty() : tensor<4x2xf32>
  %23 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%15, %21 : tensor<4x2xf32>, tensor<4x2xf32>) outs(%22 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    linalg.yield %102 : f32
  } -> tensor<4x2xf32>
  %cst_7 = arith.constant 0.000000e+00 : f32
  %24 = tensor.empty() : tensor<4xf32>
  %25 = linalg.fill ins(%cst_7 : f32) outs(%24 : tensor<4xf32>) -> tensor<4xf32>
  %26 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%23 : tensor<4x2xf32>) outs(%25 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %102 = arith.addf %out, %in : f32
    linalg.yield %102 : f32
  } -> tensor<4xf32>
  %expanded_8 = tensor.expand_shape %26 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %27 = tensor.empty() : tensor<4x4xf32>
  %cst_9 = arith.constant 0.000000e+00 : f32
  %28 = linalg.fill ins(%cst_9 : f32) outs(%27 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %29 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg2 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%28 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    %103 = arith.addf %out, %102 : f32
    linalg.yield %103 : f32
  } -> tensor<4x4xf32>
  %30 = tensor.empty() : tensor<4x4xf32>
  %31 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%29 : tensor<4x4xf32>) outs(%30 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %102 = arith.negf %in : f32
    %103 = math.exp %102 : f32
    %cst_22 = arith.constant 1.000000e+00 : f32
    %cst_23 = arith.constant 1.000000e+00 : f32
    %104 = arith.addf %cst_23, %103 : f32
    %105 = arith.divf %cst_22, %104 : f32
    linalg.yield %105 : f32
  } -> tensor<4x4xf32>
  %32 = tensor.empty() : tensor<4x4xf32>
  %33 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%29, %31 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%32 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    linalg.yield %102 : f32
  } -> tensor<4x4xf32>
  %34 = tensor.empty() : tensor<4x4xf32>
  %cst_10 = arith.constant 0.000000e+00 : f32
  %35 = linalg.fill ins(%cst_10 : f32) outs(%34 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %36 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg3 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%35 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    %103 = arith.addf %out, %102 : f32
    linalg.yield %103 : f32
  } -> tensor<4x4xf32>
  %37 = tensor.empty() : tensor<4x4xf32>
  %38 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%33, %36 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%37 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    linalg.yield %102 : f32
  } -> tensor<4x4xf32>
  %39 = tensor.empty() : tensor<4x4xf32>
  %cst_11 = arith.constant 0.000000e+00 : f32
  %40 = linalg.fill ins(%cst_11 : f32) outs(%39 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %41 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%38, %arg4 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%40 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    %103 = arith.addf %out, %102 : f32
    linalg.yield %103 : f32
  } -> tensor<4x4xf32>
  %42 = tensor.empty() : tensor<4x4xf32>
  %43 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_8, %41 : tensor<4x1xf32>, tensor<4x4xf32>) outs(%42 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    linalg.yield %102 : f32
  } -> tensor<4x4xf32>
  %44 = tensor.empty() : tensor<4x4xf32>
  %45 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%17, %43 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%44 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.addf %in, %in_22 : f32
    linalg.yield %102 : f32
  } -> tensor<4x4xf32>
  %46 = tensor.empty() : tensor<4x2xi1>
  %47 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%10#1, %cst_1 : tensor<4x2xi64>, tensor<i64>) outs(%46 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_22: i64, %out: i1):
    %102 = arith.cmpi eq, %in, %in_22 : i64
    linalg.yield %102 : i1
  } -> tensor<4x2xi1>
  %48 = tensor.empty() : tensor<4x2xf32>
  %49 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%47 : tensor<4x2xi1>) outs(%48 : tensor<4x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %102 = arith.uitofp %in : i1 to f32
    linalg.yield %102 : f32
  } -> tensor<4x2xf32>
  %50 = tensor.empty() : tensor<4x2xf32>
  %51 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%15, %49 : tensor<4x2xf32>, tensor<4x2xf32>) outs(%50 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    linalg.yield %102 : f32
  } -> tensor<4x2xf32>
  %cst_12 = arith.constant 0.000000e+00 : f32
  %52 = tensor.empty() : tensor<4xf32>
  %53 = linalg.fill ins(%cst_12 : f32) outs(%52 : tensor<4xf32>) -> tensor<4xf32>
  %54 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%51 : tensor<4x2xf32>) outs(%53 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %102 = arith.addf %out, %in : f32
    linalg.yield %102 : f32
  } -> tensor<4xf32>
  %expanded_13 = tensor.expand_shape %54 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %55 = tensor.empty() : tensor<4x4xf32>
  %cst_14 = arith.constant 0.000000e+00 : f32
  %56 = linalg.fill ins(%cst_14 : f32) outs(%55 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %57 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg5 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%56 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    %103 = arith.addf %out, %102 : f32
    linalg.yield %103 : f32
  } -> tensor<4x4xf32>
  %58 = tensor.empty() : tensor<4x4xf32>
  %59 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%57 : tensor<4x4xf32>) outs(%58 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %102 = arith.negf %in : f32
    %103 = math.exp %102 : f32
    %cst_22 = arith.constant 1.000000e+00 : f32
    %cst_23 = arith.constant 1.000000e+00 : f32
    %104 = arith.addf %cst_23, %103 : f32
    %105 = arith.divf %cst_22, %104 : f32
    linalg.yield %105 : f32
  } -> tensor<4x4xf32>
  %60 = tensor.empty() : tensor<4x4xf32>
  %61 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%57, %59 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%60 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    linalg.yield %102 : f32
  } -> tensor<4x4xf32>
  %62 = tensor.empty() : tensor<4x4xf32>
  %cst_15 = arith.constant 0.000000e+00 : f32
  %63 = linalg.fill ins(%cst_15 : f32) outs(%62 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %64 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg6 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%63 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    %103 = arith.addf %out, %102 : f32
    linalg.yield %103 : f32
  } -> tensor<4x4xf32>
  %65 = tensor.empty() : tensor<4x4xf32>
  %66 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%61, %64 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%65 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    linalg.yield %102 : f32
  } -> tensor<4x4xf32>
  %67 = tensor.empty() : tensor<4x4xf32>
  %cst_16 = arith.constant 0.000000e+00 : f32
  %68 = linalg.fill ins(%cst_16 : f32) outs(%67 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %69 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%66, %arg7 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%68 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    %103 = arith.addf %out, %102 : f32
    linalg.yield %103 : f32
  } -> tensor<4x4xf32>
  %70 = tensor.empty() : tensor<4x4xf32>
  %71 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_13, %69 : tensor<4x1xf32>, tensor<4x4xf32>) outs(%70 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    linalg.yield %102 : f32
  } -> tensor<4x4xf32>
  %72 = tensor.empty() : tensor<4x4xf32>
  %73 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%45, %71 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%72 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.addf %in, %in_22 : f32
    linalg.yield %102 : f32
  } -> tensor<4x4xf32>
  %74 = tensor.empty() : tensor<4x2xi1>
  %75 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%10#1, %cst_2 : tensor<4x2xi64>, tensor<i64>) outs(%74 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_22: i64, %out: i1):
    %102 = arith.cmpi eq, %in, %in_22 : i64
    linalg.yield %102 : i1
  } -> tensor<4x2xi1>
  %76 = tensor.empty() : tensor<4x2xf32>
  %77 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%75 : tensor<4x2xi1>) outs(%76 : tensor<4x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %102 = arith.uitofp %in : i1 to f32
    linalg.yield %102 : f32
  } -> tensor<4x2xf32>
  %78 = tensor.empty() : tensor<4x2xf32>
  %79 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%15, %77 : tensor<4x2xf32>, tensor<4x2xf32>) outs(%78 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    linalg.yield %102 : f32
  } -> tensor<4x2xf32>
  %cst_17 = arith.constant 0.000000e+00 : f32
  %80 = tensor.empty() : tensor<4xf32>
  %81 = linalg.fill ins(%cst_17 : f32) outs(%80 : tensor<4xf32>) -> tensor<4xf32>
  %82 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%79 : tensor<4x2xf32>) outs(%81 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %102 = arith.addf %out, %in : f32
    linalg.yield %102 : f32
  } -> tensor<4xf32>
  %expanded_18 = tensor.expand_shape %82 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %83 = tensor.empty() : tensor<4x4xf32>
  %cst_19 = arith.constant 0.000000e+00 : f32
  %84 = linalg.fill ins(%cst_19 : f32) outs(%83 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %85 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg8 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%84 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    %103 = arith.addf %out, %102 : f32
    linalg.yield %103 : f32
  } -> tensor<4x4xf32>
  %86 = tensor.empty() : tensor<4x4xf32>
  %87 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%85 : tensor<4x4xf32>) outs(%86 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %102 = arith.negf %in : f32
    %103 = math.exp %102 : f32
    %cst_22 = arith.constant 1.000000e+00 : f32
    %cst_23 = arith.constant 1.000000e+00 : f32
    %104 = arith.addf %cst_23, %103 : f32
    %105 = arith.divf %cst_22, %104 : f32
    linalg.yield %105 : f32
  } -> tensor<4x4xf32>
  %88 = tensor.empty() : tensor<4x4xf32>
  %89 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%85, %87 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%88 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    linalg.yield %102 : f32
  } -> tensor<4x4xf32>
  %90 = tensor.empty() : tensor<4x4xf32>
  %cst_20 = arith.constant 0.000000e+00 : f32
  %91 = linalg.fill ins(%cst_20 : f32) outs(%90 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %92 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg9 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%91 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    %103 = arith.addf %out, %102 : f32
    linalg.yield %103 : f32
  } -> tensor<4x4xf32>
  %93 = tensor.empty() : tensor<4x4xf32>
  %94 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%89, %92 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%93 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    linalg.yield %102 : f32
  } -> tensor<4x4xf32>
  %95 = tensor.empty() : tensor<4x4xf32>
  %cst_21 = arith.constant 0.000000e+00 : f32
  %96 = linalg.fill ins(%cst_21 : f32) outs(%95 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %97 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%94, %arg10 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%96 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    %103 = arith.addf %out, %102 : f32
    linalg.yield %103 : f32
  } -> tensor<4x4xf32>
  %98 = tensor.empty() : tensor<4x4xf32>
  %99 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_18, %97 : tensor<4x1xf32>, tensor<4x4xf32>) outs(%98 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.mulf %in, %in_22 : f32
    linalg.yield %102 : f32
  } -> tensor<4x4xf32>
  %100 = tensor.empty() : tensor<4x4xf32>
  %101 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%73, %99 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%100 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_22: f32, %out: f32):
    %102 = arith.addf %in, %in_22 : f32
    linalg.yield %102 : f32
  } -> tensor<4x4xf32>
  return %101 : tensor<4x4xf32>
}

// -----

// Negative: the softmax runs over the tokens (axis 0), not the experts.
// CHECK-LABEL: func.func @moe_softmax_axis0
// CHECK-NOT: loom_moe
// CHECK: return
func.func @moe_softmax_axis0(%arg0: tensor<4x4xf32>, %arg1: tensor<3x4xf32>, %arg2: tensor<4x4xf32>, %arg3: tensor<4x4xf32>, %arg4: tensor<4x4xf32>, %arg5: tensor<4x4xf32>, %arg6: tensor<4x4xf32>, %arg7: tensor<4x4xf32>, %arg8: tensor<4x4xf32>, %arg9: tensor<4x4xf32>, %arg10: tensor<4x4xf32>) -> (tensor<4x4xf32>) {
  %cst = arith.constant dense<0.000000e+00> : tensor<f32>
  %cst_0 = arith.constant dense<0> : tensor<i64>
  %cst_1 = arith.constant dense<1> : tensor<i64>
  %cst_2 = arith.constant dense<2> : tensor<i64>
  %0 = tensor.empty() : tensor<4x3xf32>
  %cst_3 = arith.constant 0.000000e+00 : f32
  %1 = linalg.fill ins(%cst_3 : f32) outs(%0 : tensor<4x3xf32>) -> tensor<4x3xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<4x4xf32>, tensor<3x4xf32>) outs(%1 : tensor<4x3xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x3xf32>
  %cst_4 = arith.constant 0xFF800000 : f32
  %3 = tensor.empty() : tensor<3xf32>
  %4 = linalg.fill ins(%cst_4 : f32) outs(%3 : tensor<3xf32>) -> tensor<3xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]} ins(%2 : tensor<4x3xf32>) outs(%4 : tensor<3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.maximumf %out, %in : f32
    linalg.yield %112 : f32
  } -> tensor<3xf32>
  %expanded = tensor.expand_shape %5 [[0, 1]] output_shape [1, 3] : tensor<3xf32> into tensor<1x3xf32>
  %6 = tensor.empty() : tensor<4x3xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%2, %expanded : tensor<4x3xf32>, tensor<1x3xf32>) outs(%6 : tensor<4x3xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.subf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x3xf32>
  %cst_5 = arith.constant 0.000000e+00 : f32
  %8 = tensor.empty() : tensor<3xf32>
  %9 = linalg.fill ins(%cst_5 : f32) outs(%8 : tensor<3xf32>) -> tensor<3xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]} ins(%7 : tensor<4x3xf32>) outs(%9 : tensor<3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = math.exp %in : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<3xf32>
  %expanded_6 = tensor.expand_shape %10 [[0, 1]] output_shape [1, 3] : tensor<3xf32> into tensor<1x3xf32>
  %11 = tensor.empty() : tensor<4x3xf32>
  %12 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%7, %expanded_6 : tensor<4x3xf32>, tensor<1x3xf32>) outs(%11 : tensor<4x3xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = math.exp %in : f32
    %113 = arith.divf %112, %in_26 : f32
    linalg.yield %113 : f32
  } -> tensor<4x3xf32>
  %c0_i64 = arith.constant 0 : i64
  %13 = tensor.empty() : tensor<4x3xi64>
  %14 = linalg.fill ins(%c0_i64 : i64) outs(%13 : tensor<4x3xi64>) -> tensor<4x3xi64>
  %15 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%12, %12 : tensor<4x3xf32>, tensor<4x3xf32>) outs(%14 : tensor<4x3xi64>) {
  ^bb0(%in: f32, %in_26: f32, %out: i64):
    %112 = linalg.index 1 : index
    %113 = linalg.index 2 : index
    %114 = arith.cmpf ogt, %in_26, %in : f32
    %115 = arith.cmpf oeq, %in_26, %in : f32
    %116 = arith.cmpi ult, %113, %112 : index
    %117 = arith.andi %115, %116 : i1
    %118 = arith.ori %114, %117 : i1
    %119 = arith.extui %118 : i1 to i64
    %120 = arith.addi %out, %119 : i64
    linalg.yield %120 : i64
  } -> tensor<4x3xi64>
  %cst_7 = arith.constant 0.000000e+00 : f32
  %16 = tensor.empty() : tensor<4x2xf32>
  %17 = linalg.fill ins(%cst_7 : f32) outs(%16 : tensor<4x2xf32>) -> tensor<4x2xf32>
  %c0_i64_8 = arith.constant 0 : i64
  %18 = tensor.empty() : tensor<4x2xi64>
  %19 = linalg.fill ins(%c0_i64_8 : i64) outs(%18 : tensor<4x2xi64>) -> tensor<4x2xi64>
  %20:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%12, %15 : tensor<4x3xf32>, tensor<4x3xi64>) outs(%17, %19 : tensor<4x2xf32>, tensor<4x2xi64>) {
  ^bb0(%in: f32, %in_26: i64, %out: f32, %out_27: i64):
    %112 = linalg.index 1 : index
    %113 = arith.index_cast %112 : index to i64
    %114 = linalg.index 2 : index
    %115 = arith.index_cast %114 : index to i64
    %116 = arith.cmpi eq, %in_26, %113 : i64
    %117 = arith.select %116, %in, %out : f32
    %118 = arith.select %116, %115, %out_27 : i64
    linalg.yield %117, %118 : f32, i64
  } -> (tensor<4x2xf32>, tensor<4x2xi64>)
  %cst_9 = arith.constant 0.000000e+00 : f32
  %21 = tensor.empty() : tensor<4xf32>
  %22 = linalg.fill ins(%cst_9 : f32) outs(%21 : tensor<4xf32>) -> tensor<4xf32>
  %23 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%20#0 : tensor<4x2xf32>) outs(%22 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.addf %out, %in : f32
    linalg.yield %112 : f32
  } -> tensor<4xf32>
  %expanded_10 = tensor.expand_shape %23 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %24 = tensor.empty() : tensor<4x2xf32>
  %25 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#0, %expanded_10 : tensor<4x2xf32>, tensor<4x1xf32>) outs(%24 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.divf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x2xf32>
  %26 = tensor.empty() : tensor<4x4xf32>
  %27 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%cst : tensor<f32>) outs(%26 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4x4xf32>
  %28 = tensor.empty() : tensor<4x2xi1>
  %29 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#1, %cst_0 : tensor<4x2xi64>, tensor<i64>) outs(%28 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_26: i64, %out: i1):
    %112 = arith.cmpi eq, %in, %in_26 : i64
    linalg.yield %112 : i1
  } -> tensor<4x2xi1>
  %30 = tensor.empty() : tensor<4x2xf32>
  %31 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%29 : tensor<4x2xi1>) outs(%30 : tensor<4x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %112 = arith.uitofp %in : i1 to f32
    linalg.yield %112 : f32
  } -> tensor<4x2xf32>
  %32 = tensor.empty() : tensor<4x2xf32>
  %33 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%25, %31 : tensor<4x2xf32>, tensor<4x2xf32>) outs(%32 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x2xf32>
  %cst_11 = arith.constant 0.000000e+00 : f32
  %34 = tensor.empty() : tensor<4xf32>
  %35 = linalg.fill ins(%cst_11 : f32) outs(%34 : tensor<4xf32>) -> tensor<4xf32>
  %36 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%33 : tensor<4x2xf32>) outs(%35 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.addf %out, %in : f32
    linalg.yield %112 : f32
  } -> tensor<4xf32>
  %expanded_12 = tensor.expand_shape %36 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %37 = tensor.empty() : tensor<4x4xf32>
  %cst_13 = arith.constant 0.000000e+00 : f32
  %38 = linalg.fill ins(%cst_13 : f32) outs(%37 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %39 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg2 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%38 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %40 = tensor.empty() : tensor<4x4xf32>
  %41 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%39 : tensor<4x4xf32>) outs(%40 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.negf %in : f32
    %113 = math.exp %112 : f32
    %cst_26 = arith.constant 1.000000e+00 : f32
    %cst_27 = arith.constant 1.000000e+00 : f32
    %114 = arith.addf %cst_27, %113 : f32
    %115 = arith.divf %cst_26, %114 : f32
    linalg.yield %115 : f32
  } -> tensor<4x4xf32>
  %42 = tensor.empty() : tensor<4x4xf32>
  %43 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%39, %41 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%42 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %44 = tensor.empty() : tensor<4x4xf32>
  %cst_14 = arith.constant 0.000000e+00 : f32
  %45 = linalg.fill ins(%cst_14 : f32) outs(%44 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %46 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg3 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%45 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %47 = tensor.empty() : tensor<4x4xf32>
  %48 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%43, %46 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%47 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %49 = tensor.empty() : tensor<4x4xf32>
  %cst_15 = arith.constant 0.000000e+00 : f32
  %50 = linalg.fill ins(%cst_15 : f32) outs(%49 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %51 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%48, %arg4 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%50 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %52 = tensor.empty() : tensor<4x4xf32>
  %53 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_12, %51 : tensor<4x1xf32>, tensor<4x4xf32>) outs(%52 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %54 = tensor.empty() : tensor<4x4xf32>
  %55 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%27, %53 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%54 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.addf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %56 = tensor.empty() : tensor<4x2xi1>
  %57 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#1, %cst_1 : tensor<4x2xi64>, tensor<i64>) outs(%56 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_26: i64, %out: i1):
    %112 = arith.cmpi eq, %in, %in_26 : i64
    linalg.yield %112 : i1
  } -> tensor<4x2xi1>
  %58 = tensor.empty() : tensor<4x2xf32>
  %59 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%57 : tensor<4x2xi1>) outs(%58 : tensor<4x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %112 = arith.uitofp %in : i1 to f32
    linalg.yield %112 : f32
  } -> tensor<4x2xf32>
  %60 = tensor.empty() : tensor<4x2xf32>
  %61 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%25, %59 : tensor<4x2xf32>, tensor<4x2xf32>) outs(%60 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x2xf32>
  %cst_16 = arith.constant 0.000000e+00 : f32
  %62 = tensor.empty() : tensor<4xf32>
  %63 = linalg.fill ins(%cst_16 : f32) outs(%62 : tensor<4xf32>) -> tensor<4xf32>
  %64 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%61 : tensor<4x2xf32>) outs(%63 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.addf %out, %in : f32
    linalg.yield %112 : f32
  } -> tensor<4xf32>
  %expanded_17 = tensor.expand_shape %64 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %65 = tensor.empty() : tensor<4x4xf32>
  %cst_18 = arith.constant 0.000000e+00 : f32
  %66 = linalg.fill ins(%cst_18 : f32) outs(%65 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %67 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg5 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%66 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %68 = tensor.empty() : tensor<4x4xf32>
  %69 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%67 : tensor<4x4xf32>) outs(%68 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.negf %in : f32
    %113 = math.exp %112 : f32
    %cst_26 = arith.constant 1.000000e+00 : f32
    %cst_27 = arith.constant 1.000000e+00 : f32
    %114 = arith.addf %cst_27, %113 : f32
    %115 = arith.divf %cst_26, %114 : f32
    linalg.yield %115 : f32
  } -> tensor<4x4xf32>
  %70 = tensor.empty() : tensor<4x4xf32>
  %71 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%67, %69 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%70 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %72 = tensor.empty() : tensor<4x4xf32>
  %cst_19 = arith.constant 0.000000e+00 : f32
  %73 = linalg.fill ins(%cst_19 : f32) outs(%72 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %74 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg6 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%73 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %75 = tensor.empty() : tensor<4x4xf32>
  %76 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%71, %74 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%75 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %77 = tensor.empty() : tensor<4x4xf32>
  %cst_20 = arith.constant 0.000000e+00 : f32
  %78 = linalg.fill ins(%cst_20 : f32) outs(%77 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %79 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%76, %arg7 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%78 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %80 = tensor.empty() : tensor<4x4xf32>
  %81 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_17, %79 : tensor<4x1xf32>, tensor<4x4xf32>) outs(%80 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %82 = tensor.empty() : tensor<4x4xf32>
  %83 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%55, %81 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%82 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.addf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %84 = tensor.empty() : tensor<4x2xi1>
  %85 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#1, %cst_2 : tensor<4x2xi64>, tensor<i64>) outs(%84 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_26: i64, %out: i1):
    %112 = arith.cmpi eq, %in, %in_26 : i64
    linalg.yield %112 : i1
  } -> tensor<4x2xi1>
  %86 = tensor.empty() : tensor<4x2xf32>
  %87 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%85 : tensor<4x2xi1>) outs(%86 : tensor<4x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %112 = arith.uitofp %in : i1 to f32
    linalg.yield %112 : f32
  } -> tensor<4x2xf32>
  %88 = tensor.empty() : tensor<4x2xf32>
  %89 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%25, %87 : tensor<4x2xf32>, tensor<4x2xf32>) outs(%88 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x2xf32>
  %cst_21 = arith.constant 0.000000e+00 : f32
  %90 = tensor.empty() : tensor<4xf32>
  %91 = linalg.fill ins(%cst_21 : f32) outs(%90 : tensor<4xf32>) -> tensor<4xf32>
  %92 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%89 : tensor<4x2xf32>) outs(%91 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.addf %out, %in : f32
    linalg.yield %112 : f32
  } -> tensor<4xf32>
  %expanded_22 = tensor.expand_shape %92 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %93 = tensor.empty() : tensor<4x4xf32>
  %cst_23 = arith.constant 0.000000e+00 : f32
  %94 = linalg.fill ins(%cst_23 : f32) outs(%93 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %95 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg8 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%94 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %96 = tensor.empty() : tensor<4x4xf32>
  %97 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%95 : tensor<4x4xf32>) outs(%96 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.negf %in : f32
    %113 = math.exp %112 : f32
    %cst_26 = arith.constant 1.000000e+00 : f32
    %cst_27 = arith.constant 1.000000e+00 : f32
    %114 = arith.addf %cst_27, %113 : f32
    %115 = arith.divf %cst_26, %114 : f32
    linalg.yield %115 : f32
  } -> tensor<4x4xf32>
  %98 = tensor.empty() : tensor<4x4xf32>
  %99 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%95, %97 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%98 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %100 = tensor.empty() : tensor<4x4xf32>
  %cst_24 = arith.constant 0.000000e+00 : f32
  %101 = linalg.fill ins(%cst_24 : f32) outs(%100 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %102 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg9 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%101 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %103 = tensor.empty() : tensor<4x4xf32>
  %104 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%99, %102 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%103 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %105 = tensor.empty() : tensor<4x4xf32>
  %cst_25 = arith.constant 0.000000e+00 : f32
  %106 = linalg.fill ins(%cst_25 : f32) outs(%105 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %107 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%104, %arg10 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%106 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %108 = tensor.empty() : tensor<4x4xf32>
  %109 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_22, %107 : tensor<4x1xf32>, tensor<4x4xf32>) outs(%108 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %110 = tensor.empty() : tensor<4x4xf32>
  %111 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%83, %109 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%110 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.addf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  return %111 : tensor<4x4xf32>
}

// -----

// Negative: two experts' masks compare with the same id (0) and none with
// id 1, so the terms are not one per expert.
// CHECK-LABEL: func.func @moe_dup_id
// CHECK-NOT: loom_moe
// CHECK: return
func.func @moe_dup_id(%arg0: tensor<4x4xf32>, %arg1: tensor<3x4xf32>, %arg2: tensor<4x4xf32>, %arg3: tensor<4x4xf32>, %arg4: tensor<4x4xf32>, %arg5: tensor<4x4xf32>, %arg6: tensor<4x4xf32>, %arg7: tensor<4x4xf32>, %arg8: tensor<4x4xf32>, %arg9: tensor<4x4xf32>, %arg10: tensor<4x4xf32>) -> (tensor<4x4xf32>) {
  %cst = arith.constant dense<0.000000e+00> : tensor<f32>
  %cst_0 = arith.constant dense<0> : tensor<i64>
  %cst_1 = arith.constant dense<0> : tensor<i64>
  %cst_2 = arith.constant dense<0> : tensor<i64>
  %0 = tensor.empty() : tensor<4x3xf32>
  %cst_3 = arith.constant 0.000000e+00 : f32
  %1 = linalg.fill ins(%cst_3 : f32) outs(%0 : tensor<4x3xf32>) -> tensor<4x3xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<4x4xf32>, tensor<3x4xf32>) outs(%1 : tensor<4x3xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x3xf32>
  %cst_4 = arith.constant 0xFF800000 : f32
  %3 = tensor.empty() : tensor<4xf32>
  %4 = linalg.fill ins(%cst_4 : f32) outs(%3 : tensor<4xf32>) -> tensor<4xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%2 : tensor<4x3xf32>) outs(%4 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.maximumf %out, %in : f32
    linalg.yield %112 : f32
  } -> tensor<4xf32>
  %expanded = tensor.expand_shape %5 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %6 = tensor.empty() : tensor<4x3xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%2, %expanded : tensor<4x3xf32>, tensor<4x1xf32>) outs(%6 : tensor<4x3xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.subf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x3xf32>
  %cst_5 = arith.constant 0.000000e+00 : f32
  %8 = tensor.empty() : tensor<4xf32>
  %9 = linalg.fill ins(%cst_5 : f32) outs(%8 : tensor<4xf32>) -> tensor<4xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%7 : tensor<4x3xf32>) outs(%9 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = math.exp %in : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4xf32>
  %expanded_6 = tensor.expand_shape %10 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %11 = tensor.empty() : tensor<4x3xf32>
  %12 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%7, %expanded_6 : tensor<4x3xf32>, tensor<4x1xf32>) outs(%11 : tensor<4x3xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = math.exp %in : f32
    %113 = arith.divf %112, %in_26 : f32
    linalg.yield %113 : f32
  } -> tensor<4x3xf32>
  %c0_i64 = arith.constant 0 : i64
  %13 = tensor.empty() : tensor<4x3xi64>
  %14 = linalg.fill ins(%c0_i64 : i64) outs(%13 : tensor<4x3xi64>) -> tensor<4x3xi64>
  %15 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%12, %12 : tensor<4x3xf32>, tensor<4x3xf32>) outs(%14 : tensor<4x3xi64>) {
  ^bb0(%in: f32, %in_26: f32, %out: i64):
    %112 = linalg.index 1 : index
    %113 = linalg.index 2 : index
    %114 = arith.cmpf ogt, %in_26, %in : f32
    %115 = arith.cmpf oeq, %in_26, %in : f32
    %116 = arith.cmpi ult, %113, %112 : index
    %117 = arith.andi %115, %116 : i1
    %118 = arith.ori %114, %117 : i1
    %119 = arith.extui %118 : i1 to i64
    %120 = arith.addi %out, %119 : i64
    linalg.yield %120 : i64
  } -> tensor<4x3xi64>
  %cst_7 = arith.constant 0.000000e+00 : f32
  %16 = tensor.empty() : tensor<4x2xf32>
  %17 = linalg.fill ins(%cst_7 : f32) outs(%16 : tensor<4x2xf32>) -> tensor<4x2xf32>
  %c0_i64_8 = arith.constant 0 : i64
  %18 = tensor.empty() : tensor<4x2xi64>
  %19 = linalg.fill ins(%c0_i64_8 : i64) outs(%18 : tensor<4x2xi64>) -> tensor<4x2xi64>
  %20:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%12, %15 : tensor<4x3xf32>, tensor<4x3xi64>) outs(%17, %19 : tensor<4x2xf32>, tensor<4x2xi64>) {
  ^bb0(%in: f32, %in_26: i64, %out: f32, %out_27: i64):
    %112 = linalg.index 1 : index
    %113 = arith.index_cast %112 : index to i64
    %114 = linalg.index 2 : index
    %115 = arith.index_cast %114 : index to i64
    %116 = arith.cmpi eq, %in_26, %113 : i64
    %117 = arith.select %116, %in, %out : f32
    %118 = arith.select %116, %115, %out_27 : i64
    linalg.yield %117, %118 : f32, i64
  } -> (tensor<4x2xf32>, tensor<4x2xi64>)
  %cst_9 = arith.constant 0.000000e+00 : f32
  %21 = tensor.empty() : tensor<4xf32>
  %22 = linalg.fill ins(%cst_9 : f32) outs(%21 : tensor<4xf32>) -> tensor<4xf32>
  %23 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%20#0 : tensor<4x2xf32>) outs(%22 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.addf %out, %in : f32
    linalg.yield %112 : f32
  } -> tensor<4xf32>
  %expanded_10 = tensor.expand_shape %23 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %24 = tensor.empty() : tensor<4x2xf32>
  %25 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#0, %expanded_10 : tensor<4x2xf32>, tensor<4x1xf32>) outs(%24 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.divf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x2xf32>
  %26 = tensor.empty() : tensor<4x4xf32>
  %27 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%cst : tensor<f32>) outs(%26 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4x4xf32>
  %28 = tensor.empty() : tensor<4x2xi1>
  %29 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#1, %cst_0 : tensor<4x2xi64>, tensor<i64>) outs(%28 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_26: i64, %out: i1):
    %112 = arith.cmpi eq, %in, %in_26 : i64
    linalg.yield %112 : i1
  } -> tensor<4x2xi1>
  %30 = tensor.empty() : tensor<4x2xf32>
  %31 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%29 : tensor<4x2xi1>) outs(%30 : tensor<4x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %112 = arith.uitofp %in : i1 to f32
    linalg.yield %112 : f32
  } -> tensor<4x2xf32>
  %32 = tensor.empty() : tensor<4x2xf32>
  %33 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%25, %31 : tensor<4x2xf32>, tensor<4x2xf32>) outs(%32 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x2xf32>
  %cst_11 = arith.constant 0.000000e+00 : f32
  %34 = tensor.empty() : tensor<4xf32>
  %35 = linalg.fill ins(%cst_11 : f32) outs(%34 : tensor<4xf32>) -> tensor<4xf32>
  %36 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%33 : tensor<4x2xf32>) outs(%35 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.addf %out, %in : f32
    linalg.yield %112 : f32
  } -> tensor<4xf32>
  %expanded_12 = tensor.expand_shape %36 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %37 = tensor.empty() : tensor<4x4xf32>
  %cst_13 = arith.constant 0.000000e+00 : f32
  %38 = linalg.fill ins(%cst_13 : f32) outs(%37 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %39 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg2 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%38 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %40 = tensor.empty() : tensor<4x4xf32>
  %41 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%39 : tensor<4x4xf32>) outs(%40 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.negf %in : f32
    %113 = math.exp %112 : f32
    %cst_26 = arith.constant 1.000000e+00 : f32
    %cst_27 = arith.constant 1.000000e+00 : f32
    %114 = arith.addf %cst_27, %113 : f32
    %115 = arith.divf %cst_26, %114 : f32
    linalg.yield %115 : f32
  } -> tensor<4x4xf32>
  %42 = tensor.empty() : tensor<4x4xf32>
  %43 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%39, %41 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%42 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %44 = tensor.empty() : tensor<4x4xf32>
  %cst_14 = arith.constant 0.000000e+00 : f32
  %45 = linalg.fill ins(%cst_14 : f32) outs(%44 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %46 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg3 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%45 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %47 = tensor.empty() : tensor<4x4xf32>
  %48 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%43, %46 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%47 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %49 = tensor.empty() : tensor<4x4xf32>
  %cst_15 = arith.constant 0.000000e+00 : f32
  %50 = linalg.fill ins(%cst_15 : f32) outs(%49 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %51 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%48, %arg4 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%50 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %52 = tensor.empty() : tensor<4x4xf32>
  %53 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_12, %51 : tensor<4x1xf32>, tensor<4x4xf32>) outs(%52 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %54 = tensor.empty() : tensor<4x4xf32>
  %55 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%27, %53 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%54 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.addf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %56 = tensor.empty() : tensor<4x2xi1>
  %57 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#1, %cst_1 : tensor<4x2xi64>, tensor<i64>) outs(%56 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_26: i64, %out: i1):
    %112 = arith.cmpi eq, %in, %in_26 : i64
    linalg.yield %112 : i1
  } -> tensor<4x2xi1>
  %58 = tensor.empty() : tensor<4x2xf32>
  %59 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%57 : tensor<4x2xi1>) outs(%58 : tensor<4x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %112 = arith.uitofp %in : i1 to f32
    linalg.yield %112 : f32
  } -> tensor<4x2xf32>
  %60 = tensor.empty() : tensor<4x2xf32>
  %61 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%25, %59 : tensor<4x2xf32>, tensor<4x2xf32>) outs(%60 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x2xf32>
  %cst_16 = arith.constant 0.000000e+00 : f32
  %62 = tensor.empty() : tensor<4xf32>
  %63 = linalg.fill ins(%cst_16 : f32) outs(%62 : tensor<4xf32>) -> tensor<4xf32>
  %64 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%61 : tensor<4x2xf32>) outs(%63 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.addf %out, %in : f32
    linalg.yield %112 : f32
  } -> tensor<4xf32>
  %expanded_17 = tensor.expand_shape %64 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %65 = tensor.empty() : tensor<4x4xf32>
  %cst_18 = arith.constant 0.000000e+00 : f32
  %66 = linalg.fill ins(%cst_18 : f32) outs(%65 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %67 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg5 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%66 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %68 = tensor.empty() : tensor<4x4xf32>
  %69 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%67 : tensor<4x4xf32>) outs(%68 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.negf %in : f32
    %113 = math.exp %112 : f32
    %cst_26 = arith.constant 1.000000e+00 : f32
    %cst_27 = arith.constant 1.000000e+00 : f32
    %114 = arith.addf %cst_27, %113 : f32
    %115 = arith.divf %cst_26, %114 : f32
    linalg.yield %115 : f32
  } -> tensor<4x4xf32>
  %70 = tensor.empty() : tensor<4x4xf32>
  %71 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%67, %69 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%70 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %72 = tensor.empty() : tensor<4x4xf32>
  %cst_19 = arith.constant 0.000000e+00 : f32
  %73 = linalg.fill ins(%cst_19 : f32) outs(%72 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %74 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg6 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%73 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %75 = tensor.empty() : tensor<4x4xf32>
  %76 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%71, %74 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%75 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %77 = tensor.empty() : tensor<4x4xf32>
  %cst_20 = arith.constant 0.000000e+00 : f32
  %78 = linalg.fill ins(%cst_20 : f32) outs(%77 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %79 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%76, %arg7 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%78 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %80 = tensor.empty() : tensor<4x4xf32>
  %81 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_17, %79 : tensor<4x1xf32>, tensor<4x4xf32>) outs(%80 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %82 = tensor.empty() : tensor<4x4xf32>
  %83 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%55, %81 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%82 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.addf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %84 = tensor.empty() : tensor<4x2xi1>
  %85 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#1, %cst_2 : tensor<4x2xi64>, tensor<i64>) outs(%84 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_26: i64, %out: i1):
    %112 = arith.cmpi eq, %in, %in_26 : i64
    linalg.yield %112 : i1
  } -> tensor<4x2xi1>
  %86 = tensor.empty() : tensor<4x2xf32>
  %87 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%85 : tensor<4x2xi1>) outs(%86 : tensor<4x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %112 = arith.uitofp %in : i1 to f32
    linalg.yield %112 : f32
  } -> tensor<4x2xf32>
  %88 = tensor.empty() : tensor<4x2xf32>
  %89 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%25, %87 : tensor<4x2xf32>, tensor<4x2xf32>) outs(%88 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x2xf32>
  %cst_21 = arith.constant 0.000000e+00 : f32
  %90 = tensor.empty() : tensor<4xf32>
  %91 = linalg.fill ins(%cst_21 : f32) outs(%90 : tensor<4xf32>) -> tensor<4xf32>
  %92 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%89 : tensor<4x2xf32>) outs(%91 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.addf %out, %in : f32
    linalg.yield %112 : f32
  } -> tensor<4xf32>
  %expanded_22 = tensor.expand_shape %92 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %93 = tensor.empty() : tensor<4x4xf32>
  %cst_23 = arith.constant 0.000000e+00 : f32
  %94 = linalg.fill ins(%cst_23 : f32) outs(%93 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %95 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg8 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%94 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %96 = tensor.empty() : tensor<4x4xf32>
  %97 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%95 : tensor<4x4xf32>) outs(%96 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %112 = arith.negf %in : f32
    %113 = math.exp %112 : f32
    %cst_26 = arith.constant 1.000000e+00 : f32
    %cst_27 = arith.constant 1.000000e+00 : f32
    %114 = arith.addf %cst_27, %113 : f32
    %115 = arith.divf %cst_26, %114 : f32
    linalg.yield %115 : f32
  } -> tensor<4x4xf32>
  %98 = tensor.empty() : tensor<4x4xf32>
  %99 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%95, %97 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%98 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %100 = tensor.empty() : tensor<4x4xf32>
  %cst_24 = arith.constant 0.000000e+00 : f32
  %101 = linalg.fill ins(%cst_24 : f32) outs(%100 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %102 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg9 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%101 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %103 = tensor.empty() : tensor<4x4xf32>
  %104 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%99, %102 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%103 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %105 = tensor.empty() : tensor<4x4xf32>
  %cst_25 = arith.constant 0.000000e+00 : f32
  %106 = linalg.fill ins(%cst_25 : f32) outs(%105 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %107 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%104, %arg10 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%106 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    %113 = arith.addf %out, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %108 = tensor.empty() : tensor<4x4xf32>
  %109 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_22, %107 : tensor<4x1xf32>, tensor<4x4xf32>) outs(%108 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.mulf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  %110 = tensor.empty() : tensor<4x4xf32>
  %111 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%83, %109 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%110 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %112 = arith.addf %in, %in_26 : f32
    linalg.yield %112 : f32
  } -> tensor<4x4xf32>
  return %111 : tensor<4x4xf32>
}

// -----

// Negative: expert 1 uses ReLU where the others use SiLU; the experts do
// not share one FFN and cannot become one grouped matmul chain.
// CHECK-LABEL: func.func @moe_mixed_act
// CHECK-NOT: loom_moe
// CHECK: return
func.func @moe_mixed_act(%arg0: tensor<4x4xf32>, %arg1: tensor<3x4xf32>, %arg2: tensor<4x4xf32>, %arg3: tensor<4x4xf32>, %arg4: tensor<4x4xf32>, %arg5: tensor<4x4xf32>, %arg6: tensor<4x4xf32>, %arg7: tensor<4x4xf32>, %arg8: tensor<4x4xf32>, %arg9: tensor<4x4xf32>, %arg10: tensor<4x4xf32>) -> (tensor<4x4xf32>) {
  %cst = arith.constant dense<0.000000e+00> : tensor<f32>
  %cst_0 = arith.constant dense<0> : tensor<i64>
  %cst_1 = arith.constant dense<1> : tensor<i64>
  %cst_2 = arith.constant dense<2> : tensor<i64>
  %0 = tensor.empty() : tensor<4x3xf32>
  %cst_3 = arith.constant 0.000000e+00 : f32
  %1 = linalg.fill ins(%cst_3 : f32) outs(%0 : tensor<4x3xf32>) -> tensor<4x3xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<4x4xf32>, tensor<3x4xf32>) outs(%1 : tensor<4x3xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.mulf %in, %in_26 : f32
    %111 = arith.addf %out, %110 : f32
    linalg.yield %111 : f32
  } -> tensor<4x3xf32>
  %cst_4 = arith.constant 0xFF800000 : f32
  %3 = tensor.empty() : tensor<4xf32>
  %4 = linalg.fill ins(%cst_4 : f32) outs(%3 : tensor<4xf32>) -> tensor<4xf32>
  %5 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%2 : tensor<4x3xf32>) outs(%4 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %110 = arith.maximumf %out, %in : f32
    linalg.yield %110 : f32
  } -> tensor<4xf32>
  %expanded = tensor.expand_shape %5 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %6 = tensor.empty() : tensor<4x3xf32>
  %7 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%2, %expanded : tensor<4x3xf32>, tensor<4x1xf32>) outs(%6 : tensor<4x3xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.subf %in, %in_26 : f32
    linalg.yield %110 : f32
  } -> tensor<4x3xf32>
  %cst_5 = arith.constant 0.000000e+00 : f32
  %8 = tensor.empty() : tensor<4xf32>
  %9 = linalg.fill ins(%cst_5 : f32) outs(%8 : tensor<4xf32>) -> tensor<4xf32>
  %10 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%7 : tensor<4x3xf32>) outs(%9 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %110 = math.exp %in : f32
    %111 = arith.addf %out, %110 : f32
    linalg.yield %111 : f32
  } -> tensor<4xf32>
  %expanded_6 = tensor.expand_shape %10 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %11 = tensor.empty() : tensor<4x3xf32>
  %12 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%7, %expanded_6 : tensor<4x3xf32>, tensor<4x1xf32>) outs(%11 : tensor<4x3xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = math.exp %in : f32
    %111 = arith.divf %110, %in_26 : f32
    linalg.yield %111 : f32
  } -> tensor<4x3xf32>
  %c0_i64 = arith.constant 0 : i64
  %13 = tensor.empty() : tensor<4x3xi64>
  %14 = linalg.fill ins(%c0_i64 : i64) outs(%13 : tensor<4x3xi64>) -> tensor<4x3xi64>
  %15 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%12, %12 : tensor<4x3xf32>, tensor<4x3xf32>) outs(%14 : tensor<4x3xi64>) {
  ^bb0(%in: f32, %in_26: f32, %out: i64):
    %110 = linalg.index 1 : index
    %111 = linalg.index 2 : index
    %112 = arith.cmpf ogt, %in_26, %in : f32
    %113 = arith.cmpf oeq, %in_26, %in : f32
    %114 = arith.cmpi ult, %111, %110 : index
    %115 = arith.andi %113, %114 : i1
    %116 = arith.ori %112, %115 : i1
    %117 = arith.extui %116 : i1 to i64
    %118 = arith.addi %out, %117 : i64
    linalg.yield %118 : i64
  } -> tensor<4x3xi64>
  %cst_7 = arith.constant 0.000000e+00 : f32
  %16 = tensor.empty() : tensor<4x2xf32>
  %17 = linalg.fill ins(%cst_7 : f32) outs(%16 : tensor<4x2xf32>) -> tensor<4x2xf32>
  %c0_i64_8 = arith.constant 0 : i64
  %18 = tensor.empty() : tensor<4x2xi64>
  %19 = linalg.fill ins(%c0_i64_8 : i64) outs(%18 : tensor<4x2xi64>) -> tensor<4x2xi64>
  %20:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%12, %15 : tensor<4x3xf32>, tensor<4x3xi64>) outs(%17, %19 : tensor<4x2xf32>, tensor<4x2xi64>) {
  ^bb0(%in: f32, %in_26: i64, %out: f32, %out_27: i64):
    %110 = linalg.index 1 : index
    %111 = arith.index_cast %110 : index to i64
    %112 = linalg.index 2 : index
    %113 = arith.index_cast %112 : index to i64
    %114 = arith.cmpi eq, %in_26, %111 : i64
    %115 = arith.select %114, %in, %out : f32
    %116 = arith.select %114, %113, %out_27 : i64
    linalg.yield %115, %116 : f32, i64
  } -> (tensor<4x2xf32>, tensor<4x2xi64>)
  %cst_9 = arith.constant 0.000000e+00 : f32
  %21 = tensor.empty() : tensor<4xf32>
  %22 = linalg.fill ins(%cst_9 : f32) outs(%21 : tensor<4xf32>) -> tensor<4xf32>
  %23 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%20#0 : tensor<4x2xf32>) outs(%22 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %110 = arith.addf %out, %in : f32
    linalg.yield %110 : f32
  } -> tensor<4xf32>
  %expanded_10 = tensor.expand_shape %23 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %24 = tensor.empty() : tensor<4x2xf32>
  %25 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#0, %expanded_10 : tensor<4x2xf32>, tensor<4x1xf32>) outs(%24 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.divf %in, %in_26 : f32
    linalg.yield %110 : f32
  } -> tensor<4x2xf32>
  %26 = tensor.empty() : tensor<4x4xf32>
  %27 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%cst : tensor<f32>) outs(%26 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4x4xf32>
  %28 = tensor.empty() : tensor<4x2xi1>
  %29 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#1, %cst_0 : tensor<4x2xi64>, tensor<i64>) outs(%28 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_26: i64, %out: i1):
    %110 = arith.cmpi eq, %in, %in_26 : i64
    linalg.yield %110 : i1
  } -> tensor<4x2xi1>
  %30 = tensor.empty() : tensor<4x2xf32>
  %31 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%29 : tensor<4x2xi1>) outs(%30 : tensor<4x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %110 = arith.uitofp %in : i1 to f32
    linalg.yield %110 : f32
  } -> tensor<4x2xf32>
  %32 = tensor.empty() : tensor<4x2xf32>
  %33 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%25, %31 : tensor<4x2xf32>, tensor<4x2xf32>) outs(%32 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.mulf %in, %in_26 : f32
    linalg.yield %110 : f32
  } -> tensor<4x2xf32>
  %cst_11 = arith.constant 0.000000e+00 : f32
  %34 = tensor.empty() : tensor<4xf32>
  %35 = linalg.fill ins(%cst_11 : f32) outs(%34 : tensor<4xf32>) -> tensor<4xf32>
  %36 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%33 : tensor<4x2xf32>) outs(%35 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %110 = arith.addf %out, %in : f32
    linalg.yield %110 : f32
  } -> tensor<4xf32>
  %expanded_12 = tensor.expand_shape %36 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %37 = tensor.empty() : tensor<4x4xf32>
  %cst_13 = arith.constant 0.000000e+00 : f32
  %38 = linalg.fill ins(%cst_13 : f32) outs(%37 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %39 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg2 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%38 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.mulf %in, %in_26 : f32
    %111 = arith.addf %out, %110 : f32
    linalg.yield %111 : f32
  } -> tensor<4x4xf32>
  %40 = tensor.empty() : tensor<4x4xf32>
  %41 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%39 : tensor<4x4xf32>) outs(%40 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %110 = arith.negf %in : f32
    %111 = math.exp %110 : f32
    %cst_26 = arith.constant 1.000000e+00 : f32
    %cst_27 = arith.constant 1.000000e+00 : f32
    %112 = arith.addf %cst_27, %111 : f32
    %113 = arith.divf %cst_26, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %42 = tensor.empty() : tensor<4x4xf32>
  %43 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%39, %41 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%42 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.mulf %in, %in_26 : f32
    linalg.yield %110 : f32
  } -> tensor<4x4xf32>
  %44 = tensor.empty() : tensor<4x4xf32>
  %cst_14 = arith.constant 0.000000e+00 : f32
  %45 = linalg.fill ins(%cst_14 : f32) outs(%44 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %46 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg3 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%45 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.mulf %in, %in_26 : f32
    %111 = arith.addf %out, %110 : f32
    linalg.yield %111 : f32
  } -> tensor<4x4xf32>
  %47 = tensor.empty() : tensor<4x4xf32>
  %48 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%43, %46 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%47 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.mulf %in, %in_26 : f32
    linalg.yield %110 : f32
  } -> tensor<4x4xf32>
  %49 = tensor.empty() : tensor<4x4xf32>
  %cst_15 = arith.constant 0.000000e+00 : f32
  %50 = linalg.fill ins(%cst_15 : f32) outs(%49 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %51 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%48, %arg4 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%50 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.mulf %in, %in_26 : f32
    %111 = arith.addf %out, %110 : f32
    linalg.yield %111 : f32
  } -> tensor<4x4xf32>
  %52 = tensor.empty() : tensor<4x4xf32>
  %53 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_12, %51 : tensor<4x1xf32>, tensor<4x4xf32>) outs(%52 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.mulf %in, %in_26 : f32
    linalg.yield %110 : f32
  } -> tensor<4x4xf32>
  %54 = tensor.empty() : tensor<4x4xf32>
  %55 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%27, %53 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%54 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.addf %in, %in_26 : f32
    linalg.yield %110 : f32
  } -> tensor<4x4xf32>
  %56 = tensor.empty() : tensor<4x2xi1>
  %57 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#1, %cst_1 : tensor<4x2xi64>, tensor<i64>) outs(%56 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_26: i64, %out: i1):
    %110 = arith.cmpi eq, %in, %in_26 : i64
    linalg.yield %110 : i1
  } -> tensor<4x2xi1>
  %58 = tensor.empty() : tensor<4x2xf32>
  %59 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%57 : tensor<4x2xi1>) outs(%58 : tensor<4x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %110 = arith.uitofp %in : i1 to f32
    linalg.yield %110 : f32
  } -> tensor<4x2xf32>
  %60 = tensor.empty() : tensor<4x2xf32>
  %61 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%25, %59 : tensor<4x2xf32>, tensor<4x2xf32>) outs(%60 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.mulf %in, %in_26 : f32
    linalg.yield %110 : f32
  } -> tensor<4x2xf32>
  %cst_16 = arith.constant 0.000000e+00 : f32
  %62 = tensor.empty() : tensor<4xf32>
  %63 = linalg.fill ins(%cst_16 : f32) outs(%62 : tensor<4xf32>) -> tensor<4xf32>
  %64 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%61 : tensor<4x2xf32>) outs(%63 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %110 = arith.addf %out, %in : f32
    linalg.yield %110 : f32
  } -> tensor<4xf32>
  %expanded_17 = tensor.expand_shape %64 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %65 = tensor.empty() : tensor<4x4xf32>
  %cst_18 = arith.constant 0.000000e+00 : f32
  %66 = linalg.fill ins(%cst_18 : f32) outs(%65 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %67 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg5 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%66 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.mulf %in, %in_26 : f32
    %111 = arith.addf %out, %110 : f32
    linalg.yield %111 : f32
  } -> tensor<4x4xf32>
  %68 = tensor.empty() : tensor<4x4xf32>
  %69 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%67 : tensor<4x4xf32>) outs(%68 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %cst_26 = arith.constant 0.000000e+00 : f32
    %110 = arith.maximumf %in, %cst_26 : f32
    linalg.yield %110 : f32
  } -> tensor<4x4xf32>
  %70 = tensor.empty() : tensor<4x4xf32>
  %cst_19 = arith.constant 0.000000e+00 : f32
  %71 = linalg.fill ins(%cst_19 : f32) outs(%70 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %72 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg6 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%71 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.mulf %in, %in_26 : f32
    %111 = arith.addf %out, %110 : f32
    linalg.yield %111 : f32
  } -> tensor<4x4xf32>
  %73 = tensor.empty() : tensor<4x4xf32>
  %74 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%69, %72 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%73 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.mulf %in, %in_26 : f32
    linalg.yield %110 : f32
  } -> tensor<4x4xf32>
  %75 = tensor.empty() : tensor<4x4xf32>
  %cst_20 = arith.constant 0.000000e+00 : f32
  %76 = linalg.fill ins(%cst_20 : f32) outs(%75 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %77 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%74, %arg7 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%76 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.mulf %in, %in_26 : f32
    %111 = arith.addf %out, %110 : f32
    linalg.yield %111 : f32
  } -> tensor<4x4xf32>
  %78 = tensor.empty() : tensor<4x4xf32>
  %79 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_17, %77 : tensor<4x1xf32>, tensor<4x4xf32>) outs(%78 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.mulf %in, %in_26 : f32
    linalg.yield %110 : f32
  } -> tensor<4x4xf32>
  %80 = tensor.empty() : tensor<4x4xf32>
  %81 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%55, %79 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%80 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.addf %in, %in_26 : f32
    linalg.yield %110 : f32
  } -> tensor<4x4xf32>
  %82 = tensor.empty() : tensor<4x2xi1>
  %83 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20#1, %cst_2 : tensor<4x2xi64>, tensor<i64>) outs(%82 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_26: i64, %out: i1):
    %110 = arith.cmpi eq, %in, %in_26 : i64
    linalg.yield %110 : i1
  } -> tensor<4x2xi1>
  %84 = tensor.empty() : tensor<4x2xf32>
  %85 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%83 : tensor<4x2xi1>) outs(%84 : tensor<4x2xf32>) {
  ^bb0(%in: i1, %out: f32):
    %110 = arith.uitofp %in : i1 to f32
    linalg.yield %110 : f32
  } -> tensor<4x2xf32>
  %86 = tensor.empty() : tensor<4x2xf32>
  %87 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%25, %85 : tensor<4x2xf32>, tensor<4x2xf32>) outs(%86 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.mulf %in, %in_26 : f32
    linalg.yield %110 : f32
  } -> tensor<4x2xf32>
  %cst_21 = arith.constant 0.000000e+00 : f32
  %88 = tensor.empty() : tensor<4xf32>
  %89 = linalg.fill ins(%cst_21 : f32) outs(%88 : tensor<4xf32>) -> tensor<4xf32>
  %90 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%87 : tensor<4x2xf32>) outs(%89 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %110 = arith.addf %out, %in : f32
    linalg.yield %110 : f32
  } -> tensor<4xf32>
  %expanded_22 = tensor.expand_shape %90 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %91 = tensor.empty() : tensor<4x4xf32>
  %cst_23 = arith.constant 0.000000e+00 : f32
  %92 = linalg.fill ins(%cst_23 : f32) outs(%91 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %93 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg8 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%92 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.mulf %in, %in_26 : f32
    %111 = arith.addf %out, %110 : f32
    linalg.yield %111 : f32
  } -> tensor<4x4xf32>
  %94 = tensor.empty() : tensor<4x4xf32>
  %95 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%93 : tensor<4x4xf32>) outs(%94 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %110 = arith.negf %in : f32
    %111 = math.exp %110 : f32
    %cst_26 = arith.constant 1.000000e+00 : f32
    %cst_27 = arith.constant 1.000000e+00 : f32
    %112 = arith.addf %cst_27, %111 : f32
    %113 = arith.divf %cst_26, %112 : f32
    linalg.yield %113 : f32
  } -> tensor<4x4xf32>
  %96 = tensor.empty() : tensor<4x4xf32>
  %97 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%93, %95 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%96 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.mulf %in, %in_26 : f32
    linalg.yield %110 : f32
  } -> tensor<4x4xf32>
  %98 = tensor.empty() : tensor<4x4xf32>
  %cst_24 = arith.constant 0.000000e+00 : f32
  %99 = linalg.fill ins(%cst_24 : f32) outs(%98 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %100 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg9 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%99 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.mulf %in, %in_26 : f32
    %111 = arith.addf %out, %110 : f32
    linalg.yield %111 : f32
  } -> tensor<4x4xf32>
  %101 = tensor.empty() : tensor<4x4xf32>
  %102 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%97, %100 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%101 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.mulf %in, %in_26 : f32
    linalg.yield %110 : f32
  } -> tensor<4x4xf32>
  %103 = tensor.empty() : tensor<4x4xf32>
  %cst_25 = arith.constant 0.000000e+00 : f32
  %104 = linalg.fill ins(%cst_25 : f32) outs(%103 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %105 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%102, %arg10 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%104 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.mulf %in, %in_26 : f32
    %111 = arith.addf %out, %110 : f32
    linalg.yield %111 : f32
  } -> tensor<4x4xf32>
  %106 = tensor.empty() : tensor<4x4xf32>
  %107 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_22, %105 : tensor<4x1xf32>, tensor<4x4xf32>) outs(%106 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.mulf %in, %in_26 : f32
    linalg.yield %110 : f32
  } -> tensor<4x4xf32>
  %108 = tensor.empty() : tensor<4x4xf32>
  %109 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%81, %107 : tensor<4x4xf32>, tensor<4x4xf32>) outs(%108 : tensor<4x4xf32>) {
  ^bb0(%in: f32, %in_26: f32, %out: f32):
    %110 = arith.addf %in, %in_26 : f32
    linalg.yield %110 : f32
  } -> tensor<4x4xf32>
  return %109 : tensor<4x4xf32>
}

// -----

// A bf16 block as torch.onnx.export (dynamo, opset 18) writes it and the
// importer reads it (bench/gpu/models/moe_block.onnx cut to 3 experts, T = 4,
// d = 4, f = 8): every Gemm accumulates in f32 and is rounded to bf16; the
// softmax is computed in f32 between an extension and a rounding; the
// renormalising sum and each expert's weight are f32 ReduceSums between
// Casts (the bf16 Cast truncates, opset 18); the zeros are a CastLike'd
// Expand; the sigmoid of SiLU is computed in f32 and rounded. The pass looks
// through all of them: route selects on the graph's rounded softmax, the
// graph's renormalisation weighs route's values, the grouped matmuls replace
// the rounded expert Gemms, the SiLU gating (its f32 sigmoid included) runs
// on the dispatched rows, and nothing of the masks, the graph's TopK or the
// dense experts is left.
// CHECK-LABEL: func.func @moe_bf16_export
// CHECK-SAME: (%[[X3:[^ ,]+]]: tensor<1x4x4xbf16>, %[[GATE:[^ ,]+]]: tensor<3x4xbf16>
// CHECK: %[[X:[^ ,]+]] = tensor.expand_shape
// CHECK: %[[ACC:[^ ,]+]] = linalg.generic {{.*}} ins(%[[X]], %[[GATE]] : tensor<4x4xbf16>, tensor<3x4xbf16>) outs(%{{[^ ,]+}} : tensor<4x3xf32>)
// CHECK: %[[LOGITS:[^ ,]+]] = linalg.generic {{.*}} ins(%[[ACC]] : tensor<4x3xf32>) outs(%{{[^ ,]+}} : tensor<4x3xbf16>)
// CHECK: arith.truncf
// The graph's softmax stays, rounded to bf16 as the graph rounds it; route
// selects on those scores (`given`), so ties after the rounding go to the
// lower id as in the graph's TopK.
// CHECK: math.exp
// CHECK: %[[P:[^ ,]+]] = linalg.generic {{.*}} ins(%{{[^ ,]+}} : tensor<4x3xf32>) outs(%{{[^ ,]+}} : tensor<4x3xbf16>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.truncf
// CHECK-NOT: linalg.generic
// CHECK: %[[SEL:[^ ,]+]], %[[IDS:[^ ,]+]] = loom_moe.route %[[P]] top 2 given : tensor<4x3xbf16> -> tensor<4x2xf32>, tensor<4x2xi32>
// The graph's renormalisation runs on route's values (narrowed back to the
// bf16 they are): the sum in f32, its truncating Cast, the bf16 divide.
// CHECK: %[[TW:[^ ,]+]] = linalg.generic {{.*}} ins(%[[SEL]] : tensor<4x2xf32>) outs(%{{[^ ,]+}} : tensor<4x2xbf16>)
// CHECK: %[[TW32:[^ ,]+]] = linalg.generic {{.*}} ins(%[[TW]] : tensor<4x2xbf16>) outs(%{{[^ ,]+}} : tensor<4x2xf32>)
// CHECK: %[[SUM:[^ ,]+]] = linalg.generic {{.*}} ins(%[[TW32]] : tensor<4x2xf32>) outs(%{{[^ ,]+}} : tensor<4xf32>)
// CHECK: %[[SUMX:[^ ,]+]] = tensor.expand_shape %[[SUM]]
// CHECK: %[[SUM16:[^ ,]+]] = linalg.generic {{.*}} ins(%[[SUMX]] : tensor<4x1xf32>) outs(%{{[^ ,]+}} : tensor<4x1xbf16>)
// CHECK: arith.shrui
// CHECK: %[[NW:[^ ,]+]] = linalg.generic {{.*}} ins(%[[TW]], %[[SUM16]] : tensor<4x2xbf16>, tensor<4x1xbf16>) outs(%{{[^ ,]+}} : tensor<4x2xbf16>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.divf {{.*}} : bf16
// CHECK: %[[W:[^ ,]+]] = linalg.generic {{.*}} ins(%[[NW]] : tensor<4x2xbf16>) outs(%{{[^ ,]+}} : tensor<4x2xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.extf
// CHECK: %[[XS:[^ ,]+]], %[[OFF:[^ ,]+]], %[[PERM:[^ ,]+]] = loom_moe.dispatch %[[X]], %[[IDS]] experts 3 : tensor<4x4xbf16>, tensor<4x2xi32> -> tensor<8x4xbf16>, tensor<4xi32>, tensor<8xi32>
// CHECK: %[[W1:[^ ,]+]] = tensor.concat dim(0) {{.*}} -> tensor<3x4x8xbf16>
// CHECK: %[[G:[^ ,]+]] = loom_moe.grouped_matmul %[[XS]], %[[W1]], %[[OFF]] : tensor<8x4xbf16>, tensor<3x4x8xbf16>, tensor<4xi32> -> tensor<8x8xbf16>
// CHECK: %[[W3:[^ ,]+]] = tensor.concat dim(0) {{.*}} -> tensor<3x4x8xbf16>
// CHECK: %[[U:[^ ,]+]] = loom_moe.grouped_matmul %[[XS]], %[[W3]], %[[OFF]]
// CHECK: %[[GW:[^ ,]+]] = linalg.generic {{.*}} ins(%[[G]] : tensor<8x8xbf16>) outs(%{{[^ ,]+}} : tensor<8x8xf32>)
// CHECK: %[[SIGW:[^ ,]+]] = linalg.generic {{.*}} ins(%[[GW]] : tensor<8x8xf32>)
// CHECK: math.exp {{.*}} : f32
// CHECK: %[[SIG:[^ ,]+]] = linalg.generic {{.*}} ins(%[[SIGW]] : tensor<8x8xf32>) outs(%{{[^ ,]+}} : tensor<8x8xbf16>)
// CHECK: %[[SILU:[^ ,]+]] = linalg.generic {{.*}} ins(%[[G]], %[[SIG]] : tensor<8x8xbf16>, tensor<8x8xbf16>)
// CHECK: %[[H:[^ ,]+]] = linalg.generic {{.*}} ins(%[[SILU]], %[[U]] : tensor<8x8xbf16>, tensor<8x8xbf16>)
// CHECK: %[[W2:[^ ,]+]] = tensor.concat dim(0) {{.*}} -> tensor<3x8x4xbf16>
// CHECK: %[[Y:[^ ,]+]] = loom_moe.grouped_matmul %[[H]], %[[W2]], %[[OFF]] : tensor<8x8xbf16>, tensor<3x8x4xbf16>, tensor<4xi32> -> tensor<8x4xbf16>
// CHECK: %[[OUT:[^ ,]+]] = loom_moe.combine %[[Y]], %[[PERM]], %[[W]] : tensor<8x4xbf16>, tensor<8xi32>, tensor<4x2xf32> -> tensor<4x4xbf16>
// CHECK-NOT: linalg.generic
// CHECK-NOT: arith.uitofp
// CHECK: %[[C:[^ ,]+]] = tensor.collapse_shape %[[OUT]]
func.func @moe_bf16_export(%arg0: tensor<1x4x4xbf16>, %arg1: tensor<3x4xbf16>, %arg2: tensor<8x4xbf16>, %arg3: tensor<8x4xbf16>, %arg4: tensor<8x4xbf16>, %arg5: tensor<8x4xbf16>, %arg6: tensor<8x4xbf16>, %arg7: tensor<8x4xbf16>, %arg8: tensor<4x8xbf16>, %arg9: tensor<4x8xbf16>, %arg10: tensor<4x8xbf16>) -> (tensor<1x4x4xbf16>) {
  %collapsed = tensor.collapse_shape %arg0 [[0, 1, 2]] : tensor<1x4x4xbf16> into tensor<16xbf16>
  %expanded = tensor.expand_shape %collapsed [[0, 1]] output_shape [4, 4] : tensor<16xbf16> into tensor<4x4xbf16>
  %0 = tensor.empty() : tensor<4x3xf32>
  %cst = arith.constant 0.000000e+00 : f32
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<4x3xf32>) -> tensor<4x3xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%expanded, %arg1 : tensor<4x4xbf16>, tensor<3x4xbf16>) outs(%1 : tensor<4x3xf32>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: f32):
    %164 = arith.extf %in : bf16 to f32
    %165 = arith.extf %in_29 : bf16 to f32
    %166 = arith.mulf %164, %165 : f32
    %167 = arith.addf %out, %166 : f32
    linalg.yield %167 : f32
  } -> tensor<4x3xf32>
  %3 = tensor.empty() : tensor<4x3xbf16>
  %4 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%2 : tensor<4x3xf32>) outs(%3 : tensor<4x3xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %164 = arith.truncf %in : f32 to bf16
    linalg.yield %164 : bf16
  } -> tensor<4x3xbf16>
  %5 = tensor.empty() : tensor<4x3xf32>
  %6 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%4 : tensor<4x3xbf16>) outs(%5 : tensor<4x3xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %164 = arith.extf %in : bf16 to f32
    linalg.yield %164 : f32
  } -> tensor<4x3xf32>
  %cst_0 = arith.constant 0xFF800000 : f32
  %7 = tensor.empty() : tensor<4xf32>
  %8 = linalg.fill ins(%cst_0 : f32) outs(%7 : tensor<4xf32>) -> tensor<4xf32>
  %9 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%6 : tensor<4x3xf32>) outs(%8 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %164 = arith.maximumf %out, %in : f32
    linalg.yield %164 : f32
  } -> tensor<4xf32>
  %expanded_1 = tensor.expand_shape %9 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %10 = tensor.empty() : tensor<4x3xf32>
  %11 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%6, %expanded_1 : tensor<4x3xf32>, tensor<4x1xf32>) outs(%10 : tensor<4x3xf32>) {
  ^bb0(%in: f32, %in_29: f32, %out: f32):
    %164 = arith.subf %in, %in_29 : f32
    linalg.yield %164 : f32
  } -> tensor<4x3xf32>
  %cst_2 = arith.constant 0.000000e+00 : f32
  %12 = tensor.empty() : tensor<4xf32>
  %13 = linalg.fill ins(%cst_2 : f32) outs(%12 : tensor<4xf32>) -> tensor<4xf32>
  %14 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%11 : tensor<4x3xf32>) outs(%13 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %164 = math.exp %in : f32
    %165 = arith.addf %out, %164 : f32
    linalg.yield %165 : f32
  } -> tensor<4xf32>
  %expanded_3 = tensor.expand_shape %14 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %15 = tensor.empty() : tensor<4x3xf32>
  %16 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%11, %expanded_3 : tensor<4x3xf32>, tensor<4x1xf32>) outs(%15 : tensor<4x3xf32>) {
  ^bb0(%in: f32, %in_29: f32, %out: f32):
    %164 = math.exp %in : f32
    %165 = arith.divf %164, %in_29 : f32
    linalg.yield %165 : f32
  } -> tensor<4x3xf32>
  %17 = tensor.empty() : tensor<4x3xbf16>
  %18 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%16 : tensor<4x3xf32>) outs(%17 : tensor<4x3xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %164 = arith.truncf %in : f32 to bf16
    linalg.yield %164 : bf16
  } -> tensor<4x3xbf16>
  %c0_i64 = arith.constant 0 : i64
  %19 = tensor.empty() : tensor<4x3xi64>
  %20 = linalg.fill ins(%c0_i64 : i64) outs(%19 : tensor<4x3xi64>) -> tensor<4x3xi64>
  %21 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%18, %18 : tensor<4x3xbf16>, tensor<4x3xbf16>) outs(%20 : tensor<4x3xi64>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: i64):
    %164 = linalg.index 1 : index
    %165 = linalg.index 2 : index
    %166 = arith.cmpf ogt, %in_29, %in : bf16
    %167 = arith.cmpf oeq, %in_29, %in : bf16
    %168 = arith.cmpi ult, %165, %164 : index
    %169 = arith.andi %167, %168 : i1
    %170 = arith.ori %166, %169 : i1
    %171 = arith.extui %170 : i1 to i64
    %172 = arith.addi %out, %171 : i64
    linalg.yield %172 : i64
  } -> tensor<4x3xi64>
  %cst_4 = arith.constant 0.000000e+00 : bf16
  %22 = tensor.empty() : tensor<4x2xbf16>
  %23 = linalg.fill ins(%cst_4 : bf16) outs(%22 : tensor<4x2xbf16>) -> tensor<4x2xbf16>
  %c0_i64_5 = arith.constant 0 : i64
  %24 = tensor.empty() : tensor<4x2xi64>
  %25 = linalg.fill ins(%c0_i64_5 : i64) outs(%24 : tensor<4x2xi64>) -> tensor<4x2xi64>
  %26:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%18, %21 : tensor<4x3xbf16>, tensor<4x3xi64>) outs(%23, %25 : tensor<4x2xbf16>, tensor<4x2xi64>) {
  ^bb0(%in: bf16, %in_29: i64, %out: bf16, %out_30: i64):
    %164 = linalg.index 1 : index
    %165 = arith.index_cast %164 : index to i64
    %166 = linalg.index 2 : index
    %167 = arith.index_cast %166 : index to i64
    %168 = arith.cmpi eq, %in_29, %165 : i64
    %169 = arith.select %168, %in, %out : bf16
    %170 = arith.select %168, %167, %out_30 : i64
    linalg.yield %169, %170 : bf16, i64
  } -> (tensor<4x2xbf16>, tensor<4x2xi64>)
  %27 = tensor.empty() : tensor<4x2xf32>
  %28 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%26#0 : tensor<4x2xbf16>) outs(%27 : tensor<4x2xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %164 = arith.extf %in : bf16 to f32
    linalg.yield %164 : f32
  } -> tensor<4x2xf32>
  %cst_6 = arith.constant 0.000000e+00 : f32
  %29 = tensor.empty() : tensor<4xf32>
  %30 = linalg.fill ins(%cst_6 : f32) outs(%29 : tensor<4xf32>) -> tensor<4xf32>
  %31 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%28 : tensor<4x2xf32>) outs(%30 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %164 = arith.addf %out, %in : f32
    linalg.yield %164 : f32
  } -> tensor<4xf32>
  %expanded_7 = tensor.expand_shape %31 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %32 = tensor.empty() : tensor<4x1xbf16>
  %33 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_7 : tensor<4x1xf32>) outs(%32 : tensor<4x1xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %164 = arith.bitcast %in : f32 to i32
    %c16_i32 = arith.constant 16 : i32
    %165 = arith.shrui %164, %c16_i32 : i32
    %166 = arith.trunci %165 : i32 to i16
    %167 = arith.bitcast %166 : i16 to bf16
    %168 = arith.cmpf uno, %in, %in : f32
    %169 = arith.truncf %in : f32 to bf16
    %170 = arith.select %168, %169, %167 : bf16
    linalg.yield %170 : bf16
  } -> tensor<4x1xbf16>
  %34 = tensor.empty() : tensor<4x2xbf16>
  %35 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%26#0, %33 : tensor<4x2xbf16>, tensor<4x1xbf16>) outs(%34 : tensor<4x2xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %164 = arith.divf %in, %in_29 : bf16
    linalg.yield %164 : bf16
  } -> tensor<4x2xbf16>
  %cst_8 = arith.constant dense<0> : tensor<i64>
  %cst_9 = arith.constant dense<0.000000e+00> : tensor<bf16>
  %36 = tensor.empty() : tensor<4x4xbf16>
  %37 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%cst_9 : tensor<bf16>) outs(%36 : tensor<4x4xbf16>) {
  ^bb0(%in: bf16, %out: bf16):
    linalg.yield %in : bf16
  } -> tensor<4x4xbf16>
  %38 = tensor.empty() : tensor<4x2xi1>
  %39 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%26#1, %cst_8 : tensor<4x2xi64>, tensor<i64>) outs(%38 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_29: i64, %out: i1):
    %164 = arith.cmpi eq, %in, %in_29 : i64
    linalg.yield %164 : i1
  } -> tensor<4x2xi1>
  %40 = tensor.empty() : tensor<4x2xbf16>
  %41 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%39 : tensor<4x2xi1>) outs(%40 : tensor<4x2xbf16>) {
  ^bb0(%in: i1, %out: bf16):
    %164 = arith.uitofp %in : i1 to bf16
    linalg.yield %164 : bf16
  } -> tensor<4x2xbf16>
  %42 = tensor.empty() : tensor<4x2xbf16>
  %43 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%35, %41 : tensor<4x2xbf16>, tensor<4x2xbf16>) outs(%42 : tensor<4x2xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %164 = arith.mulf %in, %in_29 : bf16
    linalg.yield %164 : bf16
  } -> tensor<4x2xbf16>
  %44 = tensor.empty() : tensor<4x2xf32>
  %45 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%43 : tensor<4x2xbf16>) outs(%44 : tensor<4x2xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %164 = arith.extf %in : bf16 to f32
    linalg.yield %164 : f32
  } -> tensor<4x2xf32>
  %cst_10 = arith.constant 0.000000e+00 : f32
  %46 = tensor.empty() : tensor<4xf32>
  %47 = linalg.fill ins(%cst_10 : f32) outs(%46 : tensor<4xf32>) -> tensor<4xf32>
  %48 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%45 : tensor<4x2xf32>) outs(%47 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %164 = arith.addf %out, %in : f32
    linalg.yield %164 : f32
  } -> tensor<4xf32>
  %expanded_11 = tensor.expand_shape %48 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %49 = tensor.empty() : tensor<4x1xbf16>
  %50 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_11 : tensor<4x1xf32>) outs(%49 : tensor<4x1xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %164 = arith.bitcast %in : f32 to i32
    %c16_i32 = arith.constant 16 : i32
    %165 = arith.shrui %164, %c16_i32 : i32
    %166 = arith.trunci %165 : i32 to i16
    %167 = arith.bitcast %166 : i16 to bf16
    %168 = arith.cmpf uno, %in, %in : f32
    %169 = arith.truncf %in : f32 to bf16
    %170 = arith.select %168, %169, %167 : bf16
    linalg.yield %170 : bf16
  } -> tensor<4x1xbf16>
  %51 = tensor.empty() : tensor<4x8xf32>
  %cst_12 = arith.constant 0.000000e+00 : f32
  %52 = linalg.fill ins(%cst_12 : f32) outs(%51 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %53 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%expanded, %arg2 : tensor<4x4xbf16>, tensor<8x4xbf16>) outs(%52 : tensor<4x8xf32>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: f32):
    %164 = arith.extf %in : bf16 to f32
    %165 = arith.extf %in_29 : bf16 to f32
    %166 = arith.mulf %164, %165 : f32
    %167 = arith.addf %out, %166 : f32
    linalg.yield %167 : f32
  } -> tensor<4x8xf32>
  %54 = tensor.empty() : tensor<4x8xbf16>
  %55 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%53 : tensor<4x8xf32>) outs(%54 : tensor<4x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %164 = arith.truncf %in : f32 to bf16
    linalg.yield %164 : bf16
  } -> tensor<4x8xbf16>
  %56 = tensor.empty() : tensor<4x8xf32>
  %57 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%55 : tensor<4x8xbf16>) outs(%56 : tensor<4x8xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %164 = arith.extf %in : bf16 to f32
    linalg.yield %164 : f32
  } -> tensor<4x8xf32>
  %58 = tensor.empty() : tensor<4x8xf32>
  %59 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%57 : tensor<4x8xf32>) outs(%58 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %164 = arith.negf %in : f32
    %165 = math.exp %164 : f32
    %cst_29 = arith.constant 1.000000e+00 : f32
    %cst_30 = arith.constant 1.000000e+00 : f32
    %166 = arith.addf %cst_30, %165 : f32
    %167 = arith.divf %cst_29, %166 : f32
    linalg.yield %167 : f32
  } -> tensor<4x8xf32>
  %60 = tensor.empty() : tensor<4x8xbf16>
  %61 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%59 : tensor<4x8xf32>) outs(%60 : tensor<4x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %164 = arith.truncf %in : f32 to bf16
    linalg.yield %164 : bf16
  } -> tensor<4x8xbf16>
  %62 = tensor.empty() : tensor<4x8xbf16>
  %63 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%55, %61 : tensor<4x8xbf16>, tensor<4x8xbf16>) outs(%62 : tensor<4x8xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %164 = arith.mulf %in, %in_29 : bf16
    linalg.yield %164 : bf16
  } -> tensor<4x8xbf16>
  %64 = tensor.empty() : tensor<4x8xf32>
  %cst_13 = arith.constant 0.000000e+00 : f32
  %65 = linalg.fill ins(%cst_13 : f32) outs(%64 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %66 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%expanded, %arg5 : tensor<4x4xbf16>, tensor<8x4xbf16>) outs(%65 : tensor<4x8xf32>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: f32):
    %164 = arith.extf %in : bf16 to f32
    %165 = arith.extf %in_29 : bf16 to f32
    %166 = arith.mulf %164, %165 : f32
    %167 = arith.addf %out, %166 : f32
    linalg.yield %167 : f32
  } -> tensor<4x8xf32>
  %67 = tensor.empty() : tensor<4x8xbf16>
  %68 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%66 : tensor<4x8xf32>) outs(%67 : tensor<4x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %164 = arith.truncf %in : f32 to bf16
    linalg.yield %164 : bf16
  } -> tensor<4x8xbf16>
  %69 = tensor.empty() : tensor<4x8xbf16>
  %70 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%63, %68 : tensor<4x8xbf16>, tensor<4x8xbf16>) outs(%69 : tensor<4x8xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %164 = arith.mulf %in, %in_29 : bf16
    linalg.yield %164 : bf16
  } -> tensor<4x8xbf16>
  %71 = tensor.empty() : tensor<4x4xf32>
  %cst_14 = arith.constant 0.000000e+00 : f32
  %72 = linalg.fill ins(%cst_14 : f32) outs(%71 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %73 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%70, %arg8 : tensor<4x8xbf16>, tensor<4x8xbf16>) outs(%72 : tensor<4x4xf32>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: f32):
    %164 = arith.extf %in : bf16 to f32
    %165 = arith.extf %in_29 : bf16 to f32
    %166 = arith.mulf %164, %165 : f32
    %167 = arith.addf %out, %166 : f32
    linalg.yield %167 : f32
  } -> tensor<4x4xf32>
  %74 = tensor.empty() : tensor<4x4xbf16>
  %75 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%73 : tensor<4x4xf32>) outs(%74 : tensor<4x4xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %164 = arith.truncf %in : f32 to bf16
    linalg.yield %164 : bf16
  } -> tensor<4x4xbf16>
  %76 = tensor.empty() : tensor<4x4xbf16>
  %77 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%50, %75 : tensor<4x1xbf16>, tensor<4x4xbf16>) outs(%76 : tensor<4x4xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %164 = arith.mulf %in, %in_29 : bf16
    linalg.yield %164 : bf16
  } -> tensor<4x4xbf16>
  %78 = tensor.empty() : tensor<4x4xbf16>
  %79 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%37, %77 : tensor<4x4xbf16>, tensor<4x4xbf16>) outs(%78 : tensor<4x4xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %164 = arith.addf %in, %in_29 : bf16
    linalg.yield %164 : bf16
  } -> tensor<4x4xbf16>
  %cst_15 = arith.constant dense<1> : tensor<i64>
  %80 = tensor.empty() : tensor<4x2xi1>
  %81 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%26#1, %cst_15 : tensor<4x2xi64>, tensor<i64>) outs(%80 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_29: i64, %out: i1):
    %164 = arith.cmpi eq, %in, %in_29 : i64
    linalg.yield %164 : i1
  } -> tensor<4x2xi1>
  %82 = tensor.empty() : tensor<4x2xbf16>
  %83 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%81 : tensor<4x2xi1>) outs(%82 : tensor<4x2xbf16>) {
  ^bb0(%in: i1, %out: bf16):
    %164 = arith.uitofp %in : i1 to bf16
    linalg.yield %164 : bf16
  } -> tensor<4x2xbf16>
  %84 = tensor.empty() : tensor<4x2xbf16>
  %85 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%35, %83 : tensor<4x2xbf16>, tensor<4x2xbf16>) outs(%84 : tensor<4x2xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %164 = arith.mulf %in, %in_29 : bf16
    linalg.yield %164 : bf16
  } -> tensor<4x2xbf16>
  %86 = tensor.empty() : tensor<4x2xf32>
  %87 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%85 : tensor<4x2xbf16>) outs(%86 : tensor<4x2xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %164 = arith.extf %in : bf16 to f32
    linalg.yield %164 : f32
  } -> tensor<4x2xf32>
  %cst_16 = arith.constant 0.000000e+00 : f32
  %88 = tensor.empty() : tensor<4xf32>
  %89 = linalg.fill ins(%cst_16 : f32) outs(%88 : tensor<4xf32>) -> tensor<4xf32>
  %90 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%87 : tensor<4x2xf32>) outs(%89 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %164 = arith.addf %out, %in : f32
    linalg.yield %164 : f32
  } -> tensor<4xf32>
  %expanded_17 = tensor.expand_shape %90 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %91 = tensor.empty() : tensor<4x1xbf16>
  %92 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_17 : tensor<4x1xf32>) outs(%91 : tensor<4x1xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %164 = arith.bitcast %in : f32 to i32
    %c16_i32 = arith.constant 16 : i32
    %165 = arith.shrui %164, %c16_i32 : i32
    %166 = arith.trunci %165 : i32 to i16
    %167 = arith.bitcast %166 : i16 to bf16
    %168 = arith.cmpf uno, %in, %in : f32
    %169 = arith.truncf %in : f32 to bf16
    %170 = arith.select %168, %169, %167 : bf16
    linalg.yield %170 : bf16
  } -> tensor<4x1xbf16>
  %93 = tensor.empty() : tensor<4x8xf32>
  %cst_18 = arith.constant 0.000000e+00 : f32
  %94 = linalg.fill ins(%cst_18 : f32) outs(%93 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %95 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%expanded, %arg3 : tensor<4x4xbf16>, tensor<8x4xbf16>) outs(%94 : tensor<4x8xf32>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: f32):
    %164 = arith.extf %in : bf16 to f32
    %165 = arith.extf %in_29 : bf16 to f32
    %166 = arith.mulf %164, %165 : f32
    %167 = arith.addf %out, %166 : f32
    linalg.yield %167 : f32
  } -> tensor<4x8xf32>
  %96 = tensor.empty() : tensor<4x8xbf16>
  %97 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%95 : tensor<4x8xf32>) outs(%96 : tensor<4x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %164 = arith.truncf %in : f32 to bf16
    linalg.yield %164 : bf16
  } -> tensor<4x8xbf16>
  %98 = tensor.empty() : tensor<4x8xf32>
  %99 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%97 : tensor<4x8xbf16>) outs(%98 : tensor<4x8xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %164 = arith.extf %in : bf16 to f32
    linalg.yield %164 : f32
  } -> tensor<4x8xf32>
  %100 = tensor.empty() : tensor<4x8xf32>
  %101 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%99 : tensor<4x8xf32>) outs(%100 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %164 = arith.negf %in : f32
    %165 = math.exp %164 : f32
    %cst_29 = arith.constant 1.000000e+00 : f32
    %cst_30 = arith.constant 1.000000e+00 : f32
    %166 = arith.addf %cst_30, %165 : f32
    %167 = arith.divf %cst_29, %166 : f32
    linalg.yield %167 : f32
  } -> tensor<4x8xf32>
  %102 = tensor.empty() : tensor<4x8xbf16>
  %103 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%101 : tensor<4x8xf32>) outs(%102 : tensor<4x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %164 = arith.truncf %in : f32 to bf16
    linalg.yield %164 : bf16
  } -> tensor<4x8xbf16>
  %104 = tensor.empty() : tensor<4x8xbf16>
  %105 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%97, %103 : tensor<4x8xbf16>, tensor<4x8xbf16>) outs(%104 : tensor<4x8xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %164 = arith.mulf %in, %in_29 : bf16
    linalg.yield %164 : bf16
  } -> tensor<4x8xbf16>
  %106 = tensor.empty() : tensor<4x8xf32>
  %cst_19 = arith.constant 0.000000e+00 : f32
  %107 = linalg.fill ins(%cst_19 : f32) outs(%106 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %108 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%expanded, %arg6 : tensor<4x4xbf16>, tensor<8x4xbf16>) outs(%107 : tensor<4x8xf32>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: f32):
    %164 = arith.extf %in : bf16 to f32
    %165 = arith.extf %in_29 : bf16 to f32
    %166 = arith.mulf %164, %165 : f32
    %167 = arith.addf %out, %166 : f32
    linalg.yield %167 : f32
  } -> tensor<4x8xf32>
  %109 = tensor.empty() : tensor<4x8xbf16>
  %110 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%108 : tensor<4x8xf32>) outs(%109 : tensor<4x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %164 = arith.truncf %in : f32 to bf16
    linalg.yield %164 : bf16
  } -> tensor<4x8xbf16>
  %111 = tensor.empty() : tensor<4x8xbf16>
  %112 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%105, %110 : tensor<4x8xbf16>, tensor<4x8xbf16>) outs(%111 : tensor<4x8xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %164 = arith.mulf %in, %in_29 : bf16
    linalg.yield %164 : bf16
  } -> tensor<4x8xbf16>
  %113 = tensor.empty() : tensor<4x4xf32>
  %cst_20 = arith.constant 0.000000e+00 : f32
  %114 = linalg.fill ins(%cst_20 : f32) outs(%113 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %115 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%112, %arg9 : tensor<4x8xbf16>, tensor<4x8xbf16>) outs(%114 : tensor<4x4xf32>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: f32):
    %164 = arith.extf %in : bf16 to f32
    %165 = arith.extf %in_29 : bf16 to f32
    %166 = arith.mulf %164, %165 : f32
    %167 = arith.addf %out, %166 : f32
    linalg.yield %167 : f32
  } -> tensor<4x4xf32>
  %116 = tensor.empty() : tensor<4x4xbf16>
  %117 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%115 : tensor<4x4xf32>) outs(%116 : tensor<4x4xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %164 = arith.truncf %in : f32 to bf16
    linalg.yield %164 : bf16
  } -> tensor<4x4xbf16>
  %118 = tensor.empty() : tensor<4x4xbf16>
  %119 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%92, %117 : tensor<4x1xbf16>, tensor<4x4xbf16>) outs(%118 : tensor<4x4xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %164 = arith.mulf %in, %in_29 : bf16
    linalg.yield %164 : bf16
  } -> tensor<4x4xbf16>
  %120 = tensor.empty() : tensor<4x4xbf16>
  %121 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%79, %119 : tensor<4x4xbf16>, tensor<4x4xbf16>) outs(%120 : tensor<4x4xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %164 = arith.addf %in, %in_29 : bf16
    linalg.yield %164 : bf16
  } -> tensor<4x4xbf16>
  %cst_21 = arith.constant dense<2> : tensor<i64>
  %122 = tensor.empty() : tensor<4x2xi1>
  %123 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%26#1, %cst_21 : tensor<4x2xi64>, tensor<i64>) outs(%122 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_29: i64, %out: i1):
    %164 = arith.cmpi eq, %in, %in_29 : i64
    linalg.yield %164 : i1
  } -> tensor<4x2xi1>
  %124 = tensor.empty() : tensor<4x2xbf16>
  %125 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%123 : tensor<4x2xi1>) outs(%124 : tensor<4x2xbf16>) {
  ^bb0(%in: i1, %out: bf16):
    %164 = arith.uitofp %in : i1 to bf16
    linalg.yield %164 : bf16
  } -> tensor<4x2xbf16>
  %126 = tensor.empty() : tensor<4x2xbf16>
  %127 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%35, %125 : tensor<4x2xbf16>, tensor<4x2xbf16>) outs(%126 : tensor<4x2xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %164 = arith.mulf %in, %in_29 : bf16
    linalg.yield %164 : bf16
  } -> tensor<4x2xbf16>
  %128 = tensor.empty() : tensor<4x2xf32>
  %129 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%127 : tensor<4x2xbf16>) outs(%128 : tensor<4x2xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %164 = arith.extf %in : bf16 to f32
    linalg.yield %164 : f32
  } -> tensor<4x2xf32>
  %cst_22 = arith.constant 0.000000e+00 : f32
  %130 = tensor.empty() : tensor<4xf32>
  %131 = linalg.fill ins(%cst_22 : f32) outs(%130 : tensor<4xf32>) -> tensor<4xf32>
  %132 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%129 : tensor<4x2xf32>) outs(%131 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %164 = arith.addf %out, %in : f32
    linalg.yield %164 : f32
  } -> tensor<4xf32>
  %expanded_23 = tensor.expand_shape %132 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %133 = tensor.empty() : tensor<4x1xbf16>
  %134 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_23 : tensor<4x1xf32>) outs(%133 : tensor<4x1xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %164 = arith.bitcast %in : f32 to i32
    %c16_i32 = arith.constant 16 : i32
    %165 = arith.shrui %164, %c16_i32 : i32
    %166 = arith.trunci %165 : i32 to i16
    %167 = arith.bitcast %166 : i16 to bf16
    %168 = arith.cmpf uno, %in, %in : f32
    %169 = arith.truncf %in : f32 to bf16
    %170 = arith.select %168, %169, %167 : bf16
    linalg.yield %170 : bf16
  } -> tensor<4x1xbf16>
  %135 = tensor.empty() : tensor<4x8xf32>
  %cst_24 = arith.constant 0.000000e+00 : f32
  %136 = linalg.fill ins(%cst_24 : f32) outs(%135 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %137 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%expanded, %arg4 : tensor<4x4xbf16>, tensor<8x4xbf16>) outs(%136 : tensor<4x8xf32>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: f32):
    %164 = arith.extf %in : bf16 to f32
    %165 = arith.extf %in_29 : bf16 to f32
    %166 = arith.mulf %164, %165 : f32
    %167 = arith.addf %out, %166 : f32
    linalg.yield %167 : f32
  } -> tensor<4x8xf32>
  %138 = tensor.empty() : tensor<4x8xbf16>
  %139 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%137 : tensor<4x8xf32>) outs(%138 : tensor<4x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %164 = arith.truncf %in : f32 to bf16
    linalg.yield %164 : bf16
  } -> tensor<4x8xbf16>
  %140 = tensor.empty() : tensor<4x8xf32>
  %141 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%139 : tensor<4x8xbf16>) outs(%140 : tensor<4x8xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %164 = arith.extf %in : bf16 to f32
    linalg.yield %164 : f32
  } -> tensor<4x8xf32>
  %142 = tensor.empty() : tensor<4x8xf32>
  %143 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%141 : tensor<4x8xf32>) outs(%142 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %164 = arith.negf %in : f32
    %165 = math.exp %164 : f32
    %cst_29 = arith.constant 1.000000e+00 : f32
    %cst_30 = arith.constant 1.000000e+00 : f32
    %166 = arith.addf %cst_30, %165 : f32
    %167 = arith.divf %cst_29, %166 : f32
    linalg.yield %167 : f32
  } -> tensor<4x8xf32>
  %144 = tensor.empty() : tensor<4x8xbf16>
  %145 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%143 : tensor<4x8xf32>) outs(%144 : tensor<4x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %164 = arith.truncf %in : f32 to bf16
    linalg.yield %164 : bf16
  } -> tensor<4x8xbf16>
  %146 = tensor.empty() : tensor<4x8xbf16>
  %147 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%139, %145 : tensor<4x8xbf16>, tensor<4x8xbf16>) outs(%146 : tensor<4x8xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %164 = arith.mulf %in, %in_29 : bf16
    linalg.yield %164 : bf16
  } -> tensor<4x8xbf16>
  %148 = tensor.empty() : tensor<4x8xf32>
  %cst_25 = arith.constant 0.000000e+00 : f32
  %149 = linalg.fill ins(%cst_25 : f32) outs(%148 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %150 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%expanded, %arg7 : tensor<4x4xbf16>, tensor<8x4xbf16>) outs(%149 : tensor<4x8xf32>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: f32):
    %164 = arith.extf %in : bf16 to f32
    %165 = arith.extf %in_29 : bf16 to f32
    %166 = arith.mulf %164, %165 : f32
    %167 = arith.addf %out, %166 : f32
    linalg.yield %167 : f32
  } -> tensor<4x8xf32>
  %151 = tensor.empty() : tensor<4x8xbf16>
  %152 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%150 : tensor<4x8xf32>) outs(%151 : tensor<4x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %164 = arith.truncf %in : f32 to bf16
    linalg.yield %164 : bf16
  } -> tensor<4x8xbf16>
  %153 = tensor.empty() : tensor<4x8xbf16>
  %154 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%147, %152 : tensor<4x8xbf16>, tensor<4x8xbf16>) outs(%153 : tensor<4x8xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %164 = arith.mulf %in, %in_29 : bf16
    linalg.yield %164 : bf16
  } -> tensor<4x8xbf16>
  %155 = tensor.empty() : tensor<4x4xf32>
  %cst_26 = arith.constant 0.000000e+00 : f32
  %156 = linalg.fill ins(%cst_26 : f32) outs(%155 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %157 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%154, %arg10 : tensor<4x8xbf16>, tensor<4x8xbf16>) outs(%156 : tensor<4x4xf32>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: f32):
    %164 = arith.extf %in : bf16 to f32
    %165 = arith.extf %in_29 : bf16 to f32
    %166 = arith.mulf %164, %165 : f32
    %167 = arith.addf %out, %166 : f32
    linalg.yield %167 : f32
  } -> tensor<4x4xf32>
  %158 = tensor.empty() : tensor<4x4xbf16>
  %159 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%157 : tensor<4x4xf32>) outs(%158 : tensor<4x4xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %164 = arith.truncf %in : f32 to bf16
    linalg.yield %164 : bf16
  } -> tensor<4x4xbf16>
  %160 = tensor.empty() : tensor<4x4xbf16>
  %161 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%134, %159 : tensor<4x1xbf16>, tensor<4x4xbf16>) outs(%160 : tensor<4x4xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %164 = arith.mulf %in, %in_29 : bf16
    linalg.yield %164 : bf16
  } -> tensor<4x4xbf16>
  %162 = tensor.empty() : tensor<4x4xbf16>
  %163 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%121, %161 : tensor<4x4xbf16>, tensor<4x4xbf16>) outs(%162 : tensor<4x4xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %164 = arith.addf %in, %in_29 : bf16
    linalg.yield %164 : bf16
  } -> tensor<4x4xbf16>
  %collapsed_27 = tensor.collapse_shape %163 [[0, 1]] : tensor<4x4xbf16> into tensor<16xbf16>
  %expanded_28 = tensor.expand_shape %collapsed_27 [[0, 1, 2]] output_shape [1, 4, 4] : tensor<16xbf16> into tensor<1x4x4xbf16>
  return %expanded_28 : tensor<1x4x4xbf16>
}

// -----

// The same block with the router's probabilities rounded through f16 before
// TopK (Cast to f16, then to bf16): only a rounding of the softmax itself to
// the TopK's type is looked through, so nothing is raised.
// CHECK-LABEL: func.func @moe_bf16_softmax_through_f16
// CHECK-NOT: loom_moe
// CHECK: arith.uitofp
// CHECK-NOT: loom_moe
// CHECK: return
func.func @moe_bf16_softmax_through_f16(%arg0: tensor<1x4x4xbf16>, %arg1: tensor<3x4xbf16>, %arg2: tensor<8x4xbf16>, %arg3: tensor<8x4xbf16>, %arg4: tensor<8x4xbf16>, %arg5: tensor<8x4xbf16>, %arg6: tensor<8x4xbf16>, %arg7: tensor<8x4xbf16>, %arg8: tensor<4x8xbf16>, %arg9: tensor<4x8xbf16>, %arg10: tensor<4x8xbf16>) -> (tensor<1x4x4xbf16>) {
  %collapsed = tensor.collapse_shape %arg0 [[0, 1, 2]] : tensor<1x4x4xbf16> into tensor<16xbf16>
  %expanded = tensor.expand_shape %collapsed [[0, 1]] output_shape [4, 4] : tensor<16xbf16> into tensor<4x4xbf16>
  %0 = tensor.empty() : tensor<4x3xf32>
  %cst = arith.constant 0.000000e+00 : f32
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<4x3xf32>) -> tensor<4x3xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%expanded, %arg1 : tensor<4x4xbf16>, tensor<3x4xbf16>) outs(%1 : tensor<4x3xf32>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: f32):
    %168 = arith.extf %in : bf16 to f32
    %169 = arith.extf %in_29 : bf16 to f32
    %170 = arith.mulf %168, %169 : f32
    %171 = arith.addf %out, %170 : f32
    linalg.yield %171 : f32
  } -> tensor<4x3xf32>
  %3 = tensor.empty() : tensor<4x3xbf16>
  %4 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%2 : tensor<4x3xf32>) outs(%3 : tensor<4x3xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %168 = arith.truncf %in : f32 to bf16
    linalg.yield %168 : bf16
  } -> tensor<4x3xbf16>
  %5 = tensor.empty() : tensor<4x3xf32>
  %6 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%4 : tensor<4x3xbf16>) outs(%5 : tensor<4x3xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %168 = arith.extf %in : bf16 to f32
    linalg.yield %168 : f32
  } -> tensor<4x3xf32>
  %cst_0 = arith.constant 0xFF800000 : f32
  %7 = tensor.empty() : tensor<4xf32>
  %8 = linalg.fill ins(%cst_0 : f32) outs(%7 : tensor<4xf32>) -> tensor<4xf32>
  %9 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%6 : tensor<4x3xf32>) outs(%8 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %168 = arith.maximumf %out, %in : f32
    linalg.yield %168 : f32
  } -> tensor<4xf32>
  %expanded_1 = tensor.expand_shape %9 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %10 = tensor.empty() : tensor<4x3xf32>
  %11 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%6, %expanded_1 : tensor<4x3xf32>, tensor<4x1xf32>) outs(%10 : tensor<4x3xf32>) {
  ^bb0(%in: f32, %in_29: f32, %out: f32):
    %168 = arith.subf %in, %in_29 : f32
    linalg.yield %168 : f32
  } -> tensor<4x3xf32>
  %cst_2 = arith.constant 0.000000e+00 : f32
  %12 = tensor.empty() : tensor<4xf32>
  %13 = linalg.fill ins(%cst_2 : f32) outs(%12 : tensor<4xf32>) -> tensor<4xf32>
  %14 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%11 : tensor<4x3xf32>) outs(%13 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %168 = math.exp %in : f32
    %169 = arith.addf %out, %168 : f32
    linalg.yield %169 : f32
  } -> tensor<4xf32>
  %expanded_3 = tensor.expand_shape %14 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %15 = tensor.empty() : tensor<4x3xf32>
  %16 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%11, %expanded_3 : tensor<4x3xf32>, tensor<4x1xf32>) outs(%15 : tensor<4x3xf32>) {
  ^bb0(%in: f32, %in_29: f32, %out: f32):
    %168 = math.exp %in : f32
    %169 = arith.divf %168, %in_29 : f32
    linalg.yield %169 : f32
  } -> tensor<4x3xf32>
  %17 = tensor.empty() : tensor<4x3xbf16>
  %18 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%16 : tensor<4x3xf32>) outs(%17 : tensor<4x3xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %168 = arith.truncf %in : f32 to bf16
    linalg.yield %168 : bf16
  } -> tensor<4x3xbf16>
  %19 = tensor.empty() : tensor<4x3xf16>
  %20 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%18 : tensor<4x3xbf16>) outs(%19 : tensor<4x3xf16>) {
  ^bb0(%in: bf16, %out: f16):
    %168 = arith.extf %in : bf16 to f32
    %169 = arith.truncf %168 : f32 to f16
    linalg.yield %169 : f16
  } -> tensor<4x3xf16>
  %21 = tensor.empty() : tensor<4x3xbf16>
  %22 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%20 : tensor<4x3xf16>) outs(%21 : tensor<4x3xbf16>) {
  ^bb0(%in: f16, %out: bf16):
    %168 = arith.extf %in : f16 to f32
    %169 = arith.bitcast %168 : f32 to i32
    %c16_i32 = arith.constant 16 : i32
    %170 = arith.shrui %169, %c16_i32 : i32
    %171 = arith.trunci %170 : i32 to i16
    %172 = arith.bitcast %171 : i16 to bf16
    %173 = arith.cmpf uno, %168, %168 : f32
    %174 = arith.truncf %168 : f32 to bf16
    %175 = arith.select %173, %174, %172 : bf16
    linalg.yield %175 : bf16
  } -> tensor<4x3xbf16>
  %c0_i64 = arith.constant 0 : i64
  %23 = tensor.empty() : tensor<4x3xi64>
  %24 = linalg.fill ins(%c0_i64 : i64) outs(%23 : tensor<4x3xi64>) -> tensor<4x3xi64>
  %25 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%22, %22 : tensor<4x3xbf16>, tensor<4x3xbf16>) outs(%24 : tensor<4x3xi64>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: i64):
    %168 = linalg.index 1 : index
    %169 = linalg.index 2 : index
    %170 = arith.cmpf ogt, %in_29, %in : bf16
    %171 = arith.cmpf oeq, %in_29, %in : bf16
    %172 = arith.cmpi ult, %169, %168 : index
    %173 = arith.andi %171, %172 : i1
    %174 = arith.ori %170, %173 : i1
    %175 = arith.extui %174 : i1 to i64
    %176 = arith.addi %out, %175 : i64
    linalg.yield %176 : i64
  } -> tensor<4x3xi64>
  %cst_4 = arith.constant 0.000000e+00 : bf16
  %26 = tensor.empty() : tensor<4x2xbf16>
  %27 = linalg.fill ins(%cst_4 : bf16) outs(%26 : tensor<4x2xbf16>) -> tensor<4x2xbf16>
  %c0_i64_5 = arith.constant 0 : i64
  %28 = tensor.empty() : tensor<4x2xi64>
  %29 = linalg.fill ins(%c0_i64_5 : i64) outs(%28 : tensor<4x2xi64>) -> tensor<4x2xi64>
  %30:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%22, %25 : tensor<4x3xbf16>, tensor<4x3xi64>) outs(%27, %29 : tensor<4x2xbf16>, tensor<4x2xi64>) {
  ^bb0(%in: bf16, %in_29: i64, %out: bf16, %out_30: i64):
    %168 = linalg.index 1 : index
    %169 = arith.index_cast %168 : index to i64
    %170 = linalg.index 2 : index
    %171 = arith.index_cast %170 : index to i64
    %172 = arith.cmpi eq, %in_29, %169 : i64
    %173 = arith.select %172, %in, %out : bf16
    %174 = arith.select %172, %171, %out_30 : i64
    linalg.yield %173, %174 : bf16, i64
  } -> (tensor<4x2xbf16>, tensor<4x2xi64>)
  %31 = tensor.empty() : tensor<4x2xf32>
  %32 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%30#0 : tensor<4x2xbf16>) outs(%31 : tensor<4x2xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %168 = arith.extf %in : bf16 to f32
    linalg.yield %168 : f32
  } -> tensor<4x2xf32>
  %cst_6 = arith.constant 0.000000e+00 : f32
  %33 = tensor.empty() : tensor<4xf32>
  %34 = linalg.fill ins(%cst_6 : f32) outs(%33 : tensor<4xf32>) -> tensor<4xf32>
  %35 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%32 : tensor<4x2xf32>) outs(%34 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %168 = arith.addf %out, %in : f32
    linalg.yield %168 : f32
  } -> tensor<4xf32>
  %expanded_7 = tensor.expand_shape %35 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %36 = tensor.empty() : tensor<4x1xbf16>
  %37 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_7 : tensor<4x1xf32>) outs(%36 : tensor<4x1xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %168 = arith.bitcast %in : f32 to i32
    %c16_i32 = arith.constant 16 : i32
    %169 = arith.shrui %168, %c16_i32 : i32
    %170 = arith.trunci %169 : i32 to i16
    %171 = arith.bitcast %170 : i16 to bf16
    %172 = arith.cmpf uno, %in, %in : f32
    %173 = arith.truncf %in : f32 to bf16
    %174 = arith.select %172, %173, %171 : bf16
    linalg.yield %174 : bf16
  } -> tensor<4x1xbf16>
  %38 = tensor.empty() : tensor<4x2xbf16>
  %39 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%30#0, %37 : tensor<4x2xbf16>, tensor<4x1xbf16>) outs(%38 : tensor<4x2xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %168 = arith.divf %in, %in_29 : bf16
    linalg.yield %168 : bf16
  } -> tensor<4x2xbf16>
  %cst_8 = arith.constant dense<0> : tensor<i64>
  %cst_9 = arith.constant dense<0.000000e+00> : tensor<bf16>
  %40 = tensor.empty() : tensor<4x4xbf16>
  %41 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%cst_9 : tensor<bf16>) outs(%40 : tensor<4x4xbf16>) {
  ^bb0(%in: bf16, %out: bf16):
    linalg.yield %in : bf16
  } -> tensor<4x4xbf16>
  %42 = tensor.empty() : tensor<4x2xi1>
  %43 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%30#1, %cst_8 : tensor<4x2xi64>, tensor<i64>) outs(%42 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_29: i64, %out: i1):
    %168 = arith.cmpi eq, %in, %in_29 : i64
    linalg.yield %168 : i1
  } -> tensor<4x2xi1>
  %44 = tensor.empty() : tensor<4x2xbf16>
  %45 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%43 : tensor<4x2xi1>) outs(%44 : tensor<4x2xbf16>) {
  ^bb0(%in: i1, %out: bf16):
    %168 = arith.uitofp %in : i1 to bf16
    linalg.yield %168 : bf16
  } -> tensor<4x2xbf16>
  %46 = tensor.empty() : tensor<4x2xbf16>
  %47 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%39, %45 : tensor<4x2xbf16>, tensor<4x2xbf16>) outs(%46 : tensor<4x2xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %168 = arith.mulf %in, %in_29 : bf16
    linalg.yield %168 : bf16
  } -> tensor<4x2xbf16>
  %48 = tensor.empty() : tensor<4x2xf32>
  %49 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%47 : tensor<4x2xbf16>) outs(%48 : tensor<4x2xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %168 = arith.extf %in : bf16 to f32
    linalg.yield %168 : f32
  } -> tensor<4x2xf32>
  %cst_10 = arith.constant 0.000000e+00 : f32
  %50 = tensor.empty() : tensor<4xf32>
  %51 = linalg.fill ins(%cst_10 : f32) outs(%50 : tensor<4xf32>) -> tensor<4xf32>
  %52 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%49 : tensor<4x2xf32>) outs(%51 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %168 = arith.addf %out, %in : f32
    linalg.yield %168 : f32
  } -> tensor<4xf32>
  %expanded_11 = tensor.expand_shape %52 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %53 = tensor.empty() : tensor<4x1xbf16>
  %54 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_11 : tensor<4x1xf32>) outs(%53 : tensor<4x1xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %168 = arith.bitcast %in : f32 to i32
    %c16_i32 = arith.constant 16 : i32
    %169 = arith.shrui %168, %c16_i32 : i32
    %170 = arith.trunci %169 : i32 to i16
    %171 = arith.bitcast %170 : i16 to bf16
    %172 = arith.cmpf uno, %in, %in : f32
    %173 = arith.truncf %in : f32 to bf16
    %174 = arith.select %172, %173, %171 : bf16
    linalg.yield %174 : bf16
  } -> tensor<4x1xbf16>
  %55 = tensor.empty() : tensor<4x8xf32>
  %cst_12 = arith.constant 0.000000e+00 : f32
  %56 = linalg.fill ins(%cst_12 : f32) outs(%55 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %57 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%expanded, %arg2 : tensor<4x4xbf16>, tensor<8x4xbf16>) outs(%56 : tensor<4x8xf32>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: f32):
    %168 = arith.extf %in : bf16 to f32
    %169 = arith.extf %in_29 : bf16 to f32
    %170 = arith.mulf %168, %169 : f32
    %171 = arith.addf %out, %170 : f32
    linalg.yield %171 : f32
  } -> tensor<4x8xf32>
  %58 = tensor.empty() : tensor<4x8xbf16>
  %59 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%57 : tensor<4x8xf32>) outs(%58 : tensor<4x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %168 = arith.truncf %in : f32 to bf16
    linalg.yield %168 : bf16
  } -> tensor<4x8xbf16>
  %60 = tensor.empty() : tensor<4x8xf32>
  %61 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%59 : tensor<4x8xbf16>) outs(%60 : tensor<4x8xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %168 = arith.extf %in : bf16 to f32
    linalg.yield %168 : f32
  } -> tensor<4x8xf32>
  %62 = tensor.empty() : tensor<4x8xf32>
  %63 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%61 : tensor<4x8xf32>) outs(%62 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %168 = arith.negf %in : f32
    %169 = math.exp %168 : f32
    %cst_29 = arith.constant 1.000000e+00 : f32
    %cst_30 = arith.constant 1.000000e+00 : f32
    %170 = arith.addf %cst_30, %169 : f32
    %171 = arith.divf %cst_29, %170 : f32
    linalg.yield %171 : f32
  } -> tensor<4x8xf32>
  %64 = tensor.empty() : tensor<4x8xbf16>
  %65 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%63 : tensor<4x8xf32>) outs(%64 : tensor<4x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %168 = arith.truncf %in : f32 to bf16
    linalg.yield %168 : bf16
  } -> tensor<4x8xbf16>
  %66 = tensor.empty() : tensor<4x8xbf16>
  %67 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%59, %65 : tensor<4x8xbf16>, tensor<4x8xbf16>) outs(%66 : tensor<4x8xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %168 = arith.mulf %in, %in_29 : bf16
    linalg.yield %168 : bf16
  } -> tensor<4x8xbf16>
  %68 = tensor.empty() : tensor<4x8xf32>
  %cst_13 = arith.constant 0.000000e+00 : f32
  %69 = linalg.fill ins(%cst_13 : f32) outs(%68 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %70 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%expanded, %arg5 : tensor<4x4xbf16>, tensor<8x4xbf16>) outs(%69 : tensor<4x8xf32>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: f32):
    %168 = arith.extf %in : bf16 to f32
    %169 = arith.extf %in_29 : bf16 to f32
    %170 = arith.mulf %168, %169 : f32
    %171 = arith.addf %out, %170 : f32
    linalg.yield %171 : f32
  } -> tensor<4x8xf32>
  %71 = tensor.empty() : tensor<4x8xbf16>
  %72 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%70 : tensor<4x8xf32>) outs(%71 : tensor<4x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %168 = arith.truncf %in : f32 to bf16
    linalg.yield %168 : bf16
  } -> tensor<4x8xbf16>
  %73 = tensor.empty() : tensor<4x8xbf16>
  %74 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%67, %72 : tensor<4x8xbf16>, tensor<4x8xbf16>) outs(%73 : tensor<4x8xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %168 = arith.mulf %in, %in_29 : bf16
    linalg.yield %168 : bf16
  } -> tensor<4x8xbf16>
  %75 = tensor.empty() : tensor<4x4xf32>
  %cst_14 = arith.constant 0.000000e+00 : f32
  %76 = linalg.fill ins(%cst_14 : f32) outs(%75 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %77 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%74, %arg8 : tensor<4x8xbf16>, tensor<4x8xbf16>) outs(%76 : tensor<4x4xf32>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: f32):
    %168 = arith.extf %in : bf16 to f32
    %169 = arith.extf %in_29 : bf16 to f32
    %170 = arith.mulf %168, %169 : f32
    %171 = arith.addf %out, %170 : f32
    linalg.yield %171 : f32
  } -> tensor<4x4xf32>
  %78 = tensor.empty() : tensor<4x4xbf16>
  %79 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%77 : tensor<4x4xf32>) outs(%78 : tensor<4x4xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %168 = arith.truncf %in : f32 to bf16
    linalg.yield %168 : bf16
  } -> tensor<4x4xbf16>
  %80 = tensor.empty() : tensor<4x4xbf16>
  %81 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%54, %79 : tensor<4x1xbf16>, tensor<4x4xbf16>) outs(%80 : tensor<4x4xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %168 = arith.mulf %in, %in_29 : bf16
    linalg.yield %168 : bf16
  } -> tensor<4x4xbf16>
  %82 = tensor.empty() : tensor<4x4xbf16>
  %83 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%41, %81 : tensor<4x4xbf16>, tensor<4x4xbf16>) outs(%82 : tensor<4x4xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %168 = arith.addf %in, %in_29 : bf16
    linalg.yield %168 : bf16
  } -> tensor<4x4xbf16>
  %cst_15 = arith.constant dense<1> : tensor<i64>
  %84 = tensor.empty() : tensor<4x2xi1>
  %85 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%30#1, %cst_15 : tensor<4x2xi64>, tensor<i64>) outs(%84 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_29: i64, %out: i1):
    %168 = arith.cmpi eq, %in, %in_29 : i64
    linalg.yield %168 : i1
  } -> tensor<4x2xi1>
  %86 = tensor.empty() : tensor<4x2xbf16>
  %87 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%85 : tensor<4x2xi1>) outs(%86 : tensor<4x2xbf16>) {
  ^bb0(%in: i1, %out: bf16):
    %168 = arith.uitofp %in : i1 to bf16
    linalg.yield %168 : bf16
  } -> tensor<4x2xbf16>
  %88 = tensor.empty() : tensor<4x2xbf16>
  %89 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%39, %87 : tensor<4x2xbf16>, tensor<4x2xbf16>) outs(%88 : tensor<4x2xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %168 = arith.mulf %in, %in_29 : bf16
    linalg.yield %168 : bf16
  } -> tensor<4x2xbf16>
  %90 = tensor.empty() : tensor<4x2xf32>
  %91 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%89 : tensor<4x2xbf16>) outs(%90 : tensor<4x2xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %168 = arith.extf %in : bf16 to f32
    linalg.yield %168 : f32
  } -> tensor<4x2xf32>
  %cst_16 = arith.constant 0.000000e+00 : f32
  %92 = tensor.empty() : tensor<4xf32>
  %93 = linalg.fill ins(%cst_16 : f32) outs(%92 : tensor<4xf32>) -> tensor<4xf32>
  %94 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%91 : tensor<4x2xf32>) outs(%93 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %168 = arith.addf %out, %in : f32
    linalg.yield %168 : f32
  } -> tensor<4xf32>
  %expanded_17 = tensor.expand_shape %94 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %95 = tensor.empty() : tensor<4x1xbf16>
  %96 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_17 : tensor<4x1xf32>) outs(%95 : tensor<4x1xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %168 = arith.bitcast %in : f32 to i32
    %c16_i32 = arith.constant 16 : i32
    %169 = arith.shrui %168, %c16_i32 : i32
    %170 = arith.trunci %169 : i32 to i16
    %171 = arith.bitcast %170 : i16 to bf16
    %172 = arith.cmpf uno, %in, %in : f32
    %173 = arith.truncf %in : f32 to bf16
    %174 = arith.select %172, %173, %171 : bf16
    linalg.yield %174 : bf16
  } -> tensor<4x1xbf16>
  %97 = tensor.empty() : tensor<4x8xf32>
  %cst_18 = arith.constant 0.000000e+00 : f32
  %98 = linalg.fill ins(%cst_18 : f32) outs(%97 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %99 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%expanded, %arg3 : tensor<4x4xbf16>, tensor<8x4xbf16>) outs(%98 : tensor<4x8xf32>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: f32):
    %168 = arith.extf %in : bf16 to f32
    %169 = arith.extf %in_29 : bf16 to f32
    %170 = arith.mulf %168, %169 : f32
    %171 = arith.addf %out, %170 : f32
    linalg.yield %171 : f32
  } -> tensor<4x8xf32>
  %100 = tensor.empty() : tensor<4x8xbf16>
  %101 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%99 : tensor<4x8xf32>) outs(%100 : tensor<4x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %168 = arith.truncf %in : f32 to bf16
    linalg.yield %168 : bf16
  } -> tensor<4x8xbf16>
  %102 = tensor.empty() : tensor<4x8xf32>
  %103 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%101 : tensor<4x8xbf16>) outs(%102 : tensor<4x8xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %168 = arith.extf %in : bf16 to f32
    linalg.yield %168 : f32
  } -> tensor<4x8xf32>
  %104 = tensor.empty() : tensor<4x8xf32>
  %105 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%103 : tensor<4x8xf32>) outs(%104 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %168 = arith.negf %in : f32
    %169 = math.exp %168 : f32
    %cst_29 = arith.constant 1.000000e+00 : f32
    %cst_30 = arith.constant 1.000000e+00 : f32
    %170 = arith.addf %cst_30, %169 : f32
    %171 = arith.divf %cst_29, %170 : f32
    linalg.yield %171 : f32
  } -> tensor<4x8xf32>
  %106 = tensor.empty() : tensor<4x8xbf16>
  %107 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%105 : tensor<4x8xf32>) outs(%106 : tensor<4x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %168 = arith.truncf %in : f32 to bf16
    linalg.yield %168 : bf16
  } -> tensor<4x8xbf16>
  %108 = tensor.empty() : tensor<4x8xbf16>
  %109 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%101, %107 : tensor<4x8xbf16>, tensor<4x8xbf16>) outs(%108 : tensor<4x8xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %168 = arith.mulf %in, %in_29 : bf16
    linalg.yield %168 : bf16
  } -> tensor<4x8xbf16>
  %110 = tensor.empty() : tensor<4x8xf32>
  %cst_19 = arith.constant 0.000000e+00 : f32
  %111 = linalg.fill ins(%cst_19 : f32) outs(%110 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %112 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%expanded, %arg6 : tensor<4x4xbf16>, tensor<8x4xbf16>) outs(%111 : tensor<4x8xf32>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: f32):
    %168 = arith.extf %in : bf16 to f32
    %169 = arith.extf %in_29 : bf16 to f32
    %170 = arith.mulf %168, %169 : f32
    %171 = arith.addf %out, %170 : f32
    linalg.yield %171 : f32
  } -> tensor<4x8xf32>
  %113 = tensor.empty() : tensor<4x8xbf16>
  %114 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%112 : tensor<4x8xf32>) outs(%113 : tensor<4x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %168 = arith.truncf %in : f32 to bf16
    linalg.yield %168 : bf16
  } -> tensor<4x8xbf16>
  %115 = tensor.empty() : tensor<4x8xbf16>
  %116 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%109, %114 : tensor<4x8xbf16>, tensor<4x8xbf16>) outs(%115 : tensor<4x8xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %168 = arith.mulf %in, %in_29 : bf16
    linalg.yield %168 : bf16
  } -> tensor<4x8xbf16>
  %117 = tensor.empty() : tensor<4x4xf32>
  %cst_20 = arith.constant 0.000000e+00 : f32
  %118 = linalg.fill ins(%cst_20 : f32) outs(%117 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %119 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%116, %arg9 : tensor<4x8xbf16>, tensor<4x8xbf16>) outs(%118 : tensor<4x4xf32>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: f32):
    %168 = arith.extf %in : bf16 to f32
    %169 = arith.extf %in_29 : bf16 to f32
    %170 = arith.mulf %168, %169 : f32
    %171 = arith.addf %out, %170 : f32
    linalg.yield %171 : f32
  } -> tensor<4x4xf32>
  %120 = tensor.empty() : tensor<4x4xbf16>
  %121 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%119 : tensor<4x4xf32>) outs(%120 : tensor<4x4xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %168 = arith.truncf %in : f32 to bf16
    linalg.yield %168 : bf16
  } -> tensor<4x4xbf16>
  %122 = tensor.empty() : tensor<4x4xbf16>
  %123 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%96, %121 : tensor<4x1xbf16>, tensor<4x4xbf16>) outs(%122 : tensor<4x4xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %168 = arith.mulf %in, %in_29 : bf16
    linalg.yield %168 : bf16
  } -> tensor<4x4xbf16>
  %124 = tensor.empty() : tensor<4x4xbf16>
  %125 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%83, %123 : tensor<4x4xbf16>, tensor<4x4xbf16>) outs(%124 : tensor<4x4xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %168 = arith.addf %in, %in_29 : bf16
    linalg.yield %168 : bf16
  } -> tensor<4x4xbf16>
  %cst_21 = arith.constant dense<2> : tensor<i64>
  %126 = tensor.empty() : tensor<4x2xi1>
  %127 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%30#1, %cst_21 : tensor<4x2xi64>, tensor<i64>) outs(%126 : tensor<4x2xi1>) {
  ^bb0(%in: i64, %in_29: i64, %out: i1):
    %168 = arith.cmpi eq, %in, %in_29 : i64
    linalg.yield %168 : i1
  } -> tensor<4x2xi1>
  %128 = tensor.empty() : tensor<4x2xbf16>
  %129 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%127 : tensor<4x2xi1>) outs(%128 : tensor<4x2xbf16>) {
  ^bb0(%in: i1, %out: bf16):
    %168 = arith.uitofp %in : i1 to bf16
    linalg.yield %168 : bf16
  } -> tensor<4x2xbf16>
  %130 = tensor.empty() : tensor<4x2xbf16>
  %131 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%39, %129 : tensor<4x2xbf16>, tensor<4x2xbf16>) outs(%130 : tensor<4x2xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %168 = arith.mulf %in, %in_29 : bf16
    linalg.yield %168 : bf16
  } -> tensor<4x2xbf16>
  %132 = tensor.empty() : tensor<4x2xf32>
  %133 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%131 : tensor<4x2xbf16>) outs(%132 : tensor<4x2xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %168 = arith.extf %in : bf16 to f32
    linalg.yield %168 : f32
  } -> tensor<4x2xf32>
  %cst_22 = arith.constant 0.000000e+00 : f32
  %134 = tensor.empty() : tensor<4xf32>
  %135 = linalg.fill ins(%cst_22 : f32) outs(%134 : tensor<4xf32>) -> tensor<4xf32>
  %136 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%133 : tensor<4x2xf32>) outs(%135 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %168 = arith.addf %out, %in : f32
    linalg.yield %168 : f32
  } -> tensor<4xf32>
  %expanded_23 = tensor.expand_shape %136 [[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
  %137 = tensor.empty() : tensor<4x1xbf16>
  %138 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%expanded_23 : tensor<4x1xf32>) outs(%137 : tensor<4x1xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %168 = arith.bitcast %in : f32 to i32
    %c16_i32 = arith.constant 16 : i32
    %169 = arith.shrui %168, %c16_i32 : i32
    %170 = arith.trunci %169 : i32 to i16
    %171 = arith.bitcast %170 : i16 to bf16
    %172 = arith.cmpf uno, %in, %in : f32
    %173 = arith.truncf %in : f32 to bf16
    %174 = arith.select %172, %173, %171 : bf16
    linalg.yield %174 : bf16
  } -> tensor<4x1xbf16>
  %139 = tensor.empty() : tensor<4x8xf32>
  %cst_24 = arith.constant 0.000000e+00 : f32
  %140 = linalg.fill ins(%cst_24 : f32) outs(%139 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %141 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%expanded, %arg4 : tensor<4x4xbf16>, tensor<8x4xbf16>) outs(%140 : tensor<4x8xf32>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: f32):
    %168 = arith.extf %in : bf16 to f32
    %169 = arith.extf %in_29 : bf16 to f32
    %170 = arith.mulf %168, %169 : f32
    %171 = arith.addf %out, %170 : f32
    linalg.yield %171 : f32
  } -> tensor<4x8xf32>
  %142 = tensor.empty() : tensor<4x8xbf16>
  %143 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%141 : tensor<4x8xf32>) outs(%142 : tensor<4x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %168 = arith.truncf %in : f32 to bf16
    linalg.yield %168 : bf16
  } -> tensor<4x8xbf16>
  %144 = tensor.empty() : tensor<4x8xf32>
  %145 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%143 : tensor<4x8xbf16>) outs(%144 : tensor<4x8xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %168 = arith.extf %in : bf16 to f32
    linalg.yield %168 : f32
  } -> tensor<4x8xf32>
  %146 = tensor.empty() : tensor<4x8xf32>
  %147 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%145 : tensor<4x8xf32>) outs(%146 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %168 = arith.negf %in : f32
    %169 = math.exp %168 : f32
    %cst_29 = arith.constant 1.000000e+00 : f32
    %cst_30 = arith.constant 1.000000e+00 : f32
    %170 = arith.addf %cst_30, %169 : f32
    %171 = arith.divf %cst_29, %170 : f32
    linalg.yield %171 : f32
  } -> tensor<4x8xf32>
  %148 = tensor.empty() : tensor<4x8xbf16>
  %149 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%147 : tensor<4x8xf32>) outs(%148 : tensor<4x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %168 = arith.truncf %in : f32 to bf16
    linalg.yield %168 : bf16
  } -> tensor<4x8xbf16>
  %150 = tensor.empty() : tensor<4x8xbf16>
  %151 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%143, %149 : tensor<4x8xbf16>, tensor<4x8xbf16>) outs(%150 : tensor<4x8xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %168 = arith.mulf %in, %in_29 : bf16
    linalg.yield %168 : bf16
  } -> tensor<4x8xbf16>
  %152 = tensor.empty() : tensor<4x8xf32>
  %cst_25 = arith.constant 0.000000e+00 : f32
  %153 = linalg.fill ins(%cst_25 : f32) outs(%152 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %154 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%expanded, %arg7 : tensor<4x4xbf16>, tensor<8x4xbf16>) outs(%153 : tensor<4x8xf32>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: f32):
    %168 = arith.extf %in : bf16 to f32
    %169 = arith.extf %in_29 : bf16 to f32
    %170 = arith.mulf %168, %169 : f32
    %171 = arith.addf %out, %170 : f32
    linalg.yield %171 : f32
  } -> tensor<4x8xf32>
  %155 = tensor.empty() : tensor<4x8xbf16>
  %156 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%154 : tensor<4x8xf32>) outs(%155 : tensor<4x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %168 = arith.truncf %in : f32 to bf16
    linalg.yield %168 : bf16
  } -> tensor<4x8xbf16>
  %157 = tensor.empty() : tensor<4x8xbf16>
  %158 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%151, %156 : tensor<4x8xbf16>, tensor<4x8xbf16>) outs(%157 : tensor<4x8xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %168 = arith.mulf %in, %in_29 : bf16
    linalg.yield %168 : bf16
  } -> tensor<4x8xbf16>
  %159 = tensor.empty() : tensor<4x4xf32>
  %cst_26 = arith.constant 0.000000e+00 : f32
  %160 = linalg.fill ins(%cst_26 : f32) outs(%159 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %161 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%158, %arg10 : tensor<4x8xbf16>, tensor<4x8xbf16>) outs(%160 : tensor<4x4xf32>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: f32):
    %168 = arith.extf %in : bf16 to f32
    %169 = arith.extf %in_29 : bf16 to f32
    %170 = arith.mulf %168, %169 : f32
    %171 = arith.addf %out, %170 : f32
    linalg.yield %171 : f32
  } -> tensor<4x4xf32>
  %162 = tensor.empty() : tensor<4x4xbf16>
  %163 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%161 : tensor<4x4xf32>) outs(%162 : tensor<4x4xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %168 = arith.truncf %in : f32 to bf16
    linalg.yield %168 : bf16
  } -> tensor<4x4xbf16>
  %164 = tensor.empty() : tensor<4x4xbf16>
  %165 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%138, %163 : tensor<4x1xbf16>, tensor<4x4xbf16>) outs(%164 : tensor<4x4xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %168 = arith.mulf %in, %in_29 : bf16
    linalg.yield %168 : bf16
  } -> tensor<4x4xbf16>
  %166 = tensor.empty() : tensor<4x4xbf16>
  %167 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%125, %165 : tensor<4x4xbf16>, tensor<4x4xbf16>) outs(%166 : tensor<4x4xbf16>) {
  ^bb0(%in: bf16, %in_29: bf16, %out: bf16):
    %168 = arith.addf %in, %in_29 : bf16
    linalg.yield %168 : bf16
  } -> tensor<4x4xbf16>
  %collapsed_27 = tensor.collapse_shape %167 [[0, 1]] : tensor<4x4xbf16> into tensor<16xbf16>
  %expanded_28 = tensor.expand_shape %collapsed_27 [[0, 1, 2]] output_shape [1, 4, 4] : tensor<16xbf16> into tensor<1x4x4xbf16>
  return %expanded_28 : tensor<1x4x4xbf16>
}

