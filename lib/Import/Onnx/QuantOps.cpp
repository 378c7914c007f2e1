//===- QuantOps.cpp - ONNX quantization ops to loom_quant -----------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// QuantizeLinear/DequantizeLinear (per-tensor, per-axis, blocked) become
// loom_quant.quantize/dequantize with a scheme read off the scale's shape;
// DynamicQuantizeLinear is loom_quant.dynamic_quantize; com.microsoft
// MatMulNBits is loom_quant.matmul on packed 4-bit weights. QLinearMatMul /
// QLinearConv are imported as dequantize -> float op -> quantize (fusing them
// back is the quantization passes' job). MatMulInteger/ConvInteger keep
// their exact integer semantics as linalg contractions in i32.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "Importer.h"
#include "OpTable.h"

#include "dialects/quant/QuantDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;
namespace lq = mlir::loom::quant;

namespace {

std::optional<lq::StorageType> storageFor(int32_t onnxType) {
  switch (onnxType) {
  case 2: return lq::StorageType::u8;
  case 3: return lq::StorageType::i8;
  case 17: return lq::StorageType::f8E4M3FN;
  case 19: return lq::StorageType::f8E5M2;
  case 21: return lq::StorageType::u4;
  case 22: return lq::StorageType::i4;
  default: return std::nullopt;
  }
}

/// Scheme from the scale's shape relative to the data: rank 0 or [1] is per
/// tensor, 1-D along `axis` per channel, same rank per group (blocked).
FailureOr<lq::SchemeAttr> schemeFor(NodeImporter &n, lq::StorageType storage,
                                    RankedTensorType data,
                                    RankedTensorType scale, bool hasZp) {
  MLIRContext *ctx = n.ctx();
  bool floatStorage = storage == lq::StorageType::f8E4M3FN ||
                      storage == lq::StorageType::f8E5M2;
  hasZp &= !floatStorage;
  int64_t rank = data.getRank();
  if (scale.getRank() == 0 ||
      (scale.getRank() == 1 && scale.getDimSize(0) == 1 && rank != 1) ||
      (scale.getRank() == 1 && scale.getDimSize(0) == 1 && rank == 1 &&
       data.getDimSize(0) != 1))
    return lq::SchemeAttr::get(ctx, storage, lq::Granularity::per_tensor, 0, 0,
                               hasZp, false);
  FailureOr<int64_t> axis = normalizeAxis(n.getInt("axis", 1), rank);
  if (failed(axis)) {
    n.error() << "axis out of range for rank " << rank;
    return failure();
  }
  if (scale.getRank() == 1)
    return lq::SchemeAttr::get(ctx, storage, lq::Granularity::per_channel,
                               *axis, 0, hasZp, false);
  int64_t block = n.getInt("block_size", 0);
  if (scale.getRank() != rank || block <= 0) {
    n.error() << "scale of shape " << scale << " fits neither per-tensor, "
              << "per-axis nor blocked quantization of " << data;
    return failure();
  }
  return lq::SchemeAttr::get(ctx, storage, lq::Granularity::per_group, *axis,
                             block, hasZp, false);
}

/// Verifies a freshly built op so a mismatch is reported against the node.
LogicalResult check(NodeImporter &n, Operation *op) {
  if (succeeded(mlir::verify(op)))
    return success();
  op->erase();
  return n.error() << "the quantization parameters do not fit the data "
                      "(see the error above)";
}

LogicalResult quantizeLinear(NodeImporter &n) {
  auto xt = n.inputType(0), st = n.inputType(1);
  if (!isa<FloatType>(xt.getElementType()))
    return n.unsupported("quantizing non-float input " + Twine(onnxTypeName(n.inputOnnxType(0))));
  int32_t outType = n.hasInput(2) ? n.inputOnnxType(2)
                                  : (int32_t)n.getInt("output_dtype", 2);
  if (!outType) outType = 2;
  std::optional<lq::StorageType> storage = storageFor(outType);
  if (!storage)
    return n.unsupported("quantizing to " + onnxTypeName(outType));
  // 8-bit floats (opset 19+): loom_quant's encode saturates to the largest
  // finite value, ONNX's default saturate=1; saturate=0 (overflow to NaN or
  // infinity) is not modelled.
  bool floatOut = *storage == lq::StorageType::f8E4M3FN ||
                  *storage == lq::StorageType::f8E5M2;
  if (floatOut && n.getInt("saturate", 1) == 0)
    return n.unsupported("QuantizeLinear to " + onnxTypeName(outType) +
                         " with saturate=0");
  FailureOr<lq::SchemeAttr> scheme = schemeFor(n, *storage, xt, st, n.hasInput(2));
  if (failed(scheme)) return failure();
  Value zp = scheme->getHasZeroPoint() ? n.input(2) : Value();
  Value scale = n.input(1);
  if (st.getElementType() != xt.getElementType())
    scale = *buildElementwise(n.b, n.loc, {scale}, xt.getElementType(),
                              [&](OpBuilder &b, Location l, ValueRange a) {
                                return convertScalar(b, l, a[0], xt.getElementType());
                              });
  auto rt = RankedTensorType::get(xt.getShape(), scheme->getStorageElementType(n.ctx()));
  auto op = lq::QuantizeOp::create(n.b, n.loc, rt, n.input(0), scale, zp, *scheme);
  if (failed(check(n, op))) return failure();
  Value r = op.getResult();
  if (failed(n.setResult(0, r))) return failure();
  n.g.define(n.node.output(0), ValueInfo{r, {}, outType});
  return success();
}

/// (x - zp) * scale with linalg, for storages loom_quant does not model
/// (int32 biases).
LogicalResult dequantizeGeneric(NodeImporter &n) {
  auto xt = n.inputType(0), st = n.inputType(1);
  Type ft = st.getElementType();
  int64_t rank = xt.getRank();
  SmallVector<Value> ins{n.input(0), n.input(1)};
  if (n.hasInput(2)) ins.push_back(n.input(2));
  if (st.getRank() == 1 && st.getDimSize(0) != 1 && rank > 1) {
    FailureOr<int64_t> axis = normalizeAxis(n.getInt("axis", 1), rank);
    if (failed(axis)) return n.error() << "axis out of range";
    SmallVector<int64_t> unit;
    for (int64_t i = *axis + 1; i < rank; ++i) unit.push_back(i - *axis);
    for (size_t i = 1; i < ins.size(); ++i)
      if (!unit.empty()) ins[i] = insertUnitDims(n.b, n.loc, ins[i], unit);
  } else if (st.getRank() > 1) {
    return n.unsupported("blocked dequantization of " + Twine(onnxTypeName(n.inputOnnxType(0))));
  }
  bool xu = n.inputUnsigned(0), zu = n.hasInput(2) && n.inputUnsigned(2);
  FailureOr<Value> r = buildElementwise(
      n.b, n.loc, ins, ft, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value x = convertScalar(b, l, a[0], ft, xu);
        if (a.size() > 2)
          x = arith::SubFOp::create(b, l, x, convertScalar(b, l, a[2], ft, zu));
        return arith::MulFOp::create(b, l, x, a[1]);
      });
  if (failed(r)) return n.error() << "scale does not broadcast over the data";
  return n.setResult(0, *r);
}

