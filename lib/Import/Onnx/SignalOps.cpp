//===- SignalOps.cpp - DFT, STFT and MelWeightMatrix ----------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// DFT and STFT are a direct O(n^2) transform: one linalg.generic over the
// output (..., bin, re/im) with the transform index k as its reduction
// dimension. The twiddle angle is 2*pi*((bin*k) mod n)/n, reduced in integers
// so it stays exact, and the sum runs in f64 (then rounds to the result
// type): an FFT-computed reference has zeros where a float32 accumulation of
// cos/sin terms would leave residues far above the suite's 1e-7 atol.
// Lengths (dft_length, frame_step, frame_length, the MelWeightMatrix scalars)
// may be runtime values; the shapes then are dynamic.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "Importer.h"
#include "OpTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

/// A transform length: a runtime index value plus its static value when known.
struct Len {
  Value v;
  int64_t st = ShapedType::kDynamic;
};

Value idxc(OpBuilder &b, Location l, int64_t v) {
  return arith::ConstantIndexOp::create(b, l, v);
}

/// Scalar input i (rank 0 or [1]) as an index, static when constant.
FailureOr<Len> scalarLen(NodeImporter &n, unsigned i, StringRef what) {
  auto t = n.inputType(i);
  if (t.getRank() > 1 || (t.getRank() == 1 && t.getDimSize(0) != 1))
    return n.error() << what << " must be a scalar", failure();
  if (!isa<IntegerType>(t.getElementType()))
    return n.error() << what << " must be an integer", failure();
  Len len;
  if (n.inputConstant(i)) {
    FailureOr<SmallVector<int64_t>> c = n.constantInts(i, what);
    if (failed(c))
      return failure();
    if ((*c)[0] <= 0)
      return n.error() << what << " must be positive", failure();
    len.st = (*c)[0];
    len.v = idxc(n.b, n.loc, len.st);
    return len;
  }
  SmallVector<Value> zero(t.getRank(), idxc(n.b, n.loc, 0));
  Value s = tensor::ExtractOp::create(n.b, n.loc, n.input(i), zero);
  len.v = arith::IndexCastOp::create(n.b, n.loc, n.b.getIndexType(), s);
  return len;
}

Len dimLen(OpBuilder &b, Location l, Value v, int64_t d) {
  auto t = cast<RankedTensorType>(v.getType());
  return {tensor::DimOp::create(b, l, v, d), t.getDimSize(d)};
}

/// onesided: n/2 + 1 bins, else n.
Len binsOf(OpBuilder &b, Location l, Len n, bool onesided) {
  if (!onesided)
    return n;
  Value v = arith::AddIOp::create(
      b, l, arith::DivUIOp::create(b, l, n.v, idxc(b, l, 2)), idxc(b, l, 1));
  return {v, ShapedType::isDynamic(n.st) ? n.st : n.st / 2 + 1};
}

/// Reads the (re, im) input element (f64) for output indices `o` (without
/// the trailing re/im dim) at transform index k.
using ReadFn = function_ref<std::pair<Value, Value>(OpBuilder &, Location,
                                                   ValueRange, Value)>;

