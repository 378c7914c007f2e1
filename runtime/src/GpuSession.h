//===- GpuSession.h - What a session keeps on a GPU between calls -*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// A loom_session_t on a GPU device owns one SessionState: the device copies
// of the TMA descriptors its invocations made (TensorMap.h) and the graph
// its invocations replay (GpuGraph.h). The mgpu* functions find it through
// the gpu::Scope of the invocation.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_GPUSESSION_H
#define LOOM_RUNTIME_GPUSESSION_H

#include "GpuDevice.h"
#include "GpuGraph.h"
#include "GpuProfile.h"
#include "TensorMap.h"

#include <memory>

namespace loom::gpu {

class SessionState {
public:
  /// `graphs`: whether invocations may be replayed as graphs; `profile`:
  /// whether kernel launches are timed (GpuProfile.h; no graphs then).
  SessionState(Device *device, bool graphs, bool profile = false);
  ~SessionState();
  SessionState(const SessionState &) = delete;
  SessionState &operator=(const SessionState &) = delete;

  Device *device() const { return device_; }
  TensorMapCache &tensorMaps() { return tensorMaps_; }
  GraphRunner &graphs() { return graphs_; }
  /// Null unless kernel launches are timed.
  KernelProfile *profile() { return profile_.get(); }

  /// Called before each invocation, in its Scope: drops the TMA descriptors
  /// of earlier invocations once there are more than `kMaxTensorMaps` (a
  /// model with ever-changing shapes), after the device has finished with
  /// them (and drops the graph, whose kernels use them). Never during an
  /// invocation, whose kernels may use any of them.
  void beginInvocation();

  /// Outputs on the device (loom_session_set_outputs_on_device): the
  /// session's setting, and for the invocation in progress whether outputs
  /// stay on the device and whether its host code asked
  /// (loom_gpu_outputs_on_device, once per return). Host code compiled
  /// before the question existed never asks and returns host buffers.
  bool outputsOnDevice = false;
  void beginOutputs(bool onDevice) {
    invocationOnDevice_ = onDevice;
    asked_ = false;
  }
  bool askOutputsOnDevice() {
    asked_ = true;
    return invocationOnDevice_;
  }
  bool outputsHandedOut() const { return invocationOnDevice_ && asked_; }

  static constexpr size_t kMaxTensorMaps = 1024;

private:
  Device *device_;
  bool invocationOnDevice_ = false, asked_ = false;
  std::unique_ptr<KernelProfile> profile_;
  TensorMapCache tensorMaps_;
  GraphRunner graphs_; // destroyed first: its graph uses the maps
};

} // namespace loom::gpu

#endif // LOOM_RUNTIME_GPUSESSION_H
