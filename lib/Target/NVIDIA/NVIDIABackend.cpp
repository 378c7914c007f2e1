//===- NVIDIABackend.cpp - The NVIDIA target: GPU kernels and host code ---===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Lowers a tensor-level module through MLIR's GPU path: linalg becomes
// parallel loops, which are tiled onto blocks and threads and outlined into
// `gpu.module` kernels; the kernels go to NVVM and through LLVM's NVPTX
// backend to PTX, and to a cubin through ptxas when a CUDA toolkit is
// installed (otherwise the PTX is embedded, for the driver to JIT).
//
// Output format: one host shared object per module (kind "cuda-elf-so"),
// built exactly like the CPU backend's (cpu::compileHostSharedObject), with
// the same `loom_call_<name>` entry points and host memrefs at the ABI. The
// device binary is embedded in it as a constant by MLIR's
// `#gpu.select_object`, and its kernels are loaded and launched through the
// `mgpu*` functions (mgpuModuleLoad, mgpuLaunchKernel, mgpuMemAlloc, ...)
// that the runtime provides over its dlopen'ed libcuda. One artifact section
// per target keeps the runtime's loader the same for every target.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/NVIDIA/NVIDIABackend.h"
#include "lib/Target/CPU/CPUBackend.h"
#include "lib/Target/CPU/Passes.h"
#include "lib/Target/NVIDIA/Passes.h"
#include "passes/Conversion/Passes.h"

#include "mlir/Conversion/GPUToNVVM/GPUToNVVM.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

#include <cstdlib>
#include <mutex>

using namespace mlir;
using namespace mlir::loom;

