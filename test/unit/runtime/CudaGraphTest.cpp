//===- CudaGraphTest.cpp - Graph capture and replay of invocations, no GPU ===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The GraphRunner state machine (observe, capture, replay, fall back) over
// a fake CUDA driver that simulates what matters: device memory as host
// blocks at fake addresses, streams that either run work at once or record
// it while capturing, graphs that run the recorded work on launch (graph
// allocations keep their addresses across launches, as graph memory
// nodes do), and one kernel that adds 1 to n floats. A "host code" function
// makes the mgpu* calls compiled code makes, so data flows from the host
// inputs through staging, the device and back to the host outputs.
//
//===----------------------------------------------------------------------===//

#include "CudaDriver.h"
#include "GpuSession.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <vector>

using namespace loom;
using cuda::CUdeviceptr;
using cuda::CUstream;

extern "C" {
void *mgpuStreamCreate();
void mgpuStreamDestroy(void *stream);
void mgpuStreamSynchronize(void *stream);
void *mgpuMemAlloc(uint64_t size, void *stream, bool hostShared);
void mgpuMemFree(void *ptr, void *stream);
void mgpuMemcpy(void *dst, void *src, size_t size, void *stream);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount);
void *mgpuEventCreate();
void mgpuEventRecord(void *event, void *stream);
void mgpuStreamWaitEvent(void *stream, void *event);
void mgpuEventDestroy(void *event);
}

