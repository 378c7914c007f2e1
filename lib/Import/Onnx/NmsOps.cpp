//===- NmsOps.cpp - NonMaxSuppression -------------------------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// NonMaxSuppression as scf loops. For each (batch, class) the box with the
// highest remaining score (ties: the lower index) is taken in turn; it is
// kept when its IoU with every box already kept for that class is at most
// iou_threshold, until max_output_boxes_per_class are kept. Selected triples
// go into a buffer with room for every box of every class, and the result
// is the filled prefix of it (a dynamically sized [K, 3] tensor).
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

struct Corners {
  Value y0, x0, y1, x1;
};

/// Corners (min/max ordered) of box `i` of batch `bi`.
Corners readBox(OpBuilder &b, Location l, Value boxes, Value bi, Value i, bool centerPoint) {
  Value c[4];
  for (int k = 0; k < 4; ++k) c[k] = at(b, l, boxes, {bi, i, cIdx(b, l, k)});
  if (centerPoint) {
    // [x_center, y_center, width, height]
    Value half = scalarConst(b, l, c[0].getType(), 0.5);
    Value hw = arith::MulFOp::create(b, l, c[2], half), hh = arith::MulFOp::create(b, l, c[3], half);
    return {arith::SubFOp::create(b, l, c[1], hh), arith::SubFOp::create(b, l, c[0], hw),
            arith::AddFOp::create(b, l, c[1], hh), arith::AddFOp::create(b, l, c[0], hw)};
  }
  // [y1, x1, y2, x2], either diagonal.
  return {arith::MinimumFOp::create(b, l, c[0], c[2]), arith::MinimumFOp::create(b, l, c[1], c[3]),
          arith::MaximumFOp::create(b, l, c[0], c[2]), arith::MaximumFOp::create(b, l, c[1], c[3])};
}

/// True when IoU(a, c) > thr (false when either box has no area).
Value overlaps(OpBuilder &b, Location l, const Corners &a, const Corners &c, Value thr) {
  Type ft = thr.getType();
  Value zero = scalarConst(b, l, ft, 0);
  auto ext = [&](Value lo0, Value hi0, Value lo1, Value hi1) -> Value {
    Value d = arith::SubFOp::create(b, l, arith::MinimumFOp::create(b, l, hi0, hi1),
                                    arith::MaximumFOp::create(b, l, lo0, lo1));
    return arith::MaximumFOp::create(b, l, d, zero);
  };
  Value inter = arith::MulFOp::create(b, l, ext(a.y0, a.y1, c.y0, c.y1), ext(a.x0, a.x1, c.x0, c.x1));
  auto area = [&](const Corners &k) -> Value {
    return arith::MulFOp::create(b, l, arith::SubFOp::create(b, l, k.y1, k.y0), arith::SubFOp::create(b, l, k.x1, k.x0));
  };
  Value aa = area(a), ac = area(c);
  Value uni = arith::SubFOp::create(b, l, arith::AddFOp::create(b, l, aa, ac), inter);
  Value iou = arith::DivFOp::create(b, l, inter, uni);
  Value valid = arith::AndIOp::create(b, l, arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, aa, zero),
                                      arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, ac, zero));
  return arith::AndIOp::create(b, l, valid, arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, iou, thr));
}

/// Scalar of an optional 1-element input, or `dflt`.
Value optionalScalar(NodeImporter &n, unsigned i, Value dflt) {
  if (!n.hasInput(i)) return dflt;
  Value v = n.input(i);
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<Value> idx(t.getRank(), cIdx(n.b, n.loc, 0));
  return at(n.b, n.loc, v, idx);
}

