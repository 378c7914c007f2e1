//===- RandomOps.cpp - Random generators, Bernoulli, training Dropout -----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// RandomUniform(Like), RandomNormal(Like), Bernoulli and Dropout (with its
// training mode) draw from a counter-based generator: element i of a node's
// output gets the 64 bits splitmix64(key + (i + 1) * golden), a pure function
// of (key, i), so a linalg.generic computes every element independently (no
// state threaded through loops, any tiling or parallel order gives the same
// tensor).
//
// Seed semantics:
//  - `seed` attribute present: key = hash(the seed's float bits). The output
//    depends only on the seed and the element index: the same on every call,
//    every run and every machine, and two nodes with the same seed draw the
//    same stream (as two generators seeded alike would). It is not numpy's
//    stream, so reference outputs drawn with numpy cannot be matched.
//  - no `seed`: key = hash(per-call counter, node salt). The module holds one
//    i64 counter (`memref.global @loom_rng_counter`, zero at load); each
//    unseeded node atomically takes and increments it once per execution, so
//    successive calls (and successive nodes) draw different values; the salt
//    (a hash of the node's first output name) separates nodes within a call.
//    A freshly loaded model repeats the same sequence of calls' values.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "Importer.h"
#include "OpTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/Support/xxhash.h"

#include <cmath>
#include <cstring>
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;
constexpr StringLiteral kCounter = "loom_rng_counter";

uint64_t splitmix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

Value i64c(OpBuilder &b, Location l, uint64_t v) {
  return arith::ConstantOp::create(b, l, b.getI64IntegerAttr((int64_t)v));
}

/// splitmix64's finalizer on i64 values.
Value mix(OpBuilder &b, Location l, Value z) {
  auto step = [&](Value x, unsigned sh, uint64_t mul) {
    Value s = arith::ShRUIOp::create(b, l, x, i64c(b, l, sh));
    Value y = arith::XOrIOp::create(b, l, x, s);
    return mul ? (Value)arith::MulIOp::create(b, l, y, i64c(b, l, mul)) : y;
  };
  z = step(z, 30, 0xBF58476D1CE4E5B9ull);
  z = step(z, 27, 0x94D049BB133111EBull);
  return step(z, 31, 0);
}

/// The node's stream key (an i64 value computed before the generic).
Value streamKey(NodeImporter &n) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  if (const onnx::AttributeProto *a = n.attr("seed")) {
    // A float in the generators, an int in Dropout.
    uint64_t bits;
    if (a->type() == onnx::AttributeProto::INT) {
      bits = (uint64_t)a->i();
    } else {
      float seed = n.getFloat("seed", 0);
      uint32_t fb;
      std::memcpy(&fb, &seed, 4);
      bits = fb;
    }
    return i64c(b, loc, splitmix64(bits ^ 0x5EEDull));
  }
  // Unseeded: take-and-increment the module's counter.
  Operation *parent = b.getInsertionBlock()->getParentOp();
  auto module = isa<ModuleOp>(parent) ? cast<ModuleOp>(parent)
                                      : parent->getParentOfType<ModuleOp>();
  auto memTy = MemRefType::get({}, b.getI64Type());
  if (!module.lookupSymbol(kCounter)) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    auto init = DenseElementsAttr::get(
        RankedTensorType::get({}, b.getI64Type()), b.getI64IntegerAttr(0));
    memref::GlobalOp::create(b, loc, kCounter, b.getStringAttr("private"), memTy,
                             init, /*constant=*/false, IntegerAttr());
  }
  Value mem = memref::GetGlobalOp::create(
      b, loc, memTy, FlatSymbolRefAttr::get(b.getContext(), kCounter));
  Value old = memref::AtomicRMWOp::create(b, loc, arith::AtomicRMWKind::addi,
                                          i64c(b, loc, 1), mem, ValueRange{});
  std::string name = n.numOutputs() ? n.node.output(0) : n.node.name();
  uint64_t salt = splitmix64(llvm::xxh3_64bits(name));
  Value k = arith::MulIOp::create(b, loc, old, i64c(b, loc, kGolden));
  return mix(b, loc, arith::XOrIOp::create(b, loc, k, i64c(b, loc, salt)));
}

