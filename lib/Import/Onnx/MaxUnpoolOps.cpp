//===- MaxUnpoolOps.cpp - MaxUnpool ---------------------------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// MaxUnpool scatters X into a zero tensor at the flat positions I holds
// (MaxPool's Indices: offsets into the whole unpooled tensor, batch and
// channel included, whose shape the window attributes give). An
// output_shape input (a run-time value when it is not a constant) places
// that tensor at the origin of a zero tensor of the requested shape, as
// the ONNX reference does. Indices outside the tensor are skipped.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "Importer.h"
#include "OpTable.h"
#include "ScalarLoops.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

namespace {

LogicalResult maxUnpool(NodeImporter &n) {
  RankedTensorType xt = n.inputType(0), it = n.inputType(1);
  int64_t R = xt.getRank();
  if (R < 3) return n.error() << "X must be [N, C, spatial...], got rank " << R;
  if (!xt.hasStaticShape() || !it.hasStaticShape()) return n.unsupported("dynamic input shapes");
  if (it.getShape() != xt.getShape()) return n.error() << "I " << it << " must have the shape of X " << xt;
  if (!it.getElementType().isInteger(64)) return n.error() << "I must be int64, got " << it.getElementType();
  int64_t S = R - 2;
  SmallVector<int64_t> kernel = n.getInts("kernel_shape");
  SmallVector<int64_t> strides = n.getInts("strides", SmallVector<int64_t>(S, 1));
  SmallVector<int64_t> pads = n.getInts("pads", SmallVector<int64_t>(2 * S, 0));
  if (n.attrFailed) return failure();
  if ((int64_t)kernel.size() != S) return n.error() << "kernel_shape must have " << S << " entries";
  if ((int64_t)strides.size() != S || (int64_t)pads.size() != 2 * S)
    return n.error() << "strides/pads must have " << S << "/" << 2 * S << " entries";
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Type et = xt.getElementType();
  // The unpooled shape the window attributes give; I indexes into it.
  SmallVector<int64_t> shape{xt.getDimSize(0), xt.getDimSize(1)};
  for (int64_t d = 0; d < S; ++d) {
    shape.push_back((xt.getDimSize(d + 2) - 1) * strides[d] + kernel[d] - pads[d] - pads[d + S]);
    if (shape.back() < 0) return n.error() << "kernel_shape/strides/pads give a negative output dim";
  }
  int64_t total = 1;
  for (int64_t d : shape) total *= d;
  Value flat = linalg::FillOp::create(b, loc, ValueRange{scalarConst(b, loc, et, 0)},
                                      ValueRange{emptyTensor(b, loc, {total}, et)})
                   .getResult(0);
  int64_t E = xt.getNumElements();
  Value xf = buildReshape(b, loc, n.input(0), {E}), iflat = buildReshape(b, loc, n.input(1), {E});
  Value total64 = scalarConst(b, loc, b.getI64Type(), total);
  ValueRange r = forLoop(
      b, loc, cIdx(b, loc, 0), cIdx(b, loc, E), ValueRange{flat},
      [&](OpBuilder &b, Location l, Value e, ValueRange acc) -> SmallVector<Value> {
        Value p = at(b, l, iflat, {e});
        Value inRange = arith::AndIOp::create(
            b, l, arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, p, scalarConst(b, l, b.getI64Type(), 0)),
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, p, total64));
        return SmallVector<Value>(ifElse(
            b, l, inRange,
            [&](OpBuilder &b, Location l) -> SmallVector<Value> {
              Value pi = arith::IndexCastOp::create(b, l, b.getIndexType(), p);
              return {put(b, l, at(b, l, xf, {e}), acc[0], {pi})};
            },
            [&](OpBuilder &, Location) -> SmallVector<Value> { return {acc[0]}; }));
      });
  Value y = buildReshape(b, loc, r[0], shape);
  if (!n.hasInput(2)) return n.setResult(0, y);
  // output_shape: the unpooled tensor sits at the origin of a zero tensor of
  // that shape (cut where output_shape is smaller).
  RankedTensorType st = n.inputType(2);
  if (st.getRank() != 1 || st.getDimSize(0) != R) return n.error() << "output_shape must be a 1-D tensor of " << R << " values";
  if (!st.getElementType().isInteger(64)) return n.error() << "output_shape must be int64, got " << st.getElementType();
  SmallVector<int64_t> outShape;
  SmallVector<Value> dyn;
  SmallVector<OpFoldResult> sizes;
  if (DenseElementsAttr c = n.inputConstant(2)) {
    for (APInt v : c.getValues<APInt>()) outShape.push_back(v.getSExtValue());
    for (int64_t d = 0; d < R; ++d) {
      if (outShape[d] < 0) return n.error() << "output_shape has a negative dim";
      sizes.push_back(b.getIndexAttr(std::min(outShape[d], shape[d])));
    }
    if (outShape == shape) return n.setResult(0, y);
  } else {
    for (int64_t d = 0; d < R; ++d) {
      Value v = at(b, loc, n.input(2), {cIdx(b, loc, d)});
      v = arith::MaxSIOp::create(b, loc, v, scalarConst(b, loc, b.getI64Type(), 0));
      Value dim = arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
      outShape.push_back(ShapedType::kDynamic);
      dyn.push_back(dim);
      sizes.push_back(Value(arith::MinSIOp::create(b, loc, dim, cIdx(b, loc, shape[d]))));
    }
  }
  Value out = linalg::FillOp::create(b, loc, ValueRange{scalarConst(b, loc, et, 0)},
                                     ValueRange{emptyTensor(b, loc, outShape, et, dyn)})
                  .getResult(0);
  SmallVector<OpFoldResult> zeros(R, b.getIndexAttr(0)), ones(R, b.getIndexAttr(1));
  Value part = tensor::ExtractSliceOp::create(b, loc, y, zeros, sizes, ones);
  return n.setResult(0, tensor::InsertSliceOp::create(b, loc, part, out, zeros, sizes, ones));
}

} // namespace

void mlir::loom::onnx_import::registerMaxUnpoolOps(OpTable &t) {
  t.add("", "MaxUnpool", 9, maxUnpool);
  t.add("", "MaxUnpool", 11, maxUnpool);
}
