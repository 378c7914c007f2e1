//===- CPUBackend.cpp - The CPU target: lowering and ELF emission ---------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Lowers a tensor-level module to the LLVM dialect, compiles it for x86-64
// (the host's vector extensions, or a portable baseline), and links it into
// a shared object that the runtime dlopens. Everything happens in memory.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/CPUBackend.h"
#include "lib/Target/CPU/Passes.h"
#include "passes/Conversion/Passes.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

#include <mutex>

using namespace mlir;
using namespace mlir::loom;

namespace {

/// The textual pipeline, kept as text so `loom-opt` runs exactly the same
/// thing under the name `loom-cpu-lowering`. The Loom ops are lowered first,
/// so that everything after sees only upstream dialects.
constexpr const char *kCPULoweringPipeline =
    "func.func(loom-convert-quant-to-linalg,"
    "loom-convert-moe-to-linalg{weight-panel-width=32 fuse-epilogues=true},"
    "loom-convert-attn-to-linalg{causal-query-blocks=true}),"
    "canonicalize,"
    "func.func(loom-cpu-fuse-elementwise),"
    "func.func(loom-cpu-tile-and-vectorize),"
    "canonicalize,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map "
    "allow-return-allocs-from-loops},"
    "buffer-deallocation-pipeline,"
    "convert-bufferization-to-memref,"
    "func.func(loom-cpu-copies-to-linalg,convert-linalg-to-loops,"
    "canonicalize,loom-cpu-lower-vectors,convert-vector-to-scf{full-unroll},"
    "canonicalize,cse),"
    "scf-forall-to-parallel,"
    "convert-scf-to-openmp,"
    "canonicalize,"
    "expand-strided-metadata,"
    "lower-affine,"
    "convert-scf-to-cf,"
    "loom-cpu-expose-entry-points,"
    "convert-math-to-funcs,"
    "convert-math-to-llvm,"
    "convert-math-to-libm,"
    "convert-vector-to-llvm{reassociate-fp-reductions},"
    "convert-to-llvm,"
    "convert-openmp-to-llvm,"
    "reconcile-unrealized-casts,"
    "loom-cpu-emit-entry-wrappers";

void initLLVMOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

} // namespace

void cpu::registerPipelinePasses() {
  static std::once_flag once;
  std::call_once(once, [] {
    ::mlir::registerAllPasses();
    registerLoomConversionPasses();
    cpu::registerLoomCPUPasses();
  });
}

CPUBackend::CPUBackend(std::string spec, std::string cpuName)
    : spec(std::move(spec)), cpuName(std::move(cpuName)) {}

void CPUBackend::buildLoweringPipeline(OpPassManager &pm) const {
  cpu::registerPipelinePasses();
  // The pipeline text is a constant of this file; failing to parse it is a
  // build defect, reported through the pass manager's first run.
  if (failed(parsePassPipeline(kCPULoweringPipeline, pm, llvm::errs())))
    llvm::report_fatal_error("loom: the built-in CPU pipeline does not parse");
}

void cpu::registerCPULoweringPipeline() {
  PassPipelineRegistration<>(
      "loom-cpu-lowering",
      "Lower a tensor-level module to the LLVM dialect for the CPU target",
      [](OpPassManager &pm) { CPUBackend("cpu", "").buildLoweringPipeline(pm); });
}

FailureOr<std::vector<char>>
cpu::compileHostSharedObject(ModuleOp module, StringRef cpuName) {
  initLLVMOnce();
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  module->getContext()->appendDialectRegistry(registry);

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "loom");
  if (!llvmModule)
    return module.emitError("failed to translate the module to LLVM IR");

  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string lookupError;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, lookupError);
  if (!target)
    return module.emitError("no LLVM target for ") << triple.str() << ": "
                                                   << lookupError;

  // "native" tunes for and uses every extension of the compiling host;
  // a named CPU (x86-64, x86-64-v3, ...) gives a portable baseline.
  std::string cpu = cpuName.str(), features;
  if (cpu.empty() || cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures subtarget;
    for (auto &feature : llvm::sys::getHostCPUFeatures())
      subtarget.AddFeature(feature.first(), feature.second);
    features = subtarget.getString();
  }
  // Load-time constructors (the CUDA host code loads its kernels in one)
  // must land in .init_array: the dynamic loader ignores the old .ctors.
  llvm::TargetOptions targetOptions;
  targetOptions.UseInitArray = true;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_,
      std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    return module.emitError("cannot create an LLVM target machine for ")
           << triple.str() << " / " << cpu;
  llvmModule->setDataLayout(machine->createDataLayout());
  llvmModule->setTargetTriple(triple);

  auto optimize = makeOptimizingTransformer(/*optLevel=*/3, /*sizeLevel=*/0,
                                            machine.get());
  if (llvm::Error err = optimize(llvmModule.get()))
    return module.emitError("LLVM optimization failed: ")
           << llvm::toString(std::move(err));

  llvm::SmallVector<char, 0> object;
  {
    llvm::raw_svector_ostream os(object);
    llvm::legacy::PassManager codegen;
    if (machine->addPassesToEmitFile(codegen, os, nullptr,
                                     llvm::CodeGenFileType::ObjectFile))
      return module.emitError("the LLVM target cannot emit object files");
    codegen.run(*llvmModule);
  }

  std::string linkError;
  FailureOr<std::vector<char>> sharedObject =
      cpu::linkSharedObject(object, linkError);
  if (failed(sharedObject))
    return module.emitError("linking the host module failed: ") << linkError;
  return sharedObject;
}

FailureOr<TargetBinary>
cpu::serializeGpuHostCode(ModuleOp module, const DialectRegistry &deviceDialects,
                          StringRef kind, StringRef target) {
  module->getContext()->appendDialectRegistry(deviceDialects);
  // Host code needs no particular x86 extension; keep it portable.
  FailureOr<std::vector<char>> sharedObject =
      compileHostSharedObject(module, "x86-64");
  if (failed(sharedObject))
    return failure();
  TargetBinary binary;
  binary.kind = kind.str();
  binary.target = target.str();
  binary.bytes = std::move(*sharedObject);
  return binary;
}

FailureOr<TargetBinary> CPUBackend::serialize(ModuleOp module) const {
  FailureOr<std::vector<char>> sharedObject =
      cpu::compileHostSharedObject(module, cpuName);
  if (failed(sharedObject))
    return failure();
  TargetBinary binary;
  binary.kind = "cpu-elf-so";
  binary.target = spec;
  binary.bytes = std::move(*sharedObject);
  return binary;
}
