//===- CudaDriver.cpp - The CUDA driver API, dlopen'ed ---------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "CudaDriver.h"

#include "Status.h"

#include <dlfcn.h>

using namespace loom;
using namespace loom::cuda;

std::string Driver::describe(CUresult result) const {
  const char *text = nullptr;
  if (cuGetErrorString)
    cuGetErrorString(result, &text);
  return "CUDA error " + std::to_string(result) + (text ? ": " : "") +
         (text ? text : "");
}

namespace {

struct LoadedDriver {
  Driver driver{};
  std::string error; // empty when loaded
};

template <typename Fn>
bool resolve(void *lib, const char *name, Fn &fn, std::string &missing) {
  fn = reinterpret_cast<Fn>(::dlsym(lib, name));
  if (!fn)
    missing += std::string(missing.empty() ? "" : ", ") + name;
  return fn != nullptr;
}

LoadedDriver openDriver() {
  LoadedDriver loaded;
  void *lib = ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char *e = ::dlerror();
    loaded.error = std::string("device 'cuda' needs the CUDA driver: ") +
                   (e ? e : "libcuda.so.1 not found");
    return loaded;
  }
  Driver &d = loaded.driver;
  std::string missing;
  resolve(lib, "cuInit", d.cuInit, missing);
  resolve(lib, "cuDriverGetVersion", d.cuDriverGetVersion, missing);
  resolve(lib, "cuDeviceGetCount", d.cuDeviceGetCount, missing);
  resolve(lib, "cuDeviceGet", d.cuDeviceGet, missing);
  resolve(lib, "cuDeviceGetName", d.cuDeviceGetName, missing);
  resolve(lib, "cuDevicePrimaryCtxRetain", d.cuDevicePrimaryCtxRetain, missing);
  resolve(lib, "cuDevicePrimaryCtxRelease_v2", d.cuDevicePrimaryCtxRelease,
          missing);
  resolve(lib, "cuCtxSetCurrent", d.cuCtxSetCurrent, missing);
  resolve(lib, "cuCtxGetCurrent", d.cuCtxGetCurrent, missing);
  resolve(lib, "cuGetErrorString", d.cuGetErrorString, missing);
  resolve(lib, "cuModuleLoadData", d.cuModuleLoadData, missing);
  resolve(lib, "cuModuleUnload", d.cuModuleUnload, missing);
  resolve(lib, "cuModuleGetFunction", d.cuModuleGetFunction, missing);
  resolve(lib, "cuLaunchKernel", d.cuLaunchKernel, missing);
  resolve(lib, "cuStreamCreate", d.cuStreamCreate, missing);
  resolve(lib, "cuStreamDestroy_v2", d.cuStreamDestroy, missing);
  resolve(lib, "cuStreamSynchronize", d.cuStreamSynchronize, missing);
  resolve(lib, "cuStreamWaitEvent", d.cuStreamWaitEvent, missing);
  resolve(lib, "cuEventCreate", d.cuEventCreate, missing);
  resolve(lib, "cuEventDestroy_v2", d.cuEventDestroy, missing);
  resolve(lib, "cuEventRecord", d.cuEventRecord, missing);
  resolve(lib, "cuEventSynchronize", d.cuEventSynchronize, missing);
  resolve(lib, "cuMemAlloc_v2", d.cuMemAlloc, missing);
  resolve(lib, "cuMemFree_v2", d.cuMemFree, missing);
  resolve(lib, "cuMemcpyAsync", d.cuMemcpyAsync, missing);
  resolve(lib, "cuMemsetD32Async", d.cuMemsetD32Async, missing);
  resolve(lib, "cuMemsetD16Async", d.cuMemsetD16Async, missing);
  if (!missing.empty()) {
    loaded.error = "the CUDA driver (libcuda.so.1) lacks " + missing +
                   "; update the NVIDIA driver";
    return loaded;
  }
  if (CUresult r = d.cuInit(0))
    loaded.error = "cuInit failed: " + d.describe(r);
  // The library stays open for the life of the process: kernels and
  // contexts may outlive any one device object.
  return loaded;
}

thread_local Device *tCurrent = nullptr;
thread_local std::string *tError = nullptr;

} // namespace

const Driver *cuda::loadDriver(loom_status_t *status) {
  static const LoadedDriver loaded = openDriver();
  if (!loaded.error.empty()) {
    *status = makeStatus(loaded.error.find("needs the CUDA driver") !=
                                 std::string::npos
                             ? LOOM_UNAVAILABLE
                             : LOOM_INTERNAL,
                         loaded.error);
    return nullptr;
  }
  return &loaded.driver;
}

loom_status_t Device::create(int ordinal, std::shared_ptr<Device> &out) {
  loom_status_t status = nullptr;
  const Driver *d = loadDriver(&status);
  if (!d)
    return status;
  int count = 0;
  if (CUresult r = d->cuDeviceGetCount(&count))
    return makeStatus(LOOM_UNAVAILABLE, "no CUDA device: " + d->describe(r));
  if (ordinal >= count)
    return makeStatus(LOOM_NOT_FOUND, "CUDA device " + std::to_string(ordinal) +
                                          " does not exist (" +
                                          std::to_string(count) + " found)");
  std::shared_ptr<Device> dev(new Device);
  dev->driver_ = d;
  if (CUresult r = d->cuDeviceGet(&dev->device_, ordinal))
    return makeStatus(LOOM_INTERNAL, "cuDeviceGet: " + d->describe(r));
  char name[256] = {0};
  d->cuDeviceGetName(name, sizeof(name) - 1, dev->device_);
  dev->name_ = name;
  if (CUresult r = d->cuDevicePrimaryCtxRetain(&dev->context_, dev->device_))
    return makeStatus(LOOM_INTERNAL,
                      "cannot create a CUDA context: " + d->describe(r));
  out = std::move(dev);
  return nullptr;
}

Device::~Device() {
  if (context_)
    driver_->cuDevicePrimaryCtxRelease(device_);
}

void Device::nameFunction(CUfunction fn, const char *name) {
  std::lock_guard<std::mutex> lock(mutex_);
  functionNames_[fn] = name ? name : "?";
}

std::string Device::functionName(CUfunction fn) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = functionNames_.find(fn);
  return it == functionNames_.end() ? "<unknown kernel>" : it->second;
}

Scope::Scope(Device *device) : previous_(tCurrent), previousError_(tError) {
  tCurrent = device;
  tError = &error_;
  if (device)
    device->driver().cuCtxSetCurrent(device->context());
}

Scope::~Scope() {
  tCurrent = previous_;
  tError = previousError_;
  if (previous_)
    previous_->driver().cuCtxSetCurrent(previous_->context());
}

loom_status_t Scope::takeError() {
  if (error_.empty())
    return nullptr;
  loom_status_t status = makeStatus(LOOM_INTERNAL, error_);
  error_.clear();
  return status;
}

Device *cuda::currentDevice() { return tCurrent; }

void cuda::recordError(const std::string &message) {
  if (tError && tError->empty())
    *tError = message;
}
