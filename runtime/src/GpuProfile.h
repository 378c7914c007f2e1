//===- GpuProfile.h - Kernel times of each invocation ----------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// LOOM_CUDA_PROFILE=1: every kernel launch of a session's invocations is
// bracketed by two timing events recorded on its stream; after the
// invocation's final synchronization the session prints one line to stderr
// with the total kernel time, the number of launches and the five kernels
// that took longest in total. Events are kept for reuse, so steady-state
// invocations create none. Graph replays launch no kernels one by one, so a
// profiled session runs eagerly.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_GPUPROFILE_H
#define LOOM_RUNTIME_GPUPROFILE_H

#include "GpuDevice.h"

#include <string>
#include <vector>

namespace loom::gpu {

class KernelProfile {
public:
  explicit KernelProfile(Device *device) : device_(device) {}
  ~KernelProfile();
  KernelProfile(const KernelProfile &) = delete;
  KernelProfile &operator=(const KernelProfile &) = delete;

  /// LOOM_CUDA_PROFILE set to anything but "" or "0".
  static bool enabledByEnvironment();

  /// Around one launch of `fn` on `stream`. After a failure (no timing
  /// events on this device) the profile says so once and stops.
  void beforeLaunch(void *fn, void *stream);
  void afterLaunch(void *stream);

  /// After the invocation's last synchronization: the summary line (empty
  /// if nothing was launched or the profile stopped), and the launches are
  /// forgotten; their events are kept for the next invocation.
  std::string finish();

  /// Events created so far (tests).
  size_t eventsCreated() const { return created_; }

private:
  void *takeEvent();
  struct Launch {
    void *fn;
    void *start;
    void *end = nullptr;
  };
  Device *device_;
  std::vector<Launch> launches_;
  std::vector<void *> spare_;
  size_t created_ = 0;
  bool failed_ = false;
  std::string failure_;
};

} // namespace loom::gpu

#endif // LOOM_RUNTIME_GPUPROFILE_H
