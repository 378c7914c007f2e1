//===- Runtime.cpp - Runtime, device, module and session objects ----------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "ArtifactReader.h"
#include "CpuExecutable.h"
#include "CudaDriver.h"
#include "GpuSession.h"
#include "HipDriver.h"
#include "Status.h"
#include "Tensor.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <memory>
#include <new>
#include <optional>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace loom;

struct loom_runtime {
  std::atomic<int32_t> refs{1};
};

struct loom_device {
  std::atomic<int32_t> refs{1};
  loom_runtime_t *runtime = nullptr;
  std::string target; // "cpu", "cuda" or "rocm"
  int32_t ordinal = 0;
  std::shared_ptr<gpu::Device> gpu; // for "cuda" and "rocm"
};

struct loom_module {
  std::atomic<int32_t> refs{1};
  loom_device_t *device = nullptr;
  // The artifact bytes: a file mapping, an owned copy, or borrowed memory.
  const uint8_t *bytes = nullptr;
  size_t size = 0;
  bool mapped = false;
  bool ownedCopy = false;
  ParsedArtifact artifact; // points into `bytes`
  std::unique_ptr<CpuExecutable> cpu;
  // GPU modules: device copies of the weights, made on first use.
  std::unique_ptr<gpu::ResidentWeights> weights;

  ~loom_module() {
    weights.reset(); // frees device memory; the device is still retained
    cpu.reset(); // before the bytes it may point into go away
    if (mapped)
      ::munmap(const_cast<uint8_t *>(bytes), size);
    else if (ownedCopy)
      std::free(const_cast<uint8_t *>(bytes));
    loom_device_release(device);
  }
};

struct loom_session {
  std::atomic<int32_t> refs{1};
  loom_module_t *module = nullptr;
  CpuScratch scratch;
  // GPU devices: TMA descriptors (and later graphs) kept between calls.
  std::unique_ptr<gpu::SessionState> gpu;
};

template <typename T> static void retain(T *o) {
  if (o)
    o->refs.fetch_add(1, std::memory_order_relaxed);
}
template <typename T> static bool dropRef(T *o) {
  return o && o->refs.fetch_sub(1, std::memory_order_acq_rel) == 1;
}

static loom_status_t nullArg(const char *what) {
  return makeStatus(LOOM_INVALID_ARGUMENT, std::string("null ") + what);
}

//===----------------------------------------------------------------------===//
// Runtime and devices
//===----------------------------------------------------------------------===//

extern "C" {

loom_status_t loom_runtime_create(loom_runtime_t **out) {
  if (!out)
    return nullArg("output pointer");
  *out = new (std::nothrow) loom_runtime;
  return *out ? nullptr : makeStatus(LOOM_OUT_OF_MEMORY, "out of memory");
}

void loom_runtime_retain(loom_runtime_t *r) { retain(r); }
void loom_runtime_release(loom_runtime_t *r) {
  if (dropRef(r))
    delete r;
}

loom_status_t loom_device_create(loom_runtime_t *runtime, const char *name,
                                 loom_device_t **out) {
  if (!out)
    return nullArg("output pointer");
  *out = nullptr;
  if (!runtime)
    return nullArg("runtime");
  if (!name)
    return nullArg("device name");
  std::string spec = name, target = spec;
  int32_t ordinal = 0;
  if (size_t colon = spec.find(':'); colon != std::string::npos) {
    target = spec.substr(0, colon);
    std::string num = spec.substr(colon + 1);
    char *end = nullptr;
    long v = num.empty() ? -1 : std::strtol(num.c_str(), &end, 10);
    if (v < 0 || v > 1024 || *end != '\0')
      return makeStatus(LOOM_INVALID_ARGUMENT,
                        "bad device ordinal in '" + spec + "'");
    ordinal = int32_t(v);
  }
  std::shared_ptr<gpu::Device> gpuDevice;
  if (target == "cuda") {
    std::shared_ptr<cuda::Device> dev;
    if (loom_status_t st = cuda::Device::create(ordinal, dev))
      return st;
    gpuDevice = std::move(dev);
  }
  if (target == "rocm") {
    std::shared_ptr<hip::Device> dev;
    if (loom_status_t st = hip::Device::create(ordinal, dev))
      return st;
    gpuDevice = std::move(dev);
  }
  if (target != "cpu" && target != "cuda" && target != "rocm")
    return makeStatus(LOOM_INVALID_ARGUMENT,
                      "unknown device '" + spec + "' (use cpu, cuda or rocm)");
  if (target == "cpu" && ordinal != 0)
    return makeStatus(LOOM_NOT_FOUND, "there is only one cpu device (cpu:0)");
  auto *d = new (std::nothrow) loom_device;
  if (!d)
    return makeStatus(LOOM_OUT_OF_MEMORY, "out of memory");
  d->runtime = runtime;
  d->target = target;
  d->ordinal = ordinal;
  d->gpu = std::move(gpuDevice);
  loom_runtime_retain(runtime);
  *out = d;
  return nullptr;
}

void loom_device_retain(loom_device_t *d) { retain(d); }
void loom_device_release(loom_device_t *d) {
  if (!dropRef(d))
    return;
  loom_runtime_release(d->runtime);
  delete d;
}

const char *loom_device_target(const loom_device_t *d) {
  return d ? d->target.c_str() : "";
}

} // extern "C"

