//===- loomc.cpp - Loom's ahead-of-time compiler driver ------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// `loomc model.onnx --emit=mlir [-o FILE]` imports an ONNX model (binary, or
// ONNX's textual syntax for .onnxtxt/.txt files) and prints the MLIR.
// `loomc --list-ops [--markdown]` prints the importer's op table.
//
//===----------------------------------------------------------------------===//

#include "loom/Import/OnnxImporter.h"
#include "loom/InitAll.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::init(""));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("filename"),
                                       cl::init("-"));
enum class Emit { None, MLIR };
static cl::opt<Emit> emit("emit", cl::desc("What to produce"),
                          cl::values(clEnumValN(Emit::MLIR, "mlir",
                                                "the imported MLIR (stop "
                                                "after import)"),
                                     clEnumValN(Emit::None, "none",
                                                "nothing: import and verify "
                                                "only (timing, checking)")),
                          cl::init(Emit::MLIR));
static cl::opt<bool> listOps("list-ops",
                             cl::desc("Print the supported ONNX ops"));
static cl::opt<bool> markdown("markdown",
                              cl::desc("With --list-ops: print Markdown"));
static cl::opt<bool> noShapeInference(
    "no-shape-inference", cl::desc("Skip ONNX's shape inference"));
static cl::opt<bool> textFormat(
    "onnx-text", cl::desc("Read ONNX's textual syntax (default for .onnxtxt "
                          "and .txt inputs)"));

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
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

  loom::onnx_import::ImportOptions options;
  options.inferShapes = !noShapeInference;
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

  std::string err;
  auto out = openOutputFile(outputFile, &err);
  if (!out) {
    llvm::errs() << "loomc: " << err << "\n";
    return 1;
  }
  (*module)->print(out->os());
  out->os() << "\n";
  out->keep();
  return 0;
}
