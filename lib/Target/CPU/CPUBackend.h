//===- CPUBackend.h - The CPU target ---------------------------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_CPU_CPUBACKEND_H
#define LOOM_TARGET_CPU_CPUBACKEND_H

#include "loom/Target/TargetBackend.h"

namespace mlir::loom {

class CPUBackend : public TargetBackend {
public:
  /// `cpuName` is "native" (or empty) for the host, or an LLVM CPU name.
  CPUBackend(std::string spec, std::string cpuName);

  StringRef getSpec() const override { return spec; }
  void buildLoweringPipeline(OpPassManager &pm) const override;
  FailureOr<TargetBinary> serialize(ModuleOp module) const override;

private:
  std::string spec;
  std::string cpuName;
};

namespace cpu {
/// Links an ELF relocatable object into a shared object, in memory, with
/// the lld library. Thread-safe (lld is serialized internally).
FailureOr<std::vector<char>> linkSharedObject(ArrayRef<char> object,
                                              std::string &error);

/// Translates an LLVM-dialect module (whose dialect translations are
/// registered in its context; builtin and LLVM are added here) to LLVM IR,
/// optimizes and compiles it for the x86-64 host (`cpuName` as for the
/// backend) and links it into a shared object. The GPU backends use it for
/// their host side.
FailureOr<std::vector<char>> compileHostSharedObject(ModuleOp module,
                                                     StringRef cpuName);

/// The artifact section of a GPU target: its lowered module's host code
/// (with the device binary embedded) as a portable x86-64 shared object.
/// `deviceDialects` holds the translations of the target's device dialects.
FailureOr<TargetBinary> serializeGpuHostCode(ModuleOp module,
                                             const DialectRegistry &deviceDialects,
                                             StringRef kind, StringRef target);

/// Registers, once per process, every pass the textual target pipelines
/// name (upstream, Loom's conversions, the CPU passes the GPU backends reuse
/// for their host code), so they parse with parsePassPipeline.
void registerPipelinePasses();

/// Registers `loom-cpu-lowering` with the pass pipeline registry.
void registerCPULoweringPipeline();
} // namespace cpu

} // namespace mlir::loom

#endif // LOOM_TARGET_CPU_CPUBACKEND_H
