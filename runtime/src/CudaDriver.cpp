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
  // Optional: the stream-ordered pool.
  std::string optional;
  if (!resolve(lib, "cuMemAllocAsync", d.cuMemAllocAsync, optional) ||
      !resolve(lib, "cuMemFreeAsync", d.cuMemFreeAsync, optional) ||
      !resolve(lib, "cuDeviceGetDefaultMemPool", d.cuDeviceGetDefaultMemPool,
               optional) ||
      !resolve(lib, "cuMemPoolSetAttribute", d.cuMemPoolSetAttribute,
               optional))
    d.cuMemAllocAsync = nullptr;
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
thread_local ResidentWeights *tWeights = nullptr;
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
  // Device memory comes from the driver's stream-ordered pool, which keeps
  // freed blocks for reuse (release threshold: never) instead of returning
  // them to the OS: one call's buffers become the next call's, with no
  // cuMemAlloc/cuMemFree round trips or synchronizations in between.
  CUmemoryPool pool = nullptr;
  if (d->cuMemAllocAsync && !d->cuDeviceGetDefaultMemPool(&pool, dev->device_)) {
    const int kReleaseThreshold = 4; // CU_MEMPOOL_ATTR_RELEASE_THRESHOLD
    uint64_t keepAll = UINT64_MAX;
    dev->pooled_ = !d->cuMemPoolSetAttribute(pool, kReleaseThreshold, &keepAll);
  }
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

Scope::Scope(Device *device, ResidentWeights *weights)
    : previous_(tCurrent), previousWeights_(tWeights), previousError_(tError) {
  tCurrent = device;
  tWeights = weights;
  tError = &error_;
  if (device)
    device->driver().cuCtxSetCurrent(device->context());
}

Scope::~Scope() {
  tCurrent = previous_;
  tWeights = previousWeights_;
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
ResidentWeights *cuda::currentWeights() { return tWeights; }

CUdeviceptr ResidentWeights::get(const void *host, size_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = copies_.find(host);
  if (it != copies_.end() && it->second.second == bytes)
    return it->second.first;
  if (it != copies_.end()) {
    recordError("a resident weight was asked for with two sizes");
    return 0;
  }
  const Driver &d = device_->driver();
  CUdeviceptr ptr = 0;
  if (CUresult r = d.cuMemAlloc(&ptr, bytes ? bytes : 1)) {
    recordError("allocating " + std::to_string(bytes) +
                " bytes of device memory for weights failed: " + d.describe(r));
    return 0;
  }
  CUresult r = d.cuMemcpyAsync(ptr, reinterpret_cast<CUdeviceptr>(host), bytes,
                               nullptr);
  if (!r)
    r = d.cuStreamSynchronize(nullptr);
  if (r) {
    d.cuMemFree(ptr);
    recordError("uploading " + std::to_string(bytes) +
                " bytes of weights failed: " + d.describe(r));
    return 0;
  }
  copies_.emplace(host, std::make_pair(ptr, bytes));
  total_ += bytes;
  return ptr;
}

ResidentWeights::~ResidentWeights() {
  if (copies_.empty())
    return;
  Scope scope(device_);
  for (auto &entry : copies_)
    device_->driver().cuMemFree(entry.second.first);
}

void cuda::recordError(const std::string &message) {
  if (tError && tError->empty())
    *tError = message;
}
