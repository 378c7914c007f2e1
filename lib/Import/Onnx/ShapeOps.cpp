//===- ShapeOps.cpp - Shape, reshape, slice and layout ops ----------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Shape/Size (constants when the input shape is static, so exporters'
// Shape->Gather->Concat->Reshape chains fold), Reshape/Flatten/Squeeze/
// Unsqueeze (tensor.collapse_shape/expand_shape), Transpose, Concat, Split,
// Slice, Expand, Tile, Pad, DepthToSpace/SpaceToDepth.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "ConstFold.h"
#include "DynamicShape.h"
#include "Importer.h"
#include "OpTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

RankedTensorType i64Vec(OpBuilder &b, int64_t n) {
  return RankedTensorType::get({n}, b.getI64Type());
}

DenseElementsAttr reshapeConst(DenseElementsAttr c, ArrayRef<int64_t> shape) {
  if (!c)
    return nullptr;
  return c.reshape(RankedTensorType::get(shape, c.getElementType()));
}

LogicalResult shapeOp(NodeImporter &n) {
  auto t = n.inputType(0);
  int64_t r = t.getRank();
  int64_t start = n.getInt("start", 0), end = n.getInt("end", r);
  if (start < 0) start += r;
  if (end < 0) end += r;
  start = std::clamp<int64_t>(start, 0, r);
  end = std::clamp<int64_t>(end, 0, r);
  int64_t len = std::max<int64_t>(0, end - start);
  bool allStatic = true;
  for (int64_t i = start; i < end; ++i)
    allStatic &= !t.isDynamicDim(i);
  if (allStatic) {
    SmallVector<int64_t> dims(t.getShape().begin() + start,
                              t.getShape().begin() + start + len);
    return n.setConstant(0, DenseElementsAttr::get(i64Vec(n.b, len),
                                                   ArrayRef<int64_t>(dims)));
  }
  SmallVector<Value> elems;
  for (int64_t i = start; i < end; ++i) {
    Value d = tensor::DimOp::create(n.b, n.loc, n.input(0), i);
    elems.push_back(arith::IndexCastOp::create(n.b, n.loc, n.b.getI64Type(), d));
  }
  Value v = tensor::FromElementsOp::create(n.b, n.loc, i64Vec(n.b, len), elems);
  return n.setResult(0, v);
}

LogicalResult sizeOp(NodeImporter &n) {
  auto t = n.inputType(0);
  auto st = RankedTensorType::get({}, n.b.getI64Type());
  if (t.hasStaticShape())
    return n.setConstant(0, DenseElementsAttr::get(st, t.getNumElements()));
  Value acc = scalarConst(n.b, n.loc, n.b.getIndexType(), 1);
  for (Value d : dimValues(n.b, n.loc, n.input(0)))
    acc = arith::MulIOp::create(n.b, n.loc, acc, d);
  acc = arith::IndexCastOp::create(n.b, n.loc, n.b.getI64Type(), acc);
  return n.setResult(0, tensor::FromElementsOp::create(n.b, n.loc, st, acc));
}

/// Reshape to `target` where each entry is static or kDynamic with its
/// runtime size in `dynVals` (index values); static when possible.
Value reshapeTo(NodeImporter &n, Value x, ArrayRef<int64_t> target,
                ArrayRef<Value> sizes) {
  bool allStatic = cast<RankedTensorType>(x.getType()).hasStaticShape() &&
                   llvm::none_of(target, ShapedType::isDynamic);
  if (allStatic)
    return buildReshape(n.b, n.loc, x, target);
  SmallVector<Value> elems;
  for (Value s : sizes)
    elems.push_back(arith::IndexCastOp::create(n.b, n.loc, n.b.getI64Type(), s));
  Value shape = tensor::FromElementsOp::create(
      n.b, n.loc, i64Vec(n.b, elems.size()), elems);
  auto rt = RankedTensorType::get(
      target, cast<RankedTensorType>(x.getType()).getElementType());
  return tensor::ReshapeOp::create(n.b, n.loc, rt, x, shape);
}

