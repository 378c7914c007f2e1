//===- TrainingOps.cpp - ai.onnx.preview.training optimizers --------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Adagrad, Momentum and Adam update rules: the scalar learning-rate/step
// inputs are read once, each output tensor is one elementwise generic.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "Importer.h"
#include "OpTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

struct FB {
  OpBuilder &b;
  Location l;
  Type t;
  Value c(double v) { return scalarConst(b, l, t, v); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, l, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, l, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, l, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, l, x, y); }
  Value sqrt(Value x) { return math::SqrtOp::create(b, l, x); }
};

Value scalar(NodeImporter &n, unsigned i, Type t) {
  auto tt = n.inputType(i);
  SmallVector<Value> zeros(tt.getRank(), arith::ConstantIndexOp::create(n.b, n.loc, 0));
  Value v = tensor::ExtractOp::create(n.b, n.loc, n.input(i), zeros);
  return convertScalar(n.b, n.loc, v, t);
}

/// Runs `fn` elementwise over `ins` and defines output `out`.
LogicalResult emit(NodeImporter &n, unsigned out, ValueRange ins,
                   function_ref<Value(FB &, ValueRange)> fn) {
  Type t = cast<RankedTensorType>(ins[0].getType()).getElementType();
  FailureOr<Value> r = buildElementwise(n.b, n.loc, ins, t, [&](OpBuilder &b, Location l, ValueRange a) {
    FB f{b, l, t};
    return fn(f, a);
  });
  if (failed(r)) return n.error() << "operands do not broadcast";
  return n.setResult(out, *r);
}

LogicalResult adagrad(NodeImporter &n) {
  unsigned k = (n.numInputs() - 2) / 3;
  double decay = n.getFloat("decay_factor", 0), eps = n.getFloat("epsilon", 1e-6f),
         norm = n.getFloat("norm_coefficient", 0);
  Type t = n.inputElemType(2);
  FB s{n.b, n.loc, t};
  Value R = scalar(n, 0, t), T = scalar(n, 1, t);
  Value r = s.div(R, s.add(s.c(1), s.mul(T, s.c(decay))));
  for (unsigned i = 0; i < k; ++i) {
    Value X = n.input(2 + i), G = n.input(2 + k + i), H = n.input(2 + 2 * k + i);
    auto greg = [&](FB &f, Value x, Value g) { return f.add(f.mul(f.c(norm), x), g); };
    if (failed(emit(n, i, {X, G, H}, [&](FB &f, ValueRange a) {
          Value g = greg(f, a[0], a[1]);
          Value h = f.add(a[2], f.mul(g, g));
          return f.sub(a[0], f.div(f.mul(r, g), f.add(f.sqrt(h), f.c(eps))));
        })))
      return failure();
    if (failed(emit(n, k + i, {X, G, H}, [&](FB &f, ValueRange a) {
          Value g = greg(f, a[0], a[1]);
          return f.add(a[2], f.mul(g, g));
        })))
      return failure();
  }
  return success();
}

LogicalResult momentum(NodeImporter &n) {
  unsigned k = (n.numInputs() - 2) / 3;
  double alpha = n.getFloat("alpha", 0), beta = n.getFloat("beta", 0),
         norm = n.getFloat("norm_coefficient", 0);
  bool nesterov = n.getString("mode", "standard") == "nesterov";
  Type t = n.inputElemType(2);
  FB s{n.b, n.loc, t};
  Value R = scalar(n, 0, t), T = scalar(n, 1, t);
  Value pos = arith::CmpFOp::create(n.b, n.loc, arith::CmpFPredicate::OGT, T, s.c(0));
  Value betaAdj = arith::SelectOp::create(n.b, n.loc, pos, s.c(beta), s.c(1));
  for (unsigned i = 0; i < k; ++i) {
    Value X = n.input(2 + i), G = n.input(2 + k + i), V = n.input(2 + 2 * k + i);
    auto vnew = [&](FB &f, ValueRange a) {
      Value g = f.add(f.mul(f.c(norm), a[0]), a[1]);
      return std::make_pair(g, f.add(f.mul(f.c(alpha), a[2]), f.mul(betaAdj, g)));
    };
    if (failed(emit(n, i, {X, G, V}, [&](FB &f, ValueRange a) {
          auto [g, v] = vnew(f, a);
          Value step = nesterov ? f.add(g, f.mul(f.c(alpha), v)) : v;
          return f.sub(a[0], f.mul(R, step));
        })))
      return failure();
    if (failed(emit(n, k + i, {X, G, V}, [&](FB &f, ValueRange a) { return vnew(f, a).second; })))
      return failure();
  }
  return success();
}

LogicalResult adam(NodeImporter &n) {
  unsigned k = (n.numInputs() - 2) / 4;
  double alpha = n.getFloat("alpha", 0.9f), beta = n.getFloat("beta", 0.999f),
         eps = n.getFloat("epsilon", 1e-6f), norm = n.getFloat("norm_coefficient", 0),
         post = n.getFloat("norm_coefficient_post", 0);
  Type t = n.inputElemType(2);
  OpBuilder &b = n.b;
  Location loc = n.loc;
  FB s{b, loc, t};
  Value R = scalar(n, 0, t), T = scalar(n, 1, t);
  Value pos = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, T, s.c(0));
  Value bt = math::PowFOp::create(b, loc, s.c(beta), T), at = math::PowFOp::create(b, loc, s.c(alpha), T);
  Value radj = s.div(s.mul(R, s.sqrt(s.sub(s.c(1), bt))), s.sub(s.c(1), at));
  radj = arith::SelectOp::create(b, loc, pos, radj, R);
  for (unsigned i = 0; i < k; ++i) {
    Value X = n.input(2 + i), G = n.input(2 + k + i), V = n.input(2 + 2 * k + i),
          H = n.input(2 + 3 * k + i);
    auto g = [&](FB &f, ValueRange a) { return f.add(f.mul(f.c(norm), a[0]), a[1]); };
    auto vn = [&](FB &f, ValueRange a) {
      return f.add(f.mul(f.c(alpha), a[2]), f.mul(f.c(1 - alpha), g(f, a)));
    };
    auto hn = [&](FB &f, ValueRange a) {
      Value gg = g(f, a);
      return f.add(f.mul(f.c(beta), a[3]), f.mul(f.c(1 - beta), f.mul(gg, gg)));
    };
    if (failed(emit(n, i, {X, G, V, H}, [&](FB &f, ValueRange a) {
          Value x = f.sub(a[0], f.div(f.mul(radj, vn(f, a)), f.add(f.sqrt(hn(f, a)), f.c(eps))));
          return f.mul(f.c(1 - post), x);
        })))
      return failure();
    if (failed(emit(n, k + i, {X, G, V, H}, [&](FB &f, ValueRange a) { return vn(f, a); })))
      return failure();
    if (failed(emit(n, 2 * k + i, {X, G, V, H}, [&](FB &f, ValueRange a) { return hn(f, a); })))
      return failure();
  }
  return success();
}

} // namespace

void mlir::loom::onnx_import::registerTrainingOps(OpTable &t) {
  t.add("ai.onnx.preview.training", "Adagrad", 1, adagrad);
  t.add("ai.onnx.preview.training", "Momentum", 1, momentum);
  t.add("ai.onnx.preview.training", "Adam", 1, adam);
}
