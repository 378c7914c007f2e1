//===- MatMulOps.cpp - MatMul, Gemm, Einsum -------------------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Plain 2-D and equal-batch 3-D products become linalg.matmul /
// linalg.batch_matmul; numpy batch broadcasting, transposed Gemm operands and
// Einsum become one contraction linalg.generic (what the named ops
// generalize to anyway).
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "Importer.h"
#include "OpTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <map>

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

bool isF(Type t) { return isa<FloatType>(t); }

Value zeroFilled(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type et,
                 ValueRange dyn) {
  Value e = emptyTensor(b, loc, shape, et, dyn);
  return linalg::FillOp::create(b, loc, ValueRange{scalarConst(b, loc, et, 0)},
                                ValueRange{e})
      .getResult(0);
}

/// The accumulator type of a contraction of `et` operands: 16-bit floats
/// accumulate in f32 (as cuBLAS and PyTorch do; a bf16 sum of 2048 products
/// stops growing once it is 256 times a product) and are rounded to `et`
/// once, at the end.
Type accumulatorType(OpBuilder &b, Type et) {
  return (et.isF16() || et.isBF16()) ? Type(b.getF32Type()) : et;
}

/// Multiply-accumulate body shared by the contractions.
/// Float operands narrower than the accumulator are extended to it first.
void macBody(OpBuilder &b, Location l, ValueRange a) {
  Value acc = a.back();
  Type accType = acc.getType();
  auto widen = [&](Value v) -> Value {
    if (isF(accType) && v.getType() != accType)
      return arith::ExtFOp::create(b, l, accType, v);
    return v;
  };
  Value p = widen(a[0]);
  for (Value v : a.drop_front().drop_back())
    p = isF(p.getType()) ? (Value)arith::MulFOp::create(b, l, p, widen(v))
                         : (Value)arith::MulIOp::create(b, l, p, v);
  Value r = isF(p.getType()) ? (Value)arith::AddFOp::create(b, l, acc, p)
                             : (Value)arith::AddIOp::create(b, l, acc, p);
  linalg::YieldOp::create(b, l, r);
}

/// Dynamic size of iteration dim `d` taken from the first operand that has
/// it dynamic (operands given with their per-dim iteration indices).
Value dimOf(OpBuilder &b, Location loc, ArrayRef<std::pair<Value, SmallVector<int64_t>>> ops,
            int64_t d) {
  for (auto &[v, dims] : ops)
    for (auto [i, it] : llvm::enumerate(dims))
      if (it == d)
        return tensor::DimOp::create(b, loc, v, i);
  return nullptr;
}

