//===- GpuDevice.cpp - The current GPU device and its first error ---------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "GpuDevice.h"

#include "Status.h"

#include <cstdlib>

using namespace loom;
using namespace loom::gpu;

namespace {
thread_local Device *tCurrent = nullptr;
thread_local ResidentWeights *tWeights = nullptr;
thread_local SessionState *tSession = nullptr;
thread_local std::string *tError = nullptr;
} // namespace

void Device::nameFunction(void *fn, const char *name) {
  std::lock_guard<std::mutex> lock(mutex_);
  functionNames_[fn] = name ? name : "?";
}

std::string Device::functionName(void *fn) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = functionNames_.find(fn);
  return it == functionNames_.end() ? "<unknown kernel>" : it->second;
}

Scope::Scope(Device *device, ResidentWeights *weights, SessionState *session)
    : previous_(tCurrent), previousWeights_(tWeights),
      previousSession_(tSession), previousError_(tError) {
  tCurrent = device;
  tWeights = weights;
  tSession = session;
  tError = &error_;
  if (device)
    device->makeCurrent();
}

Scope::~Scope() {
  tCurrent = previous_;
  tWeights = previousWeights_;
  tSession = previousSession_;
  tError = previousError_;
  if (previous_)
    previous_->makeCurrent();
}

loom_status_t Scope::takeError() {
  if (error_.empty())
    return nullptr;
  loom_status_t status = makeStatus(LOOM_INTERNAL, error_);
  error_.clear();
  return status;
}

Device *gpu::currentDevice() { return tCurrent; }
ResidentWeights *gpu::currentWeights() { return tWeights; }
SessionState *gpu::currentSession() { return tSession; }

void *ResidentWeights::get(const void *host, size_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = copies_.find(host);
  if (it != copies_.end()) {
    if (it->second.second == bytes)
      return it->second.first;
    recordError("a resident weight was asked for with two sizes");
    return nullptr;
  }
  void *ptr = nullptr;
  if (Error e = device_->allocate(bytes ? bytes : 1, &ptr); !e.empty()) {
    recordError("allocating " + std::to_string(bytes) +
                " bytes of device memory for weights failed: " + e);
    return nullptr;
  }
  Error e = device_->copyAsync(ptr, host, bytes, nullptr);
  if (e.empty())
    e = device_->synchronizeStream(nullptr);
  if (!e.empty()) {
    device_->free(ptr);
    recordError("uploading " + std::to_string(bytes) +
                " bytes of weights failed: " + e);
    return nullptr;
  }
  copies_.emplace(host, std::make_pair(ptr, bytes));
  return ptr;
}

ResidentWeights::~ResidentWeights() {
  if (copies_.empty())
    return;
  Scope scope(device_);
  for (auto &entry : copies_)
    device_->free(entry.second.first);
}

void gpu::recordError(const std::string &message) {
  if (tError && tError->empty())
    *tError = message;
}

bool gpu::hasError() { return tError && !tError->empty(); }

bool gpu::tracing() {
  static const bool on = [] {
    for (const char *var : {"LOOM_GPU_TRACE", "LOOM_CUDA_TRACE"})
      if (const char *v = std::getenv(var); v && *v && *v != '0')
        return true;
    return false;
  }();
  return on;
}

void loom::gpu::freeAllocated(Device *device, void *ptr) {
  if (!ptr)
    return;
  if (device->pooled() && device->freeAsync(ptr, nullptr).empty())
    return;
  (void)device->synchronizeDevice();
  device->free(ptr);
}
