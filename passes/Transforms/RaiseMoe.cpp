//===- RaiseMoe.cpp - Dense exported MoE blocks to loom_moe ---------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Exporters write a sparse MoE block densely: every expert's FFN runs over
// all T tokens and is scaled by a per-token weight that is zero unless the
// token routed to it,
//
//   p = softmax(logits); (tw, ids) = topk(p, k); [tw = tw / sum(tw)]
//   out = 0 + sum_e (sum_j tw[:, j] * (ids[:, j] == e)) * ffn_e(x)
//
// The pass finds that sum (starting from its additions), checks every piece
// against the forms the ONNX importer emits, and rewrites it to route /
// dispatch / grouped_matmul / combine, which computes each expert only on
// its routed rows: k/E of the dense work.
//
// 16-bit (bf16 / f16) exports put casts in the router and the importer
// widens some ops; the pass looks through them as follows, and the raised
// form picks exactly the experts the graph picks:
// - matmuls accumulate in f32 and are rounded once to the operands' type
//   (the importer's MatMul/Gemm); grouped_matmul computes and rounds the
//   same way, so the experts' FFNs are unchanged;
// - the softmax is computed in f32 from the extended logits and rounded to
//   16 bits before TopK; that softmax stays and route selects on its
//   rounded values (`given` scores), ties going to the lower id as in ONNX
//   TopK, so a token whose k-th and (k+1)-th scores are equal only after
//   the rounding routes as in the graph;
// - the graph's renormalisation (sum in f32 between casts, a 16-bit
//   divide) stays too, fed with route's selected scores in place of its
//   TopK's values; combine weighs with its result (exact in f32) and sums
//   the k products in f32, rounded once at the end, where the graph adds
//   16-bit products in 16 bits;
// - the per-expert weight `sum_j tw * (ids == e)` summed in f32 between
//   casts is exact in any precision: the ids of a row are distinct, so at
//   most one term is non-zero and the casts of a 16-bit value are exact.
//
//===----------------------------------------------------------------------===//

#include "passes/Transforms/Matchers.h"
#include "passes/Transforms/MoeWeights.h"
#include "passes/Transforms/Passes.h"

#include "dialects/moe/MoeDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/RegionUtils.h"


