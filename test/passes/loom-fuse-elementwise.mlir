// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-fuse-elementwise))' | FileCheck %s

#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (n)>

// Bias add, SiLU (x * sigmoid(x) written as x / (1 + exp(-x))) and a
// multiply by a gate: four generics become one.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x16xf32>, %[[B:[^:]+]]: tensor<16xf32>, %[[G:[^:]+]]: tensor<4x16xf32>
// CHECK: %[[R:.+]] = linalg.generic {{.*}} ins(%[[X]], %[[B]], %[[G]] : tensor<4x16xf32>, tensor<16xf32>, tensor<4x16xf32>)
// CHECK: arith.addf
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: arith.mulf
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
func.func @chain(%x: tensor<4x16xf32>, %bias: tensor<16xf32>, %gate: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %a = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %bias : tensor<4x16xf32>, tensor<16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %r = arith.addf %p, %q : f32
    linalg.yield %r : f32
  } -> tensor<4x16xf32>
  %s = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %o: f32):
    %n = arith.negf %p : f32
    %x1 = math.exp %n : f32
    %d = arith.addf %x1, %one : f32
    linalg.yield %d : f32
  } -> tensor<4x16xf32>
  %silu = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%a, %s : tensor<4x16xf32>, tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %r = arith.divf %p, %q : f32
    linalg.yield %r : f32
  } -> tensor<4x16xf32>
  %y = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%silu, %gate : tensor<4x16xf32>, tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %r = arith.mulf %p, %q : f32
    linalg.yield %r : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// RMSNorm: the square goes into the row sum (same loops); rsqrt(mean + eps)
// stays a per-row op (fused into the [4, 16] scaling it would run 16 times
// per row); the scaling by it and by the weight is one elementwise generic.
// The three are then one unit: an scf.forall over the rows, each task
// summing, inverting and scaling its own row.
// CHECK-LABEL: func.func @rms_norm
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x16xf32>, %[[W:[^:]+]]: tensor<16xf32>
// CHECK-NOT: linalg.generic
// CHECK: %[[R:.+]] = scf.forall (%[[I:.+]]) in (4) shared_outs(%[[OUT:.+]] = %{{.+}}) -> (tensor<4x16xf32>)
// CHECK: %[[ROW:.+]] = tensor.extract_slice %[[X]][%[[I]], 0] [1, 16] [1, 1] : tensor<4x16xf32> to tensor<1x16xf32>
// CHECK: %[[ZERO:.+]] = linalg.fill {{.*}} -> tensor<1xf32>
// CHECK: %[[SUM:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[ROW]] : tensor<1x16xf32>) outs(%[[ZERO]] : tensor<1xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[INV:.+]] = linalg.generic {{.*}}iterator_types = ["parallel"]} ins(%[[SUM]] : tensor<1xf32>)
// CHECK: math.rsqrt
// CHECK: %[[Y:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%[[ROW]], %[[INV]], %[[W]] : tensor<1x16xf32>, tensor<1xf32>, tensor<16xf32>)
// CHECK: arith.mulf
// CHECK: arith.mulf
// CHECK: tensor.parallel_insert_slice %[[Y]] into %[[OUT]][%[[I]], 0] [1, 16] [1, 1]
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (n)>
#col = affine_map<(m, n) -> (m)>
#vec = affine_map<(m) -> (m)>
func.func @rms_norm(%x: tensor<4x16xf32>, %w: tensor<16xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %eps = arith.constant 1.0e-6 : f32
  %n = arith.constant 16.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %e1 = tensor.empty() : tensor<4xf32>
  %sq = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %o: f32):
    %r = arith.mulf %p, %p : f32
    linalg.yield %r : f32
  } -> tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #col], iterator_types = ["parallel", "reduction"]} ins(%sq : tensor<4x16xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%p: f32, %o: f32):
    %r = arith.addf %o, %p : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %inv = linalg.generic {indexing_maps = [#vec, #vec], iterator_types = ["parallel"]} ins(%sum : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%p: f32, %o: f32):
    %m = arith.divf %p, %n : f32
    %a = arith.addf %m, %eps : f32
    %r = math.rsqrt %a : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %y = linalg.generic {indexing_maps = [#id, #col, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %inv, %w : tensor<4x16xf32>, tensor<4xf32>, tensor<16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %q: f32, %r: f32, %o: f32):
    %a = arith.mulf %p, %q : f32
    %b = arith.mulf %a, %r : f32
    linalg.yield %b : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// Not fused: an elementwise producer feeding a matmul (it would run once per
// output column), and an exp with two users (recomputed per user).
// CHECK-LABEL: func.func @not_fused
// CHECK: %[[EXP:.+]] = linalg.generic
// CHECK: math.exp
// CHECK: linalg.matmul ins(%[[EXP]], %{{.+}} : tensor<4x16xf32>, tensor<16x8xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[EXP]] : tensor<4x16xf32>)
// CHECK-NOT: math.exp
// CHECK: arith.negf
#id = affine_map<(m, n) -> (m, n)>
func.func @not_fused(%x: tensor<4x16xf32>, %w: tensor<16x8xf32>) -> (tensor<4x8xf32>, tensor<4x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %ex = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %o: f32):
    %r = math.exp %p : f32
    linalg.yield %r : f32
  } -> tensor<4x16xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %mm = linalg.matmul ins(%ex, %w : tensor<4x16xf32>, tensor<16x8xf32>) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
  %neg = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%ex : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %o: f32):
    %r = arith.negf %p : f32
    linalg.yield %r : f32
  } -> tensor<4x16xf32>
  return %mm, %neg : tensor<4x8xf32>, tensor<4x16xf32>
}