/// out[o..., c] = sum_k w[k] * x(o, k) * e^{s*2*pi*i*bin*k/n}, s = +1 for the
/// inverse (which also scales by 1/n), -1 for the forward transform.
/// `weights` is a 1-D tensor of length n (the window, or ones): it also
/// gives linalg the extent of the reduction.
Value buildDft(OpBuilder &b, Location loc, ArrayRef<Len> outDims,
               int64_t binDim, Len n, Value weights, bool inverse,
               Type resultElem, ReadFn read) {
  Type f64 = b.getF64Type();
  SmallVector<int64_t> shape;
  SmallVector<Value> dyn;
  for (const Len &d : outDims) {
    shape.push_back(d.st);
    if (ShapedType::isDynamic(d.st))
      dyn.push_back(d.v);
  }
  int64_t R = shape.size();
  Value init = emptyTensor(b, loc, shape, f64, dyn);
  init = linalg::FillOp::create(b, loc, ValueRange{scalarConst(b, loc, f64, 0)},
                                ValueRange{init})
             .getResult(0);
  SmallVector<utils::IteratorType> iters(R, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps{
      AffineMap::get(R + 1, 0, {b.getAffineDimExpr(R)}, ctx),
      AffineMap::getMultiDimIdentityMap(R + 1, ctx).getMajorSubMap(R)};
  Value nF = arith::SIToFPOp::create(
      b, loc, f64, arith::IndexCastOp::create(b, loc, b.getI64Type(), n.v));
  Value acc =
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()}, ValueRange{weights},
          ValueRange{init}, maps, iters,
          [&](OpBuilder &nb, Location l, ValueRange a) {
            SmallVector<Value> idx;
            for (int64_t d = 0; d <= R; ++d)
              idx.push_back(linalg::IndexOp::create(nb, l, d));
            Value k = idx[R];
            Value j = arith::RemUIOp::create(
                nb, l, arith::MulIOp::create(nb, l, idx[binDim], k), n.v);
            Value jF = arith::SIToFPOp::create(
                nb, l, f64, arith::IndexCastOp::create(nb, l, nb.getI64Type(), j));
            Value th = arith::DivFOp::create(
                nb, l,
                arith::MulFOp::create(nb, l, jF,
                                      scalarConst(nb, l, f64, 2 * llvm::numbers::pi)),
                nF);
            Value cs = math::CosOp::create(nb, l, th);
            Value sn = math::SinOp::create(nb, l, th);
            if (!inverse)
              sn = arith::NegFOp::create(nb, l, sn);
            auto [xr, xi] = read(nb, l, ValueRange(idx).take_front(R - 1), k);
            Value re = arith::SubFOp::create(nb, l, arith::MulFOp::create(nb, l, xr, cs),
                                             arith::MulFOp::create(nb, l, xi, sn));
            Value im = arith::AddFOp::create(nb, l, arith::MulFOp::create(nb, l, xr, sn),
                                             arith::MulFOp::create(nb, l, xi, cs));
            Value isRe = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq,
                                               idx[R - 1], idxc(nb, l, 0));
            Value term = arith::SelectOp::create(nb, l, isRe, re, im);
            Value w = convertScalar(nb, l, a[0], f64);
            Value sum = arith::AddFOp::create(nb, l, a[1],
                                              arith::MulFOp::create(nb, l, w, term));
            linalg::YieldOp::create(nb, l, sum);
          })
          .getResult(0);
  return buildIndexed(b, loc, shape, resultElem, dyn, {acc},
                      {b.getMultiDimIdentityMap(R)},
                      [&](OpBuilder &nb, Location l, ValueRange a, ValueRange) {
                        Value v = a[0];
                        if (inverse)
                          v = arith::DivFOp::create(nb, l, v, nF);
                        return convertScalar(nb, l, v, resultElem);
                      });
}

/// A tensor of `n` ones (the DFT's weights when there is no window).
Value ones(OpBuilder &b, Location l, Len n, Type elem) {
  SmallVector<Value> dyn;
  if (ShapedType::isDynamic(n.st))
    dyn.push_back(n.v);
  Value e = emptyTensor(b, l, {n.st}, elem, dyn);
  return linalg::FillOp::create(b, l, ValueRange{scalarConst(b, l, elem, 1)},
                                ValueRange{e})
      .getResult(0);
}

/// x[idx] as f64, or 0 when `valid` is false (idx must then still be in
/// bounds: callers clamp).
Value readF64(OpBuilder &b, Location l, Value x, ValueRange idx, Value valid) {
  Value v = convertScalar(b, l, tensor::ExtractOp::create(b, l, x, idx),
                          b.getF64Type());
  if (!valid)
    return v;
  return arith::SelectOp::create(b, l, valid, v, scalarConst(b, l, b.getF64Type(), 0));
}

