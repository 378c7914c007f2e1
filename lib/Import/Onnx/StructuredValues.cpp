//===- StructuredValues.cpp - Sequence and optional graph inputs/outputs --===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The runtime ABI speaks tensors only, so an ONNX sequence or optional at
// the graph boundary is flattened into tensors whose number is fixed at
// import time: a sequence input of length N (ImportOptions::sequenceLengths)
// is the entry inputs NAME.0 .. NAME.<N-1>; a present optional is its
// content, an absent one (ImportOptions::absentOptionals) nothing. Outputs
// are flattened the same way from the values the graph computes.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

bool mlir::loom::onnx_import::isStructuredType(const onnx::TypeProto &t) {
  return t.has_sequence_type() || t.has_optional_type();
}

std::string ValueInfo::describe() const {
  switch (kind) {
  case Kind::Tensor:
    return "a tensor";
  case Kind::Sequence:
    return "a sequence of " + std::to_string(elements.size());
  case Kind::Optional:
    return elements.empty() ? "an absent optional"
                            : "an optional holding " + elements[0].describe();
  }
  return "value";
}

void ValueInfo::flatten(SmallVectorImpl<const ValueInfo *> &out) const {
  if (isTensor()) {
    out.push_back(this);
    return;
  }
  for (const ValueInfo &e : elements)
    e.flatten(out);
}

void mlir::loom::onnx_import::assignLeaves(ValueInfo &tree,
                                           ArrayRef<BlockArgument> args,
                                           unsigned &next) {
  if (tree.isTensor()) {
    tree.value = args[next++];
    return;
  }
  for (ValueInfo &e : tree.elements)
    assignLeaves(e, args, next);
}

void mlir::loom::onnx_import::leafNames(const ValueInfo &v,
                                        const std::string &base,
                                        SmallVectorImpl<std::string> &out) {
  switch (v.kind) {
  case ValueInfo::Kind::Tensor:
    out.push_back(base);
    return;
  case ValueInfo::Kind::Sequence:
    for (auto [k, e] : llvm::enumerate(v.elements))
      leafNames(e, base + "." + std::to_string(k), out);
    return;
  case ValueInfo::Kind::Optional:
    for (const ValueInfo &e : v.elements)
      leafNames(e, base, out);
    return;
  }
}

FailureOr<ValueInfo> GraphImporter::layoutStructuredInput(
    const onnx::ValueInfoProto &vi, Location loc, SmallVectorImpl<Type> &types,
    SmallVectorImpl<std::string> &names, SmallVectorImpl<int32_t> &elems) {
  const std::string &name = vi.name();
  const onnx::TypeProto *t = &vi.type();
  bool isOptional = t->has_optional_type();
  if (isOptional) {
    t = &t->optional_type().elem_type();
    if (options.absentOptionals.count(name)) {
      int32_t et = t->has_tensor_type()
                       ? t->tensor_type().elem_type()
                       : t->sequence_type().elem_type().tensor_type().elem_type();
      return ValueInfo::optional(std::nullopt, et);
    }
  } else if (options.absentOptionals.count(name)) {
    return emitError(loc) << "graph input '" << name
                          << "' is listed as an absent optional but is a "
                             "sequence, not an optional";
  }

  // A tensor leaf: ranked from the declared type or the element rank option.
  auto tensorLeaf = [&](const onnx::TypeProto &tt, const std::string &leafName)
      -> FailureOr<ValueInfo> {
    if (!tt.has_tensor_type())
      return emitError(loc) << "graph input '" << name
                            << "' holds sequences of sequences, maps or "
                               "optionals; only tensors are supported inside "
                               "a sequence or optional input";
    int32_t et = tt.tensor_type().elem_type();
    RankedTensorType type = convertTypeProto(ctx, tt);
    if (!type && convertElemType(ctx, et) && !tt.tensor_type().has_shape()) {
      auto r = options.sequenceElemRanks.find(name);
      if (r == options.sequenceElemRanks.end())
        return emitError(loc)
               << "graph input '" << name
               << "': its element type has no shape; give the element rank "
                  "(loomc --sequence-elem-rank " << name << "=R)";
      SmallVector<int64_t> shape(r->second, ShapedType::kDynamic);
      type = RankedTensorType::get(shape, convertElemType(ctx, et));
    }
    if (!type)
      return emitError(loc) << "graph input '" << name
                            << "' holds tensors of unsupported element type "
                            << onnxTypeName(et);
    types.push_back(type);
    names.push_back(leafName);
    elems.push_back(et);
    ValueInfo leaf;
    leaf.onnxElemType = et;
    return leaf;
  };

  if (t->has_tensor_type()) {
    if (!isOptional)
      return emitError(loc) << "graph input '" << name << "': internal: not "
                               "a sequence or optional";
    FailureOr<ValueInfo> leaf = tensorLeaf(*t, name);
    if (failed(leaf))
      return failure();
    return ValueInfo::optional(*leaf, leaf->onnxElemType);
  }
  if (!t->has_sequence_type())
    return emitError(loc) << "graph input '" << name
                          << "' is an optional of a map or optional; not "
                             "supported";
  auto len = options.sequenceLengths.find(name);
  if (len == options.sequenceLengths.end())
    return emitError(loc)
           << "graph input '" << name
           << "' is a sequence; its length must be known at compile time: "
              "give it with loomc --sequence-length " << name
           << "=N (ImportOptions::sequenceLengths)";
  if (len->second < 0)
    return emitError(loc) << "graph input '" << name
                          << "': negative sequence length " << len->second;
  const onnx::TypeProto &et = t->sequence_type().elem_type();
  std::vector<ValueInfo> elements;
  for (int64_t k = 0; k < len->second; ++k) {
    FailureOr<ValueInfo> leaf = tensorLeaf(et, name + "." + std::to_string(k));
    if (failed(leaf))
      return failure();
    elements.push_back(*leaf);
  }
  int32_t elemType = et.tensor_type().elem_type();
  ValueInfo seq = ValueInfo::sequence(std::move(elements), elemType);
  if (isOptional)
    return ValueInfo::optional(seq, elemType);
  return seq;
}

LogicalResult
GraphImporter::checkStructuredOptions(const onnx::GraphProto &graph,
                                      Location loc) {
  llvm::StringSet<> seqInputs, optInputs;
  for (const auto &vi : graph.input()) {
    const onnx::TypeProto &t = vi.type();
    if (t.has_sequence_type() ||
        (t.has_optional_type() &&
         t.optional_type().elem_type().has_sequence_type()))
      seqInputs.insert(vi.name());
    if (t.has_optional_type())
      optInputs.insert(vi.name());
  }
  auto check = [&](const std::string &n, const llvm::StringSet<> &set,
                   StringRef what) -> LogicalResult {
    if (set.contains(n))
      return success();
    return emitError(loc) << "import option names '" << n << "' as " << what
                          << ", but the graph has no such input";
  };
  for (const auto &[n, len] : options.sequenceLengths)
    if (failed(check(n, seqInputs, "a sequence input")))
      return failure();
  for (const auto &[n, rank] : options.sequenceElemRanks)
    if (failed(check(n, seqInputs, "a sequence input")))
      return failure();
  for (const std::string &n : options.absentOptionals)
    if (failed(check(n, optInputs, "an optional input")))
      return failure();
  return success();
}
