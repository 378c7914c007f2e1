/*===- embed.c - An app that embeds Loom's JIT ---------------------------===*\
|*                                                                          *|
|* Part of the Loom project, under the Apache License v2.0 with LLVM        *|
|* Exceptions.                                                              *|
|*                                                                          *|
|*===----------------------------------------------------------------------===*|
|*                                                                          *|
|* Reads an ONNX model that adds two float tensors (for instance ONNX's     *|
|* node test test_add), compiles it in-process from the bytes, runs it on   *|
|* the CPU and checks the sum. No compiler binary, no temporary file.       *|
|*                                                                          *|
|*   loom-jit-embed MODEL.onnx                                              *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "loom-c/Jit.h"
#include "loom_runtime.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int failed(loom_status_t status, const char *what) {
  if (!status)
    return 0;
  fprintf(stderr, "%s: %s\n", what, loom_status_message(status));
  loom_status_free(status);
  return 1;
}

static char *readFile(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *data = n > 0 ? malloc((size_t)n) : NULL;
  if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
    free(data);
    data = NULL;
  }
  fclose(f);
  *size = (size_t)n;
  return data;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s MODEL.onnx\n", argv[0]);
    return 2;
  }
  size_t size = 0;
  char *bytes = readFile(argv[1], &size);
  if (!bytes) {
    fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }

  loom_runtime_t *runtime = NULL;
  loom_device_t *device = NULL;
  loom_module_t *module = NULL;
  loom_session_t *session = NULL;
  loom_tensor_t *inputs[2] = {NULL, NULL}, *output = NULL;
  int rc = 1;
  if (failed(loom_runtime_create(&runtime), "runtime") ||
      failed(loom_device_create(runtime, "cpu", &device), "device") ||
      failed(loom_jit_compile_onnx_bytes(device, bytes, size, NULL, &module),
             "compile") ||
      failed(loom_session_create(module, &session), "session"))
    goto done;

  /* The entry point's first input says the shape to feed. */
  loom_tensor_info_t info;
  if (failed(loom_module_input_info(module, 0, 0, &info), "input info"))
    goto done;
  int64_t shape[8], count = 1;
  for (int32_t d = 0; d < info.rank && d < 8; ++d) {
    shape[d] = info.dims[d] < 0 ? 2 : info.dims[d];
    count *= shape[d];
  }
  for (int i = 0; i < 2; ++i) {
    if (failed(loom_tensor_create(LOOM_DTYPE_F32, info.rank, shape, &inputs[i]),
               "tensor"))
      goto done;
    float *data = loom_tensor_data(inputs[i]);
    for (int64_t j = 0; j < count; ++j)
      data[j] = (float)(i + 1) * 0.5f * (float)j;
  }
  if (failed(loom_session_invoke(session, 0, inputs, 2, &output, 1), "run"))
    goto done;

  const float *x = loom_tensor_data(inputs[0]), *y = loom_tensor_data(inputs[1]);
  const float *sum = loom_tensor_data(output);
  for (int64_t j = 0; j < count; ++j)
    if (fabsf(sum[j] - (x[j] + y[j])) > 1e-6f) {
      fprintf(stderr, "element %lld is %g, expected %g\n", (long long)j,
              sum[j], x[j] + y[j]);
      goto done;
    }
  printf("compiled %s in-process and ran it: %lld sums correct\n", argv[1],
         (long long)count);
  rc = 0;

done:
  loom_tensor_release(output);
  loom_tensor_release(inputs[0]);
  loom_tensor_release(inputs[1]);
  loom_session_release(session);
  loom_module_release(module);
  loom_device_release(device);
  loom_runtime_release(runtime);
  free(bytes);
  return rc;
}
