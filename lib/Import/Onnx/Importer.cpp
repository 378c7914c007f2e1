//===- Importer.cpp - ONNX model to MLIR: graph walk and values -----------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "OpTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/StringSet.h"

#include "onnx/defs/schema.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <climits>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlir;
using namespace mlir::loom::onnx_import;

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

GraphImporter::GraphImporter(MLIRContext *ctx, onnx::ModelProto &model,
                             StringRef modelPath, const ImportOptions &options)
    : ctx(ctx), model(model), modelPath(modelPath.str()), options(options) {
  modelDir = llvm::sys::path::parent_path(modelPath).str();
  if (modelDir.empty())
    modelDir = ".";
  for (const auto &o : model.opset_import()) {
    std::string d = o.domain() == "ai.onnx" ? "" : o.domain();
    opsets[d] = o.version();
  }
  scopes.emplace_back();
}

int64_t GraphImporter::opsetFor(StringRef domain) const {
  auto it = opsets.find(domain == "ai.onnx" ? "" : domain.str());
  return it == opsets.end() ? 0 : it->second;
}

const ValueInfo *GraphImporter::lookup(StringRef name) const {
  for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
    auto f = it->find(name);
    if (f != it->end())
      return &f->second;
  }
  return nullptr;
}

void GraphImporter::collectTypes(const onnx::GraphProto &graph) {
  for (const auto &vi : graph.input())
    types[vi.name()] = &vi.type();
  for (const auto &vi : graph.value_info())
    types[vi.name()] = &vi.type();
  for (const auto &vi : graph.output())
    types[vi.name()] = &vi.type();
}

const onnx::TypeProto *GraphImporter::onnxType(StringRef name) const {
  auto it = types.find(name);
  return it == types.end() ? nullptr : it->second;
}

RankedTensorType GraphImporter::inferredType(StringRef name) const {
  const onnx::TypeProto *t = onnxType(name);
  return t ? convertTypeProto(ctx, *t) : nullptr;
}

Location GraphImporter::nodeLoc(const onnx::NodeProto &node, unsigned index) {
  std::string name = node.name();
  if (name.empty())
    name = node.op_type() + "_" + std::to_string(index);
  // Line = 1-based position of the node in its graph.
  return NameLoc::get(StringAttr::get(ctx, name),
                      FileLineColLoc::get(ctx, modelPath, index + 1, 1));
}

namespace {
/// A read-only mapping of part of an external data file; the resource blob's
/// deleter unmaps it.
struct Mapping {
  void *base = nullptr;
  size_t length = 0;
};

/// Resolves `location` against the model folder; refuses paths that leave it.
FailureOr<std::string> resolveExternalPath(StringRef modelDir,
                                           StringRef location,
                                           std::string &err) {
  if (location.empty() || llvm::sys::path::is_absolute(location)) {
    err = "external data path '" + location.str() +
          "' must be relative to the model's folder";
    return failure();
  }
  SmallString<256> dir, full;
  if (llvm::sys::fs::real_path(modelDir, dir)) {
    err = "cannot resolve the model folder '" + modelDir.str() + "'";
    return failure();
  }
  SmallString<256> joined(dir);
  llvm::sys::path::append(joined, location);
  if (llvm::sys::fs::real_path(joined, full)) {
    err = "external data file '" + location.str() + "' not found next to the "
          "model (looked for " + joined.str().str() + ")";
    return failure();
  }
  StringRef fullRef = full.str();
  if (!fullRef.starts_with(dir.str()) ||
      (fullRef.size() > dir.size() &&
       !llvm::sys::path::is_separator(fullRef[dir.size()]))) {
    err = "external data path '" + location.str() +
          "' escapes the model's folder; move the data file next to the model";
    return failure();
  }
  return full.str().str();
}
} // namespace

