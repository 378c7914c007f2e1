//===- Tensor.h - The loom_tensor object -----------------------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_SRC_TENSOR_H
#define LOOM_RUNTIME_SRC_TENSOR_H

#include "loom_runtime.h"

#include <atomic>
#include <cstdint>
#include <vector>

struct loom_tensor {
  std::atomic<int32_t> refs{1};
  loom_dtype_t dtype = LOOM_DTYPE_INVALID;
  std::vector<int64_t> shape;
  int64_t count = 0;
  size_t bytes = 0;
  void *data = nullptr;
  void (*release)(void *user, void *data) = nullptr;
  void *user = nullptr;
  // Device tensors (loom_tensor_create_on_device on a GPU): the device whose
  // memory `data` is; null for host memory. Owned through `user`.
  loom_device_t *device = nullptr;
};

namespace loom {

// Validates dtype and shape and creates a tensor. With `data` NULL the
// tensor gets fresh zero-filled 64-byte aligned memory; otherwise it takes
// `data` (of the right byte size), handing it to `release` when it dies.
loom_status_t createTensor(loom_dtype_t dtype, int32_t rank,
                           const int64_t *shape, void *data,
                           void (*release)(void *, void *), void *user,
                           loom_tensor_t **out);

} // namespace loom

#endif // LOOM_RUNTIME_SRC_TENSOR_H
