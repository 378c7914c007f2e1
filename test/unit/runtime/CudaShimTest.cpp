//===- CudaShimTest.cpp - The CUDA device under the mgpu* shim, no GPU ----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Drives cuda::Device through the mgpu* functions compiled CUDA host code
// calls, over a fake driver table that records what would reach
// libcuda.so.1: the cuTensorMapEncodeTiled arguments a TMA descriptor turns
// into, the bytes copied to the device, what is allocated and freed, and
// the shared-memory opt-in of large launches.
//
//===----------------------------------------------------------------------===//

#include "CudaDriver.h"
#include "GpuSession.h"
#include "TensorMap.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <vector>

using namespace loom;

extern "C" {
void *mgpuTensorMapEncodeTiledMemref(int64_t tensorRank, void *descriptor,
                                     int64_t dataType, int64_t interleave,
                                     int64_t swizzle, int64_t l2Promotion,
                                     int64_t oobFill, int64_t *boxDims);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount);
void mgpuLaunchClusterKernel(void *function, intptr_t clusterX,
                             intptr_t clusterY, intptr_t clusterZ,
                             intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                             intptr_t blockX, intptr_t blockY, intptr_t blockZ,
                             int32_t smem, void *stream, void **params,
                             void **extra, size_t paramsCount);
}

