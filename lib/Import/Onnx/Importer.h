//===- Importer.h - ONNX graph walk shared by the op handlers ---*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// GraphImporter owns the state of one model import (value map, inferred
// types, opsets); NodeImporter is the view an op handler gets of one node:
// its inputs as MLIR values (with their constant value when known, so shape
// subgraphs fold at import), typed attribute getters that report a wrong
// type as an error naming the node, and setResult.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_IMPORT_ONNX_IMPORTER_H
#define LOOM_LIB_IMPORT_ONNX_IMPORTER_H

#include "loom/Import/OnnxImporter.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"

#include "onnx/onnx_pb.h"

#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace mlir::loom::onnx_import {

/// What the importer knows about one ONNX value. Sequences and optionals
/// exist only at import time: a sequence is its list of element values (its
/// length is static), an optional is absent or holds one value.
struct ValueInfo {
  enum class Kind { Tensor, Sequence, Optional };
  Value value;
  /// The value's contents when known at import time (small tensors only).
  DenseElementsAttr constant;
  /// ONNX TensorProto::DataType; tells signedness, which MLIR's signless
  /// integers do not carry. For a sequence/optional: of its tensors.
  int32_t onnxElemType = 0;
  Kind kind = Kind::Tensor;
  /// Sequence: the elements in order. Optional: empty when absent, else
  /// the one content (a tensor or a sequence).
  std::vector<ValueInfo> elements;

  bool isTensor() const { return kind == Kind::Tensor; }
  static ValueInfo sequence(std::vector<ValueInfo> elems, int32_t elemType) {
    ValueInfo v;
    v.kind = Kind::Sequence;
    v.elements = std::move(elems);
    v.onnxElemType = elemType;
    return v;
  }
  static ValueInfo optional(std::optional<ValueInfo> content, int32_t elemType) {
    ValueInfo v;
    v.kind = Kind::Optional;
    if (content)
      v.elements.push_back(std::move(*content));
    v.onnxElemType = elemType;
    return v;
  }
  /// "a tensor", "a sequence of 3" or "an absent optional", for messages.
  std::string describe() const;
  /// The tensors in order (sequence elements, an optional's content).
  void flatten(SmallVectorImpl<const ValueInfo *> &out) const;
};

class GraphImporter {
public:
  GraphImporter(MLIRContext *ctx, onnx::ModelProto &model, StringRef modelPath,
                const ImportOptions &options);

  /// Builds `func.func @main` for the model's graph into `module`.
  LogicalResult importModel(ModuleOp module);

  /// Imports the nodes of `graph` at the builder's insertion point; used for
  /// the main graph and for If/Loop bodies (which see the enclosing values).
  LogicalResult importNodes(const onnx::GraphProto &graph, OpBuilder &b);

  /// Registers the value_info/input/output types of `graph` by name.
  void collectTypes(const onnx::GraphProto &graph);

  void pushScope() { scopes.emplace_back(); }
  void popScope() { scopes.pop_back(); }
  const ValueInfo *lookup(StringRef name) const;
  void define(StringRef name, ValueInfo info) { scopes.back()[name] = info; }

  /// Inferred or declared type of a value by name (null when unknown).
  const onnx::TypeProto *onnxType(StringRef name) const;
  /// MLIR type for a value from its inferred/declared type (null if unknown
  /// or not a tensor).
  RankedTensorType inferredType(StringRef name) const;

  /// Opset the model imports for `domain` (0 when absent).
  int64_t opsetFor(StringRef domain) const;

  /// Turns an initializer/Constant tensor into a constant op; small tensors
  /// also come back as `constant` for folding. Takes over raw_data of big
  /// tensors (the proto must not be read again).
  FailureOr<ValueInfo> importTensor(onnx::TensorProto &tensor, OpBuilder &b,
                                    Location loc, StringRef what);

  Location nodeLoc(const onnx::NodeProto &node, unsigned index);

  /// Keeps a copy of a subgraph alive for the rest of the import; a body
  /// imported more than once (unrolled loops, SequenceMap) imports a fresh
  /// copy each time, as importing takes over the bytes of big constants.
  const onnx::GraphProto &keepCopy(const onnx::GraphProto &g) {
    expandedBodies.push_back(std::make_unique<onnx::GraphProto>(g));
    return *expandedBodies.back();
  }

  // Graph inputs/outputs of sequence or optional type (StructuredValues.cpp).

  /// Lays out sequence/optional graph input `vi` from the import options:
  /// returns its value tree with null tensor leaves and appends one entry
  /// argument (type, name, ONNX element type) per leaf, in flatten order.
  FailureOr<ValueInfo> layoutStructuredInput(const onnx::ValueInfoProto &vi,
                                             Location loc,
                                             SmallVectorImpl<Type> &types,
                                             SmallVectorImpl<std::string> &names,
                                             SmallVectorImpl<int32_t> &elems);
  /// Checks that the options name only sequence/optional graph inputs.
  LogicalResult checkStructuredOptions(const onnx::GraphProto &graph,
                                       Location loc);

  /// Imports `node` through its ONNX function body (model-local function or
  /// a function-defined ONNX op). False when it has none.
  FailureOr<bool> expandFunction(const onnx::NodeProto &node, OpBuilder &b,
                                 int64_t opset);

  MLIRContext *ctx;
  onnx::ModelProto &model;
  /// value_info found by ONNX's shape inference (all graphs), or null.
  const onnx::GraphProto *inferredTypes = nullptr;
  std::string modelPath;
  std::string modelDir;
  ImportOptions options;

private:
  std::vector<llvm::StringMap<ValueInfo>> scopes;
  llvm::StringMap<const onnx::TypeProto *> types;
  std::map<std::string, int64_t> opsets;
  std::vector<std::unique_ptr<onnx::GraphProto>> expandedBodies;
  unsigned expansions = 0;
};

