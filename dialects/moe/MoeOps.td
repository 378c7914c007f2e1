//===- MoeOps.td - Operations of the loom_moe dialect ---------*- tablegen -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Shapes below use T tokens, E experts, k experts per token, d (or K) the
// hidden size and N the output width of an expert's matmul. Every dimension
// may be dynamic; the verifiers compare only what is static on both sides.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_MOE_OPS_TD
#define LOOM_MOE_OPS_TD

include "dialects/moe/MoeBase.td"
include "dialects/moe/MoeAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

//===----------------------------------------------------------------------===//
// RouteOp
//===----------------------------------------------------------------------===//

def LoomMoe_RouteOp : LoomMoe_Op<"route", [Pure]> {
  let summary = "picks the top-k experts of each token from router logits";
  let description = [{
    `logits` holds one row of router logits per token, `[T, E]`. For each
    token `t` the op turns its row into scores `s`, picks the `k` experts
    with the largest scores and returns their weights `[T, k]` (f32) and
    expert ids `[T, k]` (i32).

    Scores, computed in f32 whatever the element type of `logits`:
    - `softmax`: `s[e] = exp(l[e]) / sum_e' exp(l[e'])`, a softmax over all
      `E` experts, taken before the selection (Mixtral, Qwen-MoE).
    - `sigmoid`: `s[e] = 1 / (1 + exp(-l[e]))`, each expert on its own
      (DeepSeek-V3).
    - `given`: `s[e] = l[e]` (extended to f32): the input already holds the
      scores, e.g. a 16-bit export's softmax rounded as the graph rounds it
      before its TopK, so that ties after that rounding go as in the graph.

    Selection and order: `ids[t, 0..k)` are the experts of the `k` largest
    scores, sorted by descending score; equal scores are ordered by
    ascending expert id, so a tie (also one at the k-th place) goes to the
    lower id. The ids of one row are therefore distinct and
    `weights[t, j] >= weights[t, j + 1]`.

    Weights: without `normalize`, `weights[t, j] = s[ids[t, j]]`. With
    `normalize`, the k selected scores are divided by their sum,
    `weights[t, j] = s[ids[t, j]] / sum_j' s[ids[t, j']]`, so each row sums
    to 1 (`softmax` + `normalize` equals a softmax over the k selected
    logits, as Mixtral computes it).

    DeepSeek-V3's selection bias, group-limited selection and routed scaling
    factor are not part of this op.

    `k` must be at least 1 and, when `E` is static, at most `E`.

    Example:

    ```mlir
    %weights, %ids = loom_moe.route %logits top 2 softmax normalize
        : tensor<?x8xbf16> -> tensor<?x2xf32>, tensor<?x2xi32>
    ```
  }];

  let arguments = (ins
    2DTensorOf<[AnyFloat]>:$logits,
    ConfinedAttr<I64Attr, [IntMinValue<1>]>:$k,
    LoomMoe_ScoringAttr:$scoring,
    UnitAttr:$normalize
  );
  let results = (outs
    2DTensorOf<[F32]>:$weights,
    2DTensorOf<[I32]>:$ids
  );

  // The enum attribute prints its own leading space; `` drops the second.
  let assemblyFormat = [{
    $logits `top` $k `` $scoring (`normalize` $normalize^)? attr-dict
    `:` type($logits) `->` type($weights) `,` type($ids)
  }];

  let builders = [
    // Result types [T, k] follow from `logits` and `k`.
    OpBuilder<(ins "::mlir::Value":$logits, "int64_t":$k,
                   "::mlir::loom::moe::Scoring":$scoring,
                   CArg<"bool", "false">:$normalize)>
  ];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// DispatchOp
//===----------------------------------------------------------------------===//

def LoomMoe_DispatchOp : LoomMoe_Op<"dispatch", [
    Pure, AllElementTypesMatch<["x", "x_sorted"]>]> {
  let summary = "replicates token rows k times and groups them by expert";
  let description = [{
    `x` is `[T, d]`, one row per token; `ids` is `[T, k]`, the experts each
    token goes to (as `loom_moe.route` returns them). Choice `j` of token
    `t` has the flat index `f = t * k + j`. The op sorts the `T * k` flat
    indices by expert id, stably (equal experts keep ascending `f`), and
    returns, with `E = num_experts`:

    - `x_sorted` `[T * k, d]`: `x_sorted[i] = x[permutation[i] / k]`, the
      row of the token of the i-th sorted choice;
    - `expert_offsets` `[E + 1]` i32: `expert_offsets[0] = 0` and
      `expert_offsets[e + 1] = expert_offsets[e] + n_e`, with `n_e` the
      number of `(t, j)` where `ids[t, j] = e`; the rows of expert `e` are
      `x_sorted[expert_offsets[e] .. expert_offsets[e + 1])`, empty when no
      token chose it, and `expert_offsets[E] = T * k`;
    - `permutation` `[T * k]` i32: `permutation[i]` is the flat index `f`
      the i-th sorted row came from.

    Ids outside `[0, E)` give unspecified results. `num_experts` must be at
    least 1.

    Example:

    ```mlir
    %x_sorted, %offsets, %perm = loom_moe.dispatch %x, %ids experts 8
        : tensor<?x4096xbf16>, tensor<?x2xi32>
        -> tensor<?x4096xbf16>, tensor<9xi32>, tensor<?xi32>
    ```
  }];

  let arguments = (ins
    2DTensorOf<[AnyType]>:$x,
    2DTensorOf<[I32]>:$ids,
    ConfinedAttr<I64Attr, [IntMinValue<1>]>:$num_experts
  );
  let results = (outs
    2DTensorOf<[AnyType]>:$x_sorted,
    1DTensorOf<[I32]>:$expert_offsets,
    1DTensorOf<[I32]>:$permutation
  );

  let assemblyFormat = [{
    $x `,` $ids `experts` $num_experts attr-dict
    `:` type($x) `,` type($ids)
    `->` type($x_sorted) `,` type($expert_offsets) `,` type($permutation)
  }];

  let builders = [
    // Result types follow from `x`, `ids` and `num_experts`.
    OpBuilder<(ins "::mlir::Value":$x, "::mlir::Value":$ids,
                   "int64_t":$num_experts)>
  ];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// GroupedMatmulOp
//===----------------------------------------------------------------------===//

// Quantized weights will be added as optional trailing operands (`w_scale`,
// `w_zero`) and a scheme attribute, each in a keyword-introduced optional
// group between `$expert_offsets` and `attr-dict`, e.g.
// `(`scale` `(` $w_scale^ `:` type($w_scale) `)`)?`. The float form below
// then parses and prints unchanged. The float-only element type rule lives
// in the C++ verifier, so it can be relaxed there for quantized weights.
def LoomMoe_GroupedMatmulOp : LoomMoe_Op<"grouped_matmul", [
    Pure, AllElementTypesMatch<["x_sorted", "result"]>]> {
  let summary = "multiplies each expert's row block by that expert's weights";
  let description = [{
    `x_sorted` `[M, K]` holds rows grouped by expert (as `loom_moe.dispatch`
    returns them), `w` `[E, K, N]` the weights of the `E` experts and
    `expert_offsets` `[E + 1]` (i32) where each expert's rows start. For
    every expert `e` and every row `i` in
    `[expert_offsets[e], expert_offsets[e + 1])`:

    `result[i, n] = sum_c x_sorted[i, c] * w[e, c, n]`

    `expert_offsets` must start at 0, never decrease and end at `M`;
    otherwise the results are unspecified.

    The weights are float for now and have the element type of `x_sorted`;
    the result has it too.

    Example:

    ```mlir
    %y = loom_moe.grouped_matmul %x_sorted, %w, %offsets
        : tensor<?x4096xbf16>, tensor<8x4096x14336xbf16>, tensor<9xi32>
        -> tensor<?x14336xbf16>
    ```
  }];

  let arguments = (ins
    2DTensorOf<[AnyFloat]>:$x_sorted,
    3DTensorOf<[AnyFloat]>:$w,
    1DTensorOf<[I32]>:$expert_offsets
  );
  let results = (outs 2DTensorOf<[AnyFloat]>:$result);

  let assemblyFormat = [{
    $x_sorted `,` $w `,` $expert_offsets attr-dict
    `:` type($x_sorted) `,` type($w) `,` type($expert_offsets)
    `->` type($result)
  }];

  let builders = [
    // The result type [M, N] follows from `x_sorted` and `w`.
    OpBuilder<(ins "::mlir::Value":$x_sorted, "::mlir::Value":$w,
                   "::mlir::Value":$expert_offsets)>
  ];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// CombineOp
//===----------------------------------------------------------------------===//

def LoomMoe_CombineOp : LoomMoe_Op<"combine", [
    Pure, AllElementTypesMatch<["y_sorted", "result"]>]> {
  let summary = "un-permutes expert outputs and sums them with the weights";
  let description = [{
    The inverse of `loom_moe.dispatch`, weighted. `y_sorted` `[T * k, d]`
    holds the expert outputs in dispatch order, `permutation` `[T * k]`
    (i32) the flat index `t * k + j` each row came from, and `weights`
    `[T, k]` (f32) the routing weights. With `inv` the inverse of
    `permutation` (`permutation[inv[f]] = f`):

    `result[t, :] = sum_{j < k} weights[t, j] * y_sorted[inv[t * k + j], :]`

    The sum is taken in f32, in ascending `j`, and rounded once to the
    element type of `y_sorted`, which the result has. If `permutation` is not
    a permutation of `[0, T * k)` the results are unspecified.

    Example:

    ```mlir
    %out = loom_moe.combine %y_sorted, %perm, %weights
        : tensor<?x4096xbf16>, tensor<?xi32>, tensor<?x2xf32>
        -> tensor<?x4096xbf16>
    ```
  }];

  let arguments = (ins
    2DTensorOf<[AnyFloat]>:$y_sorted,
    1DTensorOf<[I32]>:$permutation,
    2DTensorOf<[F32]>:$weights
  );
  let results = (outs 2DTensorOf<[AnyFloat]>:$result);

  let assemblyFormat = [{
    $y_sorted `,` $permutation `,` $weights attr-dict
    `:` type($y_sorted) `,` type($permutation) `,` type($weights)
    `->` type($result)
  }];

  let builders = [
    // The result type [T, d] follows from `weights` and `y_sorted`.
    OpBuilder<(ins "::mlir::Value":$y_sorted, "::mlir::Value":$permutation,
                   "::mlir::Value":$weights)>
  ];
  let hasVerifier = 1;
}

#endif // LOOM_MOE_OPS_TD