FailureOr<ValueInfo> GraphImporter::importTensor(onnx::TensorProto &t,
                                                 OpBuilder &b, Location loc,
                                                 StringRef what) {
  auto fail = [&](const Twine &msg) {
    emitError(loc) << what << ": " << msg;
    return failure();
  };
  Type elem = convertElemType(ctx, t.data_type());
  if (!elem)
    return fail("element type " + onnxTypeName(t.data_type()) +
                " is not supported; convert the tensor to a numeric type");
  SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  for (int64_t d : shape)
    if (d < 0)
      return fail("has a negative dimension");
  auto type = RankedTensorType::get(shape, elem);
  int64_t n = type.getNumElements();
  ValueInfo info;
  info.onnxElemType = t.data_type();
  unsigned width = elem.getIntOrFloatBitWidth();
  bool byteSized = width >= 8 && width % 8 == 0 && width != 1;
  int64_t byteSize = n * (width / 8);

  // External data: map the file range; the blob owns the mapping.
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string location;
    int64_t offset = 0, length = -1;
    for (const auto &kv : t.external_data()) {
      if (kv.key() == "location")
        location = kv.value();
      else if (kv.key() == "offset")
        offset = std::atoll(kv.value().c_str());
      else if (kv.key() == "length")
        length = std::atoll(kv.value().c_str());
    }
    std::string err;
    FailureOr<std::string> path = resolveExternalPath(modelDir, location, err);
    if (failed(path))
      return fail(err);
    if (!byteSized)
      return fail("external data of element type " +
                  onnxTypeName(t.data_type()) + " is not supported");
    if (length < 0)
      length = byteSize;
    if (length != byteSize)
      return fail("external data holds " + Twine(length) +
                  " bytes but its shape needs " + Twine(byteSize));
    int fd = ::open(path->c_str(), O_RDONLY);
    if (fd < 0)
      return fail("cannot open external data file '" + *path + "'");
    struct stat st;
    if (::fstat(fd, &st) != 0 || offset < 0 || offset + length > st.st_size) {
      ::close(fd);
      return fail("external data range [" + Twine(offset) + ", " +
                  Twine(offset + length) + ") lies outside '" + *path + "'");
    }
    long page = sysconf(_SC_PAGESIZE);
    int64_t alignedOff = offset / page * page;
    size_t mapLen = offset - alignedOff + length;
    void *base = mapLen ? ::mmap(nullptr, mapLen, PROT_READ, MAP_PRIVATE, fd,
                                 alignedOff)
                        : nullptr;
    ::close(fd);
    if (base == MAP_FAILED)
      return fail("cannot map external data file '" + *path + "'");
    ArrayRef<char> data((const char *)base + (offset - alignedOff), length);
    if (n <= options.resourceThreshold) {
      FailureOr<DenseElementsAttr> attr =
          tensorToDenseAttr(ctx, t, type, data, err);
      if (base)
        ::munmap(base, mapLen);
      if (failed(attr))
        return fail(err);
      info.constant = *attr;
      info.value = arith::ConstantOp::create(b, loc, *attr);
      return info;
    }
    AsmResourceBlob blob = UnmanagedAsmResourceBlob::allocateWithAlign(
        data, 1,
        [base, mapLen](void *, size_t, size_t) {
          if (base)
            ::munmap(base, mapLen);
        });
    auto attr = DenseResourceElementsAttr::get(
        type, t.name().empty() ? "onnx_tensor" : t.name(), std::move(blob));
    info.value = arith::ConstantOp::create(b, loc, type, attr);
    return info;
  }

  // Large raw tensors: hand the protobuf's string to the resource blob so
  // the bytes exist once.
  if (n > options.resourceThreshold && t.has_raw_data() && byteSized) {
    if ((int64_t)t.raw_data().size() != byteSize)
      return fail("holds " + Twine(t.raw_data().size()) +
                  " bytes but its shape needs " + Twine(n) + " elements of " +
                  onnxTypeName(t.data_type()) + " (" + Twine(byteSize) +
                  " bytes); re-export the model");
    std::string *owned = t.release_raw_data();
    size_t align = std::min<size_t>(width / 8, alignof(std::max_align_t));
    AsmResourceBlob blob = UnmanagedAsmResourceBlob::allocateWithAlign(
        ArrayRef<char>(owned->data(), owned->size()), align,
        [owned](void *, size_t, size_t) { delete owned; });
    std::string name = t.name().empty() ? "onnx_tensor" : t.name();
    auto attr = DenseResourceElementsAttr::get(type, name, std::move(blob));
    info.value = arith::ConstantOp::create(b, loc, type, attr);
    return info;
  }

  std::string err;
  ArrayRef<char> raw;
  if (t.has_raw_data())
    raw = ArrayRef<char>(t.raw_data().data(), t.raw_data().size());
  FailureOr<DenseElementsAttr> attr = tensorToDenseAttr(ctx, t, type, raw, err);
  if (failed(attr))
    return fail(err + "; re-export the model");
  if (n <= options.resourceThreshold)
    info.constant = *attr;
  info.value = arith::ConstantOp::create(b, loc, *attr);
  return info;
}

