//===- GpuShim.cpp - The mgpu* functions compiled GPU host code calls -----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// MLIR's gpu-to-llvm lowering turns gpu.launch_func, gpu.alloc, gpu.memcpy
// and friends into calls to C functions named mgpu*, the same for CUDA and
// ROCm. Loom's compiled GPU modules are such host code; this file provides
// those functions, with the signatures the lowering emits, over the
// gpu::Device of the calling thread's gpu::Scope (set by the runtime around
// module loading and invocation): a CUDA or a HIP device. They never abort:
// the first failure is recorded, naming the kernel for launch errors, and
// comes back to the caller of loom_session_invoke as a status.
//
//===----------------------------------------------------------------------===//

#include "GpuDevice.h"
#include "GpuSession.h"
#include "TensorMap.h"

#include <cstdio>
#include <cstdlib>

using namespace loom::gpu;

namespace {

/// LOOM_GPU_TRACE=1 (or LOOM_CUDA_TRACE=1) prints every call compiled code
/// makes, for debugging.
#define TRACE(...)                                                             \
  do {                                                                         \
    if (tracing())                                                             \
      std::fprintf(stderr, "loom gpu: " __VA_ARGS__);                          \
  } while (0)

/// The thread's device, or an error recorded for `what`.
Device *device(const char *what) {
  Device *d = currentDevice();
  if (!d)
    recordError(std::string(what) +
                " called outside a GPU device scope (compiled GPU code run "
                "on the CPU device?)");
  return d;
}

/// The invoking session's graph runner, if any. While it intercepts
/// (capturing or replaying), stream work goes to it instead of the driver.
GraphRunner *graphs() {
  SessionState *session = currentSession();
  return session ? &session->graphs() : nullptr;
}

GraphRunner *intercepting() {
  GraphRunner *g = graphs();
  return g && g->intercepting() ? g : nullptr;
}

GraphRunner *observing() {
  GraphRunner *g = graphs();
  return g && g->observing() ? g : nullptr;
}

// Events and streams mean nothing while intercepting: all the work goes to
// one stream in program order, which respects every dependency.
char gReplayEvent;

bool check(Device *d, const Error &error, const std::string &what) {
  if (error.empty())
    return true;
  recordError(what + " failed: " + error + " (" + d->api() + ")");
  return false;
}

} // namespace

#define LOOM_MGPU extern "C" __attribute__((visibility("default")))

LOOM_MGPU void *mgpuModuleLoad(void *data, size_t size) {
  if (GraphRunner *g = observing())
    g->observeUncapturable("it loads a module");
  Device *d = device("mgpuModuleLoad");
  void *module = nullptr;
  if (d)
    check(d, d->loadModule(data, size, &module),
          std::string("loading the ") + d->api() + " module");
  TRACE("module load (%zu bytes) -> %p\n", size, module);
  return module;
}

// PTX text: the CUDA driver compiles it for the device on load.
LOOM_MGPU void *mgpuModuleLoadJIT(void *data, int /*optLevel*/) {
  return mgpuModuleLoad(data, 0);
}

LOOM_MGPU void mgpuModuleUnload(void *module) {
  if (Device *d = currentDevice(); d && module)
    d->unloadModule(module);
}

LOOM_MGPU void *mgpuModuleGetFunction(void *module, const char *name) {
  Device *d = device("mgpuModuleGetFunction");
  void *fn = nullptr;
  if (d && !module)
    recordError(std::string("kernel '") + name + "' requested from a " +
                d->api() + " module that was never loaded");
  if (d && module &&
      check(d, d->getFunction(module, name, &fn),
            std::string("finding kernel '") + name + "'"))
    d->nameFunction(fn, name);
  return fn;
}

