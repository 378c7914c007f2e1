//===- ResizeOps.cpp - Resize and Upsample --------------------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Resize is a parallel linalg.generic over the output: each element maps its
// index to an input coordinate (per coordinate_transformation_mode) and
// reads the nearest input element or interpolates (linear: 2 taps per dim,
// cubic: 4) with tensor.extract. Scales and sizes may be runtime tensors;
// the output dims are then dynamic. Dims of static size 1 are never
// interpolated (every tap is index 0).
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "Importer.h"
#include "OpTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <functional>

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

struct F32 {
  OpBuilder &b;
  Location l;
  Value c(double v) { return scalarConst(b, l, b.getF32Type(), v); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, l, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, l, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, l, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, l, x, y); }
  Value floor(Value x) { return math::FloorOp::create(b, l, x); }
  Value ceil(Value x) { return math::CeilOp::create(b, l, x); }
  Value gt(Value x, Value y) { return arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, y); }
  Value lt(Value x, Value y) { return arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x, y); }
  Value sel(Value c, Value x, Value y) { return arith::SelectOp::create(b, l, c, x, y); }
  Value fromIndex(Value i) {
    Value v = arith::IndexCastOp::create(b, l, b.getI64Type(), i);
    return arith::SIToFPOp::create(b, l, b.getF32Type(), v);
  }
  /// Clamped index from an f32 holding an integer value.
  Value toIndex(Value x, Value hiIdx) {
    Value i = arith::FPToSIOp::create(b, l, b.getI64Type(), x);
    i = arith::IndexCastOp::create(b, l, b.getIndexType(), i);
    Value zero = arith::ConstantIndexOp::create(b, l, 0);
    return arith::MaxSIOp::create(b, l, arith::MinSIOp::create(b, l, i, hiIdx), zero);
  }
};

struct ResizeSpec {
  std::string mode = "nearest", coord = "half_pixel", nearest = "round_prefer_floor";
  double cubicA = -0.75, extrapolation = 0;
  bool excludeOutside = false;
};

/// Element i of a 1-D runtime tensor as f32.
Value elemF32(OpBuilder &b, Location l, Value t, int64_t i, bool uns = false) {
  Value v = tensor::ExtractOp::create(b, l, t, ValueRange{arith::ConstantIndexOp::create(b, l, i)});
  return convertScalar(b, l, v, b.getF32Type(), uns);
}