LogicalResult matmul(NodeImporter &n) {
  Value a = n.input(0), bm = n.input(1);
  auto at = n.inputType(0), bt = n.inputType(1);
  Type et = at.getElementType();
  if (bt.getElementType() != et)
    return n.error() << "operand element types differ";
  if (at.getRank() == 0 || bt.getRank() == 0)
    return n.error() << "operands must have rank >= 1";
  OpBuilder &b = n.b;
  Location loc = n.loc;
  bool aVec = at.getRank() == 1, bVec = bt.getRank() == 1;
  if (aVec) a = insertUnitDims(b, loc, a, {0});
  if (bVec) bm = insertUnitDims(b, loc, bm, {1});
  at = cast<RankedTensorType>(a.getType());
  bt = cast<RankedTensorType>(bm.getType());
  int64_t ra = at.getRank(), rb = bt.getRank();
  int64_t M = at.getDimSize(ra - 2), K = at.getDimSize(ra - 1),
          K2 = bt.getDimSize(rb - 2), N = bt.getDimSize(rb - 1);
  if (!ShapedType::isDynamic(K) && !ShapedType::isDynamic(K2) && K != K2)
    return n.error() << "contraction dims differ: " << at << " x " << bt;
  SmallVector<Type> batchTypes{
      RankedTensorType::get(at.getShape().drop_back(2), et),
      RankedTensorType::get(bt.getShape().drop_back(2), et)};
  FailureOr<SmallVector<int64_t>> batch = broadcastShapes(batchTypes);
  if (failed(batch))
    return n.error() << "batch dims do not broadcast: " << at << " x " << bt;
  int64_t nb = batch->size();
  SmallVector<int64_t> outShape(*batch);
  outShape.push_back(M);
  outShape.push_back(N);
  Value result;
  SmallVector<Value> dyn;
  // Iteration space: batch..., m, n, k.
  int64_t dm = nb, dn = nb + 1, dk = nb + 2;
  SmallVector<int64_t> aDims, bDims;
  for (int64_t i = 0; i < ra - 2; ++i) aDims.push_back(nb - (ra - 2) + i);
  aDims.push_back(dm); aDims.push_back(dk);
  for (int64_t i = 0; i < rb - 2; ++i) bDims.push_back(nb - (rb - 2) + i);
  bDims.push_back(dk); bDims.push_back(dn);
  SmallVector<std::pair<Value, SmallVector<int64_t>>> ops{{a, aDims}, {bm, bDims}};
  for (int64_t d = 0; d < nb + 2; ++d)
    if (ShapedType::isDynamic(outShape[d]))
      dyn.push_back(dimOf(b, loc, ops, d));
  Type accType = accumulatorType(b, et);
  Value init = zeroFilled(b, loc, outShape, accType, dyn);
  bool sameBatch = at.getShape().drop_back(2) == bt.getShape().drop_back(2);
  if (ra == 2 && rb == 2) {
    result = linalg::MatmulOp::create(b, loc, TypeRange{init.getType()},
                                      ValueRange{a, bm}, ValueRange{init})
                 .getResult(0);
  } else if (ra == 3 && rb == 3 && sameBatch) {
    result = linalg::BatchMatmulOp::create(b, loc, TypeRange{init.getType()},
                                           ValueRange{a, bm}, ValueRange{init})
                 .getResult(0);
  } else {
    auto mapFor = [&](RankedTensorType t, ArrayRef<int64_t> dims) {
      SmallVector<AffineExpr> e;
      for (auto [i, d] : llvm::enumerate(dims)) {
        bool bcast = d < nb && t.getDimSize(i) == 1 && outShape[d] != 1;
        e.push_back(bcast ? b.getAffineConstantExpr(0) : b.getAffineDimExpr(d));
      }
      return AffineMap::get(nb + 3, 0, e, n.ctx());
    };
    SmallVector<AffineExpr> oe;
    for (int64_t d = 0; d < nb + 2; ++d) oe.push_back(b.getAffineDimExpr(d));
    SmallVector<AffineMap> maps{mapFor(at, aDims), mapFor(bt, bDims),
                                AffineMap::get(nb + 3, 0, oe, n.ctx())};
    SmallVector<utils::IteratorType> iters(nb + 2, utils::IteratorType::parallel);
    iters.push_back(utils::IteratorType::reduction);
    result = linalg::GenericOp::create(b, loc, TypeRange{init.getType()},
                                       ValueRange{a, bm}, ValueRange{init}, maps,
                                       iters, macBody)
                 .getResult(0);
  }
  if (accType != et) {
    FailureOr<Value> rounded = buildElementwise(
        b, loc, ValueRange{result}, et,
        [&](OpBuilder &nb, Location l, ValueRange x) -> Value {
          return arith::TruncFOp::create(nb, l, et, x[0]);
        });
    if (failed(rounded))
      return n.error() << "cannot round the f32 accumulator";
    result = *rounded;
  }
  // Drop the unit dims that 1-D operands added.
  auto rt = cast<RankedTensorType>(result.getType());
  SmallVector<int64_t> drop;
  if (aVec) drop.push_back(rt.getRank() - 2);
  if (bVec) drop.push_back(rt.getRank() - 1);
  if (!drop.empty()) {
    SmallVector<int64_t> shape;
    SmallVector<ReassociationIndices> groups;
    ReassociationIndices pending;
    for (int64_t i = 0; i < rt.getRank(); ++i) {
      if (llvm::is_contained(drop, i)) {
        if (groups.empty()) pending.push_back(i);
        else groups.back().push_back(i);
        continue;
      }
      ReassociationIndices g = pending;
      g.push_back(i);
      pending.clear();
      groups.push_back(g);
      shape.push_back(rt.getDimSize(i));
    }
    if (shape.empty()) groups.clear();
    result = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get(shape, et), result, groups);
  }
  return n.setResult(0, result);
}

