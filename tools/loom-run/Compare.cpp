//===- Compare.cpp - numpy.allclose-style tensor comparison ---------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "Compare.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace loom::run;

float loom::run::halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13); // inf / NaN
  } else if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else { // subnormal: renormalize
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while (!(mant & 0x400));
      bits = sign | uint32_t(127 - 15 - e) << 23 | (mant & 0x3ff) << 13;
    }
  } else {
    bits = sign | (exp + 127 - 15) << 23 | mant << 13;
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float loom::run::bfloat16ToFloat(uint16_t h) {
  uint32_t bits = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

template <typename T> static T load(const void *data, int64_t i) {
  T v;
  std::memcpy(&v, static_cast<const uint8_t *>(data) + i * int64_t(sizeof(T)),
              sizeof(T));
  return v;
}

double loom::run::elementAsDouble(loom_dtype_t dtype, const void *d,
                                  int64_t i) {
  switch (dtype) {
  case LOOM_DTYPE_F32:
    return load<float>(d, i);
  case LOOM_DTYPE_F64:
    return load<double>(d, i);
  case LOOM_DTYPE_F16:
    return halfToFloat(load<uint16_t>(d, i));
  case LOOM_DTYPE_BF16:
    return bfloat16ToFloat(load<uint16_t>(d, i));
  case LOOM_DTYPE_I8:
    return load<int8_t>(d, i);
  case LOOM_DTYPE_U8:
    return load<uint8_t>(d, i);
  case LOOM_DTYPE_BOOL:
    return load<uint8_t>(d, i) != 0;
  case LOOM_DTYPE_I16:
    return load<int16_t>(d, i);
  case LOOM_DTYPE_U16:
    return load<uint16_t>(d, i);
  case LOOM_DTYPE_I32:
    return load<int32_t>(d, i);
  case LOOM_DTYPE_U32:
    return load<uint32_t>(d, i);
  case LOOM_DTYPE_I64:
    return double(load<int64_t>(d, i));
  case LOOM_DTYPE_U64:
    return double(load<uint64_t>(d, i));
  default:
    return std::numeric_limits<double>::quiet_NaN();
  }
}

// 64-bit integers differ in bits that doubles drop: subtract them exactly.
static bool wideDiff(loom_dtype_t dtype, const void *a, const void *b,
                     int64_t i, double &diff, double &expected) {
  if (dtype == LOOM_DTYPE_I64) {
    int64_t x = load<int64_t>(a, i), y = load<int64_t>(b, i);
    uint64_t d = x > y ? uint64_t(x) - uint64_t(y) : uint64_t(y) - uint64_t(x);
    diff = double(d);
    expected = double(y);
    return true;
  }
  if (dtype == LOOM_DTYPE_U64) {
    uint64_t x = load<uint64_t>(a, i), y = load<uint64_t>(b, i);
    diff = double(x > y ? x - y : y - x);
    expected = double(y);
    return true;
  }
  return false;
}

CompareResult loom::run::compareTensors(loom_dtype_t dtype, const void *actual,
                                        const void *expected, int64_t count,
                                        double rtol, double atol) {
  CompareResult r;
  int32_t bits = loom_dtype_bits(dtype);
  bool opaque =
      dtype == LOOM_DTYPE_F8E4M3FN || dtype == LOOM_DTYPE_F8E5M2 || bits == 4;
  if (opaque) {
    int64_t bytes = bits == 4 ? (count + 1) / 2 : count;
    const uint8_t *a = static_cast<const uint8_t *>(actual);
    const uint8_t *b = static_cast<const uint8_t *>(expected);
    for (int64_t i = 0; i < bytes; ++i) {
      uint8_t x = a[i], y = b[i];
      if (bits == 4 && i == bytes - 1 && count % 2) {
        x &= 0x0f; // the unused high nibble of an odd count
        y &= 0x0f;
      }
      if (x != y) {
        r.match = false;
        ++r.mismatches;
        if (r.firstMismatch < 0)
          r.firstMismatch = bits == 4 ? 2 * i : i;
      }
    }
    if (!r.match)
      r.maxAbsError = r.maxRelError = std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  const double inf = std::numeric_limits<double>::infinity();
  for (int64_t i = 0; i < count; ++i) {
    double diff, b;
    if (wideDiff(dtype, actual, expected, i, diff, b)) {
      if (diff == 0)
        continue;
    } else {
      double a = elementAsDouble(dtype, actual, i);
      b = elementAsDouble(dtype, expected, i);
      if (a == b || (std::isnan(a) && std::isnan(b)))
        continue; // also equal infinities
      // NaN against a number, or an infinity against anything else.
      diff = std::fabs(a - b);
      if (std::isnan(diff) || std::isinf(a) || std::isinf(b))
        diff = inf;
    }
    if (diff > r.maxAbsError)
      r.maxAbsError = diff;
    // Relative error only where it is defined (expected != 0).
    if (b != 0 && diff / std::fabs(b) > r.maxRelError)
      r.maxRelError = diff / std::fabs(b);
    if (!(diff <= atol + rtol * std::fabs(b)) || std::isinf(diff)) {
      r.match = false;
      ++r.mismatches;
      if (r.firstMismatch < 0)
        r.firstMismatch = i;
    }
  }
  return r;
}
