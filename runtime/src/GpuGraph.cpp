//===- GpuGraph.cpp - Replaying an invocation's GPU work as a graph -------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "GpuGraph.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace loom;
using namespace loom::gpu;

#define GRAPH_TRACE(...)                                                       \
  do {                                                                         \
    if (tracing())                                                             \
      std::fprintf(stderr, "loom gpu: graph: " __VA_ARGS__);                   \
  } while (0)

bool GraphRunner::enabledByEnvironment() {
  const char *v = std::getenv("LOOM_CUDA_GRAPHS");
  return !v || std::strcmp(v, "0") != 0;
}

GraphRunner::GraphRunner(Device *device, bool enabled) : device_(device) {
  if (!enabled)
    disable("turned off (LOOM_CUDA_GRAPHS=0 or the session)");
  else if (!device->supportsGraphs())
    disable(std::string("the ") + device->api() + " device has no graphs");
  else if (!device->pooled())
    disable("the driver has no stream-ordered allocator");
}

GraphRunner::~GraphRunner() {
  if (!exec_ && !stream_ && steps_.empty())
    return;
  Scope scope(device_);
  dropGraph();
  if (stream_)
    device_->destroyStream(stream_);
}

const char *GraphRunner::kindName(Kind kind) {
  switch (kind) {
  case Kind::Allocate:
    return "allocation";
  case Kind::Free:
    return "free";
  case Kind::CopyIn:
    return "upload";
  case Kind::CopyOut:
    return "download";
  case Kind::CopyDevice:
    return "device copy";
  case Kind::Fill:
    return "fill";
  case Kind::Launch:
    return "launch";
  }
  return "?";
}

void GraphRunner::dropGraph() {
  if (exec_)
    device_->destroyGraph(exec_);
  exec_ = nullptr;
  for (Step &step : steps_)
    if (step.staging)
      device_->freeHost(step.staging);
  steps_.clear();
  state_ = State::None;
  key_.clear();
}

void GraphRunner::disable(const std::string &why) {
  if (!disabled_)
    GRAPH_TRACE("off for this session: %s\n", why.c_str());
  disabled_ = true;
  why_ = why;
  dropGraph();
}

void GraphRunner::reset() {
  if (exec_ || !steps_.empty())
    GRAPH_TRACE("dropped\n");
  dropGraph();
}

GraphRunner::Mode GraphRunner::begin(const std::string &key) {
  retry_ = false;
  divergedNow_ = false;
  divergedWhy_.clear();
  uncapturable_.clear();
  live_.clear();
  cursor_ = 0;
  mode_ = Mode::Eager;
  if (disabled_)
    return mode_;
  if (key != key_ || state_ == State::None) {
    if (state_ != State::None)
      GRAPH_TRACE("new input shapes or addresses: dropping the graph\n");
    dropGraph();
    key_ = key;
    mode_ = Mode::Observe;
    GRAPH_TRACE("observing\n");
    return mode_;
  }
  if (!stream_) {
    if (Error e = device_->createStream(&stream_); !e.empty()) {
      stream_ = nullptr;
      disable("creating the capture stream failed: " + e);
      return mode_;
    }
  }
  if (state_ == State::Captured) {
    mode_ = Mode::Replay;
    return mode_;
  }
  // Observed: stage the copies, then capture.
  for (Step &step : steps_) {
    if (step.kind != Kind::CopyIn && step.kind != Kind::CopyOut)
      continue;
    if (Error e = device_->allocateHost(step.bytes ? step.bytes : 1,
                                        &step.staging);
        !e.empty()) {
      step.staging = nullptr;
      disable("allocating pinned staging memory failed: " + e);
      return mode_;
    }
  }
  if (Error e = device_->beginCapture(stream_); !e.empty()) {
    disable("beginning the capture failed: " + e);
    return mode_;
  }
  capturing_ = true;
  mode_ = Mode::Capture;
  GRAPH_TRACE("capturing %zu steps\n", steps_.size());
  return mode_;
}

void GraphRunner::diverged(const std::string &why) {
  if (!divergedNow_)
    divergedWhy_ = why;
  divergedNow_ = true;
}

GraphRunner::Step *GraphRunner::next(Kind kind, size_t bytes) {
  if (divergedNow_)
    return nullptr;
  if (cursor_ >= steps_.size()) {
    diverged(std::string("an extra ") + kindName(kind));
    return nullptr;
  }
  Step &step = steps_[cursor_++];
  if (step.kind != kind || step.bytes != bytes) {
    diverged(std::string("step ") + std::to_string(cursor_ - 1) + " is a " +
             kindName(kind) + " of " + std::to_string(bytes) +
             " bytes, the capture had a " + kindName(step.kind) + " of " +
             std::to_string(step.bytes));
    return nullptr;
  }
  return &step;
}

void *GraphRunner::stream() { return stream_; }

