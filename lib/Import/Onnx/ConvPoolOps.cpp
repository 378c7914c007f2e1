//===- ConvPoolOps.cpp - Conv, ConvTranspose, pooling ---------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// 2-D ungrouped Conv becomes linalg.conv_2d_nchw_fchw; grouped and other
// ranks a linalg.generic over (n, g, m, o..., c, k...) with the channel dims
// split by expand_shape. Explicit and auto pads become tensor.pad. Pools are
// generics with a window operand, like linalg's pooling ops.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "Importer.h"
#include "OpTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

bool isF(Type t) { return isa<FloatType>(t); }

struct Window {
  SmallVector<int64_t> kernel, strides, dilations, lo, hi;
};

/// Reads kernel/strides/dilations/pads/auto_pad for `s` spatial dims.
LogicalResult windowAttrs(NodeImporter &n, ArrayRef<int64_t> inSpatial,
                          ArrayRef<int64_t> kernel, Window &w) {
  int64_t s = inSpatial.size();
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides = n.getInts("strides", SmallVector<int64_t>(s, 1));
  w.dilations = n.getInts("dilations", SmallVector<int64_t>(s, 1));
  SmallVector<int64_t> pads = n.getInts("pads", SmallVector<int64_t>(2 * s, 0));
  if ((int64_t)w.strides.size() != s || (int64_t)w.dilations.size() != s ||
      (int64_t)pads.size() != 2 * s)
    return n.error() << "strides/dilations/pads do not match " << s
                     << " spatial dims";
  w.lo.assign(pads.begin(), pads.begin() + s);
  w.hi.assign(pads.begin() + s, pads.end());
  std::string autoPad = n.getString("auto_pad", "NOTSET");
  if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (int64_t i = 0; i < s; ++i) {
      if (ShapedType::isDynamic(inSpatial[i]))
        return n.unsupported("auto_pad on a dynamic spatial dim");
      int64_t out = (inSpatial[i] + w.strides[i] - 1) / w.strides[i];
      int64_t total = std::max<int64_t>(
          0, (out - 1) * w.strides[i] + (w.kernel[i] - 1) * w.dilations[i] + 1 -
                 inSpatial[i]);
      int64_t small = total / 2;
      w.lo[i] = autoPad == "SAME_UPPER" ? small : total - small;
      w.hi[i] = total - w.lo[i];
    }
  } else if (autoPad == "VALID") {
    std::fill(w.lo.begin(), w.lo.end(), 0);
    std::fill(w.hi.begin(), w.hi.end(), 0);
  } else if (autoPad != "NOTSET") {
    return n.error() << "unknown auto_pad '" << autoPad << "'";
  }
  return success();
}

Value padSpatial(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> lo,
                 ArrayRef<int64_t> hi, Value padValue) {
  if (llvm::all_of(lo, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(hi, [](int64_t v) { return v == 0; }))
    return x;
  auto t = cast<RankedTensorType>(x.getType());
  SmallVector<OpFoldResult> l{b.getIndexAttr(0), b.getIndexAttr(0)},
      h{b.getIndexAttr(0), b.getIndexAttr(0)};
  SmallVector<int64_t> shape(t.getShape().take_front(2));
  for (size_t i = 0; i < lo.size(); ++i) {
    l.push_back(b.getIndexAttr(lo[i]));
    h.push_back(b.getIndexAttr(hi[i]));
    int64_t d = t.getDimSize(2 + i);
    shape.push_back(ShapedType::isDynamic(d) ? d : d + lo[i] + hi[i]);
  }
  auto rt = RankedTensorType::get(shape, t.getElementType());
  return tensor::PadOp::create(b, loc, rt, x, l, h, padValue);
}

/// Adds a per-channel bias [M] to an [N, M, ...] tensor.
FailureOr<Value> addBias(OpBuilder &b, Location loc, Value y, Value bias) {
  auto yt = cast<RankedTensorType>(y.getType());
  SmallVector<int64_t> axes{0};
  for (int64_t i = 2; i < yt.getRank(); ++i) axes.push_back(i);
  Value bb = insertUnitDims(b, loc, bias, axes);
  return buildElementwise(b, loc, {y, bb}, yt.getElementType(),
                          [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                            return isF(a[0].getType())
                                       ? (Value)arith::AddFOp::create(nb, l, a[0], a[1])
                                       : (Value)arith::AddIOp::create(nb, l, a[0], a[1]);
                          });
}

Value zeroFilled(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type et,
                 ValueRange dyn = {}) {
  Value e = emptyTensor(b, loc, shape, et, dyn);
  return linalg::FillOp::create(b, loc, ValueRange{scalarConst(b, loc, et, 0)},
                                ValueRange{e})
      .getResult(0);
}

} // namespace

