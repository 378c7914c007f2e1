//===- Matchers.cpp - Recognise the importer's linalg forms ---------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "passes/Transforms/Matchers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::match;

bool match::isBlockArg(Value v, unsigned i) {
  auto arg = dyn_cast<BlockArgument>(v);
  return arg && arg.getArgNumber() == i;
}

Operation *match::singleBodyOp(linalg::GenericOp g) {
  Block &body = g.getRegion().front();
  if (g.getNumResults() != 1 || body.getOperations().size() != 2)
    return nullptr;
  Operation *op = &body.front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (op->getNumResults() != 1 || yield.getNumOperands() != 1 ||
      yield.getOperand(0) != op->getResult(0))
    return nullptr;
  return op;
}

bool match::isElementwise(linalg::GenericOp g) {
  return g.getNumDpsInits() == 1 && g.hasPureTensorSemantics() &&
         llvm::all_of(g.getIteratorTypesArray(),
                      [](utils::IteratorType t) {
                        return t == utils::IteratorType::parallel;
                      }) &&
         g.getMatchingIndexingMap(g.getDpsInitOperand(0)).isIdentity();
}

Value match::skipReshapes(Value v) {
  while (true) {
    if (auto e = v.getDefiningOp<tensor::ExpandShapeOp>())
      v = e.getSrc();
    else if (auto c = v.getDefiningOp<tensor::CollapseShapeOp>())
      v = c.getSrc();
    else
      return v;
  }
}

std::optional<int64_t> match::getIntSplat(Value v) {
  DenseIntElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.isSplat())
    return std::nullopt;
  return attr.getSplatValue<APInt>().getSExtValue();
}

std::optional<double> match::getFloatSplat(Value v) {
  FloatAttr f;
  if (matchPattern(v, m_Constant(&f)))
    return f.getValueAsDouble();
  DenseFPElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.isSplat())
    return std::nullopt;
  return toDouble(attr.getSplatValue<APFloat>());
}

double match::toDouble(const APFloat &v) {
  APFloat copy = v;
  bool losesInfo = false;
  (void)copy.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                     &losesInfo);
  return copy.convertToDouble();
}

bool match::isZeroInit(Value v) {
  if (auto fill = v.getDefiningOp<linalg::FillOp>()) {
    Value s = fill.getInputs()[0];
    return matchPattern(s, m_AnyZeroFloat()) || matchPattern(s, m_Zero());
  }
  std::optional<double> f = getFloatSplat(v);
  return f && *f == 0.0;
}

/// The multiply-accumulate body `yield addf(out, mulf(in0, in1))`, where
/// the inputs may first be extended to the accumulator's type (the
/// importer's 16-bit Gemm and Einsum accumulate in f32).
static bool isFloatMacBody(linalg::LinalgOp op) {
  Block &body = op->getRegion(0).front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add || add->getBlock() != &body)
    return false;
  auto mul = add.getLhs().getDefiningOp<arith::MulFOp>();
  if (!mul)
    mul = add.getRhs().getDefiningOp<arith::MulFOp>();
  if (!mul || mul->getBlock() != &body)
    return false;
  // An input block argument, possibly through an exact extension.
  auto input = [&](Value v, unsigned i) {
    if (auto ext = v.getDefiningOp<arith::ExtFOp>())
      v = ext.getIn();
    return isBlockArg(v, i);
  };
  unsigned extensions = 0;
  for (Value v : {mul.getLhs(), mul.getRhs()})
    extensions += isa_and_nonnull<arith::ExtFOp>(v.getDefiningOp());
  if (body.getOperations().size() != 3 + extensions)
    return false;
  bool mulOk = (input(mul.getLhs(), 0) && input(mul.getRhs(), 1)) ||
               (input(mul.getLhs(), 1) && input(mul.getRhs(), 0));
  bool addOk =
      (isBlockArg(add.getLhs(), 2) && add.getRhs() == mul.getResult()) ||
      (isBlockArg(add.getRhs(), 2) && add.getLhs() == mul.getResult());
  return mulOk && addOk;
}

