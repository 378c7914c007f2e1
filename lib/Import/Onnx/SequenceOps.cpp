//===- SequenceOps.cpp - Sequence and optional ops, resolved at import -----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// A sequence is a static list of tensor values and an optional is present or
// absent at import time (see ValueInfo), so these ops rearrange that list and
// emit IR only for the tensors they compute (ConcatFromSequence,
// SplitToSequence) or pick at run time. A position known at import time
// picks an element directly; a position computed at run time picks among
// the elements with a chain of scf.if (the elements must then share element
// type and rank), clamped into range since the runtime has no error channel
// for a bad position. Lengths are always static: an op whose result length
// would depend on run-time data is refused naming the node.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "Importer.h"
#include "OpTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

using Kind = ValueInfo::Kind;

namespace {

FailureOr<const ValueInfo *> structuredInput(NodeImporter &n, unsigned i,
                                             Kind kind) {
  const ValueInfo *v = n.hasInput(i) ? n.g.lookup(n.node.input(i)) : nullptr;
  if (!v || v->kind != kind) {
    n.error() << "input " << i << " ('"
              << (n.hasInput(i) ? n.node.input(i) : std::string())
              << "') must be " << (kind == Kind::Sequence ? "a sequence" : "an optional")
              << ", got " << (v ? v->describe() : std::string("nothing"));
    return failure();
  }
  return v;
}

FailureOr<std::vector<ValueInfo>> sequenceElements(NodeImporter &n,
                                                   unsigned i) {
  FailureOr<const ValueInfo *> s = structuredInput(n, i, Kind::Sequence);
  if (failed(s))
    return failure();
  for (const ValueInfo &e : (*s)->elements)
    if (!e.isTensor()) {
      n.unsupported("sequences of sequences or optionals");
      return failure();
    }
  return (*s)->elements;
}

/// A position input: its constant value when known at import time.
FailureOr<std::optional<int64_t>> constPosition(NodeImporter &n, unsigned i) {
  auto t = n.inputType(i);
  if (t.getNumElements() != 1 || !isa<IntegerType>(t.getElementType())) {
    n.error() << "position input '" << n.node.input(i)
              << "' must be a scalar integer";
    return failure();
  }
  if (DenseElementsAttr c = n.inputConstant(i))
    return std::optional<int64_t>((*c.getValues<APInt>().begin()).getSExtValue());
  return std::optional<int64_t>();
}

/// Normalizes a constant position against [-len, hi].
FailureOr<int64_t> checkPosition(NodeImporter &n, int64_t p, int64_t len,
                                 int64_t hi) {
  if (p < -len || p > hi) {
    n.error() << "position " << p << " is out of range for a sequence of "
              << "length " << len;
    return failure();
  }
  return p < 0 ? p + len : p;
}

/// A run-time position as an index, negative positions counted from `len`
/// and clamped into [0, hi].
Value runtimePosition(NodeImporter &n, unsigned i, int64_t len, int64_t hi) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  auto t = n.inputType(i);
  SmallVector<Value> zeros(t.getRank(), arith::ConstantIndexOp::create(b, loc, 0));
  Value p = tensor::ExtractOp::create(b, loc, n.input(i), zeros);
  p = arith::IndexCastOp::create(b, loc, b.getIndexType(), p);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, p, zero);
  Value wrapped = arith::AddIOp::create(b, loc, p, arith::ConstantIndexOp::create(b, loc, len));
  p = arith::SelectOp::create(b, loc, neg, wrapped, p);
  p = arith::MaxSIOp::create(b, loc, p, zero);
  return arith::MinSIOp::create(b, loc, p, arith::ConstantIndexOp::create(b, loc, hi));
}