namespace {

/// What the fake libcuda saw.
struct Recorded {
  // cuTensorMapEncodeTiled's last arguments.
  int encodes = 0, dataType = -1, interleave = -1, swizzle = -1, l2 = -1,
      oob = -1;
  uint32_t rank = 0;
  void *address = nullptr;
  std::vector<uint64_t> dims, strides;
  std::vector<uint32_t> box, elementStrides;
  // Device memory: address -> contents.
  std::map<cuda::CUdeviceptr, std::vector<uint8_t>> memory;
  cuda::CUdeviceptr next = 0x10000;
  int allocs = 0, frees = 0, uploads = 0, syncs = 0, launches = 0;
  std::vector<std::pair<int, int>> attributes;
  cuda::LaunchConfig exConfig{};
  cuda::LaunchAttribute exAttribute{};
  void **exParams = nullptr;
  int failEncode = 0;
} rec;

int fakeEncode(void *map, int dataType, uint32_t rank, void *address,
               const uint64_t *dims, const uint64_t *strides,
               const uint32_t *box, const uint32_t *elementStrides,
               int interleave, int swizzle, int l2, int oob) {
  ++rec.encodes;
  if (rec.failEncode)
    return rec.failEncode;
  rec.dataType = dataType;
  rec.rank = rank;
  rec.address = address;
  rec.dims.assign(dims, dims + rank);
  rec.strides.assign(strides, strides + (rank - 1));
  rec.box.assign(box, box + rank);
  rec.elementStrides.assign(elementStrides, elementStrides + rank);
  rec.interleave = interleave;
  rec.swizzle = swizzle;
  rec.l2 = l2;
  rec.oob = oob;
  // An encoding that depends on every argument, as the real one does.
  uint64_t words[16] = {};
  words[0] = reinterpret_cast<uint64_t>(address);
  words[1] = uint64_t(dataType) | uint64_t(rank) << 8 |
             uint64_t(interleave) << 16 | uint64_t(swizzle) << 24 |
             uint64_t(l2) << 32 | uint64_t(oob) << 40;
  for (uint32_t i = 0; i < rank; ++i) {
    words[2 + i] = dims[i];
    words[7 + i] = box[i];
    if (i + 1 < rank)
      words[12 + i] = strides[i];
  }
  std::memcpy(map, words, sizeof(words));
  return 0;
}

int fakeMemAlloc(cuda::CUdeviceptr *p, size_t bytes) {
  ++rec.allocs;
  *p = rec.next;
  rec.memory[*p].assign(bytes, 0xcd);
  rec.next += 0x1000;
  return 0;
}
int fakeMemFree(cuda::CUdeviceptr p) {
  ++rec.frees;
  return rec.memory.erase(p) ? 0 : 1;
}
int fakeHtoD(cuda::CUdeviceptr dst, const void *src, size_t bytes) {
  ++rec.uploads;
  auto it = rec.memory.find(dst);
  if (it == rec.memory.end() || it->second.size() < bytes)
    return 1; // CUDA_ERROR_INVALID_VALUE
  std::memcpy(it->second.data(), src, bytes);
  return 0;
}
int fakeCtxSynchronize() { return ++rec.syncs, 0; }
int fakeFuncSetAttribute(cuda::CUfunction, int attribute, int value) {
  rec.attributes.emplace_back(attribute, value);
  return 0;
}
int fakeLaunch(cuda::CUfunction, unsigned, unsigned, unsigned, unsigned,
               unsigned, unsigned, unsigned, cuda::CUstream, void **,
               void **) {
  return ++rec.launches, 0;
}
int fakeLaunchEx(const cuda::LaunchConfig *config, cuda::CUfunction,
                 void **params, void **) {
  ++rec.launches;
  rec.exConfig = *config;
  if (config->numAttrs == 1)
    rec.exAttribute = config->attrs[0];
  rec.exParams = params;
  return 0;
}
int fakeErrorString(int r, const char **text) {
  *text = r == 1 ? "invalid argument" : "unknown error";
  return 0;
}

cuda::Driver fakeDriver() {
  cuda::Driver d{};
  d.cuTensorMapEncodeTiled = fakeEncode;
  d.cuMemAlloc = fakeMemAlloc;
  d.cuMemFree = fakeMemFree;
  d.cuMemcpyHtoD = fakeHtoD;
  d.cuCtxSynchronize = fakeCtxSynchronize;
  d.cuFuncSetAttribute = fakeFuncSetAttribute;
  d.cuLaunchKernel = fakeLaunch;
  d.cuLaunchKernelEx = fakeLaunchEx;
  d.cuGetErrorString = fakeErrorString;
  return d;
}

/// A ranked memref descriptor as compiled code builds it.
template <int Rank> struct Memref {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[Rank];
  int64_t strides[Rank];
};

std::string takeMessage(gpu::Scope &scope) {
  loom_status_t st = scope.takeError();
  std::string message = loom_status_message(st);
  loom_status_free(st);
  return message;
}

// CUtensorMapDataType values.
constexpr int64_t kF16 = 6, kF32 = 7, kBF16 = 9;

TEST(TensorMapTest, TranslatesAMemrefInnermostFirst) {
  alignas(128) static char data[1 << 16];
  // memref<128x64xf16, strided<[72, 1], offset: 8>>: a padded row pitch.
  Memref<2> m{data, data, 8, {128, 64}, {72, 1}};
  int64_t box[2] = {64, 32}; // outermost first, as the lowering passes it
  gpu::TensorMapArgs a;
  ASSERT_EQ(gpu::translateTensorMap(2, &m, kF16, 0, 3, 2, 0, box, a), "");
  EXPECT_EQ(a.rank, 2u);
  EXPECT_EQ(a.dataType, kF16);
  EXPECT_EQ(a.address, data + 16); // offset 8 halves
  EXPECT_EQ(a.globalDim[0], 64u);
  EXPECT_EQ(a.globalDim[1], 128u);
  EXPECT_EQ(a.globalStrides[0], 144u); // 72 elements * 2 bytes
  EXPECT_EQ(a.boxDim[0], 32u);
  EXPECT_EQ(a.boxDim[1], 64u);
  EXPECT_EQ(a.elementStrides[0], 1u);
  EXPECT_EQ(a.elementStrides[1], 1u);
  EXPECT_EQ(a.swizzle, 3);
  EXPECT_EQ(a.l2Promotion, 2);

  // Rank 3: dims and strides both reversed; the innermost stride is
  // implied (1 element) and not passed.
  Memref<3> m3{data, data, 0, {4, 16, 32}, {16 * 32, 32, 1}};
  int64_t box3[3] = {1, 8, 32};
  ASSERT_EQ(gpu::translateTensorMap(3, &m3, kF32, 0, 0, 0, 1, box3, a), "");
  EXPECT_EQ(a.address, data);
  EXPECT_EQ(a.globalDim[0], 32u);
  EXPECT_EQ(a.globalDim[1], 16u);
  EXPECT_EQ(a.globalDim[2], 4u);
  EXPECT_EQ(a.globalStrides[0], 32u * 4);
  EXPECT_EQ(a.globalStrides[1], 16u * 32 * 4);
  EXPECT_EQ(a.boxDim[0], 32u);
  EXPECT_EQ(a.boxDim[1], 8u);
  EXPECT_EQ(a.boxDim[2], 1u);
  EXPECT_EQ(a.oobFill, 1);
}

TEST(TensorMapTest, RejectsWhatTheDriverWouldRefuse) {
  alignas(128) static char data[1 << 16];
  Memref<2> m{data, data, 0, {64, 64}, {64, 1}};
  int64_t box[2] = {64, 64};
  gpu::TensorMapArgs a;
  auto error = [&](int64_t rank, int64_t dtype, int64_t swizzle) {
    return gpu::translateTensorMap(rank, &m, dtype, 0, swizzle, 0, 0, box, a);
  };
  EXPECT_NE(error(0, kF16, 0).find("rank 1 to 5, not 0"), std::string::npos);
  EXPECT_NE(error(6, kF16, 0).find("rank 1 to 5, not 6"), std::string::npos);
  EXPECT_NE(error(2, 42, 0).find("unknown TMA data type 42"),
            std::string::npos);
  EXPECT_EQ(error(2, kBF16, 0), "");
  // 64 bf16 = 128 bytes: fits the 128-byte swizzle, not the 64-byte one.
  EXPECT_EQ(error(2, kBF16, 3), "");
  EXPECT_NE(error(2, kBF16, 2).find("more than the 64-byte swizzle"),
            std::string::npos);
  box[1] = 300;
  EXPECT_NE(error(2, kF16, 0).find("box dimension 1 is 300"),
            std::string::npos);
  box[1] = 4; // 8 bytes: not a multiple of 16
  EXPECT_NE(error(2, kF16, 0).find("multiple of 16 bytes"), std::string::npos);
  box[1] = 64;
  m.offset = 1; // 2 bytes in: misaligned
  EXPECT_NE(error(2, kF16, 0).find("16-byte aligned"), std::string::npos);
  m.offset = 0;
  m.strides[0] = 60; // 120-byte rows
  EXPECT_NE(error(2, kF16, 0).find("multiples of 16"), std::string::npos);
  m.strides[0] = 64;
  m.strides[1] = 2; // a transposed view
  std::string e = error(2, kF16, 0);
  EXPECT_NE(e.find("innermost dimension of a TMA tensor must be contiguous"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("dims [64, 64]"), std::string::npos) << e;
}

TEST(CudaShimTest, TensorMapIsEncodedCopiedAndReused) {
  cuda::Driver driver = fakeDriver();
  auto device = cuda::Device::withDriver(&driver, "fake");
  rec = Recorded{};
  alignas(128) static char data[1 << 16];
  {
    gpu::SessionState session(device.get(), /*graphs=*/false);
    gpu::Scope scope(device.get(), nullptr, &session);
    Memref<2> m{data, data, 0, {256, 128}, {128, 1}};
    int64_t box[2] = {128, 64};
    void *map = mgpuTensorMapEncodeTiledMemref(2, &m, kBF16, 0, 3, 2, 0, box);
    ASSERT_EQ(scope.takeError(), nullptr);
    ASSERT_NE(map, nullptr);
    // What reached cuTensorMapEncodeTiled.
    EXPECT_EQ(rec.encodes, 1);
    EXPECT_EQ(rec.dataType, kBF16);
    EXPECT_EQ(rec.rank, 2u);
    EXPECT_EQ(rec.address, data);
    EXPECT_EQ(rec.dims, (std::vector<uint64_t>{128, 256}));
    EXPECT_EQ(rec.strides, (std::vector<uint64_t>{256}));
    EXPECT_EQ(rec.box, (std::vector<uint32_t>{64, 128}));
    EXPECT_EQ(rec.elementStrides, (std::vector<uint32_t>{1, 1}));
    EXPECT_EQ(rec.interleave, 0);
    EXPECT_EQ(rec.swizzle, 3);
    EXPECT_EQ(rec.l2, 2);
    EXPECT_EQ(rec.oob, 0);
    // The returned pointer is device memory holding the encoded 128 bytes.
    auto it = rec.memory.find(reinterpret_cast<cuda::CUdeviceptr>(map));
    ASSERT_NE(it, rec.memory.end());
    ASSERT_EQ(it->second.size(), 128u);
    uint64_t expect[16];
    fakeEncode(expect, kBF16, 2, data, rec.dims.data(), rec.strides.data(),
               rec.box.data(), rec.elementStrides.data(), 0, 3, 2, 0);
    EXPECT_EQ(std::memcmp(it->second.data(), expect, 128), 0);
    EXPECT_EQ(rec.allocs, 1);
    EXPECT_EQ(rec.uploads, 1);

    // The same map again (the next invocation): no allocation or copy.
    session.beginInvocation();
    EXPECT_EQ(mgpuTensorMapEncodeTiledMemref(2, &m, kBF16, 0, 3, 2, 0, box),
              map);
    EXPECT_EQ(rec.allocs, 1);
    EXPECT_EQ(rec.uploads, 1);
    // Another box is another map.
    int64_t box2[2] = {64, 64};
    void *map2 =
        mgpuTensorMapEncodeTiledMemref(2, &m, kBF16, 0, 3, 2, 0, box2);
    EXPECT_NE(map2, nullptr);
    EXPECT_NE(map2, map);
    EXPECT_EQ(rec.allocs, 2);
    EXPECT_EQ(session.tensorMaps().size(), 2u);
    EXPECT_EQ(scope.takeError(), nullptr);
  }
  // The session's end frees both copies.
  EXPECT_EQ(rec.frees, 2);
  EXPECT_TRUE(rec.memory.empty());
}

TEST(CudaShimTest, TensorMapOfAnEmptyTensorIsNotEncoded) {
  cuda::Driver driver = fakeDriver();
  auto device = cuda::Device::withDriver(&driver, "fake");
  rec = Recorded{};
  {
    gpu::SessionState session(device.get(), /*graphs=*/false);
    gpu::Scope scope(device.get(), nullptr, &session);
    // No rows this call: the driver is not asked (it rejects size 0), the
    // call succeeds with a zeroed map that no launched kernel reads.
    Memref<2> m{nullptr, nullptr, 0, {0, 128}, {128, 1}};
    int64_t box[2] = {128, 64};
    void *map = mgpuTensorMapEncodeTiledMemref(2, &m, kBF16, 0, 3, 2, 0, box);
    EXPECT_EQ(scope.takeError(), nullptr);
    ASSERT_NE(map, nullptr);
    EXPECT_EQ(rec.encodes, 0);
    auto it = rec.memory.find(reinterpret_cast<cuda::CUdeviceptr>(map));
    ASSERT_NE(it, rec.memory.end());
    EXPECT_EQ(it->second, std::vector<uint8_t>(128, 0));
    // A negative size is still an error.
    m.sizes[0] = -1;
    EXPECT_EQ(mgpuTensorMapEncodeTiledMemref(2, &m, kBF16, 0, 3, 2, 0, box),
              nullptr);
    EXPECT_NE(takeMessage(scope).find("has size -1"), std::string::npos);
  }
}

TEST(CudaShimTest, TensorMapsOfManyShapesAreDroppedBetweenInvocations) {
  cuda::Driver driver = fakeDriver();
  auto device = cuda::Device::withDriver(&driver, "fake");
  rec = Recorded{};
  alignas(128) static char data[1 << 16];
  gpu::SessionState session(device.get(), /*graphs=*/false);
  gpu::Scope scope(device.get(), nullptr, &session);
  int64_t box[1] = {16};
  size_t n = gpu::SessionState::kMaxTensorMaps + 1;
  for (size_t i = 0; i < n; ++i) {
    Memref<1> m{data, data, 0, {int64_t(16 + i)}, {1}};
    ASSERT_NE(mgpuTensorMapEncodeTiledMemref(1, &m, kF32, 0, 0, 0, 0, box),
              nullptr);
  }
  EXPECT_EQ(session.tensorMaps().size(), n);
  EXPECT_EQ(rec.frees, 0); // never in the middle of an invocation
  session.beginInvocation();
  EXPECT_EQ(rec.syncs, 1); // the device is done with them first
  EXPECT_EQ(rec.frees, int(n));
  EXPECT_EQ(session.tensorMaps().size(), 0u);
  EXPECT_EQ(scope.takeError(), nullptr);
}

TEST(CudaShimTest, TensorMapErrorsAreReportedNotFatal) {
  cuda::Driver driver = fakeDriver();
  auto device = cuda::Device::withDriver(&driver, "fake");
  rec = Recorded{};
  alignas(128) static char data[4096];
  Memref<2> m{data, data, 0, {32, 32}, {32, 1}};
  int64_t box[2] = {32, 32};
  {
    // Outside an invocation (no session).
    gpu::Scope scope(device.get());
    EXPECT_EQ(mgpuTensorMapEncodeTiledMemref(2, &m, kF32, 0, 0, 0, 0, box),
              nullptr);
    EXPECT_NE(takeMessage(scope).find("outside an invocation"),
              std::string::npos);
  }
  gpu::SessionState session(device.get(), /*graphs=*/false);
  gpu::Scope scope(device.get(), nullptr, &session);
  EXPECT_EQ(mgpuTensorMapEncodeTiledMemref(7, &m, kF32, 0, 0, 0, 0, box),
            nullptr);
  EXPECT_NE(takeMessage(scope).find("creating a TMA descriptor: a TMA "
                                    "descriptor has rank 1 to 5, not 7"),
            std::string::npos);
  EXPECT_EQ(rec.encodes, 0);

  // The driver's refusal, in its words, with the arguments.
  rec.failEncode = 1;
  EXPECT_EQ(mgpuTensorMapEncodeTiledMemref(2, &m, kF32, 0, 0, 0, 0, box),
            nullptr);
  std::string message = takeMessage(scope);
  EXPECT_NE(message.find("encoding a TMA descriptor (data type 7, rank 2"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("CUDA error 1: invalid argument"), std::string::npos)
      << message;

  // A driver older than CUDA 12.
  rec.failEncode = 0;
  driver.cuTensorMapEncodeTiled = nullptr;
  EXPECT_EQ(mgpuTensorMapEncodeTiledMemref(2, &m, kF32, 0, 0, 0, 0, box),
            nullptr);
  EXPECT_NE(takeMessage(scope).find("lacks cuTensorMapEncodeTiled"),
            std::string::npos);
  EXPECT_EQ(rec.allocs, 0);
}

TEST(CudaShimTest, LargeSharedMemoryLaunchesOptIn) {
  cuda::Driver driver = fakeDriver();
  auto device = cuda::Device::withDriver(&driver, "fake");
  rec = Recorded{};
  gpu::Scope scope(device.get());
  void *fn = reinterpret_cast<void *>(0x4000);
  mgpuLaunchKernel(fn, 1, 1, 1, 128, 1, 1, 48 * 1024, nullptr, nullptr,
                   nullptr, 0);
  EXPECT_TRUE(rec.attributes.empty()); // the default limit suffices
  mgpuLaunchKernel(fn, 1, 1, 1, 128, 1, 1, 200 * 1024, nullptr, nullptr,
                   nullptr, 0);
  mgpuLaunchKernel(fn, 1, 1, 1, 128, 1, 1, 100 * 1024, nullptr, nullptr,
                   nullptr, 0);
  ASSERT_EQ(rec.attributes.size(), 1u); // once, for the largest so far
  EXPECT_EQ(rec.attributes[0].first, 8); // MAX_DYNAMIC_SHARED_SIZE_BYTES
  EXPECT_EQ(rec.attributes[0].second, 200 * 1024);
  EXPECT_EQ(rec.launches, 3);
  EXPECT_EQ(scope.takeError(), nullptr);
}

TEST(CudaShimTest, ClusterLaunchesGoThroughLaunchKernelEx) {
  cuda::Driver driver = fakeDriver();
  auto device = cuda::Device::withDriver(&driver, "fake");
  rec = Recorded{};
  gpu::Scope scope(device.get());
  void *fn = reinterpret_cast<void *>(0x4000);
  void *params[1] = {nullptr};
  auto *stream = reinterpret_cast<void *>(0x77);
  mgpuLaunchClusterKernel(fn, 2, 1, 1, 8, 4, 1, 128, 1, 1, 100 * 1024, stream,
                          params, nullptr, 1);
  EXPECT_EQ(scope.takeError(), nullptr);
  ASSERT_EQ(rec.launches, 1);
  EXPECT_EQ(rec.exConfig.gridDimX, 8u);
  EXPECT_EQ(rec.exConfig.gridDimY, 4u);
  EXPECT_EQ(rec.exConfig.blockDimX, 128u);
  EXPECT_EQ(rec.exConfig.sharedMemBytes, 100u * 1024);
  EXPECT_EQ(rec.exConfig.hStream, static_cast<cuda::CUstream>(stream));
  EXPECT_EQ(rec.exConfig.numAttrs, 1u);
  EXPECT_EQ(rec.exAttribute.id, cuda::kLaunchAttributeClusterDimension);
  EXPECT_EQ(rec.exAttribute.value.clusterDim.x, 2u);
  EXPECT_EQ(rec.exAttribute.value.clusterDim.y, 1u);
  EXPECT_EQ(rec.exAttribute.value.clusterDim.z, 1u);
  EXPECT_EQ(rec.exParams, params);
  EXPECT_EQ(rec.attributes.size(), 1u); // the shared-memory opt-in

  // A 1x1x1 cluster is a plain launch.
  mgpuLaunchClusterKernel(fn, 1, 1, 1, 3, 1, 1, 32, 1, 1, 0, stream, params,
                          nullptr, 1);
  EXPECT_EQ(rec.launches, 2);
  EXPECT_EQ(rec.exConfig.gridDimX, 8u);

  // A grid that is not whole clusters is refused before the driver.
  mgpuLaunchClusterKernel(fn, 2, 1, 1, 3, 1, 1, 32, 1, 1, 0, stream, params,
                          nullptr, 1);
  EXPECT_EQ(rec.launches, 2);
  EXPECT_NE(takeMessage(scope).find("not a whole number of clusters"),
            std::string::npos);

  driver.cuLaunchKernelEx = nullptr;
  mgpuLaunchClusterKernel(fn, 2, 1, 1, 8, 1, 1, 32, 1, 1, 0, stream, params,
                          nullptr, 1);
  EXPECT_NE(takeMessage(scope).find("lacks cuLaunchKernelEx"),
            std::string::npos);
}

} // namespace

//===----------------------------------------------------------------------===//
// Outputs on the device and the kernel profile
//===----------------------------------------------------------------------===//

extern "C" {
void *mgpuMemAlloc(uint64_t size, void *stream, bool hostShared);
uintptr_t loom_gpu_outputs_on_device();
}

namespace {

/// The pool and the timing events of the fake driver.
struct PoolAndEvents {
  std::vector<cuda::CUdeviceptr> asyncAllocs, asyncFrees;
  int eventsCreated = 0, eventsDestroyed = 0, records = 0, eventSyncs = 0;
  std::vector<unsigned> createFlags;
  std::map<cuda::CUevent, int> recordedAt; // event -> record order
} pe;

int fakeAllocAsync(cuda::CUdeviceptr *p, size_t bytes, cuda::CUstream) {
  pe.asyncAllocs.push_back(rec.next);
  return fakeMemAlloc(p, bytes);
}
int fakeFreeAsync(cuda::CUdeviceptr p, cuda::CUstream) {
  pe.asyncFrees.push_back(p);
  return rec.memory.erase(p) ? 0 : 1;
}
int fakeEventCreate(cuda::CUevent *e, unsigned flags) {
  pe.createFlags.push_back(flags);
  *e = reinterpret_cast<cuda::CUevent>(uintptr_t(0x100 + ++pe.eventsCreated));
  return 0;
}
int fakeEventDestroy(cuda::CUevent) { return ++pe.eventsDestroyed, 0; }
int fakeEventRecord(cuda::CUevent e, cuda::CUstream) {
  pe.recordedAt[e] = ++pe.records;
  return 0;
}
int fakeEventSynchronize(cuda::CUevent) { return ++pe.eventSyncs, 0; }
// A launch "takes" 0.25 ms per record step between its two events.
int fakeElapsed(float *ms, cuda::CUevent start, cuda::CUevent end) {
  if (!pe.recordedAt.count(start) || !pe.recordedAt.count(end))
    return 1;
  *ms = 0.25f * float(pe.recordedAt[end] - pe.recordedAt[start]);
  return 0;
}

cuda::Driver poolAndEventDriver(bool timing) {
  cuda::Driver d = fakeDriver();
  d.cuMemAllocAsync = fakeAllocAsync;
  d.cuMemFreeAsync = fakeFreeAsync;
  d.cuEventCreate = fakeEventCreate;
  d.cuEventDestroy = fakeEventDestroy;
  d.cuEventRecord = fakeEventRecord;
  d.cuEventSynchronize = fakeEventSynchronize;
  d.cuEventElapsedTime = timing ? fakeElapsed : nullptr;
  return d;
}

void launchNamed(cuda::Device &device, const char *name, void *fn) {
  device.nameFunction(fn, name);
  mgpuLaunchKernel(fn, 1, 1, 1, 32, 1, 1, 0, nullptr, nullptr, nullptr, 0);
}

} // namespace

TEST(CudaShimTest, OutputsStayOnTheDeviceOnlyWhenTheSessionAndHostCodeAgree) {
  cuda::Driver driver = poolAndEventDriver(true);
  auto device = cuda::Device::withDriver(&driver, "fake");
  rec = Recorded{};
  pe = PoolAndEvents{};
  gpu::SessionState session(device.get(), /*graphs=*/false);
  gpu::Scope scope(device.get(), nullptr, &session);
  // Off by default: the host code is told to copy its outputs back.
  session.beginOutputs(session.outputsOnDevice);
  EXPECT_EQ(loom_gpu_outputs_on_device(), 0u);
  EXPECT_FALSE(session.outputsHandedOut());
  // On: the host code asks and gets a yes, so its results are device buffers.
  session.outputsOnDevice = true;
  session.beginOutputs(session.outputsOnDevice);
  EXPECT_FALSE(session.outputsHandedOut()); // host code that never asks
  EXPECT_EQ(loom_gpu_outputs_on_device(), 1u);
  EXPECT_TRUE(session.outputsHandedOut());
  // Outside an invocation nothing stays on the device.
  {
    gpu::Scope outside(device.get());
    EXPECT_EQ(loom_gpu_outputs_on_device(), 0u);
  }
  EXPECT_EQ(takeMessage(scope), "");
}

TEST(CudaShimTest, HandedOutBuffersGoBackToThePool) {
  rec = Recorded{};
  pe = PoolAndEvents{};
  {
    cuda::Driver driver = poolAndEventDriver(true);
    auto device = cuda::Device::withDriver(&driver, "fake");
    ASSERT_TRUE(device->pooled());
    gpu::Scope scope(device.get());
    void *out = mgpuMemAlloc(64, nullptr, false);
    ASSERT_EQ(pe.asyncAllocs.size(), 1u);
    EXPECT_EQ(reinterpret_cast<cuda::CUdeviceptr>(out), pe.asyncAllocs[0]);
    gpu::freeAllocated(device.get(), out);
    ASSERT_EQ(pe.asyncFrees.size(), 1u);
    EXPECT_EQ(pe.asyncFrees[0], pe.asyncAllocs[0]);
    EXPECT_EQ(rec.frees, 0); // not cuMemFree
    EXPECT_TRUE(rec.memory.empty());
    gpu::freeAllocated(device.get(), nullptr); // an empty output
    EXPECT_EQ(pe.asyncFrees.size(), 1u);
    EXPECT_EQ(takeMessage(scope), "");
  }
  // Without a pool: cuMemFree once the device is idle.
  cuda::Driver plain = fakeDriver();
  auto device = cuda::Device::withDriver(&plain, "fake");
  ASSERT_FALSE(device->pooled());
  gpu::Scope scope(device.get());
  void *out = mgpuMemAlloc(64, nullptr, false);
  int syncs = rec.syncs;
  gpu::freeAllocated(device.get(), out);
  EXPECT_EQ(rec.frees, 1);
  EXPECT_GT(rec.syncs, syncs);
  EXPECT_TRUE(rec.memory.empty());
}

TEST(CudaShimTest, ProfileTimesEachLaunchAndReusesItsEvents) {
  cuda::Driver driver = poolAndEventDriver(true);
  auto device = cuda::Device::withDriver(&driver, "fake");
  rec = Recorded{};
  pe = PoolAndEvents{};
  int a = 0, b = 0;
  {
    gpu::SessionState session(device.get(), /*graphs=*/true,
                              /*profile=*/true);
    ASSERT_NE(session.profile(), nullptr);
    EXPECT_TRUE(session.graphs().disabled()); // launches one by one
    gpu::Scope scope(device.get(), nullptr, &session);
    for (int round = 0; round < 2; ++round) {
      launchNamed(*device, "gemm", &a);
      launchNamed(*device, "add", &b);
      launchNamed(*device, "gemm", &a);
      std::string line = session.profile()->finish();
      // Each launch is 1 record step long (0.25 ms).
      EXPECT_EQ(line, "loom profile: kernels 0.750 ms in 3 launches; top: "
                      "gemm x2 0.500 ms, add x1 0.250 ms")
          << line;
      EXPECT_EQ(pe.eventsCreated, 6); // the second round reuses them
    }
    EXPECT_EQ(rec.launches, 6);
    EXPECT_EQ(pe.records, 12);
    for (unsigned flags : pe.createFlags)
      EXPECT_EQ(flags, 0u); // timing events
    EXPECT_EQ(session.profile()->finish(), ""); // nothing launched
    EXPECT_EQ(takeMessage(scope), "");
  }
  EXPECT_EQ(pe.eventsDestroyed, 6);
}

TEST(CudaShimTest, ProfileWithoutEventTimingSaysSoOnceAndLaunchesGoOn) {
  cuda::Driver driver = poolAndEventDriver(/*timing=*/false);
  auto device = cuda::Device::withDriver(&driver, "fake");
  rec = Recorded{};
  pe = PoolAndEvents{};
  int a = 0;
  gpu::SessionState session(device.get(), false, true);
  gpu::Scope scope(device.get(), nullptr, &session);
  launchNamed(*device, "gemm", &a);
  std::string line = session.profile()->finish();
  EXPECT_NE(line.find("loom profile: off"), std::string::npos) << line;
  EXPECT_NE(line.find("cuEventElapsedTime"), std::string::npos) << line;
  launchNamed(*device, "gemm", &a);
  EXPECT_EQ(session.profile()->finish(), "");
  EXPECT_EQ(rec.launches, 2);
  EXPECT_EQ(takeMessage(scope), "");
}
