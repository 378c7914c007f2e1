//===- UniqueOps.cpp - Unique ---------------------------------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Unique over the elements (no axis) or over the slices along `axis`. The
// input is viewed as N items of M elements (axis moved to the front). scf
// loops find each item's first equal item, give every first occurrence its
// output position (order of appearance, or the count of smaller items when
// sorted, comparing lexicographically), then one walk fills Y, indices,
// inverse_indices and counts, whose length U is only known at run time.
// Quadratic in N, which suits the sizes Unique sees in exported models.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "Importer.h"
#include "OpTable.h"
#include "ScalarLoops.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

struct Items {
  Value flat; // [N, M]
  int64_t N, M;
  bool isF, uns;
};

/// (item i < item j, item i == item j), lexicographic over the M elements.
std::pair<Value, Value> compareItems(OpBuilder &b, Location l, const Items &it, Value i, Value j) {
  Type i1 = b.getI1Type();
  Value f = arith::ConstantIntOp::create(b, l, i1, 0);
  ValueRange r = forLoop(
      b, l, cIdx(b, l, 0), cIdx(b, l, it.M), ValueRange{f, f},
      [&](OpBuilder &b, Location l, Value k, ValueRange s) -> SmallVector<Value> {
        Value a = at(b, l, it.flat, {i, k}), c = at(b, l, it.flat, {j, k});
        Value lt, gt;
        if (it.isF) {
          lt = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, a, c);
          gt = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, a, c);
        } else {
          lt = arith::CmpIOp::create(b, l, it.uns ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt, a, c);
          gt = arith::CmpIOp::create(b, l, it.uns ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt, a, c);
        }
        Value decided = s[0];
        Value less = arith::SelectOp::create(b, l, decided, s[1], lt);
        return {arith::OrIOp::create(b, l, decided, arith::OrIOp::create(b, l, lt, gt)), less};
      });
  Value t = arith::ConstantIntOp::create(b, l, i1, 1);
  return {r[1], arith::XOrIOp::create(b, l, r[0], t)};
}

