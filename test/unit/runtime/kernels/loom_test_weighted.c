//===- loom_test_weighted.c - CPU device code that needs weights
//-----------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Declares the weights size it was compiled against (loom_weights_size), so
// the runtime can refuse an artifact whose weights are missing or of another
// size instead of letting this code read past them.
//
//===----------------------------------------------------------------------===//

#include "loom_abi.h"

#include <stdlib.h>

const uint64_t loom_weights_size = 16;

typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
} memref1;

// last_weight() -> f32[1]: reads the last of the four weights.
void loom_call_last_weight(void **args) {
  const loom_abi_context *ctx = (const loom_abi_context *)args[0];
  memref1 *out = (memref1 *)args[1];
  float *r = (float *)malloc(sizeof(float));
  *r = ((const float *)ctx->weights)[3];
  out->allocated = out->aligned = r;
  out->offset = 0;
  out->sizes[0] = 1;
  out->strides[0] = 1;
}
