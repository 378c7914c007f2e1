//===- DynamicShape.cpp - Shape ops driven by runtime tensors -------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "DynamicShape.h"
#include "Builders.h"
#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

/// Small arith helper over i64 scalars.
struct I64 {
  OpBuilder &b;
  Location l;
  Type t() { return b.getI64Type(); }
  Value c(int64_t v) { return scalarConst(b, l, t(), v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, l, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, l, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, l, x, y); }
  Value div(Value x, Value y) { return arith::DivSIOp::create(b, l, x, y); }
  Value ceilDiv(Value x, Value y) { return arith::CeilDivSIOp::create(b, l, x, y); }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, l, x, y); }
  Value max(Value x, Value y) { return arith::MaxSIOp::create(b, l, x, y); }
  Value clamp(Value x, Value lo, Value hi) { return max(min(x, hi), lo); }
  Value lt(Value x, Value y) { return arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, x, y); }
  Value eq(Value x, Value y) { return arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, x, y); }
  Value sel(Value c, Value x, Value y) { return arith::SelectOp::create(b, l, c, x, y); }
  Value toIndex(Value x) { return arith::IndexCastOp::create(b, l, b.getIndexType(), x); }
  Value fromIndex(Value x) { return arith::IndexCastOp::create(b, l, t(), x); }
  /// Element i of a 1-D integer tensor, as i64.
  Value at(Value tensor, int64_t i, bool uns = false) {
    Value idx = arith::ConstantIndexOp::create(b, l, i);
    Value v = tensor::ExtractOp::create(b, l, tensor, ValueRange{idx});
    return convertScalar(b, l, v, t(), uns);
  }
  Value dim(Value x, int64_t d) { return fromIndex(tensor::DimOp::create(b, l, x, d)); }
};

/// Static length of a 1-D operand, or failure.
FailureOr<int64_t> vecLen(NodeImporter &n, unsigned i) {
  auto t = n.inputType(i);
  if (t.getRank() != 1 || t.isDynamicDim(0)) {
    n.unsupported("operand " + Twine(i) + " must be 1-D with a static length");
    return failure();
  }
  return t.getDimSize(0);
}

/// Result type with `rank` dims: the inferred type if it has that rank.
RankedTensorType resultType(NodeImporter &n, int64_t rank, Type elem) {
  if (RankedTensorType t = n.inferredType(0))
    if (t.getRank() == rank && t.getElementType() == elem)
      return t;
  return RankedTensorType::get(SmallVector<int64_t>(rank, ShapedType::kDynamic), elem);
}

Value reshapeWith(NodeImporter &n, Value x, ArrayRef<Value> dimsI64) {
  auto xt = cast<RankedTensorType>(x.getType());
  auto st = RankedTensorType::get({(int64_t)dimsI64.size()}, n.b.getI64Type());
  Value shape = tensor::FromElementsOp::create(n.b, n.loc, st, dimsI64);
  auto rt = resultType(n, dimsI64.size(), xt.getElementType());
  return tensor::ReshapeOp::create(n.b, n.loc, rt, x, shape);
}

} // namespace

LogicalResult mlir::loom::onnx_import::reshapeRuntime(NodeImporter &n) {
  FailureOr<int64_t> len = vecLen(n, 1);
  if (failed(len)) return failure();
  bool allowZero = n.getInt("allowzero", 0);
  Value x = n.input(0);
  int64_t r = n.inputType(0).getRank();
  I64 m{n.b, n.loc};
  Value total = m.c(1);
  for (int64_t d = 0; d < r; ++d) total = m.mul(total, m.dim(x, d));
  SmallVector<Value> dims;
  Value known = m.c(1);
  for (int64_t i = 0; i < *len; ++i) {
    Value s = m.at(n.input(1), i);
    if (!allowZero && i < r)
      s = m.sel(m.eq(s, m.c(0)), m.dim(x, i), s);
    dims.push_back(s);
    known = m.mul(known, m.sel(m.eq(s, m.c(-1)), m.c(1), s));
  }
  Value inferred = m.div(total, m.max(known, m.c(1)));
  for (Value &d : dims) d = m.sel(m.eq(d, m.c(-1)), inferred, d);
  return n.setResult(0, reshapeWith(n, x, dims));
}