LogicalResult reshape(NodeImporter &n) {
  SmallVector<int64_t> spec;
  if (n.opset < 5) {
    spec = n.getInts("shape");
  } else {
    if (!n.inputConstant(1))
      return reshapeRuntime(n);
    FailureOr<SmallVector<int64_t>> s = n.constantInts(1, "shape");
    if (failed(s))
      return failure();
    spec = *s;
  }
  bool allowZero = n.getInt("allowzero", 0);
  Value x = n.input(0);
  auto t = n.inputType(0);
  OpBuilder &b = n.b;
  Location loc = n.loc;
  SmallVector<int64_t> out;
  SmallVector<Value> sizes;
  int64_t inferIdx = -1;
  for (auto [i, s] : llvm::enumerate(spec)) {
    if (s == 0 && !allowZero) {
      if ((int64_t)i >= t.getRank())
        return n.error() << "shape entry " << i << " copies a missing dim";
      out.push_back(t.getDimSize(i));
      sizes.push_back(dimValues(b, loc, x)[i]);
    } else if (s == -1) {
      if (inferIdx >= 0)
        return n.error() << "shape has more than one -1";
      inferIdx = i;
      out.push_back(ShapedType::kDynamic);
      sizes.push_back(Value());
    } else if (s < 0) {
      return n.error() << "shape has invalid entry " << s;
    } else {
      out.push_back(s);
      sizes.push_back(arith::ConstantIndexOp::create(b, loc, s));
    }
  }
  if (inferIdx >= 0) {
    bool known = t.hasStaticShape();
    int64_t prod = 1;
    for (auto [i, d] : llvm::enumerate(out))
      if ((int64_t)i != inferIdx) {
        if (ShapedType::isDynamic(d)) known = false;
        else prod *= d;
      }
    if (known) {
      if (prod == 0 || t.getNumElements() % prod)
        return n.error() << "cannot reshape " << t << " to the requested shape";
      out[inferIdx] = t.getNumElements() / prod;
      sizes[inferIdx] = arith::ConstantIndexOp::create(b, loc, out[inferIdx]);
    } else {
      Value total = scalarConst(b, loc, b.getIndexType(), 1);
      for (Value d : dimValues(b, loc, x))
        total = arith::MulIOp::create(b, loc, total, d);
      Value p = scalarConst(b, loc, b.getIndexType(), 1);
      for (auto [i, s] : llvm::enumerate(sizes))
        if ((int64_t)i != inferIdx)
          p = arith::MulIOp::create(b, loc, p, s);
      sizes[inferIdx] = arith::DivUIOp::create(b, loc, total, p);
    }
  } else if (t.hasStaticShape() && llvm::none_of(out, ShapedType::isDynamic)) {
    int64_t prod = 1;
    for (int64_t d : out) prod *= d;
    if (prod != t.getNumElements())
      return n.error() << "cannot reshape " << t << " (" << t.getNumElements()
                       << " elements) to " << prod << " elements";
  }
  Value r = reshapeTo(n, x, out, sizes);
  return n.setResult(0, r, reshapeConst(n.inputConstant(0), out));
}

LogicalResult flatten(NodeImporter &n) {
  auto t = n.inputType(0);
  int64_t r = t.getRank();
  int64_t axis = n.getInt("axis", 1);
  if (axis < 0) axis += r;
  if (axis < 0 || axis > r)
    return n.error() << "axis out of range";
  // Collapse [0, axis) and [axis, r); empty groups become unit dims.
  Value x = n.input(0);
  auto prodOf = [&](int64_t lo, int64_t hi) {
    int64_t p = 1;
    for (int64_t i = lo; i < hi; ++i) {
      if (t.isDynamicDim(i)) return ShapedType::kDynamic;
      p *= t.getDimSize(i);
    }
    return p;
  };
  SmallVector<int64_t> out{prodOf(0, axis), prodOf(axis, r)};
  if (t.hasStaticShape())
    return n.setResult(0, buildReshape(n.b, n.loc, x, out),
                       reshapeConst(n.inputConstant(0), out));
  if (axis == 0 || axis == r) {
    // Collapse everything, then add the unit dim.
    SmallVector<ReassociationIndices> all(1);
    for (int64_t i = 0; i < r; ++i) all[0].push_back(i);
    auto ft = RankedTensorType::get({ShapedType::kDynamic}, t.getElementType());
    Value flat = tensor::CollapseShapeOp::create(n.b, n.loc, ft, x, all);
    return n.setResult(0, insertUnitDims(n.b, n.loc, flat, {axis == 0 ? 0 : 1}));
  }
  SmallVector<ReassociationIndices> groups(2);
  for (int64_t i = 0; i < r; ++i) groups[i < axis ? 0 : 1].push_back(i);
  auto rt = RankedTensorType::get(out, t.getElementType());
  return n.setResult(0, tensor::CollapseShapeOp::create(n.b, n.loc, rt, x, groups));
}

