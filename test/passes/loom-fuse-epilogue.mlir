// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-fuse-epilogue))' | FileCheck %s

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (n)>

// A bias add then ReLU after a matmul: the bias, broadcast along the rows,
// becomes the accumulator's initial value; ReLU stays as the epilogue.
// CHECK-LABEL: func.func @bias_relu
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>, %[[W:[^:]+]]: tensor<8x16xf32>, %[[B:[^:]+]]: tensor<16xf32>
// CHECK: %[[E:.+]] = tensor.empty() : tensor<4x16xf32>
// CHECK: %[[INIT:.+]] = linalg.generic {{.*}} ins(%[[B]] : tensor<16xf32>) outs(%[[E]] : tensor<4x16xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]]
// CHECK: %[[MM:.+]] = linalg.generic {{.*}} ins(%[[X]], %[[W]] : tensor<4x8xf32>, tensor<8x16xf32>) outs(%[[INIT]] : tensor<4x16xf32>)
// CHECK: %[[R:.+]] = linalg.generic {{.*}} ins(%[[MM]] : tensor<4x16xf32>)
// CHECK-NOT: arith.addf
// CHECK: arith.maximumf
// CHECK: return %[[R]]
func.func @bias_relu(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %bias: tensor<16xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %mm = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%f : tensor<4x16xf32>) {
  ^bb0(%l: f32, %r: f32, %o: f32):
    %p = arith.mulf %l, %r : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%mm, %bias : tensor<4x16xf32>, tensor<16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%m: f32, %b: f32, %o: f32):
    %s = arith.addf %m, %b : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// A residual add right after a named matmul: the residual is the
// accumulator, and the consumer disappears.
// CHECK-LABEL: func.func @residual
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>, %[[W:[^:]+]]: tensor<8x16xf32>, %[[RES:[^:]+]]: tensor<4x16xf32>
// CHECK: %[[MM:.+]] = linalg.matmul ins(%[[X]], %[[W]] : tensor<4x8xf32>, tensor<8x16xf32>) outs(%[[RES]] : tensor<4x16xf32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[MM]]
#id = affine_map<(m, n) -> (m, n)>
func.func @residual(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %res: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%res, %mm : tensor<4x16xf32>, tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%r: f32, %m: f32, %o: f32):
    %s = arith.addf %r, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// Not folded: the matmul result has another user, which must not see the
// bias.
// CHECK-LABEL: func.func @shared_result
// CHECK: %[[F:.+]] = linalg.fill
// CHECK: %[[MM:.+]] = linalg.matmul {{.*}} outs(%[[F]] : tensor<4x16xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[MM]], %{{.+}} : tensor<4x16xf32>, tensor<16xf32>)
// CHECK: arith.addf
#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (n)>
func.func @shared_result(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %bias: tensor<16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%mm, %bias : tensor<4x16xf32>, tensor<16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%m: f32, %b: f32, %o: f32):
    %s = arith.addf %m, %b : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  return %y, %mm : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// Not folded: the product is scaled before the bias is added.
// CHECK-LABEL: func.func @scaled_first
// CHECK: %[[F:.+]] = linalg.fill
// CHECK: linalg.matmul {{.*}} outs(%[[F]] : tensor<4x16xf32>)
// CHECK: linalg.generic
// CHECK: arith.mulf
// CHECK: arith.addf
#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (n)>
func.func @scaled_first(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %bias: tensor<16xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %half = arith.constant 0.5 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%mm, %bias : tensor<4x16xf32>, tensor<16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%m: f32, %b: f32, %o: f32):
    %h = arith.mulf %m, %half : f32
    %s = arith.addf %h, %b : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// GPT-2's layout: the matmul over [B*S, K] rows, a reshape back to
