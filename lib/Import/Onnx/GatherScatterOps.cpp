//===- GatherScatterOps.cpp - Gather*, Scatter*, ReverseSequence ----------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Gathers are parallel linalg.generics whose body reads the data with
// tensor.extract at indices computed from the index tensor (the form the
// vectorizer turns into gathers). Scatters are scf.for nests over the
// updates inserting into the data tensor (indices may repeat, so they are
// not parallel).
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "ConstFold.h"
#include "Importer.h"
#include "OpTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

/// An index scalar as `index`, with negative values wrapped by `dimSize`.
Value normalizeIndex(OpBuilder &b, Location l, Value idx, Value dimSize,
                     bool isUnsigned) {
  Value i = convertScalar(b, l, idx, b.getI64Type(), isUnsigned);
  i = arith::IndexCastOp::create(b, l, b.getIndexType(), i);
  if (isUnsigned)
    return i;
  Value zero = arith::ConstantIndexOp::create(b, l, 0);
  Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i, zero);
  return arith::SelectOp::create(b, l, neg, arith::AddIOp::create(b, l, i, dimSize), i);
}

LogicalResult gather(NodeImporter &n) {
  auto dt = n.inputType(0), it = n.inputType(1);
  FailureOr<int64_t> axis = normalizeAxis(n.getInt("axis", 0), dt.getRank());
  if (failed(axis))
    return n.error() << "axis out of range";
  int64_t q = it.getRank(), r = dt.getRank();
  SmallVector<int64_t> shape(dt.getShape().begin(), dt.getShape().begin() + *axis);
  shape.append(it.getShape().begin(), it.getShape().end());
  shape.append(dt.getShape().begin() + *axis + 1, dt.getShape().end());
  auto rt = RankedTensorType::get(shape, dt.getElementType());
  bool uns = n.inputUnsigned(1);
  // Host gather (Shape -> Gather chains).
  DenseElementsAttr dc = n.inputConstant(0), ic = n.inputConstant(1);
  if (dc && ic && rt.hasStaticShape() && rt.getNumElements() <= kMaxFoldElements) {
    std::vector<HostScalar> dv = hostValues(dc, n.inputUnsigned(0));
    std::vector<HostScalar> iv = hostValues(ic, uns);
    int64_t outer = 1, inner = 1, axisDim = dt.getDimSize(*axis);
    for (int64_t i = 0; i < *axis; ++i) outer *= dt.getDimSize(i);
    for (int64_t i = *axis + 1; i < r; ++i) inner *= dt.getDimSize(i);
    std::vector<HostScalar> out;
    for (int64_t o = 0; o < outer; ++o)
      for (const HostScalar &ix : iv) {
        int64_t k = ix.asI();
        if (k < 0) k += axisDim;
        if (k < 0 || k >= axisDim)
          return n.error() << "index " << ix.asI() << " out of range";
        for (int64_t in = 0; in < inner; ++in)
          out.push_back(dv[dc.isSplat() ? 0 : (o * axisDim + k) * inner + in]);
      }
    return n.setConstant(0, hostAttr(rt, out));
  }
  Value data = n.input(0);
  SmallVector<Value> dyn;
  for (int64_t i = 0; i < (int64_t)shape.size(); ++i) {
    if (!ShapedType::isDynamic(shape[i])) continue;
    if (i < *axis) dyn.push_back(tensor::DimOp::create(n.b, n.loc, data, i));
    else if (i < *axis + q) dyn.push_back(tensor::DimOp::create(n.b, n.loc, n.input(1), i - *axis));
    else dyn.push_back(tensor::DimOp::create(n.b, n.loc, data, i - q + 1));
  }
  int64_t R = shape.size();
  SmallVector<AffineExpr> ie;
  for (int64_t j = 0; j < q; ++j) ie.push_back(n.b.getAffineDimExpr(*axis + j));
  AffineMap im = AffineMap::get(R, 0, ie, n.ctx());
  Value axisSize = tensor::DimOp::create(n.b, n.loc, data, *axis);
  Value res = buildIndexed(
      n.b, n.loc, shape, dt.getElementType(), dyn, {n.input(1)}, {im},
      [&](OpBuilder &b, Location l, ValueRange a, ValueRange idx) -> Value {
        SmallVector<Value> src(idx.take_front(*axis));
        src.push_back(normalizeIndex(b, l, a[0], axisSize, uns));
        src.append(idx.drop_front(*axis + q).begin(), idx.drop_front(*axis + q).end());
        return tensor::ExtractOp::create(b, l, data, src);
      });
  return n.setResult(0, res);
}

