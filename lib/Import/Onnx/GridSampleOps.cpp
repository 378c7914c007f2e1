//===- GridSampleOps.cpp - GridSample -------------------------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// GridSample on 4-D inputs: a parallel generic over [N, C, Ho, Wo] reads the
// grid's (x, y), maps it to input pixel coordinates and gathers the nearest,
// bilinear (4 taps) or bicubic (16 taps) neighbours with tensor.extract;
// taps outside the image follow padding_mode (zeros, border, reflection).
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "Importer.h"
#include "OpTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

LogicalResult gridSample(NodeImporter &n) {
  auto xt = n.inputType(0), gt = n.inputType(1);
  if (xt.getRank() != 4 || gt.getRank() != 4 || !xt.hasStaticShape() || !gt.hasStaticShape())
    return n.unsupported("GridSample other than static 4-D");
  std::string mode = n.getString("mode", "bilinear"), pad = n.getString("padding_mode", "zeros");
  if (mode == "linear") mode = "bilinear";
  if (mode == "cubic") mode = "bicubic";
  if (mode != "bilinear" && mode != "nearest" && mode != "bicubic")
    return n.error() << "unknown mode '" << mode << "'";
  if (pad != "zeros" && pad != "border" && pad != "reflection")
    return n.error() << "unknown padding_mode '" << pad << "'";
  bool align = n.getInt("align_corners", 0);
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Type et = xt.getElementType(), f32 = b.getF32Type();
  int64_t N = xt.getDimSize(0), C = xt.getDimSize(1), H = xt.getDimSize(2), W = xt.getDimSize(3);
  int64_t Ho = gt.getDimSize(1), Wo = gt.getDimSize(2);
  Value x = n.input(0), grid = n.input(1);
  Value res = buildIndexed(
      b, loc, {N, C, Ho, Wo}, et, {}, {}, {},
      [&](OpBuilder &nb, Location l, ValueRange, ValueRange idx) -> Value {
        auto c = [&](double v) { return scalarConst(nb, l, f32, v); };
        auto ci = [&](int64_t v) { return arith::ConstantIndexOp::create(nb, l, v); };
        auto add = [&](Value a, Value d) { return (Value)arith::AddFOp::create(nb, l, a, d); };
        auto sub = [&](Value a, Value d) { return (Value)arith::SubFOp::create(nb, l, a, d); };
        auto mul = [&](Value a, Value d) { return (Value)arith::MulFOp::create(nb, l, a, d); };
        auto g = [&](int64_t k) {
          Value v = tensor::ExtractOp::create(nb, l, grid, ValueRange{idx[0], idx[2], idx[3], ci(k)});
          return convertScalar(nb, l, v, f32);
        };
        // Unnormalize [-1, 1] to pixel coordinates.
        auto denorm = [&](Value v, int64_t len) {
          if (align) return mul(mul(add(v, c(1)), c(0.5)), c(len - 1));
          return mul(sub(mul(add(v, c(1)), c(len)), c(1)), c(0.5));
        };
        Value fx = denorm(g(0), W), fy = denorm(g(1), H);
        // One tap (integer-valued f32 coordinates) with the padding rule.
        auto tap = [&](Value ty, Value tx) -> Value {
          auto fix = [&](Value v, int64_t len, Value &inside) -> Value {
            Value lo = c(0), hi = c(len - 1);
            Value out = arith::OrIOp::create(nb, l,
                                             arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OLT, v, lo),
                                             arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT, v, hi));
            inside = arith::AndIOp::create(nb, l, inside,
                                           arith::XOrIOp::create(nb, l, out, scalarConst(nb, l, nb.getI1Type(), 1)));
            if (pad == "reflection") {
              // Reflect about the image border (pixel centers or edges).
              double mn = align ? 0 : -0.5, mx = align ? len - 1 : len - 0.5;
              double rng = mx - mn;
              if (rng > 0) {
                Value d = sub(v, c(mn));
                Value period = c(2 * rng);
                Value m = arith::RemFOp::create(nb, l, d, period);
                m = arith::SelectOp::create(nb, l, arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OLT, m, c(0)),
                                            add(m, period), m);
                Value r = arith::SelectOp::create(nb, l, arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT, m, c(rng)),
                                                  sub(period, m), m);
                v = math::FloorOp::create(nb, l, add(add(r, c(mn)), c(align ? 0 : 0.5)));
              }
            }
            v = arith::MaximumFOp::create(nb, l, arith::MinimumFOp::create(nb, l, v, hi), lo);
            Value i = arith::FPToSIOp::create(nb, l, nb.getI64Type(), v);
            return arith::IndexCastOp::create(nb, l, nb.getIndexType(), i);
          };
          Value inside = scalarConst(nb, l, nb.getI1Type(), 1);
          Value iy = fix(ty, H, inside), ix = fix(tx, W, inside);
          Value v = convertScalar(nb, l, tensor::ExtractOp::create(nb, l, x, ValueRange{idx[0], idx[1], iy, ix}), f32);
          if (pad == "zeros") v = arith::SelectOp::create(nb, l, inside, v, c(0));
          return v;
        };
        Value r;
        if (mode == "nearest") {
          r = tap(math::RoundEvenOp::create(nb, l, fy), math::RoundEvenOp::create(nb, l, fx));
        } else {
          Value x0 = math::FloorOp::create(nb, l, fx), y0 = math::FloorOp::create(nb, l, fy);
          Value tx = sub(fx, x0), ty = sub(fy, y0);
          SmallVector<Value> wx, wy;
          int taps = mode == "bilinear" ? 2 : 4;
          if (taps == 2) {
            wx = {sub(c(1), tx), tx};
            wy = {sub(c(1), ty), ty};
          } else {
            double A = -0.75;
            auto coeffs = [&](Value t) {
              auto far = [&](Value z) { return sub(mul(add(mul(sub(mul(c(A), z), c(5 * A)), z), c(8 * A)), z), c(4 * A)); };
              auto near = [&](Value z) { return add(mul(mul(sub(mul(c(A + 2), z), c(A + 3)), z), z), c(1)); };
              return SmallVector<Value>{far(add(t, c(1))), near(t), near(sub(c(1), t)), far(sub(c(2), t))};
            };
            wx = coeffs(tx);
            wy = coeffs(ty);
          }
          int64_t off = taps == 2 ? 0 : -1;
          r = c(0);
          for (int i = 0; i < taps; ++i)
            for (int j = 0; j < taps; ++j) {
              Value v = tap(add(y0, c(i + off)), add(x0, c(j + off)));
              r = add(r, mul(mul(wy[i], wx[j]), v));
            }
        }
        return convertScalar(nb, l, r, et);
      });
  return n.setResult(0, res);
}

} // namespace

void mlir::loom::onnx_import::registerGridSampleOps(OpTable &t) {
  t.add("", "GridSample", 16, gridSample);
}