/// collapse_shape removing the unit dims at `axes` (sorted).
Value dropUnitDims(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> axes) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (int64_t i = 0; i < t.getRank(); ++i) {
    if (llvm::is_contained(axes, i)) {
      if (groups.empty()) pending.push_back(i);
      else groups.back().push_back(i);
      continue;
    }
    ReassociationIndices g = pending;
    g.push_back(i);
    pending.clear();
    groups.push_back(g);
    shape.push_back(t.getDimSize(i));
  }
  if (shape.empty())
    groups.clear();
  auto rt = RankedTensorType::get(shape, t.getElementType());
  return tensor::CollapseShapeOp::create(b, loc, rt, v, groups);
}

FailureOr<SmallVector<int64_t>> axesFor(NodeImporter &n, unsigned inputIdx,
                                        int64_t sinceInput, bool &present) {
  present = false;
  if (n.opset < sinceInput) {
    present = n.hasAttr("axes");
    return n.getInts("axes");
  }
  if (!n.hasInput(inputIdx))
    return SmallVector<int64_t>{};
  present = true;
  return n.constantInts(inputIdx, "axes");
}

LogicalResult squeeze(NodeImporter &n) {
  auto t = n.inputType(0);
  if (n.opset >= 13 && n.hasInput(1) && !n.inputConstant(1))
    return squeezeRuntime(n);
  bool present;
  FailureOr<SmallVector<int64_t>> axes = axesFor(n, 1, 13, present);
  if (failed(axes))
    return failure();
  SmallVector<int64_t> norm;
  if (!present || axes->empty()) {
    for (int64_t i = 0; i < t.getRank(); ++i)
      if (t.getDimSize(i) == 1) norm.push_back(i);
      else if (t.isDynamicDim(i))
        return n.unsupported("squeeze without axes of a dynamic dim");
  } else {
    for (int64_t a : *axes) {
      FailureOr<int64_t> na = normalizeAxis(a, t.getRank());
      if (failed(na) || (!t.isDynamicDim(*na) && t.getDimSize(*na) != 1))
        return n.error() << "axis " << a << " is not a unit dim of " << t;
      norm.push_back(*na);
    }
  }
  llvm::sort(norm);
  norm.erase(std::unique(norm.begin(), norm.end()), norm.end());
  Value x = n.input(0);
  if (llvm::any_of(norm, [&](int64_t a) { return t.isDynamicDim(a); })) {
    // Assert the unit size statically so collapse_shape accepts it.
    SmallVector<int64_t> s(t.getShape());
    for (int64_t a : norm) s[a] = 1;
    x = tensor::CastOp::create(n.b, n.loc, RankedTensorType::get(s, t.getElementType()), x);
  }
  Value r = dropUnitDims(n.b, n.loc, x, norm);
  return n.setResult(0, r,
                     reshapeConst(n.inputConstant(0),
                                  cast<RankedTensorType>(r.getType()).getShape()));
}