LogicalResult gatherElements(NodeImporter &n) {
  auto dt = n.inputType(0), it = n.inputType(1);
  FailureOr<int64_t> axis = normalizeAxis(n.getInt("axis", 0), dt.getRank());
  if (failed(axis) || dt.getRank() != it.getRank())
    return n.error() << "axis out of range or rank mismatch";
  Value data = n.input(0);
  bool uns = n.inputUnsigned(1);
  Value axisSize = tensor::DimOp::create(n.b, n.loc, data, *axis);
  int64_t R = it.getRank();
  Value res = buildIndexed(
      n.b, n.loc, it.getShape(), dt.getElementType(),
      dynamicDims(n.b, n.loc, n.input(1)), {n.input(1)},
      {n.b.getMultiDimIdentityMap(R)},
      [&](OpBuilder &b, Location l, ValueRange a, ValueRange idx) -> Value {
        SmallVector<Value> src(idx);
        src[*axis] = normalizeIndex(b, l, a[0], axisSize, uns);
        return tensor::ExtractOp::create(b, l, data, src);
      });
  return n.setResult(0, res);
}

LogicalResult gatherND(NodeImporter &n) {
  auto dt = n.inputType(0), it = n.inputType(1);
  int64_t bd = n.getInt("batch_dims", 0);
  int64_t q = it.getRank(), r = dt.getRank();
  if (q < 1 || it.isDynamicDim(q - 1))
    return n.unsupported("indices with a dynamic last dim");
  int64_t k = it.getDimSize(q - 1);
  if (bd + k > r)
    return n.error() << "indices address more dims than the data has";
  SmallVector<int64_t> shape(it.getShape().begin(), it.getShape().end() - 1);
  shape.append(dt.getShape().begin() + bd + k, dt.getShape().end());
  Value data = n.input(0), ind = n.input(1);
  // Dynamic result dims come from the indices' leading dims and the data's
  // trailing dims (symbolic batch/sequence sizes of exported models).
  SmallVector<Value> dyn;
  for (int64_t d = 0; d < (int64_t)shape.size(); ++d)
    if (ShapedType::isDynamic(shape[d]))
      dyn.push_back(d < q - 1 ? tensor::DimOp::create(n.b, n.loc, ind, d)
                              : tensor::DimOp::create(n.b, n.loc, data,
                                                      d - (q - 1) + bd + k));
  bool uns = n.inputUnsigned(1);
  Value res = buildIndexed(
      n.b, n.loc, shape, dt.getElementType(), dyn, {}, {},
      [&](OpBuilder &b, Location l, ValueRange, ValueRange idx) -> Value {
        SmallVector<Value> src(idx.take_front(bd));
        SmallVector<Value> ip(idx.take_front(q - 1));
        for (int64_t j = 0; j < k; ++j) {
          ip.push_back(arith::ConstantIndexOp::create(b, l, j));
          Value v = tensor::ExtractOp::create(b, l, ind, ip);
          ip.pop_back();
          Value dimSize =
              dt.isDynamicDim(bd + j)
                  ? (Value)tensor::DimOp::create(b, l, data, bd + j)
                  : (Value)arith::ConstantIndexOp::create(b, l, dt.getDimSize(bd + j));
          src.push_back(normalizeIndex(b, l, v, dimSize, uns));
        }
        src.append(idx.drop_front(q - 1).begin(), idx.drop_front(q - 1).end());
        return tensor::ExtractOp::create(b, l, data, src);
      });
  return n.setResult(0, res);
}

/// Combines an existing element with an update per `reduction`.
FailureOr<Value> combine(OpBuilder &b, Location l, StringRef reduction, Value old,
                         Value upd) {
  bool f = isa<FloatType>(upd.getType());
  if (reduction == "none") return upd;
  if (reduction == "add")
    return f ? (Value)arith::AddFOp::create(b, l, old, upd) : (Value)arith::AddIOp::create(b, l, old, upd);
  if (reduction == "mul")
    return f ? (Value)arith::MulFOp::create(b, l, old, upd) : (Value)arith::MulIOp::create(b, l, old, upd);
  if (reduction == "max")
    return f ? (Value)arith::MaximumFOp::create(b, l, old, upd) : (Value)arith::MaxSIOp::create(b, l, old, upd);
  if (reduction == "min")
    return f ? (Value)arith::MinimumFOp::create(b, l, old, upd) : (Value)arith::MinSIOp::create(b, l, old, upd);
  return failure();
}

LogicalResult scatterElements(NodeImporter &n) {
  auto dt = n.inputType(0), it = n.inputType(1);
  FailureOr<int64_t> axis = normalizeAxis(n.getInt("axis", 0), dt.getRank());
  if (failed(axis))
    return n.error() << "axis out of range";
  std::string red = n.getString("reduction", "none");
  if (red != "none" && red != "add" && red != "mul" && red != "max" && red != "min")
    return n.error() << "unknown reduction '" << red << "'";
  Value data = n.input(0), ind = n.input(1), upd = n.input(2);
  bool uns = n.inputUnsigned(1);
  OpBuilder &b = n.b;
  Location loc = n.loc;
  SmallVector<Value> lbs, ubs, steps;
  for (int64_t d = 0; d < it.getRank(); ++d) {
    lbs.push_back(arith::ConstantIndexOp::create(b, loc, 0));
    ubs.push_back(dimValues(b, loc, ind)[d]);
    steps.push_back(arith::ConstantIndexOp::create(b, loc, 1));
  }
  Value axisSize = tensor::DimOp::create(b, loc, data, *axis);
  bool bad = false;
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, ubs, steps, ValueRange{data},
      [&](OpBuilder &nb, Location l, ValueRange ivs, ValueRange iter) -> scf::ValueVector {
        Value i = tensor::ExtractOp::create(nb, l, ind, ivs);
        Value u = tensor::ExtractOp::create(nb, l, upd, ivs);
        SmallVector<Value> dst(ivs);
        dst[*axis] = normalizeIndex(nb, l, i, axisSize, uns);
        Value old = tensor::ExtractOp::create(nb, l, iter[0], dst);
        FailureOr<Value> v = combine(nb, l, red, old, u);
        if (failed(v)) { bad = true; v = u; }
        return {tensor::InsertOp::create(nb, l, *v, iter[0], dst)};
      });
  if (bad)
    return n.error() << "bad reduction";
  return n.setResult(0, nest.results[0]);
}

