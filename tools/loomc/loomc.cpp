//===- loomc.cpp - Loom's ahead-of-time compiler driver ------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// `loomc model.onnx -o model.loom [--target=cpu,...]` imports an ONNX model
// (binary, or ONNX's textual syntax for .onnxtxt/.txt files), compiles it
// for each target and writes one .loom artifact. `--emit=mlir` stops after
// import and prints the IR; `--emit=loom` prints it after Loom's
// target-independent optimizations (loom-optimize, skipped with
// --no-optimize); `--emit=llvm` prints the IR a target lowered to.
// `loomc --list-ops [--markdown]` prints the importer's op table.
//
//===----------------------------------------------------------------------===//

#include "loom/Compiler.h"
#include "loom/Import/OnnxImporter.h"
#include "loom/InitAll.h"
#include "loom/Target/TargetBackend.h"
#include "passes/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Timer.h"
#include "llvm/Support/ToolOutputFile.h"

#include <chrono>

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory loomcCategory("loomc options");

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::init(""), cl::cat(loomcCategory));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("filename"),
                                       cl::init("-"), cl::cat(loomcCategory));
enum class Emit { None, MLIR, Loom, LLVM, Artifact };
static cl::opt<Emit> emit(
    "emit", cl::desc("What to produce (default: artifact)"),
    cl::values(
        clEnumValN(Emit::Artifact, "artifact",
                   "a .loom artifact for the targets (the default)"),
        clEnumValN(Emit::MLIR, "mlir", "the imported MLIR (stop after import)"),
        clEnumValN(Emit::Loom, "loom",
                   "the MLIR after Loom's target-independent passes"),
        clEnumValN(Emit::LLVM, "llvm",
                   "the IR after the (single) target's lowering"),
        clEnumValN(Emit::None, "none",
                   "nothing: import and verify only (timing, checking)")),
    cl::init(Emit::Artifact), cl::cat(loomcCategory));
static cl::list<std::string>
    targets("target", cl::CommaSeparated,
            cl::desc("Targets to compile for, comma separated (default: cpu)"),
            cl::value_desc("spec"), cl::cat(loomcCategory));
static cl::opt<bool> printIRAfterAll(
    "mlir-print-ir-after-all",
    cl::desc("Print the IR after every pass of the compilation to stderr"), cl::cat(loomcCategory));
static cl::opt<bool> noRaise(
    "no-raise",
    cl::desc("Within loom-optimize, skip raising to the Loom dialects "
             "(attention, MoE, quantized matmuls); fusion still runs"),
    cl::cat(loomcCategory));
static cl::opt<bool> noOptimize(
    "no-optimize",
    cl::desc("Skip Loom's target-independent optimizations (loom-optimize: "
             "raising to the Loom dialects, fusion)"),
    cl::cat(loomcCategory));
static cl::opt<bool> quiet("quiet",
                           cl::desc("No progress lines on stderr"), cl::cat(loomcCategory));
static cl::opt<bool> listOps("list-ops",
                             cl::desc("Print the supported ONNX ops"), cl::cat(loomcCategory));
static cl::opt<bool> markdown("markdown",
                              cl::desc("With --list-ops: print Markdown"), cl::cat(loomcCategory));
static cl::opt<bool> noShapeInference(
    "no-shape-inference", cl::desc("Skip ONNX's shape inference"), cl::cat(loomcCategory));
static cl::list<std::string> sequenceLengths(
    "sequence-length",
    cl::desc("Length of a sequence graph input (or of the sequence in an "
             "optional input), fixed at compile time; the input becomes the "
             "tensor inputs NAME.0 .. NAME.<N-1>. Repeatable"),
    cl::value_desc("NAME=N"), cl::cat(loomcCategory));
static cl::list<std::string> sequenceElemRanks(
    "sequence-elem-rank",
    cl::desc("Rank of the elements of a sequence input whose element type "
             "has no shape (all dims dynamic). Repeatable"),
    cl::value_desc("NAME=R"), cl::cat(loomcCategory));
