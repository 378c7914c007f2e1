//===- ControlFlowOps.cpp - If, Loop and Scan to scf ----------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// If becomes scf.if; Loop (with the exporters' "cond passes through" body)
// and Scan become scf.for whose iter_args carry the loop state and the scan
// output buffers (filled with tensor.insert_slice). A body sees the values
// of the enclosing graph through the importer's nested scopes. Types of the
// scan outputs are only known once the body is imported, so the loop is
// first built without them and then rebuilt around the same body block.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "Importer.h"
#include "OpTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

/// Imports a subgraph's initializers and nodes at `b`'s insertion point and
/// returns its outputs (tensors, sequences or optionals). The caller has
/// pushed a scope and bound its inputs.
FailureOr<std::vector<ValueInfo>> importBodyInfos(NodeImporter &n,
                                                  const onnx::GraphProto &g,
                                                  OpBuilder &b) {
  n.g.collectTypes(g);
  for (const auto &t : g.initializer()) {
    auto &mt = const_cast<onnx::TensorProto &>(t);
    FailureOr<ValueInfo> v = n.g.importTensor(mt, b, n.loc, n.describe() + ": subgraph initializer '" + t.name() + "'");
    if (failed(v)) return failure();
    n.g.define(t.name(), *v);
  }
  if (failed(n.g.importNodes(g, b)))
    return failure();
  std::vector<ValueInfo> outs;
  for (const auto &o : g.output()) {
    const ValueInfo *v = n.g.lookup(o.name());
    if (!v) {
      n.error() << "subgraph output '" << o.name() << "' is never produced";
      return failure();
    }
    outs.push_back(*v);
  }
  return outs;
}

/// importBodyInfos for bodies that yield tensors only.
FailureOr<SmallVector<Value>> importBody(NodeImporter &n,
                                         const onnx::GraphProto &g,
                                         OpBuilder &b) {
  FailureOr<std::vector<ValueInfo>> infos = importBodyInfos(n, g, b);
  if (failed(infos))
    return failure();
  SmallVector<Value> outs;
  for (auto [k, v] : llvm::enumerate(*infos)) {
    if (!v.isTensor()) {
      n.unsupported("subgraph output '" + g.output(k).name() + "' is " +
                    v.describe() + " here; sequences and optionals leave an "
                    "If or Loop only when their structure is known at import "
                    "time");
      return failure();
    }
    outs.push_back(v.value);
  }
  return outs;
}

bool hasStructuredOutputs(const onnx::GraphProto &g) {
  for (const auto &o : g.output())
    if (isStructuredType(o.type()))
      return true;
  return false;
}

/// The most static type both branches' values cast to.
Type joinTypes(Type a, Type b) {
  if (a == b) return a;
  auto ta = cast<RankedTensorType>(a), tb = cast<RankedTensorType>(b);
  if (ta.getRank() != tb.getRank() || ta.getElementType() != tb.getElementType())
    return nullptr;
  SmallVector<int64_t> s;
  for (auto [x, y] : llvm::zip(ta.getShape(), tb.getShape()))
    s.push_back(x == y ? x : ShapedType::kDynamic);
  return RankedTensorType::get(s, ta.getElementType());
}

