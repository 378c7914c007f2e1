//===- ReductionOps.cpp - Reduce*, Arg*, Softmax family, CumSum -----------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Reductions are linalg.generics with reduction iterators over a filled init;
// keepdims re-inserts unit dims with tensor.expand_shape. The axes moved
// from attribute to input (ReduceSum at 13, the others at 18) and Softmax
// changed from "flatten at axis" to "one axis" at 13: both signatures are
// registered.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "ConstFold.h"
#include "Importer.h"
#include "OpTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

enum class Red { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

bool isF(Type t) { return isa<FloatType>(t); }

Value add(OpBuilder &b, Location l, Value x, Value y) {
  return isF(x.getType()) ? (Value)arith::AddFOp::create(b, l, x, y)
                          : (Value)arith::AddIOp::create(b, l, x, y);
}
Value mul(OpBuilder &b, Location l, Value x, Value y) {
  return isF(x.getType()) ? (Value)arith::MulFOp::create(b, l, x, y)
                          : (Value)arith::MulIOp::create(b, l, x, y);
}
Value maxOf(OpBuilder &b, Location l, Value x, Value y, bool uns) {
  if (isF(x.getType())) return arith::MaximumFOp::create(b, l, x, y);
  return uns ? (Value)arith::MaxUIOp::create(b, l, x, y) : (Value)arith::MaxSIOp::create(b, l, x, y);
}
Value minOf(OpBuilder &b, Location l, Value x, Value y, bool uns) {
  if (isF(x.getType())) return arith::MinimumFOp::create(b, l, x, y);
  return uns ? (Value)arith::MinUIOp::create(b, l, x, y) : (Value)arith::MinSIOp::create(b, l, x, y);
}

/// Normalized, sorted reduction axes; `all` when none are given.
FailureOr<SmallVector<int64_t>> reductionAxes(NodeImporter &n, int64_t rank,
                                              bool axesAsInput, bool &noop) {
  SmallVector<int64_t> axes;
  noop = false;
  if (axesAsInput) {
    if (n.hasInput(1)) {
      auto a = n.constantInts(1, "axes");
      if (failed(a)) return failure();
      axes = *a;
    }
  } else {
    axes = n.getInts("axes");
  }
  if (axes.empty()) {
    if (axesAsInput && n.getInt("noop_with_empty_axes", 0)) {
      noop = true;
      return axes;
    }
    for (int64_t i = 0; i < rank; ++i) axes.push_back(i);
    return axes;
  }
  SmallVector<int64_t> out;
  for (int64_t a : axes) {
    FailureOr<int64_t> na = normalizeAxis(a, rank);
    if (failed(na)) {
      n.error() << "axis " << a << " out of range for rank " << rank;
      return failure();
    }
    out.push_back(*na);
  }
  llvm::sort(out);
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

template <Red K>
FailureOr<Value> buildReduce(NodeImporter &n, OpBuilder &b, ArrayRef<int64_t> axesIn,
                             bool keep) {
  auto t = n.inputType(0);
  Type et = t.getElementType();
  bool uns = n.inputUnsigned(0);
  Location loc = n.loc;
  SmallVector<int64_t> axesVec(axesIn);
  auto *axes = &axesVec;
  Value init;
  switch (K) {
  case Red::Max: init = lowestConst(b, loc, et, uns); break;
  case Red::Min: init = highestConst(b, loc, et, uns); break;
  case Red::Prod: init = scalarConst(b, loc, et, 1); break;
  default: init = scalarConst(b, loc, et, 0); break;
  }
  auto combine = [&](OpBuilder &nb, Location l, Value acc, Value x) -> Value {
    switch (K) {
    case Red::Max: return maxOf(nb, l, acc, x, uns);
    case Red::Min: return minOf(nb, l, acc, x, uns);
    case Red::Prod: return mul(nb, l, acc, x);
    default: return add(nb, l, acc, x);
    }
  };
  auto pre = [&](OpBuilder &nb, Location l, Value x) -> Value {
    switch (K) {
    case Red::L1:
      return isF(et) ? (Value)math::AbsFOp::create(nb, l, x) : (Value)math::AbsIOp::create(nb, l, x);
    case Red::L2: case Red::SumSquare: return mul(nb, l, x, x);
    case Red::LogSumExp: return math::ExpOp::create(nb, l, x);
    default: return x;
    }
  };
  Value r = buildReduction(b, loc, n.input(0), *axes, keep, init, combine, pre);
  // Post-processing elementwise step.
  if (K == Red::Mean || K == Red::L2 || K == Red::LogSum || K == Red::LogSumExp) {
    int64_t count = 1;
    bool staticCount = true;
    for (int64_t a : *axes) {
      if (t.isDynamicDim(a)) staticCount = false;
      else count *= t.getDimSize(a);
    }
    if (K == Red::Mean && !staticCount) {
      n.unsupported("mean over a dynamic dim");
      return failure();
    }
    FailureOr<Value> p = buildElementwise(
        b, loc, {r}, et, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          Value x = a[0];
          switch (K) {
          case Red::Mean:
            return isF(et) ? (Value)arith::DivFOp::create(nb, l, x, scalarConst(nb, l, et, count))
                           : (Value)arith::DivSIOp::create(nb, l, x, scalarConst(nb, l, et, count));
          case Red::L2:
            if (!isF(et)) {
              Value f = convertScalar(nb, l, x, nb.getF64Type(), uns);
              f = math::SqrtOp::create(nb, l, f);
              return convertScalar(nb, l, f, et, false, uns);
            }
            return math::SqrtOp::create(nb, l, x);
          default:
            return math::LogOp::create(nb, l, x);
          }
        });
    if (failed(p)) return failure();
    r = *p;
  }
  return r;
}

/// ReduceSum whose axes are a runtime tensor: one case per possible set of
/// axes (a bit mask over the dims), chosen with scf.index_switch.
template <Red K>
LogicalResult reduceRuntimeAxes(NodeImporter &n, bool keep) {
  auto t = n.inputType(0);
  auto at = n.inputType(1);
  int64_t R = t.getRank();
  if (at.getRank() != 1 || at.isDynamicDim(0) || R > 6)
    return n.unsupported("runtime axes of unknown length or rank > 6");
  int64_t L = at.getDimSize(0);
  OpBuilder &b = n.b;
  Location loc = n.loc;
  if (L == 0) {
    if (n.getInt("noop_with_empty_axes", 0))
      return n.setResult(0, n.input(0));
    SmallVector<int64_t> all;
    for (int64_t i = 0; i < R; ++i) all.push_back(i);
    FailureOr<Value> r = buildReduce<K>(n, b, all, keep);
    return failed(r) ? failure() : n.setResult(0, *r);
  }
  // mask = sum(1 << normalized axis)
  Type i64 = b.getI64Type();
  Value mask = scalarConst(b, loc, i64, 0);
  for (int64_t k = 0; k < L; ++k) {
    Value a = tensor::ExtractOp::create(b, loc, n.input(1), ValueRange{arith::ConstantIndexOp::create(b, loc, k)});
    Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, a, scalarConst(b, loc, i64, 0));
    a = arith::SelectOp::create(b, loc, neg, arith::AddIOp::create(b, loc, a, scalarConst(b, loc, i64, R)), a);
    mask = arith::OrIOp::create(b, loc, mask, arith::ShLIOp::create(b, loc, scalarConst(b, loc, i64, 1), a));
  }
  Value sel = arith::IndexCastOp::create(b, loc, b.getIndexType(), mask);
  SmallVector<int64_t> cases;
  for (int64_t m = 1; m < (1 << R); ++m)
    if (llvm::popcount((uint64_t)m) == L) cases.push_back(m);
  int64_t outRank = keep ? R : R - L;
  SmallVector<int64_t> shape(outRank, ShapedType::kDynamic);
  if (keep)
    for (int64_t i = 0; i < R; ++i)
      if (t.getDimSize(i) == 1) shape[i] = 1;
  auto rt = RankedTensorType::get(shape, t.getElementType());
  auto sw = scf::IndexSwitchOp::create(b, loc, TypeRange{rt}, sel, cases, cases.size());
  auto fill = [&](Region &region, int64_t m) -> LogicalResult {
    OpBuilder::InsertionGuard g(b);
    b.createBlock(&region);
    SmallVector<int64_t> axes;
    for (int64_t i = 0; i < R; ++i) if (m & (1 << i)) axes.push_back(i);
    FailureOr<Value> r = buildReduce<K>(n, b, axes, keep);
    if (failed(r)) return failure();
    Value v = *r;
    if (v.getType() != rt) v = tensor::CastOp::create(b, loc, rt, v);
    scf::YieldOp::create(b, loc, v);
    return success();
  };
  for (auto [i, m] : llvm::enumerate(cases))
    if (failed(fill(sw.getCaseRegions()[i], m))) return failure();
  if (failed(fill(sw.getDefaultRegion(), cases.front()))) return failure();
  return n.setResult(0, sw.getResult(0));
}