FailureOr<Value> mlir::loom::onnx_import::buildConv(NodeImporter &n, Value xIn,
                                                   Value wIn, Value bias) {
  auto xt = cast<RankedTensorType>(xIn.getType());
  auto wt = cast<RankedTensorType>(wIn.getType());
  int64_t R = xt.getRank(), S = R - 2;
  if (R < 3 || wt.getRank() != R)
    return n.error() << "expects input and weight of equal rank >= 3", failure();
  if (!wt.hasStaticShape())
    return n.unsupported("weights of dynamic shape"), failure();
  int64_t G = n.getInt("group", 1);
  int64_t M = wt.getDimSize(0), Cg = wt.getDimSize(1);
  SmallVector<int64_t> kernel = n.getInts("kernel_shape", SmallVector<int64_t>(wt.getShape().drop_front(2)));
  Window w;
  if (failed(windowAttrs(n, xt.getShape().drop_front(2), kernel, w)))
    return failure();
  Type et = xt.getElementType();
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Value x = padSpatial(b, loc, xIn, w.lo, w.hi, scalarConst(b, loc, et, 0));
  auto pt = cast<RankedTensorType>(x.getType());
  int64_t N = pt.getDimSize(0), C = pt.getDimSize(1);
  if (!ShapedType::isDynamic(C) && C != Cg * G)
    return n.error() << "input has " << C << " channels, weights expect " << Cg * G, failure();
  if (M % G)
    return n.error() << "output channels not divisible by group", failure();
  SmallVector<int64_t> outSpatial;
  for (int64_t i = 0; i < S; ++i) {
    int64_t in = pt.getDimSize(2 + i);
    if (ShapedType::isDynamic(in)) { outSpatial.push_back(in); continue; }
    outSpatial.push_back((in - ((w.kernel[i] - 1) * w.dilations[i] + 1)) / w.strides[i] + 1);
  }
  if (llvm::any_of(outSpatial, ShapedType::isDynamic))
    return n.unsupported("dynamic spatial dims"), failure();
  SmallVector<Value> dynN;
  if (ShapedType::isDynamic(N)) dynN.push_back(tensor::DimOp::create(b, loc, x, 0));
  Value y;
  if (S == 2 && G == 1) {
    SmallVector<int64_t> shape{N, M, outSpatial[0], outSpatial[1]};
    Value init = zeroFilled(b, loc, shape, et, dynN);
    SmallVector<NamedAttribute> attrs{
        b.getNamedAttr("strides", b.getI64TensorAttr(w.strides)),
        b.getNamedAttr("dilations", b.getI64TensorAttr(w.dilations))};
    y = linalg::Conv2DNchwFchwOp::create(b, loc, TypeRange{init.getType()},
                                         ValueRange{x, wIn},
                                         ValueRange{init}, attrs)
            .getResult(0);
  } else {
    // [N, G, C/G, sp...] x [G, M/G, C/G, k...] -> [N, G, M/G, o...]
    SmallVector<int64_t> xs{N, G, Cg};
    xs.append(pt.getShape().begin() + 2, pt.getShape().end());
    SmallVector<ReassociationIndices> xr{{0}, {1, 2}};
    for (int64_t i = 0; i < S; ++i) xr.push_back({3 + i});
    Value xg = tensor::ExpandShapeOp::create(b, loc, RankedTensorType::get(xs, et), x, xr);
    SmallVector<int64_t> ws{G, M / G, Cg};
    ws.append(wt.getShape().begin() + 2, wt.getShape().end());
    SmallVector<ReassociationIndices> wr{{0, 1}, {2}};
    for (int64_t i = 0; i < S; ++i) wr.push_back({3 + i});
    Value wg = tensor::ExpandShapeOp::create(b, loc, RankedTensorType::get(ws, et), wIn, wr);
    // Iteration dims: n=0, g=1, m=2, o=3..3+S, c=3+S, k=4+S..
    int64_t D = 4 + 2 * S;
    auto d = [&](int64_t i) { return b.getAffineDimExpr(i); };
    SmallVector<AffineExpr> xe{d(0), d(1), d(3 + S)}, we{d(1), d(2), d(3 + S)}, oe{d(0), d(1), d(2)};
    for (int64_t i = 0; i < S; ++i) {
      xe.push_back(d(3 + i) * w.strides[i] + d(4 + S + i) * w.dilations[i]);
      we.push_back(d(4 + S + i));
      oe.push_back(d(3 + i));
    }
    SmallVector<int64_t> os{N, G, M / G};
    os.append(outSpatial.begin(), outSpatial.end());
    Value init = zeroFilled(b, loc, os, et, dynN);
    SmallVector<utils::IteratorType> iters(D, utils::IteratorType::reduction);
    for (int64_t i = 0; i < 3 + S; ++i) iters[i] = utils::IteratorType::parallel;
    SmallVector<AffineMap> maps{AffineMap::get(D, 0, xe, n.ctx()),
                                AffineMap::get(D, 0, we, n.ctx()),
                                AffineMap::get(D, 0, oe, n.ctx())};
    Value yg = linalg::GenericOp::create(
                   b, loc, TypeRange{init.getType()}, ValueRange{xg, wg}, ValueRange{init},
                   maps, iters,
                   [](OpBuilder &nb, Location l, ValueRange a) {
                     bool f = isF(a[0].getType());
                     Value p = f ? (Value)arith::MulFOp::create(nb, l, a[0], a[1])
                                 : (Value)arith::MulIOp::create(nb, l, a[0], a[1]);
                     Value s = f ? (Value)arith::AddFOp::create(nb, l, a[2], p)
                                 : (Value)arith::AddIOp::create(nb, l, a[2], p);
                     linalg::YieldOp::create(nb, l, s);
                   })
                   .getResult(0);
    SmallVector<int64_t> ys{N, M};
    ys.append(outSpatial.begin(), outSpatial.end());
    SmallVector<ReassociationIndices> yr{{0}, {1, 2}};
    for (int64_t i = 0; i < S; ++i) yr.push_back({3 + i});
    y = tensor::CollapseShapeOp::create(b, loc, RankedTensorType::get(ys, et), yg, yr);
  }
  if (bias) {
    FailureOr<Value> yb = addBias(b, loc, y, bias);
    if (failed(yb)) {
      n.error() << "bias does not match the output channels";
      return failure();
    }
    y = *yb;
  }
  return y;
}

