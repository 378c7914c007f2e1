//===- CudaDriver.h - The CUDA driver API, dlopen'ed -----------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The runtime never links libcuda: it opens libcuda.so.1 when a "cuda"
// device is created, so the same library loads on machines without a GPU.
// Only the handful of driver entry points Loom uses are declared here, with
// their documented C signatures (no CUDA headers needed to build).
//
// Compiled CUDA modules are x86-64 host code with the device binary embedded
// (lib/Target/NVIDIA). Their host code calls the `mgpu*` functions that
// MLIR's gpu-to-llvm lowering emits; CudaShim.cpp implements those on top of
// this driver, for the device made current by a CudaScope.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_CUDADRIVER_H
#define LOOM_RUNTIME_CUDADRIVER_H

#include "loom_runtime.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace loom::cuda {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;
using CUmemoryPool = struct CUmemPoolHandle_st *;

/// The driver entry points, resolved from libcuda.so.1.
struct Driver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDriverGetVersion)(int *);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuDevicePrimaryCtxRelease)(CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuCtxGetCurrent)(CUcontext *);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, unsigned, CUstream,
                             void **, void **);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamDestroy)(CUstream);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuStreamWaitEvent)(CUstream, CUevent, unsigned);
  CUresult (*cuEventCreate)(CUevent *, unsigned);
  CUresult (*cuEventDestroy)(CUevent);
  CUresult (*cuEventRecord)(CUevent, CUstream);
  CUresult (*cuEventSynchronize)(CUevent);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*cuMemsetD32Async)(CUdeviceptr, unsigned, size_t, CUstream);
  CUresult (*cuMemsetD16Async)(CUdeviceptr, unsigned short, size_t, CUstream);
  // Stream-ordered allocator (CUDA 11.2+); optional: null on older drivers,
  // where allocation falls back to cuMemAlloc/cuMemFree.
  CUresult (*cuMemAllocAsync)(CUdeviceptr *, size_t, CUstream) = nullptr;
  CUresult (*cuMemFreeAsync)(CUdeviceptr, CUstream) = nullptr;
  CUresult (*cuDeviceGetDefaultMemPool)(CUmemoryPool *, CUdevice) = nullptr;
  CUresult (*cuMemPoolSetAttribute)(CUmemoryPool, int, void *) = nullptr;

  /// "CUDA_ERROR_...: text" for a result code.
  std::string describe(CUresult result) const;
};

/// Opens libcuda.so.1 once per process. On failure returns null and sets
/// `*status` (LOOM_UNAVAILABLE when the driver is not installed).
const Driver *loadDriver(loom_status_t *status);

/// One CUDA device with its primary context.
class Device {
public:
  static loom_status_t create(int ordinal, std::shared_ptr<Device> &out);
  ~Device();

  const Driver &driver() const { return *driver_; }
  CUcontext context() const { return context_; }
  const std::string &name() const { return name_; }

  /// True when allocations come from the device's stream-ordered pool.
  bool pooled() const { return pooled_; }

  /// Remembers a kernel's name so launch errors can say which one failed.
  void nameFunction(CUfunction fn, const char *name);
  std::string functionName(CUfunction fn);

private:
  Device() = default;
  const Driver *driver_ = nullptr;
  CUdevice device_ = 0;
  CUcontext context_ = nullptr;
  std::string name_;
  bool pooled_ = false;
  std::mutex mutex_;
  std::unordered_map<CUfunction, std::string> functionNames_;
};

/// A module's weights on the device: compiled code asks for the device copy
/// of a constant (a host address inside the loaded module) and gets the one
/// uploaded on first use, so weights cross the bus once per module, not once
/// per call. Freed with the module.
class ResidentWeights {
public:
  explicit ResidentWeights(Device *device) : device_(device) {}
  ~ResidentWeights();
  ResidentWeights(const ResidentWeights &) = delete;
  ResidentWeights &operator=(const ResidentWeights &) = delete;

  /// The device copy of [host, host + bytes), uploading it on first use;
  /// 0 on failure (recorded with recordError).
  CUdeviceptr get(const void *host, size_t bytes);
  size_t bytesResident() const { return total_; }

private:
  Device *device_;
  std::mutex mutex_;
  std::unordered_map<const void *, std::pair<CUdeviceptr, size_t>> copies_;
  size_t total_ = 0;
};

/// While alive: `device` is the current CUDA device of this thread, both for
/// the driver (its context is current) and for the mgpu* functions, which
/// record their first error here instead of aborting. `weights` is the
/// invoked module's resident-weight cache (null while loading).
class Scope {
public:
  explicit Scope(Device *device, ResidentWeights *weights = nullptr);
  ~Scope();
  Scope(const Scope &) = delete;
  Scope &operator=(const Scope &) = delete;

  /// The first error an mgpu* function hit in this scope, as a status
  /// (ownership passes to the caller), or null.
  loom_status_t takeError();

private:
  Device *previous_;
  ResidentWeights *previousWeights_;
  std::string *previousError_;
  std::string error_;
};

/// For CudaShim.cpp: the current device of this thread (null outside a
/// Scope) and the sink for its first error.
Device *currentDevice();
ResidentWeights *currentWeights();
void recordError(const std::string &message);

} // namespace loom::cuda

#endif // LOOM_RUNTIME_CUDADRIVER_H