template <Red K>
LogicalResult reduce(NodeImporter &n) {
  auto t = n.inputType(0);
  bool axesAsInput = (K == Red::Sum) ? n.opset >= 13 : n.opset >= 18;
  bool keep = n.getInt("keepdims", 1);
  if (axesAsInput && n.hasInput(1) && !n.inputConstant(1))
    return reduceRuntimeAxes<K>(n, keep);
  bool noop;
  FailureOr<SmallVector<int64_t>> axes = reductionAxes(n, t.getRank(), axesAsInput, noop);
  if (failed(axes))
    return failure();
  if (noop)
    return n.setResult(0, n.input(0));
  FailureOr<Value> r = buildReduce<K>(n, n.b, *axes, keep);
  if (failed(r))
    return failure();
  return n.setResult(0, *r);
}

/// Arg{Max,Min} along `axis`: a two-output reduction (value, index).
FailureOr<Value> argReduce(OpBuilder &b, Location loc, Value x, int64_t axis,
                           bool isMax, bool selectLast, bool uns) {
  auto t = cast<RankedTensorType>(x.getType());
  Type et = t.getElementType();
  int64_t R = t.getRank();
  SmallVector<int64_t> shape;
  SmallVector<Value> dyn;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t i = 0; i < R; ++i) {
    if (i == axis) {
      iters.push_back(utils::IteratorType::reduction);
      continue;
    }
    iters.push_back(utils::IteratorType::parallel);
    shape.push_back(t.getDimSize(i));
    outExprs.push_back(b.getAffineDimExpr(i));
    if (t.isDynamicDim(i)) dyn.push_back(tensor::DimOp::create(b, loc, x, i));
  }
  Value vInit = linalg::FillOp::create(
                    b, loc, ValueRange{isMax ? lowestConst(b, loc, et, uns) : highestConst(b, loc, et, uns)},
                    ValueRange{emptyTensor(b, loc, shape, et, dyn)})
                    .getResult(0);
  Value iInit = linalg::FillOp::create(
                    b, loc, ValueRange{scalarConst(b, loc, b.getI64Type(), 0)},
                    ValueRange{emptyTensor(b, loc, shape, b.getI64Type(), dyn)})
                    .getResult(0);
  AffineMap om = AffineMap::get(R, 0, outExprs, b.getContext());
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(R), om, om};
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{vInit.getType(), iInit.getType()}, ValueRange{x},
      ValueRange{vInit, iInit}, maps, iters,
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value v = a[0], best = a[1], bestI = a[2];
        Value i = arith::IndexCastOp::create(nb, l, nb.getI64Type(),
                                             linalg::IndexOp::create(nb, l, axis));
        Value better;
        if (isF(et)) {
          auto pred = isMax ? (selectLast ? arith::CmpFPredicate::OGE : arith::CmpFPredicate::OGT)
                            : (selectLast ? arith::CmpFPredicate::OLE : arith::CmpFPredicate::OLT);
          better = arith::CmpFOp::create(nb, l, pred, v, best);
        } else {
          arith::CmpIPredicate pred;
          if (isMax) pred = selectLast ? (uns ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge)
                                       : (uns ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt);
          else pred = selectLast ? (uns ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle)
                                 : (uns ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt);
          better = arith::CmpIOp::create(nb, l, pred, v, best);
        }
        // The first element always wins (the init is only a sentinel).
        Value first = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, i,
                                            scalarConst(nb, l, nb.getI64Type(), 0));
        better = arith::OrIOp::create(nb, l, better, first);
        Value nv = arith::SelectOp::create(nb, l, better, v, best);
        Value ni = arith::SelectOp::create(nb, l, better, i, bestI);
        linalg::YieldOp::create(nb, l, ValueRange{nv, ni});
      });
  return op.getResult(1);
}