/// Input/output counts against the op's schema (ops ONNX 1.12 knows) or the
/// handler's own minimum (newer and contrib ops), so handlers can index the
/// inputs they require.
static LogicalResult checkArity(NodeImporter &ni, const std::string &domain) {
  const onnx::NodeProto &node = ni.node;
  int minIn = 0, maxIn = INT_MAX, maxOut = INT_MAX;
  // The installed schemas stop at some opset (17 for ONNX 1.12); a newer
  // model's op may have a different signature (ReduceMean-18 takes axes as
  // an input), so the schema only speaks for opsets it knows.
  const auto &ranges = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto range = ranges.find(domain.empty() ? "" : domain);
  bool known = range != ranges.end() && ni.opset <= range->second.second;
  const onnx::OpSchema *schema =
      known ? onnx::OpSchemaRegistry::Schema(node.op_type(), ni.opset, domain)
            : nullptr;
  if (schema) {
    minIn = schema->min_input();
    maxIn = schema->max_input();
    maxOut = schema->max_output();
  } else {
    // Contrib/newer ops without a schema here: their leading inputs.
    static const std::map<std::string, int> minInputs = {
        {"Attention", 3}, {"MultiHeadAttention", 1}, {"GroupQueryAttention", 1},
        {"RotaryEmbedding", 3}, {"RMSNormalization", 2},
        {"SimplifiedLayerNormalization", 2}, {"SkipLayerNormalization", 3},
        {"SkipSimplifiedLayerNormalization", 3}, {"MatMulNBits", 3},
        {"Gelu", 1}, {"BiasGelu", 2}, {"FastGelu", 1}, {"QuickGelu", 1}};
    auto it = minInputs.find(node.op_type());
    minIn = it == minInputs.end() ? 0 : it->second;
  }
  int given = 0;
  for (int i = 0; i < node.input_size(); ++i) {
    // min_input counts an optional formal before a variadic one (Scan-8's
    // sequence_lens); such an input may be left empty.
    bool optional = schema && i < (int)schema->inputs().size() &&
                    schema->inputs()[i].GetOption() ==
                        onnx::OpSchema::FormalParameterOption::Optional;
    if (i < minIn && node.input(i).empty() && !optional)
      return ni.error() << "required input " << i << " is missing";
  }
  given = node.input_size();
  if (given < minIn || given > maxIn)
    return ni.error() << "has " << given << " inputs; the op takes "
                      << minIn << " to " << maxIn;
  if (node.output_size() > maxOut || node.output_size() == 0)
    return ni.error() << "has " << node.output_size() << " outputs; the op "
                      << "has at most " << maxOut;
  return success();
}

