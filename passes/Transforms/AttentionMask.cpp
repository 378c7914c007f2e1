//===- AttentionMask.cpp - Causal / window masks as attributes ------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// A mask is read as a conjunction. Its leaves are comparisons of affine
// functions of the row i and the column j (from linalg.index, or from a
// Range, an iota read along the row or the column axis), which become
// bounds on j - i, and tensors the analysis cannot see through, which stay
// as the rest. Conjunctions may span several elementwise generics as long
// as each reads the next with the identity map (they then share one
// iteration space). Constant masks are compared element by element.
// Conjuncts that hold everywhere drop out: splats, and equality tests of
// values read from provably uniform tensors (splats, fills, and generics
// computing one value from uniform operands, e.g. transformers'
// packed-sequence ids as the cumulative sum of a zero tensor, whose zeros
// may come from index arithmetic that IndexSequences.h proves constant:
// the steps `pos[t + 1] - pos[t] != 1` between Range-built position ids).
//
//===----------------------------------------------------------------------===//

#include "passes/Transforms/AttentionMask.h"
#include "passes/Transforms/IndexSequences.h"
#include "passes/Transforms/Matchers.h"

#include "dialects/attn/AttnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::match;

namespace {

/// a * i + b * j + c.
struct Linear {
  int64_t a = 0, b = 0, c = 0;
};

/// The state of one walk over a mask.
struct Walk {
  unsigned row = 0, col = 0;
  /// The iotas that gave i and j, when they came from one.
  Value rowIota, colIota;
  /// Kept keys satisfy lower <= j - i <= upper.
  std::optional<int64_t> upper, lower;
  /// Conjuncts not understood: i1 tensors with their maps into the mask's
  /// iteration space.
  SmallVector<std::pair<Value, AffineMap>> rest;