void *GraphRunner::allocate(size_t bytes) {
  Step *step = next(Kind::Allocate, bytes);
  if (!step)
    return nullptr;
  if (mode_ == Mode::Capture) {
    void *ptr = nullptr;
    if (Error e = device_->allocateAsync(bytes, stream_, &ptr); !e.empty())
      diverged("a captured allocation failed: " + e);
    step->ptr = ptr;
  }
  return step->ptr;
}

void GraphRunner::free(void *ptr) {
  Step *step = next(Kind::Free, 0);
  if (!step)
    return;
  if (mode_ == Mode::Replay) {
    if (step->ptr != ptr)
      diverged("a free of another block");
    return;
  }
  step->ptr = ptr;
  if (Error e = device_->freeAsync(ptr, stream_); !e.empty())
    diverged("a captured free failed: " + e);
}

void GraphRunner::copy(void *dst, const void *src, size_t bytes) {
  // Which copy this is was observed; the next step says it.
  if (divergedNow_)
    return;
  if (cursor_ >= steps_.size())
    return diverged("an extra copy");
  Kind kind = steps_[cursor_].kind;
  if (kind != Kind::CopyIn && kind != Kind::CopyOut &&
      kind != Kind::CopyDevice)
    kind = Kind::CopyDevice; // next() reports the mismatch
  Step *step = next(kind, bytes);
  if (!step)
    return;
  Error e;
  switch (kind) {
  case Kind::CopyIn:
    // The host source as it is now; the graph uploads the staging buffer.
    std::memcpy(step->staging, src, bytes);
    if (mode_ == Mode::Capture) {
      step->ptr = dst;
      e = device_->copyAsync(dst, step->staging, bytes, stream_);
    } else if (step->ptr != dst) {
      return diverged("an upload to another device buffer");
    }
    break;
  case Kind::CopyOut:
    step->hostDst = dst;
    if (mode_ == Mode::Capture) {
      step->src = src;
      e = device_->copyAsync(step->staging, src, bytes, stream_);
    } else if (step->src != src) {
      return diverged("a download from another device buffer");
    }
    break;
  default:
    if (mode_ == Mode::Capture) {
      step->ptr = dst;
      step->src = src;
      e = device_->copyAsync(dst, src, bytes, stream_);
    } else if (step->ptr != dst || step->src != src) {
      return diverged("a device copy between other buffers");
    }
    break;
  }
  if (!e.empty())
    diverged(std::string("a captured copy failed: ") + e);
}

void GraphRunner::fill(void *dst, uint32_t value, size_t count,
                       unsigned width) {
  Step *step = next(Kind::Fill, count * width);
  if (!step)
    return;
  if (mode_ == Mode::Capture) {
    step->ptr = dst;
    step->value = value;
    Error e = width == 4 ? device_->fill32Async(dst, value, count, stream_)
                         : device_->fill16Async(dst, uint16_t(value), count,
                                                stream_);
    if (!e.empty())
      diverged("a captured fill failed: " + e);
  } else if (step->ptr != dst || step->value != value) {
    diverged("a fill of another buffer or value");
  }
}

void GraphRunner::launch(void *fn, const LaunchConfig &config) {
  Step *step = next(Kind::Launch, 0);
  if (!step)
    return;
  if (mode_ == Mode::Replay) {
    if (step->fn != fn || std::memcmp(step->grid, config.grid, 12) ||
        std::memcmp(step->block, config.block, 12) ||
        std::memcmp(step->cluster, config.cluster, 12) ||
        step->shared != config.sharedBytes)
      diverged("a launch of another kernel or shape");
    return;
  }
  LaunchConfig captured = config;
  captured.stream = stream_;
  if (Error e = device_->launch(fn, captured); !e.empty())
    diverged("a captured launch failed: " + e);
}

bool GraphRunner::launchGraph() {
  if (Error e = device_->launchGraph(exec_, stream_); !e.empty()) {
    disable("launching the graph failed: " + e);
    return false;
  }
  if (Error e = device_->synchronizeStream(stream_); !e.empty()) {
    // The work ran (or faulted): a real error, not one to retry.
    recordError("running the CUDA graph failed: " + e);
    disable("running the graph failed: " + e);
    return true;
  }
  for (Step &step : steps_)
    if (step.kind == Kind::CopyOut && step.hostDst)
      std::memcpy(step.hostDst, step.staging, step.bytes);
  return true;
}

