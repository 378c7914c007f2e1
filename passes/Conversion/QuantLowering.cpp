//===- QuantLowering.cpp - Scalar and indexing helpers for loom_quant -----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/QuantLowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;
using namespace mlir::loom::quant;

//===----------------------------------------------------------------------===//
// Indexing
//===----------------------------------------------------------------------===//

AffineMap mlir::loom::quant::getParamMap(SchemeAttr scheme,
                                         RankedTensorType paramType,
                                         ArrayRef<AffineExpr> logicalIdx,
                                         unsigned numLoops) {
  MLIRContext *ctx = paramType.getContext();
  SmallVector<AffineExpr> exprs;
  switch (scheme.getGranularity()) {
  case Granularity::per_tensor:
    // A scalar tensor or a tensor<1xT>: every element reads the only value.
    if (paramType.getRank() == 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    break;
  case Granularity::per_channel:
    exprs.push_back(logicalIdx[scheme.getAxis()]);
    break;
  case Granularity::per_group:
    exprs.assign(logicalIdx.begin(), logicalIdx.end());
    exprs[scheme.getAxis()] =
        exprs[scheme.getAxis()].floorDiv(scheme.getGroupSize());
    break;
  }
  return AffineMap::get(numLoops, 0, exprs, ctx);
}

AffineMap mlir::loom::quant::getStoredMap(SchemeAttr scheme,
                                          ArrayRef<AffineExpr> logicalIdx,
                                          unsigned numLoops) {
  SmallVector<AffineExpr> exprs(logicalIdx);
  if (scheme.getPacked())
    exprs.back() = exprs.back().floorDiv(2);
  return AffineMap::get(numLoops, 0, exprs, scheme.getContext());
}

//===----------------------------------------------------------------------===//
// Scalar conversions
//===----------------------------------------------------------------------===//

Value mlir::loom::quant::toSignless(OpBuilder &b, Location loc, Value v) {
  auto intType = dyn_cast<IntegerType>(v.getType());
  if (!intType || intType.isSignless())
    return v;
  Type signless = IntegerType::get(b.getContext(), intType.getWidth());
  return UnrealizedConversionCastOp::create(b, loc, signless, v).getResult(0);
}

Value mlir::loom::quant::fromSignless(OpBuilder &b, Location loc, Value v,
                                      Type to) {
  if (v.getType() == to)
    return v;
  return UnrealizedConversionCastOp::create(b, loc, to, v).getResult(0);
}

Value mlir::loom::quant::castFloat(OpBuilder &b, Location loc, Value v,
                                   Type to) {
  Type from = v.getType();
  if (from == to)
    return v;
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth == toWidth) // f16 <-> bf16 goes through f32.
    return arith::TruncFOp::create(
        b, loc, to, arith::ExtFOp::create(b, loc, b.getF32Type(), v));
  if (fromWidth < toWidth)
    return arith::ExtFOp::create(b, loc, to, v);
  return arith::TruncFOp::create(b, loc, to, v);
}

static Value cstI32(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
}
static Value cstF32(OpBuilder &b, Location loc, double v) {
  return arith::ConstantFloatOp::create(b, loc, b.getF32Type(),
                                        APFloat(float(v)));
}

/// The stored integer (zero point or element) as f32, extended by the
/// storage's signedness.
static Value intToF32(OpBuilder &b, Location loc, SchemeAttr scheme, Value v) {
  v = toSignless(b, loc, v);
  if (v.getType().getIntOrFloatBitWidth() < 32)
    v = scheme.isSignedStorage()
            ? (Value)arith::ExtSIOp::create(b, loc, b.getI32Type(), v)
            : (Value)arith::ExtUIOp::create(b, loc, b.getI32Type(), v);
  return arith::SIToFPOp::create(b, loc, b.getF32Type(), v);
}

//===----------------------------------------------------------------------===//
// 8-bit floats
//===----------------------------------------------------------------------===//

namespace {
/// Layout of an 8-bit float: mantissa bits, exponent bias.
struct F8Format {
  unsigned mantBits;
  int bias;
  bool hasInf; // E5M2 is IEEE-like; E4M3FN has only NaN at S.1111.111.
};
F8Format getF8Format(Type t) {
  if (isa<Float8E5M2Type>(t))
    return {2, 15, true};
  return {3, 7, false};
}
} // namespace

double mlir::loom::quant::getF8Max(StorageType storage) {
  return storage == StorageType::f8E5M2 ? 57344.0 : 448.0;
}

