//===- QuantMatmulIntegerProduct.cpp - W8A8 matmul as an integer product --===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The form of loom_quant.matmul for targets with 8-bit integer tensor cores
// (loom-convert-quant-to-linalg{integer-product}, set by the NVIDIA and AMD
// pipelines): with 8-bit integer input and weight,
//
//   sum_k (a - za)(w - zw) = sum_k a*w - za * colsum(w) - zw * rowsum(a)
//                            + K * za * zw
//
// so the product is a 2-d contraction of the raw bytes, `ext(a) * ext(w)`
// accumulated in i32 over [M, K] x [K, N] (or N x K) with the batch
// dimensions collapsed into M, which the tensor-core pass takes as is. The
// zero-point corrections (column sums of the weight, row sums of the input,
// each only when the other side has a zero point; a constant weight's
// column sums are computed here) and the two scales are an elementwise
// epilogue over [..., M, N]. i32 sums are exact, so the
// result is the ONNX MatMulInteger value times the scales, rounded once.
// Per-group scales along K cannot be factored out of the sum: those (and
// 8-bit floats, 4-bit storage) keep the dequantizing f32 contraction.
// With signed-activations (AMD's integer MFMA is signed x signed), unsigned
// input bytes with a zero point are re-centred first, a xor 0x80 = a - 128
// as i8, and the zero point is za - 128: a - za is the same i32 value.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/QuantLowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::loom::quant;

namespace {

bool isSignlessI8Tensor(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.getElementType().isSignlessInteger(8);
}

/// An 8-bit integer scheme whose scale does not vary along K (`kAxis`, the
/// index of K among the operand's logical dimensions).
bool isIntegerAlongK(SchemeAttr scheme, int64_t kAxis) {
  return !(scheme.isFloatStorage() || scheme.getPacked() ||
           scheme.getStorageBitWidth() != 8) &&
         isScaleConstantAlongK(scheme, kAxis);
}

/// How an 8-bit value widens to i32: as its scheme stores it, as signed (a
/// re-centred input's bytes), or re-centred first (`v xor 0x80` read as i8
/// is v - 128, for unsigned storage).
enum class Ext { Storage, Signed, Recentred };

Value extTo32(OpBuilder &b, Location loc, SchemeAttr scheme, Value v,
              Ext mode = Ext::Storage) {
  v = toSignless(b, loc, v);
  Type i32 = b.getI32Type();
  if (v.getType() == i32)
    return v;
  if (mode == Ext::Recentred) {
    Value bit = arith::ConstantIntOp::create(b, loc, v.getType(), 0x80);
    v = arith::XOrIOp::create(b, loc, v, bit);
  }
  if (mode != Ext::Storage)
    return arith::ExtSIOp::create(b, loc, i32, v);
  if (scheme.isSignedStorage())
    return arith::ExtSIOp::create(b, loc, i32, v);
  return arith::ExtUIOp::create(b, loc, i32, v);
}

/// `sum over k of ext(x)` into a zero-filled i32 tensor of `sizes`.
Value buildSums(OpBuilder &b, Location loc, SchemeAttr scheme, Value x,
                AffineMap xMap, ArrayRef<OpFoldResult> sizes,
                Ext mode = Ext::Storage) {
  MLIRContext *ctx = b.getContext();
  Value zero = arith::ConstantIntOp::create(b, loc, b.getI32Type(), 0);
  Value empty = tensor::EmptyOp::create(b, loc, sizes, b.getI32Type());
  Value init = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  AffineMap outMap = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{x}, ValueRange{init},
             {xMap, outMap},
             {utils::IteratorType::parallel, utils::IteratorType::reduction},
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(
                   nb, nl,
                   arith::AddIOp::create(nb, nl, args[1],
                                         extTo32(nb, nl, scheme, args[0], mode))
                       .getResult());
             })
      .getResult(0);
}

