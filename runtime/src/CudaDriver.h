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
// MLIR's gpu-to-llvm lowering emits; GpuShim.cpp implements those over
// gpu::Device, which cuda::Device implements on top of this driver.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_CUDADRIVER_H
#define LOOM_RUNTIME_CUDADRIVER_H

#include "GpuDevice.h"
#include "loom_runtime.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

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
using CUgraph = struct CUgraph_st *;
using CUgraphExec = struct CUgraphExec_st *;

/// cuLaunchKernelEx's attribute (CUlaunchAttribute) and configuration
/// (CUlaunchConfig), laid out as cuda.h declares them.
struct LaunchAttribute {
  int id; // CUlaunchAttributeID
  char pad[4];
  union {
    char bytes[64];
    uint64_t align;
    struct {
      unsigned x, y, z;
    } clusterDim; // CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION
  } value;
};
struct LaunchConfig {
  unsigned gridDimX, gridDimY, gridDimZ;
  unsigned blockDimX, blockDimY, blockDimZ;
  unsigned sharedMemBytes;
  CUstream hStream;
  LaunchAttribute *attrs;
  unsigned numAttrs;
};
constexpr int kLaunchAttributeClusterDimension = 4;

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
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t) = nullptr;
  CUresult (*cuCtxSynchronize)() = nullptr;
  CUresult (*cuFuncSetAttribute)(CUfunction, int, int) = nullptr;
  // Cluster launches (CUDA 12.0+); optional like cuTensorMapEncodeTiled.
  CUresult (*cuLaunchKernelEx)(const LaunchConfig *, CUfunction, void **,
                               void **) = nullptr;
  // Graphs (GpuGraph.h); optional: all present or graphs stay off.
  CUresult (*cuStreamBeginCapture)(CUstream, int mode) = nullptr;
  CUresult (*cuStreamEndCapture)(CUstream, CUgraph *) = nullptr;
  CUresult (*cuGraphInstantiateWithFlags)(CUgraphExec *, CUgraph,
                                          unsigned long long) = nullptr;
  CUresult (*cuGraphLaunch)(CUgraphExec, CUstream) = nullptr;
  CUresult (*cuGraphExecDestroy)(CUgraphExec) = nullptr;
  CUresult (*cuGraphDestroy)(CUgraph) = nullptr;
  CUresult (*cuMemAllocHost)(void **, size_t) = nullptr;
  CUresult (*cuMemFreeHost)(void *) = nullptr;
  CUresult (*cuPointerGetAttribute)(void *, int, CUdeviceptr) = nullptr;
  // Kernel timing (LOOM_CUDA_PROFILE, GpuProfile.h); optional.
  CUresult (*cuEventElapsedTime)(float *, CUevent, CUevent) = nullptr;
  // TMA descriptors (CUDA 12.0+); optional: null on older drivers, where
  // mgpuTensorMapEncodeTiledMemref reports an error. The enums are ints.
  CUresult (*cuTensorMapEncodeTiled)(void *tensorMap, int dataType,
                                     uint32_t rank, void *globalAddress,
                                     const uint64_t *globalDim,
                                     const uint64_t *globalStrides,
                                     const uint32_t *boxDim,
                                     const uint32_t *elementStrides,
                                     int interleave, int swizzle,
                                     int l2Promotion, int oobFill) = nullptr;

  /// "CUDA_ERROR_...: text" for a result code.
  std::string describe(CUresult result) const;
};

/// Opens libcuda.so.1 once per process. On failure returns null and sets
/// `*status` (LOOM_UNAVAILABLE when the driver is not installed).
const Driver *loadDriver(loom_status_t *status);

/// One CUDA device with its primary context.
class Device final : public gpu::Device {
public:
  static loom_status_t create(int ordinal, std::shared_ptr<Device> &out);
  /// A device over a given driver table, without dlopen, cuInit or a
  /// context: the unit tests' fake driver, which records what reaches it.
  static std::shared_ptr<Device> withDriver(const Driver *driver,
                                            std::string name);
  ~Device() override;

  const Driver &driver() const { return *driver_; }
  CUcontext context() const { return context_; }
  const std::string &name() const { return name_; }

  const char *api() const override { return "CUDA"; }
  void makeCurrent() override;
  gpu::Error loadModule(const void *image, size_t size,
                        void **module) override;
  void unloadModule(void *module) override;
  gpu::Error getFunction(void *module, const char *name, void **fn) override;
  gpu::Error launch(void *fn, const gpu::LaunchConfig &config) override;
  gpu::Error createStream(void **stream) override;
  void destroyStream(void *stream) override;
  gpu::Error synchronizeStream(void *stream) override;
  gpu::Error streamWaitEvent(void *stream, void *event) override;
  gpu::Error createEvent(void **event) override;
  void destroyEvent(void *event) override;
  gpu::Error synchronizeEvent(void *event) override;
  gpu::Error createTimingEvent(void **event) override;
  gpu::Error elapsedMs(void *start, void *end, float *ms) override;
  gpu::Error recordEvent(void *event, void *stream) override;
  gpu::Error allocate(size_t bytes, void **ptr) override;
  void free(void *ptr) override;
  bool pooled() const override { return pooled_; }
  gpu::Error allocateAsync(size_t bytes, void *stream, void **ptr) override;
  gpu::Error freeAsync(void *ptr, void *stream) override;
  gpu::Error copyAsync(void *dst, const void *src, size_t bytes,
                       void *stream) override;
  gpu::Error fill32Async(void *dst, uint32_t value, size_t count,
                         void *stream) override;
  gpu::Error fill16Async(void *dst, uint16_t value, size_t count,
                         void *stream) override;
  gpu::Error upload(void *dst, const void *src, size_t bytes) override;
  gpu::Error synchronizeDevice() override;
  gpu::Error encodeTensorMap(const gpu::TensorMapArgs &args,
                             gpu::TensorMapBytes &map) override;
  bool supportsGraphs() const override;
  gpu::Error beginCapture(void *stream) override;
  gpu::Error endCapture(void *stream, void **exec) override;
  gpu::Error launchGraph(void *exec, void *stream) override;
  void destroyGraph(void *exec) override;
  gpu::Error allocateHost(size_t bytes, void **ptr) override;
  void freeHost(void *ptr) override;
  bool isDeviceMemory(const void *ptr) override;

private:
  Device() = default;
  gpu::Error check(CUresult r) const { return r ? driver_->describe(r) : ""; }
  const Driver *driver_ = nullptr;
  CUdevice device_ = 0;
  CUcontext context_ = nullptr;
  std::string name_;
  bool pooled_ = false;
  // Dynamic shared memory each kernel was opted into above the default
  // 48 KiB (cuFuncSetAttribute), so the attribute is set once per size.
  std::mutex sharedMutex_;
  std::unordered_map<void *, unsigned> sharedOptIn_;
};

} // namespace loom::cuda

#endif // LOOM_RUNTIME_CUDADRIVER_H
