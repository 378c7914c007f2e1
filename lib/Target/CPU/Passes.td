//===- Passes.td - Passes of the CPU target ----------------*- tablegen -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_CPU_PASSES_TD
#define LOOM_TARGET_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def ExposeEntryPointsPass : Pass<"loom-cpu-expose-entry-points", "ModuleOp"> {
  let summary = "Marks public functions as entry points with a C interface";
  let description = [{
    Every public `func.func` of the module becomes an entry point of the
    compiled CPU module: it gets `llvm.emit_c_interface`, so that the
    conversion to the LLVM dialect emits `_mlir_ciface_<name>`, which takes
    pointers to memref descriptors. Private functions are left alone.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def CopiesToLinalgPass : Pass<"loom-cpu-copies-to-linalg", "func::FuncOp"> {
  let summary = "Rewrites memref.copy as linalg.copy";
  let description = [{
    Bufferization copies buffers with `memref.copy`, which the LLVM
    conversion turns into a call to `memrefCopy` from MLIR's runner
    utilities whenever a side is not contiguous. Compiled modules must not
    depend on that library, so copies become `linalg.copy`, which lowers to
    plain loops with the rest of linalg.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def EmitEntryWrappersPass : Pass<"loom-cpu-emit-entry-wrappers", "ModuleOp"> {
  let summary = "Emits loom_call_<name>(void **args) for each entry point";
  let description = [{
    Runs on the LLVM dialect, after the conversion. For each
    `_mlir_ciface_<name>` function it adds `loom_call_<name>(ptr args)`, the
    symbol the runtime looks up (runtime/include/loom_abi.h): `args[0]` is
    the call context, `args[1]` the results buffer and `args[2 + i]` the
    descriptor of input `i`. The wrapper loads the pointers and forwards
    them, so the runtime calls every entry point the same way whatever its
    arity.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def FuseElementwisePass : Pass<"loom-cpu-fuse-elementwise", "func::FuncOp"> {
  let summary = "Fuses elementwise linalg producers into consumers that do "
                "not recompute them";
  let description = [{
    Like `linalg-fuse-elementwise-ops`, but a producer is fused only into a
    consumer with no more loops than itself (with several uses, into each). An
    elementwise op feeding a matmul stays separate: fused, its body would run
    once per output column, and the matmul would no longer be a contraction
    that tiles into FMAs.

    With `gpu` (the NVIDIA target) it is upstream's pass (single-use
    producers, reshape propagation, canonicalization) except that a 16-bit
    float producer is never fused into a reduction with more loops, so the
    operands of 16-bit matmuls stay buffers the tensor-core kernels load
    tile by tile.
  }];
  let options = [
    Option<"gpu", "gpu", "bool", /*default=*/"false",
           "Upstream's fusion, minus fusion into larger reductions">,
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::affine::AffineDialect"];
}

def TileAndVectorizePass : Pass<"loom-cpu-tile-and-vectorize", "func::FuncOp"> {
  let summary = "Tiles linalg ops for threads, cache and registers, then "
                "vectorizes the register tiles";
  let description = [{
    Runs on tensors, before bufferization. Contractions (matmul,
    batch_matmul, generic contractions) get an `scf.forall` over output
    tiles of up to 32x128 when they are large enough to share across cores,
    then an `scf.for` nest down to an 8x32 register tile with K innermost in
    steps of one, which is vectorized into a `vector.contract`. Other linalg
    ops (elementwise chains fused upstream, reductions, fills, copies) get
    an `scf.forall` over their outermost parallel dimension when large and
    a vector of up to 16 lanes along their innermost dimension.

    Tile sizes divide the static sizes, so every tile is full; dynamic
    parallel dimensions are tiled by one. Ops the vectorizer cannot handle
    (gathers, convolutions, dynamic innermost dimensions) are left to the
    scalar loops of `convert-linalg-to-loops`.
  }];
  let options = [
    Option<"enableThreads", "threads", "bool", /*default=*/"true",
           "Distribute large ops across cores with scf.forall">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect"];
}

def LowerVectorsPass : Pass<"loom-cpu-lower-vectors", "func::FuncOp"> {
  let summary = "Hoists accumulator transfers and lowers vector ops to 1-D "
                "forms, contractions to FMAs";
  let description = [{
    Runs on buffers. Hoists loop-invariant `vector.transfer_read`/`write`
    pairs (the accumulator of a matmul register tile) out of their loops,
    lowers `vector.contract` to `vector.outerproduct` and then to
    `vector.fma`, multi-reductions to 1-D reductions, transfers to 1-D
    ones, and transposes, broadcasts, shape casts and masks to what
    `convert-vector-to-llvm` takes. A vector f32 `math.exp` becomes a
    polynomial approximation.
  }];
  let dependentDialects = ["mlir::vector::VectorDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::memref::MemRefDialect"];
}

#endif // LOOM_TARGET_CPU_PASSES_TD
