//===- GpuDevice.cpp - The current GPU device and its first error ---------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "GpuDevice.h"

#include "Status.h"

using namespace loom;
using namespace loom::gpu;

namespace {
thread_local Device *tCurrent = nullptr;
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

Scope::Scope(Device *device) : previous_(tCurrent), previousError_(tError) {
  tCurrent = device;
  tError = &error_;
  if (device)
    device->makeCurrent();
}

Scope::~Scope() {
  tCurrent = previous_;
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

void gpu::recordError(const std::string &message) {
  if (tError && tError->empty())
    *tError = message;
}
