//===- RuntimeTestUtil.h - Helpers for the C API tests ---------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TEST_UNIT_RUNTIME_RUNTIMETESTUTIL_H
#define LOOM_TEST_UNIT_RUNTIME_RUNTIMETESTUTIL_H

#include "loom_runtime.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace loom::test {

// Consumes `st`: success, or a failure carrying its code and message.
inline ::testing::AssertionResult ok(loom_status_t st) {
  if (!st)
    return ::testing::AssertionSuccess();
  auto r = ::testing::AssertionFailure()
           << loom_status_code_name(loom_status_code(st)) << ": "
           << loom_status_message(st);
  loom_status_free(st);
  return r;
}

// Consumes `st`; returns its code and stores its message.
inline loom_status_code_t codeOf(loom_status_t st, std::string *msg = nullptr) {
  loom_status_code_t c = loom_status_code(st);
  if (msg)
    *msg = loom_status_message(st);
  loom_status_free(st);
  return c;
}

// A runtime and a CPU device for the length of a test.
class RuntimeTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(ok(loom_runtime_create(&runtime)));
    ASSERT_TRUE(ok(loom_device_create(runtime, "cpu", &device)));
  }
  void TearDown() override {
    loom_device_release(device);
    loom_runtime_release(runtime);
  }

  // Loads `bytes` (copied); returns the status code, storing the message.
  loom_status_code_t load(const std::vector<uint8_t> &bytes,
                          loom_module_t **module, std::string *msg = nullptr) {
    return codeOf(loom_module_load_memory(device, bytes.data(), bytes.size(),
                                          LOOM_LOAD_DEFAULT, module),
                  msg);
  }

  loom_runtime_t *runtime = nullptr;
  loom_device_t *device = nullptr;
};

inline loom_tensor_t *f32Tensor(std::vector<int64_t> shape,
                                std::vector<float> values) {
  loom_tensor_t *t = nullptr;
  loom_status_t st = loom_tensor_create_copy(
      LOOM_DTYPE_F32, int32_t(shape.size()), shape.data(), values.data(),
      values.size() * sizeof(float), &t);
  EXPECT_TRUE(ok(st));
  return t;
}

inline std::vector<float> f32Values(loom_tensor_t *t) {
  const float *p = static_cast<const float *>(loom_tensor_data(t));
  return std::vector<float>(p, p + loom_tensor_element_count(t));
}

inline std::vector<int64_t> shapeOf(const loom_tensor_t *t) {
  return std::vector<int64_t>(loom_tensor_shape(t),
                              loom_tensor_shape(t) + loom_tensor_rank(t));
}

} // namespace loom::test

#endif // LOOM_TEST_UNIT_RUNTIME_RUNTIMETESTUTIL_H
