//===- Tensor.cpp - Dense host tensors of the C API -----------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "Tensor.h"

#include "DTypeInfo.h"
#include "Status.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

using namespace loom;

static void freeData(void *, void *data) { std::free(data); }

static loom_status_t checkShape(loom_dtype_t dtype, int32_t rank,
                                const int64_t *shape, int64_t &count,
                                uint64_t &bytes) {
  if (!lookupDType(dtype))
    return makeStatus(LOOM_INVALID_ARGUMENT,
                      "invalid dtype " + std::to_string(int(dtype)));
  if (rank < 0 || rank > LOOM_MAX_RANK)
    return makeStatus(LOOM_INVALID_ARGUMENT,
                      "rank " + std::to_string(rank) + " is outside [0, " +
                          std::to_string(LOOM_MAX_RANK) + "]");
  if (rank > 0 && !shape)
    return makeStatus(LOOM_INVALID_ARGUMENT, "null shape");
  for (int32_t i = 0; i < rank; ++i)
    if (shape[i] < 0)
      return makeStatus(LOOM_INVALID_ARGUMENT,
                        "negative dim " + std::to_string(shape[i]));
  if (!elementCount(shape, rank, count) ||
      !dtypeByteSize(dtype, count, bytes) || bytes > uint64_t(SIZE_MAX) / 2)
    return makeStatus(LOOM_INVALID_ARGUMENT, "tensor size overflows");
  return nullptr;
}

loom_status_t loom::createTensor(loom_dtype_t dtype, int32_t rank,
                                 const int64_t *shape, void *data,
                                 void (*release)(void *, void *), void *user,
                                 loom_tensor_t **out) {
  if (!out)
    return makeStatus(LOOM_INVALID_ARGUMENT, "null output pointer");
  *out = nullptr;
  int64_t count = 0;
  uint64_t bytes = 0;
  if (loom_status_t st = checkShape(dtype, rank, shape, count, bytes))
    return st;
  auto *t = new (std::nothrow) loom_tensor;
  if (!t)
    return makeStatus(LOOM_OUT_OF_MEMORY, "out of memory");
  t->dtype = dtype;
  t->shape.assign(shape, shape + rank);
  t->count = count;
  t->bytes = size_t(bytes);
  if (data) {
    t->data = data;
    t->release = release;
    t->user = user;
  } else {
    size_t alloc = (size_t(bytes) + 63) / 64 * 64;
    t->data = std::aligned_alloc(64, alloc ? alloc : 64);
    if (!t->data) {
      delete t;
      return makeStatus(LOOM_OUT_OF_MEMORY,
                        "cannot allocate " + std::to_string(bytes) + " bytes");
    }
    std::memset(t->data, 0, alloc);
    t->release = freeData;
  }
  *out = t;
  return nullptr;
}

extern "C" {

loom_status_t loom_tensor_create(loom_dtype_t dtype, int32_t rank,
                                 const int64_t *shape, loom_tensor_t **out) {
  return createTensor(dtype, rank, shape, nullptr, nullptr, nullptr, out);
}

loom_status_t loom_tensor_create_copy(loom_dtype_t dtype, int32_t rank,
                                      const int64_t *shape, const void *data,
                                      size_t size, loom_tensor_t **out) {
  if (loom_status_t st =
          createTensor(dtype, rank, shape, nullptr, nullptr, nullptr, out))
    return st;
  if (size != (*out)->bytes || (size && !data)) {
    std::string msg = "data of " + std::to_string(size) +
                      " bytes for a tensor of " +
                      std::to_string((*out)->bytes) + " bytes";
    loom_tensor_release(*out);
    *out = nullptr;
    return makeStatus(LOOM_INVALID_ARGUMENT, msg);
  }
  if (size)
    std::memcpy((*out)->data, data, size);
  return nullptr;
}

loom_status_t loom_tensor_wrap(loom_dtype_t dtype, int32_t rank,
                               const int64_t *shape, void *data, size_t size,
                               void (*release)(void *, void *), void *user,
                               loom_tensor_t **out) {
  if (!data)
    return makeStatus(LOOM_INVALID_ARGUMENT, "null data");
  if (loom_status_t st =
          createTensor(dtype, rank, shape, data, release, user, out))
    return st;
  if (size != (*out)->bytes) {
    std::string msg = "data of " + std::to_string(size) +
                      " bytes for a tensor of " +
                      std::to_string((*out)->bytes) + " bytes";
    (*out)->release = nullptr; // the caller keeps its memory on failure
    loom_tensor_release(*out);
    *out = nullptr;
    return makeStatus(LOOM_INVALID_ARGUMENT, msg);
  }
  return nullptr;
}

void loom_tensor_retain(loom_tensor_t *t) {
  if (t)
    t->refs.fetch_add(1, std::memory_order_relaxed);
}

void loom_tensor_release(loom_tensor_t *t) {
  if (!t || t->refs.fetch_sub(1, std::memory_order_acq_rel) != 1)
    return;
  if (t->release)
    t->release(t->user, t->data);
  delete t;
}

loom_dtype_t loom_tensor_dtype(const loom_tensor_t *t) {
  return t ? t->dtype : LOOM_DTYPE_INVALID;
}
int32_t loom_tensor_rank(const loom_tensor_t *t) {
  return t ? int32_t(t->shape.size()) : 0;
}
const int64_t *loom_tensor_shape(const loom_tensor_t *t) {
  return t ? t->shape.data() : nullptr;
}
int64_t loom_tensor_element_count(const loom_tensor_t *t) {
  return t ? t->count : 0;
}
size_t loom_tensor_byte_size(const loom_tensor_t *t) {
  return t ? t->bytes : 0;
}
void *loom_tensor_data(loom_tensor_t *t) { return t ? t->data : nullptr; }

} // extern "C"