namespace {

LogicalResult conv(NodeImporter &n) {
  FailureOr<Value> y = buildConv(n, n.input(0), n.input(1),
                                 n.hasInput(2) ? n.input(2) : Value());
  if (failed(y))
    return failure();
  return n.setResult(0, *y);
}

LogicalResult convTranspose(NodeImporter &n) {
  auto xt = n.inputType(0), wt = n.inputType(1);
  int64_t R = xt.getRank(), S = R - 2;
  if (R < 3 || wt.getRank() != R || !xt.hasStaticShape() || !wt.hasStaticShape())
    return n.unsupported("expects static input and weight of equal rank >= 3");
  int64_t G = n.getInt("group", 1);
  int64_t C = xt.getDimSize(1), Mg = wt.getDimSize(1), N = xt.getDimSize(0);
  if (wt.getDimSize(0) != C || C % G)
    return n.error() << "weight/input channel mismatch";
  SmallVector<int64_t> kernel = n.getInts("kernel_shape", SmallVector<int64_t>(wt.getShape().drop_front(2)));
  SmallVector<int64_t> strides = n.getInts("strides", SmallVector<int64_t>(S, 1));
  SmallVector<int64_t> dil = n.getInts("dilations", SmallVector<int64_t>(S, 1));
  SmallVector<int64_t> outPad = n.getInts("output_padding", SmallVector<int64_t>(S, 0));
  SmallVector<int64_t> pads = n.getInts("pads", SmallVector<int64_t>(2 * S, 0));
  SmallVector<int64_t> outShapeAttr = n.getInts("output_shape");
  std::string autoPad = n.getString("auto_pad", "NOTSET");
  SmallVector<int64_t> lo(pads.begin(), pads.begin() + S), out(S);
  for (int64_t i = 0; i < S; ++i) {
    int64_t in = xt.getDimSize(2 + i);
    int64_t full = strides[i] * (in - 1) + outPad[i] + (kernel[i] - 1) * dil[i] + 1;
    int64_t want = -1;
    if (!outShapeAttr.empty())
      want = outShapeAttr[outShapeAttr.size() - S + i];
    else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER")
      want = in * strides[i];
    if (want >= 0) {
      // ONNX spec: total may be negative when output_shape asks for more
      // than the full output (the extra lands at the end); the spec's
      // halving is a floor division (as in ONNX's reference), not C++'s
      // truncation.
      int64_t total = full - want;
      int64_t half = llvm::divideFloorSigned(total, 2);
      lo[i] = autoPad == "SAME_UPPER" ? half : total - half;
      out[i] = want;
    } else {
      out[i] = full - pads[i] - pads[S + i];
    }
  }
  Type et = xt.getElementType();
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Value x = n.input(0);
  // Iteration: n=0, g=1, m=2, o=3..3+S, c=3+S, k=4+S..; x read by extract.
  SmallVector<int64_t> ws{G, C / G, Mg};
  ws.append(wt.getShape().begin() + 2, wt.getShape().end());
  SmallVector<ReassociationIndices> wr{{0, 1}, {2}};
  for (int64_t i = 0; i < S; ++i) wr.push_back({3 + i});
  Value wg = tensor::ExpandShapeOp::create(b, loc, RankedTensorType::get(ws, et), n.input(1), wr);
  int64_t D = 4 + 2 * S;
  auto d = [&](int64_t i) { return b.getAffineDimExpr(i); };
  SmallVector<AffineExpr> we{d(1), d(3 + S), d(2)}, oe{d(0), d(1), d(2)};
  for (int64_t i = 0; i < S; ++i) {
    we.push_back(d(4 + S + i));
    oe.push_back(d(3 + i));
  }
  SmallVector<int64_t> os{N, G, Mg};
  os.append(out.begin(), out.end());
  Value init = zeroFilled(b, loc, os, et);
  SmallVector<utils::IteratorType> iters(D, utils::IteratorType::reduction);
  for (int64_t i = 0; i < 3 + S; ++i) iters[i] = utils::IteratorType::parallel;
  SmallVector<AffineMap> maps{AffineMap::get(D, 0, we, n.ctx()),
                              AffineMap::get(D, 0, oe, n.ctx())};
  int64_t Cg = C / G;
  Value yg = linalg::GenericOp::create(
                 b, loc, TypeRange{init.getType()}, ValueRange{wg}, ValueRange{init}, maps, iters,
                 [&](OpBuilder &nb, Location l, ValueRange a) {
                   auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(nb, l, v); };
                   Value valid = scalarConst(nb, l, nb.getI1Type(), 1);
                   SmallVector<Value> src{linalg::IndexOp::create(nb, l, 0)};
                   Value g = linalg::IndexOp::create(nb, l, 1);
                   Value ci = linalg::IndexOp::create(nb, l, 3 + S);
                   src.push_back(arith::AddIOp::create(nb, l, arith::MulIOp::create(nb, l, g, c(Cg)), ci));
                   for (int64_t i = 0; i < S; ++i) {
                     // o = i*s + k*d - lo  =>  i = (o + lo - k*d) / s
                     Value o = linalg::IndexOp::create(nb, l, 3 + i);
                     Value k = linalg::IndexOp::create(nb, l, 4 + S + i);
                     Value num = arith::SubIOp::create(
                         nb, l, arith::AddIOp::create(nb, l, o, c(lo[i])),
                         arith::MulIOp::create(nb, l, k, c(dil[i])));
                     Value q = arith::DivSIOp::create(nb, l, num, c(strides[i]));
                     Value r = arith::RemSIOp::create(nb, l, num, c(strides[i]));
                     Value ok = arith::AndIOp::create(
                         nb, l, arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, num, c(0)),
                         arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, r, c(0)));
                     ok = arith::AndIOp::create(
                         nb, l, ok, arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, q,
                                                          c(xt.getDimSize(2 + i))));
                     valid = arith::AndIOp::create(nb, l, valid, ok);
                     Value clamped = arith::MaxSIOp::create(
                         nb, l, arith::MinSIOp::create(nb, l, q, c(xt.getDimSize(2 + i) - 1)), c(0));
                     src.push_back(clamped);
                   }
                   Value xv = tensor::ExtractOp::create(nb, l, x, src);
                   bool f = isF(et);
                   Value p = f ? (Value)arith::MulFOp::create(nb, l, xv, a[0])
                               : (Value)arith::MulIOp::create(nb, l, xv, a[0]);
                   p = arith::SelectOp::create(nb, l, valid, p, scalarConst(nb, l, et, 0));
                   Value s = f ? (Value)arith::AddFOp::create(nb, l, a[1], p)
                               : (Value)arith::AddIOp::create(nb, l, a[1], p);
                   linalg::YieldOp::create(nb, l, s);
                 })
                 .getResult(0);
  SmallVector<int64_t> ys{N, G * Mg};
  ys.append(out.begin(), out.end());
  SmallVector<ReassociationIndices> yr{{0}, {1, 2}};
  for (int64_t i = 0; i < S; ++i) yr.push_back({3 + i});
  Value y = tensor::CollapseShapeOp::create(b, loc, RankedTensorType::get(ys, et), yg, yr);
  if (n.hasInput(2)) {
    FailureOr<Value> yb = addBias(b, loc, y, n.input(2));
    if (failed(yb)) return n.error() << "bias does not match the output channels";
    y = *yb;
  }
  return n.setResult(0, y);
}

