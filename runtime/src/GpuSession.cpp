//===- GpuSession.cpp - What a session keeps on a GPU between calls -------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "GpuSession.h"

using namespace loom;
using namespace loom::gpu;

SessionState::SessionState(Device *device, bool graphs, bool profile)
    : device_(device),
      profile_(profile ? std::make_unique<KernelProfile>(device) : nullptr),
      tensorMaps_(device), graphs_(device, graphs && !profile) {}

SessionState::~SessionState() = default;

void SessionState::beginInvocation() {
  if (tensorMaps_.size() <= kMaxTensorMaps)
    return;
  if (Error e = device_->synchronizeDevice(); !e.empty()) {
    recordError("waiting for the device before freeing TMA descriptors "
                "failed: " + e);
    return;
  }
  graphs_.reset();
  tensorMaps_.clear();
}