/// 64 random bits for the element at `idx` of a tensor with dims `dims`.
Value elementBits(OpBuilder &b, Location l, Value key, ValueRange idx,
                  ArrayRef<Value> dims) {
  Value lin = arith::ConstantIndexOp::create(b, l, 0);
  for (size_t d = 0; d < idx.size(); ++d)
    lin = arith::AddIOp::create(b, l, arith::MulIOp::create(b, l, lin, dims[d]),
                                idx[d]);
  Value i = arith::IndexCastOp::create(b, l, b.getI64Type(), lin);
  i = arith::AddIOp::create(b, l, i, i64c(b, l, 1));
  Value z = arith::AddIOp::create(
      b, l, key, arith::MulIOp::create(b, l, i, i64c(b, l, kGolden)));
  return mix(b, l, z);
}

/// Uniform in [0, 1) from the top `mant` bits of `bits`, as f32 (mant 24)
/// or f64 (mant 53).
Value unitFloat(OpBuilder &b, Location l, Value bits, unsigned mant,
                FloatType ft) {
  Value top = arith::ShRUIOp::create(b, l, bits, i64c(b, l, 64 - mant));
  Value f = arith::UIToFPOp::create(b, l, ft, top);
  return arith::MulFOp::create(b, l, f, scalarConst(b, l, ft, std::ldexp(1.0, -(int)mant)));
}

/// The float type the draws are computed in: f64 for f64 results, f32 else.
FloatType workType(OpBuilder &b, Type elem) {
  return elem.isF64() ? (FloatType)b.getF64Type() : (FloatType)b.getF32Type();
}

Value uniformDraw(OpBuilder &b, Location l, Value bits, FloatType wt) {
  return unitFloat(b, l, bits, wt.isF64() ? 53 : 24, wt);
}

/// Standard normal by Box-Muller: u1 in (0, 1] from the high 32 bits, u2
/// from the low 32.
Value normalDraw(OpBuilder &b, Location l, Value bits, FloatType wt) {
  Value hi = arith::ShRUIOp::create(b, l, bits, i64c(b, l, 32));
  Value lo = arith::AndIOp::create(b, l, bits, i64c(b, l, 0xFFFFFFFFull));
  auto toUnit = [&](Value v, double off) {
    Value f = arith::UIToFPOp::create(b, l, wt, v);
    f = arith::AddFOp::create(b, l, f, scalarConst(b, l, wt, off));
    return arith::MulFOp::create(b, l, f, scalarConst(b, l, wt, std::ldexp(1.0, -32)));
  };
  Value u1 = toUnit(hi, 1.0), u2 = toUnit(lo, 0.0);
  Value r = math::SqrtOp::create(
      b, l, arith::MulFOp::create(b, l, scalarConst(b, l, wt, -2.0),
                                  math::LogOp::create(b, l, u1)));
  Value th = arith::MulFOp::create(b, l, u2, scalarConst(b, l, wt, 2 * llvm::numbers::pi));
  return arith::MulFOp::create(b, l, r, math::CosOp::create(b, l, th));
}

/// Element type from the `dtype` attribute, else `dflt`.
FailureOr<Type> dtypeOf(NodeImporter &n, Type dflt) {
  if (!n.hasAttr("dtype"))
    return dflt;
  int64_t dt = n.getInt("dtype", 1);
  Type t = convertElemType(n.ctx(), dt);
  if (!t)
    return (void)n.unsupported("dtype " + onnxTypeName(dt)), failure();
  return t;
}