enum class Pool { Max, Avg };

/// Sliding-window reduction over the spatial dims of a padded input.
Value windowReduce(OpBuilder &b, Location loc, Value x, const Window &w,
                   ArrayRef<int64_t> outSpatial, Value init, bool isMax) {
  auto t = cast<RankedTensorType>(x.getType());
  int64_t S = w.kernel.size();
  Type et = t.getElementType();
  SmallVector<int64_t> os(t.getShape().take_front(2));
  os.append(outSpatial.begin(), outSpatial.end());
  SmallVector<Value> dyn;
  for (int64_t i = 0; i < 2; ++i)
    if (t.isDynamicDim(i)) dyn.push_back(tensor::DimOp::create(b, loc, x, i));
  Value out = linalg::FillOp::create(b, loc, ValueRange{init},
                                     ValueRange{emptyTensor(b, loc, os, et, dyn)})
                  .getResult(0);
  Value window = emptyTensor(b, loc, w.kernel, et);
  int64_t D = 2 + 2 * S;
  auto d = [&](int64_t i) { return b.getAffineDimExpr(i); };
  SmallVector<AffineExpr> xe{d(0), d(1)}, ke, oe{d(0), d(1)};
  for (int64_t i = 0; i < S; ++i) {
    xe.push_back(d(2 + i) * w.strides[i] + d(2 + S + i) * w.dilations[i]);
    ke.push_back(d(2 + S + i));
    oe.push_back(d(2 + i));
  }
  SmallVector<AffineMap> maps{AffineMap::get(D, 0, xe, b.getContext()),
                              AffineMap::get(D, 0, ke, b.getContext()),
                              AffineMap::get(D, 0, oe, b.getContext())};
  SmallVector<utils::IteratorType> iters(D, utils::IteratorType::reduction);
  for (int64_t i = 0; i < 2 + S; ++i) iters[i] = utils::IteratorType::parallel;
  return linalg::GenericOp::create(
             b, loc, TypeRange{out.getType()}, ValueRange{x, window}, ValueRange{out}, maps,
             iters,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               bool f = isF(et);
               Value r;
               if (isMax)
                 r = f ? (Value)arith::MaximumFOp::create(nb, l, a[2], a[0])
                       : (Value)arith::MaxSIOp::create(nb, l, a[2], a[0]);
               else
                 r = f ? (Value)arith::AddFOp::create(nb, l, a[2], a[0])
                       : (Value)arith::AddIOp::create(nb, l, a[2], a[0]);
               linalg::YieldOp::create(nb, l, r);
             })
      .getResult(0);
}

