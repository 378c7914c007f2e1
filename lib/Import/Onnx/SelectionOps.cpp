//===- SelectionOps.cpp - Ops with data-dependent result sizes ------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// NonZero and Compress: the result size is counted with a reduction first,
// then an scf.for walks the input and inserts the selected elements/slices
// at a running position (carried with the result tensor).
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

/// Number of nonzero elements of `v` as an index value.
Value countNonZero(OpBuilder &b, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> all;
  for (int64_t i = 0; i < t.getRank(); ++i) all.push_back(i);
  Type i64 = b.getI64Type();
  Value c = buildReduction(b, loc, v, all, false, scalarConst(b, loc, i64, 0),
                           [](OpBuilder &nb, Location l, Value acc, Value x) -> Value {
                             return arith::AddIOp::create(nb, l, acc, x);
                           },
                           [&](OpBuilder &nb, Location l, Value x) -> Value {
                             Value nz = convertScalar(nb, l, x, nb.getI1Type());
                             return arith::ExtUIOp::create(nb, l, nb.getI64Type(), nz);
                           });
  Value s = tensor::ExtractOp::create(b, loc, c, ValueRange{});
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), s);
}

LogicalResult nonZero(NodeImporter &n) {
  auto t = n.inputType(0);
  if (!t.hasStaticShape()) return n.unsupported("dynamic input shapes");
  OpBuilder &b = n.b;
  Location loc = n.loc;
  int64_t R = t.getRank();
  Value x = n.input(0);
  Value count = countNonZero(b, loc, x);
  Type i64 = b.getI64Type();
  Value init = emptyTensor(b, loc, {R, ShapedType::kDynamic}, i64, {count});
  Value zero = arith::ConstantIndexOp::create(b, loc, 0), one = arith::ConstantIndexOp::create(b, loc, 1);
  Value total = arith::ConstantIndexOp::create(b, loc, t.getNumElements());
  auto loop = scf::ForOp::create(
      b, loc, zero, total, one, ValueRange{init, zero},
      [&](OpBuilder &lb, Location l, Value e, ValueRange it) {
        // Multi-index of linear position e (row-major).
        SmallVector<Value> idx(R);
        Value rem = e;
        for (int64_t d = R - 1; d >= 0; --d) {
          Value sz = arith::ConstantIndexOp::create(lb, l, t.getDimSize(d));
          idx[d] = arith::RemUIOp::create(lb, l, rem, sz);
          rem = arith::DivUIOp::create(lb, l, rem, sz);
        }
        Value v = tensor::ExtractOp::create(lb, l, x, idx);
        Value nz = convertScalar(lb, l, v, lb.getI1Type());
        auto ifOp = scf::IfOp::create(
            lb, l, nz,
            [&](OpBuilder &tb, Location tl) {
              Value r = it[0];
              for (int64_t d = 0; d < R; ++d) {
                Value iv = arith::IndexCastOp::create(tb, tl, tb.getI64Type(), idx[d]);
                r = tensor::InsertOp::create(tb, tl, iv, r,
                                             ValueRange{arith::ConstantIndexOp::create(tb, tl, d), it[1]});
              }
              Value next = arith::AddIOp::create(tb, tl, it[1], arith::ConstantIndexOp::create(tb, tl, 1));
              scf::YieldOp::create(tb, tl, ValueRange{r, next});
            },
            [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, ValueRange{it[0], it[1]}); });
        scf::YieldOp::create(lb, l, ifOp.getResults());
      });
  return n.setResult(0, loop.getResult(0));
}

LogicalResult compress(NodeImporter &n) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Value x = n.input(0), cond = n.input(1);
  auto t = n.inputType(0);
  if (!t.hasStaticShape()) return n.unsupported("dynamic input shapes");
  int64_t axis;
  if (n.hasAttr("axis")) {
    FailureOr<int64_t> a = normalizeAxis(n.getInt("axis", 0), t.getRank());
    if (failed(a)) return n.error() << "axis out of range";
    axis = *a;
  } else {
    x = buildReshape(b, loc, x, {t.getNumElements()});
    axis = 0;
  }
  auto xt = cast<RankedTensorType>(x.getType());
  auto ct = n.inputType(1);
  if (ct.getRank() != 1 || ct.isDynamicDim(0)) return n.unsupported("condition of unknown length");
  int64_t L = std::min(ct.getDimSize(0), xt.getDimSize(axis));
  Value count = countNonZero(b, loc, cond);
  SmallVector<int64_t> shape(xt.getShape());
  shape[axis] = ShapedType::kDynamic;
  Value init = emptyTensor(b, loc, shape, xt.getElementType(), {count});
  Value zero = arith::ConstantIndexOp::create(b, loc, 0), one = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ForOp::create(
      b, loc, zero, arith::ConstantIndexOp::create(b, loc, L), one, ValueRange{init, zero},
      [&](OpBuilder &lb, Location l, Value i, ValueRange it) {
        Value c = convertScalar(lb, l, tensor::ExtractOp::create(lb, l, cond, ValueRange{i}), lb.getI1Type());
        auto ifOp = scf::IfOp::create(
            lb, l, c,
            [&](OpBuilder &tb, Location tl) {
              SmallVector<OpFoldResult> so, ss, st, doff;
              for (int64_t d = 0; d < xt.getRank(); ++d) {
                so.push_back(d == axis ? OpFoldResult(i) : tb.getIndexAttr(0));
                doff.push_back(d == axis ? OpFoldResult(it[1]) : tb.getIndexAttr(0));
                ss.push_back(tb.getIndexAttr(d == axis ? 1 : xt.getDimSize(d)));
                st.push_back(tb.getIndexAttr(1));
              }
              Value slice = tensor::ExtractSliceOp::create(tb, tl, x, so, ss, st);
              Value r = tensor::InsertSliceOp::create(tb, tl, slice, it[0], doff, ss, st);
              Value next = arith::AddIOp::create(tb, tl, it[1], arith::ConstantIndexOp::create(tb, tl, 1));
              scf::YieldOp::create(tb, tl, ValueRange{r, next});
            },
            [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, ValueRange{it[0], it[1]}); });
        scf::YieldOp::create(lb, l, ifOp.getResults());
      });
  return n.setResult(0, loop.getResult(0));
}

} // namespace

void mlir::loom::onnx_import::registerSelectionOps(OpTable &t) {
  t.add("", "NonZero", 9, nonZero);
  t.add("", "Compress", 9, compress);
}
