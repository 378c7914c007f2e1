//===- IndexSequences.cpp - Integer tensors as arithmetic sequences -------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Two small abstract interpretations that feed each other: integer scalars
// outside any generic get bounds [lo, hi] (sizes are at least 0, a
// concatenation with a static piece at least that piece's size, min / max
// clamp), and tensors get an affine form in their element index, computed
// through the generics that build them by evaluating the body as an affine
// function of the loop indices. Where a comparison or a min / max is
// decided by those forms (their difference is a constant), it folds, so a
// step test such as `pos[t + 1] - pos[t] != 1` over a Concat of a Range
// with its first element minus one is the constant false.
//
//===----------------------------------------------------------------------===//

#include "passes/Transforms/IndexSequences.h"
#include "passes/Transforms/Matchers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::match;

namespace {

constexpr unsigned kMaxDepth = 48;
/// The analysis trusts values of smaller magnitude only: its own int64
/// arithmetic then cannot overflow, and graph indices stay far below.
constexpr int64_t kLimit = int64_t(1) << 40;

bool small(int64_t x) { return x > -kLimit && x < kLimit; }

std::optional<int64_t> mul(int64_t a, int64_t b) {
  int64_t r;
  if (llvm::MulOverflow(a, b, r) || !small(r))
    return std::nullopt;
  return r;
}

/// `inner` times a dimension's size, none when the size is dynamic.
std::optional<int64_t> mulSize(int64_t inner, int64_t size) {
  return ShapedType::isDynamic(size) ? std::nullopt : mul(inner, size);
}

bool isIntLike(Type t) { return isa<IntegerType, IndexType>(t); }

/// An integer constant, i1 as 0 / 1.
std::optional<int64_t> intConstant(Value v) {
  IntegerAttr a;
  if (!matchPattern(v, m_Constant(&a)))
    return std::nullopt;
  const APInt &x = a.getValue();
  if (x.getBitWidth() == 1)
    return int64_t(x.getZExtValue());
  if (x.getSignificantBits() > 63 || !small(x.getSExtValue()))
    return std::nullopt;
  return x.getSExtValue();
}

/// Bounds of an integer scalar.
struct Bounds {
  std::optional<int64_t> lo, hi;
  std::optional<int64_t> exact() const {
    return lo && hi && *lo == *hi ? lo : std::nullopt;
  }
};

Bounds point(int64_t v) { return {v, v}; }

/// Whether a < b for every value in the bounds (true), for none (false).
std::optional<bool> lessThan(Bounds a, Bounds b) {
  if (a.hi && b.lo && *a.hi < *b.lo)
    return true;
  if (a.lo && b.hi && *a.lo >= *b.hi)
    return false;
  return std::nullopt;
}

/// The comparison `l pred r` when the bounds decide it.
std::optional<bool> decide(arith::CmpIPredicate pred, Bounds l, Bounds r) {
  using P = arith::CmpIPredicate;
  auto negate = [](std::optional<bool> x) -> std::optional<bool> {
    if (x)
      return !*x;
    return std::nullopt;
  };
  // Unsigned comparisons agree with signed ones on non-negative values.
  bool nonNegative = l.lo && *l.lo >= 0 && r.lo && *r.lo >= 0;
  switch (pred) {
  case P::eq:
  case P::ne: {
    std::optional<bool> eq;
    if (l.exact() && r.exact())
      eq = *l.exact() == *r.exact();
    else if (lessThan(l, r) == true || lessThan(r, l) == true)
      eq = false;
    return pred == P::eq ? eq : negate(eq);
  }
  case P::ult:
  case P::ule:
  case P::ugt:
  case P::uge:
    if (!nonNegative)
      return std::nullopt;
    return decide(arith::CmpIPredicate(int(pred) - 4), l, r);
  case P::slt:
    return lessThan(l, r);
  case P::sle:
    return negate(lessThan(r, l));
  case P::sgt:
    return lessThan(r, l);
  case P::sge:
    return negate(lessThan(l, r));
  }
  return std::nullopt;
}

/// An affine function `coef . loops + c` of a generic's loop indices.
struct Affine {
  SmallVector<int64_t> coef;
  int64_t c = 0;
  bool isConstant() const {
    return llvm::all_of(coef, [](int64_t x) { return x == 0; });
  }
  bool operator==(const Affine &o) const { return coef == o.coef && c == o.c; }
};

/// x + k * y, or nothing on overflow.
std::optional<Affine> addScaled(const Affine &x, int64_t k, const Affine &y) {
  Affine r = x;
  for (auto [a, b] : llvm::zip(r.coef, y.coef)) {
    std::optional<int64_t> kb = mul(k, b);
    if (!kb || !small(a + *kb))
      return std::nullopt;
    a += *kb;
  }
  std::optional<int64_t> kc = mul(k, y.c);
  if (!kc || !small(r.c + *kc))
    return std::nullopt;
  r.c += *kc;
  return r;
}

/// The sequence of `expand`'s result, given its source's `src`.
std::optional<IndexSequence> expandSequence(tensor::ExpandShapeOp expand,
                                            const IndexSequence &src) {
  RankedTensorType type = expand.getResultType();
  IndexSequence s;
  s.base = src.base;
  s.strides.assign(type.getRank(), 0);
  for (auto [sd, group] : llvm::enumerate(expand.getReassociationIndices())) {
    int64_t stride = src.strides[sd];
    // Row-major within the group: a dim steps by the product of the sizes
    // after it, which must be known where the stride matters.
    int64_t inner = 1;
    bool known = true;
    for (int64_t d : llvm::reverse(group)) {
      int64_t size = type.getDimSize(d);
      if (size == 1)
        continue;
      if (stride != 0) {
        std::optional<int64_t> x = known ? mul(stride, inner) : std::nullopt;
        if (!x)
          return std::nullopt;
        s.strides[d] = *x;
      }
      if (std::optional<int64_t> next = mulSize(inner, size))
        inner = *next;
      else
        known = false;
    }
  }
  return s;
}

/// The sequence of `collapse`'s result, given its source's `src`.
std::optional<IndexSequence>
collapseSequence(tensor::CollapseShapeOp collapse, const IndexSequence &src) {
  RankedTensorType srcType = collapse.getSrcType();
  IndexSequence s;
  s.base = src.base;
  for (ReassociationIndices group : collapse.getReassociationIndices()) {
    SmallVector<int64_t> dims;
    for (int64_t d : group)
      if (srcType.getDimSize(d) != 1)
        dims.push_back(d);
    if (llvm::all_of(dims, [&](int64_t d) { return src.strides[d] == 0; })) {
      s.strides.push_back(0);
      continue;
    }
    // The collapsed index p = sum_k p_k * inner_k: affine in p when each
    // dim's stride is the innermost one's times its inner_k.
    int64_t step = src.strides[dims.back()], inner = 1;
    for (int64_t d : llvm::reverse(dims)) {
      if (mul(step, inner) != src.strides[d])
        return std::nullopt;
      if (d == dims.front())
        break;
      int64_t size = srcType.getDimSize(d);
      std::optional<int64_t> next = mulSize(inner, size);
      if (!next)
        return std::nullopt;
      inner = *next;
    }
    s.strides.push_back(step);
  }
  return s;
}

class Analysis {
public:
  std::optional<IndexSequence> sequence(Value t, unsigned depth);
  Bounds bounds(Value v, unsigned depth);

private:
  Bounds boundsOf(Value v, unsigned depth);
  int64_t dimLowerBound(Value t, int64_t d, unsigned depth);
  std::optional<IndexSequence> sequenceOf(Value t, RankedTensorType type,
                                          unsigned depth);
  std::optional<IndexSequence> concatSequence(tensor::ConcatOp concat,
                                              unsigned depth);
  std::optional<IndexSequence> genericSequence(linalg::GenericOp g,
                                               unsigned depth);
  std::optional<Affine> affine(linalg::GenericOp g, Value v, unsigned depth);
  std::optional<Affine> affineOp(linalg::GenericOp g, Operation *def,
                                 unsigned depth);