LogicalResult dequantizeLinear(NodeImporter &n) {
  auto xt = n.inputType(0), st = n.inputType(1);
  std::optional<lq::StorageType> storage = storageFor(n.inputOnnxType(0));
  if (!storage)
    return dequantizeGeneric(n);
  FailureOr<lq::SchemeAttr> scheme = schemeFor(n, *storage, xt, st, n.hasInput(2));
  if (failed(scheme)) return failure();
  Value zp = scheme->getHasZeroPoint() ? n.input(2) : Value();
  auto rt = RankedTensorType::get(xt.getShape(), st.getElementType());
  auto op = lq::DequantizeOp::create(n.b, n.loc, rt, n.input(0), n.input(1), zp, *scheme);
  if (failed(check(n, op))) return failure();
  return n.setResult(0, op.getResult());
}

LogicalResult dynamicQuantizeLinear(NodeImporter &n) {
  auto xt = n.inputType(0);
  MLIRContext *ctx = n.ctx();
  auto scheme = lq::SchemeAttr::get(ctx, lq::StorageType::u8,
                                    lq::Granularity::per_tensor, 0, 0, true, false);
  Type i8 = n.b.getIntegerType(8);
  auto op = lq::DynamicQuantizeOp::create(
      n.b, n.loc, RankedTensorType::get(xt.getShape(), i8),
      RankedTensorType::get({}, n.b.getF32Type()), RankedTensorType::get({}, i8),
      n.input(0), /*range=*/ValueRange{}, scheme);
  if (failed(check(n, op))) return failure();
  const int32_t kU8 = 2, kF32 = 1;
  n.g.define(n.node.output(0), ValueInfo{op.getResult(), {}, kU8});
  if (n.hasOutput(1)) n.g.define(n.node.output(1), ValueInfo{op.getScale(), {}, kF32});
  if (n.hasOutput(2)) n.g.define(n.node.output(2), ValueInfo{op.getZeroPoint(), {}, kU8});
  return success();
}