// -----

// A cheap producer of one tensor with two users is duplicated into both
// (the scale); a cheap producer of two tensors (a residual add) is not, so
// that no copy reads more than the original.
// CHECK-LABEL: func.func @multi_use
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x16xf32>, %[[R:[^:]+]]: tensor<4x16xf32>
// CHECK: %[[ADD:.+]] = linalg.generic {{.*}} ins(%[[X]], %[[R]] : tensor<4x16xf32>, tensor<4x16xf32>)
// CHECK: arith.addf
// CHECK: %[[A:.+]] = linalg.generic {{.*}} ins(%[[ADD]], %[[X]] : tensor<4x16xf32>, tensor<4x16xf32>)
// CHECK: arith.mulf
// CHECK: arith.mulf
// CHECK: %[[B:.+]] = linalg.generic {{.*}} ins(%[[ADD]], %[[X]] : tensor<4x16xf32>, tensor<4x16xf32>)
// CHECK: arith.mulf
// CHECK: arith.subf
// CHECK: return %[[A]], %[[B]]
#id = affine_map<(m, n) -> (m, n)>
func.func @multi_use(%x: tensor<4x16xf32>, %r: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %two = arith.constant 2.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %add = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %r : tensor<4x16xf32>, tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  %sc = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %o: f32):
    %s = arith.mulf %p, %two : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  %a = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%add, %sc : tensor<4x16xf32>, tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.mulf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  %b = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%add, %sc : tensor<4x16xf32>, tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.subf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  return %a, %b : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// LayerNorm as the importer writes it (row sums reshaped to [rows, 1] and