LogicalResult mlir::loom::onnx_import::sliceRuntime(NodeImporter &n) {
  auto t = n.inputType(0);
  int64_t R = t.getRank();
  FailureOr<int64_t> len = vecLen(n, 1);
  if (failed(len)) return failure();
  I64 m{n.b, n.loc};
  Value x = n.input(0);
  // Per slice entry k: axis, start, end, step as i64 values.
  SmallVector<Value> axes, steps;
  for (int64_t k = 0; k < *len; ++k) {
    Value a = n.hasInput(3) ? m.at(n.input(3), k) : m.c(k);
    axes.push_back(m.sel(m.lt(a, m.c(0)), m.add(a, m.c(R)), a));
    steps.push_back(n.hasInput(4) ? m.at(n.input(4), k) : m.c(1));
  }
  SmallVector<Value> off, size, stride;
  for (int64_t d = 0; d < R; ++d) {
    Value D = m.dim(x, d);
    Value s = m.c(0), e = D, st = m.c(1);
    Value sliced = scalarConst(n.b, n.loc, n.b.getI1Type(), 0);
    for (int64_t k = 0; k < *len; ++k) {
      Value hit = m.eq(axes[k], m.c(d));
      sliced = arith::OrIOp::create(n.b, n.loc, sliced, hit);
      s = m.sel(hit, m.at(n.input(1), k), s);
      e = m.sel(hit, m.at(n.input(2), k), e);
      st = m.sel(hit, steps[k], st);
    }
    // ONNX clamping, for either sign of the step.
    s = m.sel(m.lt(s, m.c(0)), m.add(s, D), s);
    e = m.sel(m.lt(e, m.c(0)), m.add(e, D), e);
    Value pos = m.lt(m.c(0), st);
    Value safeSt = m.sel(m.eq(st, m.c(0)), m.c(1), st);
    Value ps = m.clamp(s, m.c(0), D), pe = m.clamp(e, m.c(0), D);
    Value pl = m.max(m.ceilDiv(m.sub(pe, ps), safeSt), m.c(0));
    Value last = m.sub(D, m.c(1));
    Value ns = m.clamp(s, m.c(0), last), ne = m.clamp(e, m.c(-1), last);
    Value nl = m.max(m.ceilDiv(m.sub(ns, ne), m.sub(m.c(0), safeSt)), m.c(0));
    off.push_back(m.toIndex(m.sel(pos, ps, ns)));
    size.push_back(m.toIndex(m.sel(pos, pl, nl)));
    stride.push_back(m.toIndex(safeSt));
  }
  auto rt = resultType(n, R, t.getElementType());
  SmallVector<Value> dyn;
  for (int64_t d = 0; d < R; ++d)
    if (rt.isDynamicDim(d)) dyn.push_back(size[d]);
  Value r = buildIndexed(n.b, n.loc, rt.getShape(), t.getElementType(), dyn, {}, {},
                         [&](OpBuilder &b, Location l, ValueRange, ValueRange idx) -> Value {
                           SmallVector<Value> src;
                           for (int64_t d = 0; d < R; ++d) {
                             Value v = arith::MulIOp::create(b, l, idx[d], stride[d]);
                             src.push_back(arith::AddIOp::create(b, l, v, off[d]));
                           }
                           return tensor::ExtractOp::create(b, l, x, src);
                         });
  return n.setResult(0, r);
}

