//===- Compiler.cpp - Compile a module into a .loom artifact ---------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "loom/Compiler.h"
#include "loom/Target/TargetBackend.h"

#include "ArtifactWriter.h"
#include "passes/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;
using namespace mlir::loom;
namespace artifact = ::loom::artifact;

/// The runtime's dtype for an MLIR element type, LOOM_DTYPE_INVALID if the
/// runtime cannot carry it.
static loom_dtype_t toRuntimeDType(Type type, bool markedUnsigned) {
  if (type.isF32())
    return LOOM_DTYPE_F32;
  if (type.isF16())
    return LOOM_DTYPE_F16;
  if (type.isBF16())
    return LOOM_DTYPE_BF16;
  if (type.isF64())
    return LOOM_DTYPE_F64;
  if (isa<Float8E4M3FNType>(type))
    return LOOM_DTYPE_F8E4M3FN;
  if (isa<Float8E5M2Type>(type))
    return LOOM_DTYPE_F8E5M2;
  auto intType = dyn_cast<IntegerType>(type);
  if (!intType)
    return LOOM_DTYPE_INVALID;
  bool isUnsigned = intType.isUnsigned() || markedUnsigned;
  switch (intType.getWidth()) {
  case 1:
    return LOOM_DTYPE_BOOL;
  case 8:
    return isUnsigned ? LOOM_DTYPE_U8 : LOOM_DTYPE_I8;
  case 16:
    return isUnsigned ? LOOM_DTYPE_U16 : LOOM_DTYPE_I16;
  case 32:
    return isUnsigned ? LOOM_DTYPE_U32 : LOOM_DTYPE_I32;
  case 64:
    return isUnsigned ? LOOM_DTYPE_U64 : LOOM_DTYPE_I64;
  default:
    return LOOM_DTYPE_INVALID;
  }
}

/// Describes one argument or result of an entry point.
static FailureOr<artifact::TensorSpec>
describeValue(func::FuncOp fn, Type type, DictionaryAttr attrs,
              StringRef role, unsigned index) {
  auto shaped = dyn_cast<RankedTensorType>(type);
  if (!shaped)
    return fn.emitError() << "entry point @" << fn.getName() << " " << role
                          << " " << index << " has type " << type
                          << "; entry points take and return ranked tensors";
  artifact::TensorSpec spec;
  spec.dtype = toRuntimeDType(shaped.getElementType(),
                              attrs && attrs.get(kUnsignedAttr));
  if (spec.dtype == LOOM_DTYPE_INVALID)
    return fn.emitError() << "entry point @" << fn.getName() << " " << role
                          << " " << index << " has element type "
                          << shaped.getElementType()
                          << ", which the runtime cannot carry";
  auto name = attrs ? attrs.getAs<StringAttr>(kNameAttr) : StringAttr();
  spec.name = name ? name.str() : (role + "_" + Twine(index)).str();
  for (int64_t d : shaped.getShape())
    spec.dims.push_back(ShapedType::isDynamic(d) ? -1 : d);
  if (auto dimNames = attrs ? attrs.getAs<ArrayAttr>(kDimNamesAttr)
                            : ArrayAttr()) {
    if (dimNames.size() != size_t(shaped.getRank()))
      return fn.emitError() << "'" << kDimNamesAttr << "' of " << role << " "
                            << index << " has " << dimNames.size()
                            << " names for rank " << shaped.getRank();
    for (auto [i, attr] : llvm::enumerate(dimNames)) {
      auto str = dyn_cast<StringAttr>(attr);
      // Only dynamic dimensions carry symbols.
      spec.dimSymbols.push_back(
          str && spec.dims[i] < 0 ? str.str() : std::string());
    }
  }
  return spec;
}