/// Max pooling that also returns, per output, the flattened index of the
/// maximum in the unpadded input (row-major, or column-major spatial dims
/// with storage_order = 1), as ONNX MaxPool's Indices output.
FailureOr<std::pair<Value, Value>> maxPoolWithIndices(NodeImporter &n, Value x,
                                                      const Window &w,
                                                      ArrayRef<int64_t> outSpatial,
                                                      Value low, bool colMajor) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  auto xt = n.inputType(0);
  if (!xt.hasStaticShape()) return n.unsupported("Indices on dynamic shapes"), failure();
  int64_t S = w.kernel.size();
  Type et = xt.getElementType(), i64 = b.getI64Type();
  SmallVector<int64_t> os(xt.getShape().take_front(2));
  os.append(outSpatial.begin(), outSpatial.end());
  Value vInit = linalg::FillOp::create(b, loc, ValueRange{low}, ValueRange{emptyTensor(b, loc, os, et)}).getResult(0);
  Value iInit = linalg::FillOp::create(b, loc, ValueRange{scalarConst(b, loc, i64, 0)},
                                       ValueRange{emptyTensor(b, loc, os, i64)})
                    .getResult(0);
  Value window = emptyTensor(b, loc, w.kernel, et);
  int64_t D = 2 + 2 * S;
  auto d = [&](int64_t i) { return b.getAffineDimExpr(i); };
  SmallVector<AffineExpr> xe{d(0), d(1)}, ke, oe{d(0), d(1)};
  for (int64_t i = 0; i < S; ++i) {
    xe.push_back(d(2 + i) * w.strides[i] + d(2 + S + i) * w.dilations[i]);
    ke.push_back(d(2 + S + i));
    oe.push_back(d(2 + i));
  }
  SmallVector<AffineMap> maps{AffineMap::get(D, 0, xe, n.ctx()), AffineMap::get(D, 0, ke, n.ctx()),
                              AffineMap::get(D, 0, oe, n.ctx()), AffineMap::get(D, 0, oe, n.ctx())};
  SmallVector<utils::IteratorType> iters(D, utils::IteratorType::reduction);
  for (int64_t i = 0; i < 2 + S; ++i) iters[i] = utils::IteratorType::parallel;
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{vInit.getType(), iInit.getType()}, ValueRange{x, window},
      ValueRange{vInit, iInit}, maps, iters, [&](OpBuilder &nb, Location l, ValueRange a) {
        auto c = [&](int64_t v) { return scalarConst(nb, l, nb.getI64Type(), v); };
        auto ix = [&](int64_t dim) {
          return (Value)arith::IndexCastOp::create(nb, l, nb.getI64Type(), linalg::IndexOp::create(nb, l, dim));
        };
        // Spatial position in the unpadded input.
        SmallVector<Value> pos;
        for (int64_t i = 0; i < S; ++i) {
          Value p = arith::AddIOp::create(nb, l, arith::MulIOp::create(nb, l, ix(2 + i), c(w.strides[i])),
                                          arith::MulIOp::create(nb, l, ix(2 + S + i), c(w.dilations[i])));
          pos.push_back(arith::SubIOp::create(nb, l, p, c(w.lo[i])));
        }
        Value flat = arith::AddIOp::create(nb, l, arith::MulIOp::create(nb, l, ix(0), c(xt.getDimSize(1))), ix(1));
        if (!colMajor) {
          for (int64_t i = 0; i < S; ++i)
            flat = arith::AddIOp::create(nb, l, arith::MulIOp::create(nb, l, flat, c(xt.getDimSize(2 + i))), pos[i]);
        } else {
          Value sp = c(0);
          for (int64_t i = S - 1; i >= 0; --i)
            sp = arith::AddIOp::create(nb, l, arith::MulIOp::create(nb, l, sp, c(xt.getDimSize(2 + i))), pos[i]);
          int64_t area = 1;
          for (int64_t i = 0; i < S; ++i) area *= xt.getDimSize(2 + i);
          flat = arith::AddIOp::create(nb, l, arith::MulIOp::create(nb, l, flat, c(area)), sp);
        }
        Value better = isF(et) ? (Value)arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT, a[0], a[2])
                               : (Value)arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sgt, a[0], a[2]);
        linalg::YieldOp::create(nb, l, ValueRange{arith::SelectOp::create(nb, l, better, a[0], a[2]),
                                                  arith::SelectOp::create(nb, l, better, flat, a[3])});
      });
  return std::make_pair(op.getResult(0), op.getResult(1));
}