LogicalResult unsqueeze(NodeImporter &n) {
  auto t = n.inputType(0);
  if (n.opset >= 13 && n.hasInput(1) && !n.inputConstant(1))
    return unsqueezeRuntime(n);
  bool present;
  FailureOr<SmallVector<int64_t>> axes = axesFor(n, 1, 13, present);
  if (failed(axes))
    return failure();
  int64_t outRank = t.getRank() + axes->size();
  SmallVector<int64_t> norm;
  for (int64_t a : *axes) {
    FailureOr<int64_t> na = normalizeAxis(a, outRank);
    if (failed(na))
      return n.error() << "axis " << a << " out of range";
    norm.push_back(*na);
  }
  llvm::sort(norm);
  if (std::unique(norm.begin(), norm.end()) != norm.end())
    return n.error() << "repeated axes";
  Value r = insertUnitDims(n.b, n.loc, n.input(0), norm);
  return n.setResult(0, r,
                     reshapeConst(n.inputConstant(0),
                                  cast<RankedTensorType>(r.getType()).getShape()));
}

LogicalResult transpose(NodeImporter &n) {
  auto t = n.inputType(0);
  SmallVector<int64_t> dflt;
  for (int64_t i = t.getRank() - 1; i >= 0; --i) dflt.push_back(i);
  SmallVector<int64_t> perm = n.getInts("perm", dflt);
  SmallVector<int64_t> sorted(perm);
  llvm::sort(sorted);
  for (int64_t i = 0; i < (int64_t)sorted.size(); ++i)
    if (sorted[i] != i || (int64_t)perm.size() != t.getRank())
      return n.error() << "perm is not a permutation of the input's dims";
  return n.setResult(0, buildTranspose(n.b, n.loc, n.input(0), perm));
}

LogicalResult concat(NodeImporter &n) {
  SmallVector<Value> ins;
  SmallVector<unsigned> idx;
  for (unsigned i = 0; i < n.numInputs(); ++i)
    if (n.hasInput(i)) {
      ins.push_back(n.input(i));
      idx.push_back(i);
    }
  if (ins.empty())
    return n.error() << "expects at least one input";
  auto t0 = cast<RankedTensorType>(ins[0].getType());
  std::optional<int64_t> a = n.requireInt("axis");
  if (!a)
    return failure();
  FailureOr<int64_t> axis = normalizeAxis(*a, t0.getRank());
  if (failed(axis))
    return n.error() << "axis out of range";
  // Host concat of constants (shape vectors).
  bool allConst = true;
  for (unsigned i : idx) allConst &= (bool)n.inputConstant(i);
  Value r = ins.size() == 1 ? ins[0]
                            : (Value)tensor::ConcatOp::create(n.b, n.loc, *axis, ins);
  auto rt = cast<RankedTensorType>(r.getType());
  if (allConst && rt.hasStaticShape() && rt.getNumElements() <= kMaxFoldElements) {
    int64_t outer = 1;
    for (int64_t i = 0; i < *axis; ++i) outer *= rt.getDimSize(i);
    std::vector<std::vector<HostScalar>> vals;
    for (unsigned i : idx) vals.push_back(hostValues(n.inputConstant(i), n.inputUnsigned(i)));
    std::vector<HostScalar> out;
    for (int64_t o = 0; o < outer; ++o)
      for (auto &v : vals) {
        int64_t chunk = outer ? v.size() / outer : 0;
        out.insert(out.end(), v.begin() + o * chunk, v.begin() + (o + 1) * chunk);
      }
    if (ins.size() > 1) r.getDefiningOp()->erase();
    return n.setConstant(0, hostAttr(rt, out));
  }
  return n.setResult(0, r);
}

