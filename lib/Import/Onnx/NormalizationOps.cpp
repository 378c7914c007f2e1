//===- NormalizationOps.cpp - Batch/Instance/Layer norm, LRN --------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Normalizations decompose into reductions and elementwise generics over the
// original tensors (no reshapes in between), so a later fusion pass can
// recognize and fuse them back into one kernel.
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

/// [C] -> [C, 1, ..., 1] so it broadcasts over an [N, C, spatial...] tensor.
Value perChannel(OpBuilder &b, Location loc, Value v, int64_t rank) {
  SmallVector<int64_t> axes;
  for (int64_t i = 1; i < rank - 1; ++i) axes.push_back(i);
  return axes.empty() ? v : insertUnitDims(b, loc, v, axes);
}

Value addF(OpBuilder &b, Location l, Value x, Value y) { return arith::AddFOp::create(b, l, x, y); }

/// mean over `axes` (keepdims).
Value meanOver(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> axes,
               int64_t count) {
  Type et = cast<RankedTensorType>(x.getType()).getElementType();
  Value s = buildReduction(b, loc, x, axes, true, scalarConst(b, loc, et, 0), addF);
  return *buildElementwise(b, loc, {s}, et, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
    return arith::DivFOp::create(nb, l, a[0], scalarConst(nb, l, et, count));
  });
}

/// Training-mode BatchNormalization (opset 14+): normalizes with the batch
/// statistics and returns the updated running mean/var.
LogicalResult batchNormTraining(NodeImporter &n) {
  auto xt = n.inputType(0);
  Type et = xt.getElementType();
  int64_t R = xt.getRank();
  double eps = n.getFloat("epsilon", 1e-5f), momentum = n.getFloat("momentum", 0.9f);
  SmallVector<int64_t> axes{0};
  int64_t count = xt.getDimSize(0);
  for (int64_t i = 2; i < R; ++i) {
    axes.push_back(i);
    count *= xt.getDimSize(i);
  }
  if (!xt.hasStaticShape()) return n.unsupported("training mode on dynamic shapes");
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Value x = n.input(0);
  Value mean = meanOver(b, loc, x, axes, count); // [1, C, 1, ...]
  Value d = *buildElementwise(b, loc, {x, mean}, et, [](OpBuilder &nb, Location l, ValueRange a) -> Value {
    return arith::SubFOp::create(nb, l, a[0], a[1]);
  });
  Value sq = *buildElementwise(b, loc, {d}, et, [](OpBuilder &nb, Location l, ValueRange a) -> Value {
    return arith::MulFOp::create(nb, l, a[0], a[0]);
  });
  Value var = meanOver(b, loc, sq, axes, count);
  Value scale = perChannel(b, loc, n.input(1), R), bias = perChannel(b, loc, n.input(2), R);
  FailureOr<Value> y = buildElementwise(
      b, loc, {d, var, scale, bias}, et, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value v = arith::AddFOp::create(nb, l, a[1], scalarConst(nb, l, et, eps));
        Value r = arith::DivFOp::create(nb, l, a[0], math::SqrtOp::create(nb, l, v));
        return arith::AddFOp::create(nb, l, arith::MulFOp::create(nb, l, r, a[2]), a[3]);
      });
  if (failed(y)) return n.error() << "scale/bias do not match the channels";
  if (failed(n.setResult(0, *y))) return failure();
  // running = input_running * momentum + batch_stat * (1 - momentum)
  auto running = [&](unsigned in, Value stat) -> FailureOr<Value> {
    SmallVector<ReassociationIndices> groups;
    ReassociationIndices g;
    for (int64_t i = 0; i < R; ++i) g.push_back(i);
    groups.push_back(g);
    Value flat = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({xt.getDimSize(1)}, et), stat, groups);
    return buildElementwise(b, loc, {n.input(in), flat}, et, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
      Value m = arith::MulFOp::create(nb, l, a[0], scalarConst(nb, l, et, momentum));
      return arith::AddFOp::create(nb, l, m, arith::MulFOp::create(nb, l, a[1], scalarConst(nb, l, et, 1 - momentum)));
    });
  };
  if (n.hasOutput(1)) {
    FailureOr<Value> rm = running(3, mean);
    if (failed(rm) || failed(n.setResult(1, *rm))) return failure();
  }
  if (n.hasOutput(2)) {
    FailureOr<Value> rv = running(4, var);
    if (failed(rv) || failed(n.setResult(2, *rv))) return failure();
  }
  return success();
}