LogicalResult mlir::loom::onnx_import::expandRuntime(NodeImporter &n) {
  auto t = n.inputType(0);
  FailureOr<int64_t> len = vecLen(n, 1);
  if (failed(len)) return failure();
  int64_t r = t.getRank(), R = std::max<int64_t>(r, *len);
  I64 m{n.b, n.loc};
  Value x = n.input(0);
  SmallVector<int64_t> shape(R, ShapedType::kDynamic);
  SmallVector<Value> dyn;
  SmallVector<AffineExpr> e;
  for (int64_t j = 0; j < R; ++j) {
    int64_t i = j - (R - r), k = j - (R - *len);
    Value in = i >= 0 ? m.dim(x, i) : m.c(1);
    Value s = k >= 0 ? m.at(n.input(1), k) : m.c(1);
    if (i >= 0 && !t.isDynamicDim(i) && t.getDimSize(i) != 1)
      shape[j] = t.getDimSize(i);
    else
      dyn.push_back(m.toIndex(m.max(in, s)));
    if (i >= 0)
      e.push_back(t.getDimSize(i) == 1 ? n.b.getAffineConstantExpr(0) : n.b.getAffineDimExpr(j));
  }
  Value res = buildIndexed(n.b, n.loc, shape, t.getElementType(), dyn, {x},
                           {AffineMap::get(R, 0, e, n.ctx())},
                           [](OpBuilder &, Location, ValueRange a, ValueRange) { return a[0]; });
  return n.setResult(0, res);
}

LogicalResult mlir::loom::onnx_import::splitRuntime(NodeImporter &n, int64_t axis) {
  FailureOr<int64_t> len = vecLen(n, 1);
  if (failed(len)) return failure();
  if (*len != n.numOutputs())
    return n.error() << "split has " << *len << " parts for " << n.numOutputs() << " outputs";
  auto t = n.inputType(0);
  I64 m{n.b, n.loc};
  Value x = n.input(0), off = m.c(0);
  for (int64_t i = 0; i < *len; ++i) {
    Value sz = m.at(n.input(1), i);
    SmallVector<OpFoldResult> o, s, st;
    SmallVector<int64_t> shape(t.getShape());
    shape[axis] = ShapedType::kDynamic;
    for (int64_t d = 0; d < t.getRank(); ++d) {
      st.push_back(n.b.getIndexAttr(1));
      if (d == axis) {
        o.push_back(m.toIndex(off));
        s.push_back(m.toIndex(sz));
      } else {
        o.push_back(n.b.getIndexAttr(0));
        s.push_back(t.isDynamicDim(d) ? OpFoldResult(tensor::DimOp::create(n.b, n.loc, x, d).getResult())
                                      : OpFoldResult(n.b.getIndexAttr(t.getDimSize(d))));
      }
    }
    auto rt = RankedTensorType::get(shape, t.getElementType());
    Value r = tensor::ExtractSliceOp::create(n.b, n.loc, rt, x, o, s, st);
    if (failed(n.setResult(i, r))) return failure();
    off = m.add(off, sz);
  }
  return success();
}

LogicalResult mlir::loom::onnx_import::padRuntime(NodeImporter &n, StringRef mode) {
  auto t = n.inputType(0);
  int64_t R = t.getRank();
  FailureOr<int64_t> len = vecLen(n, 1);
  if (failed(len)) return failure();
  if (*len != 2 * R || n.hasInput(3))
    return n.unsupported("runtime pads with axes");
  I64 m{n.b, n.loc};
  Type et = t.getElementType();
  Value padValue = n.hasInput(2) ? (Value)tensor::ExtractOp::create(n.b, n.loc, n.input(2), ValueRange{})
                                 : scalarConst(n.b, n.loc, et, 0);
  Value x = n.input(0);
  SmallVector<Value> lo, hi, size;
  for (int64_t d = 0; d < R; ++d) {
    lo.push_back(m.toIndex(m.at(n.input(1), d)));
    hi.push_back(m.toIndex(m.at(n.input(1), R + d)));
    size.push_back(m.toIndex(m.add(m.dim(x, d), m.add(m.at(n.input(1), d), m.at(n.input(1), R + d)))));
  }
  SmallVector<int64_t> shape(R, ShapedType::kDynamic);
  if (mode == "constant") {
    SmallVector<OpFoldResult> l(lo.begin(), lo.end()), h(hi.begin(), hi.end());
    auto rt = RankedTensorType::get(shape, et);
    return n.setResult(0, tensor::PadOp::create(n.b, n.loc, rt, x, l, h, padValue));
  }
  SmallVector<Value> dims = dimValues(n.b, n.loc, x);
  Value r = buildIndexed(
      n.b, n.loc, shape, et, size, {}, {},
      [&](OpBuilder &b, Location l, ValueRange, ValueRange idx) -> Value {
        SmallVector<Value> src;
        auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(b, l, v); };
        for (int64_t d = 0; d < R; ++d) {
          Value i = arith::SubIOp::create(b, l, idx[d], lo[d]);
          Value last = arith::SubIOp::create(b, l, dims[d], c(1));
          Value below = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i, c(0));
          Value above = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt, i, last);
          if (mode == "reflect") {
            i = arith::SelectOp::create(b, l, below, arith::SubIOp::create(b, l, c(0), i), i);
            Value refl = arith::SubIOp::create(b, l, arith::AddIOp::create(b, l, last, last), i);
            i = arith::SelectOp::create(b, l, above, refl, i);
          } else if (mode == "wrap") {
            Value r = arith::RemSIOp::create(b, l, i, dims[d]);
            Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, r, c(0));
            i = arith::SelectOp::create(b, l, neg, arith::AddIOp::create(b, l, r, dims[d]), r);
          } else {
            i = arith::MaxSIOp::create(b, l, arith::MinSIOp::create(b, l, i, last), c(0));
          }
          src.push_back(i);
        }
        return tensor::ExtractOp::create(b, l, x, src);
      });
  return n.setResult(0, r);
}