LogicalResult split(NodeImporter &n) {
  auto t = n.inputType(0);
  FailureOr<int64_t> axis = normalizeAxis(n.getInt("axis", 0), t.getRank());
  if (failed(axis))
    return n.error() << "axis out of range";
  int64_t outs = n.numOutputs();
  SmallVector<int64_t> sizes;
  if (n.opset < 13 && n.hasAttr("split")) {
    sizes = n.getInts("split");
  } else if (n.opset >= 13 && n.hasInput(1)) {
    if (!n.inputConstant(1))
      return splitRuntime(n, *axis);
    FailureOr<SmallVector<int64_t>> s = n.constantInts(1, "split");
    if (failed(s))
      return failure();
    sizes = *s;
  } else if (n.opset < 13 && n.opset >= 2 && n.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> s = n.constantInts(1, "split");
    if (failed(s))
      return failure();
    sizes = *s;
  }
  int64_t dim = t.getDimSize(*axis);
  if (sizes.empty()) {
    if (ShapedType::isDynamic(dim))
      return n.unsupported("equal split of a dynamic dim");
    int64_t parts = n.hasAttr("num_outputs") ? n.getInt("num_outputs", outs) : outs;
    int64_t chunk = (dim + parts - 1) / parts;
    for (int64_t i = 0; i < parts; ++i)
      sizes.push_back(std::max<int64_t>(0, std::min(chunk, dim - i * chunk)));
  }
  if ((int64_t)sizes.size() != outs)
    return n.error() << "split has " << sizes.size() << " parts for " << outs
                     << " outputs";
  int64_t off = 0;
  for (int64_t i = 0; i < outs; ++i) {
    SmallVector<OpFoldResult> offs, szs, strides;
    for (int64_t d = 0; d < t.getRank(); ++d) {
      strides.push_back(n.b.getIndexAttr(1));
      if (d == *axis) {
        offs.push_back(n.b.getIndexAttr(off));
        szs.push_back(n.b.getIndexAttr(sizes[i]));
      } else {
        offs.push_back(n.b.getIndexAttr(0));
        if (t.isDynamicDim(d))
          szs.push_back(tensor::DimOp::create(n.b, n.loc, n.input(0), d).getResult());
        else
          szs.push_back(n.b.getIndexAttr(t.getDimSize(d)));
      }
    }
    off += sizes[i];
    Value r = tensor::ExtractSliceOp::create(n.b, n.loc, n.input(0), offs, szs, strides);
    if (failed(n.setResult(i, r)))
      return failure();
  }
  return success();
}

