// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(loom-expand-f8-extf))' | FileCheck %s

// e4m3 to f32: the byte's exponent (bits 3..6) and mantissa (bits 0..2),
// subnormals when the exponent is 0, NaN for S.1111.111 (no infinities).
// CHECK-LABEL: func.func @e4m3
// CHECK-SAME: %[[X:.+]]: f8E4M3FN
// CHECK-NOT: arith.extf
// CHECK: %[[B:.+]] = arith.bitcast %[[X]] : f8E4M3FN to i8
// CHECK: %[[BITS:.+]] = arith.extui %[[B]] : i8 to i32
// CHECK: arith.andi %[[BITS]], %{{.+}} : i32
// CHECK: arith.shrui %[[BITS]], %{{.+}} : i32
// CHECK: arith.uitofp
// CHECK: arith.select
// CHECK-NOT: arith.extf
// CHECK: return
func.func @e4m3(%x: f8E4M3FN) -> f32 {
  %y = arith.extf %x : f8E4M3FN to f32
  return %y : f32
}

// -----

// Inside a contraction body (what no FP8 tensor-core kernel took); a bf16
// result is the decoded f32 rounded (exactly: e4m3 fits bf16).
// CHECK-LABEL: func.func @in_body
// CHECK: linalg.generic
// CHECK-NOT: arith.extf
// CHECK: arith.bitcast %{{.+}} : f8E4M3FN to i8
// CHECK: arith.bitcast %{{.+}} : f8E5M2 to i8
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// CHECK: linalg.yield
func.func @in_body(%a: tensor<4x8xf8E4M3FN>, %b: tensor<8x4xf8E5M2>, %c: tensor<4x4xbf16>) -> tensor<4x4xbf16> {
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<4x8xf8E4M3FN>, tensor<8x4xf8E5M2>) outs(%c : tensor<4x4xbf16>) {
  ^bb0(%x: f8E4M3FN, %y: f8E5M2, %o: bf16):
    %xf = arith.extf %x : f8E4M3FN to bf16
    %yf = arith.extf %y : f8E5M2 to bf16
    %p = arith.mulf %xf, %yf : bf16
    %s = arith.addf %o, %p : bf16
    linalg.yield %s : bf16
  } -> tensor<4x4xbf16>
  return %r : tensor<4x4xbf16>
}

// -----

// Other extensions stay.
// CHECK-LABEL: func.func @f16
// CHECK: arith.extf %{{.+}} : f16 to f32
func.func @f16(%x: f16) -> f32 {
  %y = arith.extf %x : f16 to f32
  return %y : f32
}