  DenseMap<Value, std::optional<IndexSequence>> sequences;
  DenseMap<Value, Bounds> scalars;
};

/// The elements `values` of a tensor of `shape` (row-major) as a sequence.
std::optional<IndexSequence> fromValues(ArrayRef<int64_t> shape,
                                        ArrayRef<int64_t> values) {
  size_t rank = shape.size();
  IndexSequence s;
  s.strides.assign(rank, 0);
  if (values.empty())
    return s;
  SmallVector<int64_t> layout(rank, 1);
  for (int64_t d = int64_t(rank) - 2; d >= 0; --d)
    layout[d] = layout[d + 1] * shape[d + 1];
  s.base = values[0];
  for (size_t d = 0; d < rank; ++d)
    if (shape[d] > 1)
      s.strides[d] = values[layout[d]] - s.base;
  for (auto [n, v] : llvm::enumerate(values)) {
    int64_t expected = s.base;
    for (size_t d = 0; d < rank; ++d)
      expected += s.strides[d] * (int64_t(n) / layout[d] % shape[d]);
    if (v != expected)
      return std::nullopt;
  }
  return s;
}

Bounds Analysis::bounds(Value v, unsigned depth) {
  if (depth > kMaxDepth || !isIntLike(v.getType()))
    return {};
  if (auto it = scalars.find(v); it != scalars.end())
    return it->second;
  Bounds b = boundsOf(v, depth);
  if (b.lo && !small(*b.lo))
    b.lo.reset();
  if (b.hi && !small(*b.hi))
    b.hi.reset();
  scalars[v] = b;
  return b;
}

Bounds Analysis::boundsOf(Value v, unsigned depth) {
  if (std::optional<int64_t> c = intConstant(v))
    return point(*c);
  Operation *def = v.getDefiningOp();
  if (!def)
    return {};
  auto operand = [&](unsigned i) {
    return bounds(def->getOperand(i), depth + 1);
  };
  if (isa<arith::IndexCastOp, arith::ExtSIOp>(def)) {
    Bounds x = operand(0);
    // A sign-extended i1 true is -1 (index_cast sign-extends too).
    if (def->getOperand(0).getType().isInteger(1))
      return {x.hi ? std::optional<int64_t>(-*x.hi) : std::nullopt,
              x.lo ? std::optional<int64_t>(-*x.lo) : std::nullopt};
    return x;
  }
  if (isa<arith::IndexCastUIOp, arith::ExtUIOp>(def)) {
    Bounds x = operand(0);
    return x.lo && *x.lo >= 0 ? x : Bounds();
  }
  if (isa<arith::MinSIOp, arith::MaxSIOp>(def)) {
    Bounds l = operand(0), r = operand(1);
    bool isMin = isa<arith::MinSIOp>(def);
    auto both = [&](std::optional<int64_t> a, std::optional<int64_t> b)
        -> std::optional<int64_t> {
      if (!a || !b)
        return std::nullopt;
      return isMin ? std::min(*a, *b) : std::max(*a, *b);
    };
    auto either = [&](std::optional<int64_t> a, std::optional<int64_t> b) {
      if (a && b)
        return both(a, b);
      return a ? a : b;
    };
    // min(l, r) <= either upper bound; max(l, r) >= either lower bound.
    if (isMin)
      return {both(l.lo, r.lo), either(l.hi, r.hi)};
    return {either(l.lo, r.lo), both(l.hi, r.hi)};
  }
  if (isa<arith::AddIOp, arith::SubIOp>(def)) {
    Bounds l = operand(0), r = operand(1);
    auto op = [&](std::optional<int64_t> a,
                  std::optional<int64_t> b) -> std::optional<int64_t> {
      if (!a || !b)
        return std::nullopt;
      return isa<arith::AddIOp>(def) ? *a + *b : *a - *b;
    };
    if (isa<arith::AddIOp>(def))
      return {op(l.lo, r.lo), op(l.hi, r.hi)};
    return {op(l.lo, r.hi), op(l.hi, r.lo)};
  }
  if (isa<arith::MulIOp>(def)) {
    std::optional<int64_t> l = operand(0).exact(), r = operand(1).exact();
    if (l && r)
      if (std::optional<int64_t> p = mul(*l, *r))
        return point(*p);
    return {};
  }
  if (auto sel = dyn_cast<arith::SelectOp>(def)) {
    std::optional<int64_t> c = operand(0).exact();
    if (c)
      return *c ? operand(1) : operand(2);
    Bounds t = operand(1), f = operand(2);
    auto lo = t.lo && f.lo ? std::optional<int64_t>(std::min(*t.lo, *f.lo))
                           : std::nullopt;
    auto hi = t.hi && f.hi ? std::optional<int64_t>(std::max(*t.hi, *f.hi))
                           : std::nullopt;
    return {lo, hi};
  }
  if (auto cmp = dyn_cast<arith::CmpIOp>(def)) {
    if (std::optional<bool> known =
            decide(cmp.getPredicate(), operand(0), operand(1)))
      return point(*known);
    return {0, 1};
  }
  if (auto dim = dyn_cast<tensor::DimOp>(def)) {
    std::optional<int64_t> index = dim.getConstantIndex();
    auto type = dyn_cast<RankedTensorType>(dim.getSource().getType());
    if (!index || !type || *index < 0 || *index >= type.getRank())
      return {0, std::nullopt};
    if (!type.isDynamicDim(*index))
      return point(type.getDimSize(*index));
    return {dimLowerBound(dim.getSource(), *index, depth + 1), std::nullopt};
  }
  if (auto extract = dyn_cast<tensor::ExtractOp>(def)) {
    SmallVector<int64_t> at;
    for (Value i : extract.getIndices()) {
      std::optional<int64_t> x = bounds(i, depth + 1).exact();
      if (!x)
        return {};
      at.push_back(*x);
    }
    if (auto elements =
            extract.getTensor().getDefiningOp<tensor::FromElementsOp>()) {
      ArrayRef<int64_t> shape = elements.getType().getShape();
      int64_t n = 0;
      for (auto [x, size] : llvm::zip(at, shape))
        n = n * size + x;
      if (n < 0 || n >= int64_t(elements.getElements().size()))
        return {};
      return bounds(elements.getElements()[n], depth + 1);
    }
    std::optional<IndexSequence> s = sequence(extract.getTensor(), depth + 1);
    if (!s)
      return {};
    int64_t v = s->base;
    for (auto [stride, x] : llvm::zip(s->strides, at)) {
      std::optional<int64_t> term = mul(stride, x);
      if (!term || !small(v + *term))
        return {};
      v += *term;
    }
    return point(v);
  }
  return {};
}

int64_t Analysis::dimLowerBound(Value t, int64_t d, unsigned depth) {
  auto type = cast<RankedTensorType>(t.getType());
  if (!type.isDynamicDim(d))
    return type.getDimSize(d);
  Operation *def = t.getDefiningOp();
  if (depth > kMaxDepth || !def)
    return 0;
  if (auto concat = dyn_cast<tensor::ConcatOp>(def)) {
    int64_t sum = 0, most = 0;
    for (Value in : concat.getInputs()) {
      int64_t x = dimLowerBound(in, d, depth + 1);
      sum += x;
      most = std::max(most, x);
    }
    // Along the axis the sizes add up; across it they are all equal.
    return int64_t(concat.getDim()) == d ? sum : most;
  }
  if (auto cast = dyn_cast<tensor::CastOp>(def))
    return dimLowerBound(cast.getSource(), d, depth + 1);
  if (auto empty = dyn_cast<tensor::EmptyOp>(def)) {
    std::optional<int64_t> lo = bounds(empty.getDynamicSize(d), depth + 1).lo;
    return lo ? std::max<int64_t>(*lo, 0) : 0;
  }
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(def))
    if (dps.hasPureTensorSemantics())
      return dimLowerBound(dps.getTiedOpOperand(cast<OpResult>(t))->get(), d,
                           depth + 1);
  return 0;
}

