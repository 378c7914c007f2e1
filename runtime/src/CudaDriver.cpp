//===- CudaDriver.cpp - The CUDA driver API, dlopen'ed ---------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "CudaDriver.h"

#include "Status.h"
#include "TensorMap.h"

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
  resolve(lib, "cuMemcpyHtoD_v2", d.cuMemcpyHtoD, missing);
  resolve(lib, "cuCtxSynchronize", d.cuCtxSynchronize, missing);
  resolve(lib, "cuFuncSetAttribute", d.cuFuncSetAttribute, missing);
  // Optional: the stream-ordered pool.
  std::string optional;
  if (!resolve(lib, "cuMemAllocAsync", d.cuMemAllocAsync, optional) ||
      !resolve(lib, "cuMemFreeAsync", d.cuMemFreeAsync, optional) ||
      !resolve(lib, "cuDeviceGetDefaultMemPool", d.cuDeviceGetDefaultMemPool,
               optional) ||
      !resolve(lib, "cuMemPoolSetAttribute", d.cuMemPoolSetAttribute,
               optional))
    d.cuMemAllocAsync = nullptr;
  resolve(lib, "cuTensorMapEncodeTiled", d.cuTensorMapEncodeTiled, optional);
  resolve(lib, "cuLaunchKernelEx", d.cuLaunchKernelEx, optional);
  resolve(lib, "cuStreamBeginCapture_v2", d.cuStreamBeginCapture, optional);
  resolve(lib, "cuStreamEndCapture", d.cuStreamEndCapture, optional);
  resolve(lib, "cuGraphInstantiateWithFlags", d.cuGraphInstantiateWithFlags,
          optional);
  resolve(lib, "cuGraphLaunch", d.cuGraphLaunch, optional);
  resolve(lib, "cuGraphExecDestroy", d.cuGraphExecDestroy, optional);
  resolve(lib, "cuGraphDestroy", d.cuGraphDestroy, optional);
  resolve(lib, "cuMemAllocHost_v2", d.cuMemAllocHost, optional);
  resolve(lib, "cuMemFreeHost", d.cuMemFreeHost, optional);
  resolve(lib, "cuPointerGetAttribute", d.cuPointerGetAttribute, optional);
  resolve(lib, "cuEventElapsedTime", d.cuEventElapsedTime, optional);
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

std::shared_ptr<Device> Device::withDriver(const Driver *driver,
                                           std::string name) {
  std::shared_ptr<Device> dev(new Device);
  dev->driver_ = driver;
  dev->name_ = std::move(name);
  dev->pooled_ = driver->cuMemAllocAsync && driver->cuMemFreeAsync;
  return dev;
}

Device::~Device() {
  if (context_)
    driver_->cuDevicePrimaryCtxRelease(device_);
}

void Device::makeCurrent() {
  if (context_)
    driver_->cuCtxSetCurrent(context_);
}

gpu::Error Device::loadModule(const void *image, size_t, void **module) {
  return check(driver_->cuModuleLoadData(reinterpret_cast<CUmodule *>(module),
                                         image));
}

void Device::unloadModule(void *module) {
  driver_->cuModuleUnload(static_cast<CUmodule>(module));
}

gpu::Error Device::getFunction(void *module, const char *name, void **fn) {
  return check(driver_->cuModuleGetFunction(reinterpret_cast<CUfunction *>(fn),
                                            static_cast<CUmodule>(module),
                                            name));
}