  void addUpper(int64_t k) { upper = upper ? std::min(*upper, k) : k; }
  void addLower(int64_t k) { lower = lower ? std::max(*lower, k) : k; }
};

/// Whether `t` holds 0, 1, ..., n-1: a generic yielding its only loop's
/// index (through an index_cast) or such a constant.
bool isIota(Value t) {
  auto type = dyn_cast<RankedTensorType>(t.getType());
  if (!type)
    return false;
  DenseIntElementsAttr cst;
  // A constant may carry unit dims around its one axis.
  if (matchPattern(t, m_Constant(&cst)) &&
      llvm::count_if(type.getShape(), [](int64_t d) { return d != 1; }) <= 1) {
    int64_t n = 0;
    for (const APInt &v : cst.getValues<APInt>())
      if (v.getSExtValue() != n++)
        return false;
    return true;
  }
  if (type.getRank() != 1)
    return false;
  auto g = t.getDefiningOp<linalg::GenericOp>();
  if (!g || g.getNumDpsInputs() != 0 || g.getNumLoops() != 1 ||
      !isElementwise(g))
    return false;
  Value y = yielded(g);
  if (auto cast = y.getDefiningOp<arith::IndexCastOp>())
    y = cast.getIn();
  auto idx = y.getDefiningOp<linalg::IndexOp>();
  return idx && idx.getDim() == 0;
}

std::optional<int64_t> uniformInt(Value t, unsigned depth);

/// An integer constant's value, i1 true as 1 (as a compare yields it).
int64_t boolAsOne(const APInt &v) {
  return v.getBitWidth() == 1 ? int64_t(v.getZExtValue()) : v.getSExtValue();
}

/// The body value `v` of `g` when every input and init element of `g` holds
/// the value `args` gives for its block argument: integer arithmetic on
/// those and on constants, nothing that depends on the iteration (no
/// linalg.index, no reads of other tensors than uniform ones).
std::optional<int64_t> evalUniform(linalg::GenericOp g, Value v,
                                   ArrayRef<std::optional<int64_t>> args,
                                   unsigned depth) {
  if (depth > 32)
    return std::nullopt;
  if (auto arg = dyn_cast<BlockArgument>(v))
    return arg.getOwner() == g.getBody() ? args[arg.getArgNumber()]
                                         : std::nullopt;
  IntegerAttr cst;
  if (matchPattern(v, m_Constant(&cst)))
    return boolAsOne(cst.getValue());
  Operation *def = v.getDefiningOp();
  if (!def || def->getBlock() != g.getBody())
    return std::nullopt;
  auto operand = [&](unsigned i) {
    return evalUniform(g, def->getOperand(i), args, depth + 1);
  };
  // An element of a uniform tensor, wherever it is read.
  if (auto extract = dyn_cast<tensor::ExtractOp>(def))
    return uniformInt(extract.getTensor(), depth + 1);
  // A comparison of uniform float inputs or constants (e.g. a bool mask of
  // ones made from a float constant, `x != 0`).
  if (auto cmp = dyn_cast<arith::CmpFOp>(def)) {
    auto floatOf = [&](Value x) -> std::optional<double> {
      if (OpOperand *in = inputOf(g, x))
        return getFloatSplat(in->get());
      return getFloatSplat(x);
    };
    std::optional<double> l = floatOf(cmp.getLhs()), r = floatOf(cmp.getRhs());
    if (!l || !r)
      return std::nullopt;
    return int64_t(arith::applyCmpPredicate(cmp.getPredicate(), APFloat(*l),
                                            APFloat(*r)));
  }
  // Width changes of small values keep them (the values here are sizes,
  // positions and flags).
  if (isa<arith::IndexCastOp, arith::ExtSIOp>(def)) {
    std::optional<int64_t> x = operand(0);
    // A sign-extended i1 true is -1.
    if (x && def->getOperand(0).getType().isInteger(1))
      return -*x;
    return x;
  }
  if (isa<arith::ExtUIOp, arith::TruncIOp>(def)) {
    std::optional<int64_t> x = operand(0);
    if (x && *x >= 0 && *x < (int64_t(1) << 31))
      return x;
    return std::nullopt;
  }
  if (auto sel = dyn_cast<arith::SelectOp>(def)) {
    std::optional<int64_t> c = operand(0), t = operand(1), f = operand(2);
    if (t && f && *t == *f)
      return t;
    if (c)
      return *c ? t : f;
    return std::nullopt;
  }
  if (!isa<arith::AddIOp, arith::SubIOp, arith::MulIOp>(def))
    return std::nullopt;
  std::optional<int64_t> l = operand(0), r = operand(1);
  if (isa<arith::MulIOp>(def) && ((l && *l == 0) || (r && *r == 0)))
    return 0;
  if (!l || !r)
    return std::nullopt;
  // Small values only, so that the arithmetic cannot wrap.
  if (std::abs(*l) > (int64_t(1) << 30) || std::abs(*r) > (int64_t(1) << 30))
    return std::nullopt;
  if (isa<arith::AddIOp>(def))
    return *l + *r;
  if (isa<arith::SubIOp>(def))
    return *l - *r;
  return *l * *r;
}

std::optional<int64_t> uniformGeneric(Value t, unsigned depth);

/// The integer every element of `t` provably holds: a splat constant, a fill
/// of one, reshapes of such, a generic computing one value from uniform
/// operands, or an arithmetic sequence (IndexSequences.h) with no steps.
std::optional<int64_t> uniformInt(Value t, unsigned depth) {
  auto type = dyn_cast<RankedTensorType>(t.getType());
  if (depth > 16 || !type)
    return std::nullopt;
  if (std::optional<int64_t> splat = getIntSplat(t))
    return type.getElementType().isInteger(1) ? int64_t(*splat != 0) : *splat;
  Operation *def = t.getDefiningOp();
  if (isa_and_nonnull<tensor::ExpandShapeOp, tensor::CollapseShapeOp,
                      tensor::CastOp>(def))
    return uniformInt(def->getOperand(0), depth + 1);
  if (auto fill = dyn_cast_or_null<linalg::FillOp>(def)) {
    IntegerAttr cst;
    if (matchPattern(fill.getInputs()[0], m_Constant(&cst)))
      return boolAsOne(cst.getValue());
  }
  if (std::optional<int64_t> y = uniformGeneric(t, depth))
    return y;
  // Index arithmetic whose every element is the same, e.g. the steps
  // `pos[t + 1] - pos[t] != 1` between position ids that are a Range with
  // its first element minus one prepended.
  std::optional<IndexSequence> seq = indexSequence(t);
  if (seq && seq->isUniform())
    return seq->base;
  return std::nullopt;
}

/// A single-result generic whose inputs and init are uniform and whose
/// body computes one value from them alone (for a reduction, the init's
/// value again, so that every step keeps it; e.g. the cumulative sum of
/// zeros).
std::optional<int64_t> uniformGeneric(Value t, unsigned depth) {
  auto g = t.getDefiningOp<linalg::GenericOp>();
  if (!g || g.getNumResults() != 1 || !g.hasPureTensorSemantics())
    return std::nullopt;
  // Unknown (or float) operands stay unknown; the body may still not need
  // them as integers (a float compare reads its splat itself).
  SmallVector<std::optional<int64_t>> args;
  for (OpOperand &in : g->getOpOperands())
    args.push_back(g.isDpsInit(&in) && !g.payloadUsesValueFromOperand(&in)
                       ? std::nullopt
                       : uniformInt(in.get(), depth + 1));
  std::optional<int64_t> y = evalUniform(g, yielded(g), args, 0);
  if (!y)
    return std::nullopt;
  bool reduces = llvm::any_of(g.getIteratorTypesArray(), [](auto it) {
    return it == utils::IteratorType::reduction;
  });
  OpOperand *init = g.getDpsInitOperand(0);
  if (reduces && (!g.payloadUsesValueFromOperand(init) || y != args.back()))
    return std::nullopt;
  return y;
}

/// Whether the comparison `cmp` of `g`'s body holds or fails everywhere: its
/// operands are elements of uniform tensors (extracted at any index) or
/// uniform inputs. Equality and inequality only.
std::optional<bool> uniformComparison(linalg::GenericOp g, arith::CmpIOp cmp) {
  auto side = [&](Value v) -> std::optional<int64_t> {
    if (auto extract = v.getDefiningOp<tensor::ExtractOp>())
      return uniformInt(extract.getTensor(), 0);
    if (OpOperand *in = inputOf(g, v))
      return uniformInt(in->get(), 0);
    return std::nullopt;
  };
  using P = arith::CmpIPredicate;
  if (cmp.getPredicate() != P::eq && cmp.getPredicate() != P::ne)
    return std::nullopt;
  std::optional<int64_t> l = side(cmp.getLhs()), r = side(cmp.getRhs());
  if (!l || !r)
    return std::nullopt;
  return (*l == *r) == (cmp.getPredicate() == P::eq);
}

/// The body value `v` of `g` as a * i + b * j + c.
std::optional<Linear> linear(linalg::GenericOp g, Value v, Walk &w) {
  if (auto idx = v.getDefiningOp<linalg::IndexOp>()) {
    if (idx.getDim() == w.row)
      return Linear{1, 0, 0};
    if (idx.getDim() == w.col)
      return Linear{0, 1, 0};
    return std::nullopt;
  }
  if (isa_and_nonnull<arith::IndexCastOp, arith::ExtSIOp>(v.getDefiningOp()))
    return linear(g, v.getDefiningOp()->getOperand(0), w);
  IntegerAttr cst;
  if (matchPattern(v, m_Constant(&cst)))
    return Linear{0, 0, cst.getValue().getSExtValue()};
  if (auto add = v.getDefiningOp<arith::AddIOp>()) {
    auto l = linear(g, add.getLhs(), w), r = linear(g, add.getRhs(), w);
    if (!l || !r)
      return std::nullopt;
    return Linear{l->a + r->a, l->b + r->b, l->c + r->c};
  }
  if (auto sub = v.getDefiningOp<arith::SubIOp>()) {
    auto l = linear(g, sub.getLhs(), w), r = linear(g, sub.getRhs(), w);
    if (!l || !r)
      return std::nullopt;
    return Linear{l->a - r->a, l->b - r->b, l->c - r->c};
  }
  // An input read along the row or the column axis only, which is an iota
  // (through reshapes that add or drop unit dimensions).
  OpOperand *in = inputOf(g, v);
  if (!in)
    return std::nullopt;
  std::optional<int64_t> splat = getIntSplat(in->get());
  if (splat)
    return Linear{0, 0, *splat};
  AffineMap map = g.getMatchingIndexingMap(in);
  auto type = cast<RankedTensorType>(in->get().getType());
  std::optional<unsigned> axis;
  for (auto [pos, e] : llvm::enumerate(map.getResults())) {
    // Unit dims read index 0 whatever the map says.
    if (type.getDimSize(pos) == 1)
      continue;
    auto d = dyn_cast<AffineDimExpr>(e);
    if (!d || axis || (d.getPosition() != w.row && d.getPosition() != w.col))
      return std::nullopt;
    axis = d.getPosition();
  }
  Value iota = skipReshapes(in->get());
  if (!axis || !isIota(iota))
    return std::nullopt;
  if (*axis == w.row) {
    w.rowIota = iota;
    return Linear{1, 0, 0};
  }
  w.colIota = iota;
  return Linear{0, 1, 0};
}

/// Adds `cmp` (negated if `negate`) as a bound on j - i.
LogicalResult addComparison(linalg::GenericOp g, arith::CmpIOp cmp, bool negate,
                            Walk &w) {
  std::optional<Linear> l = linear(g, cmp.getLhs(), w);
  std::optional<Linear> r = linear(g, cmp.getRhs(), w);
  if (!l || !r)
    return failure();
  using P = arith::CmpIPredicate;
  P pred = cmp.getPredicate();
  // Unsigned comparisons agree with signed ones on plain indices only.
  auto plain = [](const Linear &x) {
    return x.c == 0 && x.a >= 0 && x.b >= 0 && x.a + x.b == 1;
  };
  switch (pred) {
  case P::ult: case P::ule: case P::ugt: case P::uge:
    if (!plain(*l) || !plain(*r))
      return failure();
    break;
  case P::slt: case P::sle: case P::sgt: case P::sge:
    break;
  default:
    return failure();
  }
  if (negate)
    pred = arith::invertPredicate(pred);
  // e = l - r = s * (j - i) + c.
  int64_t a = l->a - r->a, s = l->b - r->b, c = l->c - r->c;
  if ((s != 1 && s != -1) || a != -s)
    return failure();
  bool less = pred == P::slt || pred == P::ult;
  bool lessEq = pred == P::sle || pred == P::ule;
  bool greater = pred == P::sgt || pred == P::ugt;
  // Bring to e <= k or e >= k (integers).
  if (less || greater)
    c += less ? 1 : -1;
  bool upperOnE = less || lessEq; // e <= 0 after the shift
  // s * t + c <= 0  <=>  t <= -c (s = 1) or t >= c (s = -1); likewise >=.
  if (upperOnE == (s == 1)) {
    if (s == 1)
      w.addUpper(-c);
    else
      w.addUpper(c);
  } else {
    if (s == 1)
      w.addLower(-c);
    else
      w.addLower(c);
  }
  return success();
}

void analyzeTensor(Value t, Walk &w);

/// Adds the conjuncts of the i1 body value `v` of `g`.
LogicalResult conjuncts(linalg::GenericOp g, Value v, Walk &w) {
  if (auto andOp = v.getDefiningOp<arith::AndIOp>())
    return success(succeeded(conjuncts(g, andOp.getLhs(), w)) &&
                   succeeded(conjuncts(g, andOp.getRhs(), w)));
  IntegerAttr cst;
  if (matchPattern(v, m_Constant(&cst)))
    return success(!cst.getValue().isZero());
  if (auto cmp = v.getDefiningOp<arith::CmpIOp>()) {
    // E.g. transformers' packed-sequence test: the sequence ids of query
    // and key, both read from a cumulative sum of zeros, are equal.
    if (std::optional<bool> known = uniformComparison(g, cmp))
      return success(*known);
    return addComparison(g, cmp, /*negate=*/false, w);
  }
  OpOperand *in = inputOf(g, v);
  if (!in)
    return failure();
  if (std::optional<int64_t> splat = uniformInt(in->get(), 0))
    return success(*splat != 0);
  AffineMap map = g.getMatchingIndexingMap(in);
  if (map.isIdentity())
    analyzeTensor(in->get(), w);
  else
    w.rest.push_back({in->get(), map});
  return success();
}

/// Adds the conjuncts of the i1 tensor `t` (read with the identity map), or
/// `t` itself as a rest when it is not a conjunction the walk understands.
void analyzeTensor(Value t, Walk &w) {
  unsigned rank = cast<RankedTensorType>(t.getType()).getRank();
  linalg::GenericOp g = elementwise(t, rank);
  Walk sub = w;
  if (g && g.getNumResults() == 1 &&
      succeeded(conjuncts(g, yielded(g), sub))) {
    w = std::move(sub);
    return;
  }
  w.rest.push_back({t, AffineMap::getMultiDimIdentityMap(rank, t.getContext())});
}

/// A value that drops a score: -inf or at most the lowest float.
bool isDropValue(std::optional<double> v) {
  return v && (std::isinf(*v) ? *v < 0 : *v <= -3.0e38);
}

/// The float constant a select operand stands for.
std::optional<double> floatConstantOf(linalg::GenericOp g, Value v) {
  if (OpOperand *in = inputOf(g, v))
    return getFloatSplat(in->get());
  if (isa<BlockArgument>(v))
    return std::nullopt;
  return getFloatSplat(v);
}

/// A constant mask, element by element: kept where true / 0, dropped where
/// false / `drop`; the band's upper edge must be `upper`. Sets the walk's
/// bounds when every element agrees with them.
LogicalResult constantBand(DenseElementsAttr cst, int64_t upper, Walk &w,
                           std::optional<double> &drop) {
  auto type = cast<RankedTensorType>(cst.getType());
  int64_t rank = type.getRank(), rows = type.getDimSize(rank - 2),
          cols = type.getDimSize(rank - 1);
  SmallVector<bool> keep;
  if (type.getElementType().isInteger(1)) {
    llvm::append_range(keep, cst.getValues<bool>());
  } else if (isa<FloatType>(type.getElementType())) {
    for (const APFloat &v : cst.getValues<APFloat>()) {
      double d = toDouble(v);
      if (d == 0.0) {
        keep.push_back(true);
        continue;
      }
      if (!isDropValue(d) || (drop && *drop != d))
        return failure();
      drop = d;
      keep.push_back(false);
    }
  } else {
    return failure();
  }
  // The window's edge: the lowest kept j - i.
  int64_t lowest = cols;
  for (auto [n, k] : llvm::enumerate(keep))
    if (k)
      lowest = std::min<int64_t>(lowest, int64_t(n % cols) -
                                             int64_t(n / cols % rows));
  for (auto [n, k] : llvm::enumerate(keep)) {
    int64_t t = int64_t(n % cols) - int64_t(n / cols % rows);
    if (k != (t <= upper && t >= lowest))
      return failure();
  }
  w.addUpper(upper);
  if (lowest > -(rows - 1))
    w.addLower(lowest);
  return success();
}

/// Whether the dynamic sizes `a` and `b` are the same value: equal SSA
/// values, or tensor.dim of expand_shapes of one source dimension.
bool sameDynamicSize(Value a, Value b) {
  auto resolve = [](Value v) -> std::pair<Value, int64_t> {
    auto dim = v.getDefiningOp<tensor::DimOp>();
    std::optional<int64_t> index = dim ? dim.getConstantIndex() : std::nullopt;
    if (!index)
      return {v, -1};
    Value t = dim.getSource();
    int64_t d = *index;
    while (auto expand = t.getDefiningOp<tensor::ExpandShapeOp>()) {
      auto type = expand.getResultType();
      int64_t src = -1;
      for (auto [s, group] :
           llvm::enumerate(expand.getReassociationIndices()))
        if (llvm::is_contained(group, d) &&
            llvm::count_if(group, [&](int64_t x) {
              return type.getDimSize(x) != 1;
            }) == 1)
          src = s;
      if (src < 0)
        break;
      t = expand.getSrc();
      d = src;
    }
    return {t, d};
  };
  return a == b || resolve(a) == resolve(b);
}

/// Whether the mask is square: static equal sizes, one iota for rows and
/// columns, or one dynamic size for both.
bool provablySquare(Value mask, const Walk &w) {
  auto type = cast<RankedTensorType>(mask.getType());
  int64_t r = type.getRank();
  if (!type.isDynamicDim(r - 2) && !type.isDynamicDim(r - 1))
    return type.getDimSize(r - 2) == type.getDimSize(r - 1);
  if (w.rowIota && w.rowIota == w.colIota)
    return true;
  auto g = mask.getDefiningOp<linalg::GenericOp>();
  auto empty = g ? g.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>()
                 : tensor::EmptyOp();
  if (!empty || !type.isDynamicDim(r - 2) || !type.isDynamicDim(r - 1))
    return false;
  return sameDynamicSize(empty.getDynamicSize(r - 2),
                         empty.getDynamicSize(r - 1));
}

//===----------------------------------------------------------------------===//
// Run-time sizes
//===----------------------------------------------------------------------===//

using SizeRoot = std::pair<Value, int64_t>;
SizeRoot tensorSizeRoot(Value t, int64_t d, unsigned depth);

/// The root of an integer or index size value (dim -1 marks a scalar).
SizeRoot scalarSizeRoot(Value v, unsigned depth) {
  if (depth > 64)
    return {v, -1};
  Operation *def = v.getDefiningOp();
  if (isa_and_nonnull<arith::IndexCastOp, arith::IndexCastUIOp,
                      arith::ExtSIOp, arith::ExtUIOp>(def))
    return scalarSizeRoot(def->getOperand(0), depth + 1);
  if (auto dim = dyn_cast_or_null<tensor::DimOp>(def))
    if (std::optional<int64_t> i = dim.getConstantIndex())
      return tensorSizeRoot(dim.getSource(), *i, depth + 1);
  if (auto extract = dyn_cast_or_null<tensor::ExtractOp>(def)) {
    auto elements =
        extract.getTensor().getDefiningOp<tensor::FromElementsOp>();
    if (elements && extract.getIndices().size() == 1)
      if (std::optional<int64_t> i =
              getConstantIntValue(extract.getIndices()[0]))
        return scalarSizeRoot(elements.getElements()[*i], depth + 1);
  }
  // A reshape's inferred size (n * c) / c: n * c counts the elements of
  // a tensor that exists, so the product does not overflow.
  if (isa_and_nonnull<arith::DivUIOp, arith::DivSIOp>(def)) {
    auto mul = def->getOperand(0).getDefiningOp<arith::MulIOp>();
    std::optional<int64_t> c = getConstantIntValue(def->getOperand(1));
    if (mul && c && *c > 0) {
      if (getConstantIntValue(mul.getRhs()) == c)
        return scalarSizeRoot(mul.getLhs(), depth + 1);
      if (getConstantIntValue(mul.getLhs()) == c)
        return scalarSizeRoot(mul.getRhs(), depth + 1);
    }
  }
  // Range(0, n, 1)'s length, max(ceil((n - 0) / 1), 0), computed in f64:
  // n itself when n is a (non-negative) size below 2^53.
  if (auto toInt = dyn_cast_or_null<arith::FPToSIOp>(def)) {
    Operation *max = toInt.getIn().getDefiningOp();
    if (isa_and_nonnull<arith::MaximumFOp, arith::MaxNumFOp>(max)) {
      auto ceil = max->getOperand(0).getDefiningOp<math::CeilOp>();
      auto toFloat = ceil ? ceil.getOperand().getDefiningOp<arith::SIToFPOp>()
                          : arith::SIToFPOp();
      std::optional<double> zero = getFloatSplat(max->getOperand(1));
      if (toFloat && zero == 0.0) {
        SizeRoot inner = scalarSizeRoot(toFloat.getIn(), depth + 1);
        if (inner.second >= 0)
          return inner;
      }
    }
  }
  return {v, -1};
}

/// The root of dim `d` of tensor `t`.
SizeRoot tensorSizeRoot(Value t, int64_t d, unsigned depth) {
  auto type = cast<RankedTensorType>(t.getType());
  Operation *def = t.getDefiningOp();
  if (depth > 64 || !def || !type.isDynamicDim(d))
    return {t, d};
  if (auto empty = dyn_cast<tensor::EmptyOp>(def))
    return scalarSizeRoot(empty.getDynamicSize(d), depth + 1);
  if (auto cast = dyn_cast<tensor::CastOp>(def))
    return tensorSizeRoot(cast.getSource(), d, depth + 1);
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(def))
    if (dps.hasPureTensorSemantics())
      return tensorSizeRoot(
          dps.getTiedOpOperand(cast<OpResult>(t))->get(), d, depth + 1);
  if (auto rope = dyn_cast<attn::RopeOp>(def))
    return tensorSizeRoot(rope->getOperand(0), d, depth + 1);
  if (auto reshape = dyn_cast<tensor::ReshapeOp>(def))
    if (auto shape = reshape.getShape().getDefiningOp<tensor::FromElementsOp>())
      return scalarSizeRoot(shape.getElements()[d], depth + 1);
  if (auto concat = dyn_cast<tensor::ConcatOp>(def))
    if (int64_t(concat.getDim()) != d)
      return tensorSizeRoot(concat.getInputs()[0], d, depth + 1);
  // Reshapes that only add or drop unit dims around d.
  auto soleNonUnit = [](ArrayRef<int64_t> group, RankedTensorType ty) {
    int64_t sole = -1;
    for (int64_t x : group)
      if (ty.getDimSize(x) != 1) {
        if (sole >= 0)
          return int64_t(-1);
        sole = x;
      }
    return sole;
  };
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(def)) {
    for (auto [src, group] : llvm::enumerate(expand.getReassociationIndices()))
      if (llvm::is_contained(group, d) && soleNonUnit(group, type) == d)
        return tensorSizeRoot(expand.getSrc(), src, depth + 1);
    return {t, d};
  }
  if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(def)) {
    auto group = collapse.getReassociationIndices()[d];
    int64_t src = soleNonUnit(group, collapse.getSrcType());
    if (src >= 0)
      return tensorSizeRoot(collapse.getSrc(), src, depth + 1);
  }
  return {t, d};
}

} // namespace

