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
    * a mask that is exactly the causal pattern (`j <= i` from
      `linalg.index`, with `Sq == Skv` provable) becomes `causal`; any other
      mask stays a mask operand.

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

// (The raise-moe and raise-quant passes are declared here too.)

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
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::affine::AffineDialect"];
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
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

#endif // LOOM_PASSES_TRANSFORMS_PASSES_TD