/// Common type of tensors chosen between at run time.
FailureOr<RankedTensorType> joinAll(NodeImporter &n, ArrayRef<Value> vs) {
  auto t = cast<RankedTensorType>(vs[0].getType());
  SmallVector<int64_t> shape(t.getShape());
  for (Value v : vs.drop_front()) {
    auto u = cast<RankedTensorType>(v.getType());
    if (u.getElementType() != t.getElementType() || u.getRank() != t.getRank()) {
      n.error() << "the position is only known at run time, so the elements "
                << "must share element type and rank, but " << t << " and "
                << u << " differ; make the position a constant";
      return failure();
    }
    for (auto [s, d] : llvm::zip(shape, u.getShape()))
      if (s != d)
        s = ShapedType::kDynamic;
  }
  return RankedTensorType::get(shape, t.getElementType());
}

/// `pos == k ? cands[k] : ...` as a chain of scf.if, for k in cands' order
/// (the last candidate is the fallback).
Value pick(OpBuilder &b, Location loc, Value pos, ArrayRef<Value> cands,
           ArrayRef<int64_t> keys, RankedTensorType type) {
  auto castTo = [&](OpBuilder &bb, Value v) -> Value {
    return v.getType() == type ? v : (Value)tensor::CastOp::create(bb, loc, type, v);
  };
  if (cands.size() == 1)
    return castTo(b, cands[0]);
  Value isK = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, pos,
                                    arith::ConstantIndexOp::create(b, loc, keys[0]));
  auto ifOp = scf::IfOp::create(
      b, loc, isK,
      [&](OpBuilder &bb, Location l) { scf::YieldOp::create(bb, l, castTo(bb, cands[0])); },
      [&](OpBuilder &bb, Location l) {
        scf::YieldOp::create(bb, l, pick(bb, l, pos, cands.drop_front(), keys.drop_front(), type));
      });
  return ifOp.getResult(0);
}

/// `pred(pos, k) ? a : c` as an scf.if yielding `type`.
Value choose(OpBuilder &b, Location loc, arith::CmpIPredicate pred, Value pos,
             int64_t k, Value a, Value c, RankedTensorType type) {
  auto castTo = [&](OpBuilder &bb, Value v) -> Value {
    return v.getType() == type ? v : (Value)tensor::CastOp::create(bb, loc, type, v);
  };
  Value cond = arith::CmpIOp::create(b, loc, pred, pos,
                                     arith::ConstantIndexOp::create(b, loc, k));
  auto ifOp = scf::IfOp::create(
      b, loc, cond,
      [&](OpBuilder &bb, Location l) { scf::YieldOp::create(bb, l, castTo(bb, a)); },
      [&](OpBuilder &bb, Location l) { scf::YieldOp::create(bb, l, castTo(bb, c)); });
  return ifOp.getResult(0);
}

ValueInfo tensorInfo(NodeImporter &n, unsigned i) {
  return *n.g.lookup(n.node.input(i));
}

LogicalResult sequenceEmpty(NodeImporter &n) {
  int64_t dtype = n.getInt("dtype", 1);
  n.g.define(n.node.output(0), ValueInfo::sequence({}, dtype));
  return success();
}

LogicalResult sequenceConstruct(NodeImporter &n) {
  std::vector<ValueInfo> elems;
  for (unsigned i = 0; i < n.numInputs(); ++i)
    elems.push_back(tensorInfo(n, i));
  int32_t et = elems.empty() ? 0 : n.inputOnnxType(0);
  n.g.define(n.node.output(0), ValueInfo::sequence(std::move(elems), et));
  return success();
}

LogicalResult sequenceLength(NodeImporter &n) {
  FailureOr<const ValueInfo *> s = structuredInput(n, 0, Kind::Sequence);
  if (failed(s))
    return failure();
  auto t = RankedTensorType::get({}, n.b.getI64Type());
  return n.setConstant(0, DenseElementsAttr::get(t, APInt(64, (*s)->elements.size())));
}

