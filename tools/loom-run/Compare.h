//===- Compare.h - numpy.allclose-style tensor comparison -----*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TOOLS_LOOMRUN_COMPARE_H
#define LOOM_TOOLS_LOOMRUN_COMPARE_H

#include "loom_runtime.h"

#include <cstdint>
#include <string>

namespace loom::run {

struct CompareResult {
  bool match = true;
  double maxAbsError = 0; // max |actual - expected|
  double maxRelError = 0; // same over |expected|, where expected != 0
  int64_t mismatches = 0; // elements outside tolerance
  int64_t firstMismatch = -1;
};

// Element-wise |a - b| <= atol + rtol * |b| (b = expected), as
// numpy.allclose; NaN matches NaN; equal infinities match. Integers and bool
// use the same rule on their values; f8/u4/i4 compare bytes exactly.
// Both buffers hold `count` elements of `dtype`.
CompareResult compareTensors(loom_dtype_t dtype, const void *actual,
                             const void *expected, int64_t count, double rtol,
                             double atol);

// Element `index` of a buffer as a double (for messages); NaN for opaque
// types.
double elementAsDouble(loom_dtype_t dtype, const void *data, int64_t index);

float halfToFloat(uint16_t bits);
float bfloat16ToFloat(uint16_t bits);

} // namespace loom::run

#endif // LOOM_TOOLS_LOOMRUN_COMPARE_H