std::optional<IndexSequence> Analysis::sequence(Value t, unsigned depth) {
  auto type = dyn_cast<RankedTensorType>(t.getType());
  if (depth > kMaxDepth || !type || !isIntLike(type.getElementType()))
    return std::nullopt;
  if (auto it = sequences.find(t); it != sequences.end())
    return it->second;
  std::optional<IndexSequence> s = sequenceOf(t, type, depth);
  if (s) {
    // Unit dims read index 0 only.
    for (auto [d, stride] : llvm::enumerate(s->strides))
      if (type.getDimSize(d) == 1)
        stride = 0;
    bool bitOk = !type.getElementType().isInteger(1) ||
                 (s->isUniform() && (s->base == 0 || s->base == 1));
    if (!bitOk || !small(s->base) ||
        !llvm::all_of(s->strides, [](int64_t x) { return small(x); }))
      s.reset();
  }
  sequences[t] = s;
  return s;
}

std::optional<IndexSequence>
Analysis::sequenceOf(Value t, RankedTensorType type, unsigned depth) {
  DenseIntElementsAttr cst;
  if (matchPattern(t, m_Constant(&cst))) {
    bool bit = type.getElementType().isInteger(1);
    auto value = [&](const APInt &x) -> std::optional<int64_t> {
      if (bit)
        return int64_t(x.getZExtValue());
      if (x.getSignificantBits() > 63)
        return std::nullopt;
      return x.getSExtValue();
    };
    if (cst.isSplat() || type.getNumElements() > (int64_t(1) << 16)) {
      if (!cst.isSplat())
        return std::nullopt;
      std::optional<int64_t> v = value(cst.getSplatValue<APInt>());
      if (!v)
        return std::nullopt;
      return IndexSequence{SmallVector<int64_t>(type.getRank(), 0), *v};
    }
    SmallVector<int64_t> values;
    for (const APInt &x : cst.getValues<APInt>()) {
      std::optional<int64_t> v = value(x);
      if (!v || !small(*v))
        return std::nullopt;
      values.push_back(*v);
    }
    return fromValues(type.getShape(), values);
  }
  Operation *def = t.getDefiningOp();
  if (!def)
    return std::nullopt;
  if (auto fill = dyn_cast<linalg::FillOp>(def)) {
    std::optional<int64_t> v = bounds(fill.getInputs()[0], depth + 1).exact();
    if (!v)
      return std::nullopt;
    return IndexSequence{SmallVector<int64_t>(type.getRank(), 0), *v};
  }
  if (auto cast = dyn_cast<tensor::CastOp>(def)) {
    auto src = dyn_cast<RankedTensorType>(cast.getSource().getType());
    if (!src || src.getRank() != type.getRank())
      return std::nullopt;
    return sequence(cast.getSource(), depth + 1);
  }
  if (auto elements = dyn_cast<tensor::FromElementsOp>(def)) {
    if (!type.hasStaticShape())
      return std::nullopt;
    SmallVector<int64_t> values;
    for (Value e : elements.getElements()) {
      std::optional<int64_t> v = bounds(e, depth + 1).exact();
      if (!v)
        return std::nullopt;
      values.push_back(*v);
    }
    return fromValues(type.getShape(), values);
  }
  if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(def)) {
    std::optional<IndexSequence> src = sequence(def->getOperand(0), depth + 1);
    if (!src)
      return std::nullopt;
    if (auto expand = dyn_cast<tensor::ExpandShapeOp>(def))
      return expandSequence(expand, *src);
    return collapseSequence(cast<tensor::CollapseShapeOp>(def), *src);
  }
  if (auto concat = dyn_cast<tensor::ConcatOp>(def))
    return concatSequence(concat, depth);
  if (auto g = dyn_cast<linalg::GenericOp>(def))
    return genericSequence(g, depth);
  return std::nullopt;
}