Value mlir::loom::quant::emitF8ToF32(OpBuilder &b, Location loc, Value v) {
  F8Format fmt = getF8Format(v.getType());
  unsigned expBits = 7 - fmt.mantBits;
  Value byte = arith::BitcastOp::create(b, loc, b.getI8Type(), v);
  Value bits = arith::ExtUIOp::create(b, loc, b.getI32Type(), byte);
  Value mant = arith::AndIOp::create(b, loc, bits,
                                     cstI32(b, loc, (1 << fmt.mantBits) - 1));
  Value exp = arith::AndIOp::create(
      b, loc,
      arith::ShRUIOp::create(b, loc, bits, cstI32(b, loc, fmt.mantBits)),
      cstI32(b, loc, (1 << expBits) - 1));
  Value zero = cstI32(b, loc, 0);
  Value isSubnormal =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, exp, zero);
  // value = significand * 2^(max(exp, 1) - bias - mantBits), both exact in f32.
  Value significand = arith::SelectOp::create(
      b, loc, isSubnormal, mant,
      arith::OrIOp::create(b, loc, mant, cstI32(b, loc, 1 << fmt.mantBits)));
  Value unbiased = arith::SubIOp::create(
      b, loc, arith::MaxSIOp::create(b, loc, exp, cstI32(b, loc, 1)),
      cstI32(b, loc, fmt.bias + fmt.mantBits - 127));
  Value pow2 = arith::BitcastOp::create(
      b, loc, b.getF32Type(),
      arith::ShLIOp::create(b, loc, unbiased, cstI32(b, loc, 23)));
  Value mag = arith::MulFOp::create(
      b, loc, arith::UIToFPOp::create(b, loc, b.getF32Type(), significand),
      pow2);

  int maxExp = (1 << expBits) - 1;
  Value expAllOnes = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                           exp, cstI32(b, loc, maxExp));
  Value nan = cstF32(b, loc, std::nan(""));
  if (fmt.hasInf) {
    Value isInf =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, mant, zero);
    Value special =
        arith::SelectOp::create(b, loc, isInf, cstF32(b, loc, INFINITY), nan);
    mag = arith::SelectOp::create(b, loc, expAllOnes, special, mag);
  } else {
    Value mantAllOnes =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, mant,
                              cstI32(b, loc, (1 << fmt.mantBits) - 1));
    mag = arith::SelectOp::create(
        b, loc, arith::AndIOp::create(b, loc, expAllOnes, mantAllOnes), nan,
        mag);
  }
  Value negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                         bits, cstI32(b, loc, 0x80));
  return arith::SelectOp::create(b, loc, negative,
                                 arith::NegFOp::create(b, loc, mag), mag);
}

Value mlir::loom::quant::emitF32ToF8(OpBuilder &b, Location loc, Value x,
                                     Type f8Type) {
  F8Format fmt = getF8Format(f8Type);
  double maxFinite = isa<Float8E5M2Type>(f8Type) ? 57344.0 : 448.0;
  Value bits = arith::BitcastOp::create(b, loc, b.getI32Type(), x);
  Value sign = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, bits, cstI32(b, loc, 24)),
      cstI32(b, loc, 0x80));
  Value ax = math::AbsFOp::create(b, loc, x);
  Value isNan =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, ax, ax);
  // Saturate (infinities included) to the largest finite value first, so
  // that rounding below can never reach the NaN/inf encodings.
  ax = arith::MinNumFOp::create(b, loc, ax, cstF32(b, loc, maxFinite));

  // Subnormals: a multiple of the smallest subnormal, rounded to even; the
  // count is the encoding itself (and reaching 1 << mantBits is exactly the
  // smallest normal's encoding).
  Value subScaled = arith::MulFOp::create(
      b, loc, ax, cstF32(b, loc, std::ldexp(1.0, fmt.bias - 1 + fmt.mantBits)));
  Value subCode = arith::FPToUIOp::create(
      b, loc, b.getI32Type(), math::RoundEvenOp::create(b, loc, subScaled));
  // Normals: round the f32 bits to mantBits (nearest, ties to even); the
  // carry moves into the exponent, then the exponent is rebiased.
  unsigned shift = 23 - fmt.mantBits;
  Value axBits = arith::BitcastOp::create(b, loc, b.getI32Type(), ax);
  Value lsb = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, axBits, cstI32(b, loc, shift)),
      cstI32(b, loc, 1));
  Value rounded = arith::AddIOp::create(
      b, loc, axBits,
      arith::AddIOp::create(b, loc, lsb,
                            cstI32(b, loc, (1 << (shift - 1)) - 1)));
  Value normCode = arith::SubIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, rounded, cstI32(b, loc, shift)),
      cstI32(b, loc, (127 - fmt.bias) << fmt.mantBits));

  Value isSub =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, ax,
                            cstF32(b, loc, std::ldexp(1.0, 1 - fmt.bias)));
  Value code = arith::SelectOp::create(b, loc, isSub, subCode, normCode);
  code = arith::SelectOp::create(b, loc, isNan, cstI32(b, loc, 0x7F), code);
  code = arith::OrIOp::create(b, loc, code, sign);
  Value byte = arith::TruncIOp::create(b, loc, b.getI8Type(), code);
  return arith::BitcastOp::create(b, loc, f8Type, byte);
}

