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

    With `integer-product` (set by the NVIDIA and AMD pipelines), a matmul
    of 8-bit integer input and weight whose scales do not vary along K (W8A8)
    becomes instead an `i8 x i8 -> i32` 2-d contraction of the stored bytes
    (`[M, K]` with the batch dimensions collapsed, times `[K, N]` or
    `[N, K]`), which 8-bit tensor cores take, and an elementwise epilogue
    that subtracts the zero-point corrections (column sums of the weight
    times the input zero point, row sums of the input times the weight zero
    point, plus `K * za * zw`) and multiplies by both scales. i32 sums are
    exact, so this is ONNX MatMulInteger's value, scaled.

    With `signed-activations` as well (set by the AMD pipeline, whose
    integer MFMA is signed x signed only), unsigned 8-bit inputs with a
    zero point are re-centred: `a xor 0x80` read as i8 is `a - 128`, and
    the zero point used in the corrections is `za - 128`, so
    `a - za` is unchanged and the product is `extsi x extsi`.

    With `f8-product` (set by the NVIDIA pipeline on sm_89 and newer, whose
    tensor cores multiply e4m3), a matmul of f8E4M3FN input and weight
    whose scales do not vary along K becomes an `extf(a) * extf(w)` f32
    2-d contraction of the stored 8-bit floats (the same `[M, K]` form)
    and an elementwise epilogue that multiplies by both scales. Products of
    e4m3 values are exact in f32. `loom-expand-f8-extf` must run before the
    LLVM lowering to expand the `arith.extf` that no tensor-core pass took.
  }];
  let options = [
    Option<"integerProduct", "integer-product", "bool", /*default=*/"false",
           "W8A8 matmuls as an i8 x i8 -> i32 contraction and an epilogue">,
    Option<"signedActivations", "signed-activations", "bool",
           /*default=*/"false",
           "with integer-product: u8 inputs with a zero point re-centred as "
           "i8 (a xor 0x80, zero point - 128)">,
    Option<"f8Product", "f8-product", "bool", /*default=*/"false",
           "f8E4M3FN x f8E4M3FN matmuls as an f32 contraction of the stored "
           "8-bit floats and a scale epilogue">
  ];
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
    - `grouped_matmul`: one `scf.forall` over (column block, row tile):
      every expert's row block is cut into tiles of 8 rows (a tile of at
      most 4 left is a half tile), each a static `linalg.matmul` in f32 on
      that expert's weights, so only routed rows are computed. With
      `weight-panel-width`, constant weights `[E, K, N]` are repacked at
      compile time into `[E, N / w, K, w]` and the column blocks are the
      panels (contiguous weight rows). With `fuse-epilogues`, an
      elementwise `linalg.generic` whose inputs are all grouped matmuls
      over the same rows (SiLU(gate) * up) runs inside their common
      `scf.forall` on each tile.
    - `combine`: inverts the permutation, then a `linalg.generic` over
      `[T, d]` sums the k weighted rows in f32.
  }];
  let options = [
    Option<"weightPanelWidth", "weight-panel-width", "int64_t",
           /*default=*/"0",
           "Repack constant grouped-matmul weights into column panels of "
           "this many elements (0: keep [E, K, N]; the CPU pipeline sets "
           "its register tile's width)">,
    Option<"fuseEpilogues", "fuse-epilogues", "bool", /*default=*/"false",
           "Run elementwise consumers of grouped matmuls inside their row "
           "tiles (the CPU pipeline enables it)">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect"
  ];
}

def ConvertAttnToLinalgPass
    : Pass<"loom-convert-attn-to-linalg", "func::FuncOp"> {
  let summary = "Lowers loom_attn ops to linalg, scf, tensor, arith and math";
  let description = [{
    - `attention`: a FlashAttention-style online softmax. An `scf.for` over
      blocks of `kv-block-size` keys (a tail block when the size does not
      divide Skv, which may be dynamic) carries the running row max, the
      running row sum and an f32 output accumulator. Per block: the scores
      by a contraction `linalg.generic` (Q K^T in f32), one elementwise
      generic that scales, soft-caps, adds the bias and the float mask and
      sets to -inf what the i1 mask, `causal`, `window` (with `sinks`) and
      the sparsity attribute drop, then the rescaled updates of the max,
      the sum and the accumulator (P V). Finally acc / l, zeros for rows
      that see no key, rounded to the value type. Grouped-query heads are
      a reshape of the queries to [B, Hkv, Hq / Hkv, Sq, D]. A block that no
      query sees (left of every query's window, or excluded by the sparsity
      pattern for every head; sinks keep theirs) is skipped by an `scf.if`;
      with a sparsity attribute the step is `kv-block-size` rounded down to
      a multiple of the pattern's key block (at least one block). `causal`
      attention (without sparsity) over more than `kv-block-size` queries,
      or a dynamic number, runs in an outer `scf.for` over blocks of that
      many queries, and each block's key loop stops after its last row's
      position: the key blocks above the diagonal are never computed
      (with `causal-query-blocks`, which the CPU pipeline sets).
    - `paged_attention`: the same loop, up to the longest sequence; each
      block of keys and values is gathered through the block table,
      positions at or past the sequence's length read nothing and are
      dropped, and `seq_lens[b]` is the sequence's Skv for causal and
      window alignment.
    - `kv_cache_write`: an `scf.for` over tokens; a non-negative slot
      inserts the token's key and value rows with `tensor.insert_slice`.
    - `rope`: one elementwise `linalg.generic` in f32 that reads the partner
      channel and the cos/sin tables with `tensor.extract`.
  }];
  let options = [
    Option<"kvBlockSize", "kv-block-size", "int64_t", /*default=*/"64",
           "Keys per step of the online-softmax loop">,
    Option<"causalQueryBlocks", "causal-query-blocks", "bool",
           /*default=*/"false",
           "Run causal attention in blocks of queries that skip the key "
           "blocks above the diagonal (the CPU pipeline enables it; on GPUs "
           "each block is a host loop step of kernel launches)">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect"
  ];
}

def ExpandF8ExtFPass : Pass<"loom-expand-f8-extf", "func::FuncOp"> {
  let summary = "Expands arith.extf from 8-bit floats into integer arithmetic";
  let description = [{
    The LLVM lowering has no conversion from f8E4M3FN or f8E5M2: each
    scalar `arith.extf` from one of them becomes the exact decode by integer
    arithmetic that the loom_quant lowering uses (bit fields, subnormals,
    NaN and, for f8E5M2, infinities), then an `arith.extf`/`arith.truncf`
    to the result type if it is not f32. Runs after the tensor-core passes,
    which take f8 contractions in their `extf` form.

    ```mlir
    %y = arith.extf %x : f8E4M3FN to f32
    // becomes
    %b = arith.bitcast %x : f8E4M3FN to i8
    ...   // exponent and mantissa fields, select for subnormals and NaN
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

#endif // LOOM_PASSES_CONVERSION_PASSES_TD