LogicalResult batchNorm(NodeImporter &n) {
  if (n.opset >= 14 && n.getInt("training_mode", 0))
    return batchNormTraining(n);
  if (n.getInt("training_mode", 0) || (n.opset < 7 && n.getInt("is_test", 0) == 0 && n.numOutputs() > 1))
    return n.unsupported("training mode");
  for (unsigned i = 1; i < n.numOutputs(); ++i)
    if (n.hasOutput(i))
      return n.unsupported("the running mean/var outputs (training mode)");
  auto xt = n.inputType(0);
  Type et = xt.getElementType();
  double eps = n.getFloat("epsilon", 1e-5f);
  int64_t R = xt.getRank();
  OpBuilder &b = n.b;
  Location loc = n.loc;
  SmallVector<Value> ins{n.input(0)};
  for (unsigned i = 1; i <= 4; ++i) {
    Value v = n.input(i);
    if (cast<RankedTensorType>(v.getType()).getElementType() != et)
      v = *buildElementwise(b, loc, {v}, et, [&](OpBuilder &nb, Location l, ValueRange a) {
        return convertScalar(nb, l, a[0], et);
      });
    ins.push_back(perChannel(b, loc, v, R));
  }
  FailureOr<Value> y = buildElementwise(
      b, loc, ins, et, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        // (x - mean) / sqrt(var + eps) * scale + bias
        Value d = arith::SubFOp::create(nb, l, a[0], a[3]);
        Value v = arith::AddFOp::create(nb, l, a[4], scalarConst(nb, l, et, eps));
        Value r = arith::DivFOp::create(nb, l, d, math::SqrtOp::create(nb, l, v));
        return arith::AddFOp::create(nb, l, arith::MulFOp::create(nb, l, r, a[1]), a[2]);
      });
  if (failed(y))
    return n.error() << "scale/bias/mean/var do not match the channels";
  return n.setResult(0, *y);
}

LogicalResult instanceNorm(NodeImporter &n) {
  auto xt = n.inputType(0);
  Type et = xt.getElementType();
  int64_t R = xt.getRank();
  double eps = n.getFloat("epsilon", 1e-5f);
  SmallVector<int64_t> axes;
  int64_t count = 1;
  for (int64_t i = 2; i < R; ++i) {
    if (xt.isDynamicDim(i)) return n.unsupported("dynamic spatial dims");
    axes.push_back(i);
    count *= xt.getDimSize(i);
  }
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Value x = n.input(0);
  Value mean = meanOver(b, loc, x, axes, count);
  Value d = *buildElementwise(b, loc, {x, mean}, et, [](OpBuilder &nb, Location l, ValueRange a) -> Value {
    return arith::SubFOp::create(nb, l, a[0], a[1]);
  });
  Value sq = *buildElementwise(b, loc, {d}, et, [](OpBuilder &nb, Location l, ValueRange a) -> Value {
    return arith::MulFOp::create(nb, l, a[0], a[0]);
  });
  Value var = meanOver(b, loc, sq, axes, count);
  Value scale = perChannel(b, loc, n.input(1), R), bias = perChannel(b, loc, n.input(2), R);
  FailureOr<Value> y = buildElementwise(
      b, loc, {d, var, scale, bias}, et, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value v = arith::AddFOp::create(nb, l, a[1], scalarConst(nb, l, et, eps));
        Value r = arith::DivFOp::create(nb, l, a[0], math::SqrtOp::create(nb, l, v));
        return arith::AddFOp::create(nb, l, arith::MulFOp::create(nb, l, r, a[2]), a[3]);
      });
  if (failed(y)) return n.error() << "scale/bias do not match the channels";
  return n.setResult(0, *y);
}

