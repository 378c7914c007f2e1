//===- Builders.h - Helpers that build linalg/tensor IR ---------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The handful of IR shapes every op family reuses: numpy-broadcast
// elementwise linalg.generic, reductions, index-computing ("gather")
// generics, reshapes and scalar conversions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_IMPORT_ONNX_BUILDERS_H
#define LOOM_LIB_IMPORT_ONNX_BUILDERS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace mlir::loom::onnx_import {

using ScalarFn =
    function_ref<Value(OpBuilder &, Location, ValueRange /*scalars*/)>;
using IndexedFn = function_ref<Value(OpBuilder &, Location,
                                     ValueRange /*scalars*/,
                                     ValueRange /*indices*/)>;

/// Numpy broadcast of shapes; failure when they are incompatible.
FailureOr<SmallVector<int64_t>> broadcastShapes(ArrayRef<Type> types);

/// tensor.empty of `shape`; dynamic sizes come from `dynSizes` in order.
Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type elem, ValueRange dynSizes = {});

/// One linalg.generic computing `fn` over the numpy broadcast of `inputs`,
/// producing elements of `resultElem`.
FailureOr<Value> buildElementwise(OpBuilder &b, Location loc,
                                  ValueRange inputs, Type resultElem,
                                  ScalarFn fn);

/// Broadcasts `v` to `shape` (numpy rules).
FailureOr<Value> broadcastTo(OpBuilder &b, Location loc, Value v,
                             ArrayRef<int64_t> shape);

/// A parallel linalg.generic over `shape` reading `inputs` through `maps`
/// (one per input, over the result dims) and calling `fn` with the input
/// scalars and the iteration indices (`index` values). For gathers, pads,
/// resizes: the body may tensor.extract from values defined above.
Value buildIndexed(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   Type elem, ValueRange dynSizes, ValueRange inputs,
                   ArrayRef<AffineMap> maps, IndexedFn fn);

/// Reduces `input` over `axes` (sorted, unique) with `combine(acc, x)`,
/// starting from `init`; `pre` maps each element first (may be null).
/// The result drops the reduced dims unless `keepDims`.
Value buildReduction(OpBuilder &b, Location loc, Value input,
                     ArrayRef<int64_t> axes, bool keepDims, Value init,
                     function_ref<Value(OpBuilder &, Location, Value, Value)>
                         combine,
                     function_ref<Value(OpBuilder &, Location, Value)> pre =
                         nullptr);

/// Static reshape (collapse to 1-D then expand), or tensor.reshape when a
/// dim is dynamic.
Value buildReshape(OpBuilder &b, Location loc, Value v,
                   ArrayRef<int64_t> shape);

/// Converts a scalar between element types, ONNX Cast semantics.
Value convertScalar(OpBuilder &b, Location loc, Value v, Type dst,
                    bool srcUnsigned = false, bool dstUnsigned = false);

/// Scalar constant of `type` (float or integer).
Value scalarConst(OpBuilder &b, Location loc, Type type, double v);
/// Lowest/highest value of `type` (-inf/+inf for floats).
Value lowestConst(OpBuilder &b, Location loc, Type type, bool isUnsigned);
Value highestConst(OpBuilder &b, Location loc, Type type, bool isUnsigned);

/// `tensor.dim` of every dimension (constants when static).
SmallVector<Value> dimValues(OpBuilder &b, Location loc, Value v);
/// Dynamic dims of `v` (for tensor.empty of the same shape).
SmallVector<Value> dynamicDims(OpBuilder &b, Location loc, Value v);

/// Normalizes a possibly-negative axis; failure when out of range.
FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// expand_shape inserting size-1 dims at output positions `axes` (sorted).
Value insertUnitDims(OpBuilder &b, Location loc, Value v,
                     ArrayRef<int64_t> axes);

/// linalg.transpose.
Value buildTranspose(OpBuilder &b, Location loc, Value v,
                     ArrayRef<int64_t> perm);

class NodeImporter;
/// Conv of `x` and `w` (bias optional) with the node's window attributes.
FailureOr<Value> buildConv(NodeImporter &n, Value x, Value w, Value bias);

} // namespace mlir::loom::onnx_import

#endif // LOOM_LIB_IMPORT_ONNX_BUILDERS_H
