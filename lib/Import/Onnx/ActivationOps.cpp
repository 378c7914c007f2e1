//===- ActivationOps.cpp - ONNX activations with attributes --------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// LeakyRelu, Elu, Selu, Celu, HardSigmoid, ThresholdedRelu, Shrink and the
// Gelu family (ONNX Gelu, com.microsoft Gelu/BiasGelu/FastGelu/QuickGelu):
// float elementwise ops whose formula takes attributes. Each is one
// linalg.generic (emitElementwise, ElementwiseOps.cpp).
//
//===----------------------------------------------------------------------===//

#include "ElementwiseEmit.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

bool isF(Type t) { return isa<FloatType>(t); }

Value sigmoid(OpBuilder &b, Location l, Value x) {
  Type t = x.getType();
  Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x));
  return arith::DivFOp::create(b, l, scalarConst(b, l, t, 1),
                               arith::AddFOp::create(b, l, scalarConst(b, l, t, 1), e));
}

/// Float activations parameterized by attributes.
LogicalResult activation(NodeImporter &n,
                         function_ref<Value(OpBuilder &, Location, Value)> fn) {
  if (!n.hasInput(0) || !isF(n.inputElemType(0)))
    return n.error() << "expects a floating-point input";
  return emitElementwise(n, {n.input(0)}, n.inputElemType(0),
                         [&](OpBuilder &b, Location l, ValueRange a) {
                           return fn(b, l, a[0]);
                         });
}

LogicalResult leakyRelu(NodeImporter &n) {
  double alpha = n.getFloat("alpha", 0.01f);
  return activation(n, [&](OpBuilder &b, Location l, Value x) -> Value {
    Type t = x.getType();
    Value neg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x,
                                      scalarConst(b, l, t, 0));
    Value m = arith::MulFOp::create(b, l, x, scalarConst(b, l, t, alpha));
    return arith::SelectOp::create(b, l, neg, m, x);
  });
}

/// alpha * (exp(x) - 1) for x < 0, scaled by gamma (Elu: gamma = 1).
Value eluLike(OpBuilder &b, Location l, Value x, double alpha, double gamma) {
  Type t = x.getType();
  Value zero = scalarConst(b, l, t, 0);
  Value neg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x, zero);
  Value em1 = math::ExpM1Op::create(b, l, x);
  Value nv = arith::MulFOp::create(b, l, em1, scalarConst(b, l, t, alpha));
  Value r = arith::SelectOp::create(b, l, neg, nv, x);
  if (gamma != 1.0)
    r = arith::MulFOp::create(b, l, r, scalarConst(b, l, t, gamma));
  return r;
}

LogicalResult elu(NodeImporter &n) {
  double alpha = n.getFloat("alpha", 1.0f);
  return activation(n, [&](OpBuilder &b, Location l, Value x) {
    return eluLike(b, l, x, alpha, 1.0);
  });
}

LogicalResult selu(NodeImporter &n) {
  double alpha = n.getFloat("alpha", 1.67326319217681884765625f);
  double gamma = n.getFloat("gamma", 1.05070102214813232421875f);
  return activation(n, [&](OpBuilder &b, Location l, Value x) {
    return eluLike(b, l, x, alpha, gamma);
  });
}

LogicalResult celu(NodeImporter &n) {
  double alpha = n.getFloat("alpha", 1.0f);
  return activation(n, [&](OpBuilder &b, Location l, Value x) -> Value {
    // max(0,x) + min(0, alpha*(exp(x/alpha)-1))
    Type t = x.getType();
    Value zero = scalarConst(b, l, t, 0);
    Value a = scalarConst(b, l, t, alpha);
    Value e = math::ExpM1Op::create(b, l, arith::DivFOp::create(b, l, x, a));
    Value neg = arith::MinimumFOp::create(b, l, zero, arith::MulFOp::create(b, l, a, e));
    return arith::AddFOp::create(b, l, arith::MaximumFOp::create(b, l, zero, x), neg);
  });
}

LogicalResult hardSigmoid(NodeImporter &n) {
  double alpha = n.getFloat("alpha", 0.2f), beta = n.getFloat("beta", 0.5f);
  return activation(n, [&](OpBuilder &b, Location l, Value x) -> Value {
    Type t = x.getType();
    Value v = arith::AddFOp::create(
        b, l, arith::MulFOp::create(b, l, x, scalarConst(b, l, t, alpha)),
        scalarConst(b, l, t, beta));
    v = arith::MinimumFOp::create(b, l, v, scalarConst(b, l, t, 1));
    return arith::MaximumFOp::create(b, l, v, scalarConst(b, l, t, 0));
  });
}