namespace {

void launch(const char *what, void *function, const intptr_t cluster[3],
            const intptr_t grid[3], const intptr_t block[3], int32_t smem,
            void *stream, void **params, size_t paramsCount) {
  Device *d = device(what);
  if (!d)
    return;
  if (!function) {
    recordError(std::string("launching a kernel that was not found in its ") +
                d->api() + " module");
    return;
  }
  TRACE("launch %s grid (%ld,%ld,%ld) block (%ld,%ld,%ld) cluster "
        "(%ld,%ld,%ld) smem %d stream %p\n",
        d->functionName(function).c_str(), long(grid[0]), long(grid[1]),
        long(grid[2]), long(block[0]), long(block[1]), long(block[2]),
        long(cluster[0]), long(cluster[1]), long(cluster[2]), smem, stream);
  // A loop over an empty range (an expert no token was routed to, a
  // zero-size split) maps to an empty grid: nothing to run, and the drivers
  // reject a zero dimension.
  for (int i = 0; i < 3; ++i)
    if (grid[i] <= 0 || block[i] <= 0)
      return;
  for (int i = 0; i < 3; ++i)
    if (cluster[i] <= 0 || grid[i] % cluster[i]) {
      recordError("launching kernel '" + d->functionName(function) +
                  "': the grid is not a whole number of clusters");
      return;
    }
  LaunchConfig config{{unsigned(grid[0]), unsigned(grid[1]), unsigned(grid[2])},
                      {unsigned(block[0]), unsigned(block[1]),
                       unsigned(block[2])},
                      unsigned(smem),
                      stream,
                      params,
                      paramsCount,
                      {unsigned(cluster[0]), unsigned(cluster[1]),
                       unsigned(cluster[2])}};
  if (GraphRunner *g = intercepting())
    return g->launch(function, config);
  SessionState *session = currentSession();
  KernelProfile *profile = session ? session->profile() : nullptr;
  if (profile)
    profile->beforeLaunch(function, stream);
  Error error = d->launch(function, config);
  if (profile && error.empty())
    profile->afterLaunch(stream);
  if (check(d, error, "launching kernel '" + d->functionName(function) + "'"))
    if (GraphRunner *g = observing())
      g->observeLaunch(function, config);
}

} // namespace

LOOM_MGPU void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                                intptr_t gridZ, intptr_t blockX,
                                intptr_t blockY, intptr_t blockZ,
                                int32_t smem, void *stream, void **params,
                                void ** /*extra*/, size_t paramsCount) {
  const intptr_t cluster[3] = {1, 1, 1}, grid[3] = {gridX, gridY, gridZ},
                 block[3] = {blockX, blockY, blockZ};
  launch("mgpuLaunchKernel", function, cluster, grid, block, smem, stream,
         params, paramsCount);
}

// gpu.launch_func with clusters (sm_90 thread-block clusters).
LOOM_MGPU void mgpuLaunchClusterKernel(
    void *function, intptr_t clusterX, intptr_t clusterY, intptr_t clusterZ,
    intptr_t gridX, intptr_t gridY, intptr_t gridZ, intptr_t blockX,
    intptr_t blockY, intptr_t blockZ, int32_t smem, void *stream,
    void **params, void ** /*extra*/, size_t paramsCount) {
  const intptr_t cluster[3] = {clusterX, clusterY, clusterZ},
                 grid[3] = {gridX, gridY, gridZ},
                 block[3] = {blockX, blockY, blockZ};
  launch("mgpuLaunchClusterKernel", function, cluster, grid, block, smem,
         stream, params, paramsCount);
}

LOOM_MGPU void *mgpuStreamCreate() {
  if (GraphRunner *g = intercepting())
    return g->stream();
  Device *d = device("mgpuStreamCreate");
  void *stream = nullptr;
  if (d)
    check(d, d->createStream(&stream), "creating a stream");
  return stream;
}

LOOM_MGPU void mgpuStreamDestroy(void *stream) {
  if (GraphRunner *g = intercepting(); g && g->stream() == stream)
    return;
  if (Device *d = currentDevice(); d && stream)
    d->destroyStream(stream);
}

LOOM_MGPU void mgpuStreamSynchronize(void *stream) {
  TRACE("synchronize stream %p\n", stream);
  // Observing showed nothing reads device values before the end, and the
  // graph runs when the host code returns.
  if (intercepting())
    return;
  if (Device *d = device("mgpuStreamSynchronize"))
    check(d, d->synchronizeStream(stream),
          "running the kernels (stream synchronize)");
}

