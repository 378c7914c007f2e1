//===- TensorGenOps.cpp - Constants, ranges and masks ---------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Constant, ConstantOfShape, Range, EyeLike, Trilu, OneHot: ops that make a
// tensor from attributes or from index arithmetic (a linalg.generic over the
// result with linalg.index).
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "ConstFold.h"
#include "DynamicShape.h"
#include "Importer.h"
#include "OpTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

LogicalResult constant(NodeImporter &n) {
  MLIRContext *ctx = n.ctx();
  Builder b(ctx);
  if (const onnx::AttributeProto *a = n.attr("value")) {
    if (a->type() != onnx::AttributeProto::TENSOR && a->type() != 0)
      return n.error() << "attribute 'value' must be TENSOR";
    // The importer owns the model; taking over the tensor's bytes avoids a
    // copy of large constants.
    auto &t = const_cast<onnx::TensorProto &>(a->t());
    FailureOr<ValueInfo> v = n.g.importTensor(t, n.b, n.loc, n.describe() + ": attribute 'value'");
    if (failed(v))
      return failure();
    n.g.define(n.node.output(0), *v);
    return success();
  }
  if (n.hasAttr("sparse_value"))
    return n.unsupported("sparse constants; densify the model first");
  if (n.hasAttr("value_string") || n.hasAttr("value_strings"))
    return n.unsupported("string constants");
  if (n.hasAttr("value_float")) {
    auto t = RankedTensorType::get({}, b.getF32Type());
    return n.setConstant(0, DenseElementsAttr::get(t, n.getFloat("value_float", 0)));
  }
  if (n.hasAttr("value_int")) {
    auto t = RankedTensorType::get({}, b.getI64Type());
    return n.setConstant(0, DenseElementsAttr::get(t, n.getInt("value_int", 0)));
  }
  if (n.hasAttr("value_floats")) {
    SmallVector<float> v = n.getFloats("value_floats");
    auto t = RankedTensorType::get({(int64_t)v.size()}, b.getF32Type());
    return n.setConstant(0, DenseElementsAttr::get(t, ArrayRef<float>(v)));
  }
  if (n.hasAttr("value_ints")) {
    SmallVector<int64_t> v = n.getInts("value_ints");
    auto t = RankedTensorType::get({(int64_t)v.size()}, b.getI64Type());
    return n.setConstant(0, DenseElementsAttr::get(t, ArrayRef<int64_t>(v)));
  }
  return n.error() << "has no value attribute";
}

/// Splat value from a one-element TensorProto attribute (default f32 0).
FailureOr<DenseElementsAttr> splatFromAttr(NodeImporter &n, StringRef name,
                                           ArrayRef<int64_t> shape) {
  const onnx::TensorProto *t = n.getTensor(name);
  Type f32 = n.b.getF32Type();
  if (!t)
    return DenseElementsAttr::get(RankedTensorType::get(shape, f32),
                                  n.b.getFloatAttr(f32, 0.0));
  Type elem = convertElemType(n.ctx(), t->data_type());
  if (!elem)
    return n.unsupported("value of type " + onnxTypeName(t->data_type())),
           failure();
  std::string err;
  ArrayRef<char> raw;
  if (t->has_raw_data())
    raw = ArrayRef<char>(t->raw_data().data(), t->raw_data().size());
  auto one = RankedTensorType::get({1}, elem);
  FailureOr<DenseElementsAttr> v = tensorToDenseAttr(n.ctx(), *t, one, raw, err);
  if (failed(v)) {
    n.error() << "attribute '" << name << "' " << err;
    return failure();
  }
  return DenseElementsAttr::get(RankedTensorType::get(shape, elem),
                                v->getValues<Attribute>()[0]);
}