LogicalResult mlir::loom::onnx_import::tileRuntime(NodeImporter &n) {
  auto t = n.inputType(0);
  int64_t R = t.getRank();
  FailureOr<int64_t> len = vecLen(n, 1);
  if (failed(len)) return failure();
  if (*len != R) return n.error() << "repeats length differs from the input rank";
  I64 m{n.b, n.loc};
  Value x = n.input(0);
  SmallVector<Value> size;
  for (int64_t d = 0; d < R; ++d)
    size.push_back(m.toIndex(m.mul(m.dim(x, d), m.at(n.input(1), d))));
  SmallVector<Value> dims = dimValues(n.b, n.loc, x);
  SmallVector<int64_t> shape(R, ShapedType::kDynamic);
  Value r = buildIndexed(n.b, n.loc, shape, t.getElementType(), size, {}, {},
                         [&](OpBuilder &b, Location l, ValueRange, ValueRange idx) -> Value {
                           SmallVector<Value> src;
                           for (int64_t d = 0; d < R; ++d)
                             src.push_back(arith::RemUIOp::create(b, l, idx[d], dims[d]));
                           return tensor::ExtractOp::create(b, l, x, src);
                         });
  return n.setResult(0, r);
}

LogicalResult mlir::loom::onnx_import::oneHotRuntime(NodeImporter &n) {
  auto it = n.inputType(0);
  int64_t R = it.getRank() + 1;
  FailureOr<int64_t> axis = normalizeAxis(n.getInt("axis", -1), R);
  if (failed(axis)) return n.error() << "axis out of range";
  I64 m{n.b, n.loc};
  Value depthV = tensor::ExtractOp::create(n.b, n.loc, n.input(1),
                                           SmallVector<Value>(n.inputType(1).getRank(),
                                                              arith::ConstantIndexOp::create(n.b, n.loc, 0)));
  Value depth = convertScalar(n.b, n.loc, depthV, n.b.getI64Type(), n.inputUnsigned(1));
  SmallVector<int64_t> shape(it.getShape());
  shape.insert(shape.begin() + *axis, ShapedType::kDynamic);
  SmallVector<Value> dyn;
  for (int64_t d = 0; d < R; ++d) {
    if (d == *axis) dyn.push_back(m.toIndex(depth));
    else if (ShapedType::isDynamic(shape[d]))
      dyn.push_back(tensor::DimOp::create(n.b, n.loc, n.input(0), d < *axis ? d : d - 1));
  }
  Type elem = n.inputElemType(2);
  Value off = tensor::ExtractOp::create(n.b, n.loc, n.input(2), ValueRange{arith::ConstantIndexOp::create(n.b, n.loc, 0)});
  Value on = tensor::ExtractOp::create(n.b, n.loc, n.input(2), ValueRange{arith::ConstantIndexOp::create(n.b, n.loc, 1)});
  SmallVector<AffineExpr> e;
  for (int64_t i = 0; i < R; ++i)
    if (i != *axis) e.push_back(n.b.getAffineDimExpr(i));
  bool uns = n.inputUnsigned(0);
  Value r = buildIndexed(
      n.b, n.loc, shape, elem, dyn, {n.input(0)}, {AffineMap::get(R, 0, e, n.ctx())},
      [&](OpBuilder &b, Location l, ValueRange a, ValueRange idx) -> Value {
        I64 mm{b, l};
        Value i = convertScalar(b, l, a[0], b.getI64Type(), uns);
        i = mm.sel(mm.lt(i, mm.c(0)), mm.add(i, depth), i);
        Value hit = mm.eq(i, mm.fromIndex(idx[*axis]));
        return arith::SelectOp::create(b, l, hit, on, off);
      });
  return n.setResult(0, r);
}