// broadcast back): mean, variance of (x - mean) and the scaling become one
// scf.forall over the (dynamic) rows; each task reduces its row twice and
// scales it, reading the per-row values of its own row only.
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x16xf32>, %[[G:[^:]+]]: tensor<16xf32>
// CHECK-NOT: tensor.expand_shape
// CHECK: %[[R:.+]] = scf.forall (%[[I:.+]]) in (%{{.+}}) shared_outs(%[[OUT:.+]] = %{{.+}}) -> (tensor<?x16xf32>)
// CHECK: %[[ROW:.+]] = tensor.extract_slice %[[X]][%[[I]], 0] [1, 16] [1, 1]
// CHECK: %[[MEAN:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[ROW]] : tensor<1x16xf32>)
// CHECK: %[[VAR:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%{{.+}}, %[[MEAN]] : tensor<1x16xf32>, tensor<1xf32>)
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: %[[Y:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%{{.+}}, %[[MEAN]], %[[VAR]], %[[G]] : tensor<1x16xf32>, tensor<1xf32>, tensor<1xf32>, tensor<16xf32>)
// CHECK: math.rsqrt
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %[[Y]] into %[[OUT]][%[[I]], 0] [1, 16] [1, 1]
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (n)>
#col = affine_map<(m, n) -> (m)>
#bc = affine_map<(m, n) -> (m, 0)>
func.func @layer_norm(%x: tensor<?x16xf32>, %g: tensor<16xf32>) -> tensor<?x16xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %n = arith.constant 16.0 : f32
  %t = tensor.dim %x, %c0 : tensor<?x16xf32>
  %e = tensor.empty(%t) : tensor<?x16xf32>
  %e1 = tensor.empty(%t) : tensor<?xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e1 : tensor<?xf32>) -> tensor<?xf32>
  %sum = linalg.generic {indexing_maps = [#id, #col], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<?x16xf32>) outs(%f : tensor<?xf32>) {
  ^bb0(%p: f32, %o: f32):
    %r = arith.addf %o, %p : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  %sum2 = tensor.expand_shape %sum [[0, 1]] output_shape [%t, 1] : tensor<?xf32> into tensor<?x1xf32>
  %var = linalg.generic {indexing_maps = [#id, #bc, #col], iterator_types = ["parallel", "reduction"]} ins(%x, %sum2 : tensor<?x16xf32>, tensor<?x1xf32>) outs(%f : tensor<?xf32>) {
  ^bb0(%p: f32, %s: f32, %o: f32):
    %m = arith.divf %s, %n : f32
    %d = arith.subf %p, %m : f32
    %d2 = arith.mulf %d, %d : f32
    %r = arith.addf %o, %d2 : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  %var2 = tensor.expand_shape %var [[0, 1]] output_shape [%t, 1] : tensor<?xf32> into tensor<?x1xf32>
  %y = linalg.generic {indexing_maps = [#id, #bc, #bc, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %sum2, %var2, %g : tensor<?x16xf32>, tensor<?x1xf32>, tensor<?x1xf32>, tensor<16xf32>) outs(%e : tensor<?x16xf32>) {
  ^bb0(%p: f32, %s: f32, %v: f32, %w: f32, %o: f32):
    %m = arith.divf %s, %n : f32
    %d = arith.subf %p, %m : f32
    %vm = arith.divf %v, %n : f32
    %ve = arith.addf %vm, %eps : f32
    %r = math.rsqrt %ve : f32
    %a = arith.mulf %d, %r : f32
    %b = arith.mulf %a, %w : f32
    linalg.yield %b : f32
  } -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// Not one unit: a row sum that is also returned (the loop would compute it
// a second time), and column sums (a reduction over the outer dimension:
// one row of the scaling needs every row).
// CHECK-LABEL: func.func @norm_not_fused
// CHECK-NOT: scf.forall
// CHECK: %[[SUM:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]}
// CHECK: linalg.generic {{.*}} ins(%{{.+}}, %[[SUM]] :
// CHECK: %[[COLS:.+]] = linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]}
// CHECK: linalg.generic {{.*}} ins(%{{.+}}, %[[COLS]] :
// CHECK-NOT: scf.forall
#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (n)>
#col = affine_map<(m, n) -> (m)>
func.func @norm_not_fused(%x: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4xf32>, tensor<4x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %e1 = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #col], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x16xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%p: f32, %o: f32):
    %r = arith.addf %o, %p : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %y = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %sum : tensor<4x16xf32>, tensor<4xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %s: f32, %o: f32):
    %r = arith.divf %p, %s : f32
    linalg.yield %r : f32
  } -> tensor<4x16xf32>
  %e2 = tensor.empty() : tensor<16xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<16xf32>) -> tensor<16xf32>
  %cols = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["reduction", "parallel"]} ins(%x : tensor<4x16xf32>) outs(%f2 : tensor<16xf32>) {
  ^bb0(%p: f32, %o: f32):
    %r = arith.addf %o, %p : f32
    linalg.yield %r : f32
  } -> tensor<16xf32>
  %z = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %cols : tensor<4x16xf32>, tensor<16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %s: f32, %o: f32):
    %r = arith.divf %p, %s : f32
    linalg.yield %r : f32
  } -> tensor<4x16xf32>
  return %y, %sum, %z : tensor<4x16xf32>, tensor<4xf32>, tensor<4x16xf32>
}

// -----

