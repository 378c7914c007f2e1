//===- HipLoaderTest.cpp - The HIP device's loader and launches, no GPU ---===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Parses a real code object (amdgpu/test_kernels.ll, built for gfx942 by
// llc-22 + ld.lld) and drives the HIP device through the same mgpu*
// functions compiled ROCm host code calls, over a fake HIP API table that
// records what would reach libamdhip64: the image loaded, the kernel looked
// up, the kernarg buffer and launch shape. Also: malformed images fail with
// an error and never read out of bounds, and errors name the kernel.
//
//===----------------------------------------------------------------------===//

#include "CodeObject.h"
#include "GpuDevice.h"
#include "HipDriver.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

using namespace loom;

extern "C" {
void *mgpuModuleLoad(void *data, size_t size);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount);
void *mgpuMemAlloc(uint64_t size, void *stream, bool isHostShared);
}

namespace {

std::vector<uint8_t> readFixture() {
  std::ifstream in(LOOM_TEST_HSACO_PATH, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

/// What the fake libamdhip64 saw.
struct Recorded {
  const void *loadedImage = nullptr;
  std::string function;
  unsigned grid[3] = {}, block[3] = {}, shared = 0;
  void **kernelParams = reinterpret_cast<void **>(1);
  std::vector<uint8_t> kernargs;
  size_t kernargBytes = 0;
  int launches = 0, unloads = 0;
} rec;

int fakeModuleLoadData(hip::hipModule_t *m, const void *image) {
  rec.loadedImage = image;
  *m = reinterpret_cast<hip::hipModule_t>(0x1000);
  return 0;
}
int fakeModuleUnload(hip::hipModule_t) { return ++rec.unloads, 0; }
int fakeModuleGetFunction(hip::hipFunction_t *f, hip::hipModule_t,
                          const char *name) {
  rec.function = name;
  *f = reinterpret_cast<hip::hipFunction_t>(0x2000);
  return 0;
}
int fakeLaunch(hip::hipFunction_t, unsigned gx, unsigned gy, unsigned gz,
               unsigned bx, unsigned by, unsigned bz, unsigned shared,
               hip::hipStream_t, void **params, void **extra) {
  ++rec.launches;
  unsigned g[3] = {gx, gy, gz}, b[3] = {bx, by, bz};
  std::memcpy(rec.grid, g, sizeof(g));
  std::memcpy(rec.block, b, sizeof(b));
  rec.shared = shared;
  rec.kernelParams = params;
  // HIP_LAUNCH_PARAM_BUFFER_POINTER, ptr, _BUFFER_SIZE, &size, _END.
  if (extra && extra[0] == reinterpret_cast<void *>(1) &&
      extra[2] == reinterpret_cast<void *>(2) &&
      extra[4] == reinterpret_cast<void *>(3)) {
    rec.kernargBytes = *static_cast<size_t *>(extra[3]);
    auto *p = static_cast<uint8_t *>(extra[1]);
    rec.kernargs.assign(p, p + rec.kernargBytes);
  }
  return 0;
}
int fakeMalloc(void **p, size_t) { return *p = nullptr, 2; } // out of memory
int fakeSetDevice(int) { return 0; }
const char *fakeErrorName(int e) {
  return e == 2 ? "hipErrorOutOfMemory" : "hipErrorUnknown";
}
const char *fakeErrorString(int) { return "fake"; }

hip::Api fakeApi() {
  hip::Api api{};
  api.hipModuleLoadData = fakeModuleLoadData;
  api.hipModuleUnload = fakeModuleUnload;
  api.hipModuleGetFunction = fakeModuleGetFunction;
  api.hipModuleLaunchKernel = fakeLaunch;
  api.hipMalloc = fakeMalloc;
  api.hipSetDevice = fakeSetDevice;
  api.hipGetErrorName = fakeErrorName;
  api.hipGetErrorString = fakeErrorString;
  return api;
}

TEST(CodeObjectTest, ReadsTheKernelsOfAnHsaco) {
  std::vector<uint8_t> image = readFixture();
  ASSERT_GT(image.size(), 64u);
  EXPECT_EQ(amdgpu::elfImageSize(image.data()), image.size());
  amdgpu::CodeObject code;
  ASSERT_EQ(amdgpu::parseCodeObject(image.data(), image.size(), code), "");
  EXPECT_EQ(code.chip, "gfx942");
  EXPECT_GE(code.abiVersion, 5u);
  ASSERT_EQ(code.kernels.size(), 2u);
  EXPECT_EQ(code.kernelNames(), "scale, fill");

  const amdgpu::KernelInfo *scale = code.find("scale");
  ASSERT_NE(scale, nullptr);
  EXPECT_EQ(scale->symbol, "scale.kd");
  EXPECT_EQ(scale->explicitArgCount(), 4u);
  ASSERT_GE(scale->args.size(), 4u);
  uint32_t offsets[] = {0, 8, 16, 24}, sizes[] = {8, 8, 8, 4};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(scale->args[i].offset, offsets[i]) << i;
    EXPECT_EQ(scale->args[i].size, sizes[i]) << i;
  }
  EXPECT_EQ(scale->args[0].valueKind, "global_buffer");
  EXPECT_EQ(scale->args[3].valueKind, "by_value");
  EXPECT_TRUE(scale->args[4].hidden());
  EXPECT_EQ(scale->groupSegmentFixedSize, 1024u); // 256 floats of LDS
  EXPECT_EQ(scale->privateSegmentFixedSize, 0u);
  EXPECT_EQ(scale->maxFlatWorkgroupSize, 256u);
  EXPECT_EQ(scale->wavefrontSize, 64u);
  EXPECT_GT(scale->vgprCount, 0u);
  EXPECT_GE(scale->kernargSegmentSize, 28u);
  EXPECT_EQ(code.find("fill")->maxFlatWorkgroupSize, 1024u);
  EXPECT_EQ(code.find("nope"), nullptr);
}

TEST(CodeObjectTest, RejectsWhatIsNotAnAmdgpuCodeObject) {
  amdgpu::CodeObject code;
  const char text[] = "not an elf at all, but long enough to have a header...."
                      "..................";
  EXPECT_EQ(amdgpu::parseCodeObject(text, sizeof(text), code),
            "not an ELF file");
  // The test executable itself: x86-64.
  std::ifstream self("/proc/self/exe", std::ios::binary);
  std::vector<uint8_t> host(std::istreambuf_iterator<char>(self), {});
  EXPECT_NE(amdgpu::parseCodeObject(host.data(), host.size(), code)
                .find("another machine"),
            std::string::npos);
  // Every truncation of a real code object fails cleanly (sanitizers or a
  // crash would catch a read past the end).
  std::vector<uint8_t> image = readFixture();
  for (size_t n = 0; n < image.size(); n += 97) {
    std::vector<uint8_t> cut(image.begin(), image.begin() + n);
    EXPECT_NE(amdgpu::parseCodeObject(cut.data(), cut.size(), code), "") << n;
  }
  // A corrupted metadata note: flip every byte of it in turn; parsing
  // either fails or yields kernels, never reads out of bounds.
  for (size_t i = 0; i < image.size(); i += 13) {
    std::vector<uint8_t> bad = image;
    bad[i] ^= 0xff;
    (void)amdgpu::parseCodeObject(bad.data(), bad.size(), code);
  }
}

TEST(CodeObjectTest, PacksArgumentsAtTheirMetadataOffsets) {
  std::vector<uint8_t> image = readFixture();
  amdgpu::CodeObject code;
  ASSERT_EQ(amdgpu::parseCodeObject(image.data(), image.size(), code), "");
  const amdgpu::KernelInfo &scale = *code.find("scale");
  void *out = reinterpret_cast<void *>(0x1111222233334444);
  void *in = reinterpret_cast<void *>(0x5555666677778888);
  int64_t n = 1000;
  float s = 2.5f;
  void *params[] = {&out, &in, &n, &s};
  std::vector<uint8_t> buffer;
  size_t bytes = 0;
  ASSERT_EQ(amdgpu::packKernelArguments(scale, params, 4, buffer, bytes), "");
  EXPECT_EQ(bytes, 28u);
  ASSERT_EQ(buffer.size(), scale.kernargSegmentSize);
  EXPECT_EQ(std::memcmp(buffer.data() + 0, &out, 8), 0);
  EXPECT_EQ(std::memcmp(buffer.data() + 8, &in, 8), 0);
  EXPECT_EQ(std::memcmp(buffer.data() + 16, &n, 8), 0);
  EXPECT_EQ(std::memcmp(buffer.data() + 24, &s, 4), 0);
  for (size_t i = 28; i < buffer.size(); ++i)
    EXPECT_EQ(buffer[i], 0) << "hidden argument byte " << i;

  std::string error = amdgpu::packKernelArguments(scale, params, 3, buffer,
                                                  bytes);
  EXPECT_NE(error.find("kernel 'scale' takes 4 arguments, the launch passes 3"),
            std::string::npos)
      << error;

  unsigned ok[3] = {256, 1, 1}, tooMany[3] = {16, 32, 1};
  EXPECT_EQ(amdgpu::checkLaunch(scale, ok, 0, 65536), "");
  error = amdgpu::checkLaunch(scale, tooMany, 0, 65536);
  EXPECT_NE(error.find("kernel 'scale' launched with 512 threads"),
            std::string::npos)
      << error;
  error = amdgpu::checkLaunch(scale, ok, 65000, 65536);
  EXPECT_NE(error.find("needs 66024 bytes of LDS"), std::string::npos)
      << error;
}

TEST(HipDeviceTest, LoadsAndLaunchesThroughTheMgpuFunctions) {
  hip::Api api = fakeApi();
  std::shared_ptr<hip::Device> device = hip::Device::withApi(&api, 0, "fake");
  std::vector<uint8_t> image = readFixture();
  rec = Recorded{};
  gpu::Scope scope(device.get());
  // The size is not always passed: the loader finds it from the ELF header.
  void *module = mgpuModuleLoad(image.data(), 0);
  ASSERT_NE(module, nullptr);
  EXPECT_EQ(rec.loadedImage, image.data());
  void *fn = mgpuModuleGetFunction(module, "scale");
  ASSERT_NE(fn, nullptr);
  EXPECT_EQ(rec.function, "scale");

  void *out = reinterpret_cast<void *>(0xabc0);
  void *in = reinterpret_cast<void *>(0xdef0);
  int64_t n = 7;
  float s = -1.0f;
  void *params[] = {&out, &in, &n, &s};
  mgpuLaunchKernel(fn, 3, 2, 1, 256, 1, 1, 0, nullptr, params, nullptr, 4);
  EXPECT_EQ(scope.takeError(), nullptr);
  ASSERT_EQ(rec.launches, 1);
  EXPECT_EQ(rec.grid[0], 3u);
  EXPECT_EQ(rec.grid[1], 2u);
  EXPECT_EQ(rec.block[0], 256u);
  EXPECT_EQ(rec.kernelParams, nullptr); // arguments go through `extra`
  ASSERT_EQ(rec.kernargBytes, 28u);
  EXPECT_EQ(std::memcmp(rec.kernargs.data() + 8, &in, 8), 0);
  EXPECT_EQ(std::memcmp(rec.kernargs.data() + 24, &s, 4), 0);

  // An empty grid (a loop over an empty range) launches nothing, silently.
  mgpuLaunchKernel(fn, 0, 1, 1, 256, 1, 1, 0, nullptr, params, nullptr, 4);
  EXPECT_EQ(scope.takeError(), nullptr);
  EXPECT_EQ(rec.launches, 1);

  // A launch the kernel cannot take never reaches HIP, and says which.
  mgpuLaunchKernel(fn, 1, 1, 1, 1024, 1, 1, 0, nullptr, params, nullptr, 4);
  EXPECT_EQ(rec.launches, 1);
  loom_status_t st = scope.takeError();
  ASSERT_NE(st, nullptr);
  std::string message = loom_status_message(st);
  loom_status_free(st);
  EXPECT_NE(message.find("launching kernel 'scale' failed: kernel 'scale' "
                         "launched with 1024 threads"),
            std::string::npos)
      << message;

  // A kernel that is not in the code object: the error lists what is.
  EXPECT_EQ(mgpuModuleGetFunction(module, "nope"), nullptr);
  st = scope.takeError();
  ASSERT_NE(st, nullptr);
  message = loom_status_message(st);
  loom_status_free(st);
  EXPECT_NE(message.find("no kernel 'nope' (it has: scale, fill)"),
            std::string::npos)
      << message;

  // HIP's own errors come back in its words.
  EXPECT_EQ(mgpuMemAlloc(64, nullptr, false), nullptr);
  st = scope.takeError();
  ASSERT_NE(st, nullptr);
  message = loom_status_message(st);
  loom_status_free(st);
  EXPECT_NE(message.find("hipErrorOutOfMemory"), std::string::npos) << message;

  mgpuModuleUnload(module);
  EXPECT_EQ(rec.unloads, 1);
}

TEST(HipDeviceTest, RejectsDeviceCodeThatIsNotAnHsaco) {
  hip::Api api = fakeApi();
  std::shared_ptr<hip::Device> device = hip::Device::withApi(&api, 0, "fake");
  rec = Recorded{};
  gpu::Scope scope(device.get());
  // PTX handed to a ROCm device (a CUDA section run on the wrong device).
  const char ptx[] = "//\n.version 8.0\n.target sm_90a\n";
  EXPECT_EQ(mgpuModuleLoad(const_cast<char *>(ptx), sizeof(ptx)), nullptr);
  EXPECT_EQ(rec.loadedImage, nullptr);
  loom_status_t st = scope.takeError();
  ASSERT_NE(st, nullptr);
  std::string message = loom_status_message(st);
  loom_status_free(st);
  EXPECT_NE(message.find("not an AMDGPU code object"), std::string::npos)
      << message;
}

} // namespace