// [B, S, N], then the bias add. The reshape keeps the innermost axis, so
// the bias broadcasts along it in the matmul's [B*S, N] output as well.
// CHECK-LABEL: func.func @bias_behind_expand
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>, %[[W:[^:]+]]: tensor<8x16xf32>, %[[B:[^:]+]]: tensor<16xf32>
// CHECK: %[[INIT:.+]] = linalg.generic {indexing_maps = [#[[BMAP:.+]], #{{.+}}], {{.*}} ins(%[[B]] : tensor<16xf32>) outs(%{{.+}} : tensor<4x16xf32>)
// CHECK: %[[MM:.+]] = linalg.matmul ins(%[[X]], %[[W]] : tensor<4x8xf32>, tensor<8x16xf32>) outs(%[[INIT]] : tensor<4x16xf32>)
// CHECK: %[[R:.+]] = tensor.expand_shape %[[MM]] {{\[}}[0, 1], [2]] output_shape [2, 2, 16]
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
#id3 = affine_map<(b, s, n) -> (b, s, n)>
#n3 = affine_map<(b, s, n) -> (n)>
func.func @bias_behind_expand(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %bias: tensor<16xf32>) -> tensor<2x2x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %r = tensor.expand_shape %mm [[0, 1], [2]] output_shape [2, 2, 16] : tensor<4x16xf32> into tensor<2x2x16xf32>
  %e3 = tensor.empty() : tensor<2x2x16xf32>
  %y = linalg.generic {indexing_maps = [#id3, #n3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%r, %bias : tensor<2x2x16xf32>, tensor<16xf32>) outs(%e3 : tensor<2x2x16xf32>) {
  ^bb0(%m: f32, %b: f32, %o: f32):
    %s = arith.addf %m, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x2x16xf32>
  return %y : tensor<2x2x16xf32>
}

// -----

// The residual add after Gemm + Reshape (GPT-2's attention and MLP
// outputs): the residual, reshaped back to the Gemm's [rows, N], is the
// accumulator.
// CHECK-LABEL: func.func @residual_behind_reshape
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x8xf32>, %[[W:[^:]+]]: tensor<8x16xf32>, %[[RES:[^:]+]]: tensor<1x?x16xf32>, %[[SHAPE:[^:]+]]: tensor<3xi64>
// CHECK: %[[S:.+]] = tensor.from_elements %{{.+}}, %{{.+}} : tensor<2xi64>
// CHECK: %[[INIT:.+]] = tensor.reshape %[[RES]](%[[S]]) : (tensor<1x?x16xf32>, tensor<2xi64>) -> tensor<?x16xf32>
// CHECK: %[[MM:.+]] = linalg.matmul ins(%[[X]], %[[W]] : tensor<?x8xf32>, tensor<8x16xf32>) outs(%[[INIT]] : tensor<?x16xf32>)
// CHECK: %[[R:.+]] = tensor.reshape %[[MM]](%[[SHAPE]])
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
#id3 = affine_map<(b, s, n) -> (b, s, n)>
func.func @residual_behind_reshape(%x: tensor<?x8xf32>, %w: tensor<8x16xf32>, %res: tensor<1x?x16xf32>, %shape: tensor<3xi64>) -> tensor<1x?x16xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = tensor.dim %x, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%rows) : tensor<?x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x16xf32>) -> tensor<?x16xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<?x8xf32>, tensor<8x16xf32>) outs(%f : tensor<?x16xf32>) -> tensor<?x16xf32>
  %r = tensor.reshape %mm(%shape) : (tensor<?x16xf32>, tensor<3xi64>) -> tensor<1x?x16xf32>
  %s = tensor.dim %res, %c1 : tensor<1x?x16xf32>
  %e3 = tensor.empty(%s) : tensor<1x?x16xf32>
  %y = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%r, %res : tensor<1x?x16xf32>, tensor<1x?x16xf32>) outs(%e3 : tensor<1x?x16xf32>) {
  ^bb0(%m: f32, %b: f32, %o: f32):
    %t = arith.addf %m, %b : f32
    linalg.yield %t : f32
  } -> tensor<1x?x16xf32>
  return %y : tensor<1x?x16xf32>
}

// -----