namespace {

/// The pipeline, as text so that `loom-opt` runs exactly the same thing
/// under `loom-nvidia-lowering`. {0}: chip, {1}: PTX features, {2}: the
/// gpu-module-to-binary stage (empty to stop at NVVM + LLVM dialect), {3}:
/// the matmul tensor-core passes, {5} and {6}: the two halves of the
/// attention kernel (sm_80+), {7}: whether W8A8 quantized matmuls become
/// i8 x i8 -> i32 contractions for the int8 mma.sync kernel (sm_80+), {8}:
/// whether FP8 (e4m3 x e4m3) quantized matmuls become f8 x f8 -> f32
/// contractions for the same kernel's e4m3 form (sm_89+). {9}: the W4A16 mma.sync
/// kernel, before the quantized matmuls are lowered.
///
/// On sm_80 and newer, 16-bit attention that fits becomes a FlashAttention-2
/// kernel on mma.sync (f32 attention a 3xTF32 one unless f32=simt): first a
/// call on buffers of its tensors ({5}), whose kernel is built once
/// deallocation has run ({6}).
/// Up to bufferization it is the CPU pipeline (elementwise producers are not
/// fused into matmuls, which keep materialized operands), except that
/// deallocations of several buffers are split (loom-nvidia-split-deallocs):
/// their generic lowering keeps addresses in heap buffers, which would be
/// device memory here. On sm_90a, 16-bit matmuls that fit become TMA + wgmma
/// kernels; on sm_80 and newer, 16-bit
/// matmuls that fit become warp-per-tile mma.sync kernels ({3}); before
/// them, matmuls of at most 16 rows become vectorized GEMV kernels; 16-bit MoE
/// grouped matmuls become a kernel of their own before the MoE ops are
/// lowered ({4}, sm_80 and newer). Then every
/// linalg op becomes `scf.parallel` loops, mapped onto blocks and threads
/// (contiguous dimension on thread x), buffers move to device memory at the
/// function boundary, and each loop nest becomes an outlined kernel. Math ops
/// NVVM has no lowering for (math.ipowi) become calls of functions that
/// `convert-math-to-funcs` generates; outlining copies the callees into the
/// kernel modules. The host
/// side keeps the CPU's entry-point passes, so the runtime calls both the same
/// way. `gpu-async-region` puts the host's copies and launches on one
/// stream per call.
constexpr const char *kNVIDIALoweringPipeline =
    "{5}func.func({9}loom-convert-quant-to-linalg{{integer-product={7} "
    "f8-product={8}}{4},"
    "loom-convert-moe-to-linalg,"
    "loom-convert-attn-to-linalg),"
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
    "convert-bufferization-to-memref,{6}"
    // The f8 extensions no tensor-core pass took become integer decodes.
    "func.func(loom-cpu-copies-to-linalg{3},loom-expand-f8-extf,"
    "convert-linalg-to-parallel-loops,"
    "loom-nvidia-vectorize-loops,"
    "loom-nvidia-map-loops-to-gpu),"
    "loom-nvidia-device-buffers,"
    "func.func(convert-parallel-loops-to-gpu),"
    "convert-math-to-funcs,"
    "gpu-launch-sink-index-computations,"
    // Host-side TMA descriptors and the kernels' nvgpu ops become NVVM/LLVM
    // before outlining, so kernel arguments are already LLVM pointers.
    "convert-nvgpu-to-nvvm,"
    "gpu-kernel-outlining,"
    "func.func(gpu-async-region),"
    "nvvm-attach-target{{chip={0} features={1} O=3},"
    "expand-strided-metadata,"
    "lower-affine,"
    "convert-scf-to-cf,"
    "canonicalize,cse,"
    "gpu.module(convert-nvgpu-to-nvvm,convert-gpu-to-nvvm,convert-nvvm-to-llvm,"
    "canonicalize,cse),"
    "loom-cpu-expose-entry-points,"
    "gpu-to-llvm,"
    "convert-to-llvm,"
    "reconcile-unrealized-casts,"
    "loom-cpu-emit-entry-wrappers"
    "{2}";

void registerPassesOnce() {
  cpu::registerPipelinePasses();
  static std::once_flag once;
  std::call_once(once, [] { nvidia::registerLoomNVIDIAPasses(); });
}

unsigned smVersion(StringRef chip) {
  unsigned sm = 0;
  (void)chip.drop_front(3)
      .take_while([](char c) { return isdigit(c); })
      .getAsInteger(10, sm);
  return sm;
}

/// PTX ISA version for the chip: 8.0 covers sm_80/86; the e4m3 mma.sync of
/// sm_89 and sm_90a needs 8.4 (CUDA 12.4); Blackwell needs newer ISAs.
std::string ptxFeatures(StringRef chip) {
  unsigned sm = smVersion(chip);
  if (sm >= 120)
    return "+ptx87";
  if (sm >= 100)
    return "+ptx86";
  if (sm >= 89)
    return "+ptx84";
  return "+ptx80";
}

/// How f32 matmuls and MoE grouped matmuls run on sm_80+: "3xtf32"
/// (tensor cores, mma.sync m16n8k8 tf32 with the 3xTF32 split, near-f32
/// accuracy) or "simt" (the SIMT loops). `requested` empty: the
/// environment's LOOM_CUDA_F32_MATMUL, else "3xtf32". Other values reach
/// the passes, which reject them with an error (a value that would not
/// parse as a pass option becomes "invalid").
std::string f32MatmulMode(StringRef requested) {
  std::string mode = requested.str();
  if (mode.empty())
    if (std::optional<std::string> env =
            llvm::sys::Process::GetEnv("LOOM_CUDA_F32_MATMUL"))
      mode = *env;
  if (mode.empty())
    return "3xtf32";
  if (!llvm::all_of(mode, [](char c) { return isalnum(c) || c == '-'; }))
    return "invalid";
  return mode;
}

std::string buildPipelineText(StringRef chip, StringRef format,
                              StringRef f32Matmul) {
  std::string binary;
  if (!format.empty() && format != "none") {
    binary = (",gpu-module-to-binary{format=" + format).str();
    std::string toolkit = nvidia::findCUDAToolkit();
    if (!toolkit.empty())
      binary += " toolkit=" + toolkit;
    binary += "}";
  }
  // Tensor cores through mma.sync exist from sm_80 (Ampere) on.
  // Hopper's TMA + wgmma path where the matmul fits it, mma.sync for the
  // rest on sm_80 and newer.
  // Skinny matmuls (decode) are bound by reading B: a vectorized GEMV
  // kernel on every chip, before the tensor-core passes.
  std::string tensorCores = ",loom-nvidia-matvec";
  if (chip == "sm_90a")
    tensorCores += ",loom-nvidia-matmul-to-wgmma";
  // f32 matmuls too, as 3xTF32, unless `f32Matmul` is "simt".
  std::string f32Option = "{f32=" + f32MatmulMode(f32Matmul) + "}";
  // FP8 (e4m3) mma.sync exists from sm_89 (Ada) on.
  bool fp8 = smVersion(chip) >= 89;
  if (smVersion(chip) >= 80)
    tensorCores += ",loom-nvidia-matmul-to-mma-sync" + f32Option +
                   ",loom-nvidia-int8-mma-sync" + (fp8 ? "{fp8=true}" : "");
  bool mma = smVersion(chip) >= 80;
  // 16-bit and f32 MoE grouped matmuls: an mma.sync kernel of their own
  // ({4}).
  std::string groupedMatmul =
      mma ? ",loom-nvidia-grouped-matmul-to-mma" + f32Option : "";
  // 16-bit attention that fits becomes a FlashAttention-2 mma.sync kernel
  // before the generic attention lowering sees it ({5}, {6}).
  // f32 attention too (3xTF32), unless `f32Matmul` is "simt".
  std::string attention =
      mma ? "loom-nvidia-attention-to-mma" + f32Option + "," : "";
  std::string attentionKernels = mma ? "loom-nvidia-attention-kernels," : "";
  // W4A16 quantized matmuls (MatMulNBits): an mma.sync kernel that
  // dequantizes the weight tile in shared memory ({8}).
  std::string w4Matmul =
      mma ? "loom-nvidia-w4-matmul-to-mma" + f32Option + "," : "";
  return llvm::formatv(kNVIDIALoweringPipeline, chip, ptxFeatures(chip), binary,
                       tensorCores, groupedMatmul, attention, attentionKernels,
                       mma ? "true" : "false", fp8 ? "true" : "false",
                       w4Matmul)
      .str();
}

void addPipeline(OpPassManager &pm, StringRef chip, StringRef format,
                 StringRef f32Matmul = "") {
  registerPassesOnce();
  // The text is a constant of this file plus a checked chip name and an
  // alphanumeric mode; failing to parse it is a build defect.
  if (failed(parsePassPipeline(buildPipelineText(chip, format, f32Matmul), pm,
                               llvm::errs())))
    llvm::report_fatal_error("loom: the built-in NVIDIA pipeline does not "
                             "parse");
}

struct LoweringOptions : public PassPipelineOptions<LoweringOptions> {
  Option<std::string> chip{*this, "chip", llvm::cl::desc("sm_XX[a]"),
                           llvm::cl::init("sm_90a")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Device code: isa (PTX), bin (cubin, needs ptxas), "
                     "fatbin, or none (stop at the NVVM/LLVM dialects)"),
      llvm::cl::init("isa")};
  Option<std::string> f32Matmul{
      *this, "f32-matmul",
      llvm::cl::desc("f32 matmuls and attention on sm_80+: 3xtf32 (tensor "
                     "cores, mma.sync m16n8k8 tf32 split in hi + lo) or simt; "
                     "default: "
                     "$LOOM_CUDA_F32_MATMUL, else 3xtf32"),
      llvm::cl::init("")};
};

} // namespace