/// DFT-17 (axis attribute) and DFT-20 (axis as input 2).
template <bool AxisInput>
LogicalResult dft(NodeImporter &n) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  if (!n.hasInput(0))
    return n.error() << "expects an input";
  Value x = n.input(0);
  auto xt = n.inputType(0);
  int64_t r = xt.getRank();
  if (r < 2 || (xt.getDimSize(r - 1) != 1 && xt.getDimSize(r - 1) != 2))
    return n.error() << "input must end in a dim of size 1 (real) or 2 (complex), got " << xt;
  if (!isa<FloatType>(xt.getElementType()))
    return n.error() << "input must be a float tensor";
  bool complexIn = xt.getDimSize(r - 1) == 2;
  int64_t axis = 1;
  if (AxisInput) {
    axis = -2;
    if (n.hasInput(2)) {
      FailureOr<SmallVector<int64_t>> a = n.constantInts(2, "axis");
      if (failed(a))
        return failure();
      axis = (*a)[0];
    }
  } else {
    axis = n.getInt("axis", 1);
  }
  if (axis < 0)
    axis += r;
  if (axis < 0 || axis > r - 2)
    return n.error() << "axis must name a signal dim (not the last, re/im, dim)";
  bool inverse = n.getInt("inverse", 0), onesided = n.getInt("onesided", 0);
  if (inverse && onesided)
    return n.unsupported("onesided inverse DFT");
  Len inLen = dimLen(b, loc, x, axis);
  Len len = inLen;
  if (n.hasInput(1)) {
    FailureOr<Len> l = scalarLen(n, 1, "dft_length");
    if (failed(l))
      return failure();
    len = *l;
  }
  SmallVector<Len> outDims;
  for (int64_t d = 0; d < r; ++d)
    outDims.push_back(dimLen(b, loc, x, d));
  outDims[axis] = binsOf(b, loc, len, onesided);
  outDims[r - 1] = {idxc(b, loc, 2), 2};
  Value w = ones(b, loc, len, xt.getElementType());
  Value last = arith::SubIOp::create(b, loc, inLen.v, idxc(b, loc, 1));
  Value res = buildDft(
      b, loc, outDims, axis, len, w, inverse, xt.getElementType(),
      [&](OpBuilder &nb, Location l, ValueRange o, Value k) {
        // Past the input's length (dft_length > n) reads zeros.
        Value valid = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult, k, inLen.v);
        SmallVector<Value> idx(o);
        idx[axis] = arith::MinUIOp::create(nb, l, k, last);
        idx.push_back(idxc(nb, l, 0));
        Value re = readF64(nb, l, x, idx, valid);
        Value im = scalarConst(nb, l, nb.getF64Type(), 0);
        if (complexIn) {
          idx.back() = idxc(nb, l, 1);
          im = readF64(nb, l, x, idx, valid);
        }
        return std::make_pair(re, im);
      });
  return n.setResult(0, res);
}