namespace mlir::loom {
#define GEN_PASS_DEF_RAISEMOEPASS
#include "passes/Transforms/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::match;

namespace {

/// The ops of a generic body without its yield.
SmallVector<Operation *> bodyOps(linalg::GenericOp g) {
  SmallVector<Operation *> ops;
  for (Operation &op : g.getRegion().front().without_terminator())
    ops.push_back(&op);
  return ops;
}

Value yielded(linalg::GenericOp g) {
  return g.getRegion().front().getTerminator()->getOperand(0);
}

/// A one-input reduction over the last of its input's dims (identity input
/// map), combining with `CombineOp`, from a zero or lowest-value fill.
template <typename CombineOp>
linalg::GenericOp matchLastDimReduction(Value v, bool withExp = false) {
  auto g = skipReshapes(v).getDefiningOp<linalg::GenericOp>();
  if (!g || g.getNumDpsInputs() != 1 || g.getNumResults() != 1)
    return {};
  SmallVector<utils::IteratorType> iters = g.getIteratorTypesArray();
  for (size_t i = 0; i < iters.size(); ++i)
    if ((iters[i] == utils::IteratorType::reduction) != (i + 1 == iters.size()))
      return {};
  if (!g.getIndexingMapsArray()[0].isIdentity() ||
      !isa_and_nonnull<linalg::FillOp>(
          g.getDpsInitOperand(0)->get().getDefiningOp()))
    return {};
  SmallVector<Operation *> ops = bodyOps(g);
  if (ops.size() != (withExp ? 2u : 1u))
    return {};
  auto combine = dyn_cast<CombineOp>(ops.back());
  if (!combine || yielded(g) != combine->getResult(0))
    return {};
  Value in = withExp ? Value(ops[0]->getResult(0))
                     : Value(g.getRegion().getArgument(0));
  if (withExp &&
      (!isa<math::ExpOp>(ops[0]) || !isBlockArg(ops[0]->getOperand(0), 0)))
    return {};
  bool ok =
      (isBlockArg(combine->getOperand(0), 1) && combine->getOperand(1) == in) ||
      (isBlockArg(combine->getOperand(1), 1) && combine->getOperand(0) == in);
  return ok ? g : linalg::GenericOp();
}

/// An elementwise generic with two inputs whose body is `BinOp(in0, in1)`.
template <typename BinOp> linalg::GenericOp matchBinary(Value v) {
  auto g = v.getDefiningOp<linalg::GenericOp>();
  if (!g || !isElementwise(g) || g.getNumDpsInputs() != 2)
    return {};
  auto op = dyn_cast_or_null<BinOp>(singleBodyOp(g));
  if (!op || !isBlockArg(op->getOperand(0), 0) ||
      !isBlockArg(op->getOperand(1), 1))
    return {};
  return g;
}

/// A float matmul and the value its users read: the matmul's result, or,
/// for 16-bit operands accumulated in f32, that result rounded once to the
/// operands' type (the importer's 16-bit MatMul and Gemm).
struct Mm {
  Matmul m;
  Value out;
};

Type elementType(Value v) {
  return cast<ShapedType>(v.getType()).getElementType();
}

std::optional<Mm> matchMm(Value v) {
  Type et = elementType(v);
  auto sameType = [&](const Matmul &m) {
    return elementType(m.lhs) == et && elementType(m.rhs) == et;
  };
  if (std::optional<Matmul> m = matchMatmul(v))
    return sameType(*m) ? std::optional<Mm>(Mm{*m, v}) : std::nullopt;
  Value acc = floatCastSource(v, /*allowTruncation=*/true);
  if (!acc ||
      elementType(acc).getIntOrFloatBitWidth() <= et.getIntOrFloatBitWidth())
    return std::nullopt;
  std::optional<Matmul> m = matchMatmul(acc);
  if (!m || !sameType(*m))
    return std::nullopt;
  return Mm{*m, v};
}

/// `v`, or the wider value it was rounded from (a 16-bit cast of an f32
/// value).
Value skipRounding(Value v) {
  Value wide = floatCastSource(v, /*allowTruncation=*/true);
  if (wide && elementType(wide).getIntOrFloatBitWidth() >
                  elementType(v).getIntOrFloatBitWidth())
    return wide;
  return v;
}

/// `v`, or the narrower value it was exactly extended from.
Value skipExtension(Value v) {
  Value narrow = floatCastSource(v, /*allowTruncation=*/false);
  return narrow ? narrow : v;
}

/// softmax(x) over the last axis as the importer writes it: m = max(x),
/// sh = x - m, s = sum(exp(sh)), exp(sh) / s. Returns x.
Value matchSoftmax(Value v) {
  auto g = v.getDefiningOp<linalg::GenericOp>();
  if (!g || !isElementwise(g) || g.getNumDpsInputs() != 2)
    return {};
  SmallVector<Operation *> ops = bodyOps(g);
  if (ops.size() != 2 || !isa<math::ExpOp>(ops[0]) ||
      !isBlockArg(ops[0]->getOperand(0), 0) || !isa<arith::DivFOp>(ops[1]) ||
      ops[1]->getOperand(0) != ops[0]->getResult(0) ||
      !isBlockArg(ops[1]->getOperand(1), 1))
    return {};
  Value sh = g.getDpsInputOperand(0)->get();
  auto sum =
      matchLastDimReduction<arith::AddFOp>(g.getDpsInputOperand(1)->get(),
                                           /*withExp=*/true);
  auto sub = matchBinary<arith::SubFOp>(sh);
  if (!sum || !sub || sum.getDpsInputOperand(0)->get() != sh ||
      !isZeroInit(sum.getDpsInitOperand(0)->get()))
    return {};
  Value x = sub.getDpsInputOperand(0)->get();
  auto max = matchLastDimReduction<arith::MaximumFOp>(
      sub.getDpsInputOperand(1)->get());
  if (!max || max.getDpsInputOperand(0)->get() != x ||
      cast<RankedTensorType>(x.getType()).getRank() != 2)
    return {};
  // The max starts from -inf (or the lowest float); the row max and the row
  // sum are broadcast back along the row.
  auto fill = max.getDpsInitOperand(0)->get().getDefiningOp<linalg::FillOp>();
  FloatAttr init;
  if (!fill || !matchPattern(fill.getInputs()[0], m_Constant(&init)) ||
      !(init.getValue().isInfinity() || init.getValue().isLargest()) ||
      !init.getValue().isNegative())
    return {};
  MLIRContext *ctx = g.getContext();
  AffineMap rowBcast = AffineMap::get(
      2, 0, {getAffineDimExpr(0, ctx), getAffineConstantExpr(0, ctx)}, ctx);
  if (g.getIndexingMapsArray()[1] != rowBcast ||
      sub.getIndexingMapsArray()[1] != rowBcast ||
      !g.getIndexingMapsArray()[0].isIdentity() ||
      !sub.getIndexingMapsArray()[0].isIdentity())
    return {};
  return x;
}

/// The importer's TopK (largest, along the last axis of a 2-D input): a
/// rank-counting generic over (x, x) and a gather generic over (x, ranks)
/// with two results, the values and the (i64) indices.
struct TopK {
  linalg::GenericOp gather;
  Value input;
  int64_t k;
};

std::optional<TopK> matchTopK(Value v) {
  auto g = v.getDefiningOp<linalg::GenericOp>();
  if (!g || g.getNumResults() != 2 || g.getNumDpsInputs() != 2)
    return std::nullopt;
  Value x = g.getDpsInputOperand(0)->get();
  auto xType = dyn_cast<RankedTensorType>(x.getType());
  auto vType = cast<RankedTensorType>(g.getResult(0).getType());
  if (!xType || xType.getRank() != 2 || vType.isDynamicDim(1))
    return std::nullopt;
  MLIRContext *ctx = g.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  AffineMap along = AffineMap::get(3, 0, {d(0), d(2)}, ctx);
  AffineMap id = AffineMap::get(3, 0, {d(0), d(1)}, ctx);
  SmallVector<AffineMap> maps = g.getIndexingMapsArray();
  if (maps[0] != along || maps[1] != along || maps[2] != id || maps[3] != id)
    return std::nullopt;
  // Body: hit = ranks == r; select(hit, x, acc), select(hit, j, acc).
  SmallVector<Operation *> ops = bodyOps(g);
  if (llvm::count_if(ops,
                     [](Operation *o) { return isa<arith::SelectOp>(o); }) != 2)
    return std::nullopt;
  auto ranks =
      g.getDpsInputOperand(1)->get().getDefiningOp<linalg::GenericOp>();
  if (!ranks || ranks.getNumDpsInputs() != 2 ||
      ranks.getDpsInputOperand(0)->get() != x ||
      ranks.getDpsInputOperand(1)->get() != x)
    return std::nullopt;
  SmallVector<AffineMap> rmaps = ranks.getIndexingMapsArray();
  if (rmaps[0] != id || rmaps[1] != along)
    return std::nullopt;
  // Largest: x_j beats x_i when x_j > x_i.
  bool largest = llvm::any_of(bodyOps(ranks), [](Operation *o) {
    auto c = dyn_cast<arith::CmpFOp>(o);
    return c && c.getPredicate() == arith::CmpFPredicate::OGT &&
           isBlockArg(c.getLhs(), 1) && isBlockArg(c.getRhs(), 0);
  });
  if (!largest)
    return std::nullopt;
  return TopK{g, x, vType.getDimSize(1)};
}

/// One expert's routing weight w_e = sum_j tw[:, j] * float(ids[:, j] == e)
/// (keepdims). Gives e, tw and ids.
struct ExpertWeight {
  int64_t expert;
  Value topkWeights, ids;
};

std::optional<ExpertWeight> matchExpertWeight(Value w) {
  // 16-bit exports sum in f32 between casts: exact here (one non-zero term).
  auto sum = matchLastDimReduction<arith::AddFOp>(skipRounding(w));
  if (!sum || !isZeroInit(sum.getDpsInitOperand(0)->get()))
    return std::nullopt;
  auto mul = matchBinary<arith::MulFOp>(
      skipExtension(sum.getDpsInputOperand(0)->get()));
  if (!mul)
    return std::nullopt;
  for (unsigned i = 0; i < 2; ++i) {
    Value tw = mul.getDpsInputOperand(i)->get();
    auto conv =
        mul.getDpsInputOperand(1 - i)->get().getDefiningOp<linalg::GenericOp>();
    if (!conv || !isElementwise(conv) || conv.getNumDpsInputs() != 1 ||
        !mul.getIndexingMapsArray()[0].isIdentity() ||
        !mul.getIndexingMapsArray()[1].isIdentity())
      continue;
    auto toFloat = dyn_cast_or_null<arith::UIToFPOp>(singleBodyOp(conv));
    if (!toFloat || !isBlockArg(toFloat.getIn(), 0) ||
        !toFloat.getIn().getType().isInteger(1))
      continue;
    auto eq = matchBinary<arith::CmpIOp>(conv.getDpsInputOperand(0)->get());
    if (!eq || cast<arith::CmpIOp>(singleBodyOp(eq)).getPredicate() !=
                   arith::CmpIPredicate::eq)
      continue;
    for (unsigned j = 0; j < 2; ++j) {
      std::optional<int64_t> e = getIntSplat(eq.getDpsInputOperand(j)->get());
      Value ids = eq.getDpsInputOperand(1 - j)->get();
      if (e && eq.getIndexingMapsArray()[1 - j].isIdentity())
        return ExpertWeight{*e, tw, ids};
    }
  }
  return std::nullopt;
}

/// Whether `v` is all zeros: a zero constant, fill, or a broadcast of one.
bool isZeroTensor(Value v) {
  if (auto c = v.getDefiningOp<tensor::CastOp>())
    v = c.getSource();
  if (isZeroInit(v))
    return true;
  auto g = v.getDefiningOp<linalg::GenericOp>();
  return g && isElementwise(g) && g.getNumDpsInputs() == 1 &&
         bodyOps(g).empty() && isBlockArg(yielded(g), 0) &&
         isZeroInit(g.getDpsInputOperand(0)->get());
}

/// Flattens a tree of same-shape elementwise additions into its leaves,
/// dropping zeros.
bool collectTerms(Value v, SmallVectorImpl<Value> &terms,
                  SmallVectorImpl<Operation *> &adds) {
  if (isZeroTensor(v))
    return true;
  if (auto add = matchBinary<arith::AddFOp>(v)) {
    SmallVector<AffineMap> maps = add.getIndexingMapsArray();
    if (maps[0].isIdentity() && maps[1].isIdentity()) {
      adds.push_back(add);
      return collectTerms(add.getDpsInputOperand(0)->get(), terms, adds) &&
             collectTerms(add.getDpsInputOperand(1)->get(), terms, adds);
    }
  }
  terms.push_back(v);
  return true;
}

/// One expert's FFN: matmuls of the shared input x (the leaves), an
/// elementwise chain combining them, and a last matmul of the chain's
/// result.
struct Ffn {
  SmallVector<Mm> leaves;
  SmallVector<linalg::GenericOp> chain; // in def-before-use order
  Mm last;
};

/// Walks expert `ref`'s FFN and expert `other`'s in lockstep; `other` must
/// have the same structure (with its own weights) to match.
class FfnMatcher {
public:
  explicit FfnMatcher(Value x) : x(x) {}