/// Integer product with zero points: sum((a - za) * (b - zb)) in i32. `a`
/// may carry leading batch dims ([..., M, K] x [K, N]); zb may be per
/// column ([N]).
LogicalResult matMulInteger(NodeImporter &n) {
  auto at = n.inputType(0), bt = n.inputType(1);
  if (at.getRank() < 2 || bt.getRank() != 2)
    return n.unsupported("MatMulInteger other than [..., M, K] x [K, N]");
  if ((n.hasInput(2) && n.inputType(2).getNumElements() != 1) ||
      (n.hasInput(3) && n.inputType(3).getNumElements() != 1 &&
       (n.inputType(3).getRank() != 1 || n.inputType(3).getDimSize(0) != bt.getDimSize(1))))
    return n.unsupported("per-row zero points of A or zero points of B other than per tensor / per column");
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Type i32 = b.getI32Type();
  bool au = n.inputUnsigned(0), bu = n.inputUnsigned(1);
  int64_t r = at.getRank();
  Value za = n.hasInput(2) ? (Value)tensor::ExtractOp::create(b, loc, n.input(2), SmallVector<Value>(n.inputType(2).getRank(), arith::ConstantIndexOp::create(b, loc, 0))) : Value();
  bool zbPerCol = n.hasInput(3) && n.inputType(3).getNumElements() != 1;
  Value zb = (n.hasInput(3) && !zbPerCol) ? (Value)tensor::ExtractOp::create(b, loc, n.input(3), SmallVector<Value>(n.inputType(3).getRank(), arith::ConstantIndexOp::create(b, loc, 0))) : Value();
  SmallVector<int64_t> shape(at.getShape().drop_back());
  shape.push_back(bt.getDimSize(1));
  SmallVector<Value> dyn;
  for (int64_t d = 0; d < r; ++d)
    if (ShapedType::isDynamic(shape[d]))
      dyn.push_back(d < r - 1 ? tensor::DimOp::create(b, loc, n.input(0), d)
                              : tensor::DimOp::create(b, loc, n.input(1), 1));
  Value init = linalg::FillOp::create(b, loc, ValueRange{scalarConst(b, loc, i32, 0)},
                                      ValueRange{emptyTensor(b, loc, shape, i32, dyn)})
                   .getResult(0);
  // dims: leading (r-2), m, n, k
  int64_t D = r + 1;
  auto d = [&](int64_t i) { return b.getAffineDimExpr(i); };
  SmallVector<AffineExpr> ae, oe;
  for (int64_t i = 0; i < r - 1; ++i) { ae.push_back(d(i)); oe.push_back(d(i)); }
  ae.push_back(d(r));
  oe.push_back(d(r - 1));
  SmallVector<Value> ins{n.input(0), n.input(1)};
  SmallVector<AffineMap> maps{AffineMap::get(D, 0, ae, n.ctx()),
                              AffineMap::get(D, 0, {d(r), d(r - 1)}, n.ctx())};
  if (zbPerCol) {
    ins.push_back(n.input(3));
    maps.push_back(AffineMap::get(D, 0, {d(r - 1)}, n.ctx()));
  }
  maps.push_back(AffineMap::get(D, 0, oe, n.ctx()));
  SmallVector<utils::IteratorType> iters(D, utils::IteratorType::parallel);
  iters.back() = utils::IteratorType::reduction;
  bool zbu = n.hasInput(3) && n.inputUnsigned(3);
  Value res = linalg::GenericOp::create(
                  b, loc, TypeRange{init.getType()}, ins, ValueRange{init}, maps, iters,
                  [&](OpBuilder &nb, Location l, ValueRange a) {
                    Value x = convertScalar(nb, l, a[0], i32, au);
                    Value y = convertScalar(nb, l, a[1], i32, bu);
                    if (za) x = arith::SubIOp::create(nb, l, x, convertScalar(nb, l, za, i32, au));
                    if (zb) y = arith::SubIOp::create(nb, l, y, convertScalar(nb, l, zb, i32, zbu));
                    if (zbPerCol) y = arith::SubIOp::create(nb, l, y, convertScalar(nb, l, a[2], i32, zbu));
                    Value p = arith::MulIOp::create(nb, l, x, y);
                    linalg::YieldOp::create(nb, l, ValueRange{arith::AddIOp::create(nb, l, a.back(), p)});
                  })
                  .getResult(0);
  return n.setResult(0, res);
}

