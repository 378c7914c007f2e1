//===- TensorMap.h - TMA descriptors for compiled CUDA code ----*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// MLIR lowers `nvgpu.tma.create.descriptor` to a host call of
// mgpuTensorMapEncodeTiledMemref(rank, memref descriptor, data type,
// interleave, swizzle, L2 promotion, OOB fill, box dims), which must return
// the device address of a 128-byte CUtensorMap that kernels read with the
// TMA instructions. This file turns that call's arguments into what the
// driver's cuTensorMapEncodeTiled takes (innermost dimension first, strides
// in bytes) and keeps the device copies of the encoded maps for a session,
// keyed by their bytes, so that repeated invocations reuse them instead of
// allocating a copy per call.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_TENSORMAP_H
#define LOOM_RUNTIME_TENSORMAP_H

#include "GpuDevice.h"

#include <array>
#include <cstdint>
#include <unordered_map>

namespace loom::gpu {

/// cuTensorMapEncodeTiled's arguments (CUDA enums as their int values).
struct TensorMapArgs {
  int dataType = 0; // CUtensorMapDataType
  uint32_t rank = 0;
  void *address = nullptr;
  uint64_t globalDim[5] = {1, 1, 1, 1, 1};     // innermost first
  uint64_t globalStrides[5] = {0, 0, 0, 0, 0}; // bytes, rank - 1 used
  uint32_t boxDim[5] = {1, 1, 1, 1, 1};        // innermost first
  uint32_t elementStrides[5] = {1, 1, 1, 1, 1};
  int interleave = 0;  // CUtensorMapInterleave
  int swizzle = 0;     // CUtensorMapSwizzle
  int l2Promotion = 0; // CUtensorMapL2promotion
  int oobFill = 0;     // CUtensorMapFloatOOBfill
};

/// The opaque encoded map (CUtensorMap: 128 bytes; CUDA 12 aligns it to 64
/// bytes, CUDA 13 to 128).
struct alignas(128) TensorMapBytes {
  uint64_t words[16];
};
static_assert(sizeof(TensorMapBytes) == 128, "CUtensorMap is 128 bytes");

/// Bytes per element of a CUtensorMapDataType (UINT8 .. TFLOAT32_FTZ,
/// 0 .. 12); 0 for values this runtime does not know.
unsigned tensorMapElementBytes(int64_t dataType);

/// Translates mgpuTensorMapEncodeTiledMemref's arguments: the memref
/// descriptor is {allocated, aligned, offset, sizes[rank], strides[rank]}
/// (elements, outermost first); box dims are outermost first too. The map
/// starts at aligned + offset * element size. Checks what the driver would
/// only reject with CUDA_ERROR_INVALID_VALUE, so the error can say why.
Error translateTensorMap(int64_t rank, const void *memrefDescriptor,
                         int64_t dataType, int64_t interleave, int64_t swizzle,
                         int64_t l2Promotion, int64_t oobFill,
                         const int64_t *boxDims, TensorMapArgs &out);

/// "f32 rank 2 at 0x..: dims [..] strides [..] box [..] swizzle .." for
/// messages and traces.
std::string describe(const TensorMapArgs &args);

/// Device copies of encoded maps, owned by one session (used by one thread
/// at a time). A map stays valid until the cache is cleared, which the
/// session does only between invocations (kernels of an invocation may use
/// every map it made) and only after the device has finished with them.
class TensorMapCache {
public:
  explicit TensorMapCache(Device *device) : device_(device) {}
  ~TensorMapCache();
  TensorMapCache(const TensorMapCache &) = delete;
  TensorMapCache &operator=(const TensorMapCache &) = delete;

  /// The device copy of `map`, uploaded on first use; null with `error` set
  /// on failure.
  void *get(const TensorMapBytes &map, Error &error);
  size_t size() const { return copies_.size(); }
  /// Frees every copy. The caller has synchronized the device.
  void clear();

private:
  struct Hash {
    size_t operator()(const TensorMapBytes &m) const;
  };
  struct Equal {
    bool operator()(const TensorMapBytes &a, const TensorMapBytes &b) const;
  };
  Device *device_;
  std::unordered_map<TensorMapBytes, void *, Hash, Equal> copies_;
};

} // namespace loom::gpu

#endif // LOOM_RUNTIME_TENSORMAP_H