LogicalResult stft(NodeImporter &n) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  if (!n.hasInput(0) || !n.hasInput(1))
    return n.error() << "expects signal and frame_step";
  Value x = n.input(0);
  auto xt = n.inputType(0);
  if (xt.getRank() != 3 || (xt.getDimSize(2) != 1 && xt.getDimSize(2) != 2))
    return n.error() << "signal must be [batch, length, 1 or 2], got " << xt;
  if (!isa<FloatType>(xt.getElementType()))
    return n.error() << "signal must be a float tensor";
  bool complexIn = xt.getDimSize(2) == 2;
  bool onesided = n.getInt("onesided", 1);
  FailureOr<Len> step = scalarLen(n, 1, "frame_step");
  if (failed(step))
    return failure();
  Len len;
  Value w;
  if (n.hasInput(2)) {
    auto wt = n.inputType(2);
    if (wt.getRank() != 1)
      return n.error() << "window must be 1-D";
    w = n.input(2);
    len = dimLen(b, loc, w, 0);
  }
  if (n.hasInput(3)) {
    FailureOr<Len> fl = scalarLen(n, 3, "frame_length");
    if (failed(fl))
      return failure();
    if (w && !ShapedType::isDynamic(fl->st) && !ShapedType::isDynamic(len.st) &&
        fl->st != len.st)
      return n.error() << "frame_length " << fl->st << " differs from the window's length " << len.st;
    if (!w)
      len = *fl;
  }
  if (!len.v)
    return n.error() << "needs a window or a frame_length";
  if (!w)
    w = ones(b, loc, len, xt.getElementType());
  // frames = (signal_length - frame_length) / frame_step + 1
  Len sig = dimLen(b, loc, x, 1);
  Len frames;
  frames.v = arith::AddIOp::create(
      b, loc,
      arith::DivUIOp::create(b, loc, arith::SubIOp::create(b, loc, sig.v, len.v), step->v),
      idxc(b, loc, 1));
  if (!ShapedType::isDynamic(sig.st) && !ShapedType::isDynamic(len.st) &&
      !ShapedType::isDynamic(step->st)) {
    if (sig.st < len.st)
      return n.error() << "frame length " << len.st << " exceeds the signal length " << sig.st;
    frames.st = (sig.st - len.st) / step->st + 1;
  }
  SmallVector<Len> outDims{dimLen(b, loc, x, 0), frames, binsOf(b, loc, len, onesided),
                           {idxc(b, loc, 2), 2}};
  Value res = buildDft(
      b, loc, outDims, 2, len, w, /*inverse=*/false, xt.getElementType(),
      [&](OpBuilder &nb, Location l, ValueRange o, Value k) {
        Value t = arith::AddIOp::create(nb, l, arith::MulIOp::create(nb, l, o[1], step->v), k);
        SmallVector<Value> idx{o[0], t, idxc(nb, l, 0)};
        Value re = readF64(nb, l, x, idx, nullptr);
        Value im = scalarConst(nb, l, nb.getF64Type(), 0);
        if (complexIn) {
          idx.back() = idxc(nb, l, 1);
          im = readF64(nb, l, x, idx, nullptr);
        }
        return std::make_pair(re, im);
      });
  return n.setResult(0, res);
}

/// Scalar input i converted to `t`.
Value scalarIn(NodeImporter &n, unsigned i, Type t) {
  SmallVector<Value> zero(n.inputType(i).getRank(), idxc(n.b, n.loc, 0));
  Value v = tensor::ExtractOp::create(n.b, n.loc, n.input(i), zero);
  return convertScalar(n.b, n.loc, v, t, n.inputUnsigned(i));
}