/// loom_quant.dequantize of input `i` with scale `si` and zero point `zi`.
FailureOr<Value> dequantizeInput(NodeImporter &n, unsigned i, unsigned si, unsigned zi) {
  auto xt = n.inputType(i), st = n.inputType(si);
  std::optional<lq::StorageType> storage = storageFor(n.inputOnnxType(i));
  if (!storage) {
    n.unsupported("operand of type " + onnxTypeName(n.inputOnnxType(i)));
    return failure();
  }
  // Per-tensor, or per-channel along the last (output) dim of a weight.
  lq::SchemeAttr scheme;
  bool hasZp = n.hasInput(zi);
  if (st.getNumElements() == 1 && st.getRank() <= 1)
    scheme = lq::SchemeAttr::get(n.ctx(), *storage, lq::Granularity::per_tensor, 0, 0, hasZp, false);
  else
    scheme = lq::SchemeAttr::get(n.ctx(), *storage, lq::Granularity::per_channel,
                                 xt.getRank() - 1, 0, hasZp, false);
  auto rt = RankedTensorType::get(xt.getShape(), st.getElementType());
  auto op = lq::DequantizeOp::create(n.b, n.loc, rt, n.input(i), n.input(si),
                                     hasZp ? n.input(zi) : Value(), scheme);
  if (failed(check(n, op))) return failure();
  return op.getResult();
}

LogicalResult qlinearMatMul(NodeImporter &n) {
  FailureOr<Value> a = dequantizeInput(n, 0, 1, 2);
  if (failed(a)) return failure();
  FailureOr<Value> w = dequantizeInput(n, 3, 4, 5);
  if (failed(w)) return failure();
  auto at = cast<RankedTensorType>(a->getType()), wt = cast<RankedTensorType>(w->getType());
  if (at.getRank() != wt.getRank() || at.getRank() < 2)
    return n.unsupported("QLinearMatMul operands of different ranks");
  SmallVector<int64_t> shape(at.getShape().drop_back());
  shape.push_back(wt.getShape().back());
  Type ft = at.getElementType();
  Value init = linalg::FillOp::create(n.b, n.loc, ValueRange{scalarConst(n.b, n.loc, ft, 0)},
                                      ValueRange{emptyTensor(n.b, n.loc, shape, ft)})
                   .getResult(0);
  Value y;
  if (at.getRank() == 2)
    y = linalg::MatmulOp::create(n.b, n.loc, TypeRange{init.getType()}, ValueRange{*a, *w}, ValueRange{init}).getResult(0);
  else if (at.getRank() == 3)
    y = linalg::BatchMatmulOp::create(n.b, n.loc, TypeRange{init.getType()}, ValueRange{*a, *w}, ValueRange{init}).getResult(0);
  else
    return n.unsupported("QLinearMatMul of rank > 3");
  std::optional<lq::StorageType> storage = storageFor(n.inputOnnxType(7));
  if (!storage) return n.unsupported("output type");
  auto scheme = lq::SchemeAttr::get(n.ctx(), *storage, lq::Granularity::per_tensor, 0, 0, true, false);
  auto rt = RankedTensorType::get(shape, scheme.getStorageElementType(n.ctx()));
  auto q = lq::QuantizeOp::create(n.b, n.loc, rt, y, n.input(6), n.input(7), scheme);
  if (failed(check(n, q))) return failure();
  n.g.define(n.node.output(0), ValueInfo{q.getResult(), {}, n.inputOnnxType(7)});
  return success();
}