void GraphRunner::afterHostCode() {
  if (mode_ == Mode::Capture) {
    void *exec = nullptr;
    Error e = device_->endCapture(stream_, &exec);
    capturing_ = false;
    if (!divergedNow_ && cursor_ != steps_.size())
      diverged("the capture made " + std::to_string(cursor_) + " of the " +
               std::to_string(steps_.size()) + " steps observed");
    if (divergedNow_ || hasError() || !e.empty()) {
      if (exec)
        device_->destroyGraph(exec);
      disable(divergedNow_ ? "the capture failed: " + divergedWhy_
              : !e.empty() ? "ending the capture failed: " + e
                           : std::string("an error during the capture"));
      retry_ = true;
      return;
    }
    exec_ = exec;
    state_ = State::Captured;
    GRAPH_TRACE("captured %zu steps; launching\n", steps_.size());
    retry_ = !launchGraph();
    return;
  }
  if (mode_ == Mode::Replay) {
    if (!divergedNow_ && cursor_ != steps_.size())
      diverged("the host code made " + std::to_string(cursor_) + " of the " +
               std::to_string(steps_.size()) + " captured steps");
    if (divergedNow_ || hasError()) {
      disable(divergedNow_ ? "the replay diverged: " + divergedWhy_
                           : std::string("an error during the replay"));
      retry_ = true;
      return;
    }
    GRAPH_TRACE("replaying %zu steps\n", steps_.size());
    retry_ = !launchGraph();
  }
}

void GraphRunner::observeAllocate(void *ptr, size_t bytes) {
  Step step{Kind::Allocate};
  step.bytes = bytes;
  steps_.push_back(step);
  if (ptr)
    live_.insert(ptr);
}

void GraphRunner::observeFree(void *ptr) {
  Step step{Kind::Free};
  steps_.push_back(step);
  if (!live_.erase(ptr) && uncapturable_.empty())
    uncapturable_ = "it frees device memory it did not allocate";
}

void GraphRunner::observeCopy(void *dst, const void *src, size_t bytes) {
  bool dstDevice = device_->isDeviceMemory(dst);
  bool srcDevice = device_->isDeviceMemory(src);
  Step step{dstDevice ? (srcDevice ? Kind::CopyDevice : Kind::CopyIn)
                      : Kind::CopyOut};
  step.bytes = bytes;
  step.hostDst = dstDevice ? nullptr : dst;
  if (!dstDevice && !srcDevice && uncapturable_.empty())
    uncapturable_ = "it copies host memory to host memory";
  steps_.push_back(step);
}

void GraphRunner::observeFill(void *, uint32_t, size_t count, unsigned width) {
  Step step{Kind::Fill};
  step.bytes = count * width;
  steps_.push_back(step);
}

void GraphRunner::observeLaunch(void *fn, const LaunchConfig &config) {
  Step step{Kind::Launch};
  step.fn = fn;
  std::memcpy(step.grid, config.grid, sizeof(step.grid));
  std::memcpy(step.block, config.block, sizeof(step.block));
  std::memcpy(step.cluster, config.cluster, sizeof(step.cluster));
  step.shared = config.sharedBytes;
  steps_.push_back(step);
}

void GraphRunner::observeUncapturable(const std::string &what) {
  if (uncapturable_.empty())
    uncapturable_ = what;
}

void GraphRunner::observed(
    const std::vector<std::pair<const void *, size_t>> &outputs) {
  if (mode_ != Mode::Observe)
    return;
  if (uncapturable_.empty() && !live_.empty())
    uncapturable_ = "it leaves device memory allocated";
  // Every download must land in an output: one elsewhere is a readback the
  // host code reads mid-invocation, which a capture cannot give it.
  for (size_t i = 0; i < steps_.size() && uncapturable_.empty(); ++i) {
    const Step &step = steps_[i];
    if (step.kind != Kind::CopyOut)
      continue;
    auto dst = reinterpret_cast<uintptr_t>(step.hostDst);
    bool inOutput = false;
    for (const auto &[data, size] : outputs) {
      auto base = reinterpret_cast<uintptr_t>(data);
      inOutput = inOutput ||
                 (dst >= base && step.bytes <= size && dst - base <= size - step.bytes);
    }
    if (!inOutput)
      uncapturable_ = "it reads device values back mid-invocation (step " +
                      std::to_string(i) + ", a download of " +
                      std::to_string(step.bytes) + " bytes)";
  }
  if (!uncapturable_.empty()) {
    disable("this invocation cannot be captured: " + uncapturable_);
    return;
  }
  for (Step &step : steps_)
    step.hostDst = nullptr;
  state_ = State::Observed;
  GRAPH_TRACE("observed %zu steps; the next call with these inputs is "
              "captured\n",
              steps_.size());
}

void GraphRunner::end() {
  // The invocation failed before its host code ran (a bad input): nothing
  // was captured; end the capture and try again next time.
  if (capturing_) {
    void *exec = nullptr;
    device_->endCapture(stream_, &exec);
    if (exec)
      device_->destroyGraph(exec);
    capturing_ = false;
    for (Step &step : steps_)
      if (step.staging)
        device_->freeHost(step.staging), step.staging = nullptr;
    GRAPH_TRACE("capture abandoned (the invocation failed before it ran)\n");
  }
  // An observation that did not finish (the invocation failed) is forgotten.
  if (mode_ == Mode::Observe && state_ == State::None) {
    steps_.clear();
    key_.clear();
  }
  for (Step &step : steps_)
    step.hostDst = nullptr;
  mode_ = Mode::Eager;
  retry_ = false;
}
