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

#endif // LOOM_TARGET_CPU_PASSES_TD
