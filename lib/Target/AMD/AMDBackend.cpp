//===- AMDBackend.cpp - The AMD target: GPU kernels and host code ---------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Lowers a tensor-level module through MLIR's GPU path, as the NVIDIA target
// does, and leaves it at ROCDL: kernels are outlined into `gpu.module`s,
// converted to the ROCDL dialect (wave64, HIP runtime conventions), and
// serialized by `gpu-module-to-binary` into an HSACO code object: LLVM's
// AMDGPU backend assembles them and LLVM 22's ld.lld links them, with the
// ROCm device libraries linked in for math functions.
//
// Output format: one host shared object per module (kind "rocm-elf-so"),
// built exactly like the CUDA one (cpu::compileHostSharedObject): the HSACO
// is embedded as a constant by `#gpu.select_object` and loaded and launched
// through the same `mgpu*` functions, which the runtime implements over its
// dlopen'ed HIP library when the device is "rocm".
//
// The loop mapping, vectorization and device-buffer passes are the
// NVIDIA target's (they are vendor-neutral despite their prefix). What is
// AMD's own: the chip names, matmuls on MFMA (loom-amd-matmul-to-mfma, and
// loom-amd-dequant-matmul-to-mfma for dequantizing f32 contractions), MoE
// grouped matmuls and attention on MFMA (loom-amd-grouped-matmul-to-mfma,
// loom-amd-attention-to-mfma), the ROCDL conversion and the
// toolkit/device-library handling (Toolkit.cpp).
//
//===----------------------------------------------------------------------===//

#include "lib/Target/AMD/AMDBackend.h"
#include "lib/Target/AMD/Passes.h"
#include "lib/Target/CPU/CPUBackend.h"
#include "lib/Target/CPU/Passes.h"
#include "lib/Target/NVIDIA/Passes.h"

#include "mlir/Dialect/AMDGPU/IR/AMDGPUDialect.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/ROCDL/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/ROCDL/ROCDLToLLVMIRTranslation.h"
#include "llvm/Support/FormatVariadic.h"

#include <mutex>

using namespace mlir;
using namespace mlir::loom;