template <bool IsMax>
LogicalResult argMinMax(NodeImporter &n) {
  auto t = n.inputType(0);
  FailureOr<int64_t> axis = normalizeAxis(n.getInt("axis", 0), t.getRank());
  if (failed(axis))
    return n.error() << "axis out of range";
  bool keep = n.getInt("keepdims", 1);
  bool last = n.getInt("select_last_index", 0);
  FailureOr<Value> r = argReduce(n.b, n.loc, n.input(0), *axis, IsMax, last, n.inputUnsigned(0));
  if (failed(r)) return failure();
  Value v = *r;
  if (keep) v = insertUnitDims(n.b, n.loc, v, {*axis});
  return n.setResult(0, v);
}

enum class SM { Softmax, LogSoftmax, Hardmax };

template <SM K>
LogicalResult softmax(NodeImporter &n) {
  auto t = n.inputType(0);
  int64_t R = t.getRank();
  bool legacy = n.opset < 13;
  FailureOr<int64_t> axis = normalizeAxis(n.getInt("axis", legacy ? 1 : -1), R);
  if (failed(axis))
    return n.error() << "axis out of range";
  Type et = t.getElementType();
  if (!isF(et))
    return n.error() << "expects a floating-point input";
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Value x = n.input(0);
  SmallVector<int64_t> axes;
  for (int64_t i = *axis; i < (legacy ? R : *axis + 1); ++i) axes.push_back(i);

  if (K == SM::Hardmax) {
    // Along one axis; legacy multi-dim coercion flattens to 2-D first.
    Value in = x;
    int64_t ax = *axis;
    if (axes.size() != 1) {
      if (!t.hasStaticShape()) return n.unsupported("legacy Hardmax on a dynamic shape");
      int64_t outer = 1, inner = 1;
      for (int64_t i = 0; i < R; ++i) (i < *axis ? outer : inner) *= t.getDimSize(i);
      in = buildReshape(b, loc, x, {outer, inner});
      ax = 1;
    }
    FailureOr<Value> am = argReduce(b, loc, in, ax, true, false, false);
    if (failed(am)) return failure();
    Value amk = insertUnitDims(b, loc, *am, {ax});
    auto it = cast<RankedTensorType>(in.getType());
    int64_t r2 = it.getRank();
    SmallVector<AffineExpr> e;
    for (int64_t i = 0; i < r2; ++i)
      e.push_back(i == ax ? b.getAffineConstantExpr(0) : b.getAffineDimExpr(i));
    Value h = buildIndexed(
        b, loc, it.getShape(), et, dynamicDims(b, loc, in), {amk},
        {AffineMap::get(r2, 0, e, n.ctx())},
        [&](OpBuilder &nb, Location l, ValueRange a, ValueRange idx) -> Value {
          Value i = arith::IndexCastOp::create(nb, l, nb.getI64Type(), idx[ax]);
          Value hit = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, i, a[0]);
          return arith::SelectOp::create(nb, l, hit, scalarConst(nb, l, et, 1),
                                         scalarConst(nb, l, et, 0));
        });
    if (in != x) h = buildReshape(b, loc, h, t.getShape());
    return n.setResult(0, h);
  }

  Value m = buildReduction(b, loc, x, axes, true, lowestConst(b, loc, et, false),
                           [](OpBuilder &nb, Location l, Value acc, Value v) -> Value {
                             return arith::MaximumFOp::create(nb, l, acc, v);
                           });
  FailureOr<Value> sh = buildElementwise(b, loc, {x, m}, et,
                                         [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                                           return arith::SubFOp::create(nb, l, a[0], a[1]);
                                         });
  if (failed(sh)) return failure();
  Value s = buildReduction(b, loc, *sh, axes, true, scalarConst(b, loc, et, 0),
                           [](OpBuilder &nb, Location l, Value acc, Value v) -> Value {
                             return arith::AddFOp::create(nb, l, acc, v);
                           },
                           [](OpBuilder &nb, Location l, Value v) -> Value {
                             return math::ExpOp::create(nb, l, v);
                           });
  FailureOr<Value> r = buildElementwise(
      b, loc, {*sh, s}, et, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        if (K == SM::LogSoftmax)
          return arith::SubFOp::create(nb, l, a[0], math::LogOp::create(nb, l, a[1]));
        return arith::DivFOp::create(nb, l, math::ExpOp::create(nb, l, a[0]), a[1]);
      });
  if (failed(r)) return failure();
  return n.setResult(0, *r);
}