bool match::sameRuntimeSize(Value a, int64_t da, Value b, int64_t db) {
  int64_t sa = cast<ShapedType>(a.getType()).getDimSize(da);
  int64_t sb = cast<ShapedType>(b.getType()).getDimSize(db);
  if (!ShapedType::isDynamic(sa) || !ShapedType::isDynamic(sb))
    return sa == sb;
  return tensorSizeRoot(a, da, 0) == tensorSizeRoot(b, db, 0);
}

FailureOr<MaskSplit> match::splitAttentionMask(OpBuilder &b, Location loc,
                                               Value mask, Value q, Value k) {
  auto type = dyn_cast<RankedTensorType>(mask.getType());
  if (!type || type.getRank() < 2)
    return failure();
  int64_t rank = type.getRank();
  Walk w;
  w.row = rank - 2;
  w.col = rank - 1;
  bool isFloat = isa<FloatType>(type.getElementType());

  // Skv - Sq: the mask's own static sizes (which are Sq and Skv), the
  // operands', or 0 for a square mask (decided after the walk).
  std::optional<int64_t> offset;
  int64_t maskRows = type.getDimSize(rank - 2), maskCols = type.getDimSize(rank - 1);
  int64_t sq = cast<ShapedType>(q.getType()).getDimSize(2);
  int64_t skv = cast<ShapedType>(k.getType()).getDimSize(2);
  if (!ShapedType::isDynamic(maskRows) && !ShapedType::isDynamic(maskCols))
    offset = maskCols - maskRows;
  else if (!ShapedType::isDynamic(sq) && !ShapedType::isDynamic(skv))
    offset = skv - sq;

  std::optional<double> drop;
  DenseElementsAttr cst;
  if (matchPattern(mask, m_Constant(&cst))) {
    if (!offset || failed(constantBand(cst, *offset, w, drop)))
      return failure();
  } else if (isFloat) {
    // where(cond, 0, drop) or where(cond, drop, 0) (Trilu of a constant).
    linalg::GenericOp g = elementwise(mask, rank);
    auto sel = g ? yielded(g).getDefiningOp<arith::SelectOp>()
                 : arith::SelectOp();
    if (!sel || sel->getBlock() != g.getBody())
      return failure();
    std::optional<double> t = floatConstantOf(g, sel.getTrueValue());
    std::optional<double> f = floatConstantOf(g, sel.getFalseValue());
    if (t == 0.0 && isDropValue(f)) {
      drop = f;
      if (failed(conjuncts(g, sel.getCondition(), w)))
        return failure();
    } else if (f == 0.0 && isDropValue(t)) {
      drop = t;
      auto cmp = sel.getCondition().getDefiningOp<arith::CmpIOp>();
      if (!cmp || failed(addComparison(g, cmp, /*negate=*/true, w)))
        return failure();
    } else {
      return failure();
    }
  } else if (type.getElementType().isInteger(1)) {
    analyzeTensor(mask, w);
  } else {
    return failure();
  }

  if (!w.upper)
    return failure();
  if (!offset && provablySquare(mask, w))
    offset = 0;
  if (!offset || *offset < 0 || *w.upper != *offset)
    return failure();
  MaskSplit split;
  split.causal = true;
  if (w.lower) {
    int64_t left = *offset - *w.lower;
    if (left < 0)
      return failure();
    split.windowLeft = left;
  }
  if (w.rest.empty())
    return split;
  if (isFloat && !std::isinf(*drop))
    return failure();

  // The rest: the one tensor, or the conjunction of the tensors.
  if (w.rest.size() == 1 && w.rest[0].second.isIdentity() &&
      cast<ShapedType>(w.rest[0].first.getType()).getShape() ==
          type.getShape()) {
    split.rest = w.rest[0].first;
    return split;
  }
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (auto [t, map] : w.rest) {
    inputs.push_back(t);
    maps.push_back(map);
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = tensor::EmptyOp::create(b, loc,
                                       tensor::getMixedSizes(b, loc, mask),
                                       b.getI1Type());
  split.rest =
      linalg::GenericOp::create(
          b, loc, init.getType(), inputs, ValueRange{init}, maps,
          SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value all = args[0];
            for (Value x : args.drop_front().drop_back())
              all = arith::AndIOp::create(nb, nl, all, x);
            linalg::YieldOp::create(nb, nl, all);
          })
          .getResult(0);
  return split;
}