LogicalResult gemm(NodeImporter &n) {
  auto at = n.inputType(0), bt = n.inputType(1);
  if (at.getRank() != 2 || bt.getRank() != 2)
    return n.error() << "expects 2-D A and B";
  bool ta = n.getInt("transA", 0), tb = n.getInt("transB", 0);
  double alpha = n.getFloat("alpha", 1.0f), beta = n.getFloat("beta", 1.0f);
  if (n.opset < 7 && n.getInt("broadcast", 0) == 0 && n.hasInput(2) &&
      n.inputType(2).getRank() != 2)
    return n.unsupported("legacy Gemm without broadcast");
  Type et = at.getElementType();
  OpBuilder &b = n.b;
  Location loc = n.loc;
  int64_t M = at.getDimSize(ta ? 1 : 0), N = bt.getDimSize(tb ? 0 : 1);
  // dims: m=0, n=1, k=2
  SmallVector<Value> dyn;
  if (ShapedType::isDynamic(M)) dyn.push_back(tensor::DimOp::create(b, loc, n.input(0), ta ? 1 : 0));
  if (ShapedType::isDynamic(N)) dyn.push_back(tensor::DimOp::create(b, loc, n.input(1), tb ? 0 : 1));
  // 16-bit floats: the product, alpha, beta and C's addition in f32, one
  // rounding at the end (PyTorch's addmm does the same).
  Type accType = accumulatorType(b, et);
  Value init = zeroFilled(b, loc, {M, N}, accType, dyn);
  AffineExpr m = b.getAffineDimExpr(0), nn = b.getAffineDimExpr(1), k = b.getAffineDimExpr(2);
  SmallVector<AffineMap> maps{
      AffineMap::get(3, 0, ta ? ArrayRef<AffineExpr>{k, m} : ArrayRef<AffineExpr>{m, k}, n.ctx()),
      AffineMap::get(3, 0, tb ? ArrayRef<AffineExpr>{nn, k} : ArrayRef<AffineExpr>{k, nn}, n.ctx()),
      AffineMap::get(3, 0, {m, nn}, n.ctx())};
  SmallVector<utils::IteratorType> iters{utils::IteratorType::parallel,
                                         utils::IteratorType::parallel,
                                         utils::IteratorType::reduction};
  Value ab = linalg::GenericOp::create(b, loc, TypeRange{init.getType()},
                                       ValueRange{n.input(0), n.input(1)},
                                       ValueRange{init}, maps, iters, macBody)
                 .getResult(0);
  bool hasC = n.hasInput(2) && beta != 0;
  if (alpha == 1.0 && !hasC && accType == et)
    return n.setResult(0, ab);
  SmallVector<Value> ins{ab};
  if (hasC) ins.push_back(n.input(2));
  FailureOr<Value> r = buildElementwise(
      b, loc, ins, et, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        bool f = isF(et);
        Value v = a[0];
        if (alpha != 1.0)
          v = f ? (Value)arith::MulFOp::create(nb, l, v, scalarConst(nb, l, accType, alpha))
                : (Value)arith::MulIOp::create(nb, l, v, scalarConst(nb, l, et, alpha));
        if (a.size() > 1) {
          Value c = a[1];
          if (f && c.getType() != accType)
            c = arith::ExtFOp::create(nb, l, accType, c);
          if (beta != 1.0)
            c = f ? (Value)arith::MulFOp::create(nb, l, c, scalarConst(nb, l, accType, beta))
                  : (Value)arith::MulIOp::create(nb, l, c, scalarConst(nb, l, et, beta));
          v = f ? (Value)arith::AddFOp::create(nb, l, v, c) : (Value)arith::AddIOp::create(nb, l, v, c);
        }
        if (accType != et)
          v = arith::TruncFOp::create(nb, l, et, v);
        return v;
      });
  if (failed(r))
    return n.error() << "C does not broadcast to the product's shape";
  return n.setResult(0, *r);
}