Value scalarOf(OpBuilder &b, Location loc, Value t) {
  auto tt = cast<RankedTensorType>(t.getType());
  SmallVector<Value> zeros(tt.getRank(), arith::ConstantIndexOp::create(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, t, zeros);
}


/// Kinds, lengths and presence agree (the tensors may differ).
bool sameStructure(const ValueInfo &a, const ValueInfo &c) {
  if (a.kind != c.kind || a.elements.size() != c.elements.size())
    return false;
  for (auto [x, y] : llvm::zip(a.elements, c.elements))
    if (!sameStructure(x, y))
      return false;
  return true;
}

/// `shape` with its tensors replaced by `vals[next...]` in flatten order.
ValueInfo rebuild(const ValueInfo &shape, ValueRange vals, unsigned &next) {
  if (shape.isTensor())
    return ValueInfo{vals[next++], {}, shape.onnxElemType};
  ValueInfo r = shape;
  for (ValueInfo &e : r.elements)
    e = rebuild(e, vals, next);
  return r;
}

/// Scalar boolean constant, if `v` is one.
std::optional<bool> constantBool(const ValueInfo *v) {
  if (!v || !v->isTensor() || !v->constant || v->constant.getNumElements() != 1)
    return std::nullopt;
  if (v->constant.getElementType().isInteger(1))
    return *v->constant.getValues<bool>().begin();
  if (isa<IntegerType>(v->constant.getElementType()))
    return !(*v->constant.getValues<APInt>().begin()).isZero();
  return std::nullopt;
}

/// An If whose branches yield sequences or optionals. With a condition known
/// at import time only the taken branch is imported; otherwise both branches
/// must yield the same structure, and the scf.if yields its tensors.
LogicalResult structuredIf(NodeImporter &n, const onnx::GraphProto *gs[2]) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  if (std::optional<bool> c = constantBool(n.g.lookup(n.node.input(0)))) {
    n.g.pushScope();
    FailureOr<std::vector<ValueInfo>> r = importBodyInfos(n, *gs[*c ? 0 : 1], b);
    n.g.popScope();
    if (failed(r))
      return failure();
    if (r->size() != n.numOutputs())
      return n.error() << "the taken branch yields " << r->size()
                       << " values for " << n.numOutputs() << " outputs";
    for (unsigned i = 0; i < n.numOutputs(); ++i)
      if (n.hasOutput(i))
        n.g.define(n.node.output(i), (*r)[i]);
    return success();
  }
  Value cond = scalarOf(b, loc, n.input(0));
  auto tmp = scf::IfOp::create(b, loc, TypeRange{}, cond, /*withElse=*/true);
  std::vector<ValueInfo> outs[2];
  Block *blocks[2] = {tmp.thenBlock(), tmp.elseBlock()};
  for (int i = 0; i < 2; ++i) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(blocks[i]->getTerminator());
    n.g.pushScope();
    FailureOr<std::vector<ValueInfo>> r = importBodyInfos(n, *gs[i], b);
    n.g.popScope();
    if (failed(r)) { tmp.erase(); return failure(); }
    outs[i] = *r;
  }
  if (outs[0].size() != outs[1].size() || outs[0].size() != n.numOutputs()) {
    tmp.erase();
    return n.error() << "branches yield different numbers of values";
  }
  SmallVector<const ValueInfo *> leaves[2];
  for (auto [k, pair] : llvm::enumerate(llvm::zip(outs[0], outs[1]))) {
    auto &[a, c] = pair;
    if (!sameStructure(a, c)) {
      tmp.erase();
      return n.unsupported(
          "output " + Twine(k) + " is " + a.describe() + " in then_branch but " +
          c.describe() + " in else_branch; with a condition computed at run "
          "time, sequence lengths and optional presence must agree (they are "
          "fixed at import time)");
    }
    a.flatten(leaves[0]);
    c.flatten(leaves[1]);
  }
  SmallVector<Type> types;
  for (auto [a, c] : llvm::zip(leaves[0], leaves[1])) {
    Type t = joinTypes(a->value.getType(), c->value.getType());
    if (!t) {
      tmp.erase();
      return n.error() << "branches yield incompatible types "
                       << a->value.getType() << " and " << c->value.getType();
    }
    types.push_back(t);
  }
  auto op = scf::IfOp::create(b, loc, types, cond, /*withElse=*/true);
  for (int i = 0; i < 2; ++i) {
    Region &dst = i == 0 ? op.getThenRegion() : op.getElseRegion();
    Region &src = i == 0 ? tmp.getThenRegion() : tmp.getElseRegion();
    dst.getBlocks().clear();
    dst.takeBody(src);
    Block &blk = dst.front();
    blk.getTerminator()->erase();
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(&blk);
    SmallVector<Value> ys;
    for (auto [l, t] : llvm::zip(leaves[i], types)) {
      Value v = l->value;
      ys.push_back(v.getType() == t ? v : (Value)tensor::CastOp::create(b, loc, t, v));
    }
    scf::YieldOp::create(b, loc, ys);
  }
  tmp.erase();
  unsigned next = 0;
  for (unsigned i = 0; i < n.numOutputs(); ++i) {
    ValueInfo v = rebuild(outs[0][i], op.getResults(), next);
    if (n.hasOutput(i))
      n.g.define(n.node.output(i), v);
  }
  return success();
}

