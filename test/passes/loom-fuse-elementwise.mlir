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
// CHECK-LABEL: func.func @rms_norm
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x16xf32>, %[[W:[^:]+]]: tensor<16xf32>
// CHECK: %[[SUM:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<4x16xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[INV:.+]] = linalg.generic {{.*}}iterator_types = ["parallel"]} ins(%[[SUM]] : tensor<4xf32>)
// CHECK: math.rsqrt
// CHECK: %[[R:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[INV]], %[[W]] : tensor<4x16xf32>, tensor<4xf32>, tensor<16xf32>)
// CHECK: arith.mulf
// CHECK: arith.mulf
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