//===----------------------------------------------------------------------===//
// Elements
//===----------------------------------------------------------------------===//

Value mlir::loom::quant::emitStoredToF32(OpBuilder &b, Location loc,
                                         SchemeAttr scheme, Value stored,
                                         Value parity) {
  if (scheme.isFloatStorage())
    return emitF8ToF32(b, loc, stored);
  Value v = toSignless(b, loc, stored);
  if (!parity)
    return intToF32(b, loc, scheme, v);
  // Element 2i is the low nibble, 2i+1 the high one: shift it down, then
  // sign-extend the nibble (shl + arithmetic shr) or mask it.
  Type i8 = b.getI8Type();
  Value shift = arith::MulIOp::create(
      b, loc, arith::IndexCastOp::create(b, loc, i8, parity),
      arith::ConstantIntOp::create(b, loc, i8, 4));
  Value nibble = arith::ShRUIOp::create(b, loc, v, shift);
  if (scheme.isSignedStorage()) {
    Value four = arith::ConstantIntOp::create(b, loc, i8, 4);
    nibble = arith::ShRSIOp::create(
        b, loc, arith::ShLIOp::create(b, loc, nibble, four), four);
  } else {
    nibble = arith::AndIOp::create(
        b, loc, nibble, arith::ConstantIntOp::create(b, loc, i8, 15));
  }
  return intToF32(b, loc, scheme, nibble);
}

Value mlir::loom::quant::emitDequantize(OpBuilder &b, Location loc,
                                        SchemeAttr scheme, Value stored,
                                        Value parity, Value scale, Value zp) {
  Value v = emitStoredToF32(b, loc, scheme, stored, parity);
  if (zp)
    v = arith::SubFOp::create(b, loc, v, intToF32(b, loc, scheme, zp));
  return arith::MulFOp::create(b, loc, v,
                               castFloat(b, loc, scale, b.getF32Type()));
}

Value mlir::loom::quant::emitQuantize(OpBuilder &b, Location loc,
                                      SchemeAttr scheme, Value x, Value scale,
                                      Value zp) {
  // A true division, as ONNX's reference computes x / y_scale.
  Value q = arith::DivFOp::create(b, loc, castFloat(b, loc, x, b.getF32Type()),
                                  castFloat(b, loc, scale, b.getF32Type()));
  if (scheme.isFloatStorage())
    return emitF32ToF8(b, loc, q, scheme.getStorageElementType(b.getContext()));
  q = math::RoundEvenOp::create(b, loc, q);
  if (zp)
    q = arith::AddFOp::create(b, loc, q, intToF32(b, loc, scheme, zp));
  // maxnum/minnum rather than maximum/minimum: a NaN saturates instead of
  // reaching fptosi (poison).
  q = arith::MaxNumFOp::create(b, loc, q, cstF32(b, loc, scheme.getQMin()));
  q = arith::MinNumFOp::create(b, loc, q, cstF32(b, loc, scheme.getQMax()));
  Value i = arith::FPToSIOp::create(b, loc, b.getI32Type(), q);
  return arith::TruncIOp::create(
      b, loc, b.getIntegerType(scheme.getStorageBitWidth()), i);
}

//===----------------------------------------------------------------------===//
// Quantizing a tensor
//===----------------------------------------------------------------------===//

/// Indices into the scale tensor for the element at `idx`, the explicit
/// form of getParamMap for bodies that gather.
static SmallVector<Value> getParamIndices(OpBuilder &b, Location loc,
                                          SchemeAttr scheme,
                                          RankedTensorType paramType,
                                          ArrayRef<Value> idx) {
  switch (scheme.getGranularity()) {
  case Granularity::per_tensor:
    if (paramType.getRank() == 1)
      return {arith::ConstantIndexOp::create(b, loc, 0)};
    return {};
  case Granularity::per_channel:
    return {idx[scheme.getAxis()]};
  case Granularity::per_group: {
    SmallVector<Value> out(idx);
    out[scheme.getAxis()] = arith::DivUIOp::create(
        b, loc, out[scheme.getAxis()],
        arith::ConstantIndexOp::create(b, loc, scheme.getGroupSize()));
    return out;
  }
  }
  return {};
}