/// The sums over K of each output channel of a constant weight ([K, N], or
/// [N, K] when `transposed`), computed at compile time: the column sums of
/// a model's weights are constants, not a kernel to run on every call.
std::optional<SmallVector<int32_t>> getConstantSums(Value w, bool transposed,
                                                    bool isSigned) {
  Attribute attr;
  auto type = cast<RankedTensorType>(w.getType());
  if (!matchPattern(w, m_Constant(&attr)) || !type.hasStaticShape())
    return std::nullopt;
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  SmallVector<uint8_t> bytes;
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    for (const APInt &v : dense.getValues<APInt>())
      bytes.push_back(uint8_t(v.getZExtValue()));
  } else if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    ArrayRef<char> data = blob->getData();
    bytes.assign(data.begin(), data.end());
  }
  if (int64_t(bytes.size()) != rows * cols)
    return std::nullopt;
  SmallVector<int32_t> sums(transposed ? rows : cols, 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      uint8_t byte = bytes[r * cols + c];
      sums[transposed ? r : c] += isSigned ? int32_t(int8_t(byte)) : byte;
    }
  return sums;
}

} // namespace

LogicalResult mlir::loom::quant::lowerQuantMatmulIntegerProduct(
    RewriterBase &rewriter, MatmulOp op, bool signedActivations) {
  std::optional<ProductOperands> p =
      matchProductOperands(op, isSignlessI8Tensor, isIntegerAlongK);
  if (!p)
    return failure();
  Value a = p->a, w = p->w, aScale = p->aScale;
  SchemeAttr aScheme = p->aScheme, wScheme = p->wScheme;
  RankedTensorType resultType = p->resultType;
  int64_t aRank = p->rank;
  bool transposed = p->transposed;

  OpBuilder &b = rewriter;
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  Type i32 = b.getI32Type(), f32 = b.getF32Type();
  Value aZp = op.getInputZeroPoint(), wZp = op.getWeightZeroPoint();
  // Unsigned activations with a zero point, for a signed x signed product:
  // a - za == (a - 128) - (za - 128), every input-side byte (the product's,
  // the row sums', the zero point) is taken as its value minus 128.
  // The re-centred bytes are an elementwise op of their own before the
  // product, whose body stays `ext(a) * ext(w)` for the tensor-core passes.
  bool recentre = signedActivations && aZp && !aScheme.isSignedStorage();
  Ext aExt = recentre ? Ext::Signed : Ext::Storage;

  // [..., M, K] -> [M', K].
  Value a2 = collapseBatchIntoRows(b, loc, a);
  if (recentre) {
    auto a2Type = cast<RankedTensorType>(a2.getType());
    SmallVector<OpFoldResult> a2Sizes = tensor::getMixedSizes(b, loc, a2);
    Value out =
        tensor::EmptyOp::create(b, loc, a2Sizes, a2Type.getElementType());
    AffineMap id2 = b.getMultiDimIdentityMap(2);
    a2 = linalg::GenericOp::create(
             b, loc, out.getType(), ValueRange{a2}, ValueRange{out}, {id2, id2},
             {utils::IteratorType::parallel, utils::IteratorType::parallel},
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value bit = arith::ConstantIntOp::create(
                   nb, nl, args[0].getType(), 0x80);
               linalg::YieldOp::create(
                   nb, nl,
                   arith::XOrIOp::create(nb, nl, args[0], bit).getResult());
             })
             .getResult(0);
  }
  OpFoldResult mSize = tensor::getMixedSize(b, loc, a2, 0);
  OpFoldResult kSize = tensor::getMixedSize(b, loc, a2, 1);
  OpFoldResult nSize = getProductN(b, loc, *p);

  // The i32 product of the raw bytes.
  Value product = buildProductContraction(
      b, loc, a2, w, transposed, mSize, nSize, i32,
      [&](OpBuilder &nb, Location nl, unsigned operand, Value v) {
        return operand == 0 ? extTo32(nb, nl, aScheme, v, aExt)
                            : extTo32(nb, nl, wScheme, v);
      });

  // Zero-point corrections: column sums of the weight (times za), row sums
  // of the input (times zw); loops (i, k) with i the kept dimension.
  AffineExpr i = getAffineDimExpr(0, ctx), kk = getAffineDimExpr(1, ctx);
  Value colSums, rowSums;
  std::optional<SmallVector<int32_t>> constantColSums;
  if (aZp)
    constantColSums = getConstantSums(w, transposed, wScheme.isSignedStorage());
  if (constantColSums)
    colSums = arith::ConstantOp::create(
        b, loc,
        DenseIntElementsAttr::get(
            RankedTensorType::get({int64_t(constantColSums->size())}, i32),
            ArrayRef<int32_t>(*constantColSums)));
  else if (aZp)
    colSums = buildSums(b, loc, wScheme, w,
                        AffineMap::get(2, 0,
                                       transposed ? ArrayRef<AffineExpr>{i, kk}
                                                  : ArrayRef<AffineExpr>{kk, i},
                                       ctx),
                        {nSize});
  if (wZp)
    rowSums = buildSums(b, loc, aScheme, a2, AffineMap::get(2, 0, {i, kk}, ctx),
                        {mSize}, aExt);

  // Back to [..., M, N] for the epilogue, whose loops are (batch..., m, n).
  BatchedOutput out = getBatchedOutput(b, loc, a, nSize);
  product = expandBatchRows(b, loc, out, product);
  if (rowSums)
    rowSums = expandBatchRows(b, loc, out, rowSums, /*dropN=*/true);

  // K does not index any scale used here (isIntegerAlongK).
  EpilogueIndex idx = getEpilogueIndex(ctx, aRank, transposed);
  auto mapE = [&](ArrayRef<AffineExpr> e) {
    return AffineMap::get(aRank, 0, e, ctx);
  };
  auto aParamType = cast<RankedTensorType>(aScale.getType());
  auto wParamType = cast<RankedTensorType>(p->wScale.getType());
  SmallVector<Value> ins = {product, aScale, p->wScale};
  SmallVector<AffineMap> maps = getProductScaleMaps(b, *p, idx);
  if (aZp) {
    ins.append({aZp, colSums});
    maps.append(
        {getParamMap(aScheme, aParamType, idx.aIdx, aRank), mapE(idx.nOut)});
  }
  if (wZp) {
    ins.append({wZp, rowSums});
    maps.append(
        {getParamMap(wScheme, wParamType, idx.wIdx, aRank), mapE(idx.batchM)});
  }
  maps.push_back(b.getMultiDimIdentityMap(aRank));
  Value kI32;
  if (aZp && wZp)
    kI32 = arith::IndexCastOp::create(
        b, loc, i32, getValueOrCreateConstantIndexOp(b, loc, kSize));
  Value result = buildScaleEpilogue(
      b, loc, resultType, out, ins, maps,
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value v = args[0];
        unsigned next = 3;
        Value za, zw;
        if (aZp) {
          za = extTo32(nb, nl, aScheme, args[next],
                       recentre ? Ext::Recentred : Ext::Storage);
          v = arith::SubIOp::create(
              nb, nl, v, arith::MulIOp::create(nb, nl, za, args[next + 1]));
          next += 2;
        }
        if (wZp) {
          zw = extTo32(nb, nl, wScheme, args[next]);
          v = arith::SubIOp::create(
              nb, nl, v, arith::MulIOp::create(nb, nl, zw, args[next + 1]));
          next += 2;
        }
        if (za && zw)
          v = arith::AddIOp::create(
              nb, nl, v,
              arith::MulIOp::create(nb, nl, kI32,
                                    arith::MulIOp::create(nb, nl, za, zw)));
        // MatMulInteger's value as f32, to be multiplied by both scales.
        return arith::SIToFPOp::create(nb, nl, f32, v);
      });
  rewriter.replaceOp(op, result);
  return success();
}