/// RandomUniform / RandomNormal (Like = shape from input 0).
template <bool Normal, bool Like>
LogicalResult randomGen(NodeImporter &n) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  SmallVector<int64_t> shape;
  SmallVector<Value> dyn, dims;
  FailureOr<Type> elem;
  if (Like) {
    if (!n.hasInput(0))
      return n.error() << "expects one input";
    auto t = n.inputType(0);
    shape.assign(t.getShape().begin(), t.getShape().end());
    dyn = dynamicDims(b, loc, n.input(0));
    dims = dimValues(b, loc, n.input(0));
    elem = dtypeOf(n, t.getElementType());
  } else {
    if (!n.hasAttr("shape"))
      return n.error() << "needs the 'shape' attribute";
    shape = n.getInts("shape");
    for (int64_t d : shape) {
      if (d < 0)
        return n.error() << "shape has a negative dimension";
      dims.push_back(arith::ConstantIndexOp::create(b, loc, d));
    }
    elem = dtypeOf(n, b.getF32Type());
  }
  if (failed(elem))
    return failure();
  if (!isa<FloatType>(*elem))
    return n.error() << "dtype must be a float type";
  double p0 = Normal ? n.getFloat("mean", 0.0f) : n.getFloat("low", 0.0f);
  double p1 = Normal ? n.getFloat("scale", 1.0f) : n.getFloat("high", 1.0f);
  Value key = streamKey(n);
  FloatType wt = workType(b, *elem);
  Type et = *elem;
  Value r = buildIndexed(
      b, loc, shape, et, dyn, {}, {},
      [&](OpBuilder &nb, Location l, ValueRange, ValueRange idx) -> Value {
        Value bits = elementBits(nb, l, key, idx, dims);
        Value u = Normal ? normalDraw(nb, l, bits, wt) : uniformDraw(nb, l, bits, wt);
        // Normal: mean + scale * z; uniform: low + (high - low) * u.
        Value v = arith::AddFOp::create(
            nb, l, scalarConst(nb, l, wt, p0),
            arith::MulFOp::create(nb, l, u, scalarConst(nb, l, wt, Normal ? p1 : p1 - p0)));
        return convertScalar(nb, l, v, et);
      });
  return n.setResult(0, r);
}

LogicalResult bernoulli(NodeImporter &n) {
  if (!n.hasInput(0))
    return n.error() << "expects one input";
  auto t = n.inputType(0);
  if (!isa<FloatType>(t.getElementType()))
    return n.error() << "input must be a float tensor";
  FailureOr<Type> elem = dtypeOf(n, t.getElementType());
  if (failed(elem))
    return failure();
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Value key = streamKey(n);
  SmallVector<Value> dims = dimValues(b, loc, n.input(0));
  FloatType wt = workType(b, t.getElementType());
  Type et = *elem;
  int64_t R = t.getRank();
  Value r = buildIndexed(
      b, loc, t.getShape(), et, dynamicDims(b, loc, n.input(0)), {n.input(0)},
      {b.getMultiDimIdentityMap(R)},
      [&](OpBuilder &nb, Location l, ValueRange a, ValueRange idx) -> Value {
        Value u = uniformDraw(nb, l, elementBits(nb, l, key, idx, dims), wt);
        Value p = convertScalar(nb, l, a[0], wt);
        Value hit = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OLT, u, p);
        return convertScalar(nb, l, hit, et);
      });
  return n.setResult(0, r);
}

