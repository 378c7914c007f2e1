//===- MoeWeights.cpp - Expert weights stacked for loom_moe ---------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "passes/Transforms/MoeWeights.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <cstring>

using namespace mlir;

namespace {

/// The raw bytes of a dense float constant, when it has them: inline
/// (small) or a resource blob (the importer's large initializers).
std::optional<ArrayRef<char>> constantBytes(Value v) {
  Attribute value;
  if (!matchPattern(v, m_Constant(&value)))
    return std::nullopt;
  if (auto res = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob || !isa<FloatType>(res.getElementType()))
      return std::nullopt;
    return blob->getData();
  }
  auto fp = dyn_cast<DenseIntOrFPElementsAttr>(value);
  if (!fp || fp.isSplat() || !isa<FloatType>(fp.getElementType()))
    return std::nullopt;
  return fp.getRawData();
}

} // namespace

Value mlir::loom::stackExpertWeights(OpBuilder &b, Location loc,
                                     ArrayRef<match::Matmul> mms) {
  auto wt = cast<RankedTensorType>(mms[0].rhs.getType());
  bool tr = mms[0].transposedRhs;
  int64_t K = wt.getDimSize(tr ? 1 : 0), N = wt.getDimSize(tr ? 0 : 1);
  int64_t E = mms.size();
  Type et = wt.getElementType();
  auto stacked = RankedTensorType::get({E, K, N}, et);
  unsigned bytes = et.getIntOrFloatBitWidth() / 8;
  bool allConst = bytes > 0 && wt.hasStaticShape() &&
                  llvm::all_of(mms, [&](const match::Matmul &m) {
                    std::optional<ArrayRef<char>> d = constantBytes(m.rhs);
                    return d && (int64_t)d->size() == K * N * bytes;
                  });
  if (allConst) {
    std::vector<char> buf(E * K * N * bytes);
    for (int64_t e = 0; e < E; ++e) {
      ArrayRef<char> src = *constantBytes(mms[e].rhs);
      for (int64_t kk = 0; kk < K; ++kk)
        for (int64_t n = 0; n < N; ++n) {
          int64_t from = tr ? n * K + kk : kk * N + n;
          std::memcpy(&buf[((e * K + kk) * N + n) * bytes], &src[from * bytes],
                      bytes);
        }
    }
    Attribute w0;
    matchPattern(mms[0].rhs, m_Constant(&w0));
    if (isa<DenseResourceElementsAttr>(w0)) {
      auto attr = DenseResourceElementsAttr::get(
          stacked, "moe_stacked_weights",
          HeapAsmResourceBlob::allocateAndCopyWithAlign(buf, bytes));
      return arith::ConstantOp::create(b, loc, stacked, attr);
    }
    auto attr = DenseElementsAttr::getFromRawBuffer(stacked, buf);
    return arith::ConstantOp::create(b, loc, attr);
  }
  SmallVector<Value> parts;
  for (const match::Matmul &m : mms) {
    Value w = m.rhs;
    if (tr) {
      Value init = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{K, N}, et);
      w = linalg::TransposeOp::create(b, loc, w, init, ArrayRef<int64_t>{1, 0})
              .getResult()[0];
    }
    auto t3 = RankedTensorType::get({1, K, N}, et);
    parts.push_back(tensor::ExpandShapeOp::create(
        b, loc, t3, w, SmallVector<ReassociationIndices>{{0, 1}, {2}}));
  }
  return tensor::ConcatOp::create(b, loc, /*dim=*/0, parts);
}
