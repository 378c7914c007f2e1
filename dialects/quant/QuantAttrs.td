//===- QuantAttrs.td - Attributes of the loom_quant dialect --*- tablegen -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_QUANT_ATTRS_TD
#define LOOM_QUANT_ATTRS_TD

include "dialects/quant/QuantBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def LoomQuant_StorageType : I32EnumAttr<"StorageType",
    "how one quantized element is stored", [
      I32EnumAttrCase<"i4", 0>,
      I32EnumAttrCase<"u4", 1>,
      I32EnumAttrCase<"i8", 2>,
      I32EnumAttrCase<"u8", 3>,
      I32EnumAttrCase<"f8E4M3FN", 4>,
      I32EnumAttrCase<"f8E5M2", 5>
    ]> {
  let cppNamespace = "::mlir::loom::quant";
  let genSpecializedAttr = 0;
}

def LoomQuant_Granularity : I32EnumAttr<"Granularity",
    "which elements share one scale", [
      I32EnumAttrCase<"per_tensor", 0>,
      I32EnumAttrCase<"per_channel", 1>,
      I32EnumAttrCase<"per_group", 2>
    ]> {
  let cppNamespace = "::mlir::loom::quant";
  let genSpecializedAttr = 0;
}

def LoomQuant_SchemeAttr : AttrDef<LoomQuant_Dialect, "Scheme"> {
  let mnemonic = "scheme";
  let summary = "How a tensor of stored values represents real values";
  let description = [{
    Syntax:
    ```
    #loom_quant.scheme<storage [, granularity] [, zero_point] [, packed]>
    granularity ::= per_tensor | per_channel(axis = A) | per_group(axis = A, size = G)
    ```
    - `storage`: `i4`, `u4`, `i8`, `u8`, `f8E4M3FN` or `f8E5M2`.
    - `per_tensor` (the default): one scale for the whole tensor (a tensor of
      rank 0 or shape `[1]`).
    - `per_channel(axis = A)`: one scale per index along dimension `A`
      (a 1-D scale tensor of that dimension's size). Per-token activation
      scales are `per_channel` along the token axis.
    - `per_group(axis = A, size = G)`: one scale per `G` consecutive elements
      along `A` (a scale tensor of the data's rank whose dimension `A` is
      `ceil(dim / G)`, as in ONNX blocked quantization and `MatMulNBits`).
    - `zero_point`: the scheme is asymmetric and a zero-point tensor of the
      scales' shape goes with it. Not allowed with 8-bit float storage.
    - `packed`: 4-bit values are stored two per byte in a tensor of 8-bit
      integers whose innermost dimension is half the logical one; element
      `2i` is the low nibble and `2i+1` the high nibble (ONNX `MatMulNBits`
      order). Only for `i4`/`u4`.

    Examples:
    ```
    #loom_quant.scheme<i8>
    #loom_quant.scheme<u8, per_channel(axis = 1), zero_point>
    #loom_quant.scheme<u4, per_group(axis = 1, size = 32), zero_point, packed>
    #loom_quant.scheme<f8E4M3FN, per_channel(axis = 0)>
    ```
  }];
  let parameters = (ins
    EnumParameter<LoomQuant_StorageType>:$storage,
    EnumParameter<LoomQuant_Granularity>:$granularity,
    "int64_t":$axis,
    "int64_t":$groupSize,
    "bool":$hasZeroPoint,
    "bool":$packed
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Bits of one stored element (4 or 8).
    unsigned getStorageBitWidth() const;
    /// True for the 8-bit float storages.
    bool isFloatStorage() const;
    /// True for i4/i8 (signed integer storage).
    bool isSignedStorage() const;
    /// Smallest and largest representable stored integer (integer storages).
    int64_t getQMin() const;
    int64_t getQMax() const;
    /// The element type of an unpacked tensor holding this storage: a
    /// signless integer of the storage width, or the 8-bit float type.
    Type getStorageElementType(MLIRContext *ctx) const;
  }];
}

#endif // LOOM_QUANT_ATTRS_TD