//===----------------------------------------------------------------------===//
// Modules
//===----------------------------------------------------------------------===//

// Parses the bytes already attached to `m` and loads its code; releases `m`
// on failure.
static loom_status_t finishLoad(loom_module_t *m, uint32_t flags,
                                loom_module_t **out) {
  loom_status_t st = parseArtifact(
      m->bytes, m->size, flags & LOOM_LOAD_VERIFY_WEIGHTS, m->artifact);
  if (!st) {
    // GPU modules are host code whose load-time constructors already load
    // kernels onto the device: make it current first.
    gpu::Scope scope(m->device->gpu.get());
    st = CpuExecutable::load(m->artifact, m->cpu, m->device->target);
    if (!st)
      st = scope.takeError();
  }
  if (st) {
    loom_module_release(m);
    return st;
  }
  *out = m;
  return nullptr;
}

static loom_module_t *newModule(loom_device_t *device) {
  auto *m = new (std::nothrow) loom_module;
  if (m) {
    m->device = device;
    loom_device_retain(device);
    if (device->gpu)
      m->weights = std::make_unique<gpu::ResidentWeights>(device->gpu.get());
  }
  return m;
}

extern "C" {

loom_status_t loom_module_load_file(loom_device_t *device, const char *path,
                                    uint32_t flags, loom_module_t **out) {
  if (!out)
    return nullArg("output pointer");
  *out = nullptr;
  if (!device)
    return nullArg("device");
  if (!path)
    return nullArg("path");
  if (flags & ~LOOM_LOAD_VERIFY_WEIGHTS)
    return makeStatus(LOOM_INVALID_ARGUMENT,
                      "unknown load flags (LOOM_LOAD_BORROW is for memory)");
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return makeStatus(errno == ENOENT ? LOOM_NOT_FOUND : LOOM_IO_ERROR,
                      std::string("cannot open '") + path +
                          "': " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return makeStatus(LOOM_IO_ERROR,
                      std::string("'") + path + "' is not a regular file");
  }
  size_t size = size_t(st.st_size);
  void *p =
      size ? ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
  int mapErr = errno;
  ::close(fd);
  if (size == 0)
    return makeStatus(LOOM_INVALID_ARTIFACT,
                      std::string("invalid artifact: '") + path + "' is empty");
  if (p == MAP_FAILED)
    return makeStatus(LOOM_IO_ERROR, std::string("cannot map '") + path +
                                         "': " + std::strerror(mapErr));
  loom_module_t *m = newModule(device);
  if (!m) {
    ::munmap(p, size);
    return makeStatus(LOOM_OUT_OF_MEMORY, "out of memory");
  }
  m->bytes = static_cast<const uint8_t *>(p);
  m->size = size;
  m->mapped = true;
  if (loom_status_t s = finishLoad(m, flags, out))
    return annotate(s, path);
  return nullptr;
}

loom_status_t loom_module_load_memory(loom_device_t *device, const void *data,
                                      size_t size, uint32_t flags,
                                      loom_module_t **out) {
  if (!out)
    return nullArg("output pointer");
  *out = nullptr;
  if (!device)
    return nullArg("device");
  if (!data && size)
    return nullArg("data");
  if (flags & ~(LOOM_LOAD_BORROW | LOOM_LOAD_VERIFY_WEIGHTS))
    return makeStatus(LOOM_INVALID_ARGUMENT, "unknown load flags");
  bool borrow = flags & LOOM_LOAD_BORROW;
  if (borrow && reinterpret_cast<uintptr_t>(data) % 4096 != 0)
    return makeStatus(LOOM_INVALID_ARGUMENT,
                      "borrowed artifact memory must be 4096-byte aligned");
  loom_module_t *m = newModule(device);
  if (!m)
    return makeStatus(LOOM_OUT_OF_MEMORY, "out of memory");
  if (borrow) {
    m->bytes = static_cast<const uint8_t *>(data);
  } else {
    // Page-aligned so that weights keep the alignment the file promises.
    size_t alloc = (size + 4095) / 4096 * 4096;
    void *copy = std::aligned_alloc(4096, alloc ? alloc : 4096);
    if (!copy) {
      loom_module_release(m);
      return makeStatus(LOOM_OUT_OF_MEMORY, "cannot copy an artifact of " +
                                                std::to_string(size) +
                                                " bytes");
    }
    if (size)
      std::memcpy(copy, data, size);
    m->bytes = static_cast<const uint8_t *>(copy);
    m->ownedCopy = true;
  }
  m->size = size;
  return finishLoad(m, flags, out);
}

void loom_module_retain(loom_module_t *m) { retain(m); }
void loom_module_release(loom_module_t *m) {
  if (dropRef(m))
    delete m;
}

size_t loom_module_entry_count(const loom_module_t *m) {
  return m ? m->artifact.entries.size() : 0;
}

static loom_status_t checkEntry(const loom_module_t *m, size_t entry) {
  if (!m)
    return nullArg("module");
  if (entry >= m->artifact.entries.size())
    return makeStatus(LOOM_INVALID_ARGUMENT,
                      "entry index " + std::to_string(entry) +
                          " out of range (module has " +
                          std::to_string(m->artifact.entries.size()) + ")");
  return nullptr;
}

loom_status_t loom_module_entry_info(const loom_module_t *m, size_t entry,
                                     loom_entry_info_t *out) {
  if (loom_status_t st = checkEntry(m, entry))
    return st;
  if (!out)
    return nullArg("output pointer");
  const EntryMeta &e = m->artifact.entries[entry];
  *out = loom_entry_info_t{e.name.c_str(), e.inputs.size(), e.outputs.size()};
  return nullptr;
}

loom_status_t loom_module_find_entry(const loom_module_t *m, const char *name,
                                     size_t *out) {
  if (!m || !name || !out)
    return nullArg("argument");
  std::string all;
  for (size_t i = 0; i < m->artifact.entries.size(); ++i) {
    if (m->artifact.entries[i].name == name) {
      *out = i;
      return nullptr;
    }
    all += (i ? ", " : "") + m->artifact.entries[i].name;
  }
  return makeStatus(LOOM_NOT_FOUND, std::string("no entry point '") + name +
                                        "' (the module has: " +
                                        (all.empty() ? "none" : all) + ")");
}

static loom_status_t tensorInfo(const loom_module_t *m, size_t entry,
                                size_t index, bool input,
                                loom_tensor_info_t *out) {
  if (loom_status_t st = checkEntry(m, entry))
    return st;
  if (!out)
    return nullArg("output pointer");
  const EntryMeta &e = m->artifact.entries[entry];
  const std::vector<TensorMeta> &list = input ? e.inputs : e.outputs;
  if (index >= list.size())
    return makeStatus(LOOM_INVALID_ARGUMENT,
                      std::string(input ? "input" : "output") + " index " +
                          std::to_string(index) + " out of range (entry '" +
                          e.name + "' has " + std::to_string(list.size()) +
                          ")");
  const TensorMeta &t = list[index];
  *out = loom_tensor_info_t{t.name.c_str(), t.dtype, int32_t(t.dims.size()),
                            t.dims.data(), t.symbolPtrs.data()};
  return nullptr;
}

loom_status_t loom_module_input_info(const loom_module_t *m, size_t entry,
                                     size_t input, loom_tensor_info_t *out) {
  return tensorInfo(m, entry, input, true, out);
}

loom_status_t loom_module_output_info(const loom_module_t *m, size_t entry,
                                      size_t output, loom_tensor_info_t *out) {
  return tensorInfo(m, entry, output, false, out);
}

//===----------------------------------------------------------------------===//
// Device tensors
//===----------------------------------------------------------------------===//

// `user` of a device tensor: its device, retained, and the memory to free.
static void freeDeviceTensor(void *user, void *data) {
  auto *device = static_cast<loom_device_t *>(user);
  {
    gpu::Scope scope(device->gpu.get());
    device->gpu->free(data);
  }
  loom_device_release(device);
}

// `user`: the device, retained; `data`: memory the compiled code allocated
// (mgpuMemAlloc: from the stream-ordered pool where there is one), freed the
// way mgpuMemFree frees it.
static void freeDeviceResult(void *user, void *data) {
  auto *device = static_cast<loom_device_t *>(user);
  if (data) {
    gpu::Scope scope(device->gpu.get());
    gpu::freeAllocated(device->gpu.get(), data);
  }
  loom_device_release(device);
}

loom_status_t loom_tensor_create_on_device(loom_device_t *device,
                                           loom_dtype_t dtype, int32_t rank,
                                           const int64_t *shape,
                                           loom_tensor_t **out) {
  if (!out)
    return nullArg("output pointer");
  *out = nullptr;
  if (!device)
    return nullArg("device");
  if (!device->gpu)
    return createTensor(dtype, rank, shape, nullptr, nullptr, nullptr, out);
  // Validate dtype and shape (and learn the byte size) first.
  loom_tensor_t *probe = nullptr;
  if (loom_status_t st = createTensor(dtype, rank, shape,
                                      reinterpret_cast<void *>(64), nullptr,
                                      nullptr, &probe))
    return st;
  size_t bytes = probe->bytes;
  loom_tensor_release(probe);
  gpu::Scope scope(device->gpu.get());
  void *data = nullptr;
  gpu::Error e = device->gpu->allocate(bytes ? bytes : 1, &data);
  if (e.empty() && bytes) {
    e = device->gpu->fill32Async(data, 0, bytes / 4, nullptr);
    if (e.empty() && bytes % 4)
      e = device->gpu->copyAsync(
          static_cast<uint8_t *>(data) + bytes / 4 * 4, "\0\0\0", bytes % 4,
          nullptr);
    if (e.empty())
      e = device->gpu->synchronizeStream(nullptr);
  }
  if (!e.empty()) {
    if (data)
      device->gpu->free(data);
    return makeStatus(LOOM_OUT_OF_MEMORY,
                      "allocating a " + std::to_string(bytes) +
                          "-byte tensor on device '" + device->target +
                          "' failed: " + e + " (" + device->gpu->api() + ")");
  }
  loom_device_retain(device);
  if (loom_status_t st = createTensor(dtype, rank, shape, data,
                                      freeDeviceTensor, device, out)) {
    freeDeviceTensor(device, data);
    return st;
  }
  (*out)->device = device;
  return nullptr;
}

loom_device_t *loom_tensor_device(const loom_tensor_t *t) {
  return t ? t->device : nullptr;
}

static loom_status_t checkCopy(const loom_tensor_t *t, const void *data,
                               size_t size) {
  if (!t)
    return nullArg("tensor");
  if (!data && size)
    return nullArg("data");
  if (size != t->bytes)
    return makeStatus(LOOM_INVALID_ARGUMENT,
                      "copying " + std::to_string(size) + " bytes to or from "
                      "a tensor of " + std::to_string(t->bytes) + " bytes");
  return nullptr;
}

loom_status_t loom_tensor_write(loom_tensor_t *t, const void *data,
                                size_t size) {
  if (loom_status_t st = checkCopy(t, data, size))
    return st;
  if (!size)
    return nullptr;
  if (!t->device) {
    std::memcpy(t->data, data, size);
    return nullptr;
  }
  gpu::Device *gpu = t->device->gpu.get();
  gpu::Scope scope(gpu);
  if (gpu::Error e = gpu->upload(t->data, data, size); !e.empty())
    return makeStatus(LOOM_INTERNAL, "copying " + std::to_string(size) +
                                         " bytes to the device failed: " + e);
  return nullptr;
}

loom_status_t loom_tensor_read(const loom_tensor_t *t, void *data,
                               size_t size) {
  if (loom_status_t st = checkCopy(t, data, size))
    return st;
  if (!size)
    return nullptr;
  if (!t->device) {
    std::memcpy(data, t->data, size);
    return nullptr;
  }
  gpu::Device *gpu = t->device->gpu.get();
  gpu::Scope scope(gpu);
  gpu::Error e = gpu->copyAsync(data, t->data, size, nullptr);
  if (e.empty())
    e = gpu->synchronizeStream(nullptr);
  if (!e.empty())
    return makeStatus(LOOM_INTERNAL, "copying " + std::to_string(size) +
                                         " bytes from the device failed: " +
                                         e);
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Sessions
//===----------------------------------------------------------------------===//

} // extern "C"

// What a GPU graph is replayed for: the entry, the input shapes, and the
// addresses of device tensors (a graph copies from them directly). Host
// inputs are staged, so their addresses may change.
static std::string graphKey(size_t entry, loom_tensor_t *const *inputs,
                            size_t numInputs) {
  std::string key = std::to_string(entry);
  for (size_t i = 0; inputs && i < numInputs; ++i) {
    const loom_tensor_t *t = inputs[i];
    if (!t)
      continue;
    key += '|' + std::to_string(int(t->dtype)) + ':';
    for (int64_t d : t->shape)
      key += std::to_string(d) + ',';
    if (t->device)
      key += '@' + std::to_string(reinterpret_cast<uintptr_t>(t->data));
  }
  return key;
}

namespace {

// Adopts the device buffers a GPU session's host code hands out.
class DeviceOutputs final : public DeviceResultSink {
public:
  DeviceOutputs(loom_device_t *device, gpu::SessionState *session)
      : device_(device), session_(session) {}
  bool handedOut() const override { return session_->outputsHandedOut(); }
  loom_status_t adopt(loom_dtype_t dtype, int32_t rank, const int64_t *shape,
                      void *allocated, loom_tensor_t **out) override {
    if (!allocated) // an empty result: nothing was allocated
      return loom_tensor_create_on_device(device_, dtype, rank, shape, out);
    loom_device_retain(device_);
    if (loom_status_t st = createTensor(dtype, rank, shape, allocated,
                                        freeDeviceResult, device_, out)) {
      freeDeviceResult(device_, allocated);
      return st;
    }
    (*out)->device = device_;
    return nullptr;
  }
  void discard(void *allocated) override {
    loom_device_retain(device_);
    freeDeviceResult(device_, allocated);
  }

private:
  loom_device_t *device_;
  gpu::SessionState *session_;
};

} // namespace

static void releaseAll(loom_tensor_t **outputs, size_t numOutputs) {
  for (size_t i = 0; i < numOutputs; ++i) {
    loom_tensor_release(outputs[i]);
    outputs[i] = nullptr;
  }
}

extern "C" {

loom_status_t loom_session_create(loom_module_t *module, loom_session_t **out) {
  if (!out)
    return nullArg("output pointer");
  *out = nullptr;
  if (!module)
    return nullArg("module");
  auto *s = new (std::nothrow) loom_session;
  if (!s)
    return makeStatus(LOOM_OUT_OF_MEMORY, "out of memory");
  s->module = module;
  loom_module_retain(module);
  if (gpu::Device *device = module->device->gpu.get())
    s->gpu = std::make_unique<gpu::SessionState>(
        device, gpu::GraphRunner::enabledByEnvironment(),
        gpu::KernelProfile::enabledByEnvironment());
  *out = s;
  return nullptr;
}

void loom_session_retain(loom_session_t *s) { retain(s); }
void loom_session_release(loom_session_t *s) {
  if (!dropRef(s))
    return;
  s->gpu.reset(); // frees device memory while the device is still retained
  loom_module_release(s->module);
  delete s;
}

loom_status_t loom_session_disable_gpu_graphs(loom_session_t *s) {
  if (!s)
    return nullArg("session");
  if (s->gpu) {
    gpu::Scope scope(s->module->device->gpu.get());
    s->gpu->graphs().disable("turned off for the session");
  }
  return nullptr;
}

loom_status_t loom_session_set_outputs_on_device(loom_session_t *s,
                                                int32_t on) {
  if (!s)
    return nullArg("session");
  if (s->gpu)
    s->gpu->outputsOnDevice = on != 0;
  return nullptr;
}

loom_status_t loom_session_invoke(loom_session_t *s, size_t entry,
                                  loom_tensor_t *const *inputs,
                                  size_t numInputs, loom_tensor_t **outputs,
                                  size_t numOutputs) {
  if (!s)
    return nullArg("session");
  if (loom_status_t st = checkEntry(s->module, entry))
    return st;
  const EntryMeta &e = s->module->artifact.entries[entry];
  if (numOutputs != e.outputs.size())
    return makeStatus(
        LOOM_INVALID_ARGUMENT,
        "entry '" + e.name + "' has " + std::to_string(e.outputs.size()) +
            " outputs, the caller expects " + std::to_string(numOutputs));
  if (numOutputs && !outputs)
    return nullArg("output array");
  for (size_t i = 0; inputs && i < numInputs; ++i)
    if (inputs[i] && inputs[i]->device &&
        (inputs[i]->device->target != s->module->device->target ||
         inputs[i]->device->ordinal != s->module->device->ordinal))
      return makeStatus(
          LOOM_INVALID_ARGUMENT,
          "input " + std::to_string(i) + " of entry '" + e.name +
              "' is a tensor on device '" + inputs[i]->device->target + ":" +
              std::to_string(inputs[i]->device->ordinal) +
              "', the session runs on '" + s->module->device->target + ":" +
              std::to_string(s->module->device->ordinal) + "'");
  for (size_t i = 0; i < numOutputs; ++i)
    outputs[i] = nullptr;
  gpu::Scope scope(s->module->device->gpu.get(), s->module->weights.get(),
                   s->gpu.get());
  gpu::GraphRunner *graphs = nullptr;
  std::optional<DeviceOutputs> deviceOutputs;
  if (s->gpu) {
    s->gpu->beginInvocation();
    // Outputs on the device: the host code hands out buffers it allocated,
    // which a graph's memory nodes cannot give away; such invocations run
    // eagerly.
    s->gpu->beginOutputs(s->gpu->outputsOnDevice);
    if (s->gpu->outputsOnDevice)
      deviceOutputs.emplace(s->module->device, s->gpu.get());
    graphs = &s->gpu->graphs();
    if (s->gpu->outputsOnDevice)
      graphs = nullptr;
    else if (!graphs->disabled())
      graphs->begin(graphKey(entry, inputs, numInputs));
  }
  auto afterCall = [](void *g) {
    static_cast<gpu::GraphRunner *>(g)->afterHostCode();
  };
  loom_status_t st = s->module->cpu->invoke(
      e, entry, inputs, numInputs, outputs, s->scratch,
      graphs ? +afterCall : nullptr, graphs,
      deviceOutputs ? &*deviceOutputs : nullptr);
  if (!st)
    st = scope.takeError();
  if (graphs && graphs->retry()) {
    // The captured or replayed work did not run (graphs are off now):
    // drop what came back and run the invocation eagerly.
    releaseAll(outputs, numOutputs);
    loom_status_free(st);
    loom_status_free(scope.takeError());
    graphs->end();
    st = s->module->cpu->invoke(e, entry, inputs, numInputs, outputs,
                                s->scratch);
    if (!st)
      st = scope.takeError();
  } else if (graphs && !st && graphs->observing()) {
    std::vector<std::pair<const void *, size_t>> ranges;
    for (size_t i = 0; i < numOutputs; ++i)
      ranges.emplace_back(outputs[i]->data, outputs[i]->bytes);
    graphs->observed(ranges);
  }
  if (graphs)
    graphs->end();
  if (gpu::KernelProfile *profile = s->gpu ? s->gpu->profile() : nullptr) {
    // The host code synchronized its stream before returning.
    std::string line = profile->finish();
    if (!line.empty())
      std::fprintf(stderr, "%s\n", line.c_str());
  }
  if (st) // a device error after the host code returned: drop its results
    releaseAll(outputs, numOutputs);
  return st;
}

} // extern "C"