LogicalResult GraphImporter::importNodes(const onnx::GraphProto &graph,
                                         OpBuilder &b) {
  const OpTable &table = OpTable::get();
  for (int idx = 0; idx < graph.node_size(); ++idx) {
    const onnx::NodeProto &node = graph.node(idx);
    Location loc = nodeLoc(node, idx);
    std::string domain = node.domain() == "ai.onnx" ? "" : node.domain();
    int64_t opset = opsetFor(domain);
    NodeImporter ni(*this, node, b, loc, opset);
    if (opset == 0)
      return ni.error() << "the model imports no opset for domain '"
                        << domain << "'; add it to opset_import";
    for (int i = 0; i < node.input_size(); ++i)
      if (!node.input(i).empty() && !lookup(node.input(i)))
        return ni.error() << "input '" << node.input(i)
                          << "' is not defined before the node (the graph "
                             "must be topologically sorted)";
    // Sequences/optionals only flow into the ops that take them.
    bool structuredIn = false;
    for (int i = 0; i < node.input_size(); ++i) {
      const ValueInfo *in = node.input(i).empty() ? nullptr : lookup(node.input(i));
      if (!in || in->isTensor())
        continue;
      structuredIn = true;
      if (!takesStructuredInputs(domain, node.op_type()))
        return ni.error() << "input '" << node.input(i) << "' is "
                          << in->describe() << "; this op takes tensors";
    }
    if (structuredIn && domain.empty() && node.op_type() == "Identity") {
      if (node.output_size() == 1)
        define(node.output(0), *lookup(node.input(0)));
      continue;
    }
    bool known = false;
    const OpEntry *entry = table.lookup(domain, node.op_type(), opset, known);
    if (!entry && !known) {
      FailureOr<bool> expanded = expandFunction(node, b, opset);
      if (failed(expanded))
        return ni.error() << "expanding the op's ONNX function body failed",
               failure();
      if (*expanded)
        continue;
    }
    if (!entry) {
      if (known)
        return ni.error() << "opset " << opset << " of this op is not "
                          << "supported; convert the model to a supported "
                          << "opset (see loomc --list-ops)";
      return ni.error() << "unknown op; no importer for '" << node.op_type()
                        << "' in domain '"
                        << (domain.empty() ? "ai.onnx" : domain)
                        << "' (see loomc --list-ops for the supported ops)";
    }
    if (failed(checkArity(ni, domain)))
      return failure();
    WidenedInputs widened = widenInputs(*this, node, domain, b, loc);
    if (failed(entry->handler(ni)) || ni.attrFailed)
      return failure();
    restoreInputs(*this, node, b, loc, widened);
    for (int i = 0; i < node.output_size(); ++i)
      if (!node.output(i).empty() && !lookup(node.output(i)))
        return ni.error() << "output " << i << " ('" << node.output(i)
                          << "') is not supported by the importer";
  }
  return success();
}

