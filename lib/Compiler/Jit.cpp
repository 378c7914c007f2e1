//===- Jit.cpp - The JIT library: ONNX in, runtime module out -------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Implements include/loom-c/Jit.h: import, compile to an artifact in memory
// and hand the bytes to the runtime's loader. Compiler diagnostics become
// the message of the returned status.
//
//===----------------------------------------------------------------------===//

#include "loom-c/Jit.h"

#include "loom/Compiler.h"
#include "loom/Import/OnnxImporter.h"
#include "loom/InitAll.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <string>

using namespace mlir;

namespace {

/// One compilation: its own context, with diagnostics collected as text.
struct JitCompilation {
  JitCompilation() : context(makeRegistry()) {
    context.disableMultithreading();
    handler.emplace(&context, [this](Diagnostic &diag) {
      if (!messages.empty())
        messages += "\n";
      messages += diag.str();
      for (Diagnostic &note : diag.getNotes())
        messages += "\n  note: " + note.str();
      return success();
    });
  }

  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    loom::registerAllDialects(registry);
    loom::onnx_import::registerImporterDialects(registry);
    return registry;
  }

  loom_status_t fail(loom_status_code_t code, const std::string &what) {
    std::string message = what;
    if (!messages.empty())
      message += ": " + messages;
    return loom_status_create(code, message.c_str());
  }

  /// Compiles the imported module and loads it on `device`.
  loom_status_t finish(FailureOr<OwningOpRef<ModuleOp>> module,
                       loom_device_t *device,
                       const loom_jit_options_t *options,
                       loom_module_t **out) {
    if (failed(module))
      return fail(LOOM_INVALID_ARGUMENT, "loom jit: import failed");
    loom::CompileOptions compile;
    if (options && options->target)
      compile.targets = {options->target};
    compile.printIRAfterAll = options && options->print_ir_after_all;
    FailureOr<std::vector<uint8_t>> artifact =
        loom::compileToArtifact(module->get(), compile);
    if (failed(artifact))
      return fail(LOOM_INVALID_ARGUMENT, "loom jit: compilation failed");
    // The runtime copies the bytes, so the artifact may die with us.
    return loom_module_load_memory(device, artifact->data(), artifact->size(),
                                   LOOM_LOAD_DEFAULT, out);
  }

  MLIRContext context;
  std::optional<ScopedDiagnosticHandler> handler;
  std::string messages;
};

loom_status_t checkArgs(loom_device_t *device, const void *source,
                        loom_module_t **out) {
  if (!device || !source || !out)
    return loom_status_create(LOOM_INVALID_ARGUMENT,
                              "loom jit: device, model and out_module must "
                              "not be NULL");
  *out = nullptr;
  return nullptr;
}

} // namespace

loom_status_t loom_jit_compile_onnx_file(loom_device_t *device,
                                         const char *path,
                                         const loom_jit_options_t *options,
                                         loom_module_t **out_module) {
  if (loom_status_t status = checkArgs(device, path, out_module))
    return status;
  JitCompilation jit;
  return jit.finish(loom::onnx_import::importOnnxFile(&jit.context, path),
                    device, options, out_module);
}

loom_status_t loom_jit_compile_onnx_bytes(loom_device_t *device,
                                          const void *data, size_t size,
                                          const loom_jit_options_t *options,
                                          loom_module_t **out_module) {
  if (loom_status_t status = checkArgs(device, data, out_module))
    return status;
  JitCompilation jit;
  return jit.finish(loom::onnx_import::importOnnxBytes(&jit.context, data,
                                                       size, "<memory>"),
                    device, options, out_module);
}