LogicalResult constantOfShape(NodeImporter &n) {
  if (DenseElementsAttr c = n.inputConstant(0)) {
    FailureOr<SmallVector<int64_t>> shape = n.constantInts(0, "shape");
    if (failed(shape))
      return failure();
    for (int64_t d : *shape)
      if (d < 0)
        return n.error() << "shape has a negative dimension";
    FailureOr<DenseElementsAttr> v = splatFromAttr(n, "value", *shape);
    if (failed(v))
      return failure();
    Value r = arith::ConstantOp::create(n.b, n.loc, *v);
    return n.setResult(0, r, v->getNumElements() <= kMaxFoldElements ? *v : nullptr);
  }
  // Runtime shape: fill a tensor.empty sized from the shape's elements.
  auto st = n.inputType(0);
  if (st.getRank() != 1 || st.isDynamicDim(0))
    return n.unsupported("shape input of unknown length");
  FailureOr<DenseElementsAttr> v = splatFromAttr(n, "value", {1});
  if (failed(v))
    return failure();
  SmallVector<Value> dyn;
  SmallVector<int64_t> shape(st.getDimSize(0), ShapedType::kDynamic);
  for (int64_t i = 0; i < st.getDimSize(0); ++i) {
    Value idx = arith::ConstantIndexOp::create(n.b, n.loc, i);
    Value d = tensor::ExtractOp::create(n.b, n.loc, n.input(0), ValueRange{idx});
    dyn.push_back(arith::IndexCastOp::create(n.b, n.loc, n.b.getIndexType(), d));
  }
  Type elem = v->getElementType();
  Value init = emptyTensor(n.b, n.loc, shape, elem, dyn);
  Value scalar = arith::ConstantOp::create(
      n.b, n.loc, cast<TypedAttr>(v->getValues<Attribute>()[0]));
  Value r = linalg::FillOp::create(n.b, n.loc, ValueRange{scalar}, ValueRange{init})
                .getResult(0);
  return n.setResult(0, r);
}

LogicalResult range(NodeImporter &n) {
  Type et = n.inputElemType(0);
  DenseElementsAttr s = n.inputConstant(0), l = n.inputConstant(1),
                    d = n.inputConstant(2);
  if (s && l && d) {
    HostScalar start = hostValues(s, false)[0], limit = hostValues(l, false)[0],
               delta = hostValues(d, false)[0];
    if (delta.asF() == 0)
      return n.error() << "delta is zero";
    int64_t count = std::max<int64_t>(
        0, (int64_t)std::ceil((limit.asF() - start.asF()) / delta.asF()));
    if (count <= kMaxFoldElements) {
      std::vector<HostScalar> vals;
      for (int64_t i = 0; i < count; ++i)
        vals.push_back(start.isFloat ? HostScalar::ofF(start.f + i * delta.asF())
                                     : HostScalar::ofI(start.i + i * delta.i));
      return n.setConstant(0, hostAttr(RankedTensorType::get({count}, et), vals));
    }
  }
  // Runtime bounds: size = max(ceil((limit - start) / delta), 0).
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Value start = tensor::ExtractOp::create(b, loc, n.input(0), ValueRange{});
  Value limit = tensor::ExtractOp::create(b, loc, n.input(1), ValueRange{});
  Value delta = tensor::ExtractOp::create(b, loc, n.input(2), ValueRange{});
  Value fs = convertScalar(b, loc, start, b.getF64Type());
  Value fl = convertScalar(b, loc, limit, b.getF64Type());
  Value fd = convertScalar(b, loc, delta, b.getF64Type());
  Value q = arith::DivFOp::create(b, loc, arith::SubFOp::create(b, loc, fl, fs), fd);
  q = math::CeilOp::create(b, loc, q);
  q = arith::MaximumFOp::create(b, loc, q, scalarConst(b, loc, b.getF64Type(), 0));
  Value count = arith::IndexCastOp::create(
      b, loc, b.getIndexType(), arith::FPToSIOp::create(b, loc, b.getI64Type(), q));
  Value r = buildIndexed(
      b, loc, {ShapedType::kDynamic}, et, {count}, {}, {},
      [&](OpBuilder &nb, Location nl, ValueRange, ValueRange idx) -> Value {
        Value i = arith::IndexCastOp::create(nb, nl, nb.getI64Type(), idx[0]);
        Value iv = convertScalar(nb, nl, i, et);
        Value step = isa<FloatType>(et)
                         ? (Value)arith::MulFOp::create(nb, nl, iv, delta)
                         : (Value)arith::MulIOp::create(nb, nl, iv, delta);
        return isa<FloatType>(et) ? (Value)arith::AddFOp::create(nb, nl, start, step)
                                  : (Value)arith::AddIOp::create(nb, nl, start, step);
      });
  return n.setResult(0, r);
}

LogicalResult eyeLike(NodeImporter &n) {
  auto t = n.inputType(0);
  if (t.getRank() != 2)
    return n.error() << "expects a 2-D input";
  int64_t k = n.getInt("k", 0);
  Type elem = t.getElementType();
  if (n.hasAttr("dtype")) {
    elem = convertElemType(n.ctx(), n.getInt("dtype", 1));
    if (!elem)
      return n.unsupported("dtype");
  }
  Value r = buildIndexed(
      n.b, n.loc, t.getShape(), elem, dynamicDims(n.b, n.loc, n.input(0)), {},
      {}, [&](OpBuilder &b, Location l, ValueRange, ValueRange idx) -> Value {
        Value jk = arith::AddIOp::create(
            b, l, idx[0], arith::ConstantIndexOp::create(b, l, k));
        Value on = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, idx[1], jk);
        return arith::SelectOp::create(b, l, on, scalarConst(b, l, elem, 1),
                                       scalarConst(b, l, elem, 0));
      });
  return n.setResult(0, r);
}