LogicalResult GraphImporter::importModel(ModuleOp module) {
  const onnx::GraphProto &graph = model.graph();
  collectTypes(graph);
  if (inferredTypes)
    collectTypes(*inferredTypes); // At least as precise as the declared ones.
  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module.getBody());
  Location fileLoc = FileLineColLoc::get(ctx, modelPath, 0, 0);

  llvm::StringSet<> initNames;
  for (const auto &t : graph.initializer())
    initNames.insert(t.name());

  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  SmallVector<int32_t> argElem;
  if (failed(checkStructuredOptions(graph, fileLoc)))
    return failure();
  // Sequence/optional inputs: their value trees, leaves filled from the
  // entry arguments once the function exists.
  std::vector<std::pair<std::string, ValueInfo>> structuredInputs;
  std::vector<unsigned> structuredFirstArg;
  for (const auto &vi : graph.input()) {
    if (initNames.contains(vi.name()))
      continue; // Opset < 9 lists initializers among the inputs.
    if (isStructuredType(vi.type())) {
      unsigned first = argTypes.size();
      FailureOr<ValueInfo> tree =
          layoutStructuredInput(vi, fileLoc, argTypes, argNames, argElem);
      if (failed(tree))
        return failure();
      structuredInputs.emplace_back(vi.name(), std::move(*tree));
      structuredFirstArg.push_back(first);
      continue;
    }
    RankedTensorType t = convertTypeProto(ctx, vi.type());
    if (!t) {
      return emitError(fileLoc)
             << "graph input '" << vi.name()
             << "' is not a ranked tensor of a supported element type "
                "(maps and strings are not supported)";
    }
    argTypes.push_back(t);
    argNames.push_back(vi.name());
    argElem.push_back(vi.type().tensor_type().elem_type());
  }

  auto func = func::FuncOp::create(b, NameLoc::get(StringAttr::get(ctx, graph.name().empty() ? "main" : graph.name()), fileLoc), "main",
                                   b.getFunctionType(argTypes, {}));
  Block *body = func.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(argNames)) {
    func.setArgAttr(i, "loom.name", b.getStringAttr(name));
    // Tensors are signless; the runtime still needs to know uint from int.
    if (isUnsignedOnnxType(argElem[i]))
      func.setArgAttr(i, "loom.unsigned", b.getUnitAttr());
    define(name, ValueInfo{body->getArgument(i), {}, argElem[i]});
  }
  for (auto [k, entry] : llvm::enumerate(structuredInputs)) {
    unsigned next = structuredFirstArg[k];
    assignLeaves(entry.second, body->getArguments(), next);
    define(entry.first, entry.second);
  }
  b.setInsertionPointToStart(body);

  // Initializers (and their sparse cousins, which we refuse clearly).
  if (graph.sparse_initializer_size() > 0)
    return emitError(fileLoc) << "sparse initializers are not supported; "
                                 "densify them before import";
  auto &mutGraph = *model.mutable_graph();
  for (auto &t : *mutGraph.mutable_initializer()) {
    Location loc = NameLoc::get(StringAttr::get(ctx, t.name()), fileLoc);
    FailureOr<ValueInfo> v =
        importTensor(t, b, loc, "initializer '" + t.name() + "'");
    if (failed(v))
      return failure();
    define(t.name(), *v);
  }

  if (failed(importNodes(graph, b)))
    return failure();

  // Results: one per tensor output, one per tensor of a sequence/optional
  // output (named by leafNames).
  SmallVector<Value> results;
  SmallVector<Type> resTypes;
  SmallVector<std::string> resNames;
  SmallVector<int32_t> resElem;
  for (const auto &vi : graph.output()) {
    const ValueInfo *v = lookup(vi.name());
    if (!v)
      return emitError(fileLoc) << "graph output '" << vi.name()
                                << "' is never produced";
    if (isStructuredType(vi.type()) || !v->isTensor()) {
      bool wantSeq = vi.type().has_sequence_type();
      bool wantOpt = vi.type().has_optional_type();
      if ((wantSeq && v->kind != ValueInfo::Kind::Sequence) ||
          (wantOpt && v->kind != ValueInfo::Kind::Optional) ||
          (!wantSeq && !wantOpt && vi.type().has_tensor_type()))
        return emitError(fileLoc)
               << "graph output '" << vi.name() << "' is declared as "
               << (wantSeq ? "a sequence" : wantOpt ? "an optional" : "a tensor")
               << " but the graph computes " << v->describe();
      SmallVector<const ValueInfo *> leaves;
      v->flatten(leaves);
      leafNames(*v, vi.name(), resNames);
      for (const ValueInfo *l : leaves) {
        results.push_back(l->value);
        resTypes.push_back(l->value.getType());
        resElem.push_back(l->onnxElemType ? l->onnxElemType : v->onnxElemType);
      }
      continue;
    }
    Value r = v->value;
    RankedTensorType want = convertTypeProto(ctx, vi.type());
    if (want && want != r.getType()) {
      auto have = cast<RankedTensorType>(r.getType());
      if (have.getElementType() != want.getElementType() ||
          !tensor::CastOp::areCastCompatible(have, want))
        return emitError(fileLoc)
               << "graph output '" << vi.name() << "' is declared as " << want
               << " but the graph computes " << have;
      r = tensor::CastOp::create(b, r.getLoc(), want, r);
    }
    results.push_back(r);
    resTypes.push_back(r.getType());
    resNames.push_back(vi.name());
    int32_t elem = vi.type().tensor_type().elem_type();
    resElem.push_back(elem ? elem : v->onnxElemType);
  }
  func::ReturnOp::create(b, fileLoc, results);
  func.setType(b.getFunctionType(argTypes, resTypes));
  for (auto [i, name] : llvm::enumerate(resNames)) {
    func.setResultAttr(i, "loom.name", b.getStringAttr(name));
    if (isUnsignedOnnxType(resElem[i]))
      func.setResultAttr(i, "loom.unsigned", b.getUnitAttr());
  }

  // Constants that only fed folded shape computations are dead now.
  SmallVector<Operation *> ops;
  func.walk([&](Operation *op) { ops.push_back(op); });
  for (Operation *op : llvm::reverse(ops))
    if (op != func && isOpTriviallyDead(op))
      op->erase();
  return success();
}

