//===- RecurrentOps.cpp - RNN, GRU, LSTM to scf.for over time -------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The input projection X * W^T of all time steps is one contraction; the
// recurrence is an scf.for over time carrying the hidden (and cell) state,
// with H * R^T and the gate math as linalg ops on [batch, hidden] slices.
// Each direction of a bidirectional layer is its own loop.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "Importer.h"
#include "OpTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

enum class Cell { RNN, GRU, LSTM };

/// A [..., K] x W[N, K]^T contraction (leading dims of `a` are parallel).
Value matmulT(OpBuilder &b, Location loc, Value a, Value w) {
  auto at = cast<RankedTensorType>(a.getType()), wt = cast<RankedTensorType>(w.getType());
  int64_t r = at.getRank();
  Type et = at.getElementType();
  SmallVector<int64_t> shape(at.getShape().drop_back());
  shape.push_back(wt.getDimSize(0));
  Value init = linalg::FillOp::create(b, loc, ValueRange{scalarConst(b, loc, et, 0)},
                                      ValueRange{emptyTensor(b, loc, shape, et)})
                   .getResult(0);
  // dims: leading (r-1), n, k
  int64_t D = r + 1;
  SmallVector<AffineExpr> ae, we, oe;
  for (int64_t i = 0; i < r - 1; ++i) {
    ae.push_back(b.getAffineDimExpr(i));
    oe.push_back(b.getAffineDimExpr(i));
  }
  ae.push_back(b.getAffineDimExpr(r));
  we = {b.getAffineDimExpr(r - 1), b.getAffineDimExpr(r)};
  oe.push_back(b.getAffineDimExpr(r - 1));
  SmallVector<AffineMap> maps{AffineMap::get(D, 0, ae, b.getContext()),
                              AffineMap::get(D, 0, we, b.getContext()),
                              AffineMap::get(D, 0, oe, b.getContext())};
  SmallVector<utils::IteratorType> iters(D, utils::IteratorType::parallel);
  iters.back() = utils::IteratorType::reduction;
  return linalg::GenericOp::create(b, loc, TypeRange{init.getType()}, ValueRange{a, w},
                                   ValueRange{init}, maps, iters,
                                   [](OpBuilder &nb, Location l, ValueRange v) {
                                     Value p = arith::MulFOp::create(nb, l, v[0], v[1]);
                                     linalg::YieldOp::create(nb, l, ValueRange{arith::AddFOp::create(nb, l, v[2], p)});
                                   })
      .getResult(0);
}

/// Static slice of `v` along `dim` (offset, size), other dims full; drops
/// `dim` when `drop`.
Value sliceDim(OpBuilder &b, Location loc, Value v, int64_t dim, OpFoldResult off,
               int64_t size, bool drop) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<OpFoldResult> o, s, st;
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < t.getRank(); ++d) {
    o.push_back(d == dim ? off : b.getIndexAttr(0));
    s.push_back(b.getIndexAttr(d == dim ? size : t.getDimSize(d)));
    st.push_back(b.getIndexAttr(1));
    if (d != dim || !drop) shape.push_back(d == dim ? size : t.getDimSize(d));
  }
  auto rt = RankedTensorType::get(shape, t.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, rt, v, o, s, st);
}

Value act(OpBuilder &b, Location l, StringRef f, Value x, float alpha, float beta) {
  Type t = x.getType();
  auto one = [&] { return scalarConst(b, l, t, 1); };
  if (f == "Tanh") return math::TanhOp::create(b, l, x);
  if (f == "Relu") return arith::MaximumFOp::create(b, l, x, scalarConst(b, l, t, 0));
  if (f == "HardSigmoid") {
    Value v = arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, x, scalarConst(b, l, t, alpha)),
                                    scalarConst(b, l, t, beta));
    return arith::MaximumFOp::create(b, l, arith::MinimumFOp::create(b, l, v, one()), scalarConst(b, l, t, 0));
  }
  // Sigmoid
  Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x));
  return arith::DivFOp::create(b, l, one(), arith::AddFOp::create(b, l, one(), e));
}