/// com.microsoft MatMulNBits: A[..., K] x B[N, K] stored as 4-bit blocks.
LogicalResult matMulNBits(NodeImporter &n) {
  int64_t K = n.getInt("K", 0), N = n.getInt("N", 0), bits = n.getInt("bits", 4),
          block = n.getInt("block_size", 0);
  if (bits != 4)
    return n.unsupported(Twine(bits) + "-bit weights (only 4-bit)");
  if (K <= 0 || N <= 0 || block <= 0)
    return n.error() << "needs positive K, N and block_size attributes";
  if (n.hasInput(4) || n.hasInput(5))
    return n.unsupported("g_idx or bias inputs");
  int64_t blocks = (K + block - 1) / block;
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Type i8 = b.getIntegerType(8), i4 = b.getIntegerType(4);
  Value w = buildReshape(b, loc, n.input(1), {N, blocks * block / 2});
  if (blocks * block != K)
    return n.unsupported("K not a multiple of block_size");
  auto scaleT = n.inputType(2);
  Value scale = buildReshape(b, loc, n.input(2), {N, blocks});
  // Zero points: packed 4-bit (two per byte, per row padded) or default 8.
  Value zp;
  if (n.hasInput(3)) {
    if (n.inputElemType(3) != i8)
      return n.unsupported("float zero points");
    int64_t perRow = (blocks + 1) / 2;
    Value packed = buildReshape(b, loc, n.input(3), {N, perRow});
    zp = buildIndexed(b, loc, {N, blocks}, i4, {}, {}, {},
                      [&](OpBuilder &nb, Location l, ValueRange, ValueRange idx) -> Value {
                        auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(nb, l, v); };
                        Value byteIdx = arith::DivUIOp::create(nb, l, idx[1], c(2));
                        Value byte = tensor::ExtractOp::create(nb, l, packed, ValueRange{idx[0], byteIdx});
                        Value odd = arith::RemUIOp::create(nb, l, idx[1], c(2));
                        Value sh = arith::IndexCastOp::create(nb, l, i8, arith::MulIOp::create(nb, l, odd, c(4)));
                        Value v = arith::ShRUIOp::create(nb, l, byte, sh);
                        return arith::TruncIOp::create(nb, l, i4, v);
                      });
  } else {
    auto zt = RankedTensorType::get({N, blocks}, i4);
    zp = arith::ConstantOp::create(b, loc, DenseElementsAttr::get(zt, b.getIntegerAttr(i4, 8)));
  }
  (void)scaleT;
  auto scheme = lq::SchemeAttr::get(n.ctx(), lq::StorageType::u4, lq::Granularity::per_group,
                                    1, block, true, true);
  auto at = n.inputType(0);
  Value a = n.input(0);
  if (at.getRank() < 2) a = insertUnitDims(b, loc, a, {0});
  auto a2 = cast<RankedTensorType>(a.getType());
  SmallVector<int64_t> shape(a2.getShape().drop_back());
  shape.push_back(N);
  auto rt = RankedTensorType::get(shape, a2.getElementType());
  auto op = lq::MatmulOp::create(b, loc, rt, a, w, scale, zp, Value(), Value(), scheme,
                                 lq::SchemeAttr(), /*transpose_weight=*/true);
  if (failed(check(n, op))) return failure();
  Value r = op.getResult();
  if (at.getRank() < 2)
    r = tensor::CollapseShapeOp::create(b, loc, RankedTensorType::get({N}, a2.getElementType()), r,
                                        SmallVector<ReassociationIndices>{{0, 1}});
  return n.setResult(0, r);
}

/// x - zp in i32 (zp a scalar or per-channel along dim `axis`).
FailureOr<Value> widenMinusZp(NodeImporter &n, unsigned xi, unsigned zi,
                              int64_t axis) {
  Type i32 = n.b.getI32Type();
  bool xu = n.inputUnsigned(xi);
  SmallVector<Value> ins{n.input(xi)};
  auto xt = n.inputType(xi);
  if (n.hasInput(zi)) {
    Value z = n.input(zi);
    auto zt = n.inputType(zi);
    if (zt.getNumElements() != 1) {
      SmallVector<int64_t> unit;
      for (int64_t i = axis + 1; i < xt.getRank(); ++i) unit.push_back(i - axis);
      z = insertUnitDims(n.b, n.loc, z, unit);
    }
    ins.push_back(z);
  }
  bool zu = n.hasInput(zi) && n.inputUnsigned(zi);
  FailureOr<Value> r = buildElementwise(
      n.b, n.loc, ins, i32, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value x = convertScalar(b, l, a[0], i32, xu);
        if (a.size() > 1)
          x = arith::SubIOp::create(b, l, x, convertScalar(b, l, a[1], i32, zu));
        return x;
      });
  if (failed(r)) n.error() << "zero point does not broadcast";
  return r;
}