LogicalResult resizeImpl(NodeImporter &n, const ResizeSpec &spec, Value scalesT,
                         Value sizesT, Value roiT) {
  auto t = n.inputType(0);
  int64_t R = t.getRank();
  Type et = t.getElementType();
  OpBuilder &b = n.b;
  Location loc = n.loc;
  F32 f{b, loc};
  Value x = n.input(0);
  if (spec.mode != "nearest" && spec.mode != "linear" && spec.mode != "cubic")
    return n.error() << "unknown mode '" << spec.mode << "'";
  static const char *coords[] = {"half_pixel", "pytorch_half_pixel", "align_corners",
                                 "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"};
  if (!llvm::is_contained(coords, spec.coord))
    return n.error() << "unknown coordinate_transformation_mode '" << spec.coord << "'";
  static const char *nearest[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
  if (!llvm::is_contained(nearest, spec.nearest))
    return n.error() << "unknown nearest_mode '" << spec.nearest << "'";
  Value lenOf = sizesT ? sizesT : scalesT;
  auto lt = cast<RankedTensorType>(lenOf.getType());
  if (lt.getRank() != 1 || lt.getDimSize(0) != R)
    return n.error() << (sizesT ? "sizes" : "scales") << " must have one entry per input dim ("
                     << R << "), got " << lt;
  if (roiT && spec.coord == "tf_crop_and_resize") {
    auto rt = cast<RankedTensorType>(roiT.getType());
    if (rt.getRank() != 1 || rt.getDimSize(0) != 2 * R)
      return n.error() << "roi must have " << 2 * R << " entries, got " << rt;
  }
  if (spec.mode != "nearest" && !isa<FloatType>(et))
    return n.unsupported("linear/cubic resize of integer data");
  // Per-dim sizes and scales (runtime values; static dims where known).
  // lenF: the output length as ONNX's reference uses it in align_corners
  // and tf_crop_and_resize: in * scale, unrounded, when scales are given
  // (so a 0.6 downsample of 4 maps with (4-1)/(2.4-1), not (4-1)/(2-1)).
  SmallVector<Value> inF, outF, lenF, scale, outIdx, inHi;
  SmallVector<int64_t> shape;
  SmallVector<Value> dyn;
  DenseElementsAttr sizesC, scalesC;
  for (int64_t d = 0; d < R; ++d) {
    Value in = tensor::DimOp::create(b, loc, x, d);
    inHi.push_back(arith::SubIOp::create(b, loc, in, arith::ConstantIndexOp::create(b, loc, 1)));
    Value inf = f.fromIndex(in);
    inF.push_back(inf);
    Value o, s;
    if (sizesT) {
      Value sz = tensor::ExtractOp::create(b, loc, sizesT, ValueRange{arith::ConstantIndexOp::create(b, loc, d)});
      o = arith::IndexCastOp::create(b, loc, b.getIndexType(), sz);
      s = f.div(f.fromIndex(o), inf);
    } else {
      s = elemF32(b, loc, scalesT, d);
      Value of = f.floor(f.mul(inf, s));
      o = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                     arith::FPToSIOp::create(b, loc, b.getI64Type(), of));
    }
    scale.push_back(s);
    outIdx.push_back(o);
    outF.push_back(f.fromIndex(o));
    lenF.push_back(sizesT ? outF.back() : f.mul(inf, s));
  }
  // Static output shape when the sizes/scales are constants.
  const ValueInfo *vs = sizesT ? n.g.lookup(n.node.input(3)) : n.g.lookup(n.node.input(n.opset >= 11 ? 2 : 1));
  DenseElementsAttr cst = vs ? vs->constant : nullptr;
  for (int64_t d = 0; d < R; ++d) {
    int64_t s = ShapedType::kDynamic;
    if (cst && !t.isDynamicDim(d)) {
      auto vals = cst.getValues<Attribute>();
      if (sizesT) s = cast<IntegerAttr>(vals[d]).getInt();
      else s = (int64_t)std::floor(t.getDimSize(d) * cast<FloatAttr>(vals[d]).getValueAsDouble());
    }
    shape.push_back(s);
    if (ShapedType::isDynamic(s)) dyn.push_back(outIdx[d]);
  }
  SmallVector<Value> roi;
  if (spec.coord == "tf_crop_and_resize") {
    if (!roiT) return n.error() << "tf_crop_and_resize needs roi";
    for (int64_t i = 0; i < 2 * R; ++i) roi.push_back(elemF32(b, loc, roiT, i));
  }
  SmallVector<bool> interp;
  for (int64_t d = 0; d < R; ++d) interp.push_back(t.getDimSize(d) != 1);

  Value res = buildIndexed(
      b, loc, shape, et, dyn, {}, {},
      [&](OpBuilder &nb, Location l, ValueRange, ValueRange idx) -> Value {
        F32 g{nb, l};
        SmallVector<Value> coord;
        Value outside = scalarConst(nb, l, nb.getI1Type(), 0);
        for (int64_t d = 0; d < R; ++d) {
          Value o = g.fromIndex(idx[d]);
          Value s = scale[d];
          Value c;
          const std::string &m = spec.coord;
          if (m == "half_pixel") c = g.sub(g.div(g.add(o, g.c(0.5)), s), g.c(0.5));
          else if (m == "pytorch_half_pixel")
            c = g.sel(g.gt(outF[d], g.c(1)), g.sub(g.div(g.add(o, g.c(0.5)), s), g.c(0.5)), g.c(0));
          else if (m == "align_corners")
            c = g.sel(g.gt(outF[d], g.c(1)),
                      g.div(g.mul(o, g.sub(inF[d], g.c(1))), g.sub(lenF[d], g.c(1))), g.c(0));
          else if (m == "asymmetric") c = g.div(o, s);
          else if (m == "tf_half_pixel_for_nn") c = g.div(g.add(o, g.c(0.5)), s);
          else { // tf_crop_and_resize
            Value st = roi[d], en = roi[R + d], span = g.sub(inF[d], g.c(1));
            Value full = g.add(g.mul(st, span),
                               g.div(g.mul(g.mul(o, g.sub(en, st)), span), g.sub(lenF[d], g.c(1))));
            Value mid = g.mul(g.mul(g.c(0.5), g.add(st, en)), span);
            c = g.sel(g.gt(outF[d], g.c(1)), full, mid);
            Value out = arith::OrIOp::create(nb, l, g.lt(c, g.c(0)), g.gt(c, span));
            outside = arith::OrIOp::create(nb, l, outside, out);
          }
          coord.push_back(c);
        }
        Value result;
        if (spec.mode == "nearest") {
          SmallVector<Value> src;
          for (int64_t d = 0; d < R; ++d) {
            Value c = coord[d], r;
            const std::string &nm = spec.nearest;
            if (nm == "floor") r = g.floor(c);
            else if (nm == "ceil") r = g.ceil(c);
            else if (nm == "round_prefer_ceil") r = g.floor(g.add(c, g.c(0.5)));
            else r = g.ceil(g.sub(c, g.c(0.5))); // round_prefer_floor
            src.push_back(interp[d] ? g.toIndex(r, inHi[d]) : arith::ConstantIndexOp::create(nb, l, 0).getResult());
          }
          result = tensor::ExtractOp::create(nb, l, x, src);
        } else {
          bool cubic = spec.mode == "cubic";
          int taps = cubic ? 4 : 2;
          double A = spec.cubicA;
          // Per dim: tap indices and weights.
          SmallVector<SmallVector<Value>> tapIdx(R), tapW(R);
          for (int64_t d = 0; d < R; ++d) {
            if (!interp[d]) {
              tapIdx[d].push_back(arith::ConstantIndexOp::create(nb, l, 0));
              tapW[d].push_back(g.c(1));
              continue;
            }
            Value base = g.floor(coord[d]);
            Value tt = g.sub(coord[d], base);
            SmallVector<Value> ws;
            if (!cubic) {
              ws = {g.sub(g.c(1), tt), tt};
            } else {
              auto far = [&](Value z) { // |z| in [1, 2]
                return g.sub(g.mul(g.add(g.mul(g.sub(g.mul(g.c(A), z), g.c(5 * A)), z), g.c(8 * A)), z), g.c(4 * A));
              };
              auto near = [&](Value z) { // |z| in [0, 1]
                return g.add(g.mul(g.mul(g.sub(g.mul(g.c(A + 2), z), g.c(A + 3)), z), z), g.c(1));
              };
              ws = {far(g.add(tt, g.c(1))), near(tt), near(g.sub(g.c(1), tt)), far(g.sub(g.c(2), tt))};
            }
            Value sum = g.c(0);
            for (int k = 0; k < taps; ++k) {
              Value pos = g.add(base, g.c(k - (cubic ? 1 : 0)));
              if (cubic && spec.excludeOutside) {
                Value out = arith::OrIOp::create(nb, l, g.lt(pos, g.c(0)), g.gt(pos, g.sub(inF[d], g.c(1))));
                ws[k] = g.sel(out, g.c(0), ws[k]);
              }
              sum = g.add(sum, ws[k]);
              tapIdx[d].push_back(g.toIndex(pos, inHi[d]));
            }
            for (int k = 0; k < taps; ++k)
              tapW[d].push_back(spec.excludeOutside ? g.div(ws[k], sum) : ws[k]);
          }
          // Sum over every combination of taps.
          Value acc = g.c(0);
          SmallVector<int> sel(R, 0);
          std::function<void(int64_t, Value, SmallVector<Value> &)> rec =
              [&](int64_t d, Value w, SmallVector<Value> &src) {
                if (d == R) {
                  Value v = tensor::ExtractOp::create(nb, l, x, src);
                  v = convertScalar(nb, l, v, nb.getF32Type());
                  acc = g.add(acc, g.mul(w, v));
                  return;
                }
                for (size_t k = 0; k < tapIdx[d].size(); ++k) {
                  src.push_back(tapIdx[d][k]);
                  rec(d + 1, g.mul(w, tapW[d][k]), src);
                  src.pop_back();
                }
              };
          SmallVector<Value> src;
          rec(0, g.c(1), src);
          result = convertScalar(nb, l, acc, et);
        }
        if (spec.coord == "tf_crop_and_resize")
          result = arith::SelectOp::create(nb, l, outside, scalarConst(nb, l, et, spec.extrapolation), result);
        return result;
      });
  return n.setResult(0, res);
}