namespace {

constexpr CUdeviceptr kDeviceBase = 0x7000'0000'0000ull;
void *const kAddOne = reinterpret_cast<void *>(0x4000);

struct Fake {
  std::map<CUdeviceptr, std::vector<uint8_t>> memory; // device blocks
  CUdeviceptr next = kDeviceBase;
  CUstream capturing = nullptr;
  std::vector<std::function<void()>> captured; // the capture in progress
  std::map<void *, std::vector<std::function<void()>>> execs;
  int streams = 0, allocs = 0, asyncAllocs = 0, asyncFrees = 0, copies = 0,
      launches = 0, graphLaunches = 0, instantiations = 0, execDestroys = 0,
      pinned = 0, pinnedFrees = 0, syncs = 0, badSyncs = 0;
  int failEndCapture = 0;
} fake;

/// The host address behind a fake device address, or the address itself
/// for host memory.
uint8_t *at(uint64_t address) {
  auto it = fake.memory.upper_bound(address);
  if (it != fake.memory.begin()) {
    --it;
    if (address >= it->first && address < it->first + it->second.size())
      return it->second.data() + (address - it->first);
  }
  return reinterpret_cast<uint8_t *>(address);
}

/// Runs `work` now, or records it if `stream` is capturing.
int submit(CUstream stream, std::function<void()> work) {
  if (stream && stream == fake.capturing)
    fake.captured.push_back(std::move(work));
  else
    work();
  return 0;
}

CUdeviceptr newBlock(size_t bytes) {
  CUdeviceptr p = fake.next;
  fake.memory[p].assign(bytes, 0);
  fake.next += (bytes + 0xfff) / 0x1000 * 0x1000 + 0x1000;
  return p;
}

int fakeStreamCreate(CUstream *s, unsigned) {
  *s = reinterpret_cast<CUstream>(uintptr_t(0x100 + ++fake.streams));
  return 0;
}
int fakeStreamDestroy(CUstream) { return 0; }
int fakeStreamSynchronize(CUstream s) {
  ++fake.syncs;
  if (s && s == fake.capturing)
    return ++fake.badSyncs, 900; // CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED
  return 0;
}
int fakeMemAlloc(CUdeviceptr *p, size_t bytes) {
  ++fake.allocs;
  *p = newBlock(bytes);
  return 0;
}
int fakeMemFree(CUdeviceptr p) { return fake.memory.erase(p) ? 0 : 1; }
int fakeMemAllocAsync(CUdeviceptr *p, size_t bytes, CUstream s) {
  ++fake.asyncAllocs;
  // A graph allocation keeps its address for every launch of the graph.
  *p = newBlock(bytes);
  (void)s;
  return 0;
}
int fakeMemFreeAsync(CUdeviceptr p, CUstream s) {
  ++fake.asyncFrees;
  if (s && s == fake.capturing)
    return 0; // the graph's memory stays for the next launch
  return fake.memory.erase(p) ? 0 : 1;
}
int fakeMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                    CUstream s) {
  ++fake.copies;
  return submit(s, [=] { std::memcpy(at(dst), at(src), bytes); });
}
int fakeLaunch(cuda::CUfunction f, unsigned, unsigned, unsigned, unsigned,
               unsigned, unsigned, unsigned, CUstream s, void **params,
               void **) {
  ++fake.launches;
  if (reinterpret_cast<void *>(f) != kAddOne)
    return 1;
  // The driver copies the argument values at launch.
  uint64_t buffer;
  int64_t n;
  std::memcpy(&buffer, params[0], 8);
  std::memcpy(&n, params[1], 8);
  return submit(s, [=] {
    auto *x = reinterpret_cast<float *>(at(buffer));
    for (int64_t i = 0; i < n; ++i)
      x[i] += 1;
  });
}
int fakeBeginCapture(CUstream s, int mode) {
  EXPECT_EQ(mode, 2); // relaxed
  if (fake.capturing)
    return 1;
  fake.capturing = s;
  fake.captured.clear();
  return 0;
}
int fakeEndCapture(CUstream s, cuda::CUgraph *graph) {
  if (s != fake.capturing)
    return 1;
  fake.capturing = nullptr;
  if (fake.failEndCapture)
    return *graph = nullptr, fake.failEndCapture;
  auto *ops = new std::vector<std::function<void()>>(std::move(fake.captured));
  *graph = reinterpret_cast<cuda::CUgraph>(ops);
  return 0;
}
int fakeInstantiate(cuda::CUgraphExec *exec, cuda::CUgraph graph,
                    unsigned long long) {
  ++fake.instantiations;
  auto *ops = reinterpret_cast<std::vector<std::function<void()>> *>(graph);
  void *key = new char;
  fake.execs[key] = *ops;
  *exec = reinterpret_cast<cuda::CUgraphExec>(key);
  return 0;
}
int fakeGraphDestroy(cuda::CUgraph graph) {
  delete reinterpret_cast<std::vector<std::function<void()>> *>(graph);
  return 0;
}
int fakeGraphLaunch(cuda::CUgraphExec exec, CUstream s) {
  ++fake.graphLaunches;
  auto it = fake.execs.find(exec);
  if (it == fake.execs.end())
    return 1;
  for (auto &op : it->second)
    submit(s, op);
  return 0;
}
int fakeExecDestroy(cuda::CUgraphExec exec) {
  ++fake.execDestroys;
  delete reinterpret_cast<char *>(exec);
  return fake.execs.erase(exec) ? 0 : 1;
}
int fakeMemAllocHost(void **p, size_t bytes) {
  ++fake.pinned;
  *p = std::malloc(bytes);
  return 0;
}
int fakeMemFreeHost(void *p) {
  ++fake.pinnedFrees;
  std::free(p);
  return 0;
}
int fakePointerGetAttribute(void *data, int attribute, CUdeviceptr p) {
  EXPECT_EQ(attribute, 2); // memory type
  if (reinterpret_cast<uint8_t *>(p) == at(p))
    return 1; // not a device address (pageable host memory)
  *static_cast<unsigned *>(data) = 2;
  return 0;
}
int fakeEventCreate(cuda::CUevent *e, unsigned) {
  *e = reinterpret_cast<cuda::CUevent>(0x900);
  return 0;
}
int fakeEventOk(cuda::CUevent) { return 0; }
int fakeEventRecord(cuda::CUevent, CUstream) { return 0; }
int fakeWaitEvent(CUstream, cuda::CUevent, unsigned) { return 0; }
int fakeErrorString(int, const char **text) {
  *text = "fake error";
  return 0;
}