  /// Matches the reference expert (the first one) from its output.
  std::optional<Ffn> matchReference(Value y) {
    std::optional<Mm> last = matchMm(y);
    if (!last || cast<RankedTensorType>(last->m.lhs.getType()).getRank() != 2)
      return std::nullopt;
    Ffn ffn;
    ffn.last = *last;
    DenseSet<Value> seen;
    if (!walk(last->m.lhs, ffn, seen))
      return std::nullopt;
    return ffn;
  }

  /// Matches another expert against `ref`; gives its leaves and last
  /// matmul in the reference's order.
  std::optional<Ffn> matchLike(const Ffn &ref, Value y) {
    std::optional<Mm> last = matchMm(y);
    if (!last || !sameMatmulShape(ref.last, *last))
      return std::nullopt;
    Ffn ffn;
    ffn.last = *last;
    ffn.leaves.resize(ref.leaves.size());
    DenseMap<Value, Value> map;
    if (!same(ref, ref.last.m.lhs, last->m.lhs, ffn, map))
      return std::nullopt;
    return ffn;
  }

private:
  bool isLeaf(std::optional<Mm> &m) { return m && m->m.lhs == x; }

  static bool sameMatmulShape(const Mm &a, const Mm &b) {
    return a.m.transposedRhs == b.m.transposedRhs &&
           a.m.rhs.getType() == b.m.rhs.getType() &&
           a.m.op->getResult(0).getType() == b.m.op->getResult(0).getType() &&
           a.out.getType() == b.out.getType();
  }