// A residual add that feeds a norm and is read by nothing else outside it
// joins the row loop (computed once per element there, after CSE); one
// that is also returned (the residual stream) stays outside, computed once,
// and the loop reads its rows.
// CHECK-LABEL: func.func @norm_after_residual
// CHECK: %[[ADD:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]}
// CHECK: arith.addf
// CHECK: %[[N:.+]] = scf.forall
// CHECK: %[[ROW:.+]] = tensor.extract_slice %[[ADD]]
// CHECK-NOT: arith.addf %{{.+}}, %{{.+}} : f32
// CHECK: iterator_types = ["parallel", "reduction"]} ins(%[[ROW]] :
// CHECK: scf.forall.in_parallel
// CHECK: return %[[N]], %[[ADD]]
#id = affine_map<(m, n) -> (m, n)>
#col = affine_map<(m, n) -> (m)>
func.func @norm_after_residual(%x: tensor<4x16xf32>, %r: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %e1 = tensor.empty() : tensor<4xf32>
  %add = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %r : tensor<4x16xf32>, tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #col], iterator_types = ["parallel", "reduction"]} ins(%add : tensor<4x16xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%p: f32, %o: f32):
    %sq = arith.mulf %p, %p : f32
    %s = arith.addf %o, %sq : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %n = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]} ins(%add, %sum : tensor<4x16xf32>, tensor<4xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %s: f32, %o: f32):
    %rs = math.rsqrt %s : f32
    %y = arith.mulf %p, %rs : f32
    linalg.yield %y : f32
  } -> tensor<4x16xf32>
  // The next layer reads both the norm and the residual stream.
  %out = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%n, %add : tensor<4x16xf32>, tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.subf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  return %out, %add : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// A per-tensor dynamic quantization (DynamicQuantizeLinear) of the RMSNorm:
