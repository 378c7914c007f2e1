//===- TargetBackend.h - One way into each code generation target -*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Every target (CPU, NVIDIA, AMD) implements the same hooks: build the pass
// pipeline that lowers a tensor-level module (upstream dialects + Loom ops)
// to the target's IR, then serialize the lowered module into the bytes of an
// artifact section. The compiler drives all targets through this interface
// and never includes a target's internals.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_TARGETBACKEND_H
#define LOOM_TARGET_TARGETBACKEND_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

#include <memory>
#include <string>

namespace mlir {
class OpPassManager;
namespace loom {

/// Device code for one target, as it goes into the artifact.
struct TargetBinary {
  /// The section kind the runtime dispatches on ("cpu-elf-so", ...).
  std::string kind;
  /// The target spec it was built for ("cpu", "cuda:sm_90a", ...).
  std::string target;
  std::vector<char> bytes;
};

class TargetBackend {
public:
  virtual ~TargetBackend() = default;

  /// The target spec this backend was created from ("cpu", "cpu:x86-64").
  virtual StringRef getSpec() const = 0;

  /// Adds the passes that take a tensor-level module down to the IR that
  /// `serialize` consumes (the LLVM dialect for the CPU).
  virtual void buildLoweringPipeline(OpPassManager &pm) const = 0;

  /// Turns the lowered module into the bytes of an artifact section.
  virtual FailureOr<TargetBinary> serialize(ModuleOp module) const = 0;
};

/// Parses a target spec (`cpu`, `cpu:native`, `cpu:x86-64`; GPU targets
/// arrive with their backends) and creates its backend, or explains why not.
FailureOr<std::unique_ptr<TargetBackend>>
createTargetBackend(StringRef spec, std::string &error);

/// The spec syntax of every target this build knows, for --help texts.
StringRef getTargetSpecHelp();

} // namespace loom
} // namespace mlir

#endif // LOOM_TARGET_TARGETBACKEND_H