/// Shared tail of the layer norms: normalizes `x` over dims [axis, rank)
/// (RMS when `rms`), scales by `gamma`, adds `beta`; also returns the mean
/// and inverse std dev (keepdims) for the optional outputs.
struct NormParts { Value y, mean, invStd; };
FailureOr<NormParts> layerNormCore(NodeImporter &n, Value x, int64_t axis,
                                   double eps, bool rms, Value gamma, Value beta) {
  auto xt = cast<RankedTensorType>(x.getType());
  Type et = xt.getElementType();
  int64_t R = xt.getRank();
  SmallVector<int64_t> axes;
  int64_t count = 1;
  for (int64_t i = axis; i < R; ++i) {
    if (xt.isDynamicDim(i)) {
      n.unsupported("normalizing over a dynamic dim");
      return failure();
    }
    axes.push_back(i);
    count *= xt.getDimSize(i);
  }
  OpBuilder &b = n.b;
  Location loc = n.loc;
  NormParts p;
  Value centered = x;
  if (!rms) {
    p.mean = meanOver(b, loc, x, axes, count);
    centered = *buildElementwise(b, loc, {x, p.mean}, et, [](OpBuilder &nb, Location l, ValueRange a) -> Value {
      return arith::SubFOp::create(nb, l, a[0], a[1]);
    });
  }
  Value sq = *buildElementwise(b, loc, {centered}, et, [](OpBuilder &nb, Location l, ValueRange a) -> Value {
    return arith::MulFOp::create(nb, l, a[0], a[0]);
  });
  Value var = meanOver(b, loc, sq, axes, count);
  p.invStd = *buildElementwise(b, loc, {var}, et, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
    Value v = arith::AddFOp::create(nb, l, a[0], scalarConst(nb, l, et, eps));
    return math::RsqrtOp::create(nb, l, v);
  });
  SmallVector<Value> ins{centered, p.invStd, gamma};
  if (beta) ins.push_back(beta);
  FailureOr<Value> y = buildElementwise(
      b, loc, ins, et, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value r = arith::MulFOp::create(nb, l, arith::MulFOp::create(nb, l, a[0], a[1]), a[2]);
        return a.size() > 3 ? (Value)arith::AddFOp::create(nb, l, r, a[3]) : r;
      });
  if (failed(y)) {
    n.error() << "scale/bias do not broadcast to the normalized dims";
    return failure();
  }
  p.y = *y;
  return p;
}

/// RMSNormalization (opset 23) and com.microsoft SimplifiedLayerNormalization.
LogicalResult rmsNorm(NodeImporter &n) {
  auto xt = n.inputType(0);
  FailureOr<int64_t> axis = normalizeAxis(n.getInt("axis", -1), xt.getRank());
  if (failed(axis)) return n.error() << "axis out of range";
  FailureOr<NormParts> p = layerNormCore(n, n.input(0), *axis, n.getFloat("epsilon", 1e-5f),
                                         /*rms=*/true, n.input(1), Value());
  if (failed(p)) return failure();
  if (failed(n.setResult(0, p->y))) return failure();
  if (n.hasOutput(1) && failed(n.setResult(1, p->invStd))) return failure();
  return success();
}

/// com.microsoft Skip(Simplified)LayerNormalization: norm(input + skip + bias).
template <bool Rms>
LogicalResult skipLayerNorm(NodeImporter &n) {
  auto xt = n.inputType(0);
  Type et = xt.getElementType();
  SmallVector<Value> ins{n.input(0), n.input(1)};
  unsigned biasIdx = Rms ? 3 : 4;
  if (n.hasInput(biasIdx)) ins.push_back(n.input(biasIdx));
  FailureOr<Value> sum = buildElementwise(n.b, n.loc, ins, et, [](OpBuilder &b, Location l, ValueRange a) -> Value {
    Value s = arith::AddFOp::create(b, l, a[0], a[1]);
    return a.size() > 2 ? (Value)arith::AddFOp::create(b, l, s, a[2]) : s;
  });
  if (failed(sum)) return n.error() << "input, skip and bias do not broadcast";
  Value beta = (!Rms && n.hasInput(3)) ? n.input(3) : Value();
  FailureOr<NormParts> p = layerNormCore(n, *sum, xt.getRank() - 1, n.getFloat("epsilon", 1e-12f),
                                         Rms, n.input(2), beta);
  if (failed(p)) return failure();
  if (failed(n.setResult(0, p->y))) return failure();
  // Outputs: (mean, inv_std_var, input_skip_bias_sum); the RMS variant has
  // no mean output.
  unsigned o = 1;
  if (!Rms) {
    if (n.hasOutput(o) && failed(n.setResult(o, p->mean))) return failure();
    ++o;
  }
  if (n.hasOutput(o) && failed(n.setResult(o, p->invStd))) return failure();
  ++o;
  if (n.hasOutput(o) && failed(n.setResult(o, *sum))) return failure();
  return success();
}