// the row loop also reduces each scaled row to its min(., 0) and max(., 0)
// while it is in cache (the loop tiles that reduction, the norm fused in and
// its rows yielded as a third result); only the [4] partials are reduced to
// the tensor's range, which the quantization takes as `range`, so it makes
// no pass of its own over the norm's output for them.
// CHECK-LABEL: func.func @rms_norm_dynamic_quantize
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x16xf32>, %[[W:[^:]+]]: tensor<16xf32>
// CHECK-NOT: linalg.generic
// CHECK: %[[R:.+]]:3 = scf.forall (%[[I:.+]]) in (4) shared_outs(%[[LO:.+]] = %{{.+}}, %[[HI:.+]] = %{{.+}}, %[[OUT:.+]] = %{{.+}}) -> (tensor<4xf32>, tensor<4xf32>, tensor<4x16xf32>)
// CHECK: %[[ROW:.+]] = tensor.extract_slice %[[X]][%[[I]], 0] [1, 16] [1, 1]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[ROW]] : tensor<1x16xf32>)
// CHECK: math.rsqrt
// CHECK: %[[Y:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%[[ROW]], %{{.+}}, %[[W]] : tensor<1x16xf32>, tensor<1xf32>, tensor<16xf32>)
// CHECK: %[[LOS:.+]] = tensor.extract_slice %[[LO]][%[[I]]] [1] [1]
// CHECK: %[[HIS:.+]] = tensor.extract_slice %[[HI]][%[[I]]] [1] [1]
// CHECK: %[[MM:.+]]:2 = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[Y]] : tensor<1x16xf32>) outs(%[[LOS]], %[[HIS]] : tensor<1xf32>, tensor<1xf32>)
// CHECK: arith.minimumf
// CHECK: arith.maximumf
// CHECK: tensor.parallel_insert_slice %[[MM]]#0 into %[[LO]][%[[I]]] [1] [1]
// CHECK: tensor.parallel_insert_slice %[[MM]]#1 into %[[HI]][%[[I]]] [1] [1]
// CHECK: tensor.parallel_insert_slice %[[Y]] into %[[OUT]][%[[I]], 0] [1, 16] [1, 1]
// CHECK: %[[RANGE:.+]]:2 = linalg.generic {{.*}}iterator_types = ["reduction"]} ins(%[[R]]#0, %[[R]]#1 : tensor<4xf32>, tensor<4xf32>) outs(%{{.+}}, %{{.+}} : tensor<f32>, tensor<f32>)
// CHECK: arith.minimumf
// CHECK: arith.maximumf
// CHECK-NOT: linalg.generic
// CHECK: loom_quant.dynamic_quantize %[[R]]#2 range(%[[RANGE]]#0, %[[RANGE]]#1 : tensor<f32>, tensor<f32>)
#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (n)>
#col = affine_map<(m, n) -> (m)>
#vec = affine_map<(m) -> (m)>
func.func @rms_norm_dynamic_quantize(%x: tensor<4x16xf32>, %w: tensor<16xf32>) -> (tensor<4x16xi8>, tensor<f32>, tensor<i8>) {
  %zero = arith.constant 0.0 : f32
  %eps = arith.constant 1.0e-6 : f32
  %n = arith.constant 16.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %e1 = tensor.empty() : tensor<4xf32>
  %sq = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %o: f32):
    %r = arith.mulf %p, %p : f32
    linalg.yield %r : f32
  } -> tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #col], iterator_types = ["parallel", "reduction"]} ins(%sq : tensor<4x16xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%p: f32, %o: f32):
    %r = arith.addf %o, %p : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %inv = linalg.generic {indexing_maps = [#vec, #vec], iterator_types = ["parallel"]} ins(%sum : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%p: f32, %o: f32):
    %m = arith.divf %p, %n : f32
    %a = arith.addf %m, %eps : f32
    %r = math.rsqrt %a : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %y = linalg.generic {indexing_maps = [#id, #col, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %inv, %w : tensor<4x16xf32>, tensor<4xf32>, tensor<16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %q: f32, %r: f32, %o: f32):
    %a = arith.mulf %p, %q : f32
    %b = arith.mulf %a, %r : f32
    linalg.yield %b : f32
  } -> tensor<4x16xf32>
  %q, %s, %z = loom_quant.dynamic_quantize %y {scheme = #loom_quant.scheme<u8, zero_point>} : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<f32>, tensor<i8>
  return %q, %s, %z : tensor<4x16xi8>, tensor<f32>, tensor<i8>
}

// -----

// Per token (per_channel along the rows): the scales need no whole-tensor
// range, so the quantization is left as it is (no `range`) and the row loop
// is the plain norm loop.
// CHECK-LABEL: func.func @rms_norm_dynamic_quantize_per_token
// CHECK: %[[R:.+]] = scf.forall (%{{.+}}) in (4) shared_outs(%{{.+}} = %{{.+}}) -> (tensor<4x16xf32>)
// CHECK-NOT: arith.minimumf
// CHECK: loom_quant.dynamic_quantize %[[R]] {scheme
#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (n)>
#col = affine_map<(m, n) -> (m)>
#vec = affine_map<(m) -> (m)>
func.func @rms_norm_dynamic_quantize_per_token(%x: tensor<4x16xf32>, %w: tensor<16xf32>) -> (tensor<4x16xi8>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %eps = arith.constant 1.0e-6 : f32
  %n = arith.constant 16.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %e1 = tensor.empty() : tensor<4xf32>
  %sq = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %o: f32):
    %r = arith.mulf %p, %p : f32
    linalg.yield %r : f32
  } -> tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #col], iterator_types = ["parallel", "reduction"]} ins(%sq : tensor<4x16xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%p: f32, %o: f32):
    %r = arith.addf %o, %p : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %inv = linalg.generic {indexing_maps = [#vec, #vec], iterator_types = ["parallel"]} ins(%sum : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%p: f32, %o: f32):
    %m = arith.divf %p, %n : f32
    %a = arith.addf %m, %eps : f32
    %r = math.rsqrt %a : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %y = linalg.generic {indexing_maps = [#id, #col, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %inv, %w : tensor<4x16xf32>, tensor<4xf32>, tensor<16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %q: f32, %r: f32, %o: f32):
    %a = arith.mulf %p, %q : f32
    %b = arith.mulf %a, %r : f32
    linalg.yield %b : f32
  } -> tensor<4x16xf32>
  %q, %s = loom_quant.dynamic_quantize %y {scheme = #loom_quant.scheme<i8, per_channel(axis = 0)>} : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  return %q, %s : tensor<4x16xi8>, tensor<4xf32>
}