LogicalResult nonMaxSuppression(NodeImporter &n) {
  RankedTensorType bt = n.inputType(0), st = n.inputType(1);
  if (bt.getRank() != 3 || st.getRank() != 3)
    return n.error() << "boxes must be [batch, boxes, 4] and scores [batch, classes, boxes], got ranks "
                     << bt.getRank() << " and " << st.getRank();
  if (!bt.hasStaticShape() || !st.hasStaticShape()) return n.unsupported("dynamic input shapes");
  int64_t B = bt.getDimSize(0), S = bt.getDimSize(1), C = st.getDimSize(1);
  if (bt.getDimSize(2) != 4 || st.getDimSize(0) != B || st.getDimSize(2) != S)
    return n.error() << "boxes " << bt << " and scores " << st << " do not agree";
  Type ft = bt.getElementType();
  if (!isa<FloatType>(ft) || st.getElementType() != ft) return n.error() << "boxes and scores must be float tensors of one type";
  for (unsigned i = 2; i < 5; ++i)
    if (n.hasInput(i) && n.inputType(i).getNumElements() != 1)
      return n.error() << "input " << i << " must hold a single value, got " << n.inputType(i);
  int64_t cpb = n.getInt("center_point_box", 0);
  if (cpb != 0 && cpb != 1) return n.error() << "center_point_box must be 0 or 1, got " << cpb;
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Type i64 = b.getI64Type(), i1 = b.getI1Type();
  Value boxes = n.input(0), scores = n.input(1);
  Value maxOut = optionalScalar(n, 2, scalarConst(b, loc, i64, 0));
  if (maxOut.getType() != i64) maxOut = convertScalar(b, loc, maxOut, i64);
  Value iouThr = optionalScalar(n, 3, scalarConst(b, loc, ft, 0));
  if (iouThr.getType() != ft) iouThr = convertScalar(b, loc, iouThr, ft);
  Value hasScoreThr = arith::ConstantIntOp::create(b, loc, i1, n.hasInput(4) ? 1 : 0);
  Value scoreThr = optionalScalar(n, 4, scalarConst(b, loc, ft, 0));
  if (scoreThr.getType() != ft) scoreThr = convertScalar(b, loc, scoreThr, ft);

  Value zero = cIdx(b, loc, 0), one = cIdx(b, loc, 1), nS = cIdx(b, loc, S);
  Value t0 = arith::ConstantIntOp::create(b, loc, i1, 0), t1 = arith::ConstantIntOp::create(b, loc, i1, 1);
  Value buf = emptyTensor(b, loc, {B * C * S, 3}, i64);
  // Loop over (batch, class) pairs; iteration values: buffer, count.
  ValueRange outer = forLoop(
      b, loc, zero, cIdx(b, loc, B * C), ValueRange{buf, zero},
      [&](OpBuilder &b, Location l, Value bc, ValueRange it) -> SmallVector<Value> {
        Value bi = arith::DivUIOp::create(b, l, bc, cIdx(b, l, C));
        Value ci = arith::RemUIOp::create(b, l, bc, cIdx(b, l, C));
        Value classStart = it[1];
        Value done = linalg::FillOp::create(b, l, ValueRange{t0}, ValueRange{emptyTensor(b, l, {S}, i1)}).getResult(0);
        // Each step takes the best remaining candidate; at most S steps.
        ValueRange steps = forLoop(
            b, l, zero, nS, ValueRange{it[0], it[1], done, scalarConst(b, l, i64, 0)},
            [&](OpBuilder &b, Location l, Value, ValueRange st) -> SmallVector<Value> {
              Value outBuf = st[0], count = st[1], doneT = st[2], kept = st[3];
              Value minusOne = scalarConst(b, l, i64, -1);
              ValueRange best = forLoop(
                  b, l, zero, nS, ValueRange{minusOne, scalarConst(b, l, ft, 0)},
                  [&](OpBuilder &b, Location l, Value i, ValueRange bs) -> SmallVector<Value> {
                    Value s = at(b, l, scores, {bi, ci, i});
                    Value free = arith::XOrIOp::create(b, l, at(b, l, doneT, {i}), t1);
                    Value passes = arith::OrIOp::create(
                        b, l, arith::XOrIOp::create(b, l, hasScoreThr, t1),
                        arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, s, scoreThr));
                    Value none = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, bs[0], scalarConst(b, l, i64, 0));
                    Value higher = arith::OrIOp::create(
                        b, l, none, arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, s, bs[1]));
                    Value take = arith::AndIOp::create(b, l, arith::AndIOp::create(b, l, free, passes), higher);
                    Value ii = arith::IndexCastOp::create(b, l, i64, i);
                    return {arith::SelectOp::create(b, l, take, ii, bs[0]), arith::SelectOp::create(b, l, take, s, bs[1])};
                  });
              Value found = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, best[0], scalarConst(b, l, i64, 0));
              Value room = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, kept, maxOut);
              Value go = arith::AndIOp::create(b, l, found, room);
              return SmallVector<Value>(ifElse(
                  b, l, go,
                  [&](OpBuilder &b, Location l) -> SmallVector<Value> {
                    Value bx = arith::IndexCastOp::create(b, l, b.getIndexType(), best[0]);
                    Value doneN = put(b, l, t1, doneT, {bx});
                    Corners cand = readBox(b, l, boxes, bi, bx, cpb);
                    ValueRange sup = forLoop(
                        b, l, classStart, count, ValueRange{t0},
                        [&](OpBuilder &b, Location l, Value k, ValueRange sp) -> SmallVector<Value> {
                          Value kb = arith::IndexCastOp::create(b, l, b.getIndexType(), at(b, l, outBuf, {k, cIdx(b, l, 2)}));
                          Corners prev = readBox(b, l, boxes, bi, kb, cpb);
                          return {arith::OrIOp::create(b, l, sp[0], overlaps(b, l, cand, prev, iouThr))};
                        });
                    return SmallVector<Value>(ifElse(
                        b, l, sup[0], [&](OpBuilder &, Location) -> SmallVector<Value> { return {outBuf, count, doneN, kept}; },
                        [&](OpBuilder &b, Location l) -> SmallVector<Value> {
                          Value r = put(b, l, arith::IndexCastOp::create(b, l, i64, bi), outBuf, {count, cIdx(b, l, 0)});
                          r = put(b, l, arith::IndexCastOp::create(b, l, i64, ci), r, {count, cIdx(b, l, 1)});
                          r = put(b, l, best[0], r, {count, cIdx(b, l, 2)});
                          return {r, arith::AddIOp::create(b, l, count, one), doneN,
                                  arith::AddIOp::create(b, l, kept, scalarConst(b, l, i64, 1))};
                        }));
                  },
                  [&](OpBuilder &, Location) -> SmallVector<Value> { return {outBuf, count, doneT, kept}; }));
            });
        return {steps[0], steps[1]};
      });
  auto rt = RankedTensorType::get({ShapedType::kDynamic, 3}, i64);
  SmallVector<OpFoldResult> off{b.getIndexAttr(0), b.getIndexAttr(0)}, sz{outer[1], b.getIndexAttr(3)},
      strides(2, b.getIndexAttr(1));
  return n.setResult(0, tensor::ExtractSliceOp::create(b, loc, rt, outer[0], off, sz, strides));
}

} // namespace

void mlir::loom::onnx_import::registerNmsOps(OpTable &t) { t.add("", "NonMaxSuppression", 10, nonMaxSuppression); }