std::optional<IndexSequence>
Analysis::concatSequence(tensor::ConcatOp concat, unsigned depth) {
  int64_t axis = concat.getDim();
  auto type = cast<RankedTensorType>(concat.getType());
  SmallVector<IndexSequence> pieces;
  SmallVector<RankedTensorType> types;
  for (Value in : concat.getInputs()) {
    std::optional<IndexSequence> p = sequence(in, depth + 1);
    if (!p)
      return std::nullopt;
    pieces.push_back(*p);
    types.push_back(cast<RankedTensorType>(in.getType()));
  }
  IndexSequence s;
  s.strides.assign(type.getRank(), 0);
  // Across the axis the pieces must agree (a dim of size 1 in any of them
  // is 1 at run time: its stride does not matter).
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (d == axis || type.getDimSize(d) == 1 ||
        llvm::any_of(types, [&](auto t) { return t.getDimSize(d) == 1; }))
      continue;
    s.strides[d] = pieces[0].strides[d];
    for (const IndexSequence &p : pieces)
      if (p.strides[d] != s.strides[d])
        return std::nullopt;
  }
  // Along it, one step: each piece continues where the previous ones end
  // (a piece of one element has no step of its own).
  std::optional<int64_t> step;
  for (auto [p, t] : llvm::zip(pieces, types)) {
    if (t.getDimSize(axis) == 1)
      continue;
    if (step && *step != p.strides[axis])
      return std::nullopt;
    step = p.strides[axis];
  }
  if (!step)
    step = pieces.size() > 1 ? pieces[1].base - pieces[0].base : 0;
  s.base = pieces[0].base;
  s.strides[axis] = *step;
  int64_t offset = 0;
  for (auto [k, p] : llvm::enumerate(pieces)) {
    std::optional<int64_t> shift = mul(*step, offset);
    if (!shift || p.base != s.base + *shift)
      return std::nullopt;
    if (k + 1 == pieces.size())
      break;
    int64_t size = types[k].getDimSize(axis);
    if (ShapedType::isDynamic(size))
      return std::nullopt;
    offset += size;
  }
  return s;
}

