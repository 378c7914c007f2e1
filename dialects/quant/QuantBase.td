//===- QuantBase.td - The loom_quant dialect ----------------------*- tablegen -*-===//
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
}

class LoomQuant_Op<string mnemonic, list<Trait> traits = []>
    : Op<LoomQuant_Dialect, mnemonic, traits>;

#endif // LOOM_QUANT_BASE_TD