LogicalResult slice(NodeImporter &n) {
  auto t = n.inputType(0);
  int64_t R = t.getRank();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (n.opset < 10) {
    starts = n.getInts("starts");
    ends = n.getInts("ends");
    axes = n.getInts("axes");
  } else {
    for (unsigned i = 1; i <= 4; ++i)
      if (n.hasInput(i) && !n.inputConstant(i))
        return sliceRuntime(n);
    auto s = n.constantInts(1, "starts");
    if (failed(s)) return failure();
    auto e = n.constantInts(2, "ends");
    if (failed(e)) return failure();
    starts = *s;
    ends = *e;
    if (n.hasInput(3)) {
      auto a = n.constantInts(3, "axes");
      if (failed(a)) return failure();
      axes = *a;
    }
    if (n.hasInput(4)) {
      auto st = n.constantInts(4, "steps");
      if (failed(st)) return failure();
      steps = *st;
    }
  }
  if (axes.empty())
    for (int64_t i = 0; i < (int64_t)starts.size(); ++i) axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (starts.size() != ends.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return n.error() << "starts/ends/axes/steps lengths differ";
  SmallVector<int64_t> off(R, 0), size(t.getShape()), stride(R, 1);
  bool negative = false;
  for (size_t k = 0; k < axes.size(); ++k) {
    FailureOr<int64_t> ax = normalizeAxis(axes[k], R);
    if (failed(ax))
      return n.error() << "axis " << axes[k] << " out of range";
    int64_t d = t.getDimSize(*ax);
    // A dynamic dim clamps its bounds at run time (the causal-mask slices
    // exporters emit for a dynamic sequence length).
    if (ShapedType::isDynamic(d))
      return n.opset >= 10 ? sliceRuntime(n)
                           : n.unsupported("slicing a dynamic dim (opset < 10)");
    int64_t s = starts[k], e = ends[k], st = steps[k];
    if (st == 0)
      return n.error() << "step is zero";
    if (s < 0) s += d;
    if (e < 0) e += d;
    int64_t len;
    if (st > 0) {
      s = std::clamp<int64_t>(s, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
      len = e > s ? (e - s + st - 1) / st : 0;
    } else {
      negative = true;
      s = std::clamp<int64_t>(s, 0, d - 1);
      e = std::clamp<int64_t>(e, -1, d - 1);
      len = s > e ? (s - e + (-st) - 1) / (-st) : 0;
    }
    off[*ax] = s;
    size[*ax] = len;
    stride[*ax] = st;
  }
  Value x = n.input(0);
  auto rt = RankedTensorType::get(size, t.getElementType());
  // Constant input: gather on the host.
  if (DenseElementsAttr c = n.inputConstant(0)) {
    if (t.hasStaticShape() && rt.getNumElements() <= kMaxFoldElements) {
      std::vector<HostScalar> in = hostValues(c, n.inputUnsigned(0)), out;
      SmallVector<int64_t> idx(R, 0);
      for (int64_t e = 0; e < rt.getNumElements(); ++e) {
        int64_t lin = 0;
        for (int64_t d = 0; d < R; ++d)
          lin = lin * t.getDimSize(d) + off[d] + idx[d] * stride[d];
        out.push_back(in[c.isSplat() ? 0 : lin]);
        for (int64_t d = R - 1; d >= 0; --d) {
          if (++idx[d] < size[d]) break;
          idx[d] = 0;
        }
      }
      return n.setConstant(0, hostAttr(rt, out));
    }
  }
  if (!negative) {
    SmallVector<OpFoldResult> o, s, st;
    for (int64_t d = 0; d < R; ++d) {
      o.push_back(n.b.getIndexAttr(off[d]));
      st.push_back(n.b.getIndexAttr(stride[d]));
      if (ShapedType::isDynamic(size[d]))
        s.push_back(tensor::DimOp::create(n.b, n.loc, x, d).getResult());
      else
        s.push_back(n.b.getIndexAttr(size[d]));
    }
    return n.setResult(0, tensor::ExtractSliceOp::create(n.b, n.loc, x, o, s, st));
  }
  // Negative steps: read x[off + i * step] per dim.
  SmallVector<Value> dyn;
  for (int64_t d = 0; d < R; ++d)
    if (ShapedType::isDynamic(size[d]))
      dyn.push_back(tensor::DimOp::create(n.b, n.loc, x, d));
  Value r = buildIndexed(
      n.b, n.loc, size, t.getElementType(), dyn, {}, {},
      [&](OpBuilder &b, Location l, ValueRange, ValueRange idx) -> Value {
        SmallVector<Value> src;
        for (int64_t d = 0; d < R; ++d) {
          Value v = arith::MulIOp::create(
              b, l, idx[d], arith::ConstantIndexOp::create(b, l, stride[d]));
          src.push_back(arith::AddIOp::create(
              b, l, v, arith::ConstantIndexOp::create(b, l, off[d])));
        }
        return tensor::ExtractOp::create(b, l, x, src);
      });
  return n.setResult(0, r);
}

LogicalResult expand(NodeImporter &n) {
  if (!n.inputConstant(1))
    return expandRuntime(n);
  FailureOr<SmallVector<int64_t>> shape = n.constantInts(1, "shape");
  if (failed(shape))
    return failure();
  auto t = n.inputType(0);
  SmallVector<Type> types{t, RankedTensorType::get(*shape, t.getElementType())};
  FailureOr<SmallVector<int64_t>> out = broadcastShapes(types);
  if (failed(out))
    return n.error() << "cannot expand " << t << " to the requested shape";
  if (llvm::any_of(*out, ShapedType::isDynamic))
    return n.unsupported("expanding a dynamic dim");
  FailureOr<Value> r = broadcastTo(n.b, n.loc, n.input(0), *out);
  if (failed(r))
    return n.error() << "cannot expand " << t;
  return n.setResult(0, *r);
}

LogicalResult tile(NodeImporter &n) {
  if (!n.inputConstant(1))
    return tileRuntime(n);
  FailureOr<SmallVector<int64_t>> reps = n.constantInts(1, "repeats");
  if (failed(reps))
    return failure();
  auto t = n.inputType(0);
  if (!t.hasStaticShape() || (int64_t)reps->size() != t.getRank())
    return n.unsupported("tile of a dynamic shape or mismatched repeats");
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < t.getRank(); ++d)
    shape.push_back(t.getDimSize(d) * (*reps)[d]);
  Value x = n.input(0);
  Value r = buildIndexed(
      n.b, n.loc, shape, t.getElementType(), {}, {}, {},
      [&](OpBuilder &b, Location l, ValueRange, ValueRange idx) -> Value {
        SmallVector<Value> src;
        for (int64_t d = 0; d < t.getRank(); ++d)
          src.push_back(arith::RemUIOp::create(
              b, l, idx[d], arith::ConstantIndexOp::create(b, l, t.getDimSize(d))));
        return tensor::ExtractOp::create(b, l, x, src);
      });
  return n.setResult(0, r);
}

LogicalResult pad(NodeImporter &n) {
  auto t = n.inputType(0);
  int64_t R = t.getRank();
  std::string mode = n.getString("mode", "constant");
  SmallVector<int64_t> pads;
  Value padValue;
  Type et = t.getElementType();
  if (n.opset < 11) {
    pads = n.getInts(n.opset < 2 ? "paddings" : "pads");
    padValue = scalarConst(n.b, n.loc, et, n.getFloat("value", 0));
  } else {
    if (!n.inputConstant(1))
      return padRuntime(n, mode);
    auto p = n.constantInts(1, "pads");
    if (failed(p)) return failure();
    pads = *p;
    if (n.hasInput(2))
      padValue = tensor::ExtractOp::create(n.b, n.loc, n.input(2), ValueRange{});
    else
      padValue = scalarConst(n.b, n.loc, et, 0);
  }
  SmallVector<int64_t> axes;
  if (n.hasInput(3)) {
    auto a = n.constantInts(3, "axes");
    if (failed(a)) return failure();
    for (int64_t x : *a) {
      FailureOr<int64_t> na = normalizeAxis(x, R);
      if (failed(na)) return n.error() << "axis out of range";
      axes.push_back(*na);
    }
  } else {
    for (int64_t i = 0; i < R; ++i) axes.push_back(i);
  }
  if (pads.size() != 2 * axes.size())
    return n.error() << "pads has " << pads.size() << " entries for "
                     << axes.size() << " axes";
  SmallVector<int64_t> lo(R, 0), hi(R, 0);
  for (size_t k = 0; k < axes.size(); ++k) {
    lo[axes[k]] = pads[k];
    hi[axes[k]] = pads[k + axes.size()];
  }
  if (!t.hasStaticShape())
    return n.unsupported("padding a dynamic shape");
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < R; ++d)
    shape.push_back(t.getDimSize(d) + lo[d] + hi[d]);
  Value x = n.input(0);
  if (mode == "constant" && llvm::all_of(lo, [](int64_t v) { return v >= 0; }) &&
      llvm::all_of(hi, [](int64_t v) { return v >= 0; })) {
    SmallVector<OpFoldResult> l, h;
    for (int64_t d = 0; d < R; ++d) {
      l.push_back(n.b.getIndexAttr(lo[d]));
      h.push_back(n.b.getIndexAttr(hi[d]));
    }
    auto rt = RankedTensorType::get(shape, et);
    return n.setResult(0, tensor::PadOp::create(n.b, n.loc, rt, x, l, h, padValue));
  }
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap")
    return n.error() << "unknown mode '" << mode << "'";
  // General case: each output element reads a computed source index.
  Value r = buildIndexed(
      n.b, n.loc, shape, et, {}, {}, {},
      [&](OpBuilder &b, Location l, ValueRange, ValueRange idx) -> Value {
        auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(b, l, v); };
        Value inBounds = scalarConst(b, l, b.getI1Type(), 1);
        SmallVector<Value> src;
        for (int64_t d = 0; d < R; ++d) {
          int64_t size = t.getDimSize(d);
          Value i = arith::SubIOp::create(b, l, idx[d], c(lo[d]));
          Value zero = c(0), last = c(size - 1);
          Value below = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i, zero);
          Value above = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt, i, last);
          if (mode == "constant") {
            Value ok = arith::AndIOp::create(
                b, l, arith::XOrIOp::create(b, l, below, scalarConst(b, l, b.getI1Type(), 1)),
                arith::XOrIOp::create(b, l, above, scalarConst(b, l, b.getI1Type(), 1)));
            inBounds = arith::AndIOp::create(b, l, inBounds, ok);
            i = arith::MaxSIOp::create(b, l, arith::MinSIOp::create(b, l, i, last), zero);
          } else if (mode == "edge") {
            i = arith::MaxSIOp::create(b, l, arith::MinSIOp::create(b, l, i, last), zero);
          } else if (mode == "reflect") {
            Value negI = arith::SubIOp::create(b, l, zero, i);
            Value refl = arith::SubIOp::create(b, l, c(2 * (size - 1)), i);
            i = arith::SelectOp::create(b, l, below, negI, i);
            i = arith::SelectOp::create(b, l, above, refl, i);
          } else { // wrap
            Value m = arith::RemSIOp::create(b, l, i, c(size));
            Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, m, zero);
            i = arith::SelectOp::create(b, l, neg, arith::AddIOp::create(b, l, m, c(size)), m);
          }
          src.push_back(i);
        }
        Value v = tensor::ExtractOp::create(b, l, x, src);
        if (mode == "constant")
          v = arith::SelectOp::create(b, l, inBounds, v, padValue);
        return v;
      });
  return n.setResult(0, r);
}