std::optional<IndexSequence>
Analysis::genericSequence(linalg::GenericOp g, unsigned depth) {
  if (g.getNumResults() != 1 || !g.hasPureTensorSemantics() ||
      llvm::any_of(g.getIteratorTypesArray(), [](auto it) {
        return it != utils::IteratorType::parallel;
      }))
    return std::nullopt;
  OpOperand *init = g.getDpsInitOperand(0);
  if (!g.getMatchingIndexingMap(init).isIdentity() ||
      g.payloadUsesValueFromOperand(init))
    return std::nullopt;
  std::optional<Affine> a = affine(g, yielded(g), depth + 1);
  if (!a)
    return std::nullopt;
  return IndexSequence{a->coef, a->c};
}

std::optional<Affine> Analysis::affine(linalg::GenericOp g, Value v,
                                       unsigned depth) {
  if (depth > kMaxDepth || !isIntLike(v.getType()))
    return std::nullopt;
  Affine zero;
  zero.coef.assign(g.getNumLoops(), 0);
  auto constant = [&](int64_t c) {
    Affine a = zero;
    a.c = c;
    return a;
  };
  Block *body = g.getBody();
  if (auto arg = dyn_cast<BlockArgument>(v); arg && arg.getOwner() == body) {
    // An input read through its indexing map: the map's results are the
    // input's indices.
    OpOperand &in = g->getOpOperand(arg.getArgNumber());
    if (g.isDpsInit(&in))
      return std::nullopt;
    std::optional<IndexSequence> s = sequence(in.get(), depth + 1);
    if (!s)
      return std::nullopt;
    Affine a = constant(s->base);
    for (auto [pos, e] :
         llvm::enumerate(g.getMatchingIndexingMap(&in).getResults())) {
      int64_t stride = s->strides[pos];
      if (stride == 0)
        continue;
      if (auto d = dyn_cast<AffineDimExpr>(e))
        a.coef[d.getPosition()] += stride;
      else if (auto c = dyn_cast<AffineConstantExpr>(e))
        a.c += stride * c.getValue();
      else
        return std::nullopt;
    }
    return a;
  }
  Operation *def = v.getDefiningOp();
  if (!def || def->getBlock() != body) {
    // A scalar from outside the body: only a known one.
    if (std::optional<int64_t> c = bounds(v, depth + 1).exact())
      return constant(*c);
    return std::nullopt;
  }
  std::optional<Affine> a = affineOp(g, def, depth);
  if (a && (!small(a->c) ||
            !llvm::all_of(a->coef, [](int64_t x) { return small(x); })))
    return std::nullopt;
  return a;
}

