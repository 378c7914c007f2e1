// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-raise-attention))' | FileCheck %s

// Scale after Q K^T, an additive mask broadcast over heads, and the
// exporter's where(isnan(p), 0, p): K^T given as a tensor is transposed back.
// CHECK-LABEL: func.func @scale_after_qk
// CHECK-SAME: %[[Q:[^:]+]]: tensor<1x4x8x16xf32>, %[[KT:[^:]+]]: tensor<1x4x16x8xf32>, %[[V:[^:]+]]: tensor<1x4x8x16xf32>, %[[M:[^:]+]]: tensor<1x1x8x8xf32>
// CHECK: %[[K:.+]] = linalg.transpose ins(%[[KT]] : tensor<1x4x16x8xf32>) outs(%{{.+}} : tensor<1x4x8x16xf32>) permutation = [0, 1, 3, 2]
// CHECK: %[[O:.+]] = loom_attn.attention %[[Q]], %[[K]], %[[V]] mask(%[[M]] : tensor<1x1x8x8xf32>) scale(2.500000e-01) : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[O]]
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#last = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#cols = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
#scal = affine_map<(d0, d1, d2, d3) -> ()>
#bmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#tmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d3, d2)>
#lhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#rhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#rhsT = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>
#out = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
#rep = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>
#id5 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
#qrows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#qlast = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
func.func @scale_after_qk(%q: tensor<1x4x8x16xf32>, %kt: tensor<1x4x16x8xf32>, %v: tensor<1x4x8x16xf32>, %mask: tensor<1x1x8x8xf32>) -> tensor<1x4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %czero = arith.constant dense<0.000000e+00> : tensor<f32>
  %e4 = tensor.empty() : tensor<1x4x8xf32>
  %e44 = tensor.empty() : tensor<1x4x8x8xf32>
  %e416 = tensor.empty() : tensor<1x4x8x16xf32>
  %cst = arith.constant dense<2.500000e-01> : tensor<f32>
  %qk_i = linalg.fill ins(%zero : f32) outs(%e44 : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %qk = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %kt : tensor<1x4x8x16xf32>, tensor<1x4x16x8xf32>) outs(%qk_i : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x8xf32>
  %qks = linalg.generic {indexing_maps = [#id4, #scal, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qk, %cst : tensor<1x4x8x8xf32>, tensor<f32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.mulf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %z = linalg.generic {indexing_maps = [#id4, #bmask, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qks, %mask : tensor<1x4x8x8xf32>, tensor<1x1x8x8xf32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %p_mi = linalg.fill ins(%ninf : f32) outs(%e4 : tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %p_m = linalg.generic {indexing_maps = [#id4, #rows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%z : tensor<1x4x8x8xf32>) outs(%p_mi : tensor<1x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8xf32>
  %p_me = tensor.expand_shape %p_m [[0], [1], [2, 3]] output_shape [1, 4, 8, 1] : tensor<1x4x8xf32> into tensor<1x4x8x1xf32>
  %p_a = linalg.generic {indexing_maps = [#id4, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%z, %p_me : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %p_si = linalg.fill ins(%zero : f32) outs(%e4 : tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %p_s = linalg.generic {indexing_maps = [#id4, #rows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%p_a : tensor<1x4x8x8xf32>) outs(%p_si : tensor<1x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %e = math.exp %a : f32
    %r = arith.addf %o, %e : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8xf32>
  %p_se = tensor.expand_shape %p_s [[0], [1], [2, 3]] output_shape [1, 4, 8, 1] : tensor<1x4x8xf32> into tensor<1x4x8x1xf32>
  %p = linalg.generic {indexing_maps = [#id4, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%p_a, %p_se : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %e = math.exp %a : f32
    %r = arith.divf %e, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %pg_e = tensor.empty() : tensor<1x4x8x8xi1>
  %pg_n = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%p : tensor<1x4x8x8xf32>) outs(%pg_e : tensor<1x4x8x8xi1>) {
  ^bb0(%a: f32, %o: i1):
    %r = arith.cmpf uno, %a, %a : f32
    linalg.yield %r : i1
  } -> tensor<1x4x8x8xi1>
  %pg = linalg.generic {indexing_maps = [#id4, #scal, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%pg_n, %czero, %p : tensor<1x4x8x8xi1>, tensor<f32>, tensor<1x4x8x8xf32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: i1, %b: f32, %c: f32, %o: f32):
    %r = arith.select %a, %b, %c : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %o_i = linalg.fill ins(%zero : f32) outs(%e416 : tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  %o = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%pg, %v : tensor<1x4x8x8xf32>, tensor<1x4x8x16xf32>) outs(%o_i : tensor<1x4x8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}

// -----

// GQA: K and V repeated from 2 to 4 heads (expand, broadcast, collapse)
// are read once per KV head; 0.5 on Q and 0.5 on K give scale 0.25; K is
// read transposed through the contraction's map.
// CHECK-LABEL: func.func @gqa_scale_on_q_and_k
// CHECK-SAME: %[[Q:[^:]+]]: tensor<1x4x8x16xf32>, %[[K:[^:]+]]: tensor<1x2x8x16xf32>, %[[V:[^:]+]]: tensor<1x2x8x16xf32>
// CHECK-NOT: linalg.generic
// CHECK: %[[O:.+]] = loom_attn.attention %[[Q]], %[[K]], %[[V]] scale(2.500000e-01) : tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32> -> tensor<1x4x8x16xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[O]]
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#last = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#cols = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
#scal = affine_map<(d0, d1, d2, d3) -> ()>
#bmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#tmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d3, d2)>
#lhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#rhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#rhsT = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>
#out = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
#rep = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>
#id5 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
#qrows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#qlast = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
func.func @gqa_scale_on_q_and_k(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %czero = arith.constant dense<0.000000e+00> : tensor<f32>
  %e4 = tensor.empty() : tensor<1x4x8xf32>
  %e44 = tensor.empty() : tensor<1x4x8x8xf32>
  %e416 = tensor.empty() : tensor<1x4x8x16xf32>
  %cst = arith.constant dense<5.000000e-01> : tensor<f32>
  %kr_x = tensor.expand_shape %k [[0], [1, 2], [3], [4]] output_shape [1, 2, 1, 8, 16] : tensor<1x2x8x16xf32> into tensor<1x2x1x8x16xf32>
  %kr_e = tensor.empty() : tensor<1x2x2x8x16xf32>
  %kr_b = linalg.generic {indexing_maps = [#rep, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%kr_x : tensor<1x2x1x8x16xf32>) outs(%kr_e : tensor<1x2x2x8x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<1x2x2x8x16xf32>
  %kr = tensor.collapse_shape %kr_b [[0], [1, 2], [3], [4]] : tensor<1x2x2x8x16xf32> into tensor<1x4x8x16xf32>
  %vr_x = tensor.expand_shape %v [[0], [1, 2], [3], [4]] output_shape [1, 2, 1, 8, 16] : tensor<1x2x8x16xf32> into tensor<1x2x1x8x16xf32>
  %vr_e = tensor.empty() : tensor<1x2x2x8x16xf32>
  %vr_b = linalg.generic {indexing_maps = [#rep, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%vr_x : tensor<1x2x1x8x16xf32>) outs(%vr_e : tensor<1x2x2x8x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<1x2x2x8x16xf32>
  %vr = tensor.collapse_shape %vr_b [[0], [1, 2], [3], [4]] : tensor<1x2x2x8x16xf32> into tensor<1x4x8x16xf32>
  %qs = linalg.generic {indexing_maps = [#id4, #scal, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%q, %cst : tensor<1x4x8x16xf32>, tensor<f32>) outs(%e416 : tensor<1x4x8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.mulf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x16xf32>
  %ks = linalg.generic {indexing_maps = [#id4, #scal, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%kr, %cst : tensor<1x4x8x16xf32>, tensor<f32>) outs(%e416 : tensor<1x4x8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.mulf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x16xf32>
  %qk_i = linalg.fill ins(%zero : f32) outs(%e44 : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %qk = linalg.generic {indexing_maps = [#lhs, #rhsT, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%qs, %ks : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) outs(%qk_i : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x8xf32>
  %p_mi = linalg.fill ins(%ninf : f32) outs(%e4 : tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %p_m = linalg.generic {indexing_maps = [#id4, #rows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%qk : tensor<1x4x8x8xf32>) outs(%p_mi : tensor<1x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8xf32>
  %p_me = tensor.expand_shape %p_m [[0], [1], [2, 3]] output_shape [1, 4, 8, 1] : tensor<1x4x8xf32> into tensor<1x4x8x1xf32>
  %p_a = linalg.generic {indexing_maps = [#id4, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qk, %p_me : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %p_si = linalg.fill ins(%zero : f32) outs(%e4 : tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %p_s = linalg.generic {indexing_maps = [#id4, #rows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%p_a : tensor<1x4x8x8xf32>) outs(%p_si : tensor<1x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %e = math.exp %a : f32
    %r = arith.addf %o, %e : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8xf32>
  %p_se = tensor.expand_shape %p_s [[0], [1], [2, 3]] output_shape [1, 4, 8, 1] : tensor<1x4x8xf32> into tensor<1x4x8x1xf32>
  %p = linalg.generic {indexing_maps = [#id4, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%p_a, %p_se : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %e = math.exp %a : f32
    %r = arith.divf %e, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %o_i = linalg.fill ins(%zero : f32) outs(%e416 : tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  %o = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%p, %vr : tensor<1x4x8x8xf32>, tensor<1x4x8x16xf32>) outs(%o_i : tensor<1x4x8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}

// -----

// A mask that is 0 where j <= i and -inf elsewhere, with Sq == Skv, is the
// causal attribute; a division of the scores by 4 is scale 0.25.
// CHECK-LABEL: func.func @causal
// CHECK-SAME: %[[Q:[^:]+]]: tensor<1x4x8x16xf32>, %[[KT:[^:]+]]: tensor<1x4x16x8xf32>, %[[V:[^:]+]]: tensor<1x4x8x16xf32>
// CHECK: %[[K:.+]] = linalg.transpose ins(%[[KT]]
// CHECK: %[[O:.+]] = loom_attn.attention %[[Q]], %[[K]], %[[V]] scale(2.500000e-01) causal : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
// CHECK: return %[[O]]
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#last = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#cols = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
#scal = affine_map<(d0, d1, d2, d3) -> ()>
#bmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#tmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d3, d2)>
#lhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#rhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#rhsT = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>
#out = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
#rep = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>
#id5 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
#qrows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#qlast = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
func.func @causal(%q: tensor<1x4x8x16xf32>, %kt: tensor<1x4x16x8xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %czero = arith.constant dense<0.000000e+00> : tensor<f32>
  %e4 = tensor.empty() : tensor<1x4x8xf32>
  %e44 = tensor.empty() : tensor<1x4x8x8xf32>
  %e416 = tensor.empty() : tensor<1x4x8x16xf32>
  %cst = arith.constant dense<4.000000e+00> : tensor<f32>
  %ce = tensor.empty() : tensor<1x1x8x8xf32>
  %cm = linalg.generic {indexing_maps = [#id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%ce : tensor<1x1x8x8xf32>) {
  ^bb0(%o: f32):
    %i = linalg.index 2 : index
    %j = linalg.index 3 : index
    %ok = arith.cmpi ule, %j, %i : index
    %r = arith.select %ok, %zero, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<1x1x8x8xf32>
  %qk_i = linalg.fill ins(%zero : f32) outs(%e44 : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %qk = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %kt : tensor<1x4x8x16xf32>, tensor<1x4x16x8xf32>) outs(%qk_i : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x8xf32>
  %qks = linalg.generic {indexing_maps = [#id4, #scal, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qk, %cst : tensor<1x4x8x8xf32>, tensor<f32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %z = linalg.generic {indexing_maps = [#id4, #bmask, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qks, %cm : tensor<1x4x8x8xf32>, tensor<1x1x8x8xf32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %p_mi = linalg.fill ins(%ninf : f32) outs(%e4 : tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %p_m = linalg.generic {indexing_maps = [#id4, #rows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%z : tensor<1x4x8x8xf32>) outs(%p_mi : tensor<1x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8xf32>
  %p_me = tensor.expand_shape %p_m [[0], [1], [2, 3]] output_shape [1, 4, 8, 1] : tensor<1x4x8xf32> into tensor<1x4x8x1xf32>
  %p_a = linalg.generic {indexing_maps = [#id4, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%z, %p_me : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %p_si = linalg.fill ins(%zero : f32) outs(%e4 : tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %p_s = linalg.generic {indexing_maps = [#id4, #rows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%p_a : tensor<1x4x8x8xf32>) outs(%p_si : tensor<1x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %e = math.exp %a : f32
    %r = arith.addf %o, %e : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8xf32>
  %p_se = tensor.expand_shape %p_s [[0], [1], [2, 3]] output_shape [1, 4, 8, 1] : tensor<1x4x8xf32> into tensor<1x4x8x1xf32>
  %p = linalg.generic {indexing_maps = [#id4, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%p_a, %p_se : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %e = math.exp %a : f32
    %r = arith.divf %e, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %o_i = linalg.fill ins(%zero : f32) outs(%e416 : tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  %o = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%p, %v : tensor<1x4x8x8xf32>, tensor<1x4x8x16xf32>) outs(%o_i : tensor<1x4x8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}

// -----

// j < i is not causal (the diagonal is dropped): the mask stays an operand;
// no scale in the graph is scale 1.
// CHECK-LABEL: func.func @strict_lower_mask
// CHECK: %[[CM:.+]] = linalg.generic
// CHECK: arith.cmpi ult
// CHECK: loom_attn.attention %{{.+}}, %{{.+}}, %{{.+}} mask(%[[CM]] : tensor<1x1x8x8xf32>) scale(1.000000e+00) :
// CHECK-NOT: causal
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#last = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#cols = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
#scal = affine_map<(d0, d1, d2, d3) -> ()>
#bmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#tmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d3, d2)>
#lhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#rhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#rhsT = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>
#out = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
#rep = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>
#id5 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
#qrows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#qlast = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
func.func @strict_lower_mask(%q: tensor<1x4x8x16xf32>, %kt: tensor<1x4x16x8xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %czero = arith.constant dense<0.000000e+00> : tensor<f32>
  %e4 = tensor.empty() : tensor<1x4x8xf32>
  %e44 = tensor.empty() : tensor<1x4x8x8xf32>
  %e416 = tensor.empty() : tensor<1x4x8x16xf32>
  %ce = tensor.empty() : tensor<1x1x8x8xf32>
  %cm = linalg.generic {indexing_maps = [#id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%ce : tensor<1x1x8x8xf32>) {
  ^bb0(%o: f32):
    %i = linalg.index 2 : index
    %j = linalg.index 3 : index
    %ok = arith.cmpi ult, %j, %i : index
    %r = arith.select %ok, %zero, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<1x1x8x8xf32>
  %qk_i = linalg.fill ins(%zero : f32) outs(%e44 : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %qk = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %kt : tensor<1x4x8x16xf32>, tensor<1x4x16x8xf32>) outs(%qk_i : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x8xf32>
  %z = linalg.generic {indexing_maps = [#id4, #bmask, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qk, %cm : tensor<1x4x8x8xf32>, tensor<1x1x8x8xf32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %p_mi = linalg.fill ins(%ninf : f32) outs(%e4 : tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %p_m = linalg.generic {indexing_maps = [#id4, #rows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%z : tensor<1x4x8x8xf32>) outs(%p_mi : tensor<1x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8xf32>
  %p_me = tensor.expand_shape %p_m [[0], [1], [2, 3]] output_shape [1, 4, 8, 1] : tensor<1x4x8xf32> into tensor<1x4x8x1xf32>
  %p_a = linalg.generic {indexing_maps = [#id4, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%z, %p_me : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %p_si = linalg.fill ins(%zero : f32) outs(%e4 : tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %p_s = linalg.generic {indexing_maps = [#id4, #rows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%p_a : tensor<1x4x8x8xf32>) outs(%p_si : tensor<1x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %e = math.exp %a : f32
    %r = arith.addf %o, %e : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8xf32>
  %p_se = tensor.expand_shape %p_s [[0], [1], [2, 3]] output_shape [1, 4, 8, 1] : tensor<1x4x8xf32> into tensor<1x4x8x1xf32>
  %p = linalg.generic {indexing_maps = [#id4, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%p_a, %p_se : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %e = math.exp %a : f32
    %r = arith.divf %e, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %o_i = linalg.fill ins(%zero : f32) outs(%e416 : tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  %o = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%p, %v : tensor<1x4x8x8xf32>, tensor<1x4x8x16xf32>) outs(%o_i : tensor<1x4x8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}

// -----

// Not raised: the softmax normalises over the query axis.
// CHECK-LABEL: func.func @softmax_wrong_axis
// CHECK-NOT: loom_attn
// CHECK: math.exp
// CHECK-NOT: loom_attn
// CHECK: return
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#last = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#cols = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
#scal = affine_map<(d0, d1, d2, d3) -> ()>
#bmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#tmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d3, d2)>
#lhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#rhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#rhsT = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>
#out = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
#rep = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>
#id5 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
#qrows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#qlast = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
func.func @softmax_wrong_axis(%q: tensor<1x4x8x16xf32>, %kt: tensor<1x4x16x8xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %czero = arith.constant dense<0.000000e+00> : tensor<f32>
  %e4 = tensor.empty() : tensor<1x4x8xf32>
  %e44 = tensor.empty() : tensor<1x4x8x8xf32>
  %e416 = tensor.empty() : tensor<1x4x8x16xf32>
  %qk_i = linalg.fill ins(%zero : f32) outs(%e44 : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %qk = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %kt : tensor<1x4x8x16xf32>, tensor<1x4x16x8xf32>) outs(%qk_i : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x8xf32>
  %p_mi = linalg.fill ins(%ninf : f32) outs(%e4 : tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %p_m = linalg.generic {indexing_maps = [#id4, #qrows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%qk : tensor<1x4x8x8xf32>) outs(%p_mi : tensor<1x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8xf32>
  %p_me = tensor.expand_shape %p_m [[0], [1], [2, 3]] output_shape [1, 4, 1, 8] : tensor<1x4x8xf32> into tensor<1x4x1x8xf32>
  %p_a = linalg.generic {indexing_maps = [#id4, #qlast, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qk, %p_me : tensor<1x4x8x8xf32>, tensor<1x4x1x8xf32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %p_si = linalg.fill ins(%zero : f32) outs(%e4 : tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %p_s = linalg.generic {indexing_maps = [#id4, #qrows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%p_a : tensor<1x4x8x8xf32>) outs(%p_si : tensor<1x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %e = math.exp %a : f32
    %r = arith.addf %o, %e : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8xf32>
  %p_se = tensor.expand_shape %p_s [[0], [1], [2, 3]] output_shape [1, 4, 1, 8] : tensor<1x4x8xf32> into tensor<1x4x1x8xf32>
  %p = linalg.generic {indexing_maps = [#id4, #qlast, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%p_a, %p_se : tensor<1x4x8x8xf32>, tensor<1x4x1x8xf32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %e = math.exp %a : f32
    %r = arith.divf %e, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %o_i = linalg.fill ins(%zero : f32) outs(%e416 : tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  %o = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%p, %v : tensor<1x4x8x8xf32>, tensor<1x4x8x16xf32>) outs(%o_i : tensor<1x4x8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}

// -----

// Not raised: the mask is read transposed, so it is not a broadcast of the
// scores' [.., i, j].
// CHECK-LABEL: func.func @mask_transposed
// CHECK-NOT: loom_attn
// CHECK: math.exp
// CHECK-NOT: loom_attn
// CHECK: return
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#last = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#cols = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
#scal = affine_map<(d0, d1, d2, d3) -> ()>
#bmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#tmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d3, d2)>
#lhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#rhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#rhsT = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>
#out = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
#rep = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>
#id5 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
#qrows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#qlast = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
func.func @mask_transposed(%q: tensor<1x4x8x16xf32>, %kt: tensor<1x4x16x8xf32>, %v: tensor<1x4x8x16xf32>, %mask: tensor<1x1x8x8xf32>) -> tensor<1x4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %czero = arith.constant dense<0.000000e+00> : tensor<f32>
  %e4 = tensor.empty() : tensor<1x4x8xf32>
  %e44 = tensor.empty() : tensor<1x4x8x8xf32>
  %e416 = tensor.empty() : tensor<1x4x8x16xf32>
  %qk_i = linalg.fill ins(%zero : f32) outs(%e44 : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %qk = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %kt : tensor<1x4x8x16xf32>, tensor<1x4x16x8xf32>) outs(%qk_i : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x8xf32>
  %z = linalg.generic {indexing_maps = [#id4, #tmask, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qk, %mask : tensor<1x4x8x8xf32>, tensor<1x1x8x8xf32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %p_mi = linalg.fill ins(%ninf : f32) outs(%e4 : tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %p_m = linalg.generic {indexing_maps = [#id4, #rows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%z : tensor<1x4x8x8xf32>) outs(%p_mi : tensor<1x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8xf32>
  %p_me = tensor.expand_shape %p_m [[0], [1], [2, 3]] output_shape [1, 4, 8, 1] : tensor<1x4x8xf32> into tensor<1x4x8x1xf32>
  %p_a = linalg.generic {indexing_maps = [#id4, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%z, %p_me : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %p_si = linalg.fill ins(%zero : f32) outs(%e4 : tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %p_s = linalg.generic {indexing_maps = [#id4, #rows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%p_a : tensor<1x4x8x8xf32>) outs(%p_si : tensor<1x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %e = math.exp %a : f32
    %r = arith.addf %o, %e : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8xf32>
  %p_se = tensor.expand_shape %p_s [[0], [1], [2, 3]] output_shape [1, 4, 8, 1] : tensor<1x4x8xf32> into tensor<1x4x8x1xf32>
  %p = linalg.generic {indexing_maps = [#id4, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%p_a, %p_se : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %e = math.exp %a : f32
    %r = arith.divf %e, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %o_i = linalg.fill ins(%zero : f32) outs(%e416 : tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  %o = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%p, %v : tensor<1x4x8x8xf32>, tensor<1x4x8x16xf32>) outs(%o_i : tensor<1x4x8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}

// -----

// Not raised: the scores are multiplied by a runtime value.
// CHECK-LABEL: func.func @scale_not_constant
// CHECK-NOT: loom_attn
// CHECK: math.exp
// CHECK-NOT: loom_attn
// CHECK: return
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#last = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#cols = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
#scal = affine_map<(d0, d1, d2, d3) -> ()>
#bmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#tmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d3, d2)>
#lhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#rhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#rhsT = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>
#out = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
#rep = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, 0, d3, d4)>
#id5 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
#qrows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#qlast = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
func.func @scale_not_constant(%q: tensor<1x4x8x16xf32>, %kt: tensor<1x4x16x8xf32>, %v: tensor<1x4x8x16xf32>, %cst: tensor<f32>) -> tensor<1x4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %czero = arith.constant dense<0.000000e+00> : tensor<f32>
  %e4 = tensor.empty() : tensor<1x4x8xf32>
  %e44 = tensor.empty() : tensor<1x4x8x8xf32>
  %e416 = tensor.empty() : tensor<1x4x8x16xf32>
  %qk_i = linalg.fill ins(%zero : f32) outs(%e44 : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %qk = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %kt : tensor<1x4x8x16xf32>, tensor<1x4x16x8xf32>) outs(%qk_i : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x8xf32>
  %qks = linalg.generic {indexing_maps = [#id4, #scal, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qk, %cst : tensor<1x4x8x8xf32>, tensor<f32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.mulf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %p_mi = linalg.fill ins(%ninf : f32) outs(%e4 : tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %p_m = linalg.generic {indexing_maps = [#id4, #rows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%qks : tensor<1x4x8x8xf32>) outs(%p_mi : tensor<1x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8xf32>
  %p_me = tensor.expand_shape %p_m [[0], [1], [2, 3]] output_shape [1, 4, 8, 1] : tensor<1x4x8xf32> into tensor<1x4x8x1xf32>
  %p_a = linalg.generic {indexing_maps = [#id4, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qks, %p_me : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %p_si = linalg.fill ins(%zero : f32) outs(%e4 : tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %p_s = linalg.generic {indexing_maps = [#id4, #rows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%p_a : tensor<1x4x8x8xf32>) outs(%p_si : tensor<1x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %e = math.exp %a : f32
    %r = arith.addf %o, %e : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8xf32>
  %p_se = tensor.expand_shape %p_s [[0], [1], [2, 3]] output_shape [1, 4, 8, 1] : tensor<1x4x8xf32> into tensor<1x4x8x1xf32>
  %p = linalg.generic {indexing_maps = [#id4, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%p_a, %p_se : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %e = math.exp %a : f32
    %r = arith.divf %e, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %o_i = linalg.fill ins(%zero : f32) outs(%e416 : tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  %o = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%p, %v : tensor<1x4x8x8xf32>, tensor<1x4x8x16xf32>) outs(%o_i : tensor<1x4x8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}

// -----

// RoPE as Llama exports it: x * cos + rotate_half(x) * sin, with cos / sin
// computed from concat(freqs, freqs) (equal halves): loom_attn.rope over
// positions 0..S-1 and the first half of each table.
// CHECK-LABEL: func.func @rope
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x2x8x16xf32>, %[[T:[^:]+]]: tensor<1x8x8xf32>
// CHECK: %[[COS:.+]] = linalg.generic {{.*}} ins(%{{.+}} : tensor<1x8x16xf32>)
// CHECK: math.cos
// CHECK: %[[SIN:.+]] = linalg.generic {{.*}} ins(%{{.+}} : tensor<1x8x16xf32>)
// CHECK: math.sin
// CHECK-DAG: %[[CH:.+]] = tensor.extract_slice %[[COS]][0, 0, 0] [1, 8, 8] [1, 1, 1] : tensor<1x8x16xf32> to tensor<8x8xf32>
// CHECK-DAG: %[[SH:.+]] = tensor.extract_slice %[[SIN]][0, 0, 0] [1, 8, 8] [1, 1, 1] : tensor<1x8x16xf32> to tensor<8x8xf32>
// CHECK: %[[POS:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<1x8xi64>)
// CHECK: linalg.index 1
// CHECK: %[[R:.+]] = loom_attn.rope %[[X]], %[[POS]], %[[CH]], %[[SH]] : tensor<1x2x8x16xf32>, tensor<1x8xi64>, tensor<8x8xf32>, tensor<8x8xf32>
// CHECK-NOT: tensor.concat
// CHECK: return %[[R]]
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#hb = affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>
func.func @rope(%x: tensor<1x2x8x16xf32>, %t: tensor<1x8x8xf32>) -> tensor<1x2x8x16xf32> {
  %cat = tensor.concat dim(2) %t, %t : (tensor<1x8x8xf32>, tensor<1x8x8xf32>) -> tensor<1x8x16xf32>
  %e3 = tensor.empty() : tensor<1x8x16xf32>
  %cos = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%cat : tensor<1x8x16xf32>) outs(%e3 : tensor<1x8x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.cos %a : f32
    linalg.yield %r : f32
  } -> tensor<1x8x16xf32>
  %sin = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%cat : tensor<1x8x16xf32>) outs(%e3 : tensor<1x8x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.sin %a : f32
    linalg.yield %r : f32
  } -> tensor<1x8x16xf32>
  %ce = tensor.expand_shape %cos [[0, 1], [2], [3]] output_shape [1, 1, 8, 16] : tensor<1x8x16xf32> into tensor<1x1x8x16xf32>
  %se = tensor.expand_shape %sin [[0, 1], [2], [3]] output_shape [1, 1, 8, 16] : tensor<1x8x16xf32> into tensor<1x1x8x16xf32>
  %e4 = tensor.empty() : tensor<1x2x8x16xf32>
  %xc = linalg.generic {indexing_maps = [#id4, #hb, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %ce : tensor<1x2x8x16xf32>, tensor<1x1x8x16xf32>) outs(%e4 : tensor<1x2x8x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %r = arith.mulf %p, %q : f32
    linalg.yield %r : f32
  } -> tensor<1x2x8x16xf32>
  %lo = tensor.extract_slice %x[0, 0, 0, 0] [1, 2, 8, 8] [1, 1, 1, 1] : tensor<1x2x8x16xf32> to tensor<1x2x8x8xf32>
  %hi = tensor.extract_slice %x[0, 0, 0, 8] [1, 2, 8, 8] [1, 1, 1, 1] : tensor<1x2x8x16xf32> to tensor<1x2x8x8xf32>
  %e8 = tensor.empty() : tensor<1x2x8x8xf32>
  %nh = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%hi : tensor<1x2x8x8xf32>) outs(%e8 : tensor<1x2x8x8xf32>) {
  ^bb0(%p: f32, %o: f32):
    %r = arith.negf %p : f32
    linalg.yield %r : f32
  } -> tensor<1x2x8x8xf32>
  %rot = tensor.concat dim(3) %nh, %lo : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x16xf32>
  %rs = linalg.generic {indexing_maps = [#id4, #hb, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%rot, %se : tensor<1x2x8x16xf32>, tensor<1x1x8x16xf32>) outs(%e4 : tensor<1x2x8x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %r = arith.mulf %p, %q : f32
    linalg.yield %r : f32
  } -> tensor<1x2x8x16xf32>
  %y = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%xc, %rs : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) outs(%e4 : tensor<1x2x8x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %r = arith.addf %p, %q : f32
    linalg.yield %r : f32
  } -> tensor<1x2x8x16xf32>
  return %y : tensor<1x2x8x16xf32>
}

// -----

// Not raised: nothing shows that the tables' halves are equal (they are
// arguments), so the second half of the channels may use other angles.
// CHECK-LABEL: func.func @rope_unknown_tables
// CHECK-NOT: loom_attn.rope
// CHECK: tensor.concat
// CHECK-NOT: loom_attn.rope
// CHECK: return
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#hb = affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>
func.func @rope_unknown_tables(%x: tensor<1x2x8x16xf32>, %cos: tensor<1x8x16xf32>, %sin: tensor<1x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %ce = tensor.expand_shape %cos [[0, 1], [2], [3]] output_shape [1, 1, 8, 16] : tensor<1x8x16xf32> into tensor<1x1x8x16xf32>
  %se = tensor.expand_shape %sin [[0, 1], [2], [3]] output_shape [1, 1, 8, 16] : tensor<1x8x16xf32> into tensor<1x1x8x16xf32>
  %e4 = tensor.empty() : tensor<1x2x8x16xf32>
  %xc = linalg.generic {indexing_maps = [#id4, #hb, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %ce : tensor<1x2x8x16xf32>, tensor<1x1x8x16xf32>) outs(%e4 : tensor<1x2x8x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %r = arith.mulf %p, %q : f32
    linalg.yield %r : f32
  } -> tensor<1x2x8x16xf32>
  %lo = tensor.extract_slice %x[0, 0, 0, 0] [1, 2, 8, 8] [1, 1, 1, 1] : tensor<1x2x8x16xf32> to tensor<1x2x8x8xf32>
  %hi = tensor.extract_slice %x[0, 0, 0, 8] [1, 2, 8, 8] [1, 1, 1, 1] : tensor<1x2x8x16xf32> to tensor<1x2x8x8xf32>
  %e8 = tensor.empty() : tensor<1x2x8x8xf32>
  %nh = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%hi : tensor<1x2x8x8xf32>) outs(%e8 : tensor<1x2x8x8xf32>) {
  ^bb0(%p: f32, %o: f32):
    %r = arith.negf %p : f32
    linalg.yield %r : f32
  } -> tensor<1x2x8x8xf32>
  %rot = tensor.concat dim(3) %nh, %lo : (tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x2x8x16xf32>
  %rs = linalg.generic {indexing_maps = [#id4, #hb, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%rot, %se : tensor<1x2x8x16xf32>, tensor<1x1x8x16xf32>) outs(%e4 : tensor<1x2x8x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %r = arith.mulf %p, %q : f32
    linalg.yield %r : f32
  } -> tensor<1x2x8x16xf32>
  %y = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%xc, %rs : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) outs(%e4 : tensor<1x2x8x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %r = arith.addf %p, %q : f32
    linalg.yield %r : f32
  } -> tensor<1x2x8x16xf32>
  return %y : tensor<1x2x8x16xf32>
}