LogicalResult ifOp(NodeImporter &n) {
  const onnx::GraphProto *thenG = n.getGraph("then_branch");
  const onnx::GraphProto *elseG = n.getGraph("else_branch");
  if (!thenG || !elseG)
    return n.error() << "needs then_branch and else_branch";
  OpBuilder &b = n.b;
  Location loc = n.loc;
  const onnx::GraphProto *gs[2] = {thenG, elseG};
  bool structured = hasStructuredOutputs(*thenG) || hasStructuredOutputs(*elseG);
  for (unsigned i = 0; i < n.numOutputs(); ++i)
    if (const onnx::TypeProto *t = n.hasOutput(i) ? n.g.onnxType(n.node.output(i)) : nullptr)
      structured |= isStructuredType(*t);
  if (structured)
    return structuredIf(n, gs);
  Value cond = scalarOf(b, loc, n.input(0));
  auto tmp = scf::IfOp::create(b, loc, TypeRange{}, cond, /*withElse=*/true);
  SmallVector<Value> outs[2];
  Block *blocks[2] = {tmp.thenBlock(), tmp.elseBlock()};
  for (int i = 0; i < 2; ++i) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(blocks[i]->getTerminator());
    n.g.pushScope();
    FailureOr<SmallVector<Value>> r = importBody(n, *gs[i], b);
    n.g.popScope();
    if (failed(r)) { tmp.erase(); return failure(); }
    outs[i] = *r;
  }
  if (outs[0].size() != outs[1].size() || outs[0].size() != n.numOutputs()) {
    tmp.erase();
    return n.error() << "branches yield different numbers of values";
  }
  SmallVector<Type> types;
  for (auto [a, c] : llvm::zip(outs[0], outs[1])) {
    Type t = joinTypes(a.getType(), c.getType());
    if (!t) { tmp.erase(); return n.error() << "branches yield incompatible types " << a.getType() << " and " << c.getType(); }
    types.push_back(t);
  }
  auto op = scf::IfOp::create(b, loc, types, cond, /*withElse=*/true);
  for (int i = 0; i < 2; ++i) {
    Region &dst = i == 0 ? op.getThenRegion() : op.getElseRegion();
    Region &src = i == 0 ? tmp.getThenRegion() : tmp.getElseRegion();
    dst.getBlocks().clear();
    dst.takeBody(src);
    Block &blk = dst.front();
    blk.getTerminator()->erase();
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(&blk);
    SmallVector<Value> ys;
    for (auto [v, t] : llvm::zip(outs[i], types))
      ys.push_back(v.getType() == t ? v : (Value)tensor::CastOp::create(b, loc, t, v));
    scf::YieldOp::create(b, loc, ys);
  }
  tmp.erase();
  for (unsigned i = 0; i < n.numOutputs(); ++i)
    if (failed(n.setResult(i, op.getResult(i)))) return failure();
  return success();
}

/// Builds `for i in [0, trip)` over a body importer, carrying `inits`, and
/// stacking the body's extra outputs (beyond the carried ones) along a new
/// leading dim. `bind` binds the body graph's inputs for iteration `iv`.
FailureOr<SmallVector<Value>> buildScanLoop(
    NodeImporter &n, const onnx::GraphProto &body, Value trip, ValueRange inits,
    unsigned numCarriedOuts, unsigned firstCarriedOut,
    function_ref<void(OpBuilder &, Value iv, ValueRange carried)> bind) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto tmp = scf::ForOp::create(b, loc, zero, trip, one, inits);
  SmallVector<Value> outs;
  {
    OpBuilder::InsertionGuard guard(b);
    Block *blk = tmp.getBody();
    if (blk->mightHaveTerminator()) blk->getTerminator()->erase();
    b.setInsertionPointToEnd(blk);
    n.g.pushScope();
    bind(b, tmp.getInductionVar(), tmp.getRegionIterArgs());
    FailureOr<SmallVector<Value>> r = importBody(n, body, b);
    n.g.popScope();
    if (failed(r)) { tmp.erase(); return failure(); }
    outs = *r;
  }
  SmallVector<Value> scans(outs.begin() + firstCarriedOut + numCarriedOuts, outs.end());
  // Buffers [trip, per-iteration shape...] for the scan outputs.
  SmallVector<Value> allInits(inits);
  SmallVector<RankedTensorType> scanTypes;
  for (Value s : scans) {
    auto st = cast<RankedTensorType>(s.getType());
    if (!st.hasStaticShape()) { tmp.erase(); n.unsupported("scan outputs of dynamic shape"); return failure(); }
    SmallVector<int64_t> shape{ShapedType::kDynamic};
    shape.append(st.getShape().begin(), st.getShape().end());
    scanTypes.push_back(st);
    allInits.push_back(emptyTensor(b, loc, shape, st.getElementType(), {trip}));
  }
  auto loop = scf::ForOp::create(b, loc, zero, trip, one, allInits);
  loop.getRegion().getBlocks().clear();
  loop.getRegion().takeBody(tmp.getRegion());
  Block *blk = loop.getBody();
  SmallVector<Value> bufArgs;
  for (Value init : ArrayRef<Value>(allInits).drop_front(inits.size()))
    bufArgs.push_back(blk->addArgument(init.getType(), loc));
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(blk);
    SmallVector<Value> ys;
    for (unsigned i = 0; i < numCarriedOuts; ++i) {
      Value v = outs[firstCarriedOut + i];
      Type want = inits[i].getType();
      if (v.getType() != want) {
        if (!tensor::CastOp::areCastCompatible(v.getType(), want)) {
          loop.erase(); tmp.erase();
          n.error() << "loop-carried value changes type from " << want << " to " << v.getType();
          return failure();
        }
        v = tensor::CastOp::create(b, loc, want, v);
      }
      ys.push_back(v);
    }
    Value iv = loop.getInductionVar();
    for (auto [s, buf, st] : llvm::zip(scans, bufArgs, scanTypes)) {
      int64_t r = st.getRank();
      SmallVector<OpFoldResult> off{iv}, sizes{b.getIndexAttr(1)}, strides(r + 1, b.getIndexAttr(1));
      for (int64_t d = 0; d < r; ++d) {
        off.push_back(b.getIndexAttr(0));
        sizes.push_back(b.getIndexAttr(st.getDimSize(d)));
      }
      Value s1 = insertUnitDims(b, loc, s, {0});
      ys.push_back(tensor::InsertSliceOp::create(b, loc, s1, buf, off, sizes, strides));
    }
    scf::YieldOp::create(b, loc, ys);
  }
  tmp.erase();
  return SmallVector<Value>(loop.getResults());
}