LogicalResult scatterND(NodeImporter &n) {
  auto dt = n.inputType(0), it = n.inputType(1), ut = n.inputType(2);
  int64_t q = it.getRank();
  if (q < 1 || it.isDynamicDim(q - 1))
    return n.unsupported("indices with a dynamic last dim");
  int64_t k = it.getDimSize(q - 1);
  std::string red = n.getString("reduction", "none");
  Value data = n.input(0), ind = n.input(1), upd = n.input(2);
  bool uns = n.inputUnsigned(1);
  OpBuilder &b = n.b;
  Location loc = n.loc;
  SmallVector<Value> lbs, ubs, steps;
  SmallVector<Value> udims = dimValues(b, loc, upd);
  for (int64_t d = 0; d < ut.getRank(); ++d) {
    lbs.push_back(arith::ConstantIndexOp::create(b, loc, 0));
    ubs.push_back(udims[d]);
    steps.push_back(arith::ConstantIndexOp::create(b, loc, 1));
  }
  SmallVector<Value> ddims = dimValues(b, loc, data);
  bool bad = false;
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, ubs, steps, ValueRange{data},
      [&](OpBuilder &nb, Location l, ValueRange ivs, ValueRange iter) -> scf::ValueVector {
        SmallVector<Value> ip(ivs.take_front(q - 1)), dst;
        for (int64_t j = 0; j < k; ++j) {
          ip.push_back(arith::ConstantIndexOp::create(nb, l, j));
          Value v = tensor::ExtractOp::create(nb, l, ind, ip);
          ip.pop_back();
          dst.push_back(normalizeIndex(nb, l, v, ddims[j], uns));
        }
        dst.append(ivs.drop_front(q - 1).begin(), ivs.drop_front(q - 1).end());
        Value u = tensor::ExtractOp::create(nb, l, upd, ivs);
        Value old = tensor::ExtractOp::create(nb, l, iter[0], dst);
        FailureOr<Value> v = combine(nb, l, red, old, u);
        if (failed(v)) { bad = true; v = u; }
        return {tensor::InsertOp::create(nb, l, *v, iter[0], dst)};
      });
  if (bad)
    return n.error() << "unknown reduction '" << red << "'";
  (void)dt;
  return n.setResult(0, nest.results[0]);
}

LogicalResult reverseSequence(NodeImporter &n) {
  auto t = n.inputType(0);
  int64_t batchAxis = n.getInt("batch_axis", 1), timeAxis = n.getInt("time_axis", 0);
  if (t.getRank() < 2)
    return n.error() << "expects rank >= 2";
  Value x = n.input(0), lens = n.input(1);
  int64_t R = t.getRank();
  Value res = buildIndexed(
      n.b, n.loc, t.getShape(), t.getElementType(), dynamicDims(n.b, n.loc, x),
      {}, {}, [&](OpBuilder &b, Location l, ValueRange, ValueRange idx) -> Value {
        Value len = tensor::ExtractOp::create(b, l, lens, ValueRange{idx[batchAxis]});
        len = arith::IndexCastOp::create(b, l, b.getIndexType(), len);
        Value tIdx = idx[timeAxis];
        Value inside = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, tIdx, len);
        Value one = arith::ConstantIndexOp::create(b, l, 1);
        Value rev = arith::SubIOp::create(b, l, arith::SubIOp::create(b, l, len, one), tIdx);
        SmallVector<Value> src(idx);
        src[timeAxis] = arith::SelectOp::create(b, l, inside, rev, tIdx);
        (void)R;
        return tensor::ExtractOp::create(b, l, x, src);
      });
  return n.setResult(0, res);
}

} // namespace

void mlir::loom::onnx_import::registerGatherScatterOps(OpTable &t) {
  t.add("", "Gather", 1, gather);
  t.add("", "GatherElements", 11, gatherElements);
  t.add("", "GatherND", 11, gatherND);
  t.add("", "ScatterElements", 11, scatterElements);
  t.add("", "Scatter", 9, scatterElements);
  t.add("", "ScatterND", 11, scatterND);
  t.add("", "ReverseSequence", 10, reverseSequence);
}