cuda::Driver fakeDriver() {
  cuda::Driver d{};
  d.cuStreamCreate = fakeStreamCreate;
  d.cuStreamDestroy = fakeStreamDestroy;
  d.cuStreamSynchronize = fakeStreamSynchronize;
  d.cuMemAlloc = fakeMemAlloc;
  d.cuMemFree = fakeMemFree;
  d.cuMemAllocAsync = fakeMemAllocAsync;
  d.cuMemFreeAsync = fakeMemFreeAsync;
  d.cuMemcpyAsync = fakeMemcpyAsync;
  d.cuLaunchKernel = fakeLaunch;
  d.cuStreamBeginCapture = fakeBeginCapture;
  d.cuStreamEndCapture = fakeEndCapture;
  d.cuGraphInstantiateWithFlags = fakeInstantiate;
  d.cuGraphDestroy = fakeGraphDestroy;
  d.cuGraphLaunch = fakeGraphLaunch;
  d.cuGraphExecDestroy = fakeExecDestroy;
  d.cuMemAllocHost = fakeMemAllocHost;
  d.cuMemFreeHost = fakeMemFreeHost;
  d.cuPointerGetAttribute = fakePointerGetAttribute;
  d.cuEventCreate = fakeEventCreate;
  d.cuEventDestroy = fakeEventOk;
  d.cuEventRecord = fakeEventRecord;
  d.cuStreamWaitEvent = fakeWaitEvent;
  d.cuGetErrorString = fakeErrorString;
  return d;
}

/// What compiled host code does for out = in + 1 (n floats): upload,
/// launch, synchronize, download into `out`, free. `readback` adds a
/// mid-invocation download that the host reads, as dynamic shapes do;
/// `gridX` changes the launch.
void hostCode(const float *in, float *out, int64_t n, bool readback = false,
              intptr_t gridX = 1) {
  void *s = mgpuStreamCreate();
  void *event = mgpuEventCreate();
  void *d = mgpuMemAlloc(uint64_t(n) * 4, s, false);
  mgpuMemcpy(d, const_cast<float *>(in), size_t(n) * 4, s);
  void *params[] = {&d, &n};
  mgpuLaunchKernel(kAddOne, gridX, 1, 1, 32, 1, 1, 0, s, params, nullptr, 2);
  mgpuEventRecord(event, s);
  if (readback) {
    float first = 0;
    mgpuMemcpy(&first, d, 4, s);
    mgpuStreamSynchronize(s);
    EXPECT_EQ(first, in[0] + 1);
  }
  mgpuStreamSynchronize(s);
  mgpuStreamDestroy(s);
  void *s2 = mgpuStreamCreate();
  mgpuStreamWaitEvent(s2, event);
  mgpuMemcpy(out, d, size_t(n) * 4, s2);
  mgpuMemFree(d, s2);
  mgpuStreamSynchronize(s2);
  mgpuStreamDestroy(s2);
  mgpuEventDestroy(event);
}

class CudaGraphTest : public ::testing::Test {
protected:
  void SetUp() override {
    fake = Fake{};
    driver = fakeDriver();
    device = cuda::Device::withDriver(&driver, "fake");
    session = std::make_unique<gpu::SessionState>(device.get(), true);
  }
  void TearDown() override {
    session.reset();
    EXPECT_EQ(fake.pinned, fake.pinnedFrees); // staging freed
    EXPECT_EQ(fake.badSyncs, 0); // never waited on a capturing stream
  }

  /// One invocation as Runtime.cpp runs it: returns the mode it ran in and
  /// whether it needed an eager retry.
  gpu::GraphRunner::Mode invoke(const std::vector<float> &in,
                                std::vector<float> &out, bool &retried,
                                const std::string &key = "k",
                                bool readback = false, intptr_t gridX = 1) {
    gpu::Scope scope(device.get(), nullptr, session.get());
    gpu::GraphRunner &g = session->graphs();
    gpu::GraphRunner::Mode mode = g.begin(key);
    out.assign(in.size(), -1);
    hostCode(in.data(), out.data(), int64_t(in.size()), readback, gridX);
    g.afterHostCode();
    retried = g.retry();
    if (retried) {
      loom_status_free(scope.takeError());
      g.end();
      out.assign(in.size(), -1);
      hostCode(in.data(), out.data(), int64_t(in.size()), readback, gridX);
    } else if (g.observing()) {
      g.observed({{out.data(), out.size() * 4}});
    }
    g.end();
    loom_status_t st = scope.takeError();
    EXPECT_EQ(st, nullptr) << loom_status_message(st);
    loom_status_free(st);
    return mode;
  }

  static std::vector<float> plusOne(std::vector<float> v) {
    for (float &x : v)
      x += 1;
    return v;
  }