LogicalResult thresholdedRelu(NodeImporter &n) {
  double alpha = n.getFloat("alpha", 1.0f);
  return activation(n, [&](OpBuilder &b, Location l, Value x) -> Value {
    Type t = x.getType();
    Value gt = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x,
                                     scalarConst(b, l, t, alpha));
    return arith::SelectOp::create(b, l, gt, x, scalarConst(b, l, t, 0));
  });
}

LogicalResult shrink(NodeImporter &n) {
  double bias = n.getFloat("bias", 0.0f), lambd = n.getFloat("lambd", 0.5f);
  Type et = n.inputElemType(0);
  bool uns = n.inputUnsigned(0);
  return emitElementwise(n, {n.input(0)}, et,
                         [&](OpBuilder &b, Location l, ValueRange a) -> Value {
    // Computed in f32 for integer inputs, then converted back.
    Value x = convertScalar(b, l, a[0], b.getF32Type(), uns);
    Type t = x.getType();
    Value lo = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x,
                                     scalarConst(b, l, t, -lambd));
    Value hi = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x,
                                     scalarConst(b, l, t, lambd));
    Value add = arith::AddFOp::create(b, l, x, scalarConst(b, l, t, bias));
    Value sub = arith::SubFOp::create(b, l, x, scalarConst(b, l, t, bias));
    Value r = arith::SelectOp::create(b, l, hi, sub, scalarConst(b, l, t, 0));
    r = arith::SelectOp::create(b, l, lo, add, r);
    return convertScalar(b, l, r, a[0].getType(), false, uns);
  });
}

/// x * 0.5 * (1 + erf(x / sqrt(2))), or the tanh approximation.
Value gelu(OpBuilder &b, Location l, Value x, bool tanhApprox) {
  Type t = x.getType();
  auto c = [&](double v) { return scalarConst(b, l, t, v); };
  Value inner;
  if (tanhApprox) {
    // tanh(sqrt(2/pi) * (x + 0.044715 x^3))
    Value x3 = arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, x, x), x);
    Value s = arith::AddFOp::create(b, l, x, arith::MulFOp::create(b, l, x3, c(0.044715)));
    inner = math::TanhOp::create(b, l, arith::MulFOp::create(b, l, s, c(0.7978845608028654)));
  } else {
    inner = math::ErfOp::create(b, l, arith::MulFOp::create(b, l, x, c(0.7071067811865476)));
  }
  Value h = arith::MulFOp::create(b, l, arith::AddFOp::create(b, l, inner, c(1)), c(0.5));
  return arith::MulFOp::create(b, l, x, h);
}

/// Gelu (opset 20) and com.microsoft Gelu / FastGelu / BiasGelu /
/// QuickGelu; the com.microsoft ones may carry a bias added first.
template <int Kind> // 0: exact, 1: tanh (FastGelu), 2: per attribute, 3: quick
LogicalResult geluOp(NodeImporter &n) {
  bool tanhApprox = Kind == 1 || (Kind == 2 && n.getString("approximate", "none") == "tanh");
  double alpha = n.getFloat("alpha", 1.702f);
  SmallVector<Value> ins{n.input(0)};
  if (n.hasInput(1)) ins.push_back(n.input(1));
  if (!isF(n.inputElemType(0)))
    return n.error() << "expects a floating-point input";
  return emitElementwise(n, ins, n.inputElemType(0),
                         [&](OpBuilder &b, Location l, ValueRange a) -> Value {
    Value x = a.size() > 1 ? (Value)arith::AddFOp::create(b, l, a[0], a[1]) : a[0];
    if (Kind == 3) {
      Value sx = arith::MulFOp::create(b, l, x, scalarConst(b, l, x.getType(), alpha));
      return arith::MulFOp::create(b, l, x, sigmoid(b, l, sx));
    }
    return gelu(b, l, x, tanhApprox);
  });
}

} // namespace

void mlir::loom::onnx_import::registerActivationOps(OpTable &t) {
  t.add("", "LeakyRelu", 1, leakyRelu);
  t.add("", "Elu", 1, elu);
  t.add("", "Selu", 1, selu);
  t.add("", "Celu", 12, celu);
  t.add("", "HardSigmoid", 1, hardSigmoid);
  t.add("", "ThresholdedRelu", 10, thresholdedRelu);
  t.add("", "Shrink", 9, shrink);
  t.add("", "Gelu", 20, geluOp<2>);
  t.add("com.microsoft", "Gelu", 1, geluOp<0>);
  t.add("com.microsoft", "BiasGelu", 1, geluOp<0>);
  t.add("com.microsoft", "FastGelu", 1, geluOp<1>);
  t.add("com.microsoft", "QuickGelu", 1, geluOp<3>);
}