/// Dropout. Opsets 1-11: inference only (identity, mask all ones). From 12
/// the ratio and training_mode are inputs, possibly runtime values: the
/// effective ratio is `training ? ratio : 0`, an element is kept when its
/// uniform draw is >= that ratio and scaled by 1 / (1 - ratio), so training
/// off (or ratio 0) is exactly the identity with an all-true mask.
LogicalResult dropout(NodeImporter &n) {
  if (!n.hasInput(0))
    return n.error() << "expects an input";
  auto t = n.inputType(0);
  Type et = t.getElementType();
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Type maskT = n.opset >= 10 ? (Type)b.getI1Type() : et;
  bool training = false;
  if (n.opset >= 12 && n.hasInput(2)) {
    DenseElementsAttr tm = n.inputConstant(2);
    training = !tm || tm.getSplatValue<bool>();
  }
  if (!training) {
    if (failed(n.setResult(0, n.input(0), n.inputConstant(0))))
      return failure();
    if (!n.hasOutput(1))
      return success();
    Value init = emptyTensor(b, loc, t.getShape(), maskT, dynamicDims(b, loc, n.input(0)));
    Value one = scalarConst(b, loc, maskT, 1);
    return n.setResult(
        1, linalg::FillOp::create(b, loc, ValueRange{one}, ValueRange{init}).getResult(0));
  }
  if (!isa<FloatType>(et))
    return n.error() << "training mode needs a float input";
  FloatType wt = workType(b, et);
  Value ratio = scalarConst(b, loc, wt, 0.5);
  if (n.hasInput(1)) {
    auto rt = n.inputType(1);
    if (rt.getRank() != 0 && !(rt.getRank() == 1 && rt.getDimSize(0) == 1))
      return n.error() << "ratio must be a scalar";
    SmallVector<Value> zero(rt.getRank(), arith::ConstantIndexOp::create(b, loc, 0));
    ratio = convertScalar(b, loc, tensor::ExtractOp::create(b, loc, n.input(1), zero), wt);
  }
  Value mode = tensor::ExtractOp::create(b, loc, n.input(2),
                                         SmallVector<Value>(n.inputType(2).getRank(),
                                                            arith::ConstantIndexOp::create(b, loc, 0)));
  mode = convertScalar(b, loc, mode, b.getI1Type());
  ratio = arith::SelectOp::create(b, loc, mode, ratio, scalarConst(b, loc, wt, 0));
  Value scale = arith::DivFOp::create(
      b, loc, scalarConst(b, loc, wt, 1),
      arith::SubFOp::create(b, loc, scalarConst(b, loc, wt, 1), ratio));
  Value key = streamKey(n);
  SmallVector<Value> dims = dimValues(b, loc, n.input(0));
  SmallVector<Value> dyn = dynamicDims(b, loc, n.input(0));
  int64_t R = t.getRank();
  auto keep = [&](OpBuilder &nb, Location l, ValueRange idx) -> Value {
    Value u = uniformDraw(nb, l, elementBits(nb, l, key, idx, dims), wt);
    return arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGE, u, ratio);
  };
  Value out = buildIndexed(
      b, loc, t.getShape(), et, dyn, {n.input(0)}, {b.getMultiDimIdentityMap(R)},
      [&](OpBuilder &nb, Location l, ValueRange a, ValueRange idx) -> Value {
        Value x = convertScalar(nb, l, a[0], wt);
        Value y = arith::MulFOp::create(nb, l, x, scale);
        return convertScalar(
            nb, l, arith::SelectOp::create(nb, l, keep(nb, l, idx), y, scalarConst(nb, l, wt, 0)),
            et);
      });
  if (failed(n.setResult(0, out)))
    return failure();
  if (!n.hasOutput(1))
    return success();
  Value mask = buildIndexed(
      b, loc, t.getShape(), maskT, dyn, {}, {},
      [&](OpBuilder &nb, Location l, ValueRange, ValueRange idx) -> Value {
        return convertScalar(nb, l, keep(nb, l, idx), maskT);
      });
  return n.setResult(1, mask);
}

} // namespace

void mlir::loom::onnx_import::registerRandomOps(OpTable &t) {
  t.add("", "RandomUniform", 1, randomGen<false, false>);
  t.add("", "RandomUniformLike", 1, randomGen<false, true>);
  t.add("", "RandomNormal", 1, randomGen<true, false>);
  t.add("", "RandomNormalLike", 1, randomGen<true, true>);
  t.add("", "Bernoulli", 15, bernoulli);
  t.add("", "Dropout", 1, dropout);
}
