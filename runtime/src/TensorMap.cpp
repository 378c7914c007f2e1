//===- TensorMap.cpp - TMA descriptors for compiled CUDA code -------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "TensorMap.h"

#include <cstdio>
#include <cstring>

using namespace loom;
using namespace loom::gpu;

unsigned gpu::tensorMapElementBytes(int64_t dataType) {
  // UINT8, UINT16, UINT32, INT32, UINT64, INT64, FLOAT16, FLOAT32, FLOAT64,
  // BFLOAT16, FLOAT32_FTZ, TFLOAT32, TFLOAT32_FTZ.
  static const unsigned bytes[] = {1, 2, 4, 4, 8, 8, 2, 4, 8, 2, 4, 4, 4};
  if (dataType < 0 || dataType >= int64_t(sizeof(bytes) / sizeof(bytes[0])))
    return 0;
  return bytes[dataType];
}

static std::string list(const uint64_t *v, uint32_t n) {
  std::string s = "[";
  for (uint32_t i = 0; i < n; ++i)
    s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

static std::string list(const uint32_t *v, uint32_t n) {
  uint64_t wide[5];
  for (uint32_t i = 0; i < n; ++i)
    wide[i] = v[i];
  return list(wide, n);
}

std::string gpu::describe(const TensorMapArgs &a) {
  char address[32];
  std::snprintf(address, sizeof(address), "%p", a.address);
  return "data type " + std::to_string(a.dataType) + ", rank " +
         std::to_string(a.rank) + " at " + address + ", dims " +
         list(a.globalDim, a.rank) + ", byte strides " +
         list(a.globalStrides, a.rank ? a.rank - 1 : 0) + ", box " +
         list(a.boxDim, a.rank) + " (innermost first), interleave " +
         std::to_string(a.interleave) + ", swizzle " +
         std::to_string(a.swizzle) + ", L2 promotion " +
         std::to_string(a.l2Promotion) + ", OOB fill " +
         std::to_string(a.oobFill);
}

Error gpu::translateTensorMap(int64_t rank, const void *memrefDescriptor,
                              int64_t dataType, int64_t interleave,
                              int64_t swizzle, int64_t l2Promotion,
                              int64_t oobFill, const int64_t *boxDims,
                              TensorMapArgs &out) {
  out = TensorMapArgs{};
  if (rank < 1 || rank > 5)
    return "a TMA descriptor has rank 1 to 5, not " + std::to_string(rank);
  if (!memrefDescriptor || !boxDims)
    return "null memref descriptor or box dims";
  unsigned elem = tensorMapElementBytes(dataType);
  if (!elem)
    return "unknown TMA data type " + std::to_string(dataType);
  // CUtensorMapInterleave NONE/16B/32B; CUtensorMapSwizzle NONE/32B/64B/
  // 128B and CUDA 12.8's 128B atom variants; CUtensorMapL2promotion
  // NONE/64B/128B/256B; CUtensorMapFloatOOBfill NONE/NAN_REQUEST_ZERO_FMA.
  if (interleave < 0 || interleave > 2 || swizzle < 0 || swizzle > 6 ||
      l2Promotion < 0 || l2Promotion > 3 || oobFill < 0 || oobFill > 1)
    return "bad TMA interleave/swizzle/L2 promotion/OOB fill (" +
           std::to_string(interleave) + ", " + std::to_string(swizzle) + ", " +
           std::to_string(l2Promotion) + ", " + std::to_string(oobFill) + ")";
  // The descriptor: {ptr allocated, ptr aligned, i64 offset, i64 sizes[rank],
  // i64 strides[rank]}, every field 8 bytes.
  const auto *words = static_cast<const int64_t *>(memrefDescriptor);
  void *aligned;
  std::memcpy(&aligned, &words[1], sizeof(aligned));
  int64_t offset = words[2];
  const int64_t *sizes = words + 3, *strides = words + 3 + rank;

  out.dataType = int(dataType);
  out.rank = uint32_t(rank);
  out.address = static_cast<char *>(aligned) + offset * int64_t(elem);
  out.interleave = int(interleave);
  out.swizzle = int(swizzle);
  out.l2Promotion = int(l2Promotion);
  out.oobFill = int(oobFill);
  // The driver numbers dimensions innermost first; memrefs outermost first.
  for (int64_t i = 0; i < rank; ++i) {
    int64_t size = sizes[rank - 1 - i], box = boxDims[rank - 1 - i];
    if (size < 1 || size > (int64_t(1) << 32))
      return "TMA dimension " + std::to_string(rank - 1 - i) + " has size " +
             std::to_string(size) + " (1 to 2^32)";
    if (box < 1 || box > 256)
      return "TMA box dimension " + std::to_string(rank - 1 - i) + " is " +
             std::to_string(box) + " (1 to 256)";
    out.globalDim[i] = uint64_t(size);
    out.boxDim[i] = uint32_t(box);
  }
  for (int64_t i = 0; i + 1 < rank; ++i) {
    int64_t stride = strides[rank - 2 - i];
    if (stride < 1 || stride > ((int64_t(1) << 40) - 1) / int64_t(elem))
      return "TMA stride of dimension " + std::to_string(rank - 2 - i) +
             " is " + std::to_string(stride) + " elements";
    out.globalStrides[i] = uint64_t(stride) * elem;
  }
  auto fail = [&](const std::string &why) {
    return why + " (" + describe(out) + ")";
  };
  if (sizes[rank - 1] > 1 && strides[rank - 1] != 1)
    return fail("the innermost dimension of a TMA tensor must be contiguous, "
                "its stride is " + std::to_string(strides[rank - 1]));
  unsigned align = interleave == 2 ? 32 : 16;
  if (reinterpret_cast<uintptr_t>(out.address) % align)
    return fail("a TMA tensor must start at a " + std::to_string(align) +
                "-byte aligned address");
  for (uint32_t i = 0; i + 1 < out.rank; ++i)
    if (out.globalStrides[i] % align)
      return fail("TMA byte strides must be multiples of " +
                  std::to_string(align));
  if (interleave == 0) {
    uint64_t innerBytes = uint64_t(out.boxDim[0]) * elem;
    if (innerBytes % 16)
      return fail("the innermost TMA box dimension must span a multiple of "
                  "16 bytes");
    static const uint64_t span[] = {0, 32, 64, 128};
    if (swizzle >= 1 && swizzle <= 3 && innerBytes > span[swizzle])
      return fail("the innermost TMA box dimension spans " +
                  std::to_string(innerBytes) + " bytes, more than the " +
                  std::to_string(span[swizzle]) + "-byte swizzle");
  } else if (rank < 3) {
    return fail("an interleaved TMA tensor has rank 3 to 5");
  }
  return "";
}

size_t TensorMapCache::Hash::operator()(const TensorMapBytes &m) const {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint64_t w : m.words)
    h = (h ^ w) * 0x100000001b3ull;
  return size_t(h);
}

bool TensorMapCache::Equal::operator()(const TensorMapBytes &a,
                                       const TensorMapBytes &b) const {
  return std::memcmp(a.words, b.words, sizeof(a.words)) == 0;
}

void *TensorMapCache::get(const TensorMapBytes &map, Error &error) {
  if (auto it = copies_.find(map); it != copies_.end())
    return it->second;
  void *ptr = nullptr;
  if (Error e = device_->allocate(sizeof(map), &ptr); !e.empty()) {
    error = "allocating a TMA descriptor failed: " + e;
    return nullptr;
  }
  // Synchronous: the host code launches kernels that read it right after,
  // on its own (non-blocking) streams.
  if (Error e = device_->upload(ptr, &map, sizeof(map)); !e.empty()) {
    device_->free(ptr);
    error = "copying a TMA descriptor to the device failed: " + e;
    return nullptr;
  }
  copies_.emplace(map, ptr);
  return ptr;
}

void TensorMapCache::clear() {
  for (auto &entry : copies_)
    device_->free(entry.second);
  copies_.clear();
}

TensorMapCache::~TensorMapCache() {
  if (copies_.empty())
    return;
  Scope scope(device_);
  clear();
}
