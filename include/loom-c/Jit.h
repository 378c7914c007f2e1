/*===- loom-c/Jit.h - Compile ONNX models in-process -------------*- C -*-===*\
|*                                                                          *|
|* Part of the Loom project, under the Apache License v2.0 with LLVM        *|
|* Exceptions.                                                              *|
|*                                                                          *|
|*===----------------------------------------------------------------------===*|
|*                                                                          *|
|* The JIT library: an application hands over an ONNX model (a path or the  *|
|* bytes) and gets back a runtime module, ready to run through the runtime  *|
|* API of loom_runtime.h. Everything happens in the calling process and in  *|
|* memory: no compiler binary, no temporary file.                           *|
|*                                                                          *|
|* Each call compiles independently (its own MLIR context), so calls from   *|
|* several threads are safe.                                                *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#ifndef LOOM_C_JIT_H
#define LOOM_C_JIT_H

#include "loom_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct loom_jit_options_t {
  /* Target spec: "cpu" (the default when NULL), "cpu:native", "cpu:x86-64".
     It must match the device the module is loaded on. */
  const char *target;
  /* Non-zero: print the IR after every pass to stderr. */
  int32_t print_ir_after_all;
} loom_jit_options_t;

/* Compiles the ONNX model at `path` (external data resolved next to it) and
   loads it on `device`. `options` may be NULL. On failure returns a status
   whose message carries the compiler's diagnostics (naming the ONNX node). */
LOOM_API loom_status_t loom_jit_compile_onnx_file(
    loom_device_t *device, const char *path, const loom_jit_options_t *options,
    loom_module_t **out_module);

/* Same, from the bytes of a ModelProto (no external data). */
LOOM_API loom_status_t loom_jit_compile_onnx_bytes(
    loom_device_t *device, const void *data, size_t size,
    const loom_jit_options_t *options, loom_module_t **out_module);

#ifdef __cplusplus
}
#endif

#endif /* LOOM_C_JIT_H */
