//===- TargetRegistry.cpp - Target specs to backends ----------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "loom/Target/TargetBackend.h"

#include "lib/Target/CPU/CPUBackend.h"
#include "lib/Target/AMD/AMDBackend.h"
#include "lib/Target/NVIDIA/NVIDIABackend.h"

using namespace mlir;
using namespace mlir::loom;


StringRef mlir::loom::getTargetSpecHelp() {
  return "cpu | cpu:native | cpu:<llvm-cpu> (e.g. cpu:x86-64, cpu:x86-64-v3) "
         "| cuda:sm_<XX>[a] (e.g. cuda:sm_90a, cuda:sm_80) "
         "| rocm:gfx<XXX> (rocm:gfx942, rocm:gfx90a)";
}

FailureOr<std::unique_ptr<TargetBackend>>
mlir::loom::createTargetBackend(StringRef spec, std::string &error) {
  auto [kind, variant] = spec.split(':');
  if (kind == "cpu")
    return std::unique_ptr<TargetBackend>(
        std::make_unique<CPUBackend>(spec.str(), variant.str()));
  if (kind == "cuda") {
    std::string chip;
    if (failed(NVIDIABackend::parseChip(variant, chip, error)))
      return failure();
    return std::unique_ptr<TargetBackend>(
        std::make_unique<NVIDIABackend>(spec.str(), chip));
  }
  if (kind == "rocm") {
    std::string chip;
    if (failed(AMDBackend::parseChip(variant, chip, error)))
      return failure();
    return std::unique_ptr<TargetBackend>(
        std::make_unique<AMDBackend>(spec.str(), chip));
  }
  error = ("unknown target '" + spec + "'; expected " + getTargetSpecHelp())
              .str();
  return failure();
}