  bool walk(Value v, Ffn &ffn, DenseSet<Value> &seen) {
    if (v == x)
      return false; // only the matmuls may read the (undispatched) input
    if (!seen.insert(v).second)
      return true;
    std::optional<Mm> m = matchMm(v);
    if (isLeaf(m)) {
      ffn.leaves.push_back(*m);
      return true;
    }
    auto g = v.getDefiningOp<linalg::GenericOp>();
    if (!g || !isElementwise(g) ||
        !g.getDpsInitOperand(0)->get().getDefiningOp<tensor::EmptyOp>())
      return false;
    for (OpOperand *in : g.getDpsInputOperands()) {
      AffineMap map = g.getMatchingIndexingMap(in);
      if (matchPattern(in->get(), m_Constant())) {
        // A constant may broadcast, but not along the token dim.
        if (map.isFunctionOfDim(0))
          return false;
        continue;
      }
      if (!map.isIdentity() || !walk(in->get(), ffn, seen))
        return false;
    }
    ffn.chain.push_back(g);
    return true;
  }

  bool same(const Ffn &ref, Value v0, Value v, Ffn &ffn,
            DenseMap<Value, Value> &map) {
    if (auto it = map.find(v0); it != map.end())
      return it->second == v;
    map[v0] = v;
    for (auto [i, leaf] : llvm::enumerate(ref.leaves)) {
      if (leaf.out != v0)
        continue;
      std::optional<Mm> m = matchMm(v);
      if (!isLeaf(m) || !sameMatmulShape(leaf, *m))
        return false;
      ffn.leaves[i] = *m;
      return true;
    }
    Attribute c0, c;
    if (matchPattern(v0, m_Constant(&c0)))
      return matchPattern(v, m_Constant(&c)) && c0 == c;
    auto g0 = v0.getDefiningOp<linalg::GenericOp>();
    auto g = v.getDefiningOp<linalg::GenericOp>();
    if (!g0 || !g || g0.getNumDpsInputs() != g.getNumDpsInputs() ||
        g0.getIndexingMapsArray() != g.getIndexingMapsArray() ||
        g0->getResultTypes() != g->getResultTypes() ||
        !g.getDpsInitOperand(0)->get().getDefiningOp<tensor::EmptyOp>() ||
        !OperationEquivalence::isRegionEquivalentTo(
            &g0.getRegion(), &g.getRegion(),
            OperationEquivalence::IgnoreLocations))
      return false;
    for (auto [in0, in] :
         llvm::zip(g0.getDpsInputOperands(), g.getDpsInputOperands()))
      if (!same(ref, in0->get(), in->get(), ffn, map))
        return false;
    return true;
  }