LogicalResult convInteger(NodeImporter &n) {
  FailureOr<Value> x = widenMinusZp(n, 0, 2, 1);
  if (failed(x)) return failure();
  FailureOr<Value> w = widenMinusZp(n, 1, 3, 0);
  if (failed(w)) return failure();
  FailureOr<Value> y = buildConv(n, *x, *w, Value());
  if (failed(y)) return failure();
  return n.setResult(0, *y);
}

LogicalResult qlinearConv(NodeImporter &n) {
  FailureOr<Value> x = dequantizeInput(n, 0, 1, 2);
  if (failed(x)) return failure();
  // Weights: per tensor, or per output channel (axis 0).
  auto wt = n.inputType(3), wst = n.inputType(4);
  std::optional<lq::StorageType> ws = storageFor(n.inputOnnxType(3));
  if (!ws) return n.unsupported("weights of type " + onnxTypeName(n.inputOnnxType(3)));
  bool perTensor = wst.getNumElements() == 1 && wst.getRank() <= 1;
  auto wScheme = lq::SchemeAttr::get(n.ctx(), *ws,
                                     perTensor ? lq::Granularity::per_tensor : lq::Granularity::per_channel,
                                     0, 0, n.hasInput(5), false);
  Type ft = wst.getElementType();
  auto wq = lq::DequantizeOp::create(n.b, n.loc, RankedTensorType::get(wt.getShape(), ft),
                                     n.input(3), n.input(4), n.hasInput(5) ? n.input(5) : Value(), wScheme);
  if (failed(check(n, wq))) return failure();
  Value bias;
  if (n.hasInput(8)) {
    // int32 bias with scale x_scale * w_scale.
    Value ws1 = n.input(4);
    FailureOr<Value> bf = buildElementwise(
        n.b, n.loc, {n.input(8), ws1, n.input(1)}, ft,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value v = convertScalar(b, l, a[0], ft);
          return arith::MulFOp::create(b, l, v, arith::MulFOp::create(b, l, a[1], a[2]));
        });
    if (failed(bf)) return n.error() << "bias does not match the weight scales";
    bias = *bf;
  }
  FailureOr<Value> y = buildConv(n, *x, wq.getResult(), bias);
  if (failed(y)) return failure();
  std::optional<lq::StorageType> ys = storageFor(n.inputOnnxType(7));
  if (!ys) return n.unsupported("output type");
  auto scheme = lq::SchemeAttr::get(n.ctx(), *ys, lq::Granularity::per_tensor, 0, 0, true, false);
  auto yt = cast<RankedTensorType>(y->getType());
  auto q = lq::QuantizeOp::create(n.b, n.loc, RankedTensorType::get(yt.getShape(), scheme.getStorageElementType(n.ctx())),
                                  *y, n.input(6), n.input(7), scheme);
  if (failed(check(n, q))) return failure();
  n.g.define(n.node.output(0), ValueInfo{q.getResult(), {}, n.inputOnnxType(7)});
  return success();
}

} // namespace

void mlir::loom::onnx_import::registerQuantOps(OpTable &t) {
  t.add("", "ConvInteger", 10, convInteger);
  t.add("", "QLinearConv", 10, qlinearConv);
  t.add("", "QuantizeLinear", 10, quantizeLinear);
  t.add("", "QuantizeLinear", 13, quantizeLinear);
  t.add("", "DequantizeLinear", 10, dequantizeLinear);
  t.add("", "DequantizeLinear", 13, dequantizeLinear);
  t.add("", "DynamicQuantizeLinear", 11, dynamicQuantizeLinear);
  t.add("", "MatMulInteger", 10, matMulInteger);
  t.add("", "QLinearMatMul", 10, qlinearMatMul);
  t.add("com.microsoft", "MatMulNBits", 1, matMulNBits);
}