std::optional<Affine> Analysis::affineOp(linalg::GenericOp g, Operation *def,
                                         unsigned depth) {
  Affine zero;
  zero.coef.assign(g.getNumLoops(), 0);
  auto constant = [&](int64_t c) {
    Affine a = zero;
    a.c = c;
    return a;
  };
  auto operand = [&](unsigned i) {
    return affine(g, def->getOperand(i), depth + 1);
  };
  auto constOperand = [&](unsigned i) -> std::optional<int64_t> {
    std::optional<Affine> x = operand(i);
    if (x && x->isConstant())
      return x->c;
    return std::nullopt;
  };
  if (auto idx = dyn_cast<linalg::IndexOp>(def)) {
    Affine a = zero;
    a.coef[idx.getDim()] = 1;
    return a;
  }
  if (std::optional<int64_t> c = intConstant(def->getResult(0)))
    return constant(*c);
  Type resultType = def->getResult(0).getType();
  Type operandType =
      def->getNumOperands() ? def->getOperand(0).getType() : Type();
  if (isa<arith::IndexCastOp, arith::ExtSIOp>(def)) {
    if (!operandType.isInteger(1))
      return operand(0);
    // A sign-extended i1 true is -1 (index_cast sign-extends too).
    if (std::optional<int64_t> c = constOperand(0))
      return constant(-*c);
    return std::nullopt;
  }
  if (isa<arith::IndexCastUIOp, arith::ExtUIOp>(def)) {
    if (operandType.isInteger(1))
      return operand(0);
    std::optional<int64_t> c = constOperand(0);
    if (c && *c >= 0)
      return constant(*c);
    return std::nullopt;
  }
  if (isa<arith::TruncIOp>(def)) {
    std::optional<int64_t> c = constOperand(0);
    if (!c)
      return std::nullopt;
    unsigned width = resultType.getIntOrFloatBitWidth();
    APInt x = APInt(64, *c, /*isSigned=*/true).trunc(width);
    return constant(width == 1 ? int64_t(x.getZExtValue()) : x.getSExtValue());
  }
  if (isa<arith::AddIOp, arith::SubIOp>(def)) {
    std::optional<Affine> l = operand(0), r = operand(1);
    if (!l || !r)
      return std::nullopt;
    return addScaled(*l, isa<arith::AddIOp>(def) ? 1 : -1, *r);
  }
  if (isa<arith::MulIOp>(def)) {
    std::optional<Affine> l = operand(0), r = operand(1);
    if (!l || !r)
      return std::nullopt;
    if (!l->isConstant())
      std::swap(l, r);
    if (!l->isConstant())
      return std::nullopt;
    return addScaled(zero, l->c, *r);
  }
  if (auto extract = dyn_cast<tensor::ExtractOp>(def)) {
    std::optional<IndexSequence> s = sequence(extract.getTensor(), depth + 1);
    if (!s)
      return std::nullopt;
    Affine a = constant(s->base);
    for (auto [stride, index] : llvm::zip(s->strides, extract.getIndices())) {
      if (stride == 0)
        continue;
      std::optional<Affine> i = affine(g, index, depth + 1);
      std::optional<Affine> next = i ? addScaled(a, stride, *i) : std::nullopt;
      if (!next)
        return std::nullopt;
      a = *next;
    }
    return a;
  }
  if (auto cmp = dyn_cast<arith::CmpIOp>(def)) {
    std::optional<Affine> l = operand(0), r = operand(1);
    if (!l || !r)
      return std::nullopt;
    std::optional<bool> known;
    if (l->isConstant() && r->isConstant()) {
      known = decide(cmp.getPredicate(), point(l->c), point(r->c));
    } else if (cmp.getPredicate() < arith::CmpIPredicate::ult) {
      // Decided by the difference when it does not depend on the indices.
      std::optional<Affine> d = addScaled(*l, -1, *r);
      if (d && d->isConstant())
        known = decide(cmp.getPredicate(), point(d->c), point(0));
    }
    if (!known)
      return std::nullopt;
    return constant(*known);
  }
  if (auto sel = dyn_cast<arith::SelectOp>(def)) {
    if (std::optional<int64_t> c = constOperand(0))
      return *c ? operand(1) : operand(2);
    std::optional<Affine> t = operand(1), f = operand(2);
    if (t && f && *t == *f)
      return t;
    return std::nullopt;
  }
  if (isa<arith::MinSIOp, arith::MaxSIOp>(def)) {
    std::optional<Affine> l = operand(0), r = operand(1);
    std::optional<Affine> d =
        l && r ? addScaled(*l, -1, *r) : std::optional<Affine>();
    if (!d || !d->isConstant())
      return std::nullopt;
    bool lSmaller = d->c <= 0;
    return lSmaller == isa<arith::MinSIOp>(def) ? l : r;
  }
  if (isa<arith::AndIOp, arith::OrIOp, arith::XOrIOp>(def)) {
    std::optional<int64_t> l = constOperand(0), r = constOperand(1);
    bool bit = resultType.isInteger(1);
    // false and x, true or x (for i1) need one side only.
    if (isa<arith::AndIOp>(def) && (l == 0 || r == 0))
      return constant(0);
    if (bit && isa<arith::OrIOp>(def) && (l == 1 || r == 1))
      return constant(1);
    if (!l || !r)
      return std::nullopt;
    if (isa<arith::AndIOp>(def))
      return constant(*l & *r);
    if (isa<arith::OrIOp>(def))
      return constant(*l | *r);
    return constant(*l ^ *r);
  }
  return std::nullopt;
}

} // namespace

std::optional<IndexSequence> match::indexSequence(Value t) {
  return Analysis().sequence(t, 0);
}

std::optional<int64_t> match::knownScalar(Value v) {
  return Analysis().bounds(v, 0).exact();
}