  Value x;
};

/// The lhs of the first matmul found below `y`'s matmul through elementwise
/// generics: the candidate expert input.
Value findLeafInput(Value y) {
  std::optional<Mm> last = matchMm(y);
  if (!last)
    return {};
  SmallVector<Value> work{last->m.lhs};
  DenseSet<Value> seen;
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (!seen.insert(v).second)
      continue;
    if (std::optional<Mm> m = matchMm(v))
      return m->m.lhs;
    auto g = v.getDefiningOp<linalg::GenericOp>();
    if (!g || !isElementwise(g))
      continue;
    for (OpOperand *in : g.getDpsInputOperands())
      if (!matchPattern(in->get(), m_Constant()))
        work.push_back(in->get());
  }
  return {};
}

/// Everything the rewrite needs about one matched block.
struct MoeBlock {
  Value root;      // the final sum
  Value logits, x; // [T, E], [T, d]
  int64_t k;
  bool normalize;
  // 16-bit exports: the graph's rounded scores before TopK, its TopK (values
  // and ids) and the renormalised weights computed from the values.
  Value roundedScores;
  linalg::GenericOp topk;
  Value topkWeights;
  Ffn ref;                  // expert 0's structure
  SmallVector<Ffn> experts; // by expert id
};

std::optional<MoeBlock> matchBlock(Value root) {
  SmallVector<Value> terms;
  SmallVector<Operation *> adds;
  if (!collectTerms(root, terms, adds) || adds.empty() || terms.size() < 2)
    return std::nullopt;
  // Each term: w_e * y_e with w_e [T, 1] broadcast along the columns.
  struct Term {
    ExpertWeight w;
    Value y;
  };
  SmallVector<Term> parsed;
  MLIRContext *ctx = root.getContext();
  AffineMap rowBcast = AffineMap::get(
      2, 0, {getAffineDimExpr(0, ctx), getAffineConstantExpr(0, ctx)}, ctx);
  for (Value t : terms) {
    auto mul = matchBinary<arith::MulFOp>(t);
    if (!mul || cast<RankedTensorType>(t.getType()).getRank() != 2)
      return std::nullopt;
    std::optional<Term> term;
    for (unsigned i = 0; i < 2 && !term; ++i) {
      if (mul.getIndexingMapsArray()[i] != rowBcast ||
          !mul.getIndexingMapsArray()[1 - i].isIdentity())
        continue;
      if (auto w = matchExpertWeight(mul.getDpsInputOperand(i)->get()))
        term = Term{*w, mul.getDpsInputOperand(1 - i)->get()};
    }
    if (!term)
      return std::nullopt;
    parsed.push_back(*term);
  }
  // One routing source, experts 0..E-1 each once.
  Value tw = parsed[0].w.topkWeights, ids = parsed[0].w.ids;
  int64_t E = parsed.size();
  SmallVector<Value> ys(E);
  for (const Term &t : parsed) {
    if (t.w.topkWeights != tw || t.w.ids != ids || t.w.expert < 0 ||
        t.w.expert >= E || ys[t.w.expert])
      return std::nullopt;
    ys[t.w.expert] = t.y;
  }
  std::optional<TopK> topk = matchTopK(ids);
  if (!topk || ids != topk->gather.getResult(1))
    return std::nullopt;
  MoeBlock block;
  block.root = root;
  block.k = topk->k;
  Value values = topk->gather.getResult(0);
  if (tw == values) {
    block.normalize = false;
  } else {
    auto div = matchBinary<arith::DivFOp>(tw);
    if (!div)
      return std::nullopt;
    // The row sum is broadcast along the k columns (read as is when k = 1).
    AffineMap sumMap = div.getIndexingMapsArray()[1];
    if (!div || div.getDpsInputOperand(0)->get() != values ||
        !(sumMap == rowBcast || (block.k == 1 && sumMap.isIdentity())))
      return std::nullopt;
    // 16-bit exports sum the k weights in f32 between casts.
    auto sum = matchLastDimReduction<arith::AddFOp>(
        skipRounding(div.getDpsInputOperand(1)->get()));
    if (!sum || skipExtension(sum.getDpsInputOperand(0)->get()) != values ||
        !isZeroInit(sum.getDpsInitOperand(0)->get()))
      return std::nullopt;
    block.normalize = true;
  }
  // 16-bit exports: the softmax of the extended logits, rounded before
  // TopK; route takes the logits themselves.
  block.logits = matchSoftmax(skipRounding(topk->input));
  if (!block.logits)
    return std::nullopt;
  if (skipRounding(topk->input) != topk->input)
    block.roundedScores = topk->input;
  block.topk = topk->gather;
  block.topkWeights = tw;
  block.logits = skipExtension(block.logits);
  auto lt = cast<RankedTensorType>(block.logits.getType());
  if (lt.getDimSize(1) != E || block.k > E)
    return std::nullopt;
  // Experts: the same FFN of one input x, the lhs of expert 0's leaves.
  block.x = findLeafInput(ys[0]);
  if (!block.x)
    return std::nullopt;
  std::optional<Ffn> ref = FfnMatcher(block.x).matchReference(ys[0]);
  if (!ref || ref->leaves.empty())
    return std::nullopt;
  auto xt = cast<RankedTensorType>(block.x.getType());
  if (xt.getRank() != 2)
    return std::nullopt;
  FfnMatcher matcher(block.x);
  block.ref = *ref;
  block.experts.push_back(*ref);
  for (int64_t e = 1; e < E; ++e) {
    std::optional<Ffn> f = matcher.matchLike(*ref, ys[e]);
    if (!f)
      return std::nullopt;
    block.experts.push_back(*f);
  }
  return block;
}

/// A tensor.empty shaped [rows of `like`, n] of `et`.
Value emptyRows(OpBuilder &b, Location loc, Value like, int64_t n, Type et) {
  auto lt = cast<RankedTensorType>(like.getType());
  SmallVector<Value> dyn;
  if (lt.isDynamicDim(0))
    dyn.push_back(tensor::DimOp::create(b, loc, like, 0));
  return tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{lt.getDimSize(0), n},
                                 et, dyn);
}