/// Triangular mel filters, as ONNX's reference computes them: num_mel_bins+2
/// points evenly spaced on the mel scale between the edges (the step divides
/// by num_mel_bins + 2), each mapped to the spectrogram bin
/// floor((dft_length + 1) * hz / sample_rate); filter i rises from point i
/// to i+1 and falls to i+2.
LogicalResult melWeightMatrix(NodeImporter &n) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  for (unsigned i = 0; i < 5; ++i)
    if (!n.hasInput(i))
      return n.error() << "expects 5 inputs";
  Type elem = convertElemType(n.ctx(), n.getInt("output_datatype", 1));
  if (!elem)
    return n.unsupported("output_datatype " + onnxTypeName(n.getInt("output_datatype", 1)));
  FailureOr<Len> bins = scalarLen(n, 0, "num_mel_bins");
  FailureOr<Len> dftLen = scalarLen(n, 1, "dft_length");
  if (failed(bins) || failed(dftLen))
    return failure();
  Type ft = n.inputElemType(3);
  if (!isa<FloatType>(ft) || n.inputElemType(4) != ft)
    return n.error() << "lower/upper_edge_hertz must be floats of one type";
  Type f64 = b.getF64Type();
  // The mel edges and step in the edges' type (as the reference's numpy
  // scalars), the rest in f64.
  auto toMel = [&](Value hz) {
    Value q = arith::AddFOp::create(b, loc, scalarConst(b, loc, ft, 1),
                                    arith::DivFOp::create(b, loc, hz, scalarConst(b, loc, ft, 700)));
    return arith::MulFOp::create(b, loc, scalarConst(b, loc, ft, 2595),
                                 math::Log10Op::create(b, loc, q));
  };
  Value lowMel = toMel(scalarIn(n, 3, ft)), highMel = toMel(scalarIn(n, 4, ft));
  Value points = arith::AddIOp::create(b, loc, bins->v, idxc(b, loc, 2));
  Value pointsF = convertScalar(b, loc, arith::IndexCastOp::create(b, loc, b.getI64Type(), points), ft);
  Value melStep = arith::DivFOp::create(b, loc, arith::SubFOp::create(b, loc, highMel, lowMel), pointsF);
  melStep = convertScalar(b, loc, melStep, f64);
  lowMel = convertScalar(b, loc, lowMel, f64);
  Value sr = scalarIn(n, 2, f64);
  Value lenP1 = arith::AddFOp::create(b, loc, scalarIn(n, 1, f64), scalarConst(b, loc, f64, 1));
  Len rows = binsOf(b, loc, *dftLen, true);
  SmallVector<int64_t> shape{rows.st, bins->st};
  SmallVector<Value> dyn;
  if (ShapedType::isDynamic(rows.st))
    dyn.push_back(rows.v);
  if (ShapedType::isDynamic(bins->st))
    dyn.push_back(bins->v);
  Type i64 = b.getI64Type();
  Value res = buildIndexed(
      b, loc, shape, elem, dyn, {}, {},
      [&](OpBuilder &nb, Location l, ValueRange, ValueRange idx) -> Value {
        auto point = [&](int64_t off) {
          Value m = arith::IndexCastOp::create(
              nb, l, i64, arith::AddIOp::create(nb, l, idx[1], idxc(nb, l, off)));
          Value mel = arith::AddFOp::create(
              nb, l, arith::MulFOp::create(nb, l, arith::SIToFPOp::create(nb, l, f64, m), melStep),
              lowMel);
          Value p = math::PowFOp::create(
              nb, l, scalarConst(nb, l, f64, 10),
              arith::DivFOp::create(nb, l, mel, scalarConst(nb, l, f64, 2595)));
          Value hz = arith::MulFOp::create(
              nb, l, scalarConst(nb, l, f64, 700),
              arith::SubFOp::create(nb, l, p, scalarConst(nb, l, f64, 1)));
          Value bin = math::FloorOp::create(
              nb, l, arith::DivFOp::create(nb, l, arith::MulFOp::create(nb, l, lenP1, hz), sr));
          return bin;
        };
        Value lo = point(0), c = point(1), hi = point(2);
        Value j = arith::SIToFPOp::create(nb, l, f64,
                                          arith::IndexCastOp::create(nb, l, i64, idx[0]));
        auto cmp = [&](arith::CmpFPredicate p, Value a, Value bb) {
          return arith::CmpFOp::create(nb, l, p, a, bb);
        };
        auto andI = [&](Value a, Value bb) { return arith::AndIOp::create(nb, l, a, bb); };
        Value zero = scalarConst(nb, l, f64, 0), one = scalarConst(nb, l, f64, 1);
        // Falling edge [c, hi) (written last in the reference, so it wins).
        Value fall = andI(cmp(arith::CmpFPredicate::OGT, hi, c),
                          andI(cmp(arith::CmpFPredicate::OGE, j, c),
                               cmp(arith::CmpFPredicate::OLT, j, hi)));
        Value fallV = arith::DivFOp::create(nb, l, arith::SubFOp::create(nb, l, hi, j),
                                            arith::SubFOp::create(nb, l, hi, c));
        // Rising edge [lo, c], or a single 1 at c when lo == c.
        Value flat = cmp(arith::CmpFPredicate::OEQ, c, lo);
        Value rise = andI(cmp(arith::CmpFPredicate::OGE, j, lo), cmp(arith::CmpFPredicate::OLE, j, c));
        Value riseV = arith::SelectOp::create(
            nb, l, flat, one,
            arith::DivFOp::create(nb, l, arith::SubFOp::create(nb, l, j, lo),
                                  arith::SubFOp::create(nb, l, c, lo)));
        Value v = arith::SelectOp::create(nb, l, rise, riseV, zero);
        v = arith::SelectOp::create(nb, l, fall, fallV, v);
        return convertScalar(nb, l, v, elem);
      });
  return n.setResult(0, res);
}

} // namespace

void mlir::loom::onnx_import::registerSignalOps(OpTable &t) {
  t.add("", "DFT", 17, dft<false>);
  t.add("", "DFT", 20, dft<true>);
  t.add("", "STFT", 17, stft);
  t.add("", "MelWeightMatrix", 17, melWeightMatrix);
}