LogicalResult layerNorm(NodeImporter &n) {
  auto xt = n.inputType(0);
  FailureOr<int64_t> axis = normalizeAxis(n.getInt("axis", -1), xt.getRank());
  if (failed(axis)) return n.error() << "axis out of range";
  FailureOr<NormParts> p = layerNormCore(n, n.input(0), *axis, n.getFloat("epsilon", 1e-5f),
                                         /*rms=*/false, n.input(1),
                                         n.hasInput(2) ? n.input(2) : Value());
  if (failed(p)) return failure();
  if (failed(n.setResult(0, p->y))) return failure();
  if (n.hasOutput(1) && failed(n.setResult(1, p->mean))) return failure();
  if (n.hasOutput(2) && failed(n.setResult(2, p->invStd))) return failure();
  return success();
}

LogicalResult lrn(NodeImporter &n) {
  auto xt = n.inputType(0);
  Type et = xt.getElementType();
  int64_t R = xt.getRank();
  std::optional<int64_t> size = n.requireInt("size");
  if (!size) return failure();
  double alpha = n.getFloat("alpha", 1e-4f), beta = n.getFloat("beta", 0.75f),
         bias = n.getFloat("bias", 1.0f);
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Value x = n.input(0);
  if (!xt.hasStaticShape()) return n.unsupported("dynamic shapes");
  Value sq = *buildElementwise(b, loc, {x}, et, [](OpBuilder &nb, Location l, ValueRange a) -> Value {
    return arith::MulFOp::create(nb, l, a[0], a[0]);
  });
  int64_t lo = (*size - 1) / 2, hi = *size - 1 - lo;
  SmallVector<OpFoldResult> l(R, b.getIndexAttr(0)), h(R, b.getIndexAttr(0));
  l[1] = b.getIndexAttr(lo);
  h[1] = b.getIndexAttr(hi);
  SmallVector<int64_t> ps(xt.getShape());
  ps[1] += lo + hi;
  Value padded = tensor::PadOp::create(b, loc, RankedTensorType::get(ps, et), sq, l, h,
                                       scalarConst(b, loc, et, 0));
  // Window sum over channels: dims (n, c, spatial..., k).
  Value init = linalg::FillOp::create(b, loc, ValueRange{scalarConst(b, loc, et, 0)},
                                      ValueRange{emptyTensor(b, loc, xt.getShape(), et)})
                   .getResult(0);
  Value window = emptyTensor(b, loc, {*size}, et);
  SmallVector<AffineExpr> xe, oe;
  for (int64_t i = 0; i < R; ++i) {
    oe.push_back(b.getAffineDimExpr(i));
    xe.push_back(i == 1 ? b.getAffineDimExpr(1) + b.getAffineDimExpr(R) : b.getAffineDimExpr(i));
  }
  SmallVector<AffineMap> maps{AffineMap::get(R + 1, 0, xe, n.ctx()),
                              AffineMap::get(R + 1, 0, {b.getAffineDimExpr(R)}, n.ctx()),
                              AffineMap::get(R + 1, 0, oe, n.ctx())};
  SmallVector<utils::IteratorType> iters(R, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  Value sum = linalg::GenericOp::create(b, loc, TypeRange{init.getType()}, ValueRange{padded, window},
                                        ValueRange{init}, maps, iters,
                                        [](OpBuilder &nb, Location l, ValueRange a) {
                                          linalg::YieldOp::create(nb, l, ValueRange{arith::AddFOp::create(nb, l, a[2], a[0])});
                                        })
                  .getResult(0);
  FailureOr<Value> y = buildElementwise(
      b, loc, {x, sum}, et, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value s = arith::MulFOp::create(nb, l, a[1], scalarConst(nb, l, et, alpha / *size));
        s = arith::AddFOp::create(nb, l, s, scalarConst(nb, l, et, bias));
        s = math::PowFOp::create(nb, l, s, scalarConst(nb, l, et, beta));
        return arith::DivFOp::create(nb, l, a[0], s);
      });
  if (failed(y)) return failure();
  return n.setResult(0, *y);
}

} // namespace

void mlir::loom::onnx_import::registerNormalizationOps(OpTable &t) {
  t.add("", "BatchNormalization", 1, batchNorm);
  t.add("", "InstanceNormalization", 1, instanceNorm);
  t.add("", "LayerNormalization", 17, layerNorm);
  t.add("", "LRN", 1, lrn);
  t.add("", "RMSNormalization", 23, rmsNorm);
  t.add("com.microsoft", "SimplifiedLayerNormalization", 1, rmsNorm);
  t.add("com.microsoft", "SkipLayerNormalization", 1, skipLayerNorm<false>);
  t.add("com.microsoft", "SkipSimplifiedLayerNormalization", 1, skipLayerNorm<true>);
}
