//===- loom_test_kernels.c - Hand-written CPU device code for tests -------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Stands in for compiler output so the runtime can be tested without the
// compiler: each function follows loom_abi.h exactly, and each exercises
// one part of the result ownership rules.
//
//===----------------------------------------------------------------------===//

#include "loom_abi.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
} memref0;

typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
} memref1;

typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
} memref2;

static float at(const memref1 *m, int64_t i) {
  return ((const float *)m->aligned)[m->offset + i * m->strides[0]];
}

// add(a: f32[?n], b: f32[?n]) -> f32[?n], freshly malloc'ed.
void loom_call_add(void **args) {
  const memref1 *a = (const memref1 *)args[2], *b = (const memref1 *)args[3];
  memref1 *out = (memref1 *)args[1];
  int64_t n = a->sizes[0];
  float *r = (float *)malloc(n ? (size_t)n * sizeof(float) : 1);
  for (int64_t i = 0; i < n; ++i)
    r[i] = at(a, i) + at(b, i);
  out->allocated = out->aligned = r;
  out->offset = 0;
  out->sizes[0] = n;
  out->strides[0] = 1;
}

// echo(x: f32[?n]) -> f32[?n]: returns the input's own descriptor, so the
// runtime must copy and must not free.
void loom_call_echo(void **args) { memcpy(args[1], args[2], sizeof(memref1)); }

// transpose(x: f32[2, 3]) -> f32[3, 2] as a strided view of a malloc'ed
// copy: the runtime must copy it out densely, then free the block.
void loom_call_transpose(void **args) {
  const memref2 *x = (const memref2 *)args[2];
  memref2 *out = (memref2 *)args[1];
  float *copy = (float *)malloc(6 * sizeof(float));
  memcpy(copy, (const float *)x->aligned + x->offset, 6 * sizeof(float));
  out->allocated = out->aligned = copy;
  out->offset = 0;
  out->sizes[0] = 3;
  out->sizes[1] = 2;
  out->strides[0] = 1;
  out->strides[1] = 3;
}

// split(x: f32[?n]) -> (f32[?n] = 2x, f32[?n] = 3x): both results live in
// one malloc'ed block, which must be freed exactly once.
void loom_call_split(void **args) {
  const memref1 *x = (const memref1 *)args[2];
  memref1 *outs = (memref1 *)args[1];
  int64_t n = x->sizes[0];
  float *block = (float *)malloc(n ? 2 * (size_t)n * sizeof(float) : 1);
  for (int64_t i = 0; i < n; ++i) {
    block[i] = 2 * at(x, i);
    block[n + i] = 3 * at(x, i);
  }
  for (int k = 0; k < 2; ++k) {
    outs[k].allocated = outs[k].aligned = block;
    outs[k].offset = k * n;
    outs[k].sizes[0] = n;
    outs[k].strides[0] = 1;
  }
}

static const int32_t kConstant[4] = {7, 8, 9, 10};

// constant() -> i32[4]: a constant global, marked as MLIR marks them.
void loom_call_constant(void **args) {
  memref1 *out = (memref1 *)args[1];
  out->allocated = LOOM_ABI_CONSTANT_MARKER;
  out->aligned = (void *)kConstant;
  out->offset = 0;
  out->sizes[0] = 4;
  out->strides[0] = 1;
}

// weights_sum() -> f32[]: sums the weights section as floats (rank 0).
void loom_call_weights_sum(void **args) {
  const loom_abi_context *ctx = (const loom_abi_context *)args[0];
  memref0 *out = (memref0 *)args[1];
  float *r = (float *)malloc(sizeof(float));
  *r = ctx->abi_version == LOOM_ABI_VERSION ? 0.0f : -1.0f;
  const float *w = (const float *)ctx->weights;
  for (uint64_t i = 0; w && i < ctx->weights_size / sizeof(float); ++i)
    *r += w[i];
  out->allocated = out->aligned = r;
  out->offset = 0;
}

// bad_shape(x: f32[?n]) -> f32[4] (metadata) but returns n elements: the
// runtime must report the contract violation and still free the block.
void loom_call_bad_shape(void **args) {
  const memref1 *x = (const memref1 *)args[2];
  memref1 *out = (memref1 *)args[1];
  int64_t n = x->sizes[0];
  float *r = (float *)calloc(n ? (size_t)n : 1, sizeof(float));
  out->allocated = out->aligned = r;
  out->offset = 0;
  out->sizes[0] = n;
  out->strides[0] = 1;
}

// weights_view() -> f32[4]: the weights themselves, not marked as a
// constant; the runtime must see they are the weights and copy them.
void loom_call_weights_view(void **args) {
  const loom_abi_context *ctx = (const loom_abi_context *)args[0];
  memref1 *out = (memref1 *)args[1];
  out->allocated = out->aligned = (void *)ctx->weights;
  out->offset = 0;
  out->sizes[0] = 4;
  out->strides[0] = 1;
}

// tail(x: f32[?]) -> f32[?]: x[1:] with `allocated` an interior pointer of
// the input; the runtime must copy, not free.
void loom_call_tail(void **args) {
  const memref1 *x = (const memref1 *)args[2];
  memref1 *out = (memref1 *)args[1];
  float *p = (float *)x->aligned + x->offset + 1;
  out->allocated = out->aligned = p;
  out->offset = 0;
  out->sizes[0] = x->sizes[0] - 1;
  out->strides[0] = 1;
}
