//===- TestData.cpp - ONNX test data with sequences and optionals ---------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "TestData.h"

#include <onnx/onnx-data.pb.h>

#include <fstream>
#include <set>

using namespace loom_conformance;

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

bool flattenOptional(const onnx::OptionalProto &o,
                     std::vector<onnx::TensorProto> &out, std::string &err);

bool flattenSequence(const onnx::SequenceProto &s,
                     std::vector<onnx::TensorProto> &out, std::string &err) {
  if (s.sparse_tensor_values_size() || s.map_values_size()) {
    err = "sequences of sparse tensors or maps are not supported";
    return false;
  }
  out.insert(out.end(), s.tensor_values().begin(), s.tensor_values().end());
  for (const auto &inner : s.sequence_values())
    if (!flattenSequence(inner, out, err))
      return false;
  for (const auto &inner : s.optional_values())
    if (!flattenOptional(inner, out, err))
      return false;
  return true;
}

bool flattenOptional(const onnx::OptionalProto &o,
                     std::vector<onnx::TensorProto> &out, std::string &err) {
  if (o.has_tensor_value())
    out.push_back(o.tensor_value());
  else if (o.has_sequence_value())
    return flattenSequence(o.sequence_value(), out, err);
  else if (o.has_optional_value())
    return flattenOptional(o.optional_value(), out, err);
  else if (o.has_sparse_tensor_value() || o.has_map_value()) {
    err = "optionals of sparse tensors or maps are not supported";
    return false;
  }
  return true;
}

} // namespace

bool loom_conformance::readFlattened(const std::string &path,
                                      const onnx::TypeProto &type,
                                      std::vector<onnx::TensorProto> &out,
                                      std::string &err) {
  if (type.has_sequence_type()) {
    onnx::SequenceProto s;
    return parseFile(path, s, err) && flattenSequence(s, out, err);
  }
  if (type.has_optional_type()) {
    onnx::OptionalProto o;
    return parseFile(path, o, err) && flattenOptional(o, out, err);
  }
  onnx::TensorProto t;
  if (!parseFile(path, t, err))
    return false;
  out.push_back(std::move(t));
  return true;
}

std::vector<const onnx::ValueInfoProto *>
loom_conformance::dataInputs(const onnx::ModelProto &model) {
  std::set<std::string> inits;
  for (const auto &t : model.graph().initializer())
    inits.insert(t.name());
  std::vector<const onnx::ValueInfoProto *> ins;
  for (const auto &vi : model.graph().input())
    if (!inits.count(vi.name()))
      ins.push_back(&vi);
  return ins;
}

bool loom_conformance::readModel(const std::string &path,
                                  onnx::ModelProto &model, std::string &err) {
  return parseFile(path, model, err);
}