Value buildCumSum(NodeImporter &n, OpBuilder &b, std::optional<int64_t> axis,
                   bool exclusive, bool reverse);

LogicalResult cumSum(NodeImporter &n) {
  auto t = n.inputType(0);
  bool exclusive = n.getInt("exclusive", 0), reverse = n.getInt("reverse", 0);
  if (!n.inputConstant(1)) {
    // Runtime axis: one case per dim.
    OpBuilder &b = n.b;
    Location loc = n.loc;
    int64_t R = t.getRank();
    Value a = tensor::ExtractOp::create(b, loc, n.input(1),
                                        SmallVector<Value>(n.inputType(1).getRank(), arith::ConstantIndexOp::create(b, loc, 0)));
    a = convertScalar(b, loc, a, b.getI64Type());
    Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, a, scalarConst(b, loc, b.getI64Type(), 0));
    a = arith::SelectOp::create(b, loc, neg, arith::AddIOp::create(b, loc, a, scalarConst(b, loc, b.getI64Type(), R)), a);
    Value sel = arith::IndexCastOp::create(b, loc, b.getIndexType(), a);
    SmallVector<int64_t> cases;
    for (int64_t i = 0; i < R; ++i) cases.push_back(i);
    auto sw = scf::IndexSwitchOp::create(b, loc, TypeRange{t}, sel, cases, cases.size());
    for (int64_t i = 0; i <= R; ++i) {
      OpBuilder::InsertionGuard g(b);
      b.createBlock(i < R ? &sw.getCaseRegions()[i] : &sw.getDefaultRegion());
      scf::YieldOp::create(b, loc, buildCumSum(n, b, i < R ? i : 0, exclusive, reverse));
    }
    return n.setResult(0, sw.getResult(0));
  }
  FailureOr<SmallVector<int64_t>> ax = n.constantInts(1, "axis");
  if (failed(ax)) return failure();
  FailureOr<int64_t> axis = normalizeAxis((*ax)[0], t.getRank());
  if (failed(axis)) return n.error() << "axis out of range";
  return n.setResult(0, buildCumSum(n, n.b, *axis, exclusive, reverse));
}