LogicalResult trilu(NodeImporter &n) {
  auto t = n.inputType(0);
  if (t.getRank() < 2)
    return n.error() << "expects a tensor of rank >= 2";
  bool upper = n.getInt("upper", 1);
  Value k;
  if (n.hasInput(1)) {
    k = tensor::ExtractOp::create(n.b, n.loc, n.input(1), ValueRange{});
    k = arith::IndexCastOp::create(n.b, n.loc, n.b.getIndexType(), k);
  } else {
    k = arith::ConstantIndexOp::create(n.b, n.loc, 0);
  }
  int64_t R = t.getRank();
  Type elem = t.getElementType();
  Value r = buildIndexed(
      n.b, n.loc, t.getShape(), elem, dynamicDims(n.b, n.loc, n.input(0)),
      {n.input(0)}, {n.b.getMultiDimIdentityMap(R)},
      [&](OpBuilder &b, Location l, ValueRange a, ValueRange idx) -> Value {
        // Keep when j - i >= k (upper) or j - i <= k (lower).
        Value ik = arith::AddIOp::create(b, l, idx[R - 2], k);
        Value keep = arith::CmpIOp::create(
            b, l, upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle,
            idx[R - 1], ik);
        return arith::SelectOp::create(b, l, keep, a[0], scalarConst(b, l, elem, 0));
      });
  return n.setResult(0, r);
}

LogicalResult oneHot(NodeImporter &n) {
  if (!n.inputConstant(1))
    return oneHotRuntime(n);
  FailureOr<SmallVector<int64_t>> depthV = n.constantInts(1, "depth");
  int64_t depth;
  if (succeeded(depthV)) {
    depth = (*depthV)[0];
  } else {
    // Float depth constants are allowed too.
    DenseElementsAttr c = n.inputConstant(1);
    if (!c)
      return failure();
    depth = (int64_t)hostValues(c, false)[0].asF();
  }
  auto it = n.inputType(0);
  int64_t R = it.getRank() + 1;
  FailureOr<int64_t> axis = normalizeAxis(n.getInt("axis", -1), R);
  if (failed(axis))
    return n.error() << "axis out of range";
  SmallVector<int64_t> shape(it.getShape());
  shape.insert(shape.begin() + *axis, depth);
  Type elem = n.inputElemType(2);
  Value vals = n.input(2);
  Value off = tensor::ExtractOp::create(
      n.b, n.loc, vals, ValueRange{arith::ConstantIndexOp::create(n.b, n.loc, 0)});
  Value on = tensor::ExtractOp::create(
      n.b, n.loc, vals, ValueRange{arith::ConstantIndexOp::create(n.b, n.loc, 1)});
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < R; ++i)
    if (i != *axis)
      exprs.push_back(n.b.getAffineDimExpr(i));
  AffineMap m = AffineMap::get(R, 0, exprs, n.ctx());
  SmallVector<Value> dyn = dynamicDims(n.b, n.loc, n.input(0));
  bool idxUns = n.inputUnsigned(0);
  Value r = buildIndexed(
      n.b, n.loc, shape, elem, dyn, {n.input(0)}, {m},
      [&](OpBuilder &b, Location l, ValueRange a, ValueRange idx) -> Value {
        Value i = convertScalar(b, l, a[0], b.getI64Type(), idxUns);
        Value d = scalarConst(b, l, b.getI64Type(), depth);
        Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i,
                                          scalarConst(b, l, b.getI64Type(), 0));
        i = arith::SelectOp::create(b, l, neg, arith::AddIOp::create(b, l, i, d), i);
        Value pos = arith::IndexCastOp::create(b, l, b.getI64Type(), idx[*axis]);
        Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, i, pos);
        return arith::SelectOp::create(b, l, hit, on, off);
      });
  return n.setResult(0, r);
}

} // namespace

void mlir::loom::onnx_import::registerTensorGenOps(OpTable &t) {
  t.add("", "Constant", 1, constant);
  t.add("", "ConstantOfShape", 9, constantOfShape);
  t.add("", "Range", 11, range);
  t.add("", "EyeLike", 9, eyeLike);
  t.add("", "Trilu", 14, trilu);
  t.add("", "OneHot", 9, oneHot);
}