LogicalResult depthSpace(NodeImporter &n, bool toSpace) {
  auto t = n.inputType(0);
  if (t.getRank() != 4 || !t.hasStaticShape())
    return n.unsupported("expects a static 4-D input");
  std::optional<int64_t> bs = n.requireInt("blocksize");
  if (!bs) return failure();
  int64_t b = *bs, N = t.getDimSize(0), C = t.getDimSize(1), H = t.getDimSize(2),
          W = t.getDimSize(3);
  Value x = n.input(0);
  if (toSpace) {
    if (C % (b * b))
      return n.error() << "channels not divisible by blocksize^2";
    bool crd = n.getString("mode", "DCR") == "CRD";
    Value r;
    if (crd) {
      r = buildReshape(n.b, n.loc, x, {N, C / (b * b), b, b, H, W});
      r = buildTranspose(n.b, n.loc, r, {0, 1, 4, 2, 5, 3});
    } else {
      r = buildReshape(n.b, n.loc, x, {N, b, b, C / (b * b), H, W});
      r = buildTranspose(n.b, n.loc, r, {0, 3, 4, 1, 5, 2});
    }
    r = buildReshape(n.b, n.loc, r, {N, C / (b * b), H * b, W * b});
    return n.setResult(0, r);
  }
  if (H % b || W % b)
    return n.error() << "spatial dims not divisible by blocksize";
  Value r = buildReshape(n.b, n.loc, x, {N, C, H / b, b, W / b, b});
  r = buildTranspose(n.b, n.loc, r, {0, 3, 5, 1, 2, 4});
  r = buildReshape(n.b, n.loc, r, {N, C * b * b, H / b, W / b});
  return n.setResult(0, r);
}

} // namespace

