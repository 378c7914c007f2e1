//===- InitAll.cpp - Register Loom's dialects and passes -----------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "loom/InitAll.h"

#include "dialects/attn/AttnDialect.h"
#include "dialects/moe/MoeDialect.h"
#include "dialects/quant/QuantDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

void mlir::loom::registerAllDialects(DialectRegistry &registry) {
  registry.insert<attn::LoomAttnDialect, moe::LoomMoeDialect,
                  quant::LoomQuantDialect>();
  // Upstream dialects the importer emits and the lowerings go through.
  registry.insert<arith::ArithDialect, bufferization::BufferizationDialect,
                  func::FuncDialect, linalg::LinalgDialect, math::MathDialect,
                  memref::MemRefDialect, scf::SCFDialect,
                  tensor::TensorDialect>();
}

void mlir::loom::registerAllPasses() {
  // Generic upstream transforms (canonicalize, cse, inline, ...).
  registerTransformsPasses();
}
