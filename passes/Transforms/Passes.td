//===- Passes.td - Loom's target-independent transforms ----*- tablegen -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Raising (exported graphs -> loom_attn / loom_moe / loom_quant) and fusion
// on tensors. The `loom-optimize` pipeline (Pipelines.cpp) runs them in order.
// One def per pass, one .cpp per pass.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_TRANSFORMS_PASSES_TD
#define LOOM_PASSES_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Raising
//===----------------------------------------------------------------------===//

def RaiseAttentionPass : Pass<"loom-raise-attention", "func::FuncOp"> {
  let summary = "Raises scaled-dot-product attention written as linalg ops "
                "to loom_attn.attention";
  let description = [{
    Recognises attention in the form the ONNX importer gives for exported
    graphs (MatMul / Transpose / Mul / Add / Softmax / MatMul), anchored at
    the `P V` contraction `[B, H, Sq, Skv] x [B, H, Skv, Dv]`:

    * `P` is a softmax over the last axis (max reduction, `x - max`, exp-sum
      reduction, division), optionally followed by the exporter's
      `where(isnan(p), 0, p)`, which the op's "fully masked row gives zeros"
      rule already covers;
    * its logits are `Q K^T` (a contraction reading the key transposed,
      either through its indexing map or as a `[B, H, D, Skv]` tensor),
      optionally multiplied by a splat constant, plus an optional additive
      mask whose indexing map broadcasts it (right-aligned) to the scores;
    * splat multiplications (or divisions) of `Q` and of `K` before the
      contraction are folded into `scale`;
    * f32 casts around the softmax of a bf16 / f16 graph (an upcast of the
      logits, the rounding of P, contractions that widen their operands and
      round their f32 accumulation) are looked through: the op computes in
      f32 (see its description);
    * the mask is read as a conjunction (across elementwise generics) of
      bounds on `j - i` (from `linalg.index` or a Range read along the rows
      or columns: LessOrEqual, Trilu, Where) and of other tensors, or
      element by element when it is a constant. A band `j - i <= Skv - Sq`
      becomes `causal`, a lower edge `window(left, 0)`, and the other
      conjuncts stay as an i1 mask. The split happens only when it is
      exact: `Skv - Sq` known (static, or 0 through one Range for rows and
      columns), and no rest when a float mask drops with a finite value
      (a row the rest drops entirely averages the values in the graph but
      gives zeros in the op). Any other mask stays a mask operand. The same
      split applies to `loom_attn.attention` that arrived with its mask
      (ONNX Attention) when the mask's last two sizes trace to Sq and Skv.

    RoPE in the exported form `x * cos + rotate_half(x) * sin` (half-split
    pairs over all channels, batch 1), with cos / sin tables computed
    elementwise from `concat(freqs, freqs)` (so both halves of a row are
    equal), becomes `loom_attn.rope` with positions `0 .. S-1` and the first
    half of each table.

    A further pattern folds GQA's `repeat_kv` (expand_shape, broadcast over a
    group dimension, reshape to `Hq` heads) of both key and value of a
    `loom_attn.attention` into grouped-query heads, so K and V are read once
    per KV head.

    Softmax over another axis, masks that do not broadcast to the scores,
    contractions with other layouts and non-constant scales are left alone.
  }];
  let dependentDialects = [
    "mlir::loom::attn::LoomAttnDialect", "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect"
  ];
}

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

    - `loom_quant.dequantize` of a 2-D weight feeding a float matmul
      (`linalg.matmul`, or the importer's contraction `linalg.generic`
      with a `[..., M, K]` input and the weight read as `[K, N]` or, for a
      Gemm with transB, `[N, K]`: `transpose_weight`): the matmul reads the
      stored weight with its scheme. When the input is itself a per-tensor
      `loom_quant.dequantize`, its stored values, scale and zero point
      become the quantized input (W8A8).
    - ONNX Runtime's dynamic int8 form: `loom_quant.dynamic_quantize` of the
      activations, the importer's integer contraction (MatMulInteger, i32
      accumulation with per-tensor or per-column zero points), a cast to
      float and a multiplication by `x_scale * w_scale`: a W8A8
      `loom_quant.matmul` whose input scale and zero point come from the
      dynamic quantization and whose weight scale is the multiplication's
      other factor (per tensor, or per output column). The scale
      multiplications are folded into the op.
    - Scale migration: a multiplication of a single-use
      `loom_quant.matmul` result by a constant scale moves into the weight
      scale: a one-element scale for any weight scheme, a per-column `[N]`
      one for a per-channel weight along N.

    It does not fire when the scale product does not involve the input's
    dynamic scale, when the dequantized value feeds anything but a matmul,
    or when a scale is known only at run time.

    `com.microsoft` MatMulNBits is already imported as `loom_quant.matmul`.
  }];
  let dependentDialects = [
    "mlir::loom::quant::LoomQuantDialect", "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect", "mlir::arith::ArithDialect"
  ];
}

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def FuseElementwisePass : Pass<"loom-fuse-elementwise", "func::FuncOp"> {
  let summary = "Fuses chains of elementwise linalg ops into one generic";
  let description = [{
    An elementwise (all-parallel) linalg producer is fused into a consumer
    with the same number of loops, so that a chain of ONNX elementwise
    nodes (casts, adds, activations, the gate product of SwiGLU, the
    scaling of a norm) becomes one kernel, and the squaring of RMSNorm goes
    into its row sum. Contractions (more loops than their elementwise
    producers) take nothing, so no producer is recomputed per output
    column; a norm becomes its row reduction (squares fused in), a per-row
    op (rsqrt(mean + eps)) and one elementwise op.
    Producers with other users are fused only when they read a single
    tensor and are cheap to recompute (no transcendental math, divisions or
    gathers).
    Then each norm becomes one unit: an elementwise op that scales rows by
    row reductions over its innermost dimension (and per-row ops on them),
    none of which has another user, is tiled by one row into an
    `scf.forall` with those reductions and per-row ops fused in, so that
    each row is reduced and scaled in one pass (RMSNorm, LayerNorm). A
    per-tensor `loom_quant.dynamic_quantize` of a norm's output gets its
    range from that loop: each row's min and max are reduced as the row is
    written, and only the per-row partials are reduced to the `range`
    operands, so the quantization makes no extra pass over the activation
    for them.

    With `row-loops=false` the norms stay separate linalg ops: the row loop
    is a CPU schedule (an `scf.forall` of small per-row ops), which the GPU
    targets would run as a host loop of kernel launches.
  }];
  let options = [
    Option<"rowLoops", "row-loops", "bool", /*default=*/"true",
           "Put each norm's reductions and scaling in one loop over rows">,
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect"];
}

def FuseEpiloguePass : Pass<"loom-fuse-epilogue", "func::FuncOp"> {
  let summary = "Folds bias and residual additions into the accumulator of "
                "the preceding contraction";
  let description = [{
    A contraction (`linalg.generic` with reductions and a multiply-add body,
    or a named matmul) whose accumulator is a fill of zero, and whose only
    user is an elementwise `linalg.generic` that adds a tensor to it
    (a bias broadcast along rows, a residual stream), is rewritten to start
    its accumulation from that tensor: the consumer loses the addition, and
    the rest of its body (activation, scale) stays as the contraction's
    single epilogue generic. When nothing but the addition remains, the
    consumer disappears.

    The contraction may reach the consumer through one reshape
    (`tensor.reshape`, `expand_shape`, `collapse_shape`) or
    `linalg.transpose` (GPT-2's Gemm over `[B*S, K]` rows reshaped back to
    `[B, S, N]`): a full-shape addend is reshaped back to the contraction's
    shape, a transposed addend map is permuted, and a bias is broadcast in
    the contraction's space when the reshape keeps the innermost axis (same
    static size) and the bias reads only that axis.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

#endif // LOOM_PASSES_TRANSFORMS_PASSES_TD