std::string nvidia::findCUDAToolkit() {
  for (const char *var : {"CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"}) {
    if (std::optional<std::string> dir = llvm::sys::Process::GetEnv(var)) {
      llvm::SmallString<256> ptxas(*dir);
      llvm::sys::path::append(ptxas, "bin", "ptxas");
      if (llvm::sys::fs::can_execute(ptxas))
        return *dir;
    }
  }
  if (llvm::sys::fs::can_execute("/usr/local/cuda/bin/ptxas"))
    return "/usr/local/cuda";
  return "";
}

void nvidia::registerNVIDIADialects(DialectRegistry &registry) {
  registry.insert<gpu::GPUDialect, NVVM::NVVMDialect, nvgpu::NVGPUDialect>();
  NVVM::registerConvertGpuToNVVMInterface(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  // gpu-module-to-binary translates kernels to LLVM IR in the pipeline.
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
}

void nvidia::registerNVIDIALoweringPipeline() {
  PassPipelineRegistration<LoweringOptions>(
      "loom-nvidia-lowering",
      "Lower a tensor-level module to host LLVM dialect + NVIDIA GPU kernels",
      [](OpPassManager &pm, const LoweringOptions &options) {
        addPipeline(pm, options.chip, options.format, options.f32Matmul);
      });
}

LogicalResult NVIDIABackend::parseChip(StringRef variant, std::string &chip,
                                       std::string &error) {
  if (variant.empty())
    variant = "sm_80";
  StringRef digits = variant;
  if (!digits.consume_front("sm_")) {
    error = ("unknown CUDA architecture '" + variant +
             "'; expected sm_XX or sm_XXa (e.g. cuda:sm_90a, cuda:sm_80)")
                .str();
    return failure();
  }
  if (digits.ends_with("a") || digits.ends_with("f"))
    digits = digits.drop_back();
  unsigned sm;
  if (digits.getAsInteger(10, sm) || sm < 50) {
    error = ("unknown CUDA architecture '" + variant +
             "'; expected sm_XX or sm_XXa (e.g. cuda:sm_90a, cuda:sm_80)")
                .str();
    return failure();
  }
  chip = variant.str();
  // The f32 matmul mode comes from the environment (f32MatmulMode): a
  // value the passes would reject is reported here, before compiling.
  if (std::optional<std::string> env =
          llvm::sys::Process::GetEnv("LOOM_CUDA_F32_MATMUL");
      env && !env->empty() && *env != "3xtf32" && *env != "simt") {
    error = "LOOM_CUDA_F32_MATMUL must be '3xtf32' (f32 matmuls on tensor "
            "cores) or 'simt', not '" +
            *env + "'";
    return failure();
  }
  return success();
}

NVIDIABackend::NVIDIABackend(std::string spec, std::string chip,
                             std::string format)
    : spec(std::move(spec)), chip(std::move(chip)), format(std::move(format)) {
  if (this->format.empty())
    this->format = nvidia::findCUDAToolkit().empty() ? "isa" : "bin";
}

void NVIDIABackend::buildLoweringPipeline(OpPassManager &pm) const {
  addPipeline(pm, chip, format);
}

FailureOr<TargetBinary> NVIDIABackend::serialize(ModuleOp module) const {
  DialectRegistry registry;
  nvidia::registerNVIDIADialects(registry);
  return cpu::serializeGpuHostCode(module, registry, "cuda-elf-so", spec);
}
