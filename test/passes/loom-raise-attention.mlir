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

// -----

// The mask as transformers exports it (Range, LessOrEqual, And with a
// padding / packing term, Where(cond, 0, -inf)): the band j <= i over one
// Range of length Sq = Skv is `causal`; the other term stays, as an i1 mask.
// CHECK-LABEL: func.func @range_causal_and_rest
// CHECK-SAME: %[[Q:[^:]+]]: tensor<1x4x?x16xf32>, %[[KT:[^:]+]]: tensor<1x4x16x?xf32>, %[[V:[^:]+]]: tensor<1x4x?x16xf32>, %[[KEEP:[^:]+]]: tensor<1x1x?x?xi1>
// CHECK: %[[O:.+]] = loom_attn.attention %[[Q]], %{{.+}}, %[[V]] mask(%[[KEEP]] : tensor<1x1x?x?xi1>) scale(2.500000e-01) causal : tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32> -> tensor<1x4x?x16xf32>
// CHECK: return %[[O]]
#id1 = affine_map<(d0) -> (d0)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#last = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#qlast = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
#scal = affine_map<(d0, d1, d2, d3) -> ()>
#bmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#lhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#rhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#out = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
func.func @range_causal_and_rest(%q: tensor<1x4x?x16xf32>, %kt: tensor<1x4x16x?xf32>, %v: tensor<1x4x?x16xf32>, %keep: tensor<1x1x?x?xi1>) -> tensor<1x4x?x16xf32> {
  %c2 = arith.constant 2 : index
  %n = tensor.dim %q, %c2 : tensor<1x4x?x16xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e4 = tensor.empty(%n) : tensor<1x4x?xf32>
  %e44 = tensor.empty(%n, %n) : tensor<1x4x?x?xf32>
  %e416 = tensor.empty(%n) : tensor<1x4x?x16xf32>
  %cst = arith.constant dense<4.000000e+00> : tensor<f32>
  %iota_e = tensor.empty(%n) : tensor<?xi64>
  %iota = linalg.generic {indexing_maps = [#id1], iterator_types = ["parallel"]} outs(%iota_e : tensor<?xi64>) {
  ^bb0(%o: i64):
  %i = linalg.index 0 : index
  %c = arith.index_cast %i : index to i64
  linalg.yield %c : i64
  } -> tensor<?xi64>
  %rowv = tensor.expand_shape %iota [[0, 1, 2, 3]] output_shape [1, 1, %n, 1] : tensor<?xi64> into tensor<1x1x?x1xi64>
  %colv = tensor.expand_shape %iota [[0, 1, 2, 3]] output_shape [1, 1, 1, %n] : tensor<?xi64> into tensor<1x1x1x?xi64>
  %be = tensor.empty(%n, %n) : tensor<1x1x?x?xi1>
  %le = linalg.generic {indexing_maps = [#qlast, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%colv, %rowv : tensor<1x1x1x?xi64>, tensor<1x1x?x1xi64>) outs(%be : tensor<1x1x?x?xi1>) {
  ^bb0(%kv: i64, %qi: i64, %o: i1):
  %r = arith.cmpi sle, %kv, %qi : i64
  linalg.yield %r : i1
  } -> tensor<1x1x?x?xi1>
  %both = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%le, %keep : tensor<1x1x?x?xi1>, tensor<1x1x?x?xi1>) outs(%be : tensor<1x1x?x?xi1>) {
  ^bb0(%x: i1, %y: i1, %o: i1):
  %r = arith.andi %x, %y : i1
  linalg.yield %r : i1
  } -> tensor<1x1x?x?xi1>
  %czero = arith.constant dense<0.000000e+00> : tensor<f32>
  %cdrop = arith.constant dense<0xFF800000> : tensor<f32>
  %fe = tensor.empty(%n, %n) : tensor<1x1x?x?xf32>
  %mask = linalg.generic {indexing_maps = [#id4, #scal, #scal, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%both, %czero, %cdrop : tensor<1x1x?x?xi1>, tensor<f32>, tensor<f32>) outs(%fe : tensor<1x1x?x?xf32>) {
  ^bb0(%c: i1, %z: f32, %d: f32, %o: f32):
  %r = arith.select %c, %z, %d : f32
  linalg.yield %r : f32
  } -> tensor<1x1x?x?xf32>
  %qk_i = linalg.fill ins(%zero : f32) outs(%e44 : tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xf32>
  %qk = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %kt : tensor<1x4x?x16xf32>, tensor<1x4x16x?xf32>) outs(%qk_i : tensor<1x4x?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x?x?xf32>
  %qks = linalg.generic {indexing_maps = [#id4, #scal, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qk, %cst : tensor<1x4x?x?xf32>, tensor<f32>) outs(%e44 : tensor<1x4x?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x?x?xf32>
  %z = linalg.generic {indexing_maps = [#id4, #bmask, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qks, %mask : tensor<1x4x?x?xf32>, tensor<1x1x?x?xf32>) outs(%e44 : tensor<1x4x?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x?x?xf32>
  %p_mi = linalg.fill ins(%ninf : f32) outs(%e4 : tensor<1x4x?xf32>) -> tensor<1x4x?xf32>
  %p_m = linalg.generic {indexing_maps = [#id4, #rows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%z : tensor<1x4x?x?xf32>) outs(%p_mi : tensor<1x4x?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x4x?xf32>
  %p_me = tensor.expand_shape %p_m [[0], [1], [2, 3]] output_shape [1, 4, %n, 1] : tensor<1x4x?xf32> into tensor<1x4x?x1xf32>
  %p_a = linalg.generic {indexing_maps = [#id4, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%z, %p_me : tensor<1x4x?x?xf32>, tensor<1x4x?x1xf32>) outs(%e44 : tensor<1x4x?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x?x?xf32>
  %p_si = linalg.fill ins(%zero : f32) outs(%e4 : tensor<1x4x?xf32>) -> tensor<1x4x?xf32>
  %p_s = linalg.generic {indexing_maps = [#id4, #rows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%p_a : tensor<1x4x?x?xf32>) outs(%p_si : tensor<1x4x?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %e = math.exp %a : f32
    %r = arith.addf %o, %e : f32
    linalg.yield %r : f32
  } -> tensor<1x4x?xf32>
  %p_se = tensor.expand_shape %p_s [[0], [1], [2, 3]] output_shape [1, 4, %n, 1] : tensor<1x4x?xf32> into tensor<1x4x?x1xf32>
  %p = linalg.generic {indexing_maps = [#id4, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%p_a, %p_se : tensor<1x4x?x?xf32>, tensor<1x4x?x1xf32>) outs(%e44 : tensor<1x4x?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %e = math.exp %a : f32
    %r = arith.divf %e, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x?x?xf32>
  %o_i = linalg.fill ins(%zero : f32) outs(%e416 : tensor<1x4x?x16xf32>) -> tensor<1x4x?x16xf32>
  %o = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%p, %v : tensor<1x4x?x?xf32>, tensor<1x4x?x16xf32>) outs(%o_i : tensor<1x4x?x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}

// -----

// The same with the lowest float instead of -inf: a row the padding term
// drops entirely would average the values in the graph but give zeros
// in the op, so the mask stays whole and no `causal` is set.
// CHECK-LABEL: func.func @range_causal_and_rest_lowest
// CHECK: %[[M:.+]] = linalg.generic {{.*}} ins(%{{.+}}, %{{.+}}, %{{.+}} : tensor<1x1x?x?xi1>, tensor<f32>, tensor<f32>) outs(%{{.+}} : tensor<1x1x?x?xf32>)
// CHECK: loom_attn.attention %{{.+}}, %{{.+}}, %{{.+}} mask(%[[M]] : tensor<1x1x?x?xf32>) scale(2.500000e-01) :
// CHECK-NOT: causal
// CHECK: return
#id1 = affine_map<(d0) -> (d0)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#last = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#qlast = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
#scal = affine_map<(d0, d1, d2, d3) -> ()>
#bmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#lhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#rhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#out = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
func.func @range_causal_and_rest_lowest(%q: tensor<1x4x?x16xf32>, %kt: tensor<1x4x16x?xf32>, %v: tensor<1x4x?x16xf32>, %keep: tensor<1x1x?x?xi1>) -> tensor<1x4x?x16xf32> {
  %c2 = arith.constant 2 : index
  %n = tensor.dim %q, %c2 : tensor<1x4x?x16xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e4 = tensor.empty(%n) : tensor<1x4x?xf32>
  %e44 = tensor.empty(%n, %n) : tensor<1x4x?x?xf32>
  %e416 = tensor.empty(%n) : tensor<1x4x?x16xf32>
  %cst = arith.constant dense<4.000000e+00> : tensor<f32>
  %iota_e = tensor.empty(%n) : tensor<?xi64>
  %iota = linalg.generic {indexing_maps = [#id1], iterator_types = ["parallel"]} outs(%iota_e : tensor<?xi64>) {
  ^bb0(%o: i64):
  %i = linalg.index 0 : index
  %c = arith.index_cast %i : index to i64
  linalg.yield %c : i64
  } -> tensor<?xi64>
  %rowv = tensor.expand_shape %iota [[0, 1, 2, 3]] output_shape [1, 1, %n, 1] : tensor<?xi64> into tensor<1x1x?x1xi64>
  %colv = tensor.expand_shape %iota [[0, 1, 2, 3]] output_shape [1, 1, 1, %n] : tensor<?xi64> into tensor<1x1x1x?xi64>
  %be = tensor.empty(%n, %n) : tensor<1x1x?x?xi1>
  %le = linalg.generic {indexing_maps = [#qlast, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%colv, %rowv : tensor<1x1x1x?xi64>, tensor<1x1x?x1xi64>) outs(%be : tensor<1x1x?x?xi1>) {
  ^bb0(%kv: i64, %qi: i64, %o: i1):
  %r = arith.cmpi sle, %kv, %qi : i64
  linalg.yield %r : i1
  } -> tensor<1x1x?x?xi1>
  %both = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%le, %keep : tensor<1x1x?x?xi1>, tensor<1x1x?x?xi1>) outs(%be : tensor<1x1x?x?xi1>) {
  ^bb0(%x: i1, %y: i1, %o: i1):
  %r = arith.andi %x, %y : i1
  linalg.yield %r : i1
  } -> tensor<1x1x?x?xi1>
  %czero = arith.constant dense<0.000000e+00> : tensor<f32>
  %cdrop = arith.constant dense<-3.40282347E+38> : tensor<f32>
  %fe = tensor.empty(%n, %n) : tensor<1x1x?x?xf32>
  %mask = linalg.generic {indexing_maps = [#id4, #scal, #scal, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%both, %czero, %cdrop : tensor<1x1x?x?xi1>, tensor<f32>, tensor<f32>) outs(%fe : tensor<1x1x?x?xf32>) {
  ^bb0(%c: i1, %z: f32, %d: f32, %o: f32):
  %r = arith.select %c, %z, %d : f32
  linalg.yield %r : f32
  } -> tensor<1x1x?x?xf32>
  %qk_i = linalg.fill ins(%zero : f32) outs(%e44 : tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xf32>
  %qk = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %kt : tensor<1x4x?x16xf32>, tensor<1x4x16x?xf32>) outs(%qk_i : tensor<1x4x?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x?x?xf32>
  %qks = linalg.generic {indexing_maps = [#id4, #scal, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qk, %cst : tensor<1x4x?x?xf32>, tensor<f32>) outs(%e44 : tensor<1x4x?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x?x?xf32>
  %z = linalg.generic {indexing_maps = [#id4, #bmask, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qks, %mask : tensor<1x4x?x?xf32>, tensor<1x1x?x?xf32>) outs(%e44 : tensor<1x4x?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x?x?xf32>
  %p_mi = linalg.fill ins(%ninf : f32) outs(%e4 : tensor<1x4x?xf32>) -> tensor<1x4x?xf32>
  %p_m = linalg.generic {indexing_maps = [#id4, #rows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%z : tensor<1x4x?x?xf32>) outs(%p_mi : tensor<1x4x?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x4x?xf32>
  %p_me = tensor.expand_shape %p_m [[0], [1], [2, 3]] output_shape [1, 4, %n, 1] : tensor<1x4x?xf32> into tensor<1x4x?x1xf32>
  %p_a = linalg.generic {indexing_maps = [#id4, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%z, %p_me : tensor<1x4x?x?xf32>, tensor<1x4x?x1xf32>) outs(%e44 : tensor<1x4x?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x?x?xf32>
  %p_si = linalg.fill ins(%zero : f32) outs(%e4 : tensor<1x4x?xf32>) -> tensor<1x4x?xf32>
  %p_s = linalg.generic {indexing_maps = [#id4, #rows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%p_a : tensor<1x4x?x?xf32>) outs(%p_si : tensor<1x4x?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %e = math.exp %a : f32
    %r = arith.addf %o, %e : f32
    linalg.yield %r : f32
  } -> tensor<1x4x?xf32>
  %p_se = tensor.expand_shape %p_s [[0], [1], [2, 3]] output_shape [1, 4, %n, 1] : tensor<1x4x?xf32> into tensor<1x4x?x1xf32>
  %p = linalg.generic {indexing_maps = [#id4, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%p_a, %p_se : tensor<1x4x?x?xf32>, tensor<1x4x?x1xf32>) outs(%e44 : tensor<1x4x?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %e = math.exp %a : f32
    %r = arith.divf %e, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x?x?xf32>
  %o_i = linalg.fill ins(%zero : f32) outs(%e416 : tensor<1x4x?x16xf32>) -> tensor<1x4x?x16xf32>
  %o = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%p, %v : tensor<1x4x?x?xf32>, tensor<1x4x?x16xf32>) outs(%o_i : tensor<1x4x?x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}

// -----

// Range and LessOrEqual alone, dropping with the lowest float: every row
// keeps its diagonal, so the finite value changes nothing; `causal`.
// CHECK-LABEL: func.func @range_causal_lowest
// CHECK: %[[O:.+]] = loom_attn.attention %{{.+}}, %{{.+}}, %{{.+}} scale(2.500000e-01) causal : tensor<1x4x?x16xf32>
// CHECK: return %[[O]]
#id1 = affine_map<(d0) -> (d0)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#last = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#qlast = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
#scal = affine_map<(d0, d1, d2, d3) -> ()>
#bmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#lhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#rhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#out = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
func.func @range_causal_lowest(%q: tensor<1x4x?x16xf32>, %kt: tensor<1x4x16x?xf32>, %v: tensor<1x4x?x16xf32>) -> tensor<1x4x?x16xf32> {
  %c2 = arith.constant 2 : index
  %n = tensor.dim %q, %c2 : tensor<1x4x?x16xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e4 = tensor.empty(%n) : tensor<1x4x?xf32>
  %e44 = tensor.empty(%n, %n) : tensor<1x4x?x?xf32>
  %e416 = tensor.empty(%n) : tensor<1x4x?x16xf32>
  %cst = arith.constant dense<4.000000e+00> : tensor<f32>
  %iota_e = tensor.empty(%n) : tensor<?xi64>
  %iota = linalg.generic {indexing_maps = [#id1], iterator_types = ["parallel"]} outs(%iota_e : tensor<?xi64>) {
  ^bb0(%o: i64):
  %i = linalg.index 0 : index
  %c = arith.index_cast %i : index to i64
  linalg.yield %c : i64
  } -> tensor<?xi64>
  %rowv = tensor.expand_shape %iota [[0, 1, 2, 3]] output_shape [1, 1, %n, 1] : tensor<?xi64> into tensor<1x1x?x1xi64>
  %colv = tensor.expand_shape %iota [[0, 1, 2, 3]] output_shape [1, 1, 1, %n] : tensor<?xi64> into tensor<1x1x1x?xi64>
  %be = tensor.empty(%n, %n) : tensor<1x1x?x?xi1>
  %le = linalg.generic {indexing_maps = [#qlast, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%colv, %rowv : tensor<1x1x1x?xi64>, tensor<1x1x?x1xi64>) outs(%be : tensor<1x1x?x?xi1>) {
  ^bb0(%kv: i64, %qi: i64, %o: i1):
  %r = arith.cmpi sle, %kv, %qi : i64
  linalg.yield %r : i1
  } -> tensor<1x1x?x?xi1>
  %czero = arith.constant dense<0.000000e+00> : tensor<f32>
  %cdrop = arith.constant dense<-3.40282347E+38> : tensor<f32>
  %fe = tensor.empty(%n, %n) : tensor<1x1x?x?xf32>
  %mask = linalg.generic {indexing_maps = [#id4, #scal, #scal, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%le, %czero, %cdrop : tensor<1x1x?x?xi1>, tensor<f32>, tensor<f32>) outs(%fe : tensor<1x1x?x?xf32>) {
  ^bb0(%c: i1, %z: f32, %d: f32, %o: f32):
  %r = arith.select %c, %z, %d : f32
  linalg.yield %r : f32
  } -> tensor<1x1x?x?xf32>
  %qk_i = linalg.fill ins(%zero : f32) outs(%e44 : tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xf32>
  %qk = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %kt : tensor<1x4x?x16xf32>, tensor<1x4x16x?xf32>) outs(%qk_i : tensor<1x4x?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x?x?xf32>
  %qks = linalg.generic {indexing_maps = [#id4, #scal, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qk, %cst : tensor<1x4x?x?xf32>, tensor<f32>) outs(%e44 : tensor<1x4x?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x?x?xf32>
  %z = linalg.generic {indexing_maps = [#id4, #bmask, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qks, %mask : tensor<1x4x?x?xf32>, tensor<1x1x?x?xf32>) outs(%e44 : tensor<1x4x?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x?x?xf32>
  %p_mi = linalg.fill ins(%ninf : f32) outs(%e4 : tensor<1x4x?xf32>) -> tensor<1x4x?xf32>
  %p_m = linalg.generic {indexing_maps = [#id4, #rows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%z : tensor<1x4x?x?xf32>) outs(%p_mi : tensor<1x4x?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x4x?xf32>
  %p_me = tensor.expand_shape %p_m [[0], [1], [2, 3]] output_shape [1, 4, %n, 1] : tensor<1x4x?xf32> into tensor<1x4x?x1xf32>
  %p_a = linalg.generic {indexing_maps = [#id4, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%z, %p_me : tensor<1x4x?x?xf32>, tensor<1x4x?x1xf32>) outs(%e44 : tensor<1x4x?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.subf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x?x?xf32>
  %p_si = linalg.fill ins(%zero : f32) outs(%e4 : tensor<1x4x?xf32>) -> tensor<1x4x?xf32>
  %p_s = linalg.generic {indexing_maps = [#id4, #rows], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%p_a : tensor<1x4x?x?xf32>) outs(%p_si : tensor<1x4x?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %e = math.exp %a : f32
    %r = arith.addf %o, %e : f32
    linalg.yield %r : f32
  } -> tensor<1x4x?xf32>
  %p_se = tensor.expand_shape %p_s [[0], [1], [2, 3]] output_shape [1, 4, %n, 1] : tensor<1x4x?xf32> into tensor<1x4x?x1xf32>
  %p = linalg.generic {indexing_maps = [#id4, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%p_a, %p_se : tensor<1x4x?x?xf32>, tensor<1x4x?x1xf32>) outs(%e44 : tensor<1x4x?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %e = math.exp %a : f32
    %r = arith.divf %e, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x?x?xf32>
  %o_i = linalg.fill ins(%zero : f32) outs(%e416 : tensor<1x4x?x16xf32>) -> tensor<1x4x?x16xf32>
  %o = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%p, %v : tensor<1x4x?x?xf32>, tensor<1x4x?x16xf32>) outs(%o_i : tensor<1x4x?x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}

// -----

// Trilu(upper, k = 1) of a constant -inf tensor: -inf where j >= i + 1.
// CHECK-LABEL: func.func @trilu_causal
// CHECK-NOT: arith.constant dense<0xFF800000>
// CHECK: %[[O:.+]] = loom_attn.attention %{{.+}}, %{{.+}}, %{{.+}} scale(2.500000e-01) causal : tensor<1x4x8x16xf32>
// CHECK: return %[[O]]
#id1 = affine_map<(d0) -> (d0)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#last = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#qlast = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
#scal = affine_map<(d0, d1, d2, d3) -> ()>
#bmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#lhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#rhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#out = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
func.func @trilu_causal(%q: tensor<1x4x8x16xf32>, %kt: tensor<1x4x16x8xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e4 = tensor.empty() : tensor<1x4x8xf32>
  %e44 = tensor.empty() : tensor<1x4x8x8xf32>
  %e416 = tensor.empty() : tensor<1x4x8x16xf32>
  %cst = arith.constant dense<4.000000e+00> : tensor<f32>
  %full = arith.constant dense<0xFF800000> : tensor<1x1x8x8xf32>
  %te = tensor.empty() : tensor<1x1x8x8xf32>
  %c1 = arith.constant 1 : index
  %mask = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%full : tensor<1x1x8x8xf32>) outs(%te : tensor<1x1x8x8xf32>) {
  ^bb0(%x: f32, %o: f32):
  %i = linalg.index 2 : index
  %j = linalg.index 3 : index
  %ik = arith.addi %i, %c1 : index
  %up = arith.cmpi sge, %j, %ik : index
  %r = arith.select %up, %x, %zero : f32
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

// A sliding window: keep i - 3 <= j <= i (Mistral's mask with a window of
// 4 keys) is `causal window(3, 0)`.
// CHECK-LABEL: func.func @sliding_window
// CHECK: %[[O:.+]] = loom_attn.attention %{{.+}}, %{{.+}}, %{{.+}} scale(2.500000e-01) causal window(3, 0) : tensor<1x4x8x16xf32>
// CHECK: return %[[O]]
#id1 = affine_map<(d0) -> (d0)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#last = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#qlast = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
#scal = affine_map<(d0, d1, d2, d3) -> ()>
#bmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#lhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#rhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#out = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
func.func @sliding_window(%q: tensor<1x4x8x16xf32>, %kt: tensor<1x4x16x8xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e4 = tensor.empty() : tensor<1x4x8xf32>
  %e44 = tensor.empty() : tensor<1x4x8x8xf32>
  %e416 = tensor.empty() : tensor<1x4x8x16xf32>
  %cst = arith.constant dense<4.000000e+00> : tensor<f32>
  %ce = tensor.empty() : tensor<1x1x8x8xf32>
  %mask = linalg.generic {indexing_maps = [#id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%ce : tensor<1x1x8x8xf32>) {
  ^bb0(%o: f32):
  %i = linalg.index 2 : index
  %j = linalg.index 3 : index
  %c3 = arith.constant 3 : index
  %past = arith.cmpi ule, %j, %i : index
  %j3 = arith.addi %j, %c3 : index
  %near = arith.cmpi sge, %j3, %i : index
  %ok = arith.andi %past, %near : i1
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

// j <= i + 1 on square scores keeps one key past the diagonal: not
// causal (wrong offset), the mask stays.
// CHECK-LABEL: func.func @band_wrong_offset
// CHECK: %[[M:.+]] = linalg.generic
// CHECK: loom_attn.attention %{{.+}}, %{{.+}}, %{{.+}} mask(%[[M]] : tensor<1x1x8x8xf32>) scale(2.500000e-01) :
// CHECK-NOT: causal
// CHECK: return
#id1 = affine_map<(d0) -> (d0)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#last = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#qlast = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
#scal = affine_map<(d0, d1, d2, d3) -> ()>
#bmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#lhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#rhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#out = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
func.func @band_wrong_offset(%q: tensor<1x4x8x16xf32>, %kt: tensor<1x4x16x8xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e4 = tensor.empty() : tensor<1x4x8xf32>
  %e44 = tensor.empty() : tensor<1x4x8x8xf32>
  %e416 = tensor.empty() : tensor<1x4x8x16xf32>
  %cst = arith.constant dense<4.000000e+00> : tensor<f32>
  %ce = tensor.empty() : tensor<1x1x8x8xf32>
  %mask = linalg.generic {indexing_maps = [#id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%ce : tensor<1x1x8x8xf32>) {
  ^bb0(%o: f32):
  %i = linalg.index 2 : index
  %j = linalg.index 3 : index
  %c1 = arith.constant 1 : index
  %i1 = arith.addi %i, %c1 : index
  %ok = arith.cmpi sle, %j, %i1 : index
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

// A constant mask: 0 on and below the diagonal, -inf above; `causal`.
// CHECK-LABEL: func.func @constant_causal
// CHECK-NOT: arith.constant dense<{{\[}}
// CHECK: %[[O:.+]] = loom_attn.attention %{{.+}}, %{{.+}}, %{{.+}} scale(2.500000e-01) causal : tensor<1x4x8x16xf32>
// CHECK: return %[[O]]
#id1 = affine_map<(d0) -> (d0)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#last = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#qlast = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
#scal = affine_map<(d0, d1, d2, d3) -> ()>
#bmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#lhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#rhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#out = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
func.func @constant_causal(%q: tensor<1x4x8x16xf32>, %kt: tensor<1x4x16x8xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e4 = tensor.empty() : tensor<1x4x8xf32>
  %e44 = tensor.empty() : tensor<1x4x8x8xf32>
  %e416 = tensor.empty() : tensor<1x4x8x16xf32>
  %cst = arith.constant dense<4.000000e+00> : tensor<f32>
  %mask = arith.constant dense<[[[[0.000000e+00, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000], [0.000000e+00, 0.000000e+00, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0xFF800000, 0xFF800000, 0xFF800000], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0xFF800000, 0xFF800000], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0xFF800000], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]]]> : tensor<1x1x8x8xf32>
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

// The same constant with one element wrong (row 5 keeps key 7): the mask
// stays.
// CHECK-LABEL: func.func @constant_almost_causal
// CHECK: %[[M:.+]] = arith.constant dense<{{\[}}
// CHECK: loom_attn.attention %{{.+}}, %{{.+}}, %{{.+}} mask(%[[M]] : tensor<1x1x8x8xf32>) scale(2.500000e-01) :
// CHECK-NOT: causal
// CHECK: return
#id1 = affine_map<(d0) -> (d0)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#last = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#qlast = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
#scal = affine_map<(d0, d1, d2, d3) -> ()>
#bmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#lhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#rhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#out = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
func.func @constant_almost_causal(%q: tensor<1x4x8x16xf32>, %kt: tensor<1x4x16x8xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e4 = tensor.empty() : tensor<1x4x8xf32>
  %e44 = tensor.empty() : tensor<1x4x8x8xf32>
  %e416 = tensor.empty() : tensor<1x4x8x16xf32>
  %cst = arith.constant dense<4.000000e+00> : tensor<f32>
  %mask = arith.constant dense<[[[[0.000000e+00, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000], [0.000000e+00, 0.000000e+00, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0xFF800000, 0xFF800000, 0xFF800000], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0xFF800000, 0.000000e+00], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0xFF800000], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]]]> : tensor<1x1x8x8xf32>
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

// bf16 attention as exporters write it: Q K^T in bf16, Cast to f32 before
// the softmax, Cast back to bf16 before P V. Raised; the op computes the
// softmax in f32 itself.
// CHECK-LABEL: func.func @bf16_casts
// CHECK-SAME: %[[Q:[^:]+]]: tensor<1x4x8x16xbf16>, %[[KT:[^:]+]]: tensor<1x4x16x8xbf16>, %[[V:[^:]+]]: tensor<1x4x8x16xbf16>
// CHECK: %[[K:.+]] = linalg.transpose ins(%[[KT]]
// CHECK: %[[O:.+]] = loom_attn.attention %[[Q]], %[[K]], %[[V]] scale(2.500000e-01) : tensor<1x4x8x16xbf16>, tensor<1x4x8x16xbf16>, tensor<1x4x8x16xbf16> -> tensor<1x4x8x16xbf16>
// CHECK-NOT: math.exp
// CHECK: return %[[O]]
#id1 = affine_map<(d0) -> (d0)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#last = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#qlast = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
#scal = affine_map<(d0, d1, d2, d3) -> ()>
#bmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#lhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#rhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#out = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
func.func @bf16_casts(%q: tensor<1x4x8x16xbf16>, %kt: tensor<1x4x16x8xbf16>, %v: tensor<1x4x8x16xbf16>) -> tensor<1x4x8x16xbf16> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e4 = tensor.empty() : tensor<1x4x8xf32>
  %e44 = tensor.empty() : tensor<1x4x8x8xf32>
  %e416 = tensor.empty() : tensor<1x4x8x16xbf16>
  %nzero = arith.constant 0.000000e+00 : bf16
  %ne44 = tensor.empty() : tensor<1x4x8x8xbf16>
  %cst = arith.constant dense<4.000000e+00> : tensor<f32>
  
  %qk_i = linalg.fill ins(%nzero : bf16) outs(%ne44 : tensor<1x4x8x8xbf16>) -> tensor<1x4x8x8xbf16>
  %qk = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %kt : tensor<1x4x8x16xbf16>, tensor<1x4x16x8xbf16>) outs(%qk_i : tensor<1x4x8x8xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %c: bf16):
    %m = arith.mulf %a, %b : bf16
    %s = arith.addf %c, %m : bf16
    linalg.yield %s : bf16
  } -> tensor<1x4x8x8xbf16>
  %qkw = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qk : tensor<1x4x8x8xbf16>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %r = arith.extf %a : bf16 to f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %qks = linalg.generic {indexing_maps = [#id4, #scal, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qkw, %cst : tensor<1x4x8x8xf32>, tensor<f32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
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
  %pn = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%p : tensor<1x4x8x8xf32>) outs(%ne44 : tensor<1x4x8x8xbf16>) {
  ^bb0(%a: f32, %o: bf16):
    %r = arith.truncf %a : f32 to bf16
    linalg.yield %r : bf16
  } -> tensor<1x4x8x8xbf16>
  %o_i = linalg.fill ins(%nzero : bf16) outs(%e416 : tensor<1x4x8x16xbf16>) -> tensor<1x4x8x16xbf16>
  %o = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%pn, %v : tensor<1x4x8x8xbf16>, tensor<1x4x8x16xbf16>) outs(%o_i : tensor<1x4x8x16xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %c: bf16):
    %m = arith.mulf %a, %b : bf16
    %s = arith.addf %c, %m : bf16
    linalg.yield %s : bf16
  } -> tensor<1x4x8x16xbf16>
  return %o : tensor<1x4x8x16xbf16>
}

// -----

// Not raised: the f32 logits are rounded to bf16 and back before the
// softmax (a truncation on the logits is not looked through).
// CHECK-LABEL: func.func @bf16_rounded_logits
// CHECK-NOT: loom_attn
// CHECK: math.exp
// CHECK-NOT: loom_attn
// CHECK: return
#id1 = affine_map<(d0) -> (d0)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rows = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#last = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#qlast = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
#scal = affine_map<(d0, d1, d2, d3) -> ()>
#bmask = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#lhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#rhs = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#out = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
func.func @bf16_rounded_logits(%q: tensor<1x4x8x16xbf16>, %kt: tensor<1x4x16x8xbf16>, %v: tensor<1x4x8x16xbf16>) -> tensor<1x4x8x16xbf16> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e4 = tensor.empty() : tensor<1x4x8xf32>
  %e44 = tensor.empty() : tensor<1x4x8x8xf32>
  %e416 = tensor.empty() : tensor<1x4x8x16xbf16>
  %nzero = arith.constant 0.000000e+00 : bf16
  %ne44 = tensor.empty() : tensor<1x4x8x8xbf16>
  %cst = arith.constant dense<4.000000e+00> : tensor<f32>
  
  %qk_i = linalg.fill ins(%nzero : bf16) outs(%ne44 : tensor<1x4x8x8xbf16>) -> tensor<1x4x8x8xbf16>
  %qk = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %kt : tensor<1x4x8x16xbf16>, tensor<1x4x16x8xbf16>) outs(%qk_i : tensor<1x4x8x8xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %c: bf16):
    %m = arith.mulf %a, %b : bf16
    %s = arith.addf %c, %m : bf16
    linalg.yield %s : bf16
  } -> tensor<1x4x8x8xbf16>
  %qkw = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qk : tensor<1x4x8x8xbf16>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %r = arith.extf %a : bf16 to f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %qkr = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qkw : tensor<1x4x8x8xf32>) outs(%ne44 : tensor<1x4x8x8xbf16>) {
  ^bb0(%a: f32, %o: bf16):
    %r = arith.truncf %a : f32 to bf16
    linalg.yield %r : bf16
  } -> tensor<1x4x8x8xbf16>
  %qkw2 = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qkr : tensor<1x4x8x8xbf16>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %r = arith.extf %a : bf16 to f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %qks = linalg.generic {indexing_maps = [#id4, #scal, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%qkw2, %cst : tensor<1x4x8x8xf32>, tensor<f32>) outs(%e44 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
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
  %pn = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%p : tensor<1x4x8x8xf32>) outs(%ne44 : tensor<1x4x8x8xbf16>) {
  ^bb0(%a: f32, %o: bf16):
    %r = arith.truncf %a : f32 to bf16
    linalg.yield %r : bf16
  } -> tensor<1x4x8x8xbf16>
  %o_i = linalg.fill ins(%nzero : bf16) outs(%e416 : tensor<1x4x8x16xbf16>) -> tensor<1x4x8x16xbf16>
  %o = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%pn, %v : tensor<1x4x8x8xbf16>, tensor<1x4x8x16xbf16>) outs(%o_i : tensor<1x4x8x16xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %c: bf16):
    %m = arith.mulf %a, %b : bf16
    %s = arith.addf %c, %m : bf16
    linalg.yield %s : bf16
  } -> tensor<1x4x8x16xbf16>
  return %o : tensor<1x4x8x16xbf16>
}

// -----

// Attention that arrives with a mask operand (ONNX Attention): a constant
// i1 mask over Sq = 4 queries and Skv = 6 keys that keeps j <= i + 2 (the
// queries are the last 4 keys) is `causal`.
// CHECK-LABEL: func.func @op_constant_causal_offset
// CHECK: %[[O:.+]] = loom_attn.attention %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} causal : tensor<1x4x4x16xf32>, tensor<1x2x6x16xf32>
// CHECK: return %[[O]]
func.func @op_constant_causal_offset(%q: tensor<1x4x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) -> tensor<1x4x4x16xf32> {
  %m = arith.constant dense<[[true, true, true, false, false, false], [true, true, true, true, false, false], [true, true, true, true, true, false], [true, true, true, true, true, true]]> : tensor<4x6xi1>
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<4x6xi1>) : tensor<1x4x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32> -> tensor<1x4x4x16xf32>
  return %o : tensor<1x4x4x16xf32>
}

// -----

// The same shapes with the top-left triangle (j <= i): the offset is
// wrong for Skv - Sq = 2, the mask stays.
// CHECK-LABEL: func.func @op_constant_wrong_offset
// CHECK: %[[M:.+]] = arith.constant
// CHECK: loom_attn.attention %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} mask(%[[M]] : tensor<4x6xi1>) :
// CHECK-NOT: causal
func.func @op_constant_wrong_offset(%q: tensor<1x4x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) -> tensor<1x4x4x16xf32> {
  %m = arith.constant dense<[[true, false, false, false, false, false], [true, true, false, false, false, false], [true, true, true, false, false, false], [true, true, true, true, false, false]]> : tensor<4x6xi1>
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<4x6xi1>) : tensor<1x4x4x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x6x16xf32> -> tensor<1x4x4x16xf32>
  return %o : tensor<1x4x4x16xf32>
}

// -----

// An i1 mask `(j <= i) and keep` from a Range: `causal` plus the rest.
// CHECK-LABEL: func.func @op_range_and_rest
// CHECK-SAME: %[[Q:[^:]+]]: tensor<1x4x8x16xf32>, %[[K:[^:]+]]: tensor<1x2x8x16xf32>, %[[V:[^:]+]]: tensor<1x2x8x16xf32>, %[[KEEP:[^:]+]]: tensor<1x1x8x8xi1>
// CHECK: %[[O:.+]] = loom_attn.attention %[[Q]], %[[K]], %[[V]] mask(%[[KEEP]] : tensor<1x1x8x8xi1>) causal :
// CHECK: return %[[O]]
#id1 = affine_map<(d0) -> (d0)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#last = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#qlast = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
func.func @op_range_and_rest(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %keep: tensor<1x1x8x8xi1>) -> tensor<1x4x8x16xf32> {
  %iota_e = tensor.empty() : tensor<8xi64>
  %iota = linalg.generic {indexing_maps = [#id1], iterator_types = ["parallel"]} outs(%iota_e : tensor<8xi64>) {
  ^bb0(%o: i64):
    %i = linalg.index 0 : index
    %c = arith.index_cast %i : index to i64
    linalg.yield %c : i64
  } -> tensor<8xi64>
  %rowv = tensor.expand_shape %iota [[0, 1, 2, 3]] output_shape [1, 1, 8, 1] : tensor<8xi64> into tensor<1x1x8x1xi64>
  %colv = tensor.expand_shape %iota [[0, 1, 2, 3]] output_shape [1, 1, 1, 8] : tensor<8xi64> into tensor<1x1x1x8xi64>
  %be = tensor.empty() : tensor<1x1x8x8xi1>
  %m = linalg.generic {indexing_maps = [#qlast, #last, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%colv, %rowv, %keep : tensor<1x1x1x8xi64>, tensor<1x1x8x1xi64>, tensor<1x1x8x8xi1>) outs(%be : tensor<1x1x8x8xi1>) {
  ^bb0(%kv: i64, %qi: i64, %x: i1, %o: i1):
    %le = arith.cmpi sle, %kv, %qi : i64
    %r = arith.andi %le, %x : i1
    linalg.yield %r : i1
  } -> tensor<1x1x8x8xi1>
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<1x1x8x8xi1>) : tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32> -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}

// -----

// Not split: the Range's length comes from another tensor than the queries,
// and the op broadcasts a mask dim that is 1 at run time, so the mask's
// sizes are not provably Sq and Skv.
// CHECK-LABEL: func.func @op_range_unrelated_length
// CHECK: %[[M:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<1x1x?x?xi1>)
// CHECK: loom_attn.attention %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} mask(%[[M]] : tensor<1x1x?x?xi1>) :
// CHECK-NOT: causal
#id1 = affine_map<(d0) -> (d0)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#last = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#qlast = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
func.func @op_range_unrelated_length(%q: tensor<1x4x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x16xf32>, %ids: tensor<?xi64>) -> tensor<1x4x?x16xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %ids, %c0 : tensor<?xi64>
  %iota_e = tensor.empty(%n) : tensor<?xi64>
  %iota = linalg.generic {indexing_maps = [#id1], iterator_types = ["parallel"]} outs(%iota_e : tensor<?xi64>) {
  ^bb0(%o: i64):
    %i = linalg.index 0 : index
    %c = arith.index_cast %i : index to i64
    linalg.yield %c : i64
  } -> tensor<?xi64>
  %rowv = tensor.expand_shape %iota [[0, 1, 2, 3]] output_shape [1, 1, %n, 1] : tensor<?xi64> into tensor<1x1x?x1xi64>
  %colv = tensor.expand_shape %iota [[0, 1, 2, 3]] output_shape [1, 1, 1, %n] : tensor<?xi64> into tensor<1x1x1x?xi64>
  %be = tensor.empty(%n, %n) : tensor<1x1x?x?xi1>
  %m = linalg.generic {indexing_maps = [#qlast, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%colv, %rowv : tensor<1x1x1x?xi64>, tensor<1x1x?x1xi64>) outs(%be : tensor<1x1x?x?xi1>) {
  ^bb0(%kv: i64, %qi: i64, %o: i1):
    %le = arith.cmpi sle, %kv, %qi : i64
    linalg.yield %le : i1
  } -> tensor<1x1x?x?xi1>
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<1x1x?x?xi1>) : tensor<1x4x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32> -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}

// -----

// The importer's form of a bf16 graph (Cast to f32 around Softmax): the
// MatMuls accumulate in f32 with the operands widened in the body and are
// rounded to bf16 after; the Cast of P to bf16 drops the low bits with a
// NaN-preserving select. Raised, the rounding of P V included.
// CHECK-LABEL: func.func @bf16_importer_form
// CHECK-SAME: %[[Q:[^:]+]]: tensor<1x2x?x8xbf16>, %[[K:[^:]+]]: tensor<1x2x?x8xbf16>, %[[V:[^:]+]]: tensor<1x2x?x8xbf16>
// CHECK: %[[O:.+]] = loom_attn.attention %[[Q]], %[[K]], %[[V]] scale(0.353515625) : tensor<1x2x?x8xbf16>, tensor<1x2x?x8xbf16>, tensor<1x2x?x8xbf16> -> tensor<1x2x?x8xbf16>
// CHECK-NOT: linalg.generic
// CHECK: return %[[O]]
#map = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#map1 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#map2 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
#map3 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map4 = affine_map<(d0, d1, d2, d3) -> ()>
#map5 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#map6 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
func.func @bf16_importer_form(%arg0: tensor<1x2x?x8xbf16>, %arg1: tensor<1x2x?x8xbf16>, %arg2: tensor<1x2x?x8xbf16>) -> (tensor<1x2x?x8xbf16>) {
  %c16_i32 = arith.constant 16 : i32
  %cst = arith.constant 0xFF800000 : f32
  %cst_0 = arith.constant dense<3.535160e-01> : tensor<bf16>
  %cst_1 = arith.constant 0.000000e+00 : f32
  %c2 = arith.constant 2 : index
  %dim = tensor.dim %arg1, %c2 : tensor<1x2x?x8xbf16>
  %0 = tensor.empty(%dim) : tensor<1x2x8x?xbf16>
  %transposed = linalg.transpose ins(%arg1 : tensor<1x2x?x8xbf16>) outs(%0 : tensor<1x2x8x?xbf16>) permutation = [0, 1, 3, 2] 
  %dim_2 = tensor.dim %arg0, %c2 : tensor<1x2x?x8xbf16>
  %1 = tensor.empty(%dim_2, %dim) : tensor<1x2x?x?xf32>
  %2 = linalg.fill ins(%cst_1 : f32) outs(%1 : tensor<1x2x?x?xf32>) -> tensor<1x2x?x?xf32>
  %3 = linalg.generic {indexing_maps = [#map, #map1, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%arg0, %transposed : tensor<1x2x?x8xbf16>, tensor<1x2x8x?xbf16>) outs(%2 : tensor<1x2x?x?xf32>) {
  ^bb0(%in: bf16, %in_4: bf16, %out: f32):
    %21 = arith.extf %in : bf16 to f32
    %22 = arith.extf %in_4 : bf16 to f32
    %23 = arith.mulf %21, %22 : f32
    %24 = arith.addf %out, %23 : f32
    linalg.yield %24 : f32
  } -> tensor<1x2x?x?xf32>
  %4 = tensor.empty(%dim_2, %dim) : tensor<1x2x?x?xbf16>
  %5 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%3 : tensor<1x2x?x?xf32>) outs(%4 : tensor<1x2x?x?xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %21 = arith.truncf %in : f32 to bf16
    linalg.yield %21 : bf16
  } -> tensor<1x2x?x?xbf16>
  %6 = linalg.generic {indexing_maps = [#map3, #map4, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%5, %cst_0 : tensor<1x2x?x?xbf16>, tensor<bf16>) outs(%4 : tensor<1x2x?x?xbf16>) {
  ^bb0(%in: bf16, %in_4: bf16, %out: bf16):
    %21 = arith.mulf %in, %in_4 : bf16
    linalg.yield %21 : bf16
  } -> tensor<1x2x?x?xbf16>
  %7 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%6 : tensor<1x2x?x?xbf16>) outs(%1 : tensor<1x2x?x?xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %21 = arith.extf %in : bf16 to f32
    linalg.yield %21 : f32
  } -> tensor<1x2x?x?xf32>
  %8 = tensor.empty(%dim_2) : tensor<1x2x?xf32>
  %9 = linalg.fill ins(%cst : f32) outs(%8 : tensor<1x2x?xf32>) -> tensor<1x2x?xf32>
  %10 = linalg.generic {indexing_maps = [#map3, #map5], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%7 : tensor<1x2x?x?xf32>) outs(%9 : tensor<1x2x?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %21 = arith.maximumf %out, %in : f32
    linalg.yield %21 : f32
  } -> tensor<1x2x?xf32>
  %expanded = tensor.expand_shape %10 [[0], [1], [2, 3]] output_shape [1, 2, %dim_2, 1] : tensor<1x2x?xf32> into tensor<1x2x?x1xf32>
  %11 = linalg.generic {indexing_maps = [#map3, #map6, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%7, %expanded : tensor<1x2x?x?xf32>, tensor<1x2x?x1xf32>) outs(%1 : tensor<1x2x?x?xf32>) {
  ^bb0(%in: f32, %in_4: f32, %out: f32):
    %21 = arith.subf %in, %in_4 : f32
    linalg.yield %21 : f32
  } -> tensor<1x2x?x?xf32>
  %12 = linalg.fill ins(%cst_1 : f32) outs(%8 : tensor<1x2x?xf32>) -> tensor<1x2x?xf32>
  %13 = linalg.generic {indexing_maps = [#map3, #map5], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%11 : tensor<1x2x?x?xf32>) outs(%12 : tensor<1x2x?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %21 = math.exp %in : f32
    %22 = arith.addf %out, %21 : f32
    linalg.yield %22 : f32
  } -> tensor<1x2x?xf32>
  %expanded_3 = tensor.expand_shape %13 [[0], [1], [2, 3]] output_shape [1, 2, %dim_2, 1] : tensor<1x2x?xf32> into tensor<1x2x?x1xf32>
  %14 = linalg.generic {indexing_maps = [#map3, #map6, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%11, %expanded_3 : tensor<1x2x?x?xf32>, tensor<1x2x?x1xf32>) outs(%1 : tensor<1x2x?x?xf32>) {
  ^bb0(%in: f32, %in_4: f32, %out: f32):
    %21 = math.exp %in : f32
    %22 = arith.divf %21, %in_4 : f32
    linalg.yield %22 : f32
  } -> tensor<1x2x?x?xf32>
  %15 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%14 : tensor<1x2x?x?xf32>) outs(%4 : tensor<1x2x?x?xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %21 = arith.bitcast %in : f32 to i32
    %22 = arith.shrui %21, %c16_i32 : i32
    %23 = arith.trunci %22 : i32 to i16
    %24 = arith.bitcast %23 : i16 to bf16
    %25 = arith.cmpf uno, %in, %in : f32
    %26 = arith.truncf %in : f32 to bf16
    %27 = arith.select %25, %26, %24 : bf16
    linalg.yield %27 : bf16
  } -> tensor<1x2x?x?xbf16>
  %16 = tensor.empty(%dim_2) : tensor<1x2x?x8xf32>
  %17 = linalg.fill ins(%cst_1 : f32) outs(%16 : tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  %18 = linalg.generic {indexing_maps = [#map, #map1, #map2], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%15, %arg2 : tensor<1x2x?x?xbf16>, tensor<1x2x?x8xbf16>) outs(%17 : tensor<1x2x?x8xf32>) {
  ^bb0(%in: bf16, %in_4: bf16, %out: f32):
    %21 = arith.extf %in : bf16 to f32
    %22 = arith.extf %in_4 : bf16 to f32
    %23 = arith.mulf %21, %22 : f32
    %24 = arith.addf %out, %23 : f32
    linalg.yield %24 : f32
  } -> tensor<1x2x?x8xf32>
  %19 = tensor.empty(%dim_2) : tensor<1x2x?x8xbf16>
  %20 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%18 : tensor<1x2x?x8xf32>) outs(%19 : tensor<1x2x?x8xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %21 = arith.truncf %in : f32 to bf16
    linalg.yield %21 : bf16
  } -> tensor<1x2x?x8xbf16>
  return %20 : tensor<1x2x?x8xbf16>
}

// -----

// The Range's length and Sq, Skv traced to one size: the Range over
// max(ceil(n), 0) in f64 of the input's length n, the heads reshaped with
// the inferred size (n * 64) / 64. Split: `causal`, no mask left.
// CHECK-LABEL: func.func @op_range_sizes_traced
// CHECK: %[[O:.+]] = loom_attn.attention %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} causal : tensor<1x4x?x16xf32>
// CHECK: return %[[O]]
#id1 = affine_map<(d0) -> (d0)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#last = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#qlast = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, d3)>
func.func @op_range_sizes_traced(%x: tensor<1x?x64xf32>) -> tensor<1x4x?x16xf32> {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c1_i64 = arith.constant 1 : i64
  %c4_i64 = arith.constant 4 : i64
  %c16_i64 = arith.constant 16 : i64
  %f0 = arith.constant 0.000000e+00 : f64
  %n = tensor.dim %x, %c1 : tensor<1x?x64xf32>
  %n64 = arith.muli %n, %c64 : index
  %s = arith.divui %n64, %c64 : index
  %s_i64 = arith.index_cast %s : index to i64
  %shape = tensor.from_elements %c1_i64, %c4_i64, %s_i64, %c16_i64 : tensor<4xi64>
  %q = tensor.reshape %x(%shape) : (tensor<1x?x64xf32>, tensor<4xi64>) -> tensor<1x4x?x16xf32>
  %n_i64 = arith.index_cast %n : index to i64
  %nf = arith.sitofp %n_i64 : i64 to f64
  %nc = math.ceil %nf : f64
  %nm = arith.maximumf %nc, %f0 : f64
  %len_i64 = arith.fptosi %nm : f64 to i64
  %len = arith.index_cast %len_i64 : i64 to index
  %iota_e = tensor.empty(%len) : tensor<?xi64>
  %iota = linalg.generic {indexing_maps = [#id1], iterator_types = ["parallel"]} outs(%iota_e : tensor<?xi64>) {
  ^bb0(%o: i64):
    %i = linalg.index 0 : index
    %c = arith.index_cast %i : index to i64
    linalg.yield %c : i64
  } -> tensor<?xi64>
  %rowv = tensor.expand_shape %iota [[0, 1, 2, 3]] output_shape [1, 1, %len, 1] : tensor<?xi64> into tensor<1x1x?x1xi64>
  %colv = tensor.expand_shape %iota [[0, 1, 2, 3]] output_shape [1, 1, 1, %len] : tensor<?xi64> into tensor<1x1x1x?xi64>
  %be = tensor.empty(%len, %len) : tensor<1x1x?x?xi1>
  %m = linalg.generic {indexing_maps = [#qlast, #last, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%colv, %rowv : tensor<1x1x1x?xi64>, tensor<1x1x?x1xi64>) outs(%be : tensor<1x1x?x?xi1>) {
  ^bb0(%kv: i64, %qi: i64, %o: i1):
    %le = arith.cmpi sle, %kv, %qi : i64
    linalg.yield %le : i1
  } -> tensor<1x1x?x?xi1>
  %o = loom_attn.attention %q, %q, %q mask(%m : tensor<1x1x?x?xi1>) : tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32>, tensor<1x4x?x16xf32> -> tensor<1x4x?x16xf32>
  return %o : tensor<1x4x?x16xf32>
}