gpu::Error Device::launch(void *fn, const gpu::LaunchConfig &c) {
  // Kernels get 48 KiB of dynamic shared memory unless opted into more
  // (Hopper: up to 227 KiB), which TMA/wgmma pipelines need.
  constexpr unsigned kDefaultShared = 48 * 1024;
  if (c.sharedBytes > kDefaultShared) {
    std::lock_guard<std::mutex> lock(sharedMutex_);
    unsigned &optedIn = sharedOptIn_[fn];
    if (optedIn < c.sharedBytes) {
      const int kMaxDynamicShared = 8; // CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
      if (CUresult r = driver_->cuFuncSetAttribute(
              static_cast<CUfunction>(fn), kMaxDynamicShared,
              int(c.sharedBytes)))
        return driver_->describe(r) + " (asking for " +
               std::to_string(c.sharedBytes) +
               " bytes of dynamic shared memory)";
      optedIn = c.sharedBytes;
    }
  }
  if (c.cluster[0] * c.cluster[1] * c.cluster[2] != 1) {
    if (!driver_->cuLaunchKernelEx)
      return "the CUDA driver lacks cuLaunchKernelEx (cluster launches need "
             "a CUDA 12 driver)";
    LaunchAttribute cluster{};
    cluster.id = kLaunchAttributeClusterDimension;
    cluster.value.clusterDim = {c.cluster[0], c.cluster[1], c.cluster[2]};
    LaunchConfig config{c.grid[0],    c.grid[1],
                        c.grid[2],    c.block[0],
                        c.block[1],   c.block[2],
                        c.sharedBytes, static_cast<CUstream>(c.stream),
                        &cluster,     1};
    return check(driver_->cuLaunchKernelEx(&config, static_cast<CUfunction>(fn),
                                           c.params, nullptr));
  }
  return check(driver_->cuLaunchKernel(
      static_cast<CUfunction>(fn), c.grid[0], c.grid[1], c.grid[2], c.block[0],
      c.block[1], c.block[2], c.sharedBytes, static_cast<CUstream>(c.stream),
      c.params, nullptr));
}

gpu::Error Device::createStream(void **stream) {
  return check(driver_->cuStreamCreate(reinterpret_cast<CUstream *>(stream),
                                       /*CU_STREAM_NON_BLOCKING*/ 1));
}

void Device::destroyStream(void *stream) {
  driver_->cuStreamDestroy(static_cast<CUstream>(stream));
}

gpu::Error Device::synchronizeStream(void *stream) {
  return check(driver_->cuStreamSynchronize(static_cast<CUstream>(stream)));
}

gpu::Error Device::streamWaitEvent(void *stream, void *event) {
  return check(driver_->cuStreamWaitEvent(static_cast<CUstream>(stream),
                                          static_cast<CUevent>(event), 0));
}

gpu::Error Device::createEvent(void **event) {
  return check(driver_->cuEventCreate(reinterpret_cast<CUevent *>(event),
                                      /*CU_EVENT_DISABLE_TIMING*/ 2));
}

void Device::destroyEvent(void *event) {
  driver_->cuEventDestroy(static_cast<CUevent>(event));
}

gpu::Error Device::createTimingEvent(void **event) {
  if (!driver_->cuEventElapsedTime)
    return "the CUDA driver lacks cuEventElapsedTime";
  return check(driver_->cuEventCreate(reinterpret_cast<CUevent *>(event),
                                      /*CU_EVENT_DEFAULT*/ 0));
}

gpu::Error Device::elapsedMs(void *start, void *end, float *ms) {
  if (!driver_->cuEventElapsedTime)
    return "the CUDA driver lacks cuEventElapsedTime";
  return check(driver_->cuEventElapsedTime(ms, static_cast<CUevent>(start),
                                           static_cast<CUevent>(end)));
}

gpu::Error Device::synchronizeEvent(void *event) {
  return check(driver_->cuEventSynchronize(static_cast<CUevent>(event)));
}

gpu::Error Device::recordEvent(void *event, void *stream) {
  return check(driver_->cuEventRecord(static_cast<CUevent>(event),
                                      static_cast<CUstream>(stream)));
}

gpu::Error Device::allocate(size_t bytes, void **ptr) {
  CUdeviceptr p = 0;
  gpu::Error e = check(driver_->cuMemAlloc(&p, bytes));
  *ptr = reinterpret_cast<void *>(p);
  return e;
}

void Device::free(void *ptr) {
  driver_->cuMemFree(reinterpret_cast<CUdeviceptr>(ptr));
}

gpu::Error Device::allocateAsync(size_t bytes, void *stream, void **ptr) {
  if (!pooled_)
    return allocate(bytes, ptr);
  CUdeviceptr p = 0;
  gpu::Error e = check(
      driver_->cuMemAllocAsync(&p, bytes, static_cast<CUstream>(stream)));
  *ptr = reinterpret_cast<void *>(p);
  return e;
}

