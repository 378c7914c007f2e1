//===- CpuExecutable.h - Loads and calls CPU device code -------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The CPU half of loom_abi.h: the shared object of a DeviceCode section
// dlopen'ed from memory, one resolved function per entry point, and the
// marshalling of tensors to memref descriptors and back.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_SRC_CPUEXECUTABLE_H
#define LOOM_RUNTIME_SRC_CPUEXECUTABLE_H

#include "ArtifactReader.h"
#include "Signature.h"
#include "loom_abi.h"

#include <memory>
#include <vector>

namespace loom {

// One result descriptor as returned, plus what to do with its memory.
struct CpuResultView {
  void *allocated;
  uint8_t *aligned;
  int64_t offset;
  const int64_t *sizes;
  const int64_t *strides;
  bool owned; // a heap block this result is the first to mention
};

// Per-session scratch, reused across calls so that marshalling does not
// reallocate its buffers on every invocation.
struct CpuScratch {
  // args[0]: a per-session copy, so compiled code never shares a writable
  // context across sessions (and session state can join it later).
  loom_abi_context context{};
  std::vector<int64_t> inputDescs;
  std::vector<int64_t> results;
  std::vector<void *> args;
  std::vector<CpuResultView> views;
  std::vector<void *> seen;
  SymbolBindings bindings;
};

// Results the host code left on a GPU (a session with outputs on the
// device): each one is a dense buffer whose whole allocation the caller now
// owns.
class DeviceResultSink {
public:
  virtual ~DeviceResultSink() = default;
  // After the compiled function returned: whether its results are device
  // buffers.
  virtual bool handedOut() const = 0;
  // Wraps `allocated` (null for an empty result) as a device tensor; takes
  // the buffer even on failure.
  virtual loom_status_t adopt(loom_dtype_t dtype, int32_t rank,
                              const int64_t *shape, void *allocated,
                              loom_tensor_t **out) = 0;
  // Frees a buffer that was not adopted.
  virtual void discard(void *allocated) = 0;
};

class CpuExecutable {
public:
  // Picks the "cpu" DeviceCode section (exactly "cpu" first, else the first
  // "cpu:<variant>") and the weights for "cpu" or "" targets.
  // `device` selects the sections: "cpu", or "cuda" for host code that
  // drives a GPU through the mgpu* functions (GpuShim.cpp).
  static loom_status_t load(const ParsedArtifact &artifact,
                            std::unique_ptr<CpuExecutable> &out,
                            const std::string &device = "cpu");
  ~CpuExecutable();

  // `afterCall` (if any) runs right after the compiled function returns,
  // before its results are read (a replayed GPU graph fills them there).
  loom_status_t invoke(const EntryMeta &entry, size_t entryIndex,
                       loom_tensor_t *const *inputs, size_t numInputs,
                       loom_tensor_t **outputs, CpuScratch &scratch,
                       void (*afterCall)(void *) = nullptr,
                       void *afterCallData = nullptr,
                       DeviceResultSink *deviceResults = nullptr) const;

private:
  CpuExecutable() = default;
  void *handle_ = nullptr;
  std::vector<loom_abi_entry_fn> functions_;
  loom_abi_context context_{};
};

} // namespace loom

#endif // LOOM_RUNTIME_SRC_CPUEXECUTABLE_H