// A bias over the columns of a transposed product ([N, M] = ([M, K] x
// [K, N])^T, bias over M): read along the matmul's rows.
// CHECK-LABEL: func.func @bias_behind_transpose
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf32>, %[[W:[^:]+]]: tensor<8x16xf32>, %[[B:[^:]+]]: tensor<4xf32>
// CHECK: %[[INIT:.+]] = linalg.generic {indexing_maps = [#[[ROWS:.+]], #{{.+}}], {{.*}} ins(%[[B]] : tensor<4xf32>) outs(%{{.+}} : tensor<4x16xf32>)
// CHECK: %[[MM:.+]] = linalg.matmul ins(%[[X]], %[[W]] : tensor<4x8xf32>, tensor<8x16xf32>) outs(%[[INIT]] : tensor<4x16xf32>)
// CHECK: %[[T:.+]] = linalg.transpose ins(%[[MM]]
// CHECK-NOT: linalg.generic
// CHECK: return %[[T]]
#id = affine_map<(n, m) -> (n, m)>
#m = affine_map<(n, m) -> (m)>
func.func @bias_behind_transpose(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %bias: tensor<4xf32>) -> tensor<16x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %et = tensor.empty() : tensor<16x4xf32>
  %t = linalg.transpose ins(%mm : tensor<4x16xf32>) outs(%et : tensor<16x4xf32>) permutation = [1, 0]
  %y = linalg.generic {indexing_maps = [#id, #m, #id], iterator_types = ["parallel", "parallel"]} ins(%t, %bias : tensor<16x4xf32>, tensor<4xf32>) outs(%et : tensor<16x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<16x4xf32>
  return %y : tensor<16x4xf32>
}

// -----

// Not folded: after the reshape [4, 16] -> [2, 2, 16] the bias is over the
// middle axis, which is not an axis of the matmul's output.
// CHECK-LABEL: func.func @bias_wrong_axis_behind_expand
// CHECK: %[[F:.+]] = linalg.fill
// CHECK: linalg.matmul {{.*}} outs(%[[F]] : tensor<4x16xf32>)
// CHECK: tensor.expand_shape
// CHECK: linalg.generic
// CHECK: arith.addf
#id3 = affine_map<(b, s, n) -> (b, s, n)>
#s3 = affine_map<(b, s, n) -> (s)>
func.func @bias_wrong_axis_behind_expand(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %bias: tensor<2xf32>) -> tensor<2x2x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %r = tensor.expand_shape %mm [[0, 1], [2]] output_shape [2, 2, 16] : tensor<4x16xf32> into tensor<2x2x16xf32>
  %e3 = tensor.empty() : tensor<2x2x16xf32>
  %y = linalg.generic {indexing_maps = [#id3, #s3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%r, %bias : tensor<2x2x16xf32>, tensor<2xf32>) outs(%e3 : tensor<2x2x16xf32>) {
  ^bb0(%m: f32, %b: f32, %o: f32):
    %s = arith.addf %m, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x2x16xf32>
  return %y : tensor<2x2x16xf32>
}

// -----

// Not folded: the reshape [4, 16] -> [2, 32] changes the innermost axis, so
// a bias over it does not broadcast over the matmul's columns.
// CHECK-LABEL: func.func @bias_behind_inner_reshape
// CHECK: %[[F:.+]] = linalg.fill
// CHECK: linalg.matmul {{.*}} outs(%[[F]] : tensor<4x16xf32>)
// CHECK: linalg.generic
// CHECK: arith.addf
#id = affine_map<(r, c) -> (r, c)>
#c = affine_map<(r, c) -> (c)>
func.func @bias_behind_inner_reshape(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %bias: tensor<32xf32>, %shape: tensor<2xi64>) -> tensor<2x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %r = tensor.reshape %mm(%shape) : (tensor<4x16xf32>, tensor<2xi64>) -> tensor<2x32xf32>
  %e2 = tensor.empty() : tensor<2x32xf32>
  %y = linalg.generic {indexing_maps = [#id, #c, #id], iterator_types = ["parallel", "parallel"]} ins(%r, %bias : tensor<2x32xf32>, tensor<32xf32>) outs(%e2 : tensor<2x32xf32>) {
  ^bb0(%m: f32, %b: f32, %o: f32):
    %s = arith.addf %m, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}
