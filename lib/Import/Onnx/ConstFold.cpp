//===- ConstFold.cpp - Import-time evaluation of small tensors ------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "ConstFold.h"

#include "llvm/ADT/APFloat.h"

using namespace mlir;
using namespace mlir::loom::onnx_import;

std::vector<HostScalar>
mlir::loom::onnx_import::hostValues(DenseElementsAttr a, bool isUnsigned) {
  std::vector<HostScalar> out;
  out.reserve(a.getNumElements());
  Type et = a.getElementType();
  if (isa<FloatType>(et)) {
    for (const APFloat &v : a.getValues<APFloat>())
      out.push_back(HostScalar::ofF(v.convertToDouble()));
  } else if (et.isInteger(1)) {
    for (bool v : a.getValues<bool>())
      out.push_back(HostScalar::ofI(v));
  } else {
    for (const APInt &v : a.getValues<APInt>())
      out.push_back(HostScalar::ofI(isUnsigned ? (int64_t)v.getZExtValue()
                                               : v.getSExtValue()));
  }
  return out;
}

DenseElementsAttr mlir::loom::onnx_import::hostAttr(RankedTensorType type,
                                                    ArrayRef<HostScalar> vals) {
  Type et = type.getElementType();
  if (auto ft = dyn_cast<FloatType>(et)) {
    SmallVector<APFloat> out;
    for (const HostScalar &v : vals) {
      APFloat f(v.asF());
      bool lost;
      f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      out.push_back(f);
    }
    return DenseElementsAttr::get(type, out);
  }
  if (et.isInteger(1)) {
    SmallVector<bool> out;
    for (const HostScalar &v : vals)
      out.push_back(v.isFloat ? v.f != 0 : v.i != 0);
    return DenseElementsAttr::get(type, ArrayRef<bool>(out));
  }
  unsigned w = et.getIntOrFloatBitWidth();
  SmallVector<APInt> out;
  for (const HostScalar &v : vals)
    out.push_back(APInt(w, (uint64_t)v.asI(), /*isSigned=*/true,
                        /*implicitTrunc=*/true));
  return DenseElementsAttr::get(type, out);
}

DenseElementsAttr mlir::loom::onnx_import::foldElementwise(
    ArrayRef<DenseElementsAttr> ins, ArrayRef<bool> unsignedIns,
    RankedTensorType outType,
    function_ref<HostScalar(ArrayRef<HostScalar>)> fn) {
  if (!outType.hasStaticShape() ||
      outType.getNumElements() > kMaxFoldElements)
    return nullptr;
  for (DenseElementsAttr a : ins)
    if (!a)
      return nullptr;
  int64_t R = outType.getRank();
  ArrayRef<int64_t> os = outType.getShape();
  std::vector<std::vector<HostScalar>> vals;
  std::vector<SmallVector<int64_t>> strides; // 0 for broadcast dims
  for (auto [k, a] : llvm::enumerate(ins)) {
    vals.push_back(hostValues(a, k < unsignedIns.size() && unsignedIns[k]));
    auto s = cast<ShapedType>(a.getType()).getShape();
    SmallVector<int64_t> st(R, 0);
    int64_t acc = 1;
    for (int64_t j = (int64_t)s.size() - 1; j >= 0; --j) {
      int64_t od = R - (int64_t)s.size() + j;
      st[od] = s[j] == 1 ? 0 : acc;
      acc *= s[j];
    }
    strides.push_back(st);
  }
  int64_t n = outType.getNumElements();
  std::vector<HostScalar> out;
  out.reserve(n);
  SmallVector<int64_t> idx(R, 0);
  SmallVector<HostScalar> args(ins.size());
  for (int64_t e = 0; e < n; ++e) {
    for (size_t k = 0; k < ins.size(); ++k) {
      if (ins[k].isSplat()) {
        args[k] = vals[k][0];
        continue;
      }
      int64_t off = 0;
      for (int64_t d = 0; d < R; ++d)
        off += idx[d] * strides[k][d];
      args[k] = vals[k][off];
    }
    out.push_back(fn(args));
    for (int64_t d = R - 1; d >= 0; --d) {
      if (++idx[d] < os[d])
        break;
      idx[d] = 0;
    }
  }
  return hostAttr(outType, out);
}