LOOM_MGPU void mgpuStreamWaitEvent(void *stream, void *event) {
  if (event == &gReplayEvent)
    return;
  if (Device *d = device("mgpuStreamWaitEvent"))
    check(d, d->streamWaitEvent(stream, event), "waiting for an event");
}

LOOM_MGPU void *mgpuEventCreate() {
  if (intercepting())
    return &gReplayEvent;
  Device *d = device("mgpuEventCreate");
  void *event = nullptr;
  if (d)
    check(d, d->createEvent(&event), "creating an event");
  return event;
}

LOOM_MGPU void mgpuEventDestroy(void *event) {
  if (event == &gReplayEvent)
    return;
  if (Device *d = currentDevice(); d && event)
    d->destroyEvent(event);
}

LOOM_MGPU void mgpuEventSynchronize(void *event) {
  if (event == &gReplayEvent)
    return;
  if (Device *d = device("mgpuEventSynchronize"))
    check(d, d->synchronizeEvent(event), "waiting for an event");
}

LOOM_MGPU void mgpuEventRecord(void *event, void *stream) {
  if (event == &gReplayEvent)
    return;
  if (Device *d = device("mgpuEventRecord"))
    check(d, d->recordEvent(event, stream), "recording an event");
}

LOOM_MGPU void *mgpuMemAlloc(uint64_t size, void *stream,
                             bool /*isHostShared*/) {
  if (GraphRunner *g = intercepting()) {
    void *ptr = g->allocate(size);
    TRACE("alloc %llu bytes -> %p (graph)\n", (unsigned long long)size, ptr);
    return ptr;
  }
  Device *d = device("mgpuMemAlloc");
  void *ptr = nullptr;
  if (d && size &&
      check(d, d->allocateAsync(size, stream, &ptr),
            "allocating " + std::to_string(size) + " bytes of device memory"))
    if (GraphRunner *g = observing())
      g->observeAllocate(ptr, size);
  if (d && !size)
    if (GraphRunner *g = observing())
      g->observeAllocate(nullptr, 0);
  TRACE("alloc %llu bytes -> %p\n", (unsigned long long)size, ptr);
  return ptr;
}

// Pooled memory is freed in stream order, after the work queued before it.
// Otherwise the host code frees right after queueing copies on the same
// stream: let them finish first (neither cuMemFree nor hipFree is
// stream-ordered with respect to a non-blocking stream).
LOOM_MGPU void mgpuMemFree(void *ptr, void *stream) {
  Device *d = currentDevice();
  if (!d || !ptr)
    return;
  if (GraphRunner *g = intercepting())
    return g->free(ptr);
  if (GraphRunner *g = observing())
    g->observeFree(ptr);
  if (d->pooled()) {
    check(d, d->freeAsync(ptr, stream), "freeing device memory");
    return;
  }
  check(d, d->synchronizeStream(stream),
        "running the kernels (before freeing device memory)");
  d->free(ptr);
}

// Not an MLIR function: the GPU targets' host code calls it for constant
// globals (weights) instead of allocating and copying them on every call
// (lib/Target/NVIDIA/DeviceBuffers.cpp). Returns the device address of the
// module's resident copy, or 0 after recording an error.
LOOM_MGPU uintptr_t loom_gpu_resident(uintptr_t host, uintptr_t bytes) {
  ResidentWeights *weights = currentWeights();
  if (!weights) {
    recordError("weights requested outside an invocation of a GPU module");
    return 0;
  }
  void *ptr = weights->get(reinterpret_cast<const void *>(host), bytes);
  TRACE("resident %p (%zu bytes) -> %p\n", reinterpret_cast<void *>(host),
        size_t(bytes), ptr);
  return reinterpret_cast<uintptr_t>(ptr);
}

// Not an MLIR function either: the host code asks at each return whether
// the session keeps outputs on the device (DeviceBuffers.cpp). If so it
// returns device buffers the caller owns instead of host copies.
LOOM_MGPU uintptr_t loom_gpu_outputs_on_device() {
  SessionState *session = currentSession();
  bool onDevice = session && session->askOutputsOnDevice();
  TRACE("outputs on device: %d\n", int(onDevice));
  return onDevice;
}