LogicalResult einsum(NodeImporter &n) {
  std::string eq = n.getString("equation", "");
  eq.erase(std::remove(eq.begin(), eq.end(), ' '), eq.end());
  std::string lhs = eq, rhs;
  bool explicitOut = false;
  if (size_t p = eq.find("->"); p != std::string::npos) {
    lhs = eq.substr(0, p);
    rhs = eq.substr(p + 2);
    explicitOut = true;
  }
  SmallVector<std::string> terms;
  for (StringRef t : llvm::split(StringRef(lhs), ','))
    terms.push_back(t.str());
  unsigned numIn = 0;
  for (unsigned i = 0; i < n.numInputs(); ++i) numIn += n.hasInput(i);
  if (terms.size() != numIn)
    return n.error() << "equation has " << terms.size() << " operands, node has " << numIn;
  // Ellipsis dims get the labels '0'..'9', which cannot clash with the
  // equation's own (letter) labels.
  int64_t ell = 0;
  for (auto [i, t] : llvm::enumerate(terms)) {
    if (size_t p = t.find("..."); p != std::string::npos)
      ell = std::max<int64_t>(ell, n.inputType(i).getRank() - (int64_t)(t.size() - 3));
  }
  auto expandEll = [&](std::string t, int64_t rank) {
    size_t p = t.find("...");
    if (p == std::string::npos) return t;
    int64_t k = rank - (int64_t)(t.size() - 3);
    std::string e;
    for (int64_t j = ell - k; j < ell; ++j) e.push_back('0' + j);
    return t.substr(0, p) + e + t.substr(p + 3);
  };
  for (auto [i, t] : llvm::enumerate(terms))
    t = expandEll(t, n.inputType(i).getRank());
  if (explicitOut) {
    rhs = expandEll(rhs, ell + (int64_t)rhs.size() - (rhs.find("...") != std::string::npos ? 3 : 0));
  } else {
    std::map<char, int> count;
    for (auto &t : terms) for (char c : t) count[c]++;
    for (int64_t j = 0; j < ell; ++j) rhs.push_back('0' + j);
    for (auto &[c, k] : count)
      if (k == 1 && !(c >= '0' && c <= '9')) rhs.push_back(c);
  }
  // Letter -> iteration dim: output letters first (parallel), then the rest.
  std::map<char, int64_t> dimOf;
  std::map<char, int64_t> sizeOf;
  for (char c : rhs) if (!dimOf.count(c)) dimOf[c] = dimOf.size();
  int64_t numPar = dimOf.size();
  for (auto &t : terms) for (char c : t) if (!dimOf.count(c)) dimOf[c] = dimOf.size();
  int64_t D = dimOf.size();
  SmallVector<Value> ins;
  for (unsigned i = 0; i < n.numInputs(); ++i) if (n.hasInput(i)) ins.push_back(n.input(i));
  for (auto [i, t] : llvm::enumerate(terms)) {
    auto it = cast<RankedTensorType>(ins[i].getType());
    if ((int64_t)t.size() != it.getRank())
      return n.error() << "operand " << i << " has rank " << it.getRank()
                       << " but the equation names " << t.size() << " dims";
    for (auto [j, c] : llvm::enumerate(t)) {
      int64_t s = it.getDimSize(j);
      if (!sizeOf.count(c) || sizeOf[c] == 1 || ShapedType::isDynamic(sizeOf[c]))
        sizeOf[c] = s;
    }
  }
  SmallVector<AffineMap> maps;
  for (auto [i, t] : llvm::enumerate(terms)) {
    auto it = cast<RankedTensorType>(ins[i].getType());
    SmallVector<AffineExpr> e;
    for (auto [j, c] : llvm::enumerate(t)) {
      bool bcast = it.getDimSize(j) == 1 && sizeOf[c] != 1;
      e.push_back(bcast ? n.b.getAffineConstantExpr(0) : n.b.getAffineDimExpr(dimOf[c]));
    }
    maps.push_back(AffineMap::get(D, 0, e, n.ctx()));
  }
  SmallVector<int64_t> outShape;
  SmallVector<Value> dyn;
  SmallVector<AffineExpr> oe;
  for (char c : rhs) {
    outShape.push_back(sizeOf[c]);
    oe.push_back(n.b.getAffineDimExpr(dimOf[c]));
    if (ShapedType::isDynamic(sizeOf[c])) {
      for (auto [i, t] : llvm::enumerate(terms))
        if (size_t p = t.find(c); p != std::string::npos) {
          dyn.push_back(tensor::DimOp::create(n.b, n.loc, ins[i], p));
          break;
        }
    }
  }
  maps.push_back(AffineMap::get(D, 0, oe, n.ctx()));
  Type et = n.inputElemType(0);
  Type accType = accumulatorType(n.b, et);
  Value init = zeroFilled(n.b, n.loc, outShape, accType, dyn);
  SmallVector<utils::IteratorType> iters(D, utils::IteratorType::reduction);
  for (int64_t i = 0; i < numPar; ++i) iters[i] = utils::IteratorType::parallel;
  Value r = linalg::GenericOp::create(n.b, n.loc, TypeRange{init.getType()}, ins,
                                      ValueRange{init}, maps, iters, macBody)
                .getResult(0);
  if (accType != et) {
    FailureOr<Value> rounded = buildElementwise(
        n.b, n.loc, ValueRange{r}, et,
        [&](OpBuilder &nb, Location l, ValueRange x) -> Value {
          return arith::TruncFOp::create(nb, l, et, x[0]);
        });
    if (failed(rounded))
      return n.error() << "cannot round the f32 accumulator";
    r = *rounded;
  }
  return n.setResult(0, r);
}

} // namespace

void mlir::loom::onnx_import::registerMatMulOps(OpTable &t) {
  t.add("", "MatMul", 1, matmul);
  t.add("", "Gemm", 1, gemm);
  t.add("", "Einsum", 12, einsum);
}