class NodeImporter {
public:
  NodeImporter(GraphImporter &g, const onnx::NodeProto &node, OpBuilder &b,
               Location loc, int64_t opset)
      : g(g), node(node), b(b), loc(loc), opset(opset) {}

  GraphImporter &g;
  const onnx::NodeProto &node;
  OpBuilder &b;
  Location loc;
  int64_t opset;

  MLIRContext *ctx() const { return g.ctx; }

  /// "node 'n' (Add, domain 'ai.onnx', opset 13): " followed by the message.
  InFlightDiagnostic error();
  /// The "node '...' (op_type ..., domain ..., opset N)" prefix alone.
  std::string describe() const;
  /// Marks the node as failed with "unsupported: <why>"; returns failure.
  LogicalResult unsupported(const Twine &why);

  // Inputs. Optional inputs may be absent or named "".
  unsigned numInputs() const { return node.input_size(); }
  bool hasInput(unsigned i) const {
    return i < (unsigned)node.input_size() && !node.input(i).empty();
  }
  Value input(unsigned i) const;
  RankedTensorType inputType(unsigned i) const;
  Type inputElemType(unsigned i) const { return inputType(i).getElementType(); }
  int32_t inputOnnxType(unsigned i) const;
  bool inputUnsigned(unsigned i) const;
  /// Contents of input i when known at import time, else null.
  DenseElementsAttr inputConstant(unsigned i) const;
  /// Integer contents of a constant input; errors (naming the node) when the
  /// input is not a constant.
  FailureOr<SmallVector<int64_t>> constantInts(unsigned i, StringRef what);

  // Outputs.
  unsigned numOutputs() const { return node.output_size(); }
  bool hasOutput(unsigned i) const {
    return i < (unsigned)node.output_size() && !node.output(i).empty();
  }
  /// Type ONNX shape inference found for output i (null if unknown).
  RankedTensorType inferredType(unsigned i) const;
  int32_t outputOnnxType(unsigned i) const;
  /// Defines output i. Casts to the inferred type when that is more static.
  LogicalResult setResult(unsigned i, Value v, DenseElementsAttr cst = {});
  /// Defines output i as the constant `cst`.
  LogicalResult setConstant(unsigned i, DenseElementsAttr cst);

  // Attributes. A present attribute of the wrong type is an error; the
  // getters then return the default and the node fails after its handler.
  const onnx::AttributeProto *attr(StringRef name) const;
  bool hasAttr(StringRef name) const { return attr(name) != nullptr; }
  int64_t getInt(StringRef name, int64_t dflt);
  float getFloat(StringRef name, float dflt);
  std::string getString(StringRef name, StringRef dflt);
  SmallVector<int64_t> getInts(StringRef name, ArrayRef<int64_t> dflt = {});
  SmallVector<float> getFloats(StringRef name);
  const onnx::TensorProto *getTensor(StringRef name);
  const onnx::GraphProto *getGraph(StringRef name);
  /// Required integer attribute.
  std::optional<int64_t> requireInt(StringRef name);

  bool attrFailed = false;

private:
  bool checkAttrType(const onnx::AttributeProto *a, int expected,
                     StringRef expectedName);
};

/// True for a TypeProto of sequence or optional type.
bool isStructuredType(const onnx::TypeProto &t);
/// Fills the null tensor leaves of `tree` with `args` from `next` on, in
/// flatten order.
void assignLeaves(ValueInfo &tree, ArrayRef<BlockArgument> args,
                  unsigned &next);
/// Entry names of the tensors of `v` (NAME.k for sequence elements, NAME
/// for an optional's tensor), in flatten order.
void leafNames(const ValueInfo &v, const std::string &base,
               SmallVectorImpl<std::string> &out);

/// Element type for an ONNX TensorProto::DataType, or null (strings, ...).
Type convertElemType(MLIRContext *ctx, int32_t onnxType);
/// Name of an ONNX data type, for messages.
std::string onnxTypeName(int32_t onnxType);
bool isUnsignedOnnxType(int32_t onnxType);
/// Tensor type of a TypeProto (unranked or non-tensor -> null).
RankedTensorType convertTypeProto(MLIRContext *ctx, const onnx::TypeProto &t);

/// Builds a DenseElementsAttr from a tensor's typed fields or its raw_data
/// (copying), checking that the byte size agrees with the shape.
FailureOr<DenseElementsAttr> tensorToDenseAttr(MLIRContext *ctx,
                                               const onnx::TensorProto &t,
                                               RankedTensorType type,
                                               ArrayRef<char> rawData,
                                               std::string &err);

/// 16-bit float inputs of reductions and normalizations, extended to f32
/// for the op's handler (WidenPrecision.cpp); restoreInputs puts the
/// original inputs back and rounds the op's f32 results to the 16-bit type.
struct WidenedInputs {
  Type narrow; // null when nothing was widened
  int32_t narrowOnnx = 0;
  std::vector<std::pair<std::string, ValueInfo>> saved;
};
WidenedInputs widenInputs(GraphImporter &g, const onnx::NodeProto &node,
                          StringRef domain, OpBuilder &b, Location loc);
void restoreInputs(GraphImporter &g, const onnx::NodeProto &node,
                   OpBuilder &b, Location loc, const WidenedInputs &w);

} // namespace mlir::loom::onnx_import

#endif // LOOM_LIB_IMPORT_ONNX_IMPORTER_H
