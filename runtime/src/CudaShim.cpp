//===- CudaShim.cpp - The mgpu* functions compiled CUDA host code calls ----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// MLIR's gpu-to-llvm lowering turns gpu.launch_func, gpu.alloc, gpu.memcpy
// and friends into calls to C functions named mgpu*. Loom's compiled CUDA
// modules are such host code; this file provides those functions, with the
// signatures the lowering emits, over the dlopen'ed driver. They act on the
// device of the calling thread's cuda::Scope (set by the runtime around
// module loading and invocation) and never abort: the first failure is
// recorded, naming the kernel for launch errors, and comes back to the
// caller of loom_session_invoke as a status.
//
//===----------------------------------------------------------------------===//

#include "CudaDriver.h"

#include <cstdio>
#include <cstdlib>

using namespace loom::cuda;

namespace {

/// LOOM_CUDA_TRACE=1 prints every call compiled code makes, for debugging.
bool tracing() {
  static const bool on = [] {
    const char *v = std::getenv("LOOM_CUDA_TRACE");
    return v && *v && *v != '0';
  }();
  return on;
}
#define TRACE(...)                                                             \
  do {                                                                         \
    if (tracing())                                                             \
      std::fprintf(stderr, "loom cuda: " __VA_ARGS__);                         \
  } while (0)

/// The thread's device, or an error recorded for `what`.
Device *device(const char *what) {
  Device *d = currentDevice();
  if (!d)
    recordError(std::string(what) +
                " called outside a CUDA device scope (compiled CUDA code run "
                "on a non-CUDA device?)");
  return d;
}

bool check(Device *d, CUresult r, const std::string &what) {
  if (r == 0)
    return true;
  recordError(what + " failed: " + d->driver().describe(r));
  return false;
}

} // namespace

#define LOOM_MGPU extern "C" __attribute__((visibility("default")))

LOOM_MGPU void *mgpuModuleLoad(void *data, size_t /*size*/) {
  Device *d = device("mgpuModuleLoad");
  CUmodule module = nullptr;
  if (d)
    check(d, d->driver().cuModuleLoadData(&module, data),
          "loading the CUDA module");
  TRACE("module load -> %p\n", static_cast<void *>(module));
  return module;
}

// PTX text: the driver compiles it for the device on load.
LOOM_MGPU void *mgpuModuleLoadJIT(void *data, int /*optLevel*/) {
  return mgpuModuleLoad(data, 0);
}

LOOM_MGPU void mgpuModuleUnload(void *module) {
  if (Device *d = currentDevice(); d && module)
    d->driver().cuModuleUnload(static_cast<CUmodule>(module));
}

LOOM_MGPU void *mgpuModuleGetFunction(void *module, const char *name) {
  Device *d = device("mgpuModuleGetFunction");
  CUfunction fn = nullptr;
  if (d && !module)
    recordError(std::string("kernel '") + name +
                "' requested from a CUDA module that was never loaded");
  if (d && module &&
      check(d, d->driver().cuModuleGetFunction(&fn, static_cast<CUmodule>(module),
                                               name),
            std::string("finding kernel '") + name + "'"))
    d->nameFunction(fn, name);
  return fn;
}

LOOM_MGPU void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                                intptr_t gridZ, intptr_t blockX,
                                intptr_t blockY, intptr_t blockZ,
                                int32_t smem, void *stream, void **params,
                                void **extra, size_t /*paramsCount*/) {
  Device *d = device("mgpuLaunchKernel");
  if (!d)
    return;
  if (!function) {
    recordError("launching a kernel that was not found in its CUDA module");
    return;
  }
  auto fn = static_cast<CUfunction>(function);
  TRACE("launch %s grid (%ld,%ld,%ld) block (%ld,%ld,%ld) smem %d stream %p\n",
        d->functionName(fn).c_str(), long(gridX), long(gridY), long(gridZ),
        long(blockX), long(blockY), long(blockZ), smem, stream);
  check(d,
        d->driver().cuLaunchKernel(fn, unsigned(gridX), unsigned(gridY),
                                   unsigned(gridZ), unsigned(blockX),
                                   unsigned(blockY), unsigned(blockZ),
                                   unsigned(smem), static_cast<CUstream>(stream),
                                   params, extra),
        "launching kernel '" + d->functionName(fn) + "'");
}

LOOM_MGPU void *mgpuStreamCreate() {
  Device *d = device("mgpuStreamCreate");
  CUstream stream = nullptr;
  if (d)
    check(d, d->driver().cuStreamCreate(&stream, /*CU_STREAM_NON_BLOCKING*/ 1),
          "creating a stream");
  return stream;
}

LOOM_MGPU void mgpuStreamDestroy(void *stream) {
  if (Device *d = currentDevice(); d && stream)
    d->driver().cuStreamDestroy(static_cast<CUstream>(stream));
}

LOOM_MGPU void mgpuStreamSynchronize(void *stream) {
  TRACE("synchronize stream %p\n", stream);
  if (Device *d = device("mgpuStreamSynchronize"))
    check(d, d->driver().cuStreamSynchronize(static_cast<CUstream>(stream)),
          "running the kernels (stream synchronize)");
}