Value mlir::loom::quant::buildQuantizeTensor(OpBuilder &b, Location loc,
                                             SchemeAttr scheme, Value x,
                                             Value scale, Value zp,
                                             RankedTensorType resultType) {
  int64_t rank = resultType.getRank();
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, x);
  if (scheme.getPacked()) {
    // ceil(L / 2) bytes hold L nibbles.
    if (!resultType.isDynamicDim(rank - 1)) {
      sizes.back() = b.getIndexAttr(resultType.getDimSize(rank - 1));
    } else {
      Value l = getValueOrCreateConstantIndexOp(b, loc, sizes.back());
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      sizes.back() = OpFoldResult(arith::ShRUIOp::create(
          b, loc, arith::AddIOp::create(b, loc, l, one), one));
    }
  }
  Value init =
      tensor::EmptyOp::create(b, loc, sizes, resultType.getElementType());
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  AffineMap id = b.getMultiDimIdentityMap(rank);
  auto scaleType = cast<RankedTensorType>(scale.getType());

  if (!scheme.getPacked()) {
    SmallVector<AffineExpr> dims;
    for (int64_t i = 0; i < rank; ++i)
      dims.push_back(b.getAffineDimExpr(i));
    SmallVector<Value> ins = {x, scale};
    SmallVector<AffineMap> maps = {id,
                                   getParamMap(scheme, scaleType, dims, rank)};
    if (zp) {
      ins.push_back(zp);
      maps.push_back(getParamMap(scheme, scaleType, dims, rank));
    }
    maps.push_back(id);
    auto generic = linalg::GenericOp::create(
        b, loc, init.getType(), ins, ValueRange{init}, maps, iters,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value q = emitQuantize(nb, nl, scheme, args[0], args[1],
                                 zp ? args[2] : Value());
          linalg::YieldOp::create(
              nb, nl, fromSignless(nb, nl, q, resultType.getElementType()));
        });
    return generic.getResult(0);
  }

  // Packed: each output byte gathers its two input elements (and their
  // parameters, which differ when the axis is the innermost one).
  Value lastSize = getValueOrCreateConstantIndexOp(
      b, loc, tensor::getMixedSize(b, loc, x, rank - 1));
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), ValueRange{}, ValueRange{init}, {id}, iters,
      [&](OpBuilder &nb, Location nl, ValueRange) {
        SmallVector<Value> idx;
        for (int64_t i = 0; i < rank; ++i)
          idx.push_back(linalg::IndexOp::create(nb, nl, i));
        Value one = arith::ConstantIndexOp::create(nb, nl, 1);
        Value lo = arith::ShLIOp::create(nb, nl, idx.back(), one);
        Value hi = arith::AddIOp::create(nb, nl, lo, one);
        Value hiValid = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ult,
                                              hi, lastSize);
        hi = arith::SelectOp::create(nb, nl, hiValid, hi, lo);
        auto quantAt = [&](Value last) {
          SmallVector<Value> at(idx);
          at.back() = last;
          Value xv = tensor::ExtractOp::create(nb, nl, x, at);
          SmallVector<Value> pIdx =
              getParamIndices(nb, nl, scheme, scaleType, at);
          Value sv = tensor::ExtractOp::create(nb, nl, scale, pIdx);
          Value zv =
              zp ? (Value)tensor::ExtractOp::create(nb, nl, zp, pIdx) : Value();
          Value q = emitQuantize(nb, nl, scheme, xv, sv, zv);
          return arith::ExtUIOp::create(nb, nl, nb.getI8Type(), q);
        };
        Value loByte = quantAt(lo);
        Value hiByte = arith::ShLIOp::create(
            nb, nl, quantAt(hi),
            arith::ConstantIntOp::create(nb, nl, nb.getI8Type(), 4));
        hiByte = arith::SelectOp::create(
            nb, nl, hiValid, hiByte,
            arith::ConstantIntOp::create(nb, nl, nb.getI8Type(), 0));
        Value byte = arith::OrIOp::create(nb, nl, loByte, hiByte);
        linalg::YieldOp::create(
            nb, nl, fromSignless(nb, nl, byte, resultType.getElementType()));
      });
  return generic.getResult(0);
}