  cuda::Driver driver;
  std::shared_ptr<cuda::Device> device;
  std::unique_ptr<gpu::SessionState> session;
};

using Mode = gpu::GraphRunner::Mode;

TEST_F(CudaGraphTest, ObservesCapturesThenReplays) {
  std::vector<float> in = {1, 2, 3, 4}, out;
  bool retried = false;
  EXPECT_EQ(invoke(in, out, retried), Mode::Observe);
  EXPECT_FALSE(retried);
  EXPECT_EQ(out, plusOne(in));
  // allocate, upload, launch, download, free
  EXPECT_EQ(session->graphs().stepCount(), 5u);
  EXPECT_EQ(fake.graphLaunches, 0);

  in = {10, 20, 30, 40};
  EXPECT_EQ(invoke(in, out, retried), Mode::Capture);
  EXPECT_FALSE(retried);
  EXPECT_EQ(out, plusOne(in)); // the graph ran once the host code returned
  EXPECT_EQ(fake.instantiations, 1);
  EXPECT_EQ(fake.graphLaunches, 1);
  EXPECT_EQ(fake.pinned, 2); // staging for the upload and the download

  // Replays: new values and new host buffers; no driver call but the
  // graph launch and its wait.
  int copies = fake.copies, launches = fake.launches,
      allocs = fake.asyncAllocs, streams = fake.streams;
  for (int k = 0; k < 3; ++k) {
    std::vector<float> in2 = {float(k), 5, 6, 7};
    std::vector<float> out2;
    EXPECT_EQ(invoke(in2, out2, retried), Mode::Replay);
    EXPECT_FALSE(retried);
    EXPECT_EQ(out2, plusOne(in2));
  }
  EXPECT_EQ(fake.graphLaunches, 4);
  EXPECT_EQ(fake.copies, copies);
  EXPECT_EQ(fake.launches, launches);
  EXPECT_EQ(fake.asyncAllocs, allocs);
  EXPECT_EQ(fake.streams, streams);
  EXPECT_FALSE(session->graphs().disabled());
}

TEST_F(CudaGraphTest, NewShapesDropTheGraphAndObserveAgain) {
  std::vector<float> in = {1, 2}, out;
  bool retried = false;
  invoke(in, out, retried, "two");
  invoke(in, out, retried, "two");
  EXPECT_EQ(invoke(in, out, retried, "two"), Mode::Replay);
  std::vector<float> in3 = {1, 2, 3};
  EXPECT_EQ(invoke(in3, out, retried, "three"), Mode::Observe);
  EXPECT_EQ(out, plusOne(in3));
  EXPECT_EQ(fake.execDestroys, 1);
  EXPECT_EQ(invoke(in3, out, retried, "three"), Mode::Capture);
  EXPECT_EQ(out, plusOne(in3));
  EXPECT_EQ(invoke(in3, out, retried, "three"), Mode::Replay);
  EXPECT_EQ(out, plusOne(in3));
}

TEST_F(CudaGraphTest, ReadbacksTurnGraphsOffForTheSession) {
  std::vector<float> in = {1, 2, 3}, out;
  bool retried = false;
  EXPECT_EQ(invoke(in, out, retried, "k", /*readback=*/true), Mode::Observe);
  EXPECT_EQ(out, plusOne(in));
  EXPECT_TRUE(session->graphs().disabled());
  EXPECT_NE(session->graphs().disabledBecause().find(
                "reads device values back mid-invocation"),
            std::string::npos)
      << session->graphs().disabledBecause();
  // From then on every call runs eagerly, whatever its key.
  EXPECT_EQ(invoke(in, out, retried, "k", true), Mode::Eager);
  EXPECT_EQ(invoke(in, out, retried, "other"), Mode::Eager);
  EXPECT_EQ(out, plusOne(in));
  EXPECT_EQ(fake.instantiations, 0);
}