LogicalResult resize(NodeImporter &n) {
  ResizeSpec spec;
  spec.mode = n.getString("mode", "nearest");
  bool v10 = n.opset < 11;
  spec.coord = n.getString("coordinate_transformation_mode", v10 ? "asymmetric" : "half_pixel");
  spec.nearest = n.getString("nearest_mode", v10 ? "floor" : "round_prefer_floor");
  spec.cubicA = n.getFloat("cubic_coeff_a", -0.75f);
  spec.excludeOutside = n.getInt("exclude_outside", 0);
  spec.extrapolation = n.getFloat("extrapolation_value", 0.0f);
  if (n.getInt("antialias", 0))
    return n.unsupported("antialias");
  if (n.hasAttr("axes"))
    return n.unsupported("the axes attribute");
  if (v10)
    return resizeImpl(n, spec, n.input(1), nullptr, nullptr);
  Value roi = n.hasInput(1) ? n.input(1) : nullptr;
  if (n.hasInput(3))
    return resizeImpl(n, spec, nullptr, n.input(3), roi);
  if (!n.hasInput(2))
    return n.error() << "needs scales or sizes";
  // An empty scales tensor means "use sizes" in opset 11-12 exporters.
  return resizeImpl(n, spec, n.input(2), nullptr, roi);
}

LogicalResult upsample(NodeImporter &n) {
  ResizeSpec spec;
  spec.mode = n.getString("mode", "nearest");
  spec.coord = "asymmetric";
  spec.nearest = "floor";
  if (n.opset < 9) {
    SmallVector<float> s = n.getFloats("scales");
    auto st = RankedTensorType::get({(int64_t)s.size()}, n.b.getF32Type());
    Value c = arith::ConstantOp::create(n.b, n.loc, DenseElementsAttr::get(st, ArrayRef<float>(s)));
    return resizeImpl(n, spec, c, nullptr, nullptr);
  }
  return resizeImpl(n, spec, n.input(1), nullptr, nullptr);
}

} // namespace

void mlir::loom::onnx_import::registerResizeOps(OpTable &t) {
  t.add("", "Resize", 10, resize);
  t.add("", "Resize", 11, resize);
  t.add("", "Resize", 13, resize);
  t.add("", "Upsample", 7, upsample);
  t.add("", "Upsample", 9, upsample);
}
