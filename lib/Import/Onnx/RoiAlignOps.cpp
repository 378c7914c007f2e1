//===- RoiAlignOps.cpp - RoiAlign -----------------------------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// RoiAlign as one linalg.generic over [rois, C, out_h, out_w]: each output
// bin reads its roi and batch index, then scf loops over the bin's sampling
// grid (sampling_ratio per side, or ceil(roi size / output size) when 0)
// and bilinearly interpolate X. Avg mode averages the samples; max mode
// takes, per sample, the largest of the four weighted taps and the largest
// over the samples (the definition onnxruntime and the reference use).
// Samples more than one pixel outside the image count as 0.
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

LogicalResult roiAlign(NodeImporter &n) {
  RankedTensorType xt = n.inputType(0), rt = n.inputType(1), bt = n.inputType(2);
  if (xt.getRank() != 4 || rt.getRank() != 2 || bt.getRank() != 1)
    return n.error() << "expected X [N, C, H, W], rois [R, 4] and batch_indices [R], got ranks " << xt.getRank()
                     << ", " << rt.getRank() << ", " << bt.getRank();
  if (!xt.hasStaticShape() || !rt.hasStaticShape() || !bt.hasStaticShape()) return n.unsupported("dynamic input shapes");
  int64_t R = rt.getDimSize(0);
  if (rt.getDimSize(1) != 4 || bt.getDimSize(0) != R) return n.error() << "rois " << rt << " and batch_indices " << bt << " do not agree";
  Type et = xt.getElementType();
  if (!isa<FloatType>(et) || rt.getElementType() != et) return n.error() << "X and rois must be float tensors of one type";
  std::string mode = n.getString("mode", "avg");
  if (mode != "avg" && mode != "max") return n.error() << "attribute 'mode' must be avg or max, got '" << mode << "'";
  std::string ctm = n.getString("coordinate_transformation_mode", n.opset >= 16 ? "half_pixel" : "output_half_pixel");
  if (ctm != "half_pixel" && ctm != "output_half_pixel")
    return n.error() << "coordinate_transformation_mode must be half_pixel or output_half_pixel, got '" << ctm << "'";
  int64_t OH = n.getInt("output_height", 1), OW = n.getInt("output_width", 1), sr = n.getInt("sampling_ratio", 0);
  float scale = n.getFloat("spatial_scale", 1.0f);
  if (n.attrFailed) return failure();
  if (OH < 1 || OW < 1 || sr < 0) return n.error() << "output_height/output_width must be >= 1 and sampling_ratio >= 0";
  bool halfPixel = ctm == "half_pixel", isMax = mode == "max";
  OpBuilder &b = n.b;
  Location loc = n.loc;
  int64_t C = xt.getDimSize(1), H = xt.getDimSize(2), W = xt.getDimSize(3), N = xt.getDimSize(0);
  Type ct = et.isF64() ? et : b.getF32Type();
  Value x = n.input(0), rois = n.input(1), bidx = n.input(2);
  Value res = buildIndexed(
      b, loc, {R, C, OH, OW}, et, {}, {}, {}, [&](OpBuilder &b, Location l, ValueRange, ValueRange idx) -> Value {
        auto c = [&](double v) { return scalarConst(b, l, ct, v); };
        auto add = [&](Value p, Value q) { return (Value)arith::AddFOp::create(b, l, p, q); };
        auto sub = [&](Value p, Value q) { return (Value)arith::SubFOp::create(b, l, p, q); };
        auto mul = [&](Value p, Value q) { return (Value)arith::MulFOp::create(b, l, p, q); };
        auto div = [&](Value p, Value q) { return (Value)arith::DivFOp::create(b, l, p, q); };
        auto cmp = [&](arith::CmpFPredicate p, Value u, Value v) { return (Value)arith::CmpFOp::create(b, l, p, u, v); };
        auto toIdx = [&](Value v) -> Value {
          return arith::IndexCastOp::create(b, l, b.getIndexType(), arith::FPToSIOp::create(b, l, b.getI64Type(), v));
        };
        Value r = idx[0], ch = idx[1];
        Value bi = at(b, l, bidx, {r});
        bi = arith::IndexCastOp::create(b, l, b.getIndexType(), bi);
        // Keep reads inside X for a bad batch index.
        bi = arith::MinSIOp::create(b, l, arith::MaxSIOp::create(b, l, bi, cIdx(b, l, 0)), cIdx(b, l, N - 1));
        double off = halfPixel ? 0.5 : 0.0;
        auto roi = [&](int64_t k) { return sub(mul(convertScalar(b, l, at(b, l, rois, {r, cIdx(b, l, k)}), ct), c(scale)), c(off)); };
        Value x0 = roi(0), y0 = roi(1), rw = sub(roi(2), x0), rh = sub(roi(3), y0);
        if (!halfPixel) {
          rw = arith::MaximumFOp::create(b, l, rw, c(1));
          rh = arith::MaximumFOp::create(b, l, rh, c(1));
        }
        Value binH = div(rh, c(OH)), binW = div(rw, c(OW));
        Value gh, gw;
        if (sr > 0) {
          gh = gw = cIdx(b, l, sr);
        } else {
          gh = toIdx(math::CeilOp::create(b, l, binH));
          gw = toIdx(math::CeilOp::create(b, l, binW));
          gh = arith::MaxSIOp::create(b, l, gh, cIdx(b, l, 0));
          gw = arith::MaxSIOp::create(b, l, gw, cIdx(b, l, 0));
        }
        auto idxToF = [&](Value v) -> Value {
          return arith::SIToFPOp::create(b, l, ct, arith::IndexCastOp::create(b, l, b.getI64Type(), v));
        };
        Value ghF = idxToF(gh), gwF = idxToF(gw);
        Value ph = idxToF(idx[2]), pw = idxToF(idx[3]);
        Value startY = add(y0, mul(ph, binH)), startX = add(x0, mul(pw, binW));
        Value init = isMax ? c(-std::numeric_limits<double>::infinity()) : c(0);
        ValueRange acc = forLoop(
            b, l, cIdx(b, l, 0), gh, ValueRange{init}, [&](OpBuilder &, Location, Value iy, ValueRange a1) -> SmallVector<Value> {
              Value y = add(startY, div(mul(add(idxToF(iy), c(0.5)), binH), ghF));
              ValueRange a2 = forLoop(
                  b, l, cIdx(b, l, 0), gw, ValueRange{a1[0]}, [&](OpBuilder &, Location, Value ix, ValueRange a) -> SmallVector<Value> {
                    Value xx = add(startX, div(mul(add(idxToF(ix), c(0.5)), binW), gwF));
                    Value outside = arith::OrIOp::create(
                        b, l, arith::OrIOp::create(b, l, cmp(arith::CmpFPredicate::OLT, y, c(-1)), cmp(arith::CmpFPredicate::OGT, y, c(H))),
                        arith::OrIOp::create(b, l, cmp(arith::CmpFPredicate::OLT, xx, c(-1)), cmp(arith::CmpFPredicate::OGT, xx, c(W))));
                    // Low/high taps and the fractional part along one axis.
                    auto axis = [&](Value v, int64_t len, Value &lo, Value &hi) -> Value {
                      v = arith::MaximumFOp::create(b, l, v, c(0));
                      Value f = math::FloorOp::create(b, l, v);
                      Value atEnd = cmp(arith::CmpFPredicate::OGE, f, c(len - 1));
                      Value fl = arith::SelectOp::create(b, l, atEnd, c(len - 1), f);
                      lo = toIdx(fl);
                      hi = toIdx(arith::SelectOp::create(b, l, atEnd, c(len - 1), add(fl, c(1))));
                      return arith::SelectOp::create(b, l, atEnd, c(0), sub(v, fl));
                    };
                    Value yl, yh, xl, xh;
                    Value ly = axis(y, H, yl, yh), lx = axis(xx, W, xl, xh);
                    Value hy = sub(c(1), ly), hx = sub(c(1), lx);
                    auto tap = [&](Value yi, Value xi, Value w) -> Value {
                      Value v = convertScalar(b, l, at(b, l, x, {bi, ch, yi, xi}), ct);
                      return mul(arith::SelectOp::create(b, l, outside, c(0), w), v);
                    };
                    Value t1 = tap(yl, xl, mul(hy, hx)), t2 = tap(yl, xh, mul(hy, lx)), t3 = tap(yh, xl, mul(ly, hx)),
                          t4 = tap(yh, xh, mul(ly, lx));
                    if (isMax) {
                      Value m = arith::MaximumFOp::create(b, l, arith::MaximumFOp::create(b, l, t1, t2),
                                                          arith::MaximumFOp::create(b, l, t3, t4));
                      return {arith::MaximumFOp::create(b, l, a[0], m)};
                    }
                    return {add(a[0], add(add(t1, t2), add(t3, t4)))};
                  });
              return {a2[0]};
            });
        Value count = mul(ghF, gwF);
        Value empty = cmp(arith::CmpFPredicate::OLE, count, c(0));
        Value v = isMax ? acc[0] : div(acc[0], arith::MaximumFOp::create(b, l, count, c(1)));
        v = arith::SelectOp::create(b, l, empty, c(0), v);
        return convertScalar(b, l, v, et);
      });
  return n.setResult(0, res);
}

} // namespace

void mlir::loom::onnx_import::registerRoiAlignOps(OpTable &t) {
  t.add("", "RoiAlign", 10, roiAlign);
  t.add("", "RoiAlign", 16, roiAlign);
}