LOOM_MGPU void mgpuMemcpy(void *dst, void *src, size_t size, void *stream) {
  TRACE("memcpy %p <- %p (%zu bytes) stream %p\n", dst, src, size, stream);
  if (GraphRunner *g = intercepting())
    return g->copy(dst, src, size);
  if (Device *d = device("mgpuMemcpy"))
    if (check(d, d->copyAsync(dst, src, size, stream),
              "copying " + std::to_string(size) + " bytes"))
      if (GraphRunner *g = observing())
        g->observeCopy(dst, src, size);
}

LOOM_MGPU void mgpuMemset32(void *dst, unsigned value, size_t count,
                            void *stream) {
  if (GraphRunner *g = intercepting())
    return g->fill(dst, value, count, 4);
  if (Device *d = device("mgpuMemset32"))
    if (check(d, d->fill32Async(dst, value, count, stream),
              "filling device memory"))
      if (GraphRunner *g = observing())
        g->observeFill(dst, value, count, 4);
}

LOOM_MGPU void mgpuMemset16(void *dst, unsigned short value, size_t count,
                            void *stream) {
  if (GraphRunner *g = intercepting())
    return g->fill(dst, value, count, 2);
  if (Device *d = device("mgpuMemset16"))
    if (check(d, d->fill16Async(dst, value, count, stream),
              "filling device memory"))
      if (GraphRunner *g = observing())
        g->observeFill(dst, value, count, 2);
}

// nvgpu.tma.create.descriptor: encodes a CUtensorMap for the memref and
// returns the device address of a copy (a kernel argument read by the TMA
// instructions). The copy belongs to the session and is reused by later
// calls that encode the same map, so steady-state calls allocate nothing.
LOOM_MGPU void *mgpuTensorMapEncodeTiledMemref(
    int64_t tensorRank, void *rankedDescriptor, int64_t dataType,
    int64_t interleave, int64_t swizzle, int64_t l2Promotion, int64_t oobFill,
    int64_t *inputBoxDims) {
  Device *d = device("mgpuTensorMapEncodeTiledMemref");
  if (!d)
    return nullptr;
  SessionState *session = currentSession();
  if (!session) {
    recordError("a TMA descriptor was requested outside an invocation");
    return nullptr;
  }
  // An empty tensor (a dynamic size of 0, e.g. no rows this call) has no
  // map the driver would encode; no kernel reads it either, since the grid
  // over its rows is empty and launches of empty grids are skipped. It gets
  // an all-zero map, so the call still succeeds.
  if (tensorRank >= 1 && tensorRank <= 5 && rankedDescriptor) {
    const auto *sizes = static_cast<const int64_t *>(rankedDescriptor) + 3;
    for (int64_t i = 0; i < tensorRank; ++i)
      if (sizes[i] == 0) {
        Error error;
        void *copy = session->tensorMaps().get(TensorMapBytes{}, error);
        if (!copy)
          recordError(error);
        TRACE("tensor map of an empty tensor -> %p\n", copy);
        return copy;
      }
  }
  TensorMapArgs args;
  if (Error e = translateTensorMap(tensorRank, rankedDescriptor, dataType,
                                   interleave, swizzle, l2Promotion, oobFill,
                                   inputBoxDims, args);
      !e.empty()) {
    recordError("creating a TMA descriptor: " + e);
    return nullptr;
  }
  TensorMapBytes map;
  if (!check(d, d->encodeTensorMap(args, map),
             "encoding a TMA descriptor (" + describe(args) + ")"))
    return nullptr;
  Error error;
  void *copy = session->tensorMaps().get(map, error);
  if (!copy)
    recordError(error);
  TRACE("tensor map %s -> %p\n", describe(args).c_str(), copy);
  return copy;
}

// Device selection happens when the runtime's device is created.
LOOM_MGPU void mgpuSetDefaultDevice(int32_t /*device*/) {}
