//===- TestData.h - ONNX test data with sequences and optionals -*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// ONNX's test data stores each graph input/output as a TensorProto,
// SequenceProto or OptionalProto file (which one follows from the graph's
// declared type; the wire formats do not tell them apart). Loom compiles a
// sequence/optional into a static list of tensors, so the harnesses derive
// the import options (sequence lengths, absent optionals) from a data set
// (onnx_import::deriveImportOptionsFromData, which `loomc
// --import-options-from-data` uses too) and flatten the files into tensors
// in the importer's order.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TEST_CONFORMANCE_TESTDATA_H
#define LOOM_TEST_CONFORMANCE_TESTDATA_H

#include "loom/Import/OnnxImporter.h"

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

namespace loom_conformance {

/// Appends the tensors of the file `path` holding a value of `type`, in
/// flatten order (sequence elements in order, an optional's content).
bool readFlattened(const std::string &path, const onnx::TypeProto &type,
                   std::vector<onnx::TensorProto> &out, std::string &err);

/// Graph inputs that are not initializers, in order (input_<i>.pb order).
std::vector<const onnx::ValueInfoProto *>
dataInputs(const onnx::ModelProto &model);

/// Reads model.onnx (without external data).
bool readModel(const std::string &path, onnx::ModelProto &model,
               std::string &err);

} // namespace loom_conformance

#endif // LOOM_TEST_CONFORMANCE_TESTDATA_H