/// True when the body's cond output is its cond input (through Identity):
/// the loop then runs exactly trip_count times when cond starts true.
bool condPassesThrough(const onnx::GraphProto &g) {
  std::string want = g.output(0).name(), in = g.input(1).name();
  for (int k = 0; k < 8 && want != in; ++k) {
    bool found = false;
    for (const auto &node : g.node())
      if (node.op_type() == "Identity" && node.output(0) == want) {
        want = node.input(0);
        found = true;
      }
    if (!found) return false;
  }
  return want == in;
}

/// A Loop that carries sequences or optionals: their structure may change
/// every iteration, so the loop is unrolled at import time, which needs its
/// trip count and condition as constants.
LogicalResult unrolledLoop(NodeImporter &n, const onnx::GraphProto &body,
                           StringRef why) {
  constexpr int64_t kMaxUnroll = 1024;
  OpBuilder &b = n.b;
  Location loc = n.loc;
  const ValueInfo *tripV = n.hasInput(0) ? n.g.lookup(n.node.input(0)) : nullptr;
  if (!tripV || !tripV->constant)
    return n.unsupported(
        "the Loop carries " + why + ", so it is unrolled at import time, but "
        "its trip count " +
        (n.hasInput(0) ? "('" + n.node.input(0) + "') is computed at run time"
                       : std::string("is missing (a while loop)")));
  int64_t trip = (*tripV->constant.getValues<APInt>().begin()).getSExtValue();
  if (trip > kMaxUnroll)
    return n.unsupported("unrolling " + Twine(trip) + " iterations (at most " +
                         Twine(kMaxUnroll) + ") of a Loop that carries " + why);
  bool cond = true;
  if (n.hasInput(1)) {
    std::optional<bool> c = constantBool(n.g.lookup(n.node.input(1)));
    if (!c)
      return n.unsupported("the Loop carries " + why + ", so it is unrolled at "
                           "import time, but its initial condition ('" +
                           n.node.input(1) + "') is computed at run time");
    cond = *c;
  }
  unsigned numCarried = n.numInputs() > 2 ? n.numInputs() - 2 : 0;
  if ((unsigned)body.input_size() != 2 + numCarried)
    return n.error() << "body takes " << body.input_size() << " inputs for "
                     << numCarried << " loop-carried values";
  if ((unsigned)body.output_size() != 1 + numCarried)
    return n.unsupported("scan outputs of a Loop that carries " + why);
  std::vector<ValueInfo> carried;
  for (unsigned i = 0; i < numCarried; ++i) {
    if (!n.hasInput(2 + i))
      return n.error() << "loop-carried input " << 2 + i << " is missing";
    carried.push_back(*n.g.lookup(n.node.input(2 + i)));
  }
  auto i64t = RankedTensorType::get({}, b.getI64Type());
  auto i1t = RankedTensorType::get({}, b.getI1Type());
  for (int64_t it = 0; it < trip && cond; ++it) {
    const onnx::GraphProto &g = n.g.keepCopy(body);
    n.g.pushScope();
    auto ia = DenseElementsAttr::get(i64t, APInt(64, it));
    n.g.define(g.input(0).name(), ValueInfo{arith::ConstantOp::create(b, loc, ia), ia, 7});
    auto ca = DenseElementsAttr::get(i1t, true);
    n.g.define(g.input(1).name(), ValueInfo{arith::ConstantOp::create(b, loc, ca), ca, 9});
    for (unsigned i = 0; i < numCarried; ++i)
      n.g.define(g.input(2 + i).name(), carried[i]);
    FailureOr<std::vector<ValueInfo>> r = importBodyInfos(n, g, b);
    n.g.popScope();
    if (failed(r))
      return failure();
    std::optional<bool> c = constantBool(&(*r)[0]);
    if (!c)
      return n.unsupported("the Loop carries " + why + ", so it is unrolled at "
                           "import time, but its body computes the condition "
                           "at run time");
    cond = *c;
    for (unsigned i = 0; i < numCarried; ++i)
      carried[i] = (*r)[1 + i];
  }
  for (unsigned i = 0; i < n.numOutputs() && i < numCarried; ++i)
    if (n.hasOutput(i))
      n.g.define(n.node.output(i), carried[i]);
  return success();
}