LogicalResult unique(NodeImporter &n) {
  RankedTensorType t = n.inputType(0);
  if (!t.hasStaticShape()) return n.unsupported("dynamic input shapes");
  int64_t R = t.getRank();
  int64_t sorted = n.getInt("sorted", 1);
  if (sorted != 0 && sorted != 1) return n.error() << "attribute 'sorted' must be 0 or 1, got " << sorted;
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Type et = t.getElementType(), i64 = b.getI64Type();
  Value x = n.input(0);
  // xt: the items along dim 0; perm moves `axis` to the front.
  SmallVector<int64_t> perm;
  Value xt;
  Items items;
  items.isF = isa<FloatType>(et);
  items.uns = n.inputUnsigned(0) || et.isInteger(1);
  if (n.hasAttr("axis")) {
    if (R == 0) return n.error() << "attribute 'axis' given for a rank-0 input";
    FailureOr<int64_t> a = normalizeAxis(n.getInt("axis", 0), R);
    if (failed(a)) return n.error() << "axis " << n.getInt("axis", 0) << " out of range for rank " << R;
    perm.push_back(*a);
    for (int64_t d = 0; d < R; ++d)
      if (d != *a) perm.push_back(d);
    xt = buildTranspose(b, loc, x, perm);
    items.N = t.getDimSize(*a);
    items.M = t.getNumElements() / std::max<int64_t>(items.N, 1);
  } else {
    xt = buildReshape(b, loc, x, {t.getNumElements()});
    items.N = t.getNumElements();
    items.M = 1;
  }
  if (items.N == 0 || items.M == 0) return n.unsupported("empty input");
  items.flat = buildReshape(b, loc, xt, {items.N, items.M});
  int64_t N = items.N;
  Value zero = cIdx(b, loc, 0), nN = cIdx(b, loc, N);
  Value c0 = scalarConst(b, loc, i64, 0), c1 = scalarConst(b, loc, i64, 1);
  auto toI64 = [](OpBuilder &b, Location l, Value v) -> Value { return arith::IndexCastOp::create(b, l, b.getI64Type(), v); };
  auto toIdx = [](OpBuilder &b, Location l, Value v) -> Value { return arith::IndexCastOp::create(b, l, b.getIndexType(), v); };

  // first[i]: the lowest j with item j == item i.
  ValueRange fr = forLoop(
      b, loc, zero, nN, ValueRange{emptyTensor(b, loc, {N}, i64)},
      [&](OpBuilder &b, Location l, Value i, ValueRange it) -> SmallVector<Value> {
        ValueRange f = forLoop(b, l, zero, i, ValueRange{toI64(b, l, i)},
                               [&](OpBuilder &b, Location l, Value j, ValueRange s) -> SmallVector<Value> {
                                 Value eq = compareItems(b, l, items, i, j).second;
                                 Value cur = s[0];
                                 Value unset = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, cur, toI64(b, l, i));
                                 Value take = arith::AndIOp::create(b, l, eq, unset);
                                 return {arith::SelectOp::create(b, l, take, toI64(b, l, j), cur)};
                               });
        return {put(b, l, f[0], it[0], {i})};
      });
  Value first = fr[0];
  auto isFirst = [&](OpBuilder &b, Location l, Value i) -> Value {
    return arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, at(b, l, first, {i}), toI64(b, l, i));
  };
  // pos[i] for first occurrences: output position; U: number of them.
  ValueRange pr = forLoop(
      b, loc, zero, nN, ValueRange{emptyTensor(b, loc, {N}, i64), c0},
      [&](OpBuilder &b, Location l, Value i, ValueRange it) -> SmallVector<Value> {
        return SmallVector<Value>(ifElse(
            b, l, isFirst(b, l, i),
            [&](OpBuilder &b, Location l) -> SmallVector<Value> {
              Value p = it[1];
              if (sorted) {
                ValueRange rk = forLoop(b, l, zero, nN, ValueRange{c0},
                                        [&](OpBuilder &b, Location l, Value j, ValueRange s) -> SmallVector<Value> {
                                          Value lt = compareItems(b, l, items, j, i).first;
                                          Value hit = arith::AndIOp::create(b, l, lt, isFirst(b, l, j));
                                          Value inc = arith::ExtUIOp::create(b, l, b.getI64Type(), hit);
                                          return {arith::AddIOp::create(b, l, s[0], inc)};
                                        });
                p = rk[0];
              }
              return {put(b, l, p, it[0], {i}), arith::AddIOp::create(b, l, it[1], scalarConst(b, l, b.getI64Type(), 1))};
            },
            [&](OpBuilder &, Location) -> SmallVector<Value> { return {it[0], it[1]}; }));
      });
  Value pos = pr[0];
  Value U = toIdx(b, loc, pr[1]);

  auto xtTy = cast<RankedTensorType>(xt.getType());
  SmallVector<int64_t> yShape(xtTy.getShape());
  yShape[0] = ShapedType::kDynamic;
  auto fillZero = [&](Value e) { return linalg::FillOp::create(b, loc, ValueRange{c0}, ValueRange{e}).getResult(0); };
  Value yInit = emptyTensor(b, loc, yShape, et, {U});
  Value idxInit = emptyTensor(b, loc, {ShapedType::kDynamic}, i64, {U});
  Value cntInit = fillZero(emptyTensor(b, loc, {ShapedType::kDynamic}, i64, {U}));
  Value invInit = emptyTensor(b, loc, {N}, i64);
  ValueRange out = forLoop(
      b, loc, zero, nN, ValueRange{yInit, idxInit, invInit, cntInit},
      [&](OpBuilder &b, Location l, Value i, ValueRange it) -> SmallVector<Value> {
        Value p64 = at(b, l, pos, {toIdx(b, l, at(b, l, first, {i}))});
        Value p = toIdx(b, l, p64);
        Value inv = put(b, l, p64, it[2], {i});
        Value cnt = put(b, l, arith::AddIOp::create(b, l, at(b, l, it[3], {p}), c1), it[3], {p});
        ValueRange yi = ifElse(
            b, l, isFirst(b, l, i),
            [&](OpBuilder &b, Location l) -> SmallVector<Value> {
              SmallVector<OpFoldResult> so{i}, doff{p}, sz{b.getIndexAttr(1)}, st(xtTy.getRank(), b.getIndexAttr(1));
              for (int64_t d = 1; d < xtTy.getRank(); ++d) {
                so.push_back(b.getIndexAttr(0));
                doff.push_back(b.getIndexAttr(0));
                sz.push_back(b.getIndexAttr(xtTy.getDimSize(d)));
              }
              Value slice = tensor::ExtractSliceOp::create(b, l, xt, so, sz, st);
              Value y = tensor::InsertSliceOp::create(b, l, slice, it[0], doff, sz, st);
              return {y, put(b, l, toI64(b, l, i), it[1], {p})};
            },
            [&](OpBuilder &, Location) -> SmallVector<Value> { return {it[0], it[1]}; });
        return {yi[0], yi[1], inv, cnt};
      });
  Value y = out[0];
  if (!perm.empty()) {
    SmallVector<int64_t> inv(R);
    for (int64_t k = 0; k < R; ++k) inv[perm[k]] = k;
    y = buildTranspose(b, loc, y, inv);
  }
  if (failed(n.setResult(0, y)) || failed(n.setResult(1, out[1])) || failed(n.setResult(2, out[2])))
    return failure();
  return n.setResult(3, out[3]);
}

} // namespace

void mlir::loom::onnx_import::registerUniqueOps(OpTable &t) { t.add("", "Unique", 11, unique); }
