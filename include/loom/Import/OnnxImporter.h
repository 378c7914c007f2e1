//===- OnnxImporter.h - ONNX model to MLIR importer --------------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The public entry points of the ONNX importer. They keep protobuf out of the
// interface: callers hand over a path or bytes and get a module, and every
// problem is reported through the MLIRContext's diagnostic engine with the
// ONNX node (name, op_type, domain, opset) it concerns.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IMPORT_ONNXIMPORTER_H
#define LOOM_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <set>
#include <string>

namespace mlir {
class MLIRContext;
class DialectRegistry;
namespace loom {
namespace onnx_import {

struct ImportOptions {
  /// Run ONNX's own shape inference before importing (strict mode off).
  bool inferShapes = true;
  /// Verify the module once the graph is imported.
  bool verify = true;
  /// Initializers with more elements than this become `dense_resource` blobs
  /// that take over the protobuf's bytes instead of copying them.
  int64_t resourceThreshold = 256;

  // Sequences and optionals are resolved at import time: the artifact and
  // the runtime only see tensors. A sequence graph input of length N becomes
  // N tensor inputs NAME.0 .. NAME.<N-1>; a present optional input becomes
  // its content (a tensor NAME, or a sequence as above), an absent one no
  // input at all. Sequence/optional outputs are flattened the same way.

  /// Length of each sequence-typed graph input (also of the sequence inside
  /// an optional<sequence> input), by input name. Required for every
  /// sequence input.
  std::map<std::string, int64_t> sequenceLengths;
  /// Rank of the elements of a sequence input whose declared element type
  /// has no shape (every dim is then dynamic).
  std::map<std::string, int64_t> sequenceElemRanks;
  /// Optional-typed graph inputs that are absent; the others are present.
  std::set<std::string> absentOptionals;
};

/// Loads the dialects the importer produces into `registry`.
void registerImporterDialects(DialectRegistry &registry);

/// Imports a binary ModelProto file (external data is resolved relative to
/// the file's folder). Returns failure after emitting diagnostics.
FailureOr<OwningOpRef<ModuleOp>> importOnnxFile(MLIRContext *context,
                                                StringRef path,
                                                const ImportOptions &options = {});

/// Imports a ModelProto held in memory (`bufferName` names it in errors;
/// external data, if any, is looked up relative to the current folder).
FailureOr<OwningOpRef<ModuleOp>> importOnnxBytes(MLIRContext *context,
                                                 const void *data, size_t size,
                                                 StringRef bufferName,
                                                 const ImportOptions &options = {});

/// Imports a model written in ONNX's textual syntax (onnx/defs/parser.h).
FailureOr<OwningOpRef<ModuleOp>> importOnnxText(MLIRContext *context,
                                                StringRef text,
                                                StringRef bufferName,
                                                const ImportOptions &options = {});

/// Fills `options`' sequence lengths, sequence element ranks and absent
/// optionals from one ONNX test data set folder (`input_<i>.pb` for the i-th
/// graph input that is not an initializer, ONNX's backend-test layout): the
/// options under which the model compiles for that data. Inputs of other
/// types are not read. Returns failure with `error` set if a file the model
/// needs is missing or unreadable.
LogicalResult deriveImportOptionsFromData(StringRef modelPath,
                                          StringRef dataDir,
                                          ImportOptions &options,
                                          std::string &error);

/// Prints the table of supported (domain, op_type, opset range) entries,
/// as plain text or as the Markdown of docs/onnx-support.md.
void printSupportedOps(llvm::raw_ostream &os, bool markdown);

} // namespace onnx_import
} // namespace loom
} // namespace mlir

#endif // LOOM_IMPORT_ONNXIMPORTER_H
