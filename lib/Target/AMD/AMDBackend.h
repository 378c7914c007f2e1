//===- AMDBackend.h - The AMD GPU target ------------------------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_AMD_AMDBACKEND_H
#define LOOM_TARGET_AMD_AMDBACKEND_H

#include "loom/Target/TargetBackend.h"

namespace mlir {
class DialectRegistry;
namespace loom {

class AMDBackend : public TargetBackend {
public:
  /// `chip` is a CDNA `gfxXXX` name (wave64, MFMA); `format` is how device
  /// code is embedded: "bin" (an HSACO code object) or "isa" (assembly
  /// text, for tests only: the HIP runtime cannot load it).
  AMDBackend(std::string spec, std::string chip, std::string format = "bin");

  StringRef getSpec() const override { return spec; }
  void buildLoweringPipeline(OpPassManager &pm) const override;
  FailureOr<TargetBinary> serialize(ModuleOp module) const override;

  /// Checks a `rocm:` spec's variant ("gfx942"), or says what is wrong.
  static LogicalResult parseChip(StringRef variant, std::string &chip,
                                 std::string &error);

private:
  std::string spec;
  std::string chip;
  std::string format;
};

namespace amd {
/// A directory laid out as MLIR's ROCDL serializer expects a ROCm install:
/// `llvm/bin/ld.lld` (LLVM 22's, not an older system lld, which rejects the
/// code object ABI) and `amdgcn/bitcode/` with the device libraries (ocml,
/// ockl, ...) including `oclc_isa_version_<N>.bc` for `chip`. $ROCM_PATH
/// is used as is when it has both; otherwise the directory is assembled
/// under the temporary directory from LLVM 22's bin directory and Debian's
/// rocm-device-libs, writing the ISA-version library when the installed
/// set lacks the chip (Debian's 5.2 set stops at gfx940). Empty, with
/// `error` set, when no ld.lld or no device library is found.
std::string prepareROCmToolkit(StringRef chip, std::string &error);

/// Dialects and interfaces the AMD lowering and serialization need
/// (gpu, rocdl, amdgpu, the ROCDL target attribute, their translations).
void registerAMDDialects(DialectRegistry &registry);

/// Registers `loom-amd-lowering{chip=gfx942 format=isa}` and the AMD passes.
void registerAMDLoweringPipeline();
} // namespace amd

} // namespace loom
} // namespace mlir

#endif // LOOM_TARGET_AMD_AMDBACKEND_H
