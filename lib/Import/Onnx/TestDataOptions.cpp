//===- TestDataOptions.cpp - Import options from an ONNX test data set ----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Sequence lengths and absent optionals are compile-time facts in Loom; an
// ONNX test data set (input_<i>.pb files, ONNX's backend-test layout) holds
// them for one run. `loomc --import-options-from-data DIR` and the
// conformance harnesses read them here, so that every caller compiles a test
// case the same way.
//
//===----------------------------------------------------------------------===//

#include "loom/Import/OnnxImporter.h"

// onnx_pb.h first: it defines the macros the other generated headers use.
#include <onnx/onnx_pb.h>
#include <onnx/onnx-data.pb.h>

#include <fstream>
#include <set>

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

template <typename Proto>
bool parseFile(const std::string &path, Proto &proto, std::string &err) {
  std::ifstream in(path, std::ios::binary);
  if (!in || !proto.ParseFromIstream(&in)) {
    err = "cannot read " + path;
    return false;
  }
  return true;
}

} // namespace

LogicalResult mlir::loom::onnx_import::deriveImportOptionsFromData(
    StringRef modelPath, StringRef dataDir, ImportOptions &options,
    std::string &error) {
  onnx::ModelProto model;
  if (!parseFile(modelPath.str(), model, error))
    return failure();
  // input_<i>.pb numbers the graph inputs that are not initializers.
  std::set<std::string> inits;
  for (const auto &t : model.graph().initializer())
    inits.insert(t.name());
  int index = 0;
  for (const onnx::ValueInfoProto &vi : model.graph().input()) {
    if (inits.count(vi.name()))
      continue;
    std::string path =
        (dataDir + "/input_" + std::to_string(index++) + ".pb").str();
    const onnx::TypeProto &t = vi.type();
    if (!t.has_sequence_type() && !t.has_optional_type())
      continue;
    onnx::SequenceProto seq;
    bool isSeq = t.has_sequence_type();
    if (t.has_optional_type()) {
      onnx::OptionalProto o;
      if (!parseFile(path, o, error))
        return failure();
      if (!o.has_tensor_value() && !o.has_sequence_value()) {
        options.absentOptionals.insert(vi.name());
        continue;
      }
      isSeq = o.has_sequence_value();
      if (isSeq)
        seq = o.sequence_value();
    } else if (!parseFile(path, seq, error)) {
      return failure();
    }
    if (!isSeq)
      continue;
    options.sequenceLengths[vi.name()] = seq.tensor_values_size();
    if (seq.tensor_values_size() > 0)
      options.sequenceElemRanks[vi.name()] = seq.tensor_values(0).dims_size();
  }
  return success();
}
