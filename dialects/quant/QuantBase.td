//===- QuantBase.td - The loom_quant dialect ---------------*- tablegen -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_QUANT_BASE_TD
#define LOOM_QUANT_BASE_TD

include "mlir/IR/OpBase.td"

def LoomQuant_Dialect : Dialect {
  let name = "loom_quant";
  let cppNamespace = "::mlir::loom::quant";
  let summary = "Quantized tensors and matmuls: INT8, INT4, FP8";
  let description = [{
    The `loom_quant` dialect describes quantized values and the ops that make,
    consume and multiply them. A quantization *scheme*
    (`#loom_quant.scheme<...>`) says how a tensor of integers or 8-bit floats
    stands for a real tensor: the storage type, the granularity of its scales
    (one per tensor, one per channel along an axis, or one per group of
    `size` consecutive elements along an axis), whether it has a zero point,
    and whether 4-bit values are packed two to a byte.

    The scheme is an attribute of each op rather than part of the tensor type,
    so quantized tensors stay plain builtin tensors (`tensor<..xi8>`) that
    every upstream pass, bufferization included, handles unchanged.

    Real value = (stored - zero_point) * scale, with zero_point = 0 when the
    scheme is symmetric.
  }];
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    /// Defined next to the attribute storage classes (QuantAttrs.cpp).
    void registerAttributes();
  }];
}

class LoomQuant_Op<string mnemonic, list<Trait> traits = []>
    : Op<LoomQuant_Dialect, mnemonic, traits>;

#endif // LOOM_QUANT_BASE_TD