/// `v` converted elementwise (extf / truncf) to the element type of `init`.
Value convertElements(OpBuilder &b, Location loc, Value v, Value init) {
  auto it = cast<RankedTensorType>(init.getType());
  AffineMap id = b.getMultiDimIdentityMap(it.getRank());
  SmallVector<utils::IteratorType> par(it.getRank(),
                                       utils::IteratorType::parallel);
  Type to = it.getElementType();
  return linalg::GenericOp::create(
             b, loc, TypeRange{it}, ValueRange{v}, ValueRange{init}, {id, id},
             par,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value x = args[0];
               unsigned from = x.getType().getIntOrFloatBitWidth();
               unsigned width = to.getIntOrFloatBitWidth();
               if (from < width)
                 x = arith::ExtFOp::create(nb, nl, to, x);
               else if (from > width)
                 x = arith::TruncFOp::create(nb, nl, to, x);
               linalg::YieldOp::create(nb, nl, x);
             })
      .getResult(0);
}

void rewriteBlock(RewriterBase &rewriter, const MoeBlock &block) {
  Operation *rootOp = block.root.getDefiningOp();
  rewriter.setInsertionPoint(rootOp);
  Location loc = rootOp->getLoc();
  int64_t E = block.experts.size();
  moe::RouteOp route;
  Value weights;
  if (block.roundedScores) {
    // Select on the graph's rounded scores and weigh as the graph does: its
    // TopK's values are replaced by route's (the same ids, ties to the lower
    // one), and its renormalisation and casts stay as they are.
    linalg::GenericOp topk = block.topk;
    rewriter.setInsertionPointAfter(topk);
    Location tl = topk.getLoc();
    route = moe::RouteOp::create(rewriter, tl, block.roundedScores, block.k,
                                 moe::Scoring::Given, /*normalize=*/false);
    Value values = topk.getResult(0);
    auto vt = cast<RankedTensorType>(values.getType());
    Value init = emptyRows(rewriter, tl, block.roundedScores, block.k,
                           vt.getElementType());
    // The selected scores are 16-bit values: narrowing them back is exact.
    Value narrow = convertElements(rewriter, tl, route.getWeights(), init);
    if (narrow.getType() != vt)
      narrow = tensor::CastOp::create(rewriter, tl, vt, narrow);
    rewriter.replaceAllUsesWith(values, narrow);
    rewriter.setInsertionPoint(rootOp);
    Value tw = block.topkWeights == values ? narrow : block.topkWeights;
    weights = convertElements(
        rewriter, loc, tw,
        emptyRows(rewriter, loc, block.roundedScores, block.k,
                  rewriter.getF32Type()));
  } else {
    route = moe::RouteOp::create(rewriter, loc, block.logits, block.k,
                                 moe::Scoring::Softmax, block.normalize);
    weights = route.getWeights();
  }
  auto dispatch =
      moe::DispatchOp::create(rewriter, loc, block.x, route.getIds(), E);
  Value offsets = dispatch.getExpertOffsets();
  IRMapping map;
  for (auto [i, leaf] : llvm::enumerate(block.ref.leaves)) {
    SmallVector<Matmul> perExpert;
    for (const Ffn &f : block.experts)
      perExpert.push_back(f.leaves[i].m);
    Value w = stackExpertWeights(rewriter, loc, perExpert);
    Value gm = moe::GroupedMatmulOp::create(rewriter, loc,
                                            dispatch.getXSorted(), w, offsets);
    map.map(leaf.out, gm);
  }
  // The elementwise chain, now on the dispatched rows.
  for (linalg::GenericOp g : block.ref.chain) {
    SmallVector<Value> ins;
    Value rows;
    for (OpOperand *in : g.getDpsInputOperands()) {
      Value v = map.lookupOrDefault(in->get());
      if (!rows && !matchPattern(in->get(), m_Constant()))
        rows = v;
      ins.push_back(v);
    }
    auto rt = cast<RankedTensorType>(g.getResult(0).getType());
    Value init =
        emptyRows(rewriter, loc, rows, rt.getDimSize(1), rt.getElementType());
    auto ng = linalg::GenericOp::create(
        rewriter, loc, TypeRange{init.getType()}, ins, ValueRange{init},
        g.getIndexingMapsArray(), g.getIteratorTypesArray());
    rewriter.cloneRegionBefore(g.getRegion(), ng.getRegion(),
                               ng.getRegion().end());
    map.map(g.getResult(0), ng.getResult(0));
  }
  SmallVector<Matmul> lasts;
  for (const Ffn &f : block.experts)
    lasts.push_back(f.last.m);
  Value w2 = stackExpertWeights(rewriter, loc, lasts);
  Value act = map.lookupOrDefault(block.ref.last.m.lhs);
  Value ySorted = moe::GroupedMatmulOp::create(rewriter, loc, act, w2, offsets);
  Value out = moe::CombineOp::create(
      rewriter, loc, ySorted, dispatch.getPermutation(), weights);
  if (out.getType() != block.root.getType())
    out = tensor::CastOp::create(rewriter, loc, block.root.getType(), out);
  rewriter.replaceAllUsesWith(block.root, out);
}

struct RaiseMoePass : loom::impl::RaiseMoePassBase<RaiseMoePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // Roots: additions not used by another addition of the same tree.
    SmallVector<Value> roots;
    func.walk([&](linalg::GenericOp g) {
      if (!matchBinary<arith::AddFOp>(g->getResult(0)))
        return;
      for (Operation *user : g->getUsers())
        if (isa<linalg::GenericOp>(user) &&
            matchBinary<arith::AddFOp>(user->getResult(0)))
          return;
      roots.push_back(g->getResult(0));
    });
    IRRewriter rewriter(&getContext());
    bool changed = false;
    for (Value root : roots) {
      if (!root.getDefiningOp())
        continue;
      std::optional<MoeBlock> block = matchBlock(root);
      if (!block)
        continue;
      rewriteBlock(rewriter, *block);
      changed = true;
    }
    if (!changed)
      return;
    // The dense experts, the top-k and the softmax are dead now.
    for (bool erased = true; erased;) {
      erased = false;
      Block &body = func.getBody().front();
      for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
        if (isOpTriviallyDead(&op)) {
          rewriter.eraseOp(&op);
          erased = true;
        }
    }
  }
};

} // namespace
