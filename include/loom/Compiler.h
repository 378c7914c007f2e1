//===- Compiler.h - Compile a module into a .loom artifact ------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The compiler's one entry point after import: lower a tensor-level module
// for each requested target and package the device code, with the entry
// points' signatures, into one artifact the runtime loads. loomc and the
// JIT library both go through here.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_COMPILER_H
#define LOOM_COMPILER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mlir::loom {

/// Function argument/result attributes the compiler reads to describe entry
/// points: the value's name (an ONNX graph input/output name) and, per
/// dimension, the name of a symbolic dimension ("" where it has none).
inline constexpr llvm::StringLiteral kNameAttr = "loom.name";
inline constexpr llvm::StringLiteral kDimNamesAttr = "loom.dim_names";
/// Marks an integer argument/result as unsigned (tensors are signless).
inline constexpr llvm::StringLiteral kUnsignedAttr = "loom.unsigned";

struct CompileOptions {
  /// Target specs, e.g. {"cpu"}; see getTargetSpecHelp().
  std::vector<std::string> targets = {"cpu"};
  /// Print the IR after every pass to stderr (--mlir-print-ir-after-all).
  bool printIRAfterAll = false;
  /// Run Loom's target-independent optimizations (loom-optimize: raising
  /// to the Loom dialects, fusion) on the module before the targets.
  bool optimize = true;
  /// Within loom-optimize: run the raising passes (off: a baseline).
  bool raise = true;
  /// Called with a short description as each stage starts.
  std::function<void(llvm::StringRef stage)> progress;
};

/// Lowers `module` (left untouched: each target works on a clone) for every
/// target in `options` and returns the bytes of a .loom artifact. Errors are
/// reported through the module's context diagnostics.
FailureOr<std::vector<uint8_t>> compileToArtifact(ModuleOp module,
                                                  const CompileOptions &options);

} // namespace mlir::loom

#endif // LOOM_COMPILER_H