LOOM_MGPU void mgpuStreamWaitEvent(void *stream, void *event) {
  if (Device *d = device("mgpuStreamWaitEvent"))
    check(d,
          d->driver().cuStreamWaitEvent(static_cast<CUstream>(stream),
                                        static_cast<CUevent>(event), 0),
          "waiting for an event");
}

LOOM_MGPU void *mgpuEventCreate() {
  Device *d = device("mgpuEventCreate");
  CUevent event = nullptr;
  if (d)
    check(d, d->driver().cuEventCreate(&event, /*CU_EVENT_DISABLE_TIMING*/ 2),
          "creating an event");
  return event;
}

LOOM_MGPU void mgpuEventDestroy(void *event) {
  if (Device *d = currentDevice(); d && event)
    d->driver().cuEventDestroy(static_cast<CUevent>(event));
}

LOOM_MGPU void mgpuEventSynchronize(void *event) {
  if (Device *d = device("mgpuEventSynchronize"))
    check(d, d->driver().cuEventSynchronize(static_cast<CUevent>(event)),
          "waiting for an event");
}

LOOM_MGPU void mgpuEventRecord(void *event, void *stream) {
  if (Device *d = device("mgpuEventRecord"))
    check(d,
          d->driver().cuEventRecord(static_cast<CUevent>(event),
                                    static_cast<CUstream>(stream)),
          "recording an event");
}

LOOM_MGPU void *mgpuMemAlloc(uint64_t size, void *stream,
                             bool /*isHostShared*/) {
  Device *d = device("mgpuMemAlloc");
  CUdeviceptr ptr = 0;
  if (d && size) {
    std::string what =
        "allocating " + std::to_string(size) + " bytes of device memory";
    if (d->pooled())
      check(d,
            d->driver().cuMemAllocAsync(&ptr, size,
                                        static_cast<CUstream>(stream)),
            what);
    else
      check(d, d->driver().cuMemAlloc(&ptr, size), what);
  }
  TRACE("alloc %llu bytes -> %p\n", (unsigned long long)size,
        reinterpret_cast<void *>(ptr));
  return reinterpret_cast<void *>(ptr);
}

// Pooled memory is freed in stream order, after the work queued before it.
// cuMemFree is not stream-ordered: without the pool, let the stream's
// pending copies and kernels finish first.
LOOM_MGPU void mgpuMemFree(void *ptr, void *stream) {
  Device *d = currentDevice();
  if (!d || !ptr)
    return;
  if (d->pooled()) {
    check(d,
          d->driver().cuMemFreeAsync(reinterpret_cast<CUdeviceptr>(ptr),
                                     static_cast<CUstream>(stream)),
          "freeing device memory");
    return;
  }
  check(d, d->driver().cuStreamSynchronize(static_cast<CUstream>(stream)),
        "running the kernels (before freeing device memory)");
  d->driver().cuMemFree(reinterpret_cast<CUdeviceptr>(ptr));
}

// Not an MLIR function: the NVIDIA target's host code calls it for constant
// globals (weights) instead of allocating and copying them on every call
// (lib/Target/NVIDIA/DeviceBuffers.cpp). Returns the device address of the
// module's resident copy, or 0 after recording an error.
LOOM_MGPU uintptr_t loom_cuda_resident(uintptr_t host, uintptr_t bytes) {
  ResidentWeights *weights = currentWeights();
  if (!weights) {
    recordError("weights requested outside an invocation of a CUDA module");
    return 0;
  }
  CUdeviceptr ptr = weights->get(reinterpret_cast<const void *>(host), bytes);
  TRACE("resident %p (%zu bytes) -> %p\n", reinterpret_cast<void *>(host),
        size_t(bytes), reinterpret_cast<void *>(ptr));
  return static_cast<uintptr_t>(ptr);
}

// Unified addressing: the driver tells host from device pointers.
LOOM_MGPU void mgpuMemcpy(void *dst, void *src, size_t size, void *stream) {
  TRACE("memcpy %p <- %p (%zu bytes) stream %p\n", dst, src, size, stream);
  if (Device *d = device("mgpuMemcpy"))
    check(d,
          d->driver().cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                                    reinterpret_cast<CUdeviceptr>(src), size,
                                    static_cast<CUstream>(stream)),
          "copying " + std::to_string(size) + " bytes");
}

LOOM_MGPU void mgpuMemset32(void *dst, unsigned value, size_t count,
                            void *stream) {
  if (Device *d = device("mgpuMemset32"))
    check(d,
          d->driver().cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(dst),
                                       value, count,
                                       static_cast<CUstream>(stream)),
          "filling device memory");
}

LOOM_MGPU void mgpuMemset16(void *dst, unsigned short value, size_t count,
                            void *stream) {
  if (Device *d = device("mgpuMemset16"))
    check(d,
          d->driver().cuMemsetD16Async(reinterpret_cast<CUdeviceptr>(dst),
                                       value, count,
                                       static_cast<CUstream>(stream)),
          "filling device memory");
}

// Device selection happens when the runtime's device is created.
LOOM_MGPU void mgpuSetDefaultDevice(int32_t /*device*/) {}