static cl::list<std::string> optionalAbsent(
    "optional-absent",
    cl::desc("An optional graph input that is absent (compiled out; it takes "
             "no entry input). Optional inputs not named are present. "
             "Repeatable"),
    cl::value_desc("NAME"), cl::cat(loomcCategory));
static cl::opt<std::string> importOptionsFromData(
    "import-options-from-data",
    cl::desc("Derive --sequence-length, --sequence-elem-rank and "
             "--optional-absent for every sequence/optional graph input from "
             "an ONNX test data set folder (input_<i>.pb files, as in ONNX's "
             "backend tests; binary models). NAME=N options given as well "
             "override the derived ones"),
    cl::value_desc("DIR"), cl::cat(loomcCategory));
static cl::opt<bool> textFormat(
    "onnx-text", cl::desc("Read ONNX's textual syntax (default for .onnxtxt "
                          "and .txt inputs)"), cl::cat(loomcCategory));

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  // cl::extrahelp keeps a pointer to the text: it must outlive parsing.
  static const std::string targetText =
      ("\nTargets: " + loom::getTargetSpecHelp() + "\n").str();
  cl::extrahelp targetHelp(targetText.c_str());
  // libLLVM registers every backend's options; --help shows loomc's own
  // (--help-hidden shows them all).
  cl::HideUnrelatedOptions(loomcCategory);
  cl::ParseCommandLineOptions(argc, argv, "Loom ahead-of-time compiler\n");

  if (listOps) {
    loom::onnx_import::printSupportedOps(llvm::outs(), markdown);
    return 0;
  }
  if (inputFile.empty()) {
    llvm::errs() << "loomc: no input model; run loomc --help\n";
    return 1;
  }

  DialectRegistry registry;
  loom::registerAllDialects(registry);
  loom::onnx_import::registerImporterDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // Models are binary: print "file: error: message" without source lines
  // (the message itself names the ONNX node).
  ScopedDiagnosticHandler diagHandler(&context, [](Diagnostic &d) {
    std::string file = "loomc";
    d.getLocation()->walk([&](Location l) {
      if (auto f = dyn_cast<FileLineColLoc>(l)) {
        file = f.getFilename().str();
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    const char *sev = d.getSeverity() == DiagnosticSeverity::Error     ? "error"
                      : d.getSeverity() == DiagnosticSeverity::Warning ? "warning"
                                                                        : "note";
    llvm::errs() << file << ": " << sev << ": " << d << "\n";
    for (Diagnostic &note : d.getNotes())
      llvm::errs() << file << ": note: " << note << "\n";
    return success();
  });

  // One line per stage with the time it started, for long compiles. (The
  // flag is copied: linking with lld resets LLVM's command-line options.)
  auto start = std::chrono::steady_clock::now();
  bool showProgress = !quiet;
  auto progress = [&](StringRef stage) {
    if (!showProgress)
      return;
    double t = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                             start)
                   .count();
    llvm::errs() << llvm::format("loomc: [%7.2fs] ", t) << stage << "\n";
  };
  progress("importing " + inputFile);

  loom::onnx_import::ImportOptions options;
  options.inferShapes = !noShapeInference;
  // NAME=N pairs; N a non-negative integer.
  auto parsePairs = [](const cl::list<std::string> &list, StringRef flag,
                       std::map<std::string, int64_t> &out) {
    for (const std::string &item : list) {
      auto [name, num] = StringRef(item).rsplit('=');
      int64_t n = 0;
      if (name.empty() || num.empty() || num.getAsInteger(10, n) || n < 0) {
        llvm::errs() << "loomc: --" << flag << " expects NAME=N with N >= 0, "
                     << "got '" << item << "'\n";
        return false;
      }
      out[name.str()] = n;
    }
    return true;
  };
  if (!importOptionsFromData.empty()) {
    std::string error;
    if (failed(loom::onnx_import::deriveImportOptionsFromData(
            inputFile, importOptionsFromData, options, error))) {
      llvm::errs() << "loomc: --import-options-from-data: " << error << "\n";
      return 1;
    }
  }
  if (!parsePairs(sequenceLengths, "sequence-length", options.sequenceLengths) ||
      !parsePairs(sequenceElemRanks, "sequence-elem-rank",
                  options.sequenceElemRanks))
    return 1;
  options.absentOptionals.insert(optionalAbsent.begin(), optionalAbsent.end());
  FailureOr<OwningOpRef<ModuleOp>> module;
  StringRef in(inputFile);
  if (textFormat || in.ends_with(".onnxtxt") || in.ends_with(".txt")) {
    auto buf = llvm::MemoryBuffer::getFileOrSTDIN(inputFile);
    if (!buf) {
      llvm::errs() << "loomc: cannot read '" << inputFile << "'\n";
      return 1;
    }
    module = loom::onnx_import::importOnnxText(&context, (*buf)->getBuffer(),
                                               inputFile, options);
  } else {
    module = loom::onnx_import::importOnnxFile(&context, inputFile, options);
  }
  if (failed(module))
    return 1;
  if (emit == Emit::None)
    return 0;

  std::vector<std::string> targetSpecs(targets.begin(), targets.end());
  if (targetSpecs.empty())
    targetSpecs.push_back("cpu");

  // Where the result goes: the artifact defaults to MODEL.loom next to the
  // model; printed IR defaults to stdout.
  std::string path = outputFile;
  if (emit == Emit::Artifact && path == "-") {
    if (outputFile.getNumOccurrences()) {
      llvm::errs() << "loomc: refusing to write a binary artifact to stdout; "
                      "give -o FILE.loom\n";
      return 1;
    }
    SmallString<256> p(inputFile);
    llvm::sys::path::replace_extension(p, "loom");
    path = std::string(p);
  }

  std::string err;
  auto out = openOutputFile(path, &err);
  if (!out) {
    llvm::errs() << "loomc: " << err << "\n";
    return 1;
  }

  switch (emit) {
  case Emit::MLIR:
    (*module)->print(out->os());
    out->os() << "\n";
    break;
  case Emit::Loom:
  case Emit::LLVM: {
    PassManager pm(&context);
    if (printIRAfterAll) {
      context.disableMultithreading();
      pm.enableIRPrinting();
    }
    if (noOptimize) {
      pm.addPass(createCanonicalizerPass());
      pm.addPass(createCSEPass());
    } else {
      // Norms become row loops only for CPU targets (see Compiler.cpp).
      bool rowLoops = llvm::all_of(targetSpecs, [](const std::string &t) {
        return llvm::StringRef(t).starts_with("cpu");
      });
      loom::buildOptimizePipeline(pm, !noRaise, rowLoops);
    }
    if (emit == Emit::LLVM) {
      if (targetSpecs.size() != 1) {
        llvm::errs() << "loomc: --emit=llvm needs exactly one --target\n";
        return 1;
      }
      auto backend = loom::createTargetBackend(targetSpecs[0], err);
      if (failed(backend)) {
        llvm::errs() << "loomc: " << err << "\n";
        return 1;
      }
      progress("lowering for " + targetSpecs[0]);
      (*backend)->buildLoweringPipeline(pm);
    }
    if (failed(pm.run(**module)))
      return 1;
    (*module)->print(out->os());
    out->os() << "\n";
    break;
  }
  case Emit::Artifact: {
    loom::CompileOptions compile;
    compile.targets = targetSpecs;
    compile.printIRAfterAll = printIRAfterAll;
    compile.optimize = !noOptimize;
    compile.raise = !noRaise;
    compile.progress = [&](StringRef stage) { progress(stage); };
    FailureOr<std::vector<uint8_t>> bytes =
        loom::compileToArtifact(**module, compile);
    if (failed(bytes))
      return 1;
    out->os().write(reinterpret_cast<const char *>(bytes->data()),
                    bytes->size());
    progress("wrote " + path + " (" + std::to_string(bytes->size()) +
             " bytes)");
    break;
  }
  case Emit::None:
    break;
  }
  out->keep();
  return 0;
}