namespace {

/// The pipeline, as text so that `loom-opt` runs exactly the same thing
/// under `loom-amd-lowering`. {0}: chip, {1}: the gpu-module-to-binary
/// stage (empty to stop at ROCDL + LLVM dialect), {2}: MFMA matmuls (plain,
/// then dequantizing), {3}: MFMA MoE grouped matmuls (on tensors, before the
/// MoE ops are lowered), {4}: MFMA attention (on tensors, before the
/// attention ops are lowered).
///
/// Up to the kernels' outlining it is the NVIDIA pipeline: 256 threads per
/// block are four wave64 wavefronts. `amdgpu` ops (MFMA) go to ROCDL with
/// the kernels; `convert-gpu-to-rocdl` uses the HIP runtime's conventions
/// (printf, kernel arguments) and the chip's math libraries.
constexpr const char *kAMDLoweringPipeline =
    "func.func(loom-convert-quant-to-linalg{{integer-product=true "
    "signed-activations=true},{3}loom-convert-moe-to-linalg,"
    "{4}loom-convert-attn-to-linalg),"
    "canonicalize,"
    "func.func(loom-cpu-fuse-elementwise{{gpu=true}),"
    "one-shot-bufferize{{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map "
    "allow-return-allocs-from-loops},"
    // buffer-deallocation-pipeline, with multi-buffer deallocs split first.
    "expand-realloc{{emit-deallocs=false},canonicalize,"
    "ownership-based-buffer-deallocation,canonicalize,"
    "buffer-deallocation-simplification,loom-nvidia-split-deallocs,"
    "bufferization-lower-deallocations,cse,canonicalize,"
    "convert-bufferization-to-memref,"
    "func.func(loom-cpu-copies-to-linalg{2},convert-linalg-to-parallel-loops,"
    "loom-nvidia-vectorize-loops,"
    "loom-nvidia-map-loops-to-gpu),"
    "loom-nvidia-device-buffers,"
    "func.func(convert-parallel-loops-to-gpu),"
    "convert-math-to-funcs,"
    "gpu-launch-sink-index-computations,"
    "gpu-kernel-outlining,"
    "func.func(gpu-async-region),"
    "rocdl-attach-target{{chip={0} O=3 wave64=true},"
    "expand-strided-metadata,"
    "lower-affine,"
    "convert-scf-to-cf,"
    "canonicalize,cse,"
    "gpu.module(convert-amdgpu-to-rocdl{{chipset={0}},"
    "convert-gpu-to-rocdl{{chipset={0} runtime=HIP},canonicalize,cse),"
    "loom-cpu-expose-entry-points,"
    "gpu-to-llvm,"
    "convert-to-llvm,"
    "reconcile-unrealized-casts,"
    "loom-cpu-emit-entry-wrappers"
    "{1}";

void registerPassesOnce() {
  cpu::registerPipelinePasses();
  static std::once_flag once;
  std::call_once(once, [] {
    nvidia::registerLoomNVIDIAPasses();
    amd::registerLoomAMDPasses();
  });
}

/// Chips with MFMA (CDNA) and wave64 that this target is built for.
constexpr const char *kChips[] = {"gfx908", "gfx90a",
                                  "gfx942", "gfx950"};

std::string buildPipelineText(StringRef chip, StringRef format) {
  std::string binary;
  if (!format.empty() && format != "none") {
    binary = (",gpu-module-to-binary{format=" + format).str();
    std::string error;
    std::string toolkit = amd::prepareROCmToolkit(chip, error);
    // Without a toolkit the serializer reports the missing linker itself;
    // the text stays parseable.
    if (!toolkit.empty())
      binary += " toolkit=" + toolkit;
    binary += "}";
  }
  // Every chip this target accepts has v_mfma_f32_16x16x4f32.
  return llvm::formatv(kAMDLoweringPipeline, chip, binary,
                       (",loom-amd-matmul-to-mfma{chip=" + chip +
                        "},loom-amd-dequant-matmul-to-mfma{chip=" + chip + "}")
                           .str(),
                       ("loom-amd-grouped-matmul-to-mfma{chip=" + chip + "},")
                           .str(),
                       ("loom-amd-attention-to-mfma{chip=" + chip + "},").str())
      .str();
}

void addPipeline(OpPassManager &pm, StringRef chip, StringRef format) {
  registerPassesOnce();
  if (failed(
          parsePassPipeline(buildPipelineText(chip, format), pm, llvm::errs())))
    llvm::report_fatal_error("loom: the built-in AMD pipeline does not parse");
}

struct LoweringOptions : public PassPipelineOptions<LoweringOptions> {
  Option<std::string> chip{*this, "chip", llvm::cl::desc("gfxXXX (CDNA)"),
                           llvm::cl::init("gfx942")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Device code: bin (HSACO), isa (assembly text), or "
                     "none (stop at the ROCDL/LLVM dialects)"),
      llvm::cl::init("isa")};
};

} // namespace

void amd::registerAMDDialects(DialectRegistry &registry) {
  registry.insert<gpu::GPUDialect, ROCDL::ROCDLDialect,
                  amdgpu::AMDGPUDialect>();
  ROCDL::registerROCDLTargetInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerROCDLDialectTranslation(registry);
  gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
}

void amd::registerAMDLoweringPipeline() {
  registerPassesOnce();
  PassPipelineRegistration<LoweringOptions>(
      "loom-amd-lowering",
      "Lower a tensor-level module to host LLVM dialect + AMD GPU kernels",
      [](OpPassManager &pm, const LoweringOptions &options) {
        addPipeline(pm, options.chip, options.format);
      });
}

LogicalResult AMDBackend::parseChip(StringRef variant, std::string &chip,
                                    std::string &error) {
  if (variant.empty())
    variant = "gfx942";
  for (const char *known : kChips)
    if (variant == known) {
      chip = variant.str();
      return success();
    }
  error = ("unknown or unsupported AMD architecture '" + variant +
           "'; expected a CDNA chip (rocm:gfx942 for MI300, rocm:gfx90a for "
           "MI200, gfx908, gfx950)")
              .str();
  return failure();
}

AMDBackend::AMDBackend(std::string spec, std::string chip, std::string format)
    : spec(std::move(spec)), chip(std::move(chip)), format(std::move(format)) {}

void AMDBackend::buildLoweringPipeline(OpPassManager &pm) const {
  addPipeline(pm, chip, format);
}

FailureOr<TargetBinary> AMDBackend::serialize(ModuleOp module) const {
  DialectRegistry registry;
  amd::registerAMDDialects(registry);
  return cpu::serializeGpuHostCode(module, registry, "rocm-elf-so", spec);
}