TEST_F(CudaGraphTest, ADivergingReplayIsRedoneEagerly) {
  std::vector<float> in = {1, 2, 3}, out;
  bool retried = false;
  invoke(in, out, retried);
  invoke(in, out, retried);
  // The same key, but the host code launches another grid: the replay is
  // refused, the invocation reruns eagerly with the right result.
  EXPECT_EQ(invoke(in, out, retried, "k", false, /*gridX=*/2), Mode::Replay);
  EXPECT_TRUE(retried);
  EXPECT_EQ(out, plusOne(in));
  EXPECT_TRUE(session->graphs().disabled());
  EXPECT_NE(session->graphs().disabledBecause().find("the replay diverged"),
            std::string::npos);
  EXPECT_EQ(fake.execDestroys, 1);
  EXPECT_EQ(invoke(in, out, retried), Mode::Eager);
  EXPECT_EQ(out, plusOne(in));
}

TEST_F(CudaGraphTest, AFailedCaptureIsRedoneEagerly) {
  std::vector<float> in = {4, 5}, out;
  bool retried = false;
  invoke(in, out, retried);
  fake.failEndCapture = 901; // CUDA_ERROR_STREAM_CAPTURE_INVALIDATED
  EXPECT_EQ(invoke(in, out, retried), Mode::Capture);
  EXPECT_TRUE(retried);
  EXPECT_EQ(out, plusOne(in));
  EXPECT_TRUE(session->graphs().disabled());
  EXPECT_NE(session->graphs().disabledBecause().find(
                "ending the capture failed: CUDA error 901"),
            std::string::npos)
      << session->graphs().disabledBecause();
  EXPECT_EQ(fake.graphLaunches, 0);
}

TEST_F(CudaGraphTest, ACaptureWhoseHostCodeNeverRanIsTriedAgain) {
  std::vector<float> in = {1, 2}, out;
  bool retried = false;
  invoke(in, out, retried);
  {
    // The invocation fails before its host code runs (a bad input).
    gpu::Scope scope(device.get(), nullptr, session.get());
    EXPECT_EQ(session->graphs().begin("k"), Mode::Capture);
    EXPECT_EQ(fake.capturing, reinterpret_cast<CUstream>(
                                  session->graphs().stream()));
    session->graphs().end();
    EXPECT_EQ(fake.capturing, nullptr); // the capture was ended
  }
  EXPECT_FALSE(session->graphs().disabled());
  EXPECT_EQ(invoke(in, out, retried), Mode::Capture);
  EXPECT_FALSE(retried);
  EXPECT_EQ(out, plusOne(in));
  EXPECT_EQ(invoke(in, out, retried), Mode::Replay);
  EXPECT_EQ(out, plusOne(in));
}

TEST_F(CudaGraphTest, OffWithoutTheDriverOrWhenAsked) {
  EXPECT_TRUE(gpu::GraphRunner(device.get(), false).disabled());
  ::setenv("LOOM_CUDA_GRAPHS", "0", 1);
  EXPECT_FALSE(gpu::GraphRunner::enabledByEnvironment());
  ::setenv("LOOM_CUDA_GRAPHS", "1", 1);
  EXPECT_TRUE(gpu::GraphRunner::enabledByEnvironment());
  ::unsetenv("LOOM_CUDA_GRAPHS");
  EXPECT_TRUE(gpu::GraphRunner::enabledByEnvironment());

  cuda::Driver old = fakeDriver();
  old.cuGraphLaunch = nullptr; // a driver without graphs
  auto oldDevice = cuda::Device::withDriver(&old, "old");
  gpu::GraphRunner noGraphs(oldDevice.get(), true);
  EXPECT_TRUE(noGraphs.disabled());
  EXPECT_NE(noGraphs.disabledBecause().find("no graphs"), std::string::npos);
  cuda::Driver unpooled = fakeDriver();
  unpooled.cuMemAllocAsync = nullptr;
  auto unpooledDevice = cuda::Device::withDriver(&unpooled, "unpooled");
  EXPECT_TRUE(gpu::GraphRunner(unpooledDevice.get(), true).disabled());

  // Off: the invocation runs eagerly with real streams and allocations.
  gpu::SessionState off(device.get(), false);
  gpu::Scope scope(device.get(), nullptr, &off);
  EXPECT_EQ(off.graphs().begin("k"), Mode::Eager);
  std::vector<float> in = {1}, out = {0};
  int allocs = fake.asyncAllocs;
  hostCode(in.data(), out.data(), 1);
  EXPECT_EQ(out[0], 2);
  EXPECT_EQ(fake.asyncAllocs, allocs + 1);
  EXPECT_EQ(scope.takeError(), nullptr);
}

} // namespace