LogicalResult sequenceAt(NodeImporter &n) {
  FailureOr<std::vector<ValueInfo>> elems = sequenceElements(n, 0);
  if (failed(elems))
    return failure();
  int64_t len = elems->size();
  FailureOr<std::optional<int64_t>> p = constPosition(n, 1);
  if (failed(p))
    return failure();
  if (*p) {
    FailureOr<int64_t> k = checkPosition(n, **p, len, len - 1);
    if (failed(k))
      return failure();
    n.g.define(n.node.output(0), (*elems)[*k]);
    return success();
  }
  if (len == 0)
    return n.error() << "reads from an empty sequence";
  SmallVector<Value> cands;
  SmallVector<int64_t> keys;
  for (auto [k, e] : llvm::enumerate(*elems)) {
    cands.push_back(e.value);
    keys.push_back(k);
  }
  FailureOr<RankedTensorType> type = joinAll(n, cands);
  if (failed(type))
    return failure();
  Value pos = runtimePosition(n, 1, len, len - 1);
  Value r = pick(n.b, n.loc, pos, cands, keys, *type);
  n.g.define(n.node.output(0), ValueInfo{r, {}, (*elems)[0].onnxElemType});
  return success();
}

LogicalResult sequenceInsert(NodeImporter &n) {
  FailureOr<std::vector<ValueInfo>> elems = sequenceElements(n, 0);
  if (failed(elems))
    return failure();
  int64_t len = elems->size();
  ValueInfo t = tensorInfo(n, 1);
  std::vector<ValueInfo> out = *elems;
  std::optional<int64_t> p = len;
  if (n.hasInput(2)) {
    FailureOr<std::optional<int64_t>> cp = constPosition(n, 2);
    if (failed(cp))
      return failure();
    p = *cp;
  }
  if (p) {
    FailureOr<int64_t> k = checkPosition(n, *p, len, len);
    if (failed(k))
      return failure();
    out.insert(out.begin() + *k, t);
  } else {
    // Element k of the result: in[k] when k < pos, t when k == pos, else
    // in[k-1].
    SmallVector<Value> all{t.value};
    for (const ValueInfo &e : *elems)
      all.push_back(e.value);
    FailureOr<RankedTensorType> type = joinAll(n, all);
    if (failed(type))
      return failure();
    Value pos = runtimePosition(n, 2, len, len);
    out.clear();
    using P = arith::CmpIPredicate;
    for (int64_t k = 0; k <= len; ++k) {
      // pos > k keeps in[k]; pos == k is t; pos < k shifts in[k-1] up.
      Value r = k == 0 ? t.value
                       : choose(n.b, n.loc, P::eq, pos, k, t.value,
                                (*elems)[k - 1].value, *type);
      if (k < len)
        r = choose(n.b, n.loc, P::sgt, pos, k, (*elems)[k].value, r, *type);
      else if (r.getType() != *type)
        r = tensor::CastOp::create(n.b, n.loc, *type, r);
      out.push_back(ValueInfo{r, {}, t.onnxElemType});
    }
  }
  n.g.define(n.node.output(0), ValueInfo::sequence(std::move(out), t.onnxElemType));
  return success();
}

LogicalResult sequenceErase(NodeImporter &n) {
  FailureOr<std::vector<ValueInfo>> elems = sequenceElements(n, 0);
  if (failed(elems))
    return failure();
  int64_t len = elems->size();
  if (len == 0)
    return n.error() << "erases from an empty sequence";
  std::optional<int64_t> p = len - 1;
  if (n.hasInput(1)) {
    FailureOr<std::optional<int64_t>> cp = constPosition(n, 1);
    if (failed(cp))
      return failure();
    p = *cp;
  }
  FailureOr<const ValueInfo *> seq = structuredInput(n, 0, Kind::Sequence);
  std::vector<ValueInfo> out = *elems;
  if (p) {
    FailureOr<int64_t> k = checkPosition(n, *p, len, len - 1);
    if (failed(k))
      return failure();
    out.erase(out.begin() + *k);
  } else {
    SmallVector<Value> all;
    for (const ValueInfo &e : *elems)
      all.push_back(e.value);
    FailureOr<RankedTensorType> type = joinAll(n, all);
    if (failed(type))
      return failure();
    Value pos = runtimePosition(n, 1, len, len - 1);
    out.clear();
    for (int64_t k = 0; k + 1 < len; ++k) {
      // pos > k keeps in[k]; otherwise in[k+1] moves down.
      Value r = choose(n.b, n.loc, arith::CmpIPredicate::sgt, pos, k,
                       (*elems)[k].value, (*elems)[k + 1].value, *type);
      out.push_back(ValueInfo{r, {}, (*elems)[0].onnxElemType});
    }
  }
  n.g.define(n.node.output(0), ValueInfo::sequence(std::move(out), (*seq)->onnxElemType));
  return success();
}