LogicalResult loopOp(NodeImporter &n) {
  const onnx::GraphProto *body = n.getGraph("body");
  if (!body) return n.error() << "needs a body";
  if (body->input_size() < 2 || body->output_size() < 1)
    return n.error() << "body must take (iteration, cond, ...) and yield (cond, ...)";
  for (unsigned i = 2; i < n.numInputs(); ++i) {
    const ValueInfo *v = n.hasInput(i) ? n.g.lookup(n.node.input(i)) : nullptr;
    if (v && !v->isTensor())
      return unrolledLoop(n, *body, v->describe() + " ('" + n.node.input(i) + "')");
  }
  if (hasStructuredOutputs(*body))
    return unrolledLoop(n, *body, "a sequence or optional");
  if (!n.hasInput(0))
    return n.unsupported("Loop without a trip count (a while loop)");
  if (!condPassesThrough(*body))
    return n.unsupported("Loop whose body computes its own condition");
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Value trip = arith::IndexCastOp::create(b, loc, b.getIndexType(), scalarOf(b, loc, n.input(0)));
  if (n.hasInput(1)) {
    Value c = scalarOf(b, loc, n.input(1));
    trip = arith::SelectOp::create(b, loc, c, trip, arith::ConstantIndexOp::create(b, loc, 0));
  }
  SmallVector<Value> inits;
  for (unsigned i = 2; i < n.numInputs(); ++i) inits.push_back(n.input(i));
  unsigned numCarried = inits.size();
  if ((unsigned)body->input_size() != 2 + numCarried)
    return n.error() << "body takes " << body->input_size() << " inputs for " << numCarried << " loop-carried values";
  auto i64t = RankedTensorType::get({}, b.getI64Type());
  auto i1t = RankedTensorType::get({}, b.getI1Type());
  FailureOr<SmallVector<Value>> res = buildScanLoop(
      n, *body, trip, inits, numCarried, 1,
      [&](OpBuilder &nb, Value iv, ValueRange carried) {
        Value it = arith::IndexCastOp::create(nb, loc, nb.getI64Type(), iv);
        n.g.define(body->input(0).name(), ValueInfo{tensor::FromElementsOp::create(nb, loc, i64t, it), {}, 7});
        Value t = arith::ConstantOp::create(nb, loc, DenseElementsAttr::get(i1t, true));
        n.g.define(body->input(1).name(), ValueInfo{t, {}, 9});
        for (unsigned i = 0; i < numCarried; ++i)
          n.g.define(body->input(2 + i).name(), ValueInfo{carried[i], {}, n.inputOnnxType(2 + i)});
      });
  if (failed(res)) return failure();
  for (unsigned i = 0; i < n.numOutputs() && i < res->size(); ++i)
    if (failed(n.setResult(i, (*res)[i]))) return failure();
  return success();
}