std::optional<match::Matmul> match::matchMatmul(Value v) {
  Operation *def = v.getDefiningOp();
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(def);
  if (!linalgOp || !linalgOp.hasPureTensorSemantics() ||
      linalgOp.getNumDpsInputs() != 2 || linalgOp.getNumDpsInits() != 1 ||
      !isZeroInit(linalgOp.getDpsInitOperand(0)->get()))
    return std::nullopt;
  Value lhs = linalgOp.getDpsInputOperand(0)->get();
  Value rhs = linalgOp.getDpsInputOperand(1)->get();
  auto lhsType = dyn_cast<RankedTensorType>(lhs.getType());
  auto rhsType = dyn_cast<RankedTensorType>(rhs.getType());
  if (!lhsType || !rhsType || rhsType.getRank() != 2 || lhsType.getRank() < 2 ||
      !isa<FloatType>(lhsType.getElementType()))
    return std::nullopt;

  if (auto mm = dyn_cast<linalg::MatmulOp>(def)) {
    if (mm.getIndexingMapsArray() !=
        linalg::MatmulOp::getDefaultIndexingMaps(mm.getContext()))
      return std::nullopt;
    return Matmul{def, lhs, rhs, false};
  }
  auto g = dyn_cast<linalg::GenericOp>(def);
  if (!g || !isFloatMacBody(g))
    return std::nullopt;
  // Loops: batch..., m, n, k with only k a reduction.
  int64_t r = lhsType.getRank();
  if (g.getNumLoops() != (unsigned)r + 1)
    return std::nullopt;
  SmallVector<utils::IteratorType> iters = g.getIteratorTypesArray();
  for (int64_t i = 0; i <= r; ++i)
    if ((iters[i] == utils::IteratorType::reduction) != (i == r))
      return std::nullopt;
  MLIRContext *ctx = g.getContext();
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> lhsE, outE;
  for (int64_t i = 0; i < r - 1; ++i) {
    lhsE.push_back(d(i));
    outE.push_back(d(i));
  }
  lhsE.push_back(d(r));
  outE.push_back(d(r - 1));
  SmallVector<AffineMap> maps = g.getIndexingMapsArray();
  auto get = [&](ArrayRef<AffineExpr> e) {
    return AffineMap::get(r + 1, 0, e, ctx);
  };
  if (maps[0] != get(lhsE) || maps[2] != get(outE))
    return std::nullopt;
  if (maps[1] == get({d(r), d(r - 1)}))
    return Matmul{def, lhs, rhs, false};
  if (maps[1] == get({d(r - 1), d(r)}))
    return Matmul{def, lhs, rhs, true};
  return std::nullopt;
}

Value match::yielded(linalg::GenericOp g) {
  auto yield = cast<linalg::YieldOp>(g.getBody()->getTerminator());
  return yield.getNumOperands() == 1 ? yield.getOperand(0) : Value();
}

OpOperand *match::inputOf(linalg::GenericOp g, Value v) {
  auto arg = dyn_cast<BlockArgument>(v);
  if (!arg || arg.getOwner() != g.getBody() ||
      arg.getArgNumber() >= g.getNumDpsInputs())
    return nullptr;
  return g.getDpsInputOperand(arg.getArgNumber());
}

bool match::isOutArg(linalg::GenericOp g, Value v) {
  auto arg = dyn_cast<BlockArgument>(v);
  return arg && arg.getOwner() == g.getBody() &&
         arg.getArgNumber() == g.getNumDpsInputs();
}

linalg::GenericOp match::elementwise(Value v, unsigned rank) {
  auto g = v.getDefiningOp<linalg::GenericOp>();
  if (!g || g.getNumDpsInits() != 1 || g.getNumLoops() != rank ||
      g.getNumReductionLoops() != 0 ||
      !g.getMatchingIndexingMap(g.getDpsInitOperand(0)).isIdentity())
    return nullptr;
  return g;
}

std::optional<double> match::filledWith(Value init) {
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (!fill)
    return std::nullopt;
  return getFloatSplat(fill.getInputs()[0]);
}

/// Whether `y` rounds the f32 block argument `x` to bf16 by dropping its
/// low 16 bits: bitcast(trunci(shrui(bitcast(x), 16))) (the importer's Cast
/// to bf16).
static bool isBf16Truncation(Value y, Value x) {
  auto toBf16 = y.getDefiningOp<arith::BitcastOp>();
  auto trunc = toBf16 ? toBf16.getIn().getDefiningOp<arith::TruncIOp>()
                      : arith::TruncIOp();
  auto shift = trunc ? trunc.getIn().getDefiningOp<arith::ShRUIOp>()
                     : arith::ShRUIOp();
  auto fromF32 = shift ? shift.getLhs().getDefiningOp<arith::BitcastOp>()
                       : arith::BitcastOp();
  APInt amount;
  return fromF32 && fromF32.getIn() == x &&
         matchPattern(shift.getRhs(), m_ConstantInt(&amount)) &&
         amount == 16 && toBf16.getType().isBF16() && x.getType().isF32();
}

Value match::floatCastSource(Value v, bool allowTruncation) {
  auto g = v.getDefiningOp<linalg::GenericOp>();
  if (!g || !isElementwise(g) || g.getNumDpsInputs() != 1 ||
      g.getNumResults() != 1 ||
      !g.getMatchingIndexingMap(g.getDpsInputOperand(0)).isIdentity())
    return Value();
  Value x = g.getBody()->getArgument(0);
  Value y = yielded(g);
  if (auto ext = y.getDefiningOp<arith::ExtFOp>())
    return ext.getIn() == x ? g.getDpsInputOperand(0)->get() : Value();
  if (!allowTruncation)
    return Value();
  auto isRounding = [&](Value r) {
    auto trunc = r.getDefiningOp<arith::TruncFOp>();
    return (trunc && trunc.getIn() == x) || isBf16Truncation(r, x);
  };
  // truncf, or the importer's NaN-preserving select between two roundings.
  if (auto sel = y.getDefiningOp<arith::SelectOp>()) {
    auto nan = sel.getCondition().getDefiningOp<arith::CmpFOp>();
    if (!nan || nan.getPredicate() != arith::CmpFPredicate::UNO ||
        nan.getLhs() != x || nan.getRhs() != x ||
        !isRounding(sel.getTrueValue()) || !isRounding(sel.getFalseValue()))
      return Value();
    return g.getDpsInputOperand(0)->get();
  }
  return isRounding(y) ? g.getDpsInputOperand(0)->get() : Value();
}
