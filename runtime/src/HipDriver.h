//===- HipDriver.h - The HIP runtime API, dlopen'ed -------------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The runtime never links libamdhip64: it opens it when a "rocm" device is
// created, so the same library loads on machines without ROCm or a GPU.
// Only the HIP entry points Loom uses are declared here, with their C
// signatures from the HIP API (they are the same in ROCm 5 and 6); no HIP
// headers are needed to build.
//
// Compiled ROCm modules (lib/Target/AMD) are host code calling the same
// mgpu* functions as CUDA modules (GpuShim.cpp); hip::Device implements
// them. Modules are parsed first (CodeObject.h): the kernels' metadata
// gives each launch's kernarg layout, which is packed here rather than
// left to the HIP runtime, and limits checked before HIP sees the launch.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_HIPDRIVER_H
#define LOOM_RUNTIME_HIPDRIVER_H

#include "CodeObject.h"
#include "GpuDevice.h"

#include <memory>
#include <string>

namespace loom::hip {

using hipError_t = int;
using hipModule_t = struct ihipModule_t *;
using hipFunction_t = struct ihipModuleSymbol_t *;
using hipStream_t = struct ihipStream_t *;
using hipEvent_t = struct ihipEvent_t *;

/// The HIP entry points, resolved from libamdhip64.
struct Api {
  hipError_t (*hipInit)(unsigned);
  hipError_t (*hipGetDeviceCount)(int *);
  hipError_t (*hipSetDevice)(int);
  hipError_t (*hipDeviceGetName)(char *, int, int);
  const char *(*hipGetErrorName)(hipError_t);
  const char *(*hipGetErrorString)(hipError_t);
  hipError_t (*hipModuleLoadData)(hipModule_t *, const void *);
  hipError_t (*hipModuleUnload)(hipModule_t);
  hipError_t (*hipModuleGetFunction)(hipFunction_t *, hipModule_t,
                                     const char *);
  hipError_t (*hipModuleLaunchKernel)(hipFunction_t, unsigned, unsigned,
                                      unsigned, unsigned, unsigned, unsigned,
                                      unsigned, hipStream_t, void **, void **);
  hipError_t (*hipStreamCreateWithFlags)(hipStream_t *, unsigned);
  hipError_t (*hipStreamDestroy)(hipStream_t);
  hipError_t (*hipStreamSynchronize)(hipStream_t);
  hipError_t (*hipStreamWaitEvent)(hipStream_t, hipEvent_t, unsigned);
  hipError_t (*hipEventCreateWithFlags)(hipEvent_t *, unsigned);
  hipError_t (*hipEventDestroy)(hipEvent_t);
  hipError_t (*hipEventRecord)(hipEvent_t, hipStream_t);
  hipError_t (*hipEventSynchronize)(hipEvent_t);
  hipError_t (*hipMalloc)(void **, size_t);
  hipError_t (*hipFree)(void *);
  hipError_t (*hipMemcpyAsync)(void *, const void *, size_t, int,
                               hipStream_t);
  hipError_t (*hipMemsetD32Async)(void *, int, size_t, hipStream_t);
  hipError_t (*hipMemsetD16Async)(void *, unsigned short, size_t,
                                  hipStream_t);

  /// "hipErrorNoDevice (no ROCm-capable device is detected)".
  std::string describe(hipError_t error) const;
};

/// The libraries tried, in order: the unversioned name a ROCm install or
/// libamdhip64-dev provides, then ROCm 6 and ROCm 5 sonames.
extern const char *const kLibraryNames[];

/// Opens libamdhip64 once per process and initializes HIP. On failure
/// returns null and sets `*status` (LOOM_UNAVAILABLE when HIP is not
/// installed or finds no device).
const Api *loadApi(loom_status_t *status);

/// One HIP device.
class Device final : public gpu::Device {
public:
  static loom_status_t create(int ordinal, std::shared_ptr<Device> &out);
  /// A device over a given API table, without dlopen or hipInit: the unit
  /// tests' fake HIP, which records what the loader and launches pass.
  static std::shared_ptr<Device> withApi(const Api *api, int ordinal,
                                         std::string name);
  ~Device() override;

  const char *api() const override { return "HIP"; }
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
  gpu::Error recordEvent(void *event, void *stream) override;
  gpu::Error allocate(size_t bytes, void **ptr) override;
  void free(void *ptr) override;
  gpu::Error copyAsync(void *dst, const void *src, size_t bytes,
                       void *stream) override;
  gpu::Error fill32Async(void *dst, uint32_t value, size_t count,
                         void *stream) override;
  gpu::Error fill16Async(void *dst, uint16_t value, size_t count,
                         void *stream) override;

private:
  struct Module;
  struct Function;
  Device() = default;
  gpu::Error check(hipError_t e) const { return e ? api_->describe(e) : ""; }

  const Api *api_ = nullptr;
  int ordinal_ = 0;
  std::string name_;
};

} // namespace loom::hip

#endif // LOOM_RUNTIME_HIPDRIVER_H