template <Pool K>
LogicalResult pool(NodeImporter &n) {
  auto xt = n.inputType(0);
  int64_t R = xt.getRank(), S = R - 2;
  if (R < 3)
    return n.error() << "expects rank >= 3";
  std::optional<SmallVector<int64_t>> kernel;
  if (!n.hasAttr("kernel_shape"))
    return n.error() << "required attribute 'kernel_shape' is missing";
  SmallVector<int64_t> k = n.getInts("kernel_shape");
  if ((int64_t)k.size() != S)
    return n.error() << "kernel_shape does not match the spatial rank";
  Window w;
  if (failed(windowAttrs(n, xt.getShape().drop_front(2), k, w)))
    return failure();
  bool ceil = n.getInt("ceil_mode", 0);
  SmallVector<int64_t> outSpatial, extra(S, 0);
  for (int64_t i = 0; i < S; ++i) {
    int64_t in = xt.getDimSize(2 + i);
    if (ShapedType::isDynamic(in))
      return n.unsupported("dynamic spatial dims");
    int64_t span = in + w.lo[i] + w.hi[i] - ((w.kernel[i] - 1) * w.dilations[i] + 1);
    int64_t o = (ceil ? (span + w.strides[i] - 1) / w.strides[i] : span / w.strides[i]) + 1;
    if (ceil && (o - 1) * w.strides[i] >= in + w.lo[i])
      --o;
    outSpatial.push_back(o);
    extra[i] = std::max<int64_t>(0, (o - 1) * w.strides[i] + (w.kernel[i] - 1) * w.dilations[i] + 1 -
                                        (in + w.lo[i] + w.hi[i]));
  }
  Type et = xt.getElementType();
  OpBuilder &b = n.b;
  Location loc = n.loc;
  SmallVector<int64_t> hi(w.hi);
  for (int64_t i = 0; i < S; ++i) hi[i] += extra[i];
  if (K == Pool::Max) {
    Value low = lowestConst(b, loc, et, n.inputUnsigned(0));
    Value x = padSpatial(b, loc, n.input(0), w.lo, hi, low);
    if (!n.hasOutput(1))
      return n.setResult(0, windowReduce(b, loc, x, w, outSpatial, low, true));
    FailureOr<std::pair<Value, Value>> vi =
        maxPoolWithIndices(n, x, w, outSpatial, low, n.getInt("storage_order", 0));
    if (failed(vi)) return failure();
    if (failed(n.setResult(0, vi->first))) return failure();
    return n.setResult(1, vi->second);
  }
  Value zero = scalarConst(b, loc, et, 0);
  Value x = padSpatial(b, loc, n.input(0), w.lo, hi, zero);
  Value sum = windowReduce(b, loc, x, w, outSpatial, zero, false);
  // Divisor per output: count the cells that are real input (or pads, with
  // count_include_pad) by pooling a padded tensor of ones.
  bool includePad = n.getInt("count_include_pad", 0);
  SmallVector<Value> dyn = dynamicDims(b, loc, n.input(0));
  Value ones = linalg::FillOp::create(b, loc, ValueRange{scalarConst(b, loc, et, 1)},
                                      ValueRange{emptyTensor(b, loc, xt.getShape(), et, dyn)})
                   .getResult(0);
  Value onesP = padSpatial(b, loc, ones, w.lo, w.hi, scalarConst(b, loc, et, includePad ? 1 : 0));
  onesP = padSpatial(b, loc, onesP, SmallVector<int64_t>(S, 0), extra, zero);
  Value count = windowReduce(b, loc, onesP, w, outSpatial, zero, false);
  FailureOr<Value> avg = buildElementwise(b, loc, {sum, count}, et,
                                          [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                                            return arith::DivFOp::create(nb, l, a[0], a[1]);
                                          });
  if (failed(avg)) return failure();
  return n.setResult(0, *avg);
}

