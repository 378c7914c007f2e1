//===- GpuProfile.cpp - Kernel times of each invocation -------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "GpuProfile.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

using namespace loom::gpu;

bool KernelProfile::enabledByEnvironment() {
  const char *v = std::getenv("LOOM_CUDA_PROFILE");
  return v && *v && std::strcmp(v, "0") != 0;
}

KernelProfile::~KernelProfile() {
  for (Launch &l : launches_) {
    spare_.push_back(l.start);
    if (l.end)
      spare_.push_back(l.end);
  }
  for (void *event : spare_)
    device_->destroyEvent(event);
}

void *KernelProfile::takeEvent() {
  if (!spare_.empty()) {
    void *event = spare_.back();
    spare_.pop_back();
    return event;
  }
  void *event = nullptr;
  if (Error e = device_->createTimingEvent(&event); !e.empty() || !event) {
    failed_ = true;
    failure_ = "creating a timing event failed: " + e;
    return nullptr;
  }
  ++created_;
  return event;
}

void KernelProfile::beforeLaunch(void *fn, void *stream) {
  if (failed_)
    return;
  void *start = takeEvent();
  if (!start)
    return;
  launches_.push_back({fn, start});
  if (Error e = device_->recordEvent(start, stream); !e.empty()) {
    failed_ = true;
    failure_ = "recording a timing event failed: " + e;
  }
}

void KernelProfile::afterLaunch(void *stream) {
  if (failed_ || launches_.empty() || launches_.back().end)
    return;
  void *end = takeEvent();
  if (!end)
    return;
  launches_.back().end = end;
  if (Error e = device_->recordEvent(end, stream); !e.empty()) {
    failed_ = true;
    failure_ = "recording a timing event failed: " + e;
  }
}

std::string KernelProfile::finish() {
  struct Total {
    size_t count = 0;
    double ms = 0;
  };
  std::map<std::string, Total> totals;
  double all = 0;
  size_t timed = 0;
  for (Launch &l : launches_) {
    float ms = 0;
    Error e;
    if (l.end && !failed_) {
      e = device_->synchronizeEvent(l.end);
      if (e.empty())
        e = device_->elapsedMs(l.start, l.end, &ms);
    }
    if (!e.empty()) {
      failed_ = true;
      failure_ = "reading a kernel time failed: " + e;
    }
    spare_.push_back(l.start);
    if (l.end)
      spare_.push_back(l.end);
    if (failed_ || !l.end)
      continue;
    Total &t = totals[device_->functionName(l.fn)];
    ++t.count;
    t.ms += ms;
    all += ms;
    ++timed;
  }
  launches_.clear();
  if (failed_) {
    // Said once; the profile is off from then on.
    std::string line = failure_.empty()
                           ? std::string()
                           : "loom profile: off (" + failure_ + ")";
    failure_.clear();
    return line;
  }
  if (!timed)
    return "";
  std::vector<std::pair<std::string, Total>> top(totals.begin(),
                                                 totals.end());
  std::stable_sort(top.begin(), top.end(), [](const auto &a, const auto &b) {
    return a.second.ms > b.second.ms;
  });
  char buf[160];
  std::snprintf(buf, sizeof(buf),
                "loom profile: kernels %.3f ms in %zu launches; top:", all,
                timed);
  std::string line = buf;
  for (size_t i = 0; i < top.size() && i < 5; ++i) {
    std::snprintf(buf, sizeof(buf), " x%zu %.3f ms", top[i].second.count,
                  top[i].second.ms);
    line += (i ? ", " : " ") + top[i].first + buf;
  }
  return line;
}
