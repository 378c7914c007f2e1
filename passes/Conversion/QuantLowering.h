//===- QuantLowering.h - Helpers of the loom_quant lowering ----*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Shared by the lowerings of the loom_quant ops: the indexing maps that read
// a scale or zero point for an element, and the per-element arithmetic
// (quantize, dequantize, 4-bit nibbles, 8-bit floats) emitted inside
// linalg.generic bodies. Internal to passes/Conversion.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_CONVERSION_QUANTLOWERING_H
#define LOOM_PASSES_CONVERSION_QUANTLOWERING_H

#include "dialects/quant/QuantDialect.h"

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::loom::quant {

class MatmulOp;

/// The map from the loops of a generic to the scale (or zero point) tensor
/// `paramType` of `scheme`, given the logical element's index along each
/// data dimension as an expression of those loops.
AffineMap getParamMap(SchemeAttr scheme, RankedTensorType paramType,
                      ArrayRef<AffineExpr> logicalIdx, unsigned numLoops);

/// The map from the loops to the stored tensor: the logical index, with the
/// innermost one halved for packed storage.
AffineMap getStoredMap(SchemeAttr scheme, ArrayRef<AffineExpr> logicalIdx,
                       unsigned numLoops);

/// Integer values of tensors are signless in arith; signed/unsigned tensor
/// element types (ui8) are bridged with a cast that the LLVM conversion
/// folds away (both sides become the same LLVM integer).
Value toSignless(OpBuilder &b, Location loc, Value v);
Value fromSignless(OpBuilder &b, Location loc, Value v, Type to);

/// `v` converted to the float type `to` (extf, truncf or nothing).
Value castFloat(OpBuilder &b, Location loc, Value v, Type to);

/// The real value of one stored element as f32, before zero point and
/// scale: the stored integer (sign-extended for signed storage) or the
/// decoded 8-bit float. `parity` (an index, 0 or 1) picks the nibble of a
/// packed byte; null when not packed.
Value emitStoredToF32(OpBuilder &b, Location loc, SchemeAttr scheme,
                      Value stored, Value parity);

/// `(stored - zp) * scale` in f32; `zp` may be null.
Value emitDequantize(OpBuilder &b, Location loc, SchemeAttr scheme,
                     Value stored, Value parity, Value scale, Value zp);

/// Quantizes the f32 `x` with f32 `scale` and the raw zero point `zp` (or
/// null): returns a signless integer of the storage width, or the 8-bit
/// float.
Value emitQuantize(OpBuilder &b, Location loc, SchemeAttr scheme, Value x,
                   Value scale, Value zp);

/// 8-bit float codecs by integer arithmetic (LLVM has no f8 types): the
/// decode of a f8E4M3FN/f8E5M2 value to f32, and the round-to-nearest-even
/// encode from f32 that saturates to the largest finite value (ONNX's
/// saturate=1) and keeps NaN.
Value emitF8ToF32(OpBuilder &b, Location loc, Value v);
Value emitF32ToF8(OpBuilder &b, Location loc, Value x, Type f8Type);

/// The largest finite value of an 8-bit float storage.
double getF8Max(StorageType storage);

/// Builds a generic that quantizes `x` into a tensor of `resultType`
/// (packed or not), reading `scale`/`zp` (zp may be null) per the scheme.
Value buildQuantizeTensor(OpBuilder &b, Location loc, SchemeAttr scheme,
                          Value x, Value scale, Value zp,
                          RankedTensorType resultType);

/// Pieces shared by the product lowerings of loom_quant.matmul (integer and
/// FP8; QuantProductCommon.cpp): a product of the stored values on [M, K]
/// with the batch dimensions collapsed into M, and an elementwise epilogue
/// over [..., M, N] that reads the scales.

/// Whether the scales (and zero points) of `scheme` do not vary along K
/// (`kAxis`, the index of K among the operand's logical dimensions): per
/// tensor, or per channel along another axis.
bool isScaleConstantAlongK(SchemeAttr scheme, int64_t kAxis);

/// What a product lowering reads of a loom_quant.matmul: matched when the
/// op has an input scale and scheme, an input of rank 2 or more, both
/// stored operands pass `isStored` and both schemes pass `alongK` (given
/// the index of K among that operand's dimensions).
struct ProductOperands {
  Value a, w, aScale, wScale;
  SchemeAttr aScheme, wScheme;
  RankedTensorType resultType;
  int64_t rank;
  bool transposed;
};
std::optional<ProductOperands>
matchProductOperands(MatmulOp op, function_ref<bool(Value)> isStored,
                     function_ref<bool(SchemeAttr, int64_t)> alongK);

/// N of the product: static from the result type, else the weight's size.
OpFoldResult getProductN(OpBuilder &b, Location loc, const ProductOperands &p);

/// `a` ([..., M, K]) collapsed to [M', K]; `a` itself when of rank 2.
Value collapseBatchIntoRows(OpBuilder &b, Location loc, Value a);

/// The contraction `sum_k ext(a2[m, k]) * ext(w[k, n])` (w read as [N, K]
/// when `transposed`) into a zero-filled [mSize, nSize] tensor of `accType`
/// (f32: addf/mulf, an integer: addi/muli). `ext(nb, nl, operand, v)`
/// widens the stored element `v` of operand 0 (a2) or 1 (w) to `accType`.
Value buildProductContraction(
    OpBuilder &b, Location loc, Value a2, Value w, bool transposed,
    OpFoldResult mSize, OpFoldResult nSize, Type accType,
    function_ref<Value(OpBuilder &, Location, unsigned, Value)> ext);

/// The sizes [..., M, N] of the epilogue for the input `a` ([..., M, K]),
/// and how [M', N] expands to them.
struct BatchedOutput {
  SmallVector<OpFoldResult> sizes;
  SmallVector<int64_t> shape;
  ReassociationIndices rows;
};
BatchedOutput getBatchedOutput(OpBuilder &b, Location loc, Value a,
                               OpFoldResult nSize);

/// `v` ([M', N], or [M'] with `dropN`) expanded back to the batched shape;
/// `v` itself when there is no batch dimension.
Value expandBatchRows(OpBuilder &b, Location loc, const BatchedOutput &out,
                      Value v, bool dropN = false);

/// The logical index of the input's and the weight's scale elements for the
/// epilogue's loops (batch..., m, n) of a product of rank `rank`: K indexes
/// neither scale, a constant stands in for it.
struct EpilogueIndex {
  SmallVector<AffineExpr> batchM, aIdx, wIdx;
  AffineExpr nOut;
};
EpilogueIndex getEpilogueIndex(MLIRContext *ctx, int64_t rank, bool transposed);

/// The epilogue's maps for the product (identity) and the two scales.
SmallVector<AffineMap> getProductScaleMaps(OpBuilder &b,
                                           const ProductOperands &p,
                                           const EpilogueIndex &idx);

/// The epilogue generic over `out.sizes`: reads `ins` (the product, the
/// input scale, the weight scale, then any others) through `maps` (the
/// output's identity map included), computes the f32 value of the product
/// with `valueF32(nb, nl, args)`, multiplies it by both scales and yields it
/// as `resultType`'s element; cast to `resultType` where the static shapes
/// differ.
Value buildScaleEpilogue(
    OpBuilder &b, Location loc, RankedTensorType resultType,
    const BatchedOutput &out, ValueRange ins, ArrayRef<AffineMap> maps,
    function_ref<Value(OpBuilder &, Location, ValueRange)> valueF32);

/// Replaces a loom_quant.matmul by one contraction linalg.generic.
LogicalResult lowerQuantMatmul(RewriterBase &rewriter, MatmulOp op);

/// Replaces a loom_quant.matmul with 8-bit integer input and weight (scales
/// constant along K) by an i8 x i8 -> i32 contraction on [M, K] (batch
/// dimensions collapsed) and an elementwise epilogue (zero-point
/// corrections, scales); fails, changing nothing, for other schemes. With
/// `signedActivations`, unsigned input bytes with a zero point are re-centred
/// (a xor 0x80, zero point minus 128) so that the product is signed x signed.
LogicalResult lowerQuantMatmulIntegerProduct(RewriterBase &rewriter,
                                             MatmulOp op,
                                             bool signedActivations = false);

/// Replaces a loom_quant.matmul with f8E4M3FN input and weight (scales
/// constant along K, no zero points) by an `extf(a) * extf(w)` f32
/// contraction on [M, K] (batch dimensions collapsed) and an elementwise
/// epilogue that multiplies by both scales; fails, changing nothing, for
/// other schemes.
LogicalResult lowerQuantMatmulF8Product(RewriterBase &rewriter, MatmulOp op);

} // namespace mlir::loom::quant

#endif // LOOM_PASSES_CONVERSION_QUANTLOWERING_H
