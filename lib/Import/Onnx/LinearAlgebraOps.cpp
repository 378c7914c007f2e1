//===- LinearAlgebraOps.cpp - Det -----------------------------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Det: LU factorization with partial pivoting of each matrix in the batch,
// as scf loops over a copy of the matrix; the determinant is the product of
// the pivots, negated once per row swap. A zero pivot column leaves the
// determinant at zero and skips the elimination (no division by zero).
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "Importer.h"
#include "OpTable.h"
#include "ScalarLoops.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

/// Determinant of the n x n matrix `a` (a tensor value) as a scalar.
Value luDeterminant(OpBuilder &b, Location loc, Value a, int64_t n, Type et) {
  Value zero = cIdx(b, loc, 0), nn = cIdx(b, loc, n), one = cIdx(b, loc, 1);
  Value fzero = scalarConst(b, loc, et, 0);
  ValueRange res = forLoop(
      b, loc, zero, nn, ValueRange{a, scalarConst(b, loc, et, 1)},
      [&](OpBuilder &b, Location l, Value k, ValueRange it) -> SmallVector<Value> {
        Value A = it[0], det = it[1];
        Value k1 = arith::AddIOp::create(b, l, k, one);
        // Pivot: the row at or below k with the largest |A[i][k]|.
        Value akk = math::AbsFOp::create(b, l, at(b, l, A, {k, k}));
        ValueRange piv = forLoop(b, l, k1, nn, ValueRange{k, akk},
                                 [&](OpBuilder &b, Location l, Value i, ValueRange pv) -> SmallVector<Value> {
                                   Value v = math::AbsFOp::create(b, l, at(b, l, A, {i, k}));
                                   Value better = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, v, pv[1]);
                                   return {arith::SelectOp::create(b, l, better, i, pv[0]),
                                           arith::SelectOp::create(b, l, better, v, pv[1])};
                                 });
        Value p = piv[0];
        Value swap = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, p, k);
        ValueRange sw = ifElse(
            b, l, swap,
            [&](OpBuilder &b, Location l) -> SmallVector<Value> {
              ValueRange r = forLoop(b, l, zero, nn, ValueRange{A},
                                     [&](OpBuilder &b, Location l, Value j, ValueRange m) -> SmallVector<Value> {
                                       Value vk = at(b, l, m[0], {k, j}), vp = at(b, l, m[0], {p, j});
                                       Value t = put(b, l, vp, m[0], {k, j});
                                       return {put(b, l, vk, t, {p, j})};
                                     });
              return {r[0], arith::NegFOp::create(b, l, det)};
            },
            [&](OpBuilder &, Location) -> SmallVector<Value> { return {A, det}; });
        A = sw[0];
        Value pivot = at(b, l, A, {k, k});
        det = arith::MulFOp::create(b, l, sw[1], pivot);
        Value nonzero = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNE, pivot, fzero);
        ValueRange el = ifElse(
            b, l, nonzero,
            [&](OpBuilder &b, Location l) -> SmallVector<Value> {
              ValueRange r = forLoop(
                  b, l, k1, nn, ValueRange{A}, [&](OpBuilder &b, Location l, Value i, ValueRange m) -> SmallVector<Value> {
                    Value f = arith::DivFOp::create(b, l, at(b, l, m[0], {i, k}), pivot);
                    ValueRange r2 = forLoop(
                        b, l, k1, nn, ValueRange{m[0]},
                        [&](OpBuilder &b, Location l, Value j, ValueRange m2) -> SmallVector<Value> {
                          Value prod = arith::MulFOp::create(b, l, f, at(b, l, m2[0], {k, j}));
                          Value v = arith::SubFOp::create(b, l, at(b, l, m2[0], {i, j}), prod);
                          return {put(b, l, v, m2[0], {i, j})};
                        });
                    return {r2[0]};
                  });
              return {r[0]};
            },
            [&](OpBuilder &, Location) -> SmallVector<Value> { return {A}; });
        return {el[0], det};
      });
  return res[1];
}

LogicalResult det(NodeImporter &n) {
  RankedTensorType t = n.inputType(0);
  int64_t R = t.getRank();
  if (R < 2) return n.error() << "input must have rank >= 2 (a batch of square matrices), got rank " << R;
  if (!t.hasStaticShape()) return n.unsupported("dynamic input shapes");
  int64_t N = t.getDimSize(R - 1);
  if (t.getDimSize(R - 2) != N)
    return n.error() << "input matrices must be square, got " << t.getDimSize(R - 2) << "x" << N;
  Type et = t.getElementType();
  if (!isa<FloatType>(et)) return n.error() << "input must be a float tensor, got " << et;
  OpBuilder &b = n.b;
  Location loc = n.loc;
  SmallVector<int64_t> batch(t.getShape().drop_back(2));
  int64_t B = 1;
  for (int64_t d : batch) B *= d;
  Value x = buildReshape(b, loc, n.input(0), {B, N, N});
  auto matTy = RankedTensorType::get({N, N}, et);
  Value out = emptyTensor(b, loc, {B}, et);
  ValueRange r = forLoop(b, loc, cIdx(b, loc, 0), cIdx(b, loc, B), ValueRange{out},
                         [&](OpBuilder &b, Location l, Value bi, ValueRange it) -> SmallVector<Value> {
                           SmallVector<OpFoldResult> off{bi, b.getIndexAttr(0), b.getIndexAttr(0)};
                           SmallVector<OpFoldResult> sz{b.getIndexAttr(1), b.getIndexAttr(N), b.getIndexAttr(N)};
                           SmallVector<OpFoldResult> st(3, b.getIndexAttr(1));
                           Value a = tensor::ExtractSliceOp::create(b, l, matTy, x, off, sz, st);
                           return {put(b, l, luDeterminant(b, l, a, N, et), it[0], {bi})};
                         });
  return n.setResult(0, buildReshape(b, loc, r[0], batch));
}

} // namespace

void mlir::loom::onnx_import::registerLinearAlgebraOps(OpTable &t) { t.add("", "Det", 11, det); }
