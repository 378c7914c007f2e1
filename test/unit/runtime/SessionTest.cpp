//===- SessionTest.cpp - Invoking entry points through sessions -----------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestUtil.h"
#include "TestArtifacts.h"

#include <cstdlib>
#include <cstring>
#include <thread>

using namespace loom;
using namespace loom::test;
using artifact::ArtifactWriter;
using artifact::SectionKind;

namespace {

class SessionTest : public RuntimeTest {
protected:
  void SetUp() override {
    RuntimeTest::SetUp();
    ASSERT_EQ(load(makeArtifact(), &module), LOOM_OK);
    ASSERT_TRUE(ok(loom_session_create(module, &session)));
  }
  void TearDown() override {
    for (loom_tensor_t *t : owned)
      loom_tensor_release(t);
    loom_session_release(session);
    loom_module_release(module);
    RuntimeTest::TearDown();
  }

  size_t entry(const char *name) {
    size_t i = 0;
    EXPECT_TRUE(ok(loom_module_find_entry(module, name, &i)));
    return i;
  }

  // Invokes `name`; outputs are released at the end of the test.
  loom_status_t invoke(const char *name, std::vector<loom_tensor_t *> inputs,
                       std::vector<loom_tensor_t *> &outputs,
                       size_t numOutputs) {
    for (loom_tensor_t *t : inputs)
      owned.push_back(t);
    outputs.assign(numOutputs, nullptr);
    loom_status_t st =
        loom_session_invoke(session, entry(name), inputs.data(), inputs.size(),
                            outputs.data(), outputs.size());
    for (loom_tensor_t *t : outputs)
      if (t)
        owned.push_back(t);
    return st;
  }

  loom_module_t *module = nullptr;
  loom_session_t *session = nullptr;
  std::vector<loom_tensor_t *> owned;
};

} // namespace

TEST_F(SessionTest, AddsDynamicVectors) {
  std::vector<loom_tensor_t *> out;
  ASSERT_TRUE(ok(
      invoke("add", {f32Tensor({3}, {1, 2, 3}), f32Tensor({3}, {10, 20, 30})},
             out, 1)));
  EXPECT_EQ(shapeOf(out[0]), std::vector<int64_t>{3});
  EXPECT_EQ(f32Values(out[0]), (std::vector<float>{11, 22, 33}));
  EXPECT_EQ(loom_tensor_dtype(out[0]), LOOM_DTYPE_F32);

  // Same session, another size: symbols are bound per call.
  ASSERT_TRUE(ok(invoke(
      "add", {f32Tensor({5}, {1, 1, 1, 1, 1}), f32Tensor({5}, {1, 2, 3, 4, 5})},
      out, 1)));
  EXPECT_EQ(f32Values(out[0]), (std::vector<float>{2, 3, 4, 5, 6}));

  ASSERT_TRUE(
      ok(invoke("add", {f32Tensor({0}, {}), f32Tensor({0}, {})}, out, 1)));
  EXPECT_EQ(loom_tensor_element_count(out[0]), 0);
}

TEST_F(SessionTest, CopiesAnOutputThatAliasesAnInput) {
  loom_tensor_t *x = f32Tensor({4}, {1, 2, 3, 4});
  loom_tensor_retain(x);
  std::vector<loom_tensor_t *> out;
  ASSERT_TRUE(ok(invoke("echo", {x}, out, 1)));
  EXPECT_NE(loom_tensor_data(out[0]), loom_tensor_data(x));
  EXPECT_EQ(f32Values(out[0]), (std::vector<float>{1, 2, 3, 4}));
  // The input is intact and still owned by its tensor (not freed).
  static_cast<float *>(loom_tensor_data(x))[0] = 5;
  EXPECT_EQ(f32Values(x)[0], 5);
  loom_tensor_release(x);
}