Value buildCumSum(NodeImporter &n, OpBuilder &b, std::optional<int64_t> axis,
                  bool exclusive, bool reverse) {
  auto t = n.inputType(0);
  Location loc = n.loc;
  Type et = t.getElementType();
  int64_t R = t.getRank();
  // out[.., i, ..] = sum_j x[.., j, ..] * [j in the prefix of i]: a
  // reduction over an extra loop j (quadratic but plain linalg).
  Value init = linalg::FillOp::create(
                   b, loc, ValueRange{scalarConst(b, loc, et, 0)},
                   ValueRange{emptyTensor(b, loc, t.getShape(), et, dynamicDims(b, loc, n.input(0)))})
                   .getResult(0);
  SmallVector<AffineExpr> in;
  for (int64_t i = 0; i < R; ++i)
    in.push_back(b.getAffineDimExpr(i == *axis ? R : i));
  SmallVector<AffineMap> maps{AffineMap::get(R + 1, 0, in, n.ctx()),
                              AffineMap::getMultiDimIdentityMap(R, n.ctx()).shiftDims(0)};
  SmallVector<AffineExpr> outE;
  for (int64_t i = 0; i < R; ++i) outE.push_back(b.getAffineDimExpr(i));
  maps[1] = AffineMap::get(R + 1, 0, outE, n.ctx());
  SmallVector<utils::IteratorType> iters(R, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{n.input(0)}, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value i = linalg::IndexOp::create(nb, l, *axis);
        Value j = linalg::IndexOp::create(nb, l, R);
        arith::CmpIPredicate p = reverse ? (exclusive ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::uge)
                                         : (exclusive ? arith::CmpIPredicate::ult : arith::CmpIPredicate::ule);
        Value in = arith::CmpIOp::create(nb, l, p, j, i);
        Value v = arith::SelectOp::create(nb, l, in, a[0], scalarConst(nb, l, et, 0));
        linalg::YieldOp::create(nb, l, add(nb, l, a[1], v));
      });
  return op.getResult(0);
}

} // namespace

