//===- Passes.td - Loom's target-independent transforms ----*- tablegen -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_TRANSFORMS_PASSES_TD
#define LOOM_PASSES_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Raising of mixture-of-experts and quantized layers
//===----------------------------------------------------------------------===//

def RaiseMoePass : Pass<"loom-raise-moe", "func::FuncOp"> {
  let summary = "Raises dense exported MoE blocks to loom_moe ops";
  let description = [{
    Finds the mixture-of-experts block as `torch.onnx.export` writes it once
    imported: router scores `softmax(logits)` over the last axis, a top-k of
    them (the importer's rank-counting TopK), optionally renormalised by
    their sum, and for every expert `e` a weight
    `w_e = sum_j topk_w[:, j] * (topk_ids[:, j] == e)` that scales the
    expert's FFN, computed densely over all tokens and accumulated into a
    zero tensor. Each expert FFN must have the same shape: two matmuls
    `x @ W1_e`, `x @ W3_e` of the same input, the same elementwise chain
    (e.g. SiLU gating) and a third matmul by `W2_e` (a plain two-matmul FFN
    `act(x @ W1_e) @ W2_e` is accepted too).

    The block becomes `loom_moe.route` (softmax, top k, `normalize` when
    renormalised), `loom_moe.dispatch`, one `loom_moe.grouped_matmul` per
    expert matmul (weights stacked `[E, K, N]`, folded into one constant
    when the experts' weights are constants), the elementwise chain on the
    dispatched rows and `loom_moe.combine`, so each expert runs only on the
    tokens routed to it.

    It does not fire when any part differs: another softmax axis, a mask
    compared with something other than the expert constants `0..E-1` each
    exactly once, experts with different activations, different inputs or
    weight shapes, or a top-k over values other than the router scores.
  }];
  let dependentDialects = [
    "mlir::loom::moe::LoomMoeDialect", "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect", "mlir::arith::ArithDialect"
  ];
}

def RaiseQuantPass : Pass<"loom-raise-quant", "func::FuncOp"> {
  let summary = "Raises dequantize/integer-matmul patterns to loom_quant.matmul";
  let description = [{
    Rewrites to `loom_quant.matmul`, so no dequantized weight is
    materialised and scales are applied inside the contraction:

    - `loom_quant.dequantize` of a constant weight (or of a quantized input)
      feeding a matmul (`linalg.matmul`, `linalg.batch_matmul` with a
      broadcast weight, or the importer's contraction `linalg.generic`,
      weight `[K, N]` or `[N, K]`): the matmul reads the stored weight.
    - ONNX Runtime's dynamic int8 form: `loom_quant.dynamic_quantize` of the
      activations, the importer's integer contraction (MatMulInteger, i32
      accumulation with zero points), a cast to float and a multiplication
      by `x_scale * w_scale`: the product is a W8A8 `loom_quant.matmul`
      whose input scale and zero point come from the dynamic quantization
      and whose weight scale is the multiplication's other factor (scale
      migration: the scale multiply is folded into the op).
    - A multiplication of a `loom_quant.matmul` result by a per-tensor or
      per-output-channel constant scale (with a per-tensor or
      per-channel weight scheme) is folded into the weight scale.

    `com.microsoft` MatMulNBits is already imported as `loom_quant.matmul`.
  }];
  let dependentDialects = [
    "mlir::loom::quant::LoomQuantDialect", "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect", "mlir::arith::ArithDialect"
  ];
}

#endif // LOOM_PASSES_TRANSFORMS_PASSES_TD