LogicalResult scanOp(NodeImporter &n) {
  const onnx::GraphProto *body = n.getGraph("body");
  if (!body) return n.error() << "needs a body";
  std::optional<int64_t> numScanIn = n.requireInt("num_scan_inputs");
  if (!numScanIn) return failure();
  for (StringRef a : {"scan_input_axes", "scan_input_directions", "scan_output_axes", "scan_output_directions"})
    for (int64_t v : n.getInts(a))
      if (v != 0) return n.unsupported("non-default " + a);
  unsigned numState = n.numInputs() - *numScanIn;
  SmallVector<Value> inits, scanIns;
  for (unsigned i = 0; i < n.numInputs(); ++i)
    (i < numState ? inits : scanIns).push_back(n.input(i));
  if (scanIns.empty()) return n.error() << "needs scan inputs";
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Value trip = tensor::DimOp::create(b, loc, scanIns[0], 0);
  FailureOr<SmallVector<Value>> res = buildScanLoop(
      n, *body, trip, inits, numState, 0,
      [&](OpBuilder &nb, Value iv, ValueRange carried) {
        for (unsigned i = 0; i < numState; ++i)
          n.g.define(body->input(i).name(), ValueInfo{carried[i], {}, n.inputOnnxType(i)});
        for (auto [k, s] : llvm::enumerate(scanIns)) {
          auto st = cast<RankedTensorType>(s.getType());
          int64_t r = st.getRank();
          SmallVector<OpFoldResult> off{iv}, sizes{nb.getIndexAttr(1)}, strides(r, nb.getIndexAttr(1));
          SmallVector<int64_t> sliceShape;
          for (int64_t d = 1; d < r; ++d) {
            off.push_back(nb.getIndexAttr(0));
            sizes.push_back(st.isDynamicDim(d) ? OpFoldResult(tensor::DimOp::create(nb, loc, s, d).getResult())
                                               : OpFoldResult(nb.getIndexAttr(st.getDimSize(d))));
            sliceShape.push_back(st.getDimSize(d));
          }
          auto rt = RankedTensorType::get(sliceShape, st.getElementType());
          Value slice = tensor::ExtractSliceOp::create(nb, loc, rt, s, off, sizes, strides);
          n.g.define(body->input(numState + k).name(), ValueInfo{slice, {}, n.inputOnnxType(numState + k)});
        }
      });
  if (failed(res)) return failure();
  for (unsigned i = 0; i < n.numOutputs() && i < res->size(); ++i)
    if (failed(n.setResult(i, (*res)[i]))) return failure();
  return success();
}

/// SequenceMap: the body runs once per element (the length is static), on
/// element k of every sequence input and on the tensor inputs as they are.
LogicalResult sequenceMapOp(NodeImporter &n) {
  const onnx::GraphProto *body = n.getGraph("body");
  if (!body) return n.error() << "needs a body";
  const ValueInfo *first = n.g.lookup(n.node.input(0));
  if (first->kind != ValueInfo::Kind::Sequence)
    return n.error() << "input 0 must be a sequence, got " << first->describe();
  size_t len = first->elements.size();
  if ((unsigned)body->input_size() != n.numInputs() ||
      (unsigned)body->output_size() != n.numOutputs())
    return n.error() << "body takes " << body->input_size() << " inputs and yields "
                     << body->output_size() << " values for a node with "
                     << n.numInputs() << " inputs and " << n.numOutputs() << " outputs";
  // Copies: pushing a scope may move the maps that lookup() points into.
  std::vector<ValueInfo> ins;
  for (unsigned i = 0; i < n.numInputs(); ++i) {
    const ValueInfo *v = n.g.lookup(n.node.input(i));
    if (v->kind == ValueInfo::Kind::Optional)
      return n.error() << "input " << i << " is an optional; SequenceMap takes "
                          "sequences and tensors";
    if (v->kind == ValueInfo::Kind::Sequence && v->elements.size() != len)
      return n.error() << "input " << i << " has " << v->elements.size()
                       << " elements, input 0 has " << len;
    ins.push_back(*v);
  }
  std::vector<std::vector<ValueInfo>> outs(n.numOutputs());
  for (size_t k = 0; k < len; ++k) {
    const onnx::GraphProto &g = n.g.keepCopy(*body);
    n.g.pushScope();
    for (auto [i, v] : llvm::enumerate(ins))
      n.g.define(g.input(i).name(), v.isTensor() ? v : v.elements[k]);
    FailureOr<std::vector<ValueInfo>> r = importBodyInfos(n, g, n.b);
    n.g.popScope();
    if (failed(r))
      return failure();
    for (unsigned j = 0; j < n.numOutputs(); ++j) {
      if (!(*r)[j].isTensor())
        return n.unsupported("a body output that is " + (*r)[j].describe());
      outs[j].push_back((*r)[j]);
    }
  }
  for (unsigned j = 0; j < n.numOutputs(); ++j) {
    int32_t et = outs[j].empty() ? body->output(j).type().tensor_type().elem_type()
                                 : outs[j][0].onnxElemType;
    if (n.hasOutput(j))
      n.g.define(n.node.output(j), ValueInfo::sequence(std::move(outs[j]), et));
  }
  return success();
}

