//===- QuantOps.td - Operations of the loom_quant dialect ----*- tablegen -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_QUANT_OPS_TD
#define LOOM_QUANT_OPS_TD

include "dialects/quant/QuantAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def LoomQuant_QuantizeOp : LoomQuant_Op<"quantize", [Pure]> {
  let summary = "Quantizes a float tensor with a scheme";
  let description = [{
    `stored = saturate(round_half_even(input / scale) + zero_point)` for
    integer storages, `stored = convert(input / scale)` for 8-bit floats,
    with one scale (and zero point) per element group as the scheme says.
    A `packed` 4-bit result has an innermost dimension half that of the input
    (rounded up).

    Example:
    ```mlir
    %q = loom_quant.quantize %x, %scale, %zp
           {scheme = #loom_quant.scheme<u8, per_channel(axis = 1), zero_point>}
           : tensor<4x8xf32>, tensor<8xf32>, tensor<8xi8> -> tensor<4x8xi8>
    ```
  }];
  let arguments = (ins
    RankedTensorOf<[AnyFloat]>:$input,
    RankedTensorOf<[AnyFloat]>:$scale,
    Optional<AnyRankedTensor>:$zero_point,
    LoomQuant_SchemeAttr:$scheme
  );
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale (`,` $zero_point^)? attr-dict
    `:` type($input) `,` type($scale) (`,` type($zero_point)^)?
    `->` type($result)
  }];
  let hasVerifier = 1;
}

def LoomQuant_DequantizeOp : LoomQuant_Op<"dequantize", [Pure]> {
  let summary = "Turns quantized values back into floats";
  let description = [{
    `result = (stored - zero_point) * scale`, computed in the result's float
    type, with one scale (and zero point) per element group as the scheme
    says. A `packed` 4-bit input has an innermost dimension half that of the
    result.

    Example:
    ```mlir
    %w = loom_quant.dequantize %q, %s
           {scheme = #loom_quant.scheme<i4, per_group(axis = 1, size = 32), packed>}
           : tensor<64x64xi8>, tensor<64x4xf16> -> tensor<64x128xf16>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$input,
    RankedTensorOf<[AnyFloat]>:$scale,
    Optional<AnyRankedTensor>:$zero_point,
    LoomQuant_SchemeAttr:$scheme
  );
  let results = (outs RankedTensorOf<[AnyFloat]>:$result);
  let assemblyFormat = [{
    $input `,` $scale (`,` $zero_point^)? attr-dict
    `:` type($input) `,` type($scale) (`,` type($zero_point)^)?
    `->` type($result)
  }];
  let hasVerifier = 1;
}

def LoomQuant_DynamicQuantizeOp : LoomQuant_Op<"dynamic_quantize", [Pure]> {
  let summary = "Quantizes with scales computed from the input at run time";
  let description = [{
    Computes scales (and zero points for asymmetric schemes) from the value
    range of each element group of `input` — the whole tensor for
    `per_tensor`, each index along the axis for `per_channel` (per-token
    quantization of activations) — then quantizes as `loom_quant.quantize`.
    Integer schemes map `[min(x, 0), max(x, 0)]` onto the storage range
    (symmetric: `max|x|` onto `[-qmax, qmax]`). The scales come back as f32.

    `range`, when given, is that range computed beforehand: two f32 tensors
    shaped like `scale`, `min(x, 0)` and `max(x, 0)` of each group (a row
    loop that produced `input` can reduce each row as it writes it, so that
    the quantization needs no pass of its own over `input` for them). They
    must be exactly those values; otherwise the results are unspecified.

    Example:
    ```mlir
    %q, %s, %zp = loom_quant.dynamic_quantize %x
                    {scheme = #loom_quant.scheme<u8, zero_point>}
                    : tensor<4x8xf32> -> tensor<4x8xi8>, tensor<f32>, tensor<i8>
    %q2, %s2, %zp2 = loom_quant.dynamic_quantize %x range(%lo, %hi : tensor<f32>, tensor<f32>)
                    {scheme = #loom_quant.scheme<u8, zero_point>}
                    : tensor<4x8xf32> -> tensor<4x8xi8>, tensor<f32>, tensor<i8>
    ```
  }];
  let arguments = (ins
    RankedTensorOf<[AnyFloat]>:$input,
    Variadic<RankedTensorOf<[F32]>>:$range,
    LoomQuant_SchemeAttr:$scheme
  );
  let results = (outs
    AnyRankedTensor:$result,
    RankedTensorOf<[F32]>:$scale,
    Optional<AnyRankedTensor>:$zero_point
  );
  let assemblyFormat = [{
    $input (`range` `(` $range^ `:` type($range) `)`)? attr-dict
    `:` type($input) `->`
    type($result) `,` type($scale) (`,` type($zero_point)^)?
  }];
  let hasVerifier = 1;
}

def LoomQuant_MatmulOp : LoomQuant_Op<"matmul",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "Matrix multiplication with quantized weights (and inputs)";
  let description = [{
    `result = a @ dequantize(weight)` where the weight `[K, N]` (or `[N, K]`
    with `transpose_weight`, the layout of linear layers and `MatMulNBits`)
    is quantized with `weight_scheme`. When `input_scale` is given, `a` is
    itself quantized with `input_scheme` (W8A8, W4A8, FP8) and the product
    accumulates in integers (or f32 for FP8) before both scales are applied;
    otherwise `a` is float (W4A16, W8A16) and the weight is dequantized tile
    by tile, never as a whole. `a` may have leading batch dimensions
    `[..., M, K]`; the result is `[..., M, N]` in a float type.

    | scheme | a | weight |
    |--------|---|--------|
    | W4A16  | f16/bf16/f32 | i4/u4 packed, per_group |
    | W8A8   | i8/u8 + input_scale | i8, per_channel |
    | W4A8   | i8 + input_scale | i4 packed |
    | FP8    | f8E4M3FN + input_scale | f8E4M3FN |

    Example (W4A16, as imported from `MatMulNBits`):
    ```mlir
    %y = loom_quant.matmul %a, %w scale %s zero_point %z {
           weight_scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 32), zero_point, packed>,
           transpose_weight}
           : (tensor<4x128xf16>, tensor<256x64xi8>, tensor<256x4xf16>, tensor<256x4xi8>)
           -> tensor<4x256xf16>
    ```
  }];
  let arguments = (ins
    AnyRankedTensor:$a,
    AnyRankedTensor:$weight,
    RankedTensorOf<[AnyFloat]>:$weight_scale,
    Optional<AnyRankedTensor>:$weight_zero_point,
    Optional<RankedTensorOf<[AnyFloat]>>:$input_scale,
    Optional<AnyRankedTensor>:$input_zero_point,
    LoomQuant_SchemeAttr:$weight_scheme,
    OptionalAttr<LoomQuant_SchemeAttr>:$input_scheme,
    UnitAttr:$transpose_weight
  );
  let results = (outs RankedTensorOf<[AnyFloat]>:$result);
  let assemblyFormat = [{
    $a `,` $weight `scale` $weight_scale
    (`zero_point` $weight_zero_point^)?
    (`input_scale` $input_scale^)?
    (`input_zero_point` $input_zero_point^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The logical (unpacked) weight shape as [K, N] regardless of layout.
    SmallVector<int64_t, 2> getLogicalWeightKN();
  }];
}

#endif // LOOM_QUANT_OPS_TD
