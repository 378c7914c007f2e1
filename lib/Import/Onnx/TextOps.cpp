//===- TextOps.cpp - TfIdfVectorizer --------------------------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// TfIdfVectorizer over integer token ids. The pool of n-grams (attributes)
// becomes constant tables at import: the tokens of each n-gram whose length
// lies in [min_gram_length, max_gram_length], its length, its output column
// and its weight. At run time scf loops count, for each row and n-gram, the
// (start, skip) pairs whose tokens match: an n-gram of length n with skip s
// reads positions start, start + (s+1), ..., and unigrams are counted once
// per position whatever the skip. TF writes the count, IDF the weight when
// the count is nonzero, TFIDF count * weight.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "Importer.h"
#include "OpTable.h"
#include "ScalarLoops.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

Value i64Table(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, ArrayRef<int64_t> data) {
  auto ty = RankedTensorType::get(shape, b.getI64Type());
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(ty, data));
}

LogicalResult tfIdfVectorizer(NodeImporter &n) {
  if (n.hasAttr("pool_strings")) return n.unsupported("string pools (pool_strings)");
  RankedTensorType t = n.inputType(0);
  Type et = t.getElementType();
  if (!et.isInteger(32) && !et.isInteger(64)) return n.error() << "input must be int32 or int64 token ids, got " << et;
  if (t.getRank() != 1 && t.getRank() != 2) return n.error() << "input must be [C] or [N, C], got rank " << t.getRank();
  if (!t.hasStaticShape()) return n.unsupported("dynamic input shapes");
  std::optional<int64_t> minN = n.requireInt("min_gram_length"), maxN = n.requireInt("max_gram_length"),
                         maxSkip = n.requireInt("max_skip_count");
  if (!minN || !maxN || !maxSkip) return failure();
  if (*minN < 1 || *maxN < *minN || *maxSkip < 0)
    return n.error() << "need 1 <= min_gram_length <= max_gram_length and max_skip_count >= 0";
  std::string mode = n.getString("mode", "");
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF")
    return n.error() << "attribute 'mode' must be TF, IDF or TFIDF, got '" << mode << "'";
  SmallVector<int64_t> counts = n.getInts("ngram_counts"), indexes = n.getInts("ngram_indexes"),
                       pool = n.getInts("pool_int64s");
  SmallVector<float> weights = n.getFloats("weights");
  if (n.attrFailed) return failure();
  if (indexes.empty()) return n.error() << "attribute 'ngram_indexes' is required";
  // Walk the pool level by level (level k holds n-grams of length k + 1).
  SmallVector<int64_t> toks, lens, cols;
  SmallVector<float> ws;
  int64_t ngram = 0, width = *maxN;
  for (size_t k = 0; k < counts.size(); ++k) {
    int64_t len = k + 1, begin = counts[k];
    int64_t end = k + 1 < counts.size() ? counts[k + 1] : (int64_t)pool.size();
    if (begin < 0 || end < begin || end > (int64_t)pool.size() || (end - begin) % len)
      return n.error() << "ngram_counts " << k << " does not delimit whole " << len << "-grams of pool_int64s";
    for (int64_t p = begin; p < end; p += len, ++ngram) {
      if (ngram >= (int64_t)indexes.size()) return n.error() << "ngram_indexes has fewer entries than the pool has n-grams";
      if (!weights.empty() && ngram >= (int64_t)weights.size())
        return n.error() << "weights has fewer entries than the pool has n-grams";
      if (len < *minN || len > *maxN) continue;
      for (int64_t q = 0; q < width; ++q) toks.push_back(q < len ? pool[p + q] : 0);
      lens.push_back(len);
      cols.push_back(indexes[ngram]);
      ws.push_back(weights.empty() ? 1.0f : weights[ngram]);
    }
  }
  int64_t size = 0;
  for (int64_t c : indexes) {
    if (c < 0) return n.error() << "negative entry in ngram_indexes";
    size = std::max(size, c + 1);
  }
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Type f32 = b.getF32Type(), i64 = b.getI64Type();
  int64_t Bn = t.getRank() == 2 ? t.getDimSize(0) : 1, C = t.getShape().back(), J = lens.size();
  Value x = buildReshape(b, loc, n.input(0), {Bn, C});
  Value out = linalg::FillOp::create(b, loc, ValueRange{scalarConst(b, loc, f32, 0)},
                                     ValueRange{emptyTensor(b, loc, {Bn, size}, f32)})
                  .getResult(0);
  if (J > 0) {
    Value tokT = i64Table(b, loc, {J, width}, toks), lenT = i64Table(b, loc, {J}, lens),
          colT = i64Table(b, loc, {J}, cols);
    auto wTy = RankedTensorType::get({J}, f32);
    Value wT = arith::ConstantOp::create(b, loc, DenseElementsAttr::get(wTy, ArrayRef<float>(ws)));
    Value zero = cIdx(b, loc, 0), one = cIdx(b, loc, 1), nC = cIdx(b, loc, C);
    auto toIdx = [](OpBuilder &b, Location l, Value v) -> Value { return arith::IndexCastOp::create(b, l, b.getIndexType(), v); };
    ValueRange r = forLoop(
        b, loc, zero, cIdx(b, loc, Bn * J), ValueRange{out},
        [&](OpBuilder &b, Location l, Value bj, ValueRange it) -> SmallVector<Value> {
          Value bi = arith::DivUIOp::create(b, l, bj, cIdx(b, l, J)), j = arith::RemUIOp::create(b, l, bj, cIdx(b, l, J));
          Value len = toIdx(b, l, at(b, l, lenT, {j}));
          Value uni = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, len, one);
          Value skips = arith::SelectOp::create(b, l, uni, one, cIdx(b, l, *maxSkip + 1));
          Value lenM1 = arith::SubIOp::create(b, l, len, one);
          ValueRange cnt = forLoop(
              b, l, zero, skips, ValueRange{scalarConst(b, l, i64, 0)},
              [&](OpBuilder &b, Location l, Value s, ValueRange cs) -> SmallVector<Value> {
                Value stride = arith::AddIOp::create(b, l, s, one);
                // Starts whose last token is still inside the row.
                Value span = arith::MulIOp::create(b, l, lenM1, stride);
                Value ub = arith::MaxSIOp::create(b, l, arith::SubIOp::create(b, l, nC, span), zero);
                ValueRange c2 = forLoop(
                    b, l, zero, ub, ValueRange{cs[0]},
                    [&](OpBuilder &b, Location l, Value st, ValueRange acc) -> SmallVector<Value> {
                      Value tr = arith::ConstantIntOp::create(b, l, b.getI1Type(), 1);
                      ValueRange m = forLoop(
                          b, l, zero, len, ValueRange{tr},
                          [&](OpBuilder &b, Location l, Value k, ValueRange mv) -> SmallVector<Value> {
                            Value p = arith::AddIOp::create(b, l, st, arith::MulIOp::create(b, l, k, stride));
                            Value tok = at(b, l, x, {bi, p});
                            if (!tok.getType().isInteger(64)) tok = arith::ExtSIOp::create(b, l, b.getI64Type(), tok);
                            Value eq = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, tok, at(b, l, tokT, {j, k}));
                            return {arith::AndIOp::create(b, l, mv[0], eq)};
                          });
                      Value inc = arith::ExtUIOp::create(b, l, b.getI64Type(), m[0]);
                      return {arith::AddIOp::create(b, l, acc[0], inc)};
                    });
                return {c2[0]};
              });
          Value tf = arith::SIToFPOp::create(b, l, f32, cnt[0]);
          Value w = at(b, l, wT, {j}), v = tf;
          if (mode == "IDF") {
            Value any = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt, cnt[0], scalarConst(b, l, i64, 0));
            v = arith::SelectOp::create(b, l, any, w, scalarConst(b, l, f32, 0));
          } else if (mode == "TFIDF") {
            v = arith::MulFOp::create(b, l, tf, w);
          }
          return {put(b, l, v, it[0], {bi, toIdx(b, l, at(b, l, colT, {j}))})};
        });
    out = r[0];
  }
  if (t.getRank() == 1) out = buildReshape(b, loc, out, {size});
  return n.setResult(0, out);
}

} // namespace

void mlir::loom::onnx_import::registerTextOps(OpTable &t) { t.add("", "TfIdfVectorizer", 9, tfIdfVectorizer); }