/// Scan-8: every input and output has a leading batch dim, the scan inputs
/// scan along dim 1, and the optional sequence_lens (input 0) gives each
/// batch entry its own length. Lowered as an scf.for over the batch around
/// the per-entry scan loop: the final states are the states after that
/// entry's len iterations; scan outputs hold its len steps and zeros beyond.
LogicalResult scanOp8(NodeImporter &n) {
  const onnx::GraphProto *body = n.getGraph("body");
  if (!body) return n.error() << "needs a body";
  std::optional<int64_t> numScanIn = n.requireInt("num_scan_inputs");
  if (!numScanIn) return failure();
  if (n.numInputs() < 1 + *numScanIn) return n.error() << "has fewer inputs than num_scan_inputs + 1";
  unsigned numState = n.numInputs() - 1 - *numScanIn;
  SmallVector<int64_t> dirs = n.getInts("directions", SmallVector<int64_t>(*numScanIn, 0));
  if ((int64_t)dirs.size() != *numScanIn) return n.error() << "directions needs one entry per scan input";
  SmallVector<Value> states, scanIns;
  for (unsigned i = 1; i < n.numInputs(); ++i) {
    if (!n.hasInput(i)) return n.error() << "input " << i << " is missing";
    Value v = n.input(i);
    int64_t minRank = i <= numState ? 1 : 2;
    if (cast<RankedTensorType>(v.getType()).getRank() < minRank)
      return n.error() << "input " << i << " lacks the batch" << (minRank == 2 ? "/sequence" : "") << " dims";
    (i <= numState ? states : scanIns).push_back(v);
  }
  if (scanIns.empty()) return n.error() << "needs scan inputs";
  if ((unsigned)body->input_size() != numState + *numScanIn)
    return n.error() << "body takes " << body->input_size() << " inputs, expected " << numState + *numScanIn;
  OpBuilder &b = n.b;
  Location loc = n.loc;
  auto idx = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  Value zero = idx(0), one = idx(1);
  Value batch = tensor::DimOp::create(b, loc, scanIns[0], 0);
  Value seq = tensor::DimOp::create(b, loc, scanIns[0], 1);
  auto tmp = scf::ForOp::create(b, loc, zero, batch, one, states);
  Block *blk = tmp.getBody();
  if (blk->mightHaveTerminator()) blk->getTerminator()->erase();
  Value bi = tmp.getInductionVar();
  SmallVector<Value> inner;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(blk);
    Value len = seq;
    if (n.hasInput(0)) {
      Value l = tensor::ExtractOp::create(b, loc, n.input(0), ValueRange{bi});
      len = arith::IndexCastOp::create(b, loc, b.getIndexType(), l);
      len = arith::MinSIOp::create(b, loc, arith::MaxSIOp::create(b, loc, len, zero), seq);
    }
    // Rank-reducing slice of `v` at [bi, (t)] dropping the leading `lead` dims.
    auto entry = [&](OpBuilder &nb, Value v, ArrayRef<Value> lead) {
      auto t = cast<RankedTensorType>(v.getType());
      SmallVector<OpFoldResult> off, sizes, strides(t.getRank(), nb.getIndexAttr(1));
      SmallVector<int64_t> shape;
      for (int64_t d = 0; d < t.getRank(); ++d) {
        if (d < (int64_t)lead.size()) {
          off.push_back(lead[d]);
          sizes.push_back(nb.getIndexAttr(1));
          continue;
        }
        off.push_back(nb.getIndexAttr(0));
        sizes.push_back(t.isDynamicDim(d) ? OpFoldResult(tensor::DimOp::create(nb, loc, v, d).getResult())
                                          : OpFoldResult(nb.getIndexAttr(t.getDimSize(d))));
        shape.push_back(t.getDimSize(d));
      }
      auto rt = RankedTensorType::get(shape, t.getElementType());
      return (Value)tensor::ExtractSliceOp::create(nb, loc, rt, v, off, sizes, strides);
    };
    SmallVector<Value> inits;
    for (Value s : states) inits.push_back(entry(b, s, {bi}));
    FailureOr<SmallVector<Value>> res = buildScanLoop(
        n, *body, len, inits, numState, 0, [&](OpBuilder &nb, Value iv, ValueRange carried) {
          for (unsigned i = 0; i < numState; ++i)
            n.g.define(body->input(i).name(), ValueInfo{carried[i], {}, n.inputOnnxType(1 + i)});
          for (auto [k, s] : llvm::enumerate(scanIns)) {
            Value t = iv;
            if (dirs[k]) // reverse: the entry's own last valid step first
              t = arith::SubIOp::create(nb, loc, arith::SubIOp::create(nb, loc, len, iv),
                                        arith::ConstantIndexOp::create(nb, loc, 1));
            n.g.define(body->input(numState + k).name(),
                       ValueInfo{entry(nb, s, {bi, t}), {}, n.inputOnnxType(1 + numState + k)});
          }
        });
    if (failed(res)) { tmp.erase(); return failure(); }
    inner = *res;
    inner.push_back(len);
  }
  Value len = inner.pop_back_val();
  // Zero-filled [batch, seq, step...] buffers for the scan outputs.
  SmallVector<Value> allInits(states);
  auto scanT = cast<RankedTensorType>(scanIns[0].getType());
  for (Value s : ArrayRef<Value>(inner).drop_front(numState)) {
    auto st = cast<RankedTensorType>(s.getType());
    SmallVector<int64_t> shape{scanT.getDimSize(0), scanT.getDimSize(1)};
    shape.append(st.getShape().begin() + 1, st.getShape().end());
    SmallVector<Value> dyn;
    if (scanT.isDynamicDim(0)) dyn.push_back(batch);
    if (scanT.isDynamicDim(1)) dyn.push_back(seq);
    Value e = emptyTensor(b, loc, shape, st.getElementType(), dyn);
    allInits.push_back(linalg::FillOp::create(b, loc, ValueRange{scalarConst(b, loc, st.getElementType(), 0)},
                                              ValueRange{e}).getResult(0));
  }
  auto loop = scf::ForOp::create(b, loc, zero, batch, one, allInits);
  loop.getRegion().getBlocks().clear();
  loop.getRegion().takeBody(tmp.getRegion());
  blk = loop.getBody();
  for (Value init : ArrayRef<Value>(allInits).drop_front(numState))
    blk->addArgument(init.getType(), loc);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(blk);
    bi = loop.getInductionVar();
    SmallVector<Value> ys;
    for (auto [i, v] : llvm::enumerate(inner)) {
      Value buf = loop.getRegionIterArgs()[i];
      auto bt = cast<RankedTensorType>(buf.getType());
      auto vt = cast<RankedTensorType>(v.getType());
      bool isScan = i >= numState;
      SmallVector<OpFoldResult> off{bi}, sizes{b.getIndexAttr(1)}, strides(bt.getRank(), b.getIndexAttr(1));
      for (int64_t d = 0; d < vt.getRank(); ++d) {
        off.push_back(b.getIndexAttr(0));
        if (isScan && d == 0) sizes.push_back(len);
        else if (vt.isDynamicDim(d)) sizes.push_back(tensor::DimOp::create(b, loc, v, d).getResult());
        else sizes.push_back(b.getIndexAttr(vt.getDimSize(d)));
      }
      if (bt.getRank() != vt.getRank() + 1) {
        loop.erase(); tmp.erase();
        return n.error() << "body output " << i << " has type " << vt << ", which does not fit " << bt;
      }
      ys.push_back(tensor::InsertSliceOp::create(b, loc, v, buf, off, sizes, strides));
    }
    scf::YieldOp::create(b, loc, ys);
  }
  tmp.erase();
  for (unsigned i = 0; i < n.numOutputs() && i < loop.getNumResults(); ++i)
    if (failed(n.setResult(i, loop.getResult(i)))) return failure();
  return success();
}

} // namespace

void mlir::loom::onnx_import::registerControlFlowOps(OpTable &t) {
  t.add("", "If", 1, ifOp);
  t.add("", "Loop", 1, loopOp);
  t.add("", "Scan", 8, scanOp8);
  t.add("", "Scan", 9, scanOp);
  t.add("", "SequenceMap", 17, sequenceMapOp);
}