gpu::Error Device::freeAsync(void *ptr, void *stream) {
  return check(driver_->cuMemFreeAsync(reinterpret_cast<CUdeviceptr>(ptr),
                                       static_cast<CUstream>(stream)));
}

gpu::Error Device::copyAsync(void *dst, const void *src, size_t bytes,
                             void *stream) {
  return check(driver_->cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                                      reinterpret_cast<CUdeviceptr>(src), bytes,
                                      static_cast<CUstream>(stream)));
}

gpu::Error Device::fill32Async(void *dst, uint32_t value, size_t count,
                               void *stream) {
  return check(driver_->cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(dst),
                                         value, count,
                                         static_cast<CUstream>(stream)));
}

gpu::Error Device::fill16Async(void *dst, uint16_t value, size_t count,
                               void *stream) {
  return check(driver_->cuMemsetD16Async(reinterpret_cast<CUdeviceptr>(dst),
                                         value, count,
                                         static_cast<CUstream>(stream)));
}

gpu::Error Device::upload(void *dst, const void *src, size_t bytes) {
  return check(
      driver_->cuMemcpyHtoD(reinterpret_cast<CUdeviceptr>(dst), src, bytes));
}

gpu::Error Device::synchronizeDevice() {
  return check(driver_->cuCtxSynchronize());
}

gpu::Error Device::encodeTensorMap(const gpu::TensorMapArgs &a,
                                   gpu::TensorMapBytes &map) {
  if (!driver_->cuTensorMapEncodeTiled)
    return "the CUDA driver lacks cuTensorMapEncodeTiled (TMA needs a CUDA "
           "12 driver)";
  return check(driver_->cuTensorMapEncodeTiled(
      &map, a.dataType, a.rank, a.address, a.globalDim, a.globalStrides,
      a.boxDim, a.elementStrides, a.interleave, a.swizzle, a.l2Promotion,
      a.oobFill));
}

bool Device::supportsGraphs() const {
  const Driver &d = *driver_;
  return d.cuStreamBeginCapture && d.cuStreamEndCapture &&
         d.cuGraphInstantiateWithFlags && d.cuGraphLaunch &&
         d.cuGraphExecDestroy && d.cuGraphDestroy && d.cuMemAllocHost &&
         d.cuMemFreeHost && d.cuPointerGetAttribute;
}

gpu::Error Device::beginCapture(void *stream) {
  const int kRelaxed = 2; // CU_STREAM_CAPTURE_MODE_RELAXED
  return check(
      driver_->cuStreamBeginCapture(static_cast<CUstream>(stream), kRelaxed));
}

gpu::Error Device::endCapture(void *stream, void **exec) {
  *exec = nullptr;
  CUgraph graph = nullptr;
  if (CUresult r =
          driver_->cuStreamEndCapture(static_cast<CUstream>(stream), &graph)) {
    if (graph)
      driver_->cuGraphDestroy(graph);
    return driver_->describe(r);
  }
  CUresult r = driver_->cuGraphInstantiateWithFlags(
      reinterpret_cast<CUgraphExec *>(exec), graph, 0);
  driver_->cuGraphDestroy(graph); // the instance keeps what it needs
  if (r)
    *exec = nullptr;
  return check(r);
}

gpu::Error Device::launchGraph(void *exec, void *stream) {
  return check(driver_->cuGraphLaunch(static_cast<CUgraphExec>(exec),
                                      static_cast<CUstream>(stream)));
}

void Device::destroyGraph(void *exec) {
  driver_->cuGraphExecDestroy(static_cast<CUgraphExec>(exec));
}

gpu::Error Device::allocateHost(size_t bytes, void **ptr) {
  return check(driver_->cuMemAllocHost(ptr, bytes));
}

void Device::freeHost(void *ptr) { driver_->cuMemFreeHost(ptr); }

bool Device::isDeviceMemory(const void *ptr) {
  const int kMemoryType = 2;  // CU_POINTER_ATTRIBUTE_MEMORY_TYPE
  const unsigned kDevice = 2; // CU_MEMORYTYPE_DEVICE
  unsigned type = 0;
  return ptr && driver_->cuPointerGetAttribute &&
         !driver_->cuPointerGetAttribute(&type, kMemoryType,
                                         reinterpret_cast<CUdeviceptr>(ptr)) &&
         type == kDevice;
}
