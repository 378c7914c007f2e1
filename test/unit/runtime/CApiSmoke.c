//===- CApiSmoke.c - loom_runtime.h used from C
//-----------------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Compiled as C so that the public headers stay valid C; called from
// SessionTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "loom_abi.h"
#include "loom_runtime.h"

#include <string.h>

// Returns 0 on success, else the number of the failed step.
int loom_c_api_smoke(void) {
  loom_runtime_t *runtime = NULL;
  loom_device_t *device = NULL;
  if (loom_runtime_create(&runtime))
    return 1;
  if (loom_device_create(runtime, "cpu", &device))
    return 2;
  int64_t shape[2] = {2, 2};
  float data[4] = {1, 2, 3, 4};
  loom_tensor_t *t = NULL;
  if (loom_tensor_create_copy(LOOM_DTYPE_F32, 2, shape, data, sizeof(data), &t))
    return 3;
  if (memcmp(loom_tensor_data(t), data, sizeof(data)) != 0)
    return 4;
  loom_module_t *module = NULL;
  loom_status_t st = loom_module_load_memory(device, data, sizeof(data),
                                             LOOM_LOAD_DEFAULT, &module);
  int bad = loom_status_code(st) != LOOM_INVALID_ARTIFACT || module != NULL;
  loom_status_free(st);
  if (bad)
    return 5;
  if (loom_abi_memref_size(2) != 56)
    return 6;
  loom_tensor_t *d = NULL;
  float back[4] = {0};
  if (loom_tensor_create_on_device(device, LOOM_DTYPE_F32, 2, shape, &d) ||
      loom_tensor_device(d) != NULL ||
      loom_tensor_write(d, data, sizeof(data)) ||
      loom_tensor_read(d, back, sizeof(back)) ||
      memcmp(back, data, sizeof(data)) != 0)
    return 7;
  loom_tensor_release(d);
  loom_tensor_release(t);
  loom_device_release(device);
  loom_runtime_release(runtime);
  return 0;
}
