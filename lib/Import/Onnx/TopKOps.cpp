//===- TopKOps.cpp - TopK as rank counting --------------------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// TopK without a sort op: the rank of each element along the axis is the
// number of elements that beat it (ties broken by the lower index), and
// output position r collects the element of rank r. Two linalg.generics,
// quadratic in the axis length, which is what the op sizes in exported
// models (top-k over a vocabulary row, beam widths) afford; a dedicated
// sort-based lowering can replace it later.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "Importer.h"
#include "OpTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

LogicalResult topK(NodeImporter &n) {
  auto t = n.inputType(0);
  int64_t R = t.getRank();
  FailureOr<int64_t> axis = normalizeAxis(n.getInt("axis", -1), R);
  if (failed(axis)) return n.error() << "axis out of range";
  bool largest = n.getInt("largest", 1);
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Type et = t.getElementType(), i64 = b.getI64Type();
  bool isF = isa<FloatType>(et), uns = n.inputUnsigned(0);
  // K: attribute before opset 10, a 1-element tensor after.
  int64_t kStatic = ShapedType::kDynamic;
  Value kIdx;
  if (n.opset < 10) {
    std::optional<int64_t> k = n.requireInt("k");
    if (!k) return failure();
    kStatic = *k;
  } else if (DenseElementsAttr c = n.inputConstant(1)) {
    kStatic = (*c.getValues<APInt>().begin()).getSExtValue();
  } else {
    Value k = tensor::ExtractOp::create(b, loc, n.input(1), ValueRange{arith::ConstantIndexOp::create(b, loc, 0)});
    kIdx = arith::IndexCastOp::create(b, loc, b.getIndexType(), k);
  }
  Value x = n.input(0);
  // ranks[.., i, ..] = #{ j : x_j beats x_i }
  SmallVector<Value> dyn = dynamicDims(b, loc, x);
  Value rInit = linalg::FillOp::create(b, loc, ValueRange{scalarConst(b, loc, i64, 0)},
                                       ValueRange{emptyTensor(b, loc, t.getShape(), i64, dyn)})
                    .getResult(0);
  SmallVector<AffineExpr> id, jx;
  for (int64_t d = 0; d < R; ++d) {
    id.push_back(b.getAffineDimExpr(d));
    jx.push_back(b.getAffineDimExpr(d == *axis ? R : d));
  }
  SmallVector<AffineMap> maps{AffineMap::get(R + 1, 0, id, n.ctx()),
                              AffineMap::get(R + 1, 0, jx, n.ctx()),
                              AffineMap::get(R + 1, 0, id, n.ctx())};
  SmallVector<utils::IteratorType> iters(R, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  Value ranks = linalg::GenericOp::create(
                    b, loc, TypeRange{rInit.getType()}, ValueRange{x, x}, ValueRange{rInit}, maps, iters,
                    [&](OpBuilder &nb, Location l, ValueRange a) {
                      Value xi = a[0], xj = a[1];
                      Value i = linalg::IndexOp::create(nb, l, *axis), j = linalg::IndexOp::create(nb, l, R);
                      Value beats, equal;
                      if (isF) {
                        beats = arith::CmpFOp::create(nb, l, largest ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT, xj, xi);
                        equal = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ, xj, xi);
                      } else {
                        auto p = largest ? (uns ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt)
                                         : (uns ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt);
                        beats = arith::CmpIOp::create(nb, l, p, xj, xi);
                        equal = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, xj, xi);
                      }
                      Value before = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult, j, i);
                      Value win = arith::OrIOp::create(nb, l, beats, arith::AndIOp::create(nb, l, equal, before));
                      Value inc = arith::ExtUIOp::create(nb, l, nb.getI64Type(), win);
                      linalg::YieldOp::create(nb, l, ValueRange{arith::AddIOp::create(nb, l, a[2], inc)});
                    })
                    .getResult(0);
  // out[.., r, ..] = x_i with ranks_i == r (and its index).
  SmallVector<int64_t> shape(t.getShape());
  shape[*axis] = kStatic;
  SmallVector<Value> odyn;
  for (int64_t d = 0; d < R; ++d) {
    if (!ShapedType::isDynamic(shape[d])) continue;
    odyn.push_back(d == *axis ? kIdx : (Value)tensor::DimOp::create(b, loc, x, d));
  }
  Value vInit = linalg::FillOp::create(b, loc, ValueRange{scalarConst(b, loc, et, 0)},
                                       ValueRange{emptyTensor(b, loc, shape, et, odyn)})
                    .getResult(0);
  Value iInit = linalg::FillOp::create(b, loc, ValueRange{scalarConst(b, loc, i64, 0)},
                                       ValueRange{emptyTensor(b, loc, shape, i64, odyn)})
                    .getResult(0);
  SmallVector<AffineMap> maps2{AffineMap::get(R + 1, 0, jx, n.ctx()),
                               AffineMap::get(R + 1, 0, jx, n.ctx()),
                               AffineMap::get(R + 1, 0, id, n.ctx()),
                               AffineMap::get(R + 1, 0, id, n.ctx())};
  auto gather = linalg::GenericOp::create(
      b, loc, TypeRange{vInit.getType(), iInit.getType()}, ValueRange{x, ranks},
      ValueRange{vInit, iInit}, maps2, iters, [&](OpBuilder &nb, Location l, ValueRange a) {
        Value r = arith::IndexCastOp::create(nb, l, nb.getI64Type(), linalg::IndexOp::create(nb, l, *axis));
        Value j = arith::IndexCastOp::create(nb, l, nb.getI64Type(), linalg::IndexOp::create(nb, l, R));
        Value hit = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, a[1], r);
        Value v = arith::SelectOp::create(nb, l, hit, a[0], a[2]);
        Value i = arith::SelectOp::create(nb, l, hit, j, a[3]);
        linalg::YieldOp::create(nb, l, ValueRange{v, i});
      });
  if (failed(n.setResult(0, gather.getResult(0)))) return failure();
  return n.setResult(1, gather.getResult(1));
}

} // namespace

void mlir::loom::onnx_import::registerTopKOps(OpTable &t) {
  t.add("", "TopK", 1, topK);
  t.add("", "TopK", 10, topK);
  t.add("", "TopK", 11, topK);
}