LogicalResult concatFromSequence(NodeImporter &n) {
  FailureOr<std::vector<ValueInfo>> elems = sequenceElements(n, 0);
  if (failed(elems))
    return failure();
  if (elems->empty())
    return n.error() << "concatenates an empty sequence (the result type is "
                        "unknown)";
  std::optional<int64_t> a = n.requireInt("axis");
  if (!a)
    return failure();
  bool newAxis = n.getInt("new_axis", 0) != 0;
  int64_t rank = cast<RankedTensorType>((*elems)[0].value.getType()).getRank();
  FailureOr<int64_t> axis = normalizeAxis(*a, rank + (newAxis ? 1 : 0));
  if (failed(axis))
    return n.error() << "axis " << *a << " is out of range";
  SmallVector<Value> ins;
  for (const ValueInfo &e : *elems) {
    auto t = cast<RankedTensorType>(e.value.getType());
    if (t.getRank() != rank || t.getElementType() !=
        cast<RankedTensorType>((*elems)[0].value.getType()).getElementType())
      return n.error() << "elements differ in rank or element type";
    ins.push_back(newAxis ? insertUnitDims(n.b, n.loc, e.value, {*axis}) : e.value);
  }
  Value r = ins.size() == 1 ? ins[0]
                            : (Value)tensor::ConcatOp::create(n.b, n.loc, *axis, ins);
  return n.setResult(0, r);
}

/// `v[..., off:off+size, ...]` along `axis`.
Value sliceAlong(OpBuilder &b, Location loc, Value v, int64_t axis,
                 int64_t off, int64_t size) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<OpFoldResult> offs, sizes, strides(t.getRank(), b.getIndexAttr(1));
  SmallVector<Value> dims = dimValues(b, loc, v);
  SmallVector<int64_t> shape(t.getShape());
  for (int64_t d = 0; d < t.getRank(); ++d) {
    offs.push_back(b.getIndexAttr(d == axis ? off : 0));
    sizes.push_back(d == axis ? OpFoldResult(b.getIndexAttr(size))
                    : t.isDynamicDim(d) ? OpFoldResult(dims[d])
                                        : OpFoldResult(b.getIndexAttr(t.getDimSize(d))));
  }
  shape[axis] = size;
  auto rt = RankedTensorType::get(shape, t.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, rt, v, offs, sizes, strides);
}

LogicalResult splitToSequence(NodeImporter &n) {
  Value x = n.input(0);
  auto t = n.inputType(0);
  FailureOr<int64_t> axis = normalizeAxis(n.getInt("axis", 0), t.getRank());
  if (failed(axis))
    return n.error() << "axis is out of range";
  if (t.isDynamicDim(*axis))
    return n.unsupported("splitting along a dynamic dim (the sequence length "
                         "must be known at import time)");
  int64_t dim = t.getDimSize(*axis);
  bool keepDims = n.getInt("keepdims", 1) != 0;
  SmallVector<int64_t> sizes;
  bool squeeze = false;
  if (!n.hasInput(1)) {
    sizes.assign(dim, 1);
    squeeze = !keepDims;
  } else {
    FailureOr<SmallVector<int64_t>> split = n.constantInts(1, "split");
    if (failed(split))
      return failure();
    if (n.inputType(1).getRank() == 0) {
      int64_t s = (*split)[0];
      if (s <= 0)
        return n.error() << "split size " << s << " must be positive";
      for (int64_t o = 0; o < dim; o += s)
        sizes.push_back(std::min(s, dim - o));
    } else {
      int64_t sum = 0;
      for (int64_t s : *split) {
        if (s < 0)
          return n.error() << "negative split size " << s;
        sum += s;
      }
      if (sum != dim)
        return n.error() << "split sizes sum to " << sum << " but the axis has "
                         << dim << " elements";
      sizes = *split;
    }
  }
  std::vector<ValueInfo> out;
  int64_t off = 0;
  int32_t et = n.inputOnnxType(0);
  for (int64_t s : sizes) {
    Value piece = sliceAlong(n.b, n.loc, x, *axis, off, s);
    off += s;
    if (squeeze) {
      SmallVector<int64_t> shape(t.getShape());
      shape.erase(shape.begin() + *axis);
      piece = buildReshape(n.b, n.loc, piece, shape);
    }
    out.push_back(ValueInfo{piece, {}, et});
  }
  n.g.define(n.node.output(0), ValueInfo::sequence(std::move(out), et));
  return success();
}