static FailureOr<std::vector<artifact::EntryPoint>>
describeEntryPoints(ModuleOp module) {
  std::vector<artifact::EntryPoint> entries;
  for (auto fn : module.getOps<func::FuncOp>()) {
    if (fn.isPrivate() || fn.isExternal())
      continue;
    artifact::EntryPoint entry;
    entry.name = fn.getName().str();
    for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i) {
      auto spec = describeValue(fn, fn.getArgumentTypes()[i],
                                fn.getArgAttrDict(i), "input", i);
      if (failed(spec))
        return failure();
      entry.inputs.push_back(std::move(*spec));
    }
    for (unsigned i = 0, e = fn.getNumResults(); i < e; ++i) {
      auto spec = describeValue(fn, fn.getResultTypes()[i],
                                fn.getResultAttrDict(i), "output", i);
      if (failed(spec))
        return failure();
      entry.outputs.push_back(std::move(*spec));
    }
    entries.push_back(std::move(entry));
  }
  if (entries.empty())
    return module.emitError("the module has no public function to compile "
                            "into an entry point");
  return entries;
}

FailureOr<std::vector<uint8_t>>
mlir::loom::compileToArtifact(ModuleOp module, const CompileOptions &options) {
  auto progress = [&](StringRef stage) {
    if (options.progress)
      options.progress(stage);
  };
  FailureOr<std::vector<artifact::EntryPoint>> entries =
      describeEntryPoints(module);
  if (failed(entries))
    return failure();

  artifact::ArtifactWriter writer;
  writer.setProducer("loom " LOOM_VERSION_STRING);
  for (artifact::EntryPoint &entry : *entries)
    writer.addEntryPoint(std::move(entry));

  if (options.targets.empty())
    return module.emitError("no target to compile for");

  // The targets start from `source`: the module, or its optimized clone.
  OwningOpRef<ModuleOp> optimized;
  ModuleOp source = module;
  if (options.optimize) {
    progress("optimizing");
    optimized = module.clone();
    source = *optimized;
    PassManager pm(module.getContext());
    if (options.printIRAfterAll) {
      module.getContext()->disableMultithreading();
      pm.enableIRPrinting(
          /*shouldPrintBeforePass=*/[](Pass *, Operation *) { return false; },
          /*shouldPrintAfterPass=*/[](Pass *, Operation *) { return true; },
          /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false);
    }
    // Norms become row loops only when every target is a CPU.
    bool rowLoops = llvm::all_of(options.targets, [](const std::string &t) {
      return llvm::StringRef(t).starts_with("cpu");
    });
    buildOptimizePipeline(pm, options.raise, rowLoops);
    if (failed(pm.run(source)))
      return module.emitError("Loom's optimization pipeline failed");
  }
  for (const std::string &spec : options.targets) {
    std::string error;
    auto backend = createTargetBackend(spec, error);
    if (failed(backend))
      return module.emitError(error);

    progress("lowering for " + spec);
    OwningOpRef<ModuleOp> clone = source.clone();
    PassManager pm(module.getContext());
    if (options.printIRAfterAll) {
      module.getContext()->disableMultithreading();
      pm.enableIRPrinting(
          /*shouldPrintBeforePass=*/[](Pass *, Operation *) { return false; },
          /*shouldPrintAfterPass=*/[](Pass *, Operation *) { return true; },
          /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false);
    }
    (*backend)->buildLoweringPipeline(pm);
    if (failed(pm.run(*clone)))
      return module.emitError("lowering for target '") << spec << "' failed";

    progress("generating code for " + spec);
    FailureOr<TargetBinary> binary = (*backend)->serialize(*clone);
    if (failed(binary))
      return failure();
    writer.addSection(artifact::SectionKind::DeviceCode, binary->target,
                      std::vector<uint8_t>(binary->bytes.begin(),
                                           binary->bytes.end()),
                      /*alignment=*/0, /*name=*/binary->kind);
  }

  progress("writing the artifact");
  std::vector<uint8_t> bytes;
  std::string error;
  if (!writer.writeToMemory(bytes, &error))
    return module.emitError("cannot write the artifact: ") << error;
  return bytes;
}
