//===- NVIDIABackend.h - The NVIDIA GPU target ------------------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_NVIDIA_NVIDIABACKEND_H
#define LOOM_TARGET_NVIDIA_NVIDIABACKEND_H

#include "loom/Target/TargetBackend.h"

namespace mlir {
class DialectRegistry;
namespace loom {

class NVIDIABackend : public TargetBackend {
public:
  /// `chip` is an `sm_XX[a]` name; `format` is how device code is embedded:
  /// "bin" (cubin through ptxas) or "isa" (PTX, JIT-compiled by the
  /// driver); empty picks "bin" when a CUDA toolkit is found.
  NVIDIABackend(std::string spec, std::string chip, std::string format = "");

  StringRef getSpec() const override { return spec; }
  void buildLoweringPipeline(OpPassManager &pm) const override;
  FailureOr<TargetBinary> serialize(ModuleOp module) const override;

  /// Checks a `cuda:` spec's variant ("sm_90a"), or says what is wrong.
  static LogicalResult parseChip(StringRef variant, std::string &chip,
                                 std::string &error);

private:
  std::string spec;
  std::string chip;
  std::string format;
};

namespace nvidia {
/// The CUDA toolkit with a `bin/ptxas` ($CUDA_HOME, $CUDA_PATH,
/// $CUDA_ROOT, /usr/local/cuda), or empty.
std::string findCUDAToolkit();

/// Dialects and interfaces the NVIDIA lowering and serialization need
/// (gpu, nvvm, nvgpu, the NVVM target attribute, their translations).
void registerNVIDIADialects(DialectRegistry &registry);

/// Registers `loom-nvidia-lowering{chip=sm_90a format=isa}`.
void registerNVIDIALoweringPipeline();
} // namespace nvidia

} // namespace loom
} // namespace mlir

#endif // LOOM_TARGET_NVIDIA_NVIDIABACKEND_H
