//===- QuantMatmulF8Product.cpp - FP8 matmul as an f8 x f8 product -------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The form of loom_quant.matmul for targets with FP8 tensor cores
// (loom-convert-quant-to-linalg{f8-product}, set by the NVIDIA pipeline on
// sm_89 and newer): with f8E4M3FN input and weight whose scales do not vary
// along K,
//
//   sum_k (a * sa) * (w * sw) = (sum_k a * w) * sa * sw
//
// so the product is a 2-d contraction of the stored 8-bit floats,
// `extf(a) * extf(w)` accumulated in f32 over [M, K] x [K, N] (or N x K)
// with the batch dimensions collapsed into M, which the tensor-core pass
// takes as is, and the two scales are an elementwise epilogue over
// [..., M, N]. Every product of two e4m3 values is exact in f32 (4-bit
// significands), so the sums differ from the dequantizing contraction only
// in where the scales are rounded in. The `arith.extf` from f8 has no LLVM
// lowering: whatever the tensor-core pass leaves is expanded by
// loom-expand-f8-extf into the same integer decode as the dequantizing
// lowering uses.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/QuantLowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loom::quant;

namespace {

/// An unpacked f8E4M3FN scheme without zero point whose scale does not vary
/// along K (`kAxis`, the index of K among the operand's dimensions).
bool isE4M3AlongK(SchemeAttr scheme, int64_t kAxis) {
  return !(scheme.getStorage() != StorageType::f8E4M3FN || scheme.getPacked() ||
           scheme.getHasZeroPoint()) &&
         isScaleConstantAlongK(scheme, kAxis);
}

bool isE4M3Tensor(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && isa<Float8E4M3FNType>(type.getElementType());
}

} // namespace

LogicalResult
mlir::loom::quant::lowerQuantMatmulF8Product(RewriterBase &rewriter,
                                             MatmulOp op) {
  if (op.getInputZeroPoint() || op.getWeightZeroPoint())
    return failure();
  std::optional<ProductOperands> p =
      matchProductOperands(op, isE4M3Tensor, isE4M3AlongK);
  if (!p)
    return failure();

  OpBuilder &b = rewriter;
  Location loc = op.getLoc();
  Type f32 = b.getF32Type();

  // [..., M, K] -> [M', K].
  Value a2 = collapseBatchIntoRows(b, loc, p->a);
  OpFoldResult mSize = tensor::getMixedSize(b, loc, a2, 0);
  OpFoldResult nSize = getProductN(b, loc, *p);

  // The f32 product of the stored values.
  Value product = buildProductContraction(
      b, loc, a2, p->w, p->transposed, mSize, nSize, f32,
      [&](OpBuilder &nb, Location nl, unsigned, Value v) -> Value {
        return arith::ExtFOp::create(nb, nl, f32, v);
      });

  // Back to [..., M, N] for the epilogue, whose loops are (batch..., m, n).
  BatchedOutput out = getBatchedOutput(b, loc, p->a, nSize);
  product = expandBatchRows(b, loc, out, product);

  // K does not index either scale (isE4M3AlongK).
  EpilogueIndex idx = getEpilogueIndex(b.getContext(), p->rank, p->transposed);
  SmallVector<AffineMap> maps = getProductScaleMaps(b, *p, idx);
  maps.push_back(b.getMultiDimIdentityMap(p->rank));
  Value result = buildScaleEpilogue(
      b, loc, p->resultType, out, ValueRange{product, p->aScale, p->wScale},
      maps, [](OpBuilder &, Location, ValueRange args) { return args[0]; });
  rewriter.replaceOp(op, result);
  return success();
}