LogicalResult optionalOp(NodeImporter &n) {
  if (n.hasInput(0)) {
    const ValueInfo *v = n.g.lookup(n.node.input(0));
    n.g.define(n.node.output(0), ValueInfo::optional(*v, v->onnxElemType));
    return success();
  }
  const onnx::AttributeProto *a = n.attr("type");
  if (!a || !a->has_tp())
    return n.error() << "an Optional without input needs the 'type' attribute";
  const onnx::TypeProto &tp = a->tp();
  int32_t et = tp.has_tensor_type() ? tp.tensor_type().elem_type()
               : tp.has_sequence_type()
                   ? tp.sequence_type().elem_type().tensor_type().elem_type()
                   : 0;
  n.g.define(n.node.output(0), ValueInfo::optional(std::nullopt, et));
  return success();
}

LogicalResult optionalHasElement(NodeImporter &n) {
  bool has = false;
  if (n.hasInput(0)) {
    const ValueInfo *v = n.g.lookup(n.node.input(0));
    // Opset 18 also accepts a plain tensor or sequence (always present).
    has = v->kind != Kind::Optional || !v->elements.empty();
  }
  auto t = RankedTensorType::get({}, n.b.getI1Type());
  return n.setConstant(0, DenseElementsAttr::get(t, has));
}

LogicalResult optionalGetElement(NodeImporter &n) {
  const ValueInfo *v = n.g.lookup(n.node.input(0));
  if (v->kind != Kind::Optional) {
    n.g.define(n.node.output(0), *v); // Opset 18: identity on non-optionals.
    return success();
  }
  if (v->elements.empty())
    return n.error() << "input '" << n.node.input(0)
                     << "' is an absent optional (known at import time)";
  n.g.define(n.node.output(0), v->elements[0]);
  return success();
}

} // namespace

bool mlir::loom::onnx_import::takesStructuredInputs(StringRef domain,
                                                    StringRef opType) {
  if (!domain.empty())
    return false;
  return llvm::is_contained(
      {"Identity", "If", "Loop", "SequenceAt", "SequenceInsert",
       "SequenceErase", "SequenceLength", "ConcatFromSequence", "SequenceMap",
       "Optional", "OptionalHasElement", "OptionalGetElement"},
      opType);
}

void mlir::loom::onnx_import::registerSequenceOps(OpTable &t) {
  t.add("", "SequenceEmpty", 11, sequenceEmpty);
  t.add("", "SequenceConstruct", 11, sequenceConstruct);
  t.add("", "SequenceLength", 11, sequenceLength);
  t.add("", "SequenceAt", 11, sequenceAt);
  t.add("", "SequenceInsert", 11, sequenceInsert);
  t.add("", "SequenceErase", 11, sequenceErase);
  t.add("", "ConcatFromSequence", 11, concatFromSequence);
  t.add("", "SplitToSequence", 11, splitToSequence);
  t.add("", "Optional", 15, optionalOp);
  t.add("", "OptionalHasElement", 15, optionalHasElement);
  t.add("", "OptionalGetElement", 15, optionalGetElement);
}
