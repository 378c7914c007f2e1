//===- DTypeInfo.h - Names and sizes of loom_dtype_t values ----*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Header-only so that the artifact writer, the runtime and the tools agree on
// one table without linking each other.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_ARTIFACT_DTYPEINFO_H
#define LOOM_RUNTIME_ARTIFACT_DTYPEINFO_H

#include "loom_runtime.h"

#include <cstdint>
#include <cstring>

namespace loom {

struct DTypeEntry {
  loom_dtype_t dtype;
  const char *name;
  int32_t bits;
};

inline constexpr DTypeEntry kDTypes[] = {
    {LOOM_DTYPE_F32, "f32", 32},      {LOOM_DTYPE_U8, "u8", 8},
    {LOOM_DTYPE_I8, "i8", 8},         {LOOM_DTYPE_U16, "u16", 16},
    {LOOM_DTYPE_I16, "i16", 16},      {LOOM_DTYPE_I32, "i32", 32},
    {LOOM_DTYPE_I64, "i64", 64},      {LOOM_DTYPE_BOOL, "bool", 8},
    {LOOM_DTYPE_F16, "f16", 16},      {LOOM_DTYPE_F64, "f64", 64},
    {LOOM_DTYPE_U32, "u32", 32},      {LOOM_DTYPE_U64, "u64", 64},
    {LOOM_DTYPE_BF16, "bf16", 16},    {LOOM_DTYPE_F8E4M3FN, "f8e4m3fn", 8},
    {LOOM_DTYPE_F8E5M2, "f8e5m2", 8}, {LOOM_DTYPE_U4, "u4", 4},
    {LOOM_DTYPE_I4, "i4", 4},
};

// The table entry of `dtype`, nullptr for values outside the enum (they can
// come from a corrupted file, so look up instead of casting blindly).
inline const DTypeEntry *lookupDType(int64_t dtype) {
  for (const DTypeEntry &e : kDTypes)
    if (int64_t(e.dtype) == dtype)
      return &e;
  return nullptr;
}

inline const DTypeEntry *lookupDTypeByName(const char *name) {
  if (!name)
    return nullptr;
  for (const DTypeEntry &e : kDTypes)
    if (std::strcmp(e.name, name) == 0)
      return &e;
  return nullptr;
}

// Bytes for `count` elements; false on overflow or an unknown dtype.
inline bool dtypeByteSize(loom_dtype_t dtype, int64_t count, uint64_t &out) {
  const DTypeEntry *e = lookupDType(dtype);
  if (!e || count < 0)
    return false;
  uint64_t n = uint64_t(count);
  if (e->bits == 4) {
    out = n / 2 + n % 2;
    return true;
  }
  uint64_t bytes = uint64_t(e->bits / 8);
  if (n > UINT64_MAX / bytes)
    return false;
  out = n * bytes;
  return true;
}

// Product of `dims` (each >= 0); false on a negative dim or overflow.
inline bool elementCount(const int64_t *dims, int64_t rank, int64_t &out) {
  int64_t n = 1;
  for (int64_t i = 0; i < rank; ++i) {
    if (dims[i] < 0)
      return false;
    if (dims[i] != 0 && n > INT64_MAX / dims[i])
      return false;
    n *= dims[i];
  }
  out = n;
  return true;
}

} // namespace loom

#endif // LOOM_RUNTIME_ARTIFACT_DTYPEINFO_H