//===----------------------------------------------------------------------===//
// NodeImporter
//===----------------------------------------------------------------------===//

std::string NodeImporter::describe() const {
  std::string domain = node.domain().empty() ? "ai.onnx" : node.domain();
  return "node '" + node.name() + "' (op_type '" + node.op_type() +
         "', domain '" + domain + "', opset " + std::to_string(opset) + ")";
}

InFlightDiagnostic NodeImporter::error() {
  return emitError(loc) << describe() << ": ";
}

LogicalResult NodeImporter::unsupported(const Twine &why) {
  return error() << "unsupported: " << why;
}

Value NodeImporter::input(unsigned i) const {
  const ValueInfo *v = g.lookup(node.input(i));
  return v ? v->value : Value();
}

RankedTensorType NodeImporter::inputType(unsigned i) const {
  return cast<RankedTensorType>(input(i).getType());
}

int32_t NodeImporter::inputOnnxType(unsigned i) const {
  const ValueInfo *v = g.lookup(node.input(i));
  if (v && v->onnxElemType)
    return v->onnxElemType;
  if (const onnx::TypeProto *t = g.onnxType(node.input(i)))
    return t->tensor_type().elem_type();
  return 0;
}

bool NodeImporter::inputUnsigned(unsigned i) const {
  return isUnsignedOnnxType(inputOnnxType(i));
}

DenseElementsAttr NodeImporter::inputConstant(unsigned i) const {
  if (!hasInput(i))
    return nullptr;
  const ValueInfo *v = g.lookup(node.input(i));
  return v ? v->constant : nullptr;
}

FailureOr<SmallVector<int64_t>> NodeImporter::constantInts(unsigned i,
                                                           StringRef what) {
  DenseElementsAttr c = inputConstant(i);
  if (!c || !isa<IntegerType>(c.getElementType())) {
    error() << "input " << i << " (" << what << ", '" << node.input(i)
            << "') must be a constant integer tensor known at import time; "
               "fold the shape computation before import";
    return failure();
  }
  SmallVector<int64_t> out;
  for (const APInt &v : c.getValues<APInt>())
    out.push_back(v.getSExtValue());
  return out;
}

RankedTensorType NodeImporter::inferredType(unsigned i) const {
  if (!hasOutput(i))
    return nullptr;
  return g.inferredType(node.output(i));
}

int32_t NodeImporter::outputOnnxType(unsigned i) const {
  if (const onnx::TypeProto *t = g.onnxType(node.output(i)))
    return t->tensor_type().elem_type();
  return 0;
}