LogicalResult mlir::loom::onnx_import::unsqueezeRuntime(NodeImporter &n) {
  FailureOr<int64_t> len = vecLen(n, 1);
  if (failed(len)) return failure();
  Value x = n.input(0);
  int64_t r = n.inputType(0).getRank(), R = r + *len;
  I64 m{n.b, n.loc};
  SmallVector<Value> axes;
  for (int64_t k = 0; k < *len; ++k) {
    Value a = m.at(n.input(1), k);
    axes.push_back(m.sel(m.lt(a, m.c(0)), m.add(a, m.c(R)), a));
  }
  // Output dim j is 1 when j is an axis, else input dim (j - #axes below j).
  SmallVector<Value> inDims;
  for (int64_t d = 0; d < r; ++d) inDims.push_back(m.dim(x, d));
  SmallVector<Value> dims;
  for (int64_t j = 0; j < R; ++j) {
    Value isAxis = scalarConst(n.b, n.loc, n.b.getI1Type(), 0), below = m.c(0);
    for (Value a : axes) {
      isAxis = arith::OrIOp::create(n.b, n.loc, isAxis, m.eq(a, m.c(j)));
      below = m.add(below, m.sel(m.lt(a, m.c(j)), m.c(1), m.c(0)));
    }
    Value src = m.sub(m.c(j), below);
    Value dim = m.c(1);
    for (int64_t d = 0; d < r; ++d) dim = m.sel(m.eq(src, m.c(d)), inDims[d], dim);
    dims.push_back(m.sel(isAxis, m.c(1), dim));
  }
  return n.setResult(0, reshapeWith(n, x, dims));
}

LogicalResult mlir::loom::onnx_import::squeezeRuntime(NodeImporter &n) {
  FailureOr<int64_t> len = vecLen(n, 1);
  if (failed(len)) return failure();
  Value x = n.input(0);
  int64_t r = n.inputType(0).getRank(), R = r - *len;
  if (R < 0) return n.error() << "more axes than dims";
  I64 m{n.b, n.loc};
  SmallVector<Value> axes;
  for (int64_t k = 0; k < *len; ++k) {
    Value a = m.at(n.input(1), k);
    axes.push_back(m.sel(m.lt(a, m.c(0)), m.add(a, m.c(r)), a));
  }
  // Output dim j is the input dim i whose count of kept dims before it is j.
  SmallVector<Value> dims(R, m.c(1));
  Value kept = m.c(0);
  for (int64_t i = 0; i < r; ++i) {
    Value isAxis = scalarConst(n.b, n.loc, n.b.getI1Type(), 0);
    for (Value a : axes) isAxis = arith::OrIOp::create(n.b, n.loc, isAxis, m.eq(a, m.c(i)));
    Value d = m.dim(x, i);
    for (int64_t j = 0; j < R; ++j) {
      Value hit = arith::AndIOp::create(
          n.b, n.loc, m.eq(kept, m.c(j)),
          arith::XOrIOp::create(n.b, n.loc, isAxis, scalarConst(n.b, n.loc, n.b.getI1Type(), 1)));
      dims[j] = m.sel(hit, d, dims[j]);
    }
    kept = m.add(kept, m.sel(isAxis, m.c(0), m.c(1)));
  }
  return n.setResult(0, reshapeWith(n, x, dims));
}