void mlir::loom::onnx_import::registerReductionOps(OpTable &t) {
  t.add("", "ReduceSum", 1, reduce<Red::Sum>);
  t.add("", "ReduceSum", 13, reduce<Red::Sum>);
  t.add("", "ReduceMean", 1, reduce<Red::Mean>);
  t.add("", "ReduceMean", 18, reduce<Red::Mean>);
  t.add("", "ReduceMax", 1, reduce<Red::Max>);
  t.add("", "ReduceMax", 18, reduce<Red::Max>);
  t.add("", "ReduceMin", 1, reduce<Red::Min>);
  t.add("", "ReduceMin", 18, reduce<Red::Min>);
  t.add("", "ReduceProd", 1, reduce<Red::Prod>);
  t.add("", "ReduceProd", 18, reduce<Red::Prod>);
  t.add("", "ReduceL1", 1, reduce<Red::L1>);
  t.add("", "ReduceL1", 18, reduce<Red::L1>);
  t.add("", "ReduceL2", 1, reduce<Red::L2>);
  t.add("", "ReduceL2", 18, reduce<Red::L2>);
  t.add("", "ReduceLogSum", 1, reduce<Red::LogSum>);
  t.add("", "ReduceLogSum", 18, reduce<Red::LogSum>);
  t.add("", "ReduceLogSumExp", 1, reduce<Red::LogSumExp>);
  t.add("", "ReduceLogSumExp", 18, reduce<Red::LogSumExp>);
  t.add("", "ReduceSumSquare", 1, reduce<Red::SumSquare>);
  t.add("", "ReduceSumSquare", 18, reduce<Red::SumSquare>);
  t.add("", "ArgMax", 1, argMinMax<true>);
  t.add("", "ArgMin", 1, argMinMax<false>);
  t.add("", "Softmax", 1, softmax<SM::Softmax>);
  t.add("", "Softmax", 13, softmax<SM::Softmax>);
  t.add("", "LogSoftmax", 1, softmax<SM::LogSoftmax>);
  t.add("", "LogSoftmax", 13, softmax<SM::LogSoftmax>);
  t.add("", "Hardmax", 1, softmax<SM::Hardmax>);
  t.add("", "Hardmax", 13, softmax<SM::Hardmax>);
  t.add("", "CumSum", 11, cumSum);
}