LogicalResult NodeImporter::setResult(unsigned i, Value v,
                                      DenseElementsAttr cst) {
  if (!hasOutput(i))
    return success();
  auto have = dyn_cast<RankedTensorType>(v.getType());
  if (!have)
    return error() << "internal: result " << i << " is not a ranked tensor";
  if (RankedTensorType want = inferredType(i)) {
    if (want.getElementType() == have.getElementType() && want != have) {
      if (!tensor::CastOp::areCastCompatible(have, want))
        return error() << "result '" << node.output(i) << "' has type "
                       << have << " but ONNX shape inference says " << want;
      // Only refine: a more static inferred type is cast to.
      bool refines = false;
      for (auto [h, w] : llvm::zip(have.getShape(), want.getShape()))
        refines |= ShapedType::isDynamic(h) && !ShapedType::isDynamic(w);
      if (refines) {
        SmallVector<int64_t> shape;
        for (auto [h, w] : llvm::zip(have.getShape(), want.getShape()))
          shape.push_back(ShapedType::isDynamic(h) ? w : h);
        v = tensor::CastOp::create(
            b, loc, RankedTensorType::get(shape, have.getElementType()), v);
      }
    }
  }
  int32_t et = outputOnnxType(i);
  if (!et) {
    // Keep the signedness of the data through shape-only ops.
    if (hasInput(0) && input(0) &&
        cast<ShapedType>(input(0).getType()).getElementType() ==
            have.getElementType())
      et = inputOnnxType(0);
  }
  g.define(node.output(i), ValueInfo{v, cst, et});
  return success();
}

LogicalResult NodeImporter::setConstant(unsigned i, DenseElementsAttr cst) {
  Value v = arith::ConstantOp::create(b, loc, cst);
  return setResult(i, v, cst.getNumElements() <= 4096 ? cst : nullptr);
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *NodeImporter::attr(StringRef name) const {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

bool NodeImporter::checkAttrType(const onnx::AttributeProto *a, int expected,
                                 StringRef expectedName) {
  // Old exporters leave `type` unset; trust the populated field then.
  if (a->type() == 0 || a->type() == expected)
    return true;
  error() << "attribute '" << a->name() << "' must be " << expectedName
          << " but has type "
          << onnx::AttributeProto_AttributeType_Name(a->type())
          << "; fix the exporter or the model";
  attrFailed = true;
  return false;
}

int64_t NodeImporter::getInt(StringRef name, int64_t dflt) {
  const onnx::AttributeProto *a = attr(name);
  if (!a || !checkAttrType(a, onnx::AttributeProto::INT, "INT"))
    return dflt;
  return a->i();
}

std::optional<int64_t> NodeImporter::requireInt(StringRef name) {
  const onnx::AttributeProto *a = attr(name);
  if (!a) {
    error() << "required attribute '" << name << "' is missing";
    attrFailed = true;
    return std::nullopt;
  }
  if (!checkAttrType(a, onnx::AttributeProto::INT, "INT"))
    return std::nullopt;
  return a->i();
}

float NodeImporter::getFloat(StringRef name, float dflt) {
  const onnx::AttributeProto *a = attr(name);
  if (!a || !checkAttrType(a, onnx::AttributeProto::FLOAT, "FLOAT"))
    return dflt;
  return a->f();
}

std::string NodeImporter::getString(StringRef name, StringRef dflt) {
  const onnx::AttributeProto *a = attr(name);
  if (!a || !checkAttrType(a, onnx::AttributeProto::STRING, "STRING"))
    return dflt.str();
  return a->s();
}

SmallVector<int64_t> NodeImporter::getInts(StringRef name,
                                           ArrayRef<int64_t> dflt) {
  const onnx::AttributeProto *a = attr(name);
  if (!a || !checkAttrType(a, onnx::AttributeProto::INTS, "INTS"))
    return SmallVector<int64_t>(dflt);
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

SmallVector<float> NodeImporter::getFloats(StringRef name) {
  const onnx::AttributeProto *a = attr(name);
  if (!a || !checkAttrType(a, onnx::AttributeProto::FLOATS, "FLOATS"))
    return {};
  return SmallVector<float>(a->floats().begin(), a->floats().end());
}

const onnx::TensorProto *NodeImporter::getTensor(StringRef name) {
  const onnx::AttributeProto *a = attr(name);
  if (!a || !checkAttrType(a, onnx::AttributeProto::TENSOR, "TENSOR"))
    return nullptr;
  return &a->t();
}

const onnx::GraphProto *NodeImporter::getGraph(StringRef name) {
  const onnx::AttributeProto *a = attr(name);
  if (!a || !checkAttrType(a, onnx::AttributeProto::GRAPH, "GRAPH"))
    return nullptr;
  return &a->g();
}