void mlir::loom::onnx_import::registerShapeOps(OpTable &t) {
  t.add("", "Shape", 1, shapeOp);
  t.add("", "Size", 1, sizeOp);
  t.add("", "Reshape", 1, reshape);
  t.add("", "Reshape", 5, reshape);
  t.add("", "Flatten", 1, flatten);
  t.add("", "Squeeze", 1, squeeze);
  t.add("", "Squeeze", 13, squeeze);
  t.add("", "Unsqueeze", 1, unsqueeze);
  t.add("", "Unsqueeze", 13, unsqueeze);
  t.add("", "Transpose", 1, transpose);
  t.add("", "Concat", 1, concat);
  t.add("", "Split", 1, split);
  t.add("", "Split", 13, split);
  t.add("", "Split", 18, split);
  t.add("", "Slice", 1, slice);
  t.add("", "Slice", 10, slice);
  t.add("", "Expand", 8, expand);
  t.add("", "Tile", 6, tile);
  t.add("", "Pad", 2, pad);
  t.add("", "Pad", 11, pad);
  t.add("", "Pad", 18, pad);
  t.add("", "DepthToSpace", 1, [](NodeImporter &n) { return depthSpace(n, true); });
  t.add("", "SpaceToDepth", 1, [](NodeImporter &n) { return depthSpace(n, false); });
}