template <Pool K>
LogicalResult globalPool(NodeImporter &n) {
  auto xt = n.inputType(0);
  Type et = xt.getElementType();
  SmallVector<int64_t> axes;
  for (int64_t i = 2; i < xt.getRank(); ++i) axes.push_back(i);
  OpBuilder &b = n.b;
  Location loc = n.loc;
  if (K == Pool::Max) {
    Value r = buildReduction(b, loc, n.input(0), axes, true, lowestConst(b, loc, et, false),
                             [](OpBuilder &nb, Location l, Value acc, Value v) -> Value {
                               return arith::MaximumFOp::create(nb, l, acc, v);
                             });
    return n.setResult(0, r);
  }
  int64_t count = 1;
  for (int64_t a : axes) {
    if (xt.isDynamicDim(a)) return n.unsupported("dynamic spatial dims");
    count *= xt.getDimSize(a);
  }
  Value s = buildReduction(b, loc, n.input(0), axes, true, scalarConst(b, loc, et, 0),
                           [](OpBuilder &nb, Location l, Value acc, Value v) -> Value {
                             return arith::AddFOp::create(nb, l, acc, v);
                           });
  FailureOr<Value> r = buildElementwise(b, loc, {s}, et,
                                        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                                          return arith::DivFOp::create(nb, l, a[0], scalarConst(nb, l, et, count));
                                        });
  if (failed(r)) return failure();
  return n.setResult(0, *r);
}

} // namespace

void mlir::loom::onnx_import::registerConvPoolOps(OpTable &t) {
  t.add("", "Conv", 1, conv);
  t.add("", "ConvTranspose", 1, convTranspose);
  t.add("", "MaxPool", 1, pool<Pool::Max>);
  t.add("", "AveragePool", 1, pool<Pool::Avg>);
  t.add("", "GlobalMaxPool", 1, globalPool<Pool::Max>);
  t.add("", "GlobalAveragePool", 1, globalPool<Pool::Avg>);
}