template <Cell K>
LogicalResult recurrent(NodeImporter &n) {
  constexpr int64_t G = K == Cell::RNN ? 1 : K == Cell::GRU ? 3 : 4;
  if (K == Cell::LSTM && n.getInt("input_forget", 0))
    return n.unsupported("input_forget");
  std::string dir = n.getString("direction", "forward");
  int64_t dirs = dir == "bidirectional" ? 2 : 1;
  bool layout1 = n.getInt("layout", 0);
  float clip = n.getFloat("clip", 0);
  SmallVector<std::string> acts;
  if (const onnx::AttributeProto *a = n.attr("activations"))
    for (const auto &s : a->strings()) acts.push_back(s);
  SmallVector<float> alphas = n.getFloats("activation_alpha"), betas = n.getFloats("activation_beta");
  if (!alphas.empty() || !betas.empty())
    for (auto &s : acts)
      if (s != "HardSigmoid") return n.unsupported("activation parameters");
  for (auto &s : acts)
    if (s != "Tanh" && s != "Sigmoid" && s != "Relu" && s != "HardSigmoid")
      return n.unsupported("activation " + s);
  int64_t perDir = K == Cell::RNN ? 1 : K == Cell::GRU ? 2 : 3;
  SmallVector<std::string> dflt = K == Cell::RNN ? SmallVector<std::string>{"Tanh"}
                                                 : K == Cell::GRU ? SmallVector<std::string>{"Sigmoid", "Tanh"}
                                                                  : SmallVector<std::string>{"Sigmoid", "Tanh", "Tanh"};
  if (acts.empty())
    for (int64_t d = 0; d < dirs; ++d) acts.append(dflt.begin(), dflt.end());
  if ((int64_t)acts.size() != perDir * dirs)
    return n.error() << "expects " << perDir * dirs << " activations";
  OpBuilder &b = n.b;
  Location loc = n.loc;
  if (n.inputType(0).getRank() != 3 || n.inputType(1).getRank() != 3 ||
      n.inputType(2).getRank() != 3 || (n.hasInput(3) && n.inputType(3).getRank() != 2) ||
      (n.hasInput(5) && n.inputType(5).getRank() != 3))
    return n.error() << "X, W, R must be 3-D, B 2-D and initial_h 3-D";
  if (!isa<FloatType>(n.inputElemType(0)))
    return n.error() << "expects floating-point data";
  {
    auto w0 = n.inputType(1);
    if (!w0.isDynamicDim(1) && w0.getDimSize(1) % G)
      return n.error() << "W's second dim is not a multiple of " << G;
    if (!w0.isDynamicDim(0) && w0.getDimSize(0) != dirs)
      return n.error() << "W has " << w0.getDimSize(0) << " directions, expected " << dirs;
  }
  Value X = n.input(0);
  if (layout1) X = buildTranspose(b, loc, X, {1, 0, 2});
  auto xt = cast<RankedTensorType>(X.getType());
  auto wt = n.inputType(1);
  if (!xt.hasStaticShape() || !wt.hasStaticShape())
    return n.unsupported("dynamic shapes");
  int64_t S = xt.getDimSize(0), B = xt.getDimSize(1), H = wt.getDimSize(1) / G;
  Type et = xt.getElementType();
  int64_t lbr = K == Cell::GRU ? n.getInt("linear_before_reset", 0) : 0;
  auto hT = RankedTensorType::get({B, H}, et);
  // sequence_lens: entry b only takes steps t < len[b]; later steps keep its
  // state and write zeros to Y (a reverse pass thus starts at len[b] - 1).
  // Lengths all equal to S (a constant) need no masking.
  Value lensCol;
  if (n.hasInput(4)) {
    auto lt = n.inputType(4);
    if (lt.getRank() != 1 || (!lt.isDynamicDim(0) && lt.getDimSize(0) != B) ||
        !isa<IntegerType>(lt.getElementType()))
      return n.error() << "sequence_lens must be an integer vector of the batch size " << B;
    bool full = false;
    if (n.inputConstant(4)) {
      FailureOr<SmallVector<int64_t>> c = n.constantInts(4, "sequence_lens");
      if (failed(c)) return failure();
      full = llvm::all_of(*c, [&](int64_t v) { return v == S; });
    }
    if (!full)
      lensCol = buildReshape(b, loc, n.input(4), {B, 1});
  }
  auto zeros = [&](ArrayRef<int64_t> shape) {
    return linalg::FillOp::create(b, loc, ValueRange{scalarConst(b, loc, et, 0)},
                                  ValueRange{emptyTensor(b, loc, shape, et)})
        .getResult(0);
  };
  Value Y = zeros({S, dirs, B, H}), Yh = zeros({dirs, B, H}), Yc = zeros({dirs, B, H});
  for (int64_t d = 0; d < dirs; ++d) {
    bool reverse = dir == "reverse" || d == 1;
    Value W = sliceDim(b, loc, n.input(1), 0, b.getIndexAttr(d), 1, true);
    Value R = sliceDim(b, loc, n.input(2), 0, b.getIndexAttr(d), 1, true);
    Value Bv = n.hasInput(3) ? sliceDim(b, loc, n.input(3), 0, b.getIndexAttr(d), 1, true) : zeros({2 * G * H});
    Value xw = matmulT(b, loc, X, W); // [S, B, G*H]
    Value h0 = n.hasInput(5) ? sliceDim(b, loc, n.input(5), 0, b.getIndexAttr(d), 1, true) : zeros({B, H});
    Value c0 = (K == Cell::LSTM && n.hasInput(6)) ? sliceDim(b, loc, n.input(6), 0, b.getIndexAttr(d), 1, true)
                                                  : zeros({B, H});
    Value P = (K == Cell::LSTM && n.hasInput(7)) ? sliceDim(b, loc, n.input(7), 0, b.getIndexAttr(d), 1, true)
                                                 : zeros({3 * H});
    // Gate biases Wb + Rb (GRU keeps Rb of the h gate apart).
    auto gateBias = [&](int64_t g, bool rOnly, bool wOnly) {
      Value wb = sliceDim(b, loc, Bv, 0, b.getIndexAttr(g * H), H, false);
      Value rb = sliceDim(b, loc, Bv, 0, b.getIndexAttr((G + g) * H), H, false);
      if (rOnly) return rb;
      if (wOnly) return wb;
      return *buildElementwise(b, loc, {wb, rb}, et, [](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return arith::AddFOp::create(nb, l, a[0], a[1]);
      });
    };
    ArrayRef<std::string> fs(acts.data() + d * perDir, perDir);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value steps = arith::ConstantIndexOp::create(b, loc, S);
    auto yDir = RankedTensorType::get({S, B, H}, et);
    Value yBuf = emptyTensor(b, loc, yDir.getShape(), et);
    auto loop = scf::ForOp::create(
        b, loc, zero, steps, one, ValueRange{h0, c0, yBuf},
        [&](OpBuilder &lb, Location l, Value iv, ValueRange carried) {
          Value t = reverse ? (Value)arith::SubIOp::create(lb, l, arith::ConstantIndexOp::create(lb, l, S - 1), iv) : iv;
          Value hPrev = carried[0], cPrev = carried[1];
          Value xt1 = sliceDim(lb, l, xw, 0, t, 1, true); // [B, G*H]
          Value hr = matmulT(lb, l, hPrev, R);             // [B, G*H]
          auto gx = [&](int64_t g) { return sliceDim(lb, l, xt1, 1, lb.getIndexAttr(g * H), H, false); };
          auto gh = [&](int64_t g) { return sliceDim(lb, l, hr, 1, lb.getIndexAttr(g * H), H, false); };
          auto f = [&](StringRef name, Value v) {
            return act(lb, l, name, v, alphas.empty() ? 0.2f : alphas[0], betas.empty() ? 0.5f : betas[0]);
          };
          auto clipv = [&](OpBuilder &nb, Location ll, Value v) -> Value {
            if (clip <= 0) return v;
            Value c = scalarConst(nb, ll, et, clip);
            return arith::MaximumFOp::create(nb, ll, arith::MinimumFOp::create(nb, ll, v, c),
                                             arith::NegFOp::create(nb, ll, c));
          };
          auto ew = [&](ValueRange ins, function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
            return *buildElementwise(lb, l, ins, et, fn);
          };
          auto addF = [](OpBuilder &nb, Location ll, Value a, Value c) -> Value { return arith::AddFOp::create(nb, ll, a, c); };
          auto mulF = [](OpBuilder &nb, Location ll, Value a, Value c) -> Value { return arith::MulFOp::create(nb, ll, a, c); };
          Value hNew, cNew = cPrev;
          if (K == Cell::RNN) {
            hNew = ew({gx(0), gh(0), gateBias(0, false, false)}, [&](OpBuilder &nb, Location ll, ValueRange a) {
              return act(nb, ll, fs[0], clipv(nb, ll, addF(nb, ll, addF(nb, ll, a[0], a[1]), a[2])), 0, 0);
            });
          } else if (K == Cell::GRU) {
            auto gate = [&](int64_t g) {
              return ew({gx(g), gh(g), gateBias(g, false, false)}, [&](OpBuilder &nb, Location ll, ValueRange a) {
                return act(nb, ll, fs[0], clipv(nb, ll, addF(nb, ll, addF(nb, ll, a[0], a[1]), a[2])), 0, 0);
              });
            };
            Value z = gate(0), r = gate(1);
            Value hh;
            if (lbr) {
              hh = ew({gx(2), gh(2), r, gateBias(2, false, true), gateBias(2, true, false)},
                      [&](OpBuilder &nb, Location ll, ValueRange a) {
                        Value rh = mulF(nb, ll, a[2], addF(nb, ll, a[1], a[4]));
                        return act(nb, ll, fs[1], clipv(nb, ll, addF(nb, ll, addF(nb, ll, a[0], rh), a[3])), 0, 0);
                      });
            } else {
              Value rH = ew({r, hPrev}, [&](OpBuilder &nb, Location ll, ValueRange a) { return mulF(nb, ll, a[0], a[1]); });
              Value Rh = sliceDim(lb, l, R, 0, lb.getIndexAttr(2 * H), H, false); // [H, H]
              Value rhr = matmulT(lb, l, rH, Rh);
              hh = ew({gx(2), rhr, gateBias(2, false, false)}, [&](OpBuilder &nb, Location ll, ValueRange a) {
                return act(nb, ll, fs[1], clipv(nb, ll, addF(nb, ll, addF(nb, ll, a[0], a[1]), a[2])), 0, 0);
              });
            }
            hNew = ew({z, hh, hPrev}, [&](OpBuilder &nb, Location ll, ValueRange a) -> Value {
              Value oneF = scalarConst(nb, ll, et, 1);
              Value keep = arith::SubFOp::create(nb, ll, oneF, a[0]);
              return addF(nb, ll, mulF(nb, ll, keep, a[1]), mulF(nb, ll, a[0], a[2]));
            });
          } else {
            // Gate order i, o, f, c; peepholes P = [Pi, Po, Pf].
            Value Pi = sliceDim(lb, l, P, 0, lb.getIndexAttr(0), H, false);
            Value Po = sliceDim(lb, l, P, 0, lb.getIndexAttr(H), H, false);
            Value Pf = sliceDim(lb, l, P, 0, lb.getIndexAttr(2 * H), H, false);
            auto gate = [&](int64_t g, Value peep, Value c, StringRef fn) {
              return ew({gx(g), gh(g), gateBias(g, false, false), peep, c},
                        [&](OpBuilder &nb, Location ll, ValueRange a) {
                          Value s = addF(nb, ll, addF(nb, ll, a[0], a[1]), a[2]);
                          s = addF(nb, ll, s, mulF(nb, ll, a[3], a[4]));
                          return act(nb, ll, fn, clipv(nb, ll, s), 0, 0);
                        });
            };
            Value i = gate(0, Pi, cPrev, fs[0]), fg = gate(2, Pf, cPrev, fs[0]);
            Value cc = ew({gx(3), gh(3), gateBias(3, false, false)}, [&](OpBuilder &nb, Location ll, ValueRange a) {
              return act(nb, ll, fs[1], clipv(nb, ll, addF(nb, ll, addF(nb, ll, a[0], a[1]), a[2])), 0, 0);
            });
            cNew = ew({fg, cPrev, i, cc}, [&](OpBuilder &nb, Location ll, ValueRange a) {
              return addF(nb, ll, mulF(nb, ll, a[0], a[1]), mulF(nb, ll, a[2], a[3]));
            });
            Value o = gate(1, Po, cNew, fs[0]);
            hNew = ew({o, cNew}, [&](OpBuilder &nb, Location ll, ValueRange a) {
              return mulF(nb, ll, a[0], act(nb, ll, fs[2], a[1], 0, 0));
            });
          }
          Value yStep = hNew;
          if (lensCol) {
            auto valid = [&](OpBuilder &nb, Location ll, Value len) -> Value {
              Value ti = arith::IndexCastOp::create(nb, ll, nb.getI64Type(), t);
              return arith::CmpIOp::create(nb, ll, arith::CmpIPredicate::slt, ti,
                                           convertScalar(nb, ll, len, nb.getI64Type()));
            };
            auto keepOld = [&](Value nw, Value old) {
              return ew({nw, old, lensCol}, [&](OpBuilder &nb, Location ll, ValueRange a) -> Value {
                return arith::SelectOp::create(nb, ll, valid(nb, ll, a[2]), a[0], a[1]);
              });
            };
            yStep = ew({hNew, lensCol}, [&](OpBuilder &nb, Location ll, ValueRange a) -> Value {
              return arith::SelectOp::create(nb, ll, valid(nb, ll, a[1]), a[0], scalarConst(nb, ll, et, 0));
            });
            hNew = keepOld(hNew, hPrev);
            if (K == Cell::LSTM)
              cNew = keepOld(cNew, cPrev);
          }
          SmallVector<OpFoldResult> off{t, lb.getIndexAttr(0), lb.getIndexAttr(0)},
              sz{lb.getIndexAttr(1), lb.getIndexAttr(B), lb.getIndexAttr(H)}, st(3, lb.getIndexAttr(1));
          Value h3 = insertUnitDims(lb, l, yStep, {0});
          Value yNext = tensor::InsertSliceOp::create(lb, l, h3, carried[2], off, sz, st);
          scf::YieldOp::create(lb, l, ValueRange{hNew, cNew, yNext});
        });
    (void)hT;
    // Place this direction into Y [S, dirs, B, H], Y_h and Y_c [dirs, B, H].
    auto put = [&](Value dst, Value src, int64_t dim, ArrayRef<int64_t> full) {
      Value s = insertUnitDims(b, loc, src, {dim});
      SmallVector<OpFoldResult> off, sz, st;
      for (size_t i = 0; i < full.size(); ++i) {
        off.push_back(b.getIndexAttr((int64_t)i == dim ? d : 0));
        sz.push_back(b.getIndexAttr((int64_t)i == dim ? 1 : full[i]));
        st.push_back(b.getIndexAttr(1));
      }
      return (Value)tensor::InsertSliceOp::create(b, loc, s, dst, off, sz, st);
    };
    Y = put(Y, loop.getResult(2), 1, {S, dirs, B, H});
    Yh = put(Yh, loop.getResult(0), 0, {dirs, B, H});
    Yc = put(Yc, loop.getResult(1), 0, {dirs, B, H});
  }
  if (layout1) {
    Y = buildTranspose(b, loc, Y, {2, 0, 1, 3});
    Yh = buildTranspose(b, loc, Yh, {1, 0, 2});
    Yc = buildTranspose(b, loc, Yc, {1, 0, 2});
  }
  if (failed(n.setResult(0, Y)) || failed(n.setResult(1, Yh))) return failure();
  if (K == Cell::LSTM && failed(n.setResult(2, Yc))) return failure();
  return success();
}

} // namespace

void mlir::loom::onnx_import::registerRecurrentOps(OpTable &t) {
  t.add("", "RNN", 7, recurrent<Cell::RNN>);
  t.add("", "RNN", 14, recurrent<Cell::RNN>);
  t.add("", "GRU", 7, recurrent<Cell::GRU>);
  t.add("", "GRU", 14, recurrent<Cell::GRU>);
  t.add("", "LSTM", 7, recurrent<Cell::LSTM>);
  t.add("", "LSTM", 14, recurrent<Cell::LSTM>);
}
