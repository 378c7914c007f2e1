//===- HipDriver.cpp - The HIP runtime API, dlopen'ed ---------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "HipDriver.h"

#include "Status.h"

#include <dlfcn.h>
#include <memory>
#include <vector>

using namespace loom;
using namespace loom::hip;

const char *const hip::kLibraryNames[] = {"libamdhip64.so", "libamdhip64.so.6",
                                          "libamdhip64.so.5", nullptr};

std::string Api::describe(hipError_t error) const {
  const char *name = hipGetErrorName ? hipGetErrorName(error) : nullptr;
  const char *text = hipGetErrorString ? hipGetErrorString(error) : nullptr;
  std::string described = name ? name : "HIP error " + std::to_string(error);
  // Older HIP versions return the name as the description too.
  if (text && described != text)
    described += std::string(" (") + text + ")";
  return described;
}

namespace {

struct LoadedApi {
  Api api{};
  std::string error; // empty when loaded
  loom_status_code_t code = LOOM_OK;
};

template <typename Fn>
void resolve(void *lib, const char *name, Fn &fn, std::string &missing) {
  fn = reinterpret_cast<Fn>(::dlsym(lib, name));
  if (!fn)
    missing += std::string(missing.empty() ? "" : ", ") + name;
}

LoadedApi openApi() {
  LoadedApi loaded;
  void *lib = nullptr;
  std::string errors;
  for (const char *const *name = kLibraryNames; *name && !lib; ++name) {
    lib = ::dlopen(*name, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char *e = ::dlerror();
      errors += std::string(errors.empty() ? "" : "; ") + (e ? e : *name);
    }
  }
  if (!lib) {
    loaded.code = LOOM_UNAVAILABLE;
    loaded.error = "device 'rocm' needs the ROCm HIP runtime: " + errors;
    return loaded;
  }
  Api &a = loaded.api;
  std::string missing;
  resolve(lib, "hipInit", a.hipInit, missing);
  resolve(lib, "hipGetDeviceCount", a.hipGetDeviceCount, missing);
  resolve(lib, "hipSetDevice", a.hipSetDevice, missing);
  resolve(lib, "hipDeviceGetName", a.hipDeviceGetName, missing);
  resolve(lib, "hipGetErrorName", a.hipGetErrorName, missing);
  resolve(lib, "hipGetErrorString", a.hipGetErrorString, missing);
  resolve(lib, "hipModuleLoadData", a.hipModuleLoadData, missing);
  resolve(lib, "hipModuleUnload", a.hipModuleUnload, missing);
  resolve(lib, "hipModuleGetFunction", a.hipModuleGetFunction, missing);
  resolve(lib, "hipModuleLaunchKernel", a.hipModuleLaunchKernel, missing);
  resolve(lib, "hipStreamCreateWithFlags", a.hipStreamCreateWithFlags,
          missing);
  resolve(lib, "hipStreamDestroy", a.hipStreamDestroy, missing);
  resolve(lib, "hipStreamSynchronize", a.hipStreamSynchronize, missing);
  resolve(lib, "hipStreamWaitEvent", a.hipStreamWaitEvent, missing);
  resolve(lib, "hipEventCreateWithFlags", a.hipEventCreateWithFlags, missing);
  resolve(lib, "hipEventDestroy", a.hipEventDestroy, missing);
  resolve(lib, "hipEventRecord", a.hipEventRecord, missing);
  resolve(lib, "hipEventSynchronize", a.hipEventSynchronize, missing);
  resolve(lib, "hipMalloc", a.hipMalloc, missing);
  resolve(lib, "hipFree", a.hipFree, missing);
  resolve(lib, "hipMemcpyAsync", a.hipMemcpyAsync, missing);
  resolve(lib, "hipMemsetD32Async", a.hipMemsetD32Async, missing);
  resolve(lib, "hipMemsetD16Async", a.hipMemsetD16Async, missing);
  if (!missing.empty()) {
    loaded.code = LOOM_INTERNAL;
    loaded.error = "the HIP runtime (libamdhip64) lacks " + missing +
                   "; install ROCm 5 or newer";
    return loaded;
  }
  // hipInit fails on machines with the library but no GPU (no /dev/kfd).
  if (hipError_t e = a.hipInit(0)) {
    loaded.code = LOOM_UNAVAILABLE;
    loaded.error = "HIP found no usable AMD GPU: hipInit: " + a.describe(e);
  }
  // The library stays open for the life of the process.
  return loaded;
}

/// LDS per workgroup: 160 KiB on gfx950, 64 KiB on the other CDNA chips.
unsigned ldsLimitFor(const std::string &chip) {
  return chip == "gfx950" ? 160 * 1024 : 64 * 1024;
}

} // namespace

