//===- GpuGraph.h - Replaying an invocation's GPU work as a graph -*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Compiled GPU host code makes the same mgpu* calls on every invocation
// with the same input shapes: create a stream, allocate, upload the inputs,
// launch kernels, synchronize, download the results, free. A GraphRunner
// (one per session) turns that into one CUDA graph launch:
//
//   Observe  the first invocation with a new key (entry, input shapes,
//            device input addresses) runs eagerly while the runner notes
//            its steps, and whether it can be captured: every download
//            lands in an output buffer (no mid-invocation readback that the
//            host code reads, as dynamic shapes do), every allocation is
//            freed within the invocation, no module is loaded.
//   Capture  the next invocation with the same key runs with every stream
//            mapped to one capturing stream (relaxed mode): allocations are
//            stream-ordered pool allocations (graph memory nodes), uploads
//            come from pinned staging buffers the runner filled from the
//            host sources, downloads go to pinned staging buffers, stream
//            synchronizations are no-ops. When the host code returns, the
//            capture is instantiated and launched, and the staged results
//            are copied into the host code's output buffers.
//   Replay   later invocations with that key run the host code with every
//            mgpu* call checked against the captured steps and answered
//            without the driver (allocations return the captured addresses,
//            uploads refill the staging buffers), then launch the graph.
//
// Anything unexpected (an invocation that cannot be captured, a failed
// capture, a replay whose calls differ from the capture) turns graphs off
// for the session for good; a capture or replay that did not run is redone
// eagerly, so the caller sees a normal result. LOOM_CUDA_GRAPHS=0 turns them
// off; LOOM_CUDA_TRACE=1 logs the decisions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_GPUGRAPH_H
#define LOOM_RUNTIME_GPUGRAPH_H

#include "GpuDevice.h"

#include <string>
#include <unordered_set>
#include <vector>

namespace loom::gpu {

class GraphRunner {
public:
  enum class Mode { Eager, Observe, Capture, Replay };

  /// `enabled`: false turns graphs off from the start (LOOM_CUDA_GRAPHS=0).
  GraphRunner(Device *device, bool enabled);
  ~GraphRunner();
  GraphRunner(const GraphRunner &) = delete;
  GraphRunner &operator=(const GraphRunner &) = delete;

  /// Whether LOOM_CUDA_GRAPHS allows graphs (unset, or anything but "0").
  static bool enabledByEnvironment();

  bool disabled() const { return disabled_; }
  const std::string &disabledBecause() const { return why_; }
  /// Graphs off for good (freeing the graph); `why` goes to the trace.
  void disable(const std::string &why);
  /// Forgets the graph and what was observed (the next invocation observes
  /// again); graphs stay allowed.
  void reset();

  /// Picks the mode of the invocation about to run, from its key.
  Mode begin(const std::string &key);
  Mode mode() const { return mode_; }
  bool intercepting() const {
    return mode_ == Mode::Capture || mode_ == Mode::Replay;
  }
  bool observing() const { return mode_ == Mode::Observe; }

  /// Right after the host code returned, before its results are read:
  /// Capture/Replay end here (instantiate, launch, wait, copy the staged
  /// results into the host buffers). On failure `retry()` is set.
  void afterHostCode();
  /// Observe: the invocation succeeded; `outputs` are the host byte ranges
  /// of its output tensors, where every download must have landed.
  void observed(const std::vector<std::pair<const void *, size_t>> &outputs);
  /// The invocation's device work did not run (a capture or replay that
  /// failed): discard its outputs and run it again; graphs are off by now.
  bool retry() const { return retry_; }
  /// Ends the invocation (whatever happened); the next begin() decides anew.
  void end();

  // The mgpu* functions while intercepting(): they answer for the driver.
  void *stream();
  void *allocate(size_t bytes);
  void free(void *ptr);
  void copy(void *dst, const void *src, size_t bytes);
  void fill(void *dst, uint32_t value, size_t count, unsigned width);
  void launch(void *fn, const LaunchConfig &config);

  // The mgpu* functions while observing(), after doing their work eagerly.
  void observeAllocate(void *ptr, size_t bytes);
  void observeFree(void *ptr);
  void observeCopy(void *dst, const void *src, size_t bytes);
  void observeFill(void *dst, uint32_t value, size_t count, unsigned width);
  void observeLaunch(void *fn, const LaunchConfig &config);
  /// A call a graph cannot hold (a module load in the invocation).
  void observeUncapturable(const std::string &what);

  /// For tests: the steps observed or captured.
  size_t stepCount() const { return steps_.size(); }

private:
  enum class Kind { Allocate, Free, CopyIn, CopyOut, CopyDevice, Fill, Launch };
  struct Step {
    Kind kind;
    size_t bytes = 0;   // Allocate, copies, Fill (count * width)
    void *ptr = nullptr; // Allocate/Free: the block; copies/Fill: dst
    const void *src = nullptr; // CopyDevice, CopyOut
    uint32_t value = 0;        // Fill
    void *fn = nullptr;        // Launch
    unsigned grid[3] = {}, block[3] = {}, cluster[3] = {}, shared = 0;
    void *staging = nullptr; // CopyIn/CopyOut: pinned host buffer
    void *hostDst = nullptr; // CopyOut: this invocation's host buffer
  };
  static const char *kindName(Kind kind);
  /// The next captured step, which must be of `kind` (and `bytes`); null
  /// after marking the invocation diverged.
  Step *next(Kind kind, size_t bytes);
  void diverged(const std::string &why);
  bool launchGraph();
  void dropGraph();

  Device *device_;
  bool disabled_ = false;
  std::string why_;
  Mode mode_ = Mode::Eager;
  bool retry_ = false;

  std::string key_;
  enum class State { None, Observed, Captured } state_ = State::None;
  std::vector<Step> steps_;
  size_t cursor_ = 0;
  bool divergedNow_ = false;
  std::string divergedWhy_;
  // Observe: what makes an invocation uncapturable.
  std::string uncapturable_;
  std::unordered_set<void *> live_; // allocated in this invocation

  bool capturing_ = false; // between beginCapture and endCapture
  void *stream_ = nullptr; // the capturing / replaying stream
  void *exec_ = nullptr;   // the instantiated graph
};

} // namespace loom::gpu

#endif // LOOM_RUNTIME_GPUGRAPH_H
