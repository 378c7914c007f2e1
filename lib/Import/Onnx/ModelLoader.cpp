//===- ModelLoader.cpp - Read ONNX models and run the importer ------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Parses binary or textual ModelProtos, runs ONNX's shape inference (which
// reports through exceptions, hence -fexceptions on this library) and hands
// the model to GraphImporter.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "OpTable.h"

#include "dialects/attn/AttnDialect.h"
#include "dialects/quant/QuantDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"

#include "onnx/defs/parser.h"
#include "onnx/shape_inference/implementation.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>

#include <climits>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace mlir;
using namespace mlir::loom::onnx_import;

void mlir::loom::onnx_import::registerImporterDialects(
    DialectRegistry &registry) {
  registry.insert<arith::ArithDialect, func::FuncDialect,
                  linalg::LinalgDialect, math::MathDialect,
                  memref::MemRefDialect, scf::SCFDialect,
                  tensor::TensorDialect, loom::quant::LoomQuantDialect,
                  loom::attn::LoomAttnDialect>();
}

void mlir::loom::onnx_import::printSupportedOps(llvm::raw_ostream &os,
                                                bool markdown) {
  OpTable::get().print(os, markdown);
}

/// Gathers the value_info of `g` and its subgraphs into `out`.
static void collectValueInfo(const onnx::GraphProto &g, onnx::GraphProto &out) {
  for (const auto &vi : g.value_info())
    *out.add_value_info() = vi;
  for (const auto &vi : g.output())
    *out.add_value_info() = vi;
  for (const auto &node : g.node())
    for (const auto &a : node.attribute()) {
      if (a.has_g())
        collectValueInfo(a.g(), out);
      for (const auto &sg : a.graphs())
        collectValueInfo(sg, out);
    }
}

/// Runs onnx::shape_inference::InferShapes in a child process; on success
/// `types` holds every inferred value_info (subgraphs included).
static bool inferShapesIsolated(onnx::ModelProto &model, onnx::GraphProto &types) {
  int fds[2];
  if (::pipe(fds) != 0)
    return false;
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return false;
  }
  if (pid == 0) {
    ::close(fds[0]);
    std::string bytes;
    try {
      // Strict mode off: nodes ONNX cannot infer keep unknown types.
      onnx::ShapeInferenceOptions opts(/*check_type=*/false, /*strict_mode=*/0,
                                       /*data_prop=*/true);
      onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), opts);
      onnx::GraphProto out;
      collectValueInfo(model.graph(), out);
      bytes = out.SerializeAsString();
    } catch (...) {
      ::_exit(1);
    }
    const char *p = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
      ssize_t k = ::write(fds[1], p, left);
      if (k <= 0)
        ::_exit(1);
      p += k;
      left -= k;
    }
    ::close(fds[1]);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string bytes;
  char buf[1 << 16];
  ssize_t k;
  while ((k = ::read(fds[0], buf, sizeof(buf))) > 0)
    bytes.append(buf, k);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return false;
  return types.ParseFromString(bytes);
}

static FailureOr<OwningOpRef<ModuleOp>>
importParsedModel(MLIRContext *context, onnx::ModelProto &model,
                  StringRef path, const ImportOptions &options) {
  Location fileLoc = FileLineColLoc::get(context, path, 0, 0);
  if (!model.has_graph() || model.ir_version() <= 0) {
    emitError(fileLoc) << "'" << path << "' is not an ONNX model (no graph "
                       << "or IR version); pass a .onnx ModelProto file";
    return failure();
  }
  DialectRegistry registry;
  registerImporterDialects(registry);
  context->appendDialectRegistry(registry);
  context->loadAllAvailableDialects();

  // ONNX's shape inference trusts the model: on malformed nodes some of its
  // inference functions crash instead of throwing. It runs in a forked
  // child (copy-on-write, so large weights are not copied) that sends back
  // only the inferred value types; a crash there just means no inference.
  onnx::GraphProto inferred;
  bool haveInferred = options.inferShapes && inferShapesIsolated(model, inferred);

  OwningOpRef<ModuleOp> module(ModuleOp::create(fileLoc));
  GraphImporter importer(context, model, path, options);
  if (haveInferred)
    importer.inferredTypes = &inferred;
  if (failed(importer.importModel(*module)))
    return failure();
  if (options.verify && failed(mlir::verify(*module))) {
    emitError(fileLoc) << "internal error: the imported module does not "
                          "verify; please report this model";
    return failure();
  }
  return module;
}

FailureOr<OwningOpRef<ModuleOp>>
mlir::loom::onnx_import::importOnnxFile(MLIRContext *context, StringRef path,
                                        const ImportOptions &options) {
  Location fileLoc = FileLineColLoc::get(context, path, 0, 0);
  int fd = ::open(path.str().c_str(), O_RDONLY);
  if (fd < 0) {
    emitError(fileLoc) << "cannot open '" << path << "'";
    return failure();
  }
  onnx::ModelProto model;
  bool ok;
  {
    // Streamed parse: the file is never held in memory next to the proto.
    google::protobuf::io::FileInputStream in(fd);
    google::protobuf::io::CodedInputStream coded(&in);
    coded.SetTotalBytesLimit(INT_MAX);
    ok = model.ParseFromCodedStream(&coded) && coded.ConsumedEntireMessage();
  }
  ::close(fd);
  if (!ok) {
    emitError(fileLoc) << "'" << path << "' is not a valid ONNX model: the "
                       << "protobuf does not parse (truncated or not ONNX); "
                       << "re-export or re-download it";
    return failure();
  }
  return importParsedModel(context, model, path, options);
}

FailureOr<OwningOpRef<ModuleOp>>
mlir::loom::onnx_import::importOnnxText(MLIRContext *context, StringRef text,
                                        StringRef bufferName,
                                        const ImportOptions &options) {
  onnx::ModelProto model;
  // ONNX's syntax has no comments; blank out "//" lines (lit RUN/CHECK
  // lines) so test files can carry them, keeping line numbers intact.
  std::string buf;
  for (StringRef line : llvm::split(text, '\n')) {
    if (!line.ltrim().starts_with("//"))
      buf += line.str();
    buf += '\n';
  }
  onnx::OnnxParser parser(buf.c_str());
  auto status = parser.Parse(model);
  if (!status.IsOK()) {
    emitError(FileLineColLoc::get(context, bufferName, 0, 0))
        << "cannot parse the ONNX text: " << status.ErrorMessage();
    return failure();
  }
  return importParsedModel(context, model, bufferName, options);
}

FailureOr<OwningOpRef<ModuleOp>>
mlir::loom::onnx_import::importOnnxBytes(MLIRContext *context,
                                         const void *data, size_t size,
                                         StringRef bufferName,
                                         const ImportOptions &options) {
  onnx::ModelProto model;
  bool ok = size <= size_t(INT_MAX);
  if (ok) {
    google::protobuf::io::CodedInputStream coded(
        static_cast<const uint8_t *>(data), int(size));
    coded.SetTotalBytesLimit(INT_MAX);
    ok = model.ParseFromCodedStream(&coded) && coded.ConsumedEntireMessage();
  }
  if (!ok) {
    emitError(FileLineColLoc::get(context, bufferName, 0, 0))
        << "'" << bufferName << "' is not a valid ONNX model: the protobuf "
        << "does not parse (truncated or not ONNX)";
    return failure();
  }
  return importParsedModel(context, model, bufferName, options);
}