const Api *hip::loadApi(loom_status_t *status) {
  static const LoadedApi loaded = openApi();
  if (!loaded.error.empty()) {
    *status = makeStatus(loaded.code, loaded.error);
    return nullptr;
  }
  return &loaded.api;
}

/// A loaded module: HIP's handle and what its code object says.
struct Device::Module {
  hipModule_t handle = nullptr;
  amdgpu::CodeObject code;
  std::vector<std::unique_ptr<Function>> functions;
};

/// What mgpuModuleGetFunction hands to compiled code.
struct Device::Function {
  hipFunction_t handle = nullptr;
  const amdgpu::KernelInfo *info = nullptr;
  unsigned ldsLimit = 0;
};

loom_status_t Device::create(int ordinal, std::shared_ptr<Device> &out) {
  loom_status_t status = nullptr;
  const Api *a = loadApi(&status);
  if (!a)
    return status;
  int count = 0;
  if (hipError_t e = a->hipGetDeviceCount(&count))
    return makeStatus(LOOM_UNAVAILABLE, "no ROCm device: " + a->describe(e));
  if (ordinal >= count)
    return makeStatus(LOOM_NOT_FOUND, "ROCm device " + std::to_string(ordinal) +
                                          " does not exist (" +
                                          std::to_string(count) + " found)");
  std::shared_ptr<Device> dev(new Device);
  dev->api_ = a;
  dev->ordinal_ = ordinal;
  char name[256] = {0};
  a->hipDeviceGetName(name, sizeof(name) - 1, ordinal);
  dev->name_ = name;
  if (hipError_t e = a->hipSetDevice(ordinal))
    return makeStatus(LOOM_INTERNAL,
                      "cannot select ROCm device " + std::to_string(ordinal) +
                          ": " + a->describe(e));
  out = std::move(dev);
  return nullptr;
}

std::shared_ptr<Device> Device::withApi(const Api *api, int ordinal,
                                        std::string name) {
  std::shared_ptr<Device> dev(new Device);
  dev->api_ = api;
  dev->ordinal_ = ordinal;
  dev->name_ = std::move(name);
  return dev;
}

Device::~Device() = default;

void Device::makeCurrent() { api_->hipSetDevice(ordinal_); }

gpu::Error Device::loadModule(const void *image, size_t size, void **module) {
  *module = nullptr;
  auto m = std::make_unique<Module>();
  if (size == 0)
    size = amdgpu::elfImageSize(image);
  if (std::string why = amdgpu::parseCodeObject(image, size, m->code);
      !why.empty())
    return "the device code is not an AMDGPU code object: " + why;
  if (hipError_t e = api_->hipModuleLoadData(&m->handle, image))
    return api_->describe(e) + " (code object for " + m->code.chip +
           ", device '" + name_ + "')";
  *module = m.release();
  return "";
}

void Device::unloadModule(void *module) {
  std::unique_ptr<Module> m(static_cast<Module *>(module));
  api_->hipModuleUnload(m->handle);
}