TEST_F(SessionTest, CopiesStridedResultsDensely) {
  std::vector<loom_tensor_t *> out;
  ASSERT_TRUE(
      ok(invoke("transpose", {f32Tensor({2, 3}, {1, 2, 3, 4, 5, 6})}, out, 1)));
  EXPECT_EQ(shapeOf(out[0]), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(f32Values(out[0]), (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

TEST_F(SessionTest, ResultsSharingOneBlockAreFreedOnce) {
  std::vector<loom_tensor_t *> out;
  ASSERT_TRUE(ok(invoke("split", {f32Tensor({2}, {1, 2})}, out, 2)));
  EXPECT_EQ(f32Values(out[0]), (std::vector<float>{2, 4}));
  EXPECT_EQ(f32Values(out[1]), (std::vector<float>{3, 6}));
  // Releasing in either order must not double free.
  loom_tensor_release(out[0]);
  loom_tensor_release(out[1]);
  owned.resize(owned.size() - 2);
}

TEST_F(SessionTest, CopiesConstantGlobals) {
  std::vector<loom_tensor_t *> out;
  ASSERT_TRUE(ok(invoke("constant", {}, out, 1)));
  const int32_t *c = static_cast<const int32_t *>(loom_tensor_data(out[0]));
  EXPECT_EQ(loom_tensor_dtype(out[0]), LOOM_DTYPE_I32);
  EXPECT_EQ(c[0], 7);
  EXPECT_EQ(c[3], 10);
  // Writable: it is a copy, not the read-only global.
  static_cast<int32_t *>(loom_tensor_data(out[0]))[0] = 1;
}

TEST_F(SessionTest, PassesTheWeightsThroughTheContext) {
  std::vector<loom_tensor_t *> out;
  ASSERT_TRUE(ok(invoke("weights_sum", {}, out, 1)));
  EXPECT_EQ(loom_tensor_rank(out[0]), 0);
  EXPECT_EQ(f32Values(out[0]), std::vector<float>{10});
}

TEST_F(SessionTest, CopiesViewsOfTheWeightsAndOfInputInteriors) {
  std::vector<loom_tensor_t *> out;
  ASSERT_TRUE(ok(invoke("weights_view", {}, out, 1)));
  EXPECT_EQ(f32Values(out[0]), (std::vector<float>{1, 2, 3, 4}));
  ASSERT_TRUE(ok(invoke("tail", {f32Tensor({3}, {5, 6, 7})}, out, 1)));
  EXPECT_EQ(f32Values(out[0]), (std::vector<float>{6, 7}));
}

TEST_F(SessionTest, CodeThatDeclaresItsWeightsSizeGetsIt) {
  auto build = [](std::vector<float> weights, const char *target) {
    ArtifactWriter w;
    w.addEntryPoint({"last_weight", {}, {f32Spec("w", {1})}});
    w.addSection(SectionKind::DeviceCode, "cpu", weightedLibrary());
    if (!weights.empty())
      w.addSectionRef(SectionKind::Weights, target, weights.data(),
                      weights.size() * sizeof(float));
    std::vector<uint8_t> bytes;
    EXPECT_TRUE(w.writeToMemory(bytes, nullptr));
    return bytes;
  };
  loom_module_t *m = nullptr;
  std::string msg;
  EXPECT_EQ(load(build({}, ""), &m, &msg), LOOM_NOT_FOUND);
  EXPECT_NE(msg.find("expects 16 bytes of weights"), std::string::npos) << msg;
  EXPECT_EQ(load(build({1, 2, 3, 4}, "cuda"), &m, &msg), LOOM_NOT_FOUND);
  EXPECT_EQ(load(build({1, 2, 3}, ""), &m, &msg), LOOM_INVALID_ARTIFACT);
  EXPECT_NE(msg.find("has 12 bytes, the code expects 16"), std::string::npos)
      << msg;
  ASSERT_EQ(load(build({1, 2, 3, 4}, "cpu"), &m), LOOM_OK);
  loom_session_t *s = nullptr;
  ASSERT_TRUE(ok(loom_session_create(m, &s)));
  loom_tensor_t *out = nullptr;
  ASSERT_TRUE(ok(loom_session_invoke(s, 0, nullptr, 0, &out, 1)));
  EXPECT_EQ(f32Values(out), std::vector<float>{4});
  loom_tensor_release(out);
  loom_session_release(s);
  loom_module_release(m);
}

TEST_F(SessionTest, SessionsKeepTheirModuleAlive) {
  loom_session_t *second = nullptr;
  ASSERT_TRUE(ok(loom_session_create(module, &second)));
  loom_module_release(module); // the sessions still hold it
  module = nullptr;
  loom_tensor_t *in[2] = {f32Tensor({1}, {1}), f32Tensor({1}, {2})};
  loom_tensor_t *out = nullptr;
  ASSERT_TRUE(ok(loom_session_invoke(second, 0, in, 2, &out, 1)));
  EXPECT_EQ(f32Values(out)[0], 3);
  loom_tensor_release(out);
  loom_tensor_release(in[0]);
  loom_tensor_release(in[1]);
  loom_session_release(second);
}

TEST_F(SessionTest, OneModuleServesSessionsOnSeveralThreads) {
  size_t add = entry("add");
  auto work = [&](float base, int *failures) {
    loom_session_t *s = nullptr;
    if (!ok(loom_session_create(module, &s))) {
      ++*failures;
      return;
    }
    for (int k = 0; k < 200; ++k) {
      int64_t n = 1 + k % 7;
      std::vector<float> a(static_cast<size_t>(n), base);
      std::vector<float> b(static_cast<size_t>(n), static_cast<float>(k));
      loom_tensor_t *in[2] = {f32Tensor({n}, a), f32Tensor({n}, b)};
      loom_tensor_t *out = nullptr;
      if (!ok(loom_session_invoke(s, add, in, 2, &out, 1)) ||
          f32Values(out) != std::vector<float>(size_t(n), base + float(k)))
        ++*failures;
      loom_tensor_release(out);
      loom_tensor_release(in[0]);
      loom_tensor_release(in[1]);
    }
    loom_session_release(s);
  };
  int failures[4] = {};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back(work, float(1000 * t), &failures[t]);
  for (std::thread &t : threads)
    t.join();
  for (int f : failures)
    EXPECT_EQ(f, 0);
}

//===----------------------------------------------------------------------===//
// Bad inputs
//===----------------------------------------------------------------------===//

TEST_F(SessionTest, RejectsWrongInputCount) {
  std::vector<loom_tensor_t *> out;
  std::string msg;
  EXPECT_EQ(codeOf(invoke("add", {f32Tensor({1}, {1})}, out, 1), &msg),
            LOOM_INVALID_ARGUMENT);
  EXPECT_NE(msg.find("takes 2 inputs, got 1"), std::string::npos) << msg;
  EXPECT_EQ(out[0], nullptr);
}

TEST_F(SessionTest, RejectsWrongOutputCountAndEntry) {
  std::vector<loom_tensor_t *> out;
  EXPECT_EQ(
      codeOf(invoke("add", {f32Tensor({1}, {1}), f32Tensor({1}, {1})}, out, 2)),
      LOOM_INVALID_ARGUMENT);
  loom_tensor_t *o = nullptr;
  EXPECT_EQ(codeOf(loom_session_invoke(session, 1000, nullptr, 0, &o, 1)),
            LOOM_INVALID_ARGUMENT);
  EXPECT_EQ(codeOf(loom_session_invoke(nullptr, 0, nullptr, 0, &o, 1)),
            LOOM_INVALID_ARGUMENT);
}

TEST_F(SessionTest, RejectsWrongDtype) {
  int64_t shape[1] = {2};
  loom_tensor_t *i = nullptr;
  ASSERT_TRUE(ok(loom_tensor_create(LOOM_DTYPE_I32, 1, shape, &i)));
  std::vector<loom_tensor_t *> out;
  std::string msg;
  EXPECT_EQ(codeOf(invoke("add", {f32Tensor({2}, {1, 2}), i}, out, 1), &msg),
            LOOM_INVALID_ARGUMENT);
  EXPECT_NE(msg.find("input 1 ('b') has dtype i32, expected f32"),
            std::string::npos)
      << msg;
}

TEST_F(SessionTest, RejectsWrongRankAndStaticDims) {
  std::vector<loom_tensor_t *> out;
  std::string msg;
  EXPECT_EQ(
      codeOf(invoke("transpose", {f32Tensor({6}, {1, 2, 3, 4, 5, 6})}, out, 1),
             &msg),
      LOOM_INVALID_ARGUMENT);
  EXPECT_NE(msg.find("rank 1"), std::string::npos) << msg;
  EXPECT_EQ(codeOf(invoke("transpose", {f32Tensor({3, 2}, {1, 2, 3, 4, 5, 6})},
                          out, 1),
                   &msg),
            LOOM_INVALID_ARGUMENT);
  EXPECT_NE(msg.find("dim 0 is 3, expected 2"), std::string::npos) << msg;
}

TEST_F(SessionTest, RejectsInconsistentSymbolBindings) {
  std::vector<loom_tensor_t *> out;
  std::string msg;
  EXPECT_EQ(
      codeOf(invoke("add", {f32Tensor({2}, {1, 2}), f32Tensor({3}, {1, 2, 3})},
                    out, 1),
             &msg),
      LOOM_INVALID_ARGUMENT);
  EXPECT_NE(msg.find("symbolic dim 'n' is 2 from input 0 ('a') dim 0 but 3 "
                     "from input 1 ('b') dim 0"),
            std::string::npos)
      << msg;
}

TEST_F(SessionTest, RejectsNullInputs) {
  std::vector<loom_tensor_t *> out;
  std::string msg;
  EXPECT_EQ(codeOf(invoke("add", {f32Tensor({1}, {1}), nullptr}, out, 1), &msg),
            LOOM_INVALID_ARGUMENT);
  EXPECT_NE(msg.find("is null"), std::string::npos) << msg;
}

TEST_F(SessionTest, ReportsResultsThatContradictTheMetadata) {
  std::vector<loom_tensor_t *> out;
  std::string msg;
  EXPECT_EQ(
      codeOf(invoke("bad_shape", {f32Tensor({3}, {1, 2, 3})}, out, 1), &msg),
      LOOM_INTERNAL);
  EXPECT_NE(msg.find("dim 0 is 3, expected 4"), std::string::npos) << msg;
  EXPECT_EQ(out[0], nullptr);
  // The right size passes.
  ASSERT_TRUE(ok(invoke("bad_shape", {f32Tensor({4}, {1, 2, 3, 4})}, out, 1)));
}

TEST_F(SessionTest, RefusesFourBitTypesAtTheAbi) {
  ArtifactWriter w;
  artifact::TensorSpec t;
  t.name = "q";
  t.dtype = LOOM_DTYPE_I4;
  t.dims = {-1};
  w.addEntryPoint({"echo", {t}, {t}});
  w.addSection(SectionKind::DeviceCode, "cpu", kernelLibrary());
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(w.writeToMemory(bytes, nullptr));
  loom_module_t *m = nullptr;
  ASSERT_EQ(load(bytes, &m), LOOM_OK);
  loom_session_t *s = nullptr;
  ASSERT_TRUE(ok(loom_session_create(m, &s)));
  int64_t shape[1] = {4};
  loom_tensor_t *q = nullptr;
  ASSERT_TRUE(ok(loom_tensor_create(LOOM_DTYPE_I4, 1, shape, &q)));
  EXPECT_EQ(loom_tensor_byte_size(q), 2u);
  loom_tensor_t *o = nullptr;
  EXPECT_EQ(codeOf(loom_session_invoke(s, 0, &q, 1, &o, 1)),
            LOOM_UNIMPLEMENTED);
  loom_tensor_release(q);
  loom_session_release(s);
  loom_module_release(m);
}

//===----------------------------------------------------------------------===//
// Devices and tensors
//===----------------------------------------------------------------------===//

TEST_F(SessionTest, GpuDevicesNeedTheirDriver) {
  loom_device_t *d = nullptr;
  // Without a GPU the driver is missing; with one the device opens.
  loom_status_code_t c = codeOf(loom_device_create(runtime, "cuda", &d));
  if (c == LOOM_OK) {
    EXPECT_STREQ(loom_device_target(d), "cuda");
    loom_device_release(d);
    d = nullptr;
  } else {
    EXPECT_TRUE(c == LOOM_UNAVAILABLE || c == LOOM_NOT_FOUND) << c;
    EXPECT_EQ(d, nullptr);
  }
  // The same for ROCm; libamdhip64 without a GPU fails in hipInit.
  c = codeOf(loom_device_create(runtime, "rocm:1", &d));
  EXPECT_TRUE(c == LOOM_UNAVAILABLE || c == LOOM_NOT_FOUND) << c;
  EXPECT_EQ(d, nullptr);
  EXPECT_EQ(codeOf(loom_device_create(runtime, "tpu", &d)),
            LOOM_INVALID_ARGUMENT);
  EXPECT_EQ(codeOf(loom_device_create(runtime, "cpu:x", &d)),
            LOOM_INVALID_ARGUMENT);
  EXPECT_EQ(codeOf(loom_device_create(runtime, "cpu:1", &d)), LOOM_NOT_FOUND);
  ASSERT_TRUE(ok(loom_device_create(runtime, "cpu:0", &d)));
  EXPECT_STREQ(loom_device_target(d), "cpu");
  loom_device_release(d);
}

TEST_F(SessionTest, TensorsCreatedOnTheCpuDeviceAreHostTensors) {
  int64_t shape[1] = {3};
  loom_tensor_t *a = nullptr, *b = nullptr;
  ASSERT_TRUE(ok(loom_tensor_create_on_device(device, LOOM_DTYPE_F32, 1,
                                              shape, &a)));
  owned.push_back(a);
  EXPECT_EQ(loom_tensor_device(a), nullptr); // host memory
  EXPECT_EQ(f32Values(a), (std::vector<float>{0, 0, 0}));
  float va[3] = {1, 2, 3}, vb[3] = {10, 20, 30}, back[3] = {};
  ASSERT_TRUE(ok(loom_tensor_write(a, va, sizeof(va))));
  ASSERT_TRUE(ok(loom_tensor_read(a, back, sizeof(back))));
  EXPECT_EQ(std::memcmp(back, va, sizeof(va)), 0);
  EXPECT_EQ(f32Values(a), (std::vector<float>{1, 2, 3}));
  // Host tensors of any origin read and write the same way.
  b = f32Tensor({3}, {0, 0, 0});
  ASSERT_TRUE(ok(loom_tensor_write(b, vb, sizeof(vb))));
  std::vector<loom_tensor_t *> out;
  loom_tensor_retain(a);
  ASSERT_TRUE(ok(invoke("add", {a, b}, out, 1)));
  EXPECT_EQ(f32Values(out[0]), (std::vector<float>{11, 22, 33}));
  // Reused as is by the next call (what loom-run --bench does on a GPU).
  ASSERT_TRUE(ok(loom_tensor_write(a, vb, sizeof(vb))));
  loom_tensor_retain(a);
  loom_tensor_retain(b);
  ASSERT_TRUE(ok(invoke("add", {a, b}, out, 1)));
  EXPECT_EQ(f32Values(out[0]), (std::vector<float>{20, 40, 60}));

  // Graphs are a CUDA matter: turning them off elsewhere changes nothing.
  ASSERT_TRUE(ok(loom_session_disable_gpu_graphs(session)));
  loom_tensor_retain(a);
  loom_tensor_retain(b);
  ASSERT_TRUE(ok(invoke("add", {a, b}, out, 1)));
  EXPECT_EQ(f32Values(out[0]), (std::vector<float>{20, 40, 60}));
  EXPECT_EQ(codeOf(loom_session_disable_gpu_graphs(nullptr)),
            LOOM_INVALID_ARGUMENT);

  EXPECT_EQ(codeOf(loom_tensor_write(a, va, 8)), LOOM_INVALID_ARGUMENT);
  EXPECT_EQ(codeOf(loom_tensor_read(a, back, 16)), LOOM_INVALID_ARGUMENT);
  EXPECT_EQ(codeOf(loom_tensor_read(a, nullptr, 12)), LOOM_INVALID_ARGUMENT);
  EXPECT_EQ(codeOf(loom_tensor_write(nullptr, va, 12)),
            LOOM_INVALID_ARGUMENT);
  loom_tensor_t *bad = reinterpret_cast<loom_tensor_t *>(1);
  EXPECT_EQ(codeOf(loom_tensor_create_on_device(nullptr, LOOM_DTYPE_F32, 1,
                                                shape, &bad)),
            LOOM_INVALID_ARGUMENT);
  EXPECT_EQ(bad, nullptr);
  int64_t negative[1] = {-2};
  EXPECT_EQ(codeOf(loom_tensor_create_on_device(device, LOOM_DTYPE_F32, 1,
                                                negative, &bad)),
            LOOM_INVALID_ARGUMENT);
  EXPECT_EQ(codeOf(loom_tensor_create_on_device(device, LOOM_DTYPE_INVALID, 1,
                                                shape, &bad)),
            LOOM_INVALID_ARGUMENT);
}

// The mgpu* functions compiled CUDA host code calls are exported by the
// runtime; outside a CUDA device scope they fail softly (null, no crash).
extern "C" void *mgpuMemAlloc(uint64_t, void *, bool);
extern "C" void *mgpuStreamCreate();
extern "C" void mgpuMemcpy(void *, void *, size_t, void *);

TEST(CudaShimTest, OutsideADeviceScopeCallsFailWithoutCrashing) {
  EXPECT_EQ(mgpuMemAlloc(64, nullptr, false), nullptr);
  EXPECT_EQ(mgpuStreamCreate(), nullptr);
  char a[4] = {0}, b[4] = {0};
  mgpuMemcpy(a, b, sizeof(a), nullptr);
}

extern "C" int loom_c_api_smoke(void);

TEST(CApiTest, HeadersWorkFromC) { EXPECT_EQ(loom_c_api_smoke(), 0); }

static int gReleased = 0;
static void countRelease(void *user, void *) { gReleased += *(int *)user; }

TEST(TensorTest, CreatesChecksAndWraps) {
  int64_t shape[2] = {2, 3};
  loom_tensor_t *t = nullptr;
  ASSERT_TRUE(ok(loom_tensor_create(LOOM_DTYPE_F16, 2, shape, &t)));
  EXPECT_EQ(loom_tensor_byte_size(t), 12u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(loom_tensor_data(t)) % 64, 0u);
  EXPECT_EQ(static_cast<uint8_t *>(loom_tensor_data(t))[11], 0);
  loom_tensor_release(t);

  int64_t negative[1] = {-1}, huge[2] = {INT64_MAX / 2, 4};
  EXPECT_EQ(codeOf(loom_tensor_create(LOOM_DTYPE_F32, 1, negative, &t)),
            LOOM_INVALID_ARGUMENT);
  EXPECT_EQ(codeOf(loom_tensor_create(LOOM_DTYPE_F32, 2, huge, &t)),
            LOOM_INVALID_ARGUMENT);
  EXPECT_EQ(codeOf(loom_tensor_create(loom_dtype_t(55), 1, shape, &t)),
            LOOM_INVALID_ARGUMENT);
  EXPECT_EQ(
      codeOf(loom_tensor_create(LOOM_DTYPE_F32, LOOM_MAX_RANK + 1, shape, &t)),
      LOOM_INVALID_ARGUMENT);
  float three[3] = {1, 2, 3};
  EXPECT_EQ(codeOf(loom_tensor_create_copy(LOOM_DTYPE_F32, 2, shape, three,
                                           sizeof(three), &t)),
            LOOM_INVALID_ARGUMENT);
  EXPECT_EQ(t, nullptr);

  int weight = 1;
  float six[6] = {};
  ASSERT_TRUE(ok(loom_tensor_wrap(LOOM_DTYPE_F32, 2, shape, six, sizeof(six),
                                  countRelease, &weight, &t)));
  EXPECT_EQ(loom_tensor_data(t), six);
  loom_tensor_retain(t);
  loom_tensor_release(t);
  EXPECT_EQ(gReleased, 0);
  loom_tensor_release(t);
  EXPECT_EQ(gReleased, 1);
  // A failed wrap leaves the caller's memory alone.
  EXPECT_EQ(codeOf(loom_tensor_wrap(LOOM_DTYPE_F32, 2, shape, six, 4,
                                    countRelease, &weight, &t)),
            LOOM_INVALID_ARGUMENT);
  EXPECT_EQ(gReleased, 1);
}

TEST(TensorTest, DtypeNamesRoundTrip) {
  for (loom_dtype_t d : {LOOM_DTYPE_F32, LOOM_DTYPE_BF16, LOOM_DTYPE_BOOL,
                         LOOM_DTYPE_U64, LOOM_DTYPE_F8E5M2, LOOM_DTYPE_I4})
    EXPECT_EQ(loom_dtype_from_name(loom_dtype_name(d)), d);
  EXPECT_EQ(loom_dtype_bits(LOOM_DTYPE_I4), 4);
  EXPECT_EQ(loom_dtype_bits(LOOM_DTYPE_BOOL), 8);
  EXPECT_EQ(loom_dtype_from_name("float"), LOOM_DTYPE_INVALID);
  EXPECT_STREQ(loom_dtype_name(loom_dtype_t(8)), "invalid");
  EXPECT_STREQ(loom_status_code_name(LOOM_VERSION_MISMATCH),
               "VERSION_MISMATCH");
  EXPECT_EQ(loom_status_code(nullptr), LOOM_OK);
  EXPECT_STREQ(loom_status_message(nullptr), "");
  loom_status_free(nullptr);
}

TEST_F(SessionTest, OutputsOnTheDeviceAreANoOpOnTheCpu) {
  loom_status_t st = loom_session_set_outputs_on_device(nullptr, 1);
  EXPECT_EQ(loom_status_code(st), LOOM_INVALID_ARGUMENT);
  loom_status_free(st);
  ASSERT_TRUE(ok(loom_session_set_outputs_on_device(session, 1)));
  std::vector<loom_tensor_t *> out;
  ASSERT_TRUE(ok(invoke(
      "add", {f32Tensor({2}, {1, 2}), f32Tensor({2}, {10, 20})}, out, 1)));
  EXPECT_EQ(loom_tensor_device(out[0]), nullptr); // host memory
  EXPECT_EQ(f32Values(out[0]), (std::vector<float>{11, 22}));
}
