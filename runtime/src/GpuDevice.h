//===- GpuDevice.h - What the mgpu* functions need from a GPU --*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Compiled GPU modules (lib/Target/NVIDIA, lib/Target/AMD) are x86-64 host
// code with the device code embedded. Their host code calls the `mgpu*`
// functions that MLIR's gpu-to-llvm lowering emits, the same for CUDA and
// ROCm; GpuShim.cpp implements those once, over this interface, for the
// device made current by a gpu::Scope. cuda::Device (CudaDriver.h) and
// hip::Device (HipDriver.h) implement it over their dlopen'ed libraries.
//
// Every operation returns an empty string on success, otherwise what went
// wrong in the vendor's words; the shim adds what it was doing.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_GPUDEVICE_H
#define LOOM_RUNTIME_GPUDEVICE_H

#include "loom_runtime.h"

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace loom::gpu {

using Error = std::string; // empty: success

struct TensorMapArgs;  // TensorMap.h
struct TensorMapBytes; // TensorMap.h
class SessionState;    // GpuSession.h

struct LaunchConfig {
  unsigned grid[3];
  unsigned block[3];
  unsigned sharedBytes;
  void *stream;
  void **params;     // one pointer per kernel argument, as MLIR emits them
  size_t paramCount; // how many `params` holds
  unsigned cluster[3] = {1, 1, 1}; // thread-block cluster (CUDA sm_90)
};

class Device {
public:
  virtual ~Device() = default;

  /// "CUDA" or "HIP", for messages.
  virtual const char *api() const = 0;
  /// Makes this device current for the calling thread (CUDA: its primary
  /// context; HIP: hipSetDevice).
  virtual void makeCurrent() = 0;

  virtual Error loadModule(const void *image, size_t size, void **module) = 0;
  virtual void unloadModule(void *module) = 0;
  virtual Error getFunction(void *module, const char *name, void **fn) = 0;
  virtual Error launch(void *fn, const LaunchConfig &config) = 0;

  virtual Error createStream(void **stream) = 0;
  virtual void destroyStream(void *stream) = 0;
  virtual Error synchronizeStream(void *stream) = 0;
  virtual Error streamWaitEvent(void *stream, void *event) = 0;
  virtual Error createEvent(void **event) = 0;
  virtual void destroyEvent(void *event) = 0;
  virtual Error synchronizeEvent(void *event) = 0;
  virtual Error recordEvent(void *event, void *stream) = 0;
  /// An event that records a timestamp (GpuProfile.h), and the time in
  /// milliseconds between two such events once both have completed.
  virtual Error createTimingEvent(void **event) {
    *event = nullptr;
    return std::string("no event timing on ") + api();
  }
  virtual Error elapsedMs(void *start, void *end, float *ms) {
    (void)start;
    (void)end;
    *ms = 0;
    return std::string("no event timing on ") + api();
  }

  virtual Error allocate(size_t bytes, void **ptr) = 0;
  virtual void free(void *ptr) = 0;
  /// Stream-ordered allocation from a pool that keeps freed blocks for
  /// reuse, where the device has one (CUDA 11.2+); `pooled()` says so.
  virtual bool pooled() const { return false; }
  virtual Error allocateAsync(size_t bytes, void *stream, void **ptr) {
    (void)stream;
    return allocate(bytes, ptr);
  }
  virtual Error freeAsync(void *ptr, void *stream) {
    (void)ptr;
    (void)stream;
    return "no stream-ordered allocator";
  }
  /// Unified addressing: either side may be host or device memory.
  virtual Error copyAsync(void *dst, const void *src, size_t bytes,
                          void *stream) = 0;
  virtual Error fill32Async(void *dst, uint32_t value, size_t count,
                            void *stream) = 0;
  virtual Error fill16Async(void *dst, uint16_t value, size_t count,
                            void *stream) = 0;
  /// Copies host memory to the device and returns when it is there, ordered
  /// with no stream (for small descriptors that kernels read later).
  virtual Error upload(void *dst, const void *src, size_t bytes) {
    Error e = copyAsync(dst, src, bytes, nullptr);
    return e.empty() ? synchronizeStream(nullptr) : e;
  }
  /// Waits for all work on the device (every stream).
  virtual Error synchronizeDevice() { return synchronizeStream(nullptr); }
  /// Encodes a TMA descriptor (cuTensorMapEncodeTiled) on the host.
  virtual Error encodeTensorMap(const TensorMapArgs &args,
                                TensorMapBytes &map) {
    (void)args;
    (void)map;
    return std::string("TMA descriptors need a CUDA device (sm_90 or later), "
                       "not ") +
           api();
  }

  /// Graphs (GpuGraph.h): capture a stream's work and launch it as one.
  /// Needs the stream-ordered pool too (allocations inside the graph).
  virtual bool supportsGraphs() const { return false; }
  /// Starts capturing `stream` (relaxed mode: other threads and legacy
  /// calls go on).
  virtual Error beginCapture(void *stream) {
    (void)stream;
    return "no graphs";
  }
  /// Ends the capture and instantiates it into `*exec` (null on failure).
  virtual Error endCapture(void *stream, void **exec) {
    (void)stream;
    *exec = nullptr;
    return "no graphs";
  }
  virtual Error launchGraph(void *exec, void *stream) {
    (void)exec;
    (void)stream;
    return "no graphs";
  }
  virtual void destroyGraph(void *exec) { (void)exec; }
  /// Pinned host memory (copies from it can be captured).
  virtual Error allocateHost(size_t bytes, void **ptr) {
    (void)bytes;
    *ptr = nullptr;
    return "no pinned host memory";
  }
  virtual void freeHost(void *ptr) { (void)ptr; }
  /// Whether `ptr` is device memory (unified addressing).
  virtual bool isDeviceMemory(const void *ptr) {
    (void)ptr;
    return false;
  }

  /// Remembers a kernel's name so launch errors can say which one failed.
  void nameFunction(void *fn, const char *name);
  std::string functionName(void *fn);

private:
  std::mutex mutex_;
  std::unordered_map<void *, std::string> functionNames_;
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

  /// The device copy of [host, host + bytes), uploaded on first use; null on
  /// failure (recorded with recordError).
  void *get(const void *host, size_t bytes);

private:
  Device *device_;
  std::mutex mutex_;
  std::unordered_map<const void *, std::pair<void *, size_t>> copies_;
};

/// While alive: `device` is the current GPU device of this thread, both for
/// its driver and for the mgpu* functions, which record their first error
/// here instead of aborting. A null device makes no device current.
/// `weights` is the invoked module's resident-weight cache and `session`
/// the invoking session's GPU state (both null while loading).
class Scope {
public:
  explicit Scope(Device *device, ResidentWeights *weights = nullptr,
                 SessionState *session = nullptr);
  ~Scope();
  Scope(const Scope &) = delete;
  Scope &operator=(const Scope &) = delete;

  /// The first error an mgpu* function hit in this scope, as a status
  /// (ownership passes to the caller), or null.
  loom_status_t takeError();

private:
  Device *previous_;
  ResidentWeights *previousWeights_;
  SessionState *previousSession_;
  std::string *previousError_;
  std::string error_;
};

/// Frees device memory that compiled code allocated (mgpuMemAlloc: from the
/// stream-ordered pool where the device has one) after the caller took it:
/// back to the pool in the order of the default stream, else with free()
/// once the device is idle.
void freeAllocated(Device *device, void *ptr);

/// For GpuShim.cpp: the current device of this thread (null outside a
/// Scope) and the sink for its first error.
Device *currentDevice();
ResidentWeights *currentWeights();
SessionState *currentSession();
void recordError(const std::string &message);
/// Whether an error was recorded in the current scope.
bool hasError();
/// LOOM_GPU_TRACE or LOOM_CUDA_TRACE set (to anything but 0).
bool tracing();

} // namespace loom::gpu

#endif // LOOM_RUNTIME_GPUDEVICE_H