gpu::Error Device::getFunction(void *module, const char *name, void **fn) {
  *fn = nullptr;
  auto *m = static_cast<Module *>(module);
  const amdgpu::KernelInfo *info = m->code.find(name);
  if (!info)
    return std::string("the code object has no kernel '") + name +
           "' (it has: " + m->code.kernelNames() + ")";
  auto f = std::make_unique<Function>();
  f->info = info;
  f->ldsLimit = ldsLimitFor(m->code.chip);
  if (hipError_t e = api_->hipModuleGetFunction(&f->handle, m->handle, name))
    return api_->describe(e);
  *fn = f.get();
  m->functions.push_back(std::move(f));
  return "";
}

gpu::Error Device::launch(void *fn, const gpu::LaunchConfig &c) {
  auto *f = static_cast<Function *>(fn);
  if (c.cluster[0] * c.cluster[1] * c.cluster[2] != 1)
    return "thread-block clusters are a CUDA (sm_90) feature";
  if (std::string why =
          amdgpu::checkLaunch(*f->info, c.block, c.sharedBytes, f->ldsLimit);
      !why.empty())
    return why;
  std::vector<uint8_t> kernargs;
  size_t bytes = 0;
  if (std::string why = amdgpu::packKernelArguments(*f->info, c.params,
                                                    c.paramCount, kernargs,
                                                    bytes);
      !why.empty())
    return why;
  // HIP_LAUNCH_PARAM_BUFFER_POINTER, _SIZE, _END.
  void *extra[] = {reinterpret_cast<void *>(1), kernargs.data(),
                   reinterpret_cast<void *>(2), &bytes,
                   reinterpret_cast<void *>(3)};
  return check(api_->hipModuleLaunchKernel(
      f->handle, c.grid[0], c.grid[1], c.grid[2], c.block[0], c.block[1],
      c.block[2], c.sharedBytes, static_cast<hipStream_t>(c.stream), nullptr,
      extra));
}

gpu::Error Device::createStream(void **stream) {
  return check(api_->hipStreamCreateWithFlags(
      reinterpret_cast<hipStream_t *>(stream), /*hipStreamNonBlocking*/ 1));
}

void Device::destroyStream(void *stream) {
  api_->hipStreamDestroy(static_cast<hipStream_t>(stream));
}

gpu::Error Device::synchronizeStream(void *stream) {
  return check(api_->hipStreamSynchronize(static_cast<hipStream_t>(stream)));
}

gpu::Error Device::streamWaitEvent(void *stream, void *event) {
  return check(api_->hipStreamWaitEvent(static_cast<hipStream_t>(stream),
                                        static_cast<hipEvent_t>(event), 0));
}

gpu::Error Device::createEvent(void **event) {
  return check(api_->hipEventCreateWithFlags(
      reinterpret_cast<hipEvent_t *>(event), /*hipEventDisableTiming*/ 2));
}

void Device::destroyEvent(void *event) {
  api_->hipEventDestroy(static_cast<hipEvent_t>(event));
}

gpu::Error Device::synchronizeEvent(void *event) {
  return check(api_->hipEventSynchronize(static_cast<hipEvent_t>(event)));
}

gpu::Error Device::recordEvent(void *event, void *stream) {
  return check(api_->hipEventRecord(static_cast<hipEvent_t>(event),
                                    static_cast<hipStream_t>(stream)));
}

gpu::Error Device::allocate(size_t bytes, void **ptr) {
  return check(api_->hipMalloc(ptr, bytes));
}

void Device::free(void *ptr) { api_->hipFree(ptr); }

gpu::Error Device::copyAsync(void *dst, const void *src, size_t bytes,
                             void *stream) {
  return check(api_->hipMemcpyAsync(dst, src, bytes, /*hipMemcpyDefault*/ 4,
                                    static_cast<hipStream_t>(stream)));
}

gpu::Error Device::fill32Async(void *dst, uint32_t value, size_t count,
                               void *stream) {
  return check(api_->hipMemsetD32Async(dst, int(value), count,
                                       static_cast<hipStream_t>(stream)));
}

gpu::Error Device::fill16Async(void *dst, uint16_t value, size_t count,
                               void *stream) {
  return check(api_->hipMemsetD16Async(dst, value, count,
                                       static_cast<hipStream_t>(stream)));
}
