//===- Passes.td - Loom's dialect-to-dialect lowerings -----*- tablegen -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_CONVERSION_PASSES_TD
#define LOOM_PASSES_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertQuantToLinalgPass
    : Pass<"loom-convert-quant-to-linalg", "func::FuncOp"> {
  let summary = "Lowers loom_quant ops to linalg.generic, arith and math";
  let description = [{
    Every `loom_quant` op becomes `linalg.generic` ops on tensors with ONNX
    numerics: quantize rounds half to even (`math.roundeven`) and saturates,
    dequantize computes `(stored - zero_point) * scale` (in f32 for 16-bit
    float results), dynamic_quantize follows `DynamicQuantizeLinear`. Scales
    and zero points are read through indexing maps (per-group:
    `d floordiv size`), packed 4-bit values are split with shifts.

    `loom_quant.matmul` becomes a single contraction `linalg.generic`
    (`[..., M, N, K]`, the last iterator a reduction) whose body
    dequantizes the weight element (and the input element when it is
    quantized) and accumulates in f32, so the dequantized weight is never
    materialised. 8-bit floats are converted with integer arithmetic, since
    the LLVM lowering has no f8 conversions.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::tensor::TensorDialect"
  ];
}

def ConvertMoeToLinalgPass
    : Pass<"loom-convert-moe-to-linalg", "func::FuncOp"> {
  let summary = "Lowers loom_moe ops to linalg, tensor and scf";
  let description = [{
    - `route`: scores (softmax or sigmoid) in f32 by `linalg.generic`, then
      a `linalg.generic` over `[T, k]` whose body selects the j-th largest
      score with `scf.for` (ties to the lower expert id), then optional
      renormalisation.
    - `dispatch`: a stable counting sort by expert id with `scf.for` over
      tensors (O(T * k + E)), then a gather of the token rows.
    - `grouped_matmul`: `scf.for` over experts, each a `linalg.matmul` on
      the dynamically sized row block of that expert, so only routed rows
      are computed.
    - `combine`: inverts the permutation, then a `linalg.generic` over
      `[T, d]` sums the k weighted rows in f32.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect"
  ];
}

#endif // LOOM_PASSES_CONVERSION_PASSES_TD
