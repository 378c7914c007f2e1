//===- loom_runtime.h - C API of the minimal Loom runtime -----*- C -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Loads `.loom` artifacts and runs their entry points. No LLVM, MLIR or
// protobuf; GPU drivers are dlopen'ed, so this library loads anywhere.
//
// Object model (all objects are reference counted; *_release drops one
// reference, the object dies with the last one; children retain parents):
//
//   loom_runtime_t   process-wide state (driver handles once GPUs arrive).
//   loom_device_t    one device of the runtime: "cpu" today.
//   loom_module_t    an artifact loaded for one device; immutable, so one
//                    module may serve many sessions on many threads.
//   loom_session_t   the mutable side: per-call scratch now, and the state
//                    kept between calls (a decoder's KV cache) later. Every
//                    invocation goes through a session; one session is used
//                    by one thread at a time.
//   loom_tensor_t    a dense row-major tensor in host memory, or in a GPU's
//                    memory (loom_tensor_create_on_device).
//
// Errors are values: every fallible call returns a loom_status_t, NULL on
// success, otherwise an object holding a code and a message that the caller
// frees with loom_status_free(). Bad input (a corrupted artifact, a wrong
// input) yields a status, never a crash.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_H
#define LOOM_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define LOOM_API
#else
#define LOOM_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

//===----------------------------------------------------------------------===//
// Status
//===----------------------------------------------------------------------===//

typedef enum loom_status_code_t {
  LOOM_OK = 0,
  LOOM_INVALID_ARGUMENT = 1, // a bad argument or input tensor
  LOOM_NOT_FOUND = 2,        // no such entry point, file, section or target
  LOOM_IO_ERROR = 3,         // a file could not be read or written
  LOOM_INVALID_ARTIFACT = 4, // the artifact is corrupted or inconsistent
  LOOM_VERSION_MISMATCH = 5, // the artifact's format version is unsupported
  LOOM_UNAVAILABLE = 6,      // the device's driver is not on this machine
  LOOM_UNIMPLEMENTED = 7,    // a feature this runtime does not have yet
  LOOM_OUT_OF_MEMORY = 8,
  LOOM_INTERNAL = 9, // compiled code broke its contract, or a runtime bug
  // Keeps the enum 32 bits wide, so any int32 value is a valid one.
  LOOM_STATUS_CODE_MAX_ENUM = 0x7fffffff,
} loom_status_code_t;

// NULL means success.
typedef struct loom_status *loom_status_t;

// A status with `code` and a copy of `message`, for libraries that report
// through the runtime's error type (the JIT); NULL for LOOM_OK.
LOOM_API loom_status_t loom_status_create(loom_status_code_t code,
                                          const char *message);
// LOOM_OK for NULL.
LOOM_API loom_status_code_t loom_status_code(loom_status_t status);
// "" for NULL; otherwise valid until loom_status_free().
LOOM_API const char *loom_status_message(loom_status_t status);
// Accepts NULL.
LOOM_API void loom_status_free(loom_status_t status);
// "OK", "INVALID_ARGUMENT", ...
LOOM_API const char *loom_status_code_name(loom_status_code_t code);

//===----------------------------------------------------------------------===//
// Element types (numbered as ONNX's TensorProto.DataType)
//===----------------------------------------------------------------------===//

typedef enum loom_dtype_t {
  LOOM_DTYPE_INVALID = 0,
  LOOM_DTYPE_F32 = 1,
  LOOM_DTYPE_U8 = 2,
  LOOM_DTYPE_I8 = 3,
  LOOM_DTYPE_U16 = 4,
  LOOM_DTYPE_I16 = 5,
  LOOM_DTYPE_I32 = 6,
  LOOM_DTYPE_I64 = 7,
  LOOM_DTYPE_BOOL = 9, // one byte per element, 0 or 1
  LOOM_DTYPE_F16 = 10,
  LOOM_DTYPE_F64 = 11,
  LOOM_DTYPE_U32 = 12,
  LOOM_DTYPE_U64 = 13,
  LOOM_DTYPE_BF16 = 16,
  LOOM_DTYPE_F8E4M3FN = 17, // opaque bytes to the runtime
  LOOM_DTYPE_F8E5M2 = 19,   // opaque bytes to the runtime
  LOOM_DTYPE_U4 = 21, // packed two per byte, first element in the low nibble
  LOOM_DTYPE_I4 = 22, // packed two per byte, first element in the low nibble
  // Keeps the enum 32 bits wide: values read from files may be anything, and
  // every int32 must be a valid value to check.
  LOOM_DTYPE_MAX_ENUM = 0x7fffffff,
} loom_dtype_t;

// "f32", "i64", ...; "invalid" for values outside the enum.
LOOM_API const char *loom_dtype_name(loom_dtype_t dtype);
// The dtype named `name` ("f32", ...), LOOM_DTYPE_INVALID if none.
LOOM_API loom_dtype_t loom_dtype_from_name(const char *name);
// Bits per element (4 for u4/i4); 0 for an invalid dtype.
LOOM_API int32_t loom_dtype_bits(loom_dtype_t dtype);

// Tensors of rank above this are refused (artifacts and loom_tensor_*).
#define LOOM_MAX_RANK 32

//===----------------------------------------------------------------------===//
// Runtime and devices
//===----------------------------------------------------------------------===//

typedef struct loom_runtime loom_runtime_t;
typedef struct loom_device loom_device_t;

LOOM_API loom_status_t loom_runtime_create(loom_runtime_t **out_runtime);
LOOM_API void loom_runtime_retain(loom_runtime_t *runtime);
LOOM_API void loom_runtime_release(loom_runtime_t *runtime);

// `name` is "cpu", "cuda" or "rocm" (optionally ":<ordinal>"). GPU devices
// dlopen their driver: LOOM_UNAVAILABLE when it is absent or finds no GPU.
// "cuda" opens the device's primary context (libcuda.so.1); "rocm" selects
// the device through HIP (libamdhip64.so, .so.6 or .so.5).
LOOM_API loom_status_t loom_device_create(loom_runtime_t *runtime,
                                          const char *name,
                                          loom_device_t **out_device);
LOOM_API void loom_device_retain(loom_device_t *device);
LOOM_API void loom_device_release(loom_device_t *device);
// The artifact target prefix this device runs: "cpu", "cuda" or "rocm".
LOOM_API const char *loom_device_target(const loom_device_t *device);

//===----------------------------------------------------------------------===//
// Modules: a loaded artifact and its entry points
//===----------------------------------------------------------------------===//

typedef struct loom_module loom_module_t;

// Load flags (bitwise or).
#define LOOM_LOAD_DEFAULT 0u
// Memory only: use `data` in place instead of copying it. The caller keeps it
// alive and unchanged until the module dies, and aligns it to 4096 bytes so
// that the weights keep the alignment the artifact promises.
#define LOOM_LOAD_BORROW 1u
// Also check the CRC-32 of the weights (code sections are always checked;
// weights are not by default, as they can be gigabytes).
#define LOOM_LOAD_VERIFY_WEIGHTS 2u

// Maps the file read-only; weights are used in place from the mapping.
LOOM_API loom_status_t loom_module_load_file(loom_device_t *device,
                                             const char *path, uint32_t flags,
                                             loom_module_t **out_module);
// Copies `data` unless `flags` has LOOM_LOAD_BORROW.
LOOM_API loom_status_t loom_module_load_memory(loom_device_t *device,
                                               const void *data, size_t size,
                                               uint32_t flags,
                                               loom_module_t **out_module);
LOOM_API void loom_module_retain(loom_module_t *module);
LOOM_API void loom_module_release(loom_module_t *module);

// Describes one input or output of an entry point. Pointers stay valid as
// long as the module lives.
typedef struct loom_tensor_info_t {
  const char *name;
  loom_dtype_t dtype;
  int32_t rank;
  const int64_t *dims;            // `rank` entries; -1 = dynamic
  const char *const *dim_symbols; // `rank` entries; NULL = no symbol
} loom_tensor_info_t;

typedef struct loom_entry_info_t {
  const char *name;
  size_t num_inputs;
  size_t num_outputs;
} loom_entry_info_t;

LOOM_API size_t loom_module_entry_count(const loom_module_t *module);
LOOM_API loom_status_t loom_module_entry_info(const loom_module_t *module,
                                              size_t entry,
                                              loom_entry_info_t *out_info);
// LOOM_NOT_FOUND (listing the entry points there are) if absent.
LOOM_API loom_status_t loom_module_find_entry(const loom_module_t *module,
                                              const char *name,
                                              size_t *out_entry);
LOOM_API loom_status_t loom_module_input_info(const loom_module_t *module,
                                              size_t entry, size_t input,
                                              loom_tensor_info_t *out_info);
LOOM_API loom_status_t loom_module_output_info(const loom_module_t *module,
                                               size_t entry, size_t output,
                                               loom_tensor_info_t *out_info);

//===----------------------------------------------------------------------===//
// Tensors (dense, row-major; host memory unless created on a GPU device)
//===----------------------------------------------------------------------===//

typedef struct loom_tensor loom_tensor_t;

// Zero-filled, 64-byte aligned. `shape` has `rank` entries, each >= 0.
LOOM_API loom_status_t loom_tensor_create(loom_dtype_t dtype, int32_t rank,
                                          const int64_t *shape,
                                          loom_tensor_t **out_tensor);
// Copies `size` bytes from `data`; `size` must equal the tensor's byte size.
LOOM_API loom_status_t loom_tensor_create_copy(loom_dtype_t dtype, int32_t rank,
                                               const int64_t *shape,
                                               const void *data, size_t size,
                                               loom_tensor_t **out_tensor);
// Uses `data` in place; `release(user, data)` (if not NULL) runs when the
// tensor dies. `size` must equal the tensor's byte size.
LOOM_API loom_status_t loom_tensor_wrap(loom_dtype_t dtype, int32_t rank,
                                        const int64_t *shape, void *data,
                                        size_t size,
                                        void (*release)(void *user, void *data),
                                        void *user, loom_tensor_t **out_tensor);
LOOM_API void loom_tensor_retain(loom_tensor_t *tensor);
LOOM_API void loom_tensor_release(loom_tensor_t *tensor);

// A zero-filled tensor in the memory of `device`: on "cuda" and "rocm",
// device memory allocated once, which invocations of sessions on that device
// take as an input without a host-to-device upload (the compiled code copies
// it device to device); on "cpu", an ordinary host tensor. Fill and read it
// with loom_tensor_write / loom_tensor_read. Outputs of invocations are host
// tensors unless loom_session_set_outputs_on_device is on.
LOOM_API loom_status_t loom_tensor_create_on_device(loom_device_t *device,
                                                    loom_dtype_t dtype,
                                                    int32_t rank,
                                                    const int64_t *shape,
                                                    loom_tensor_t **out_tensor);
// The device whose memory holds the tensor; NULL for host memory (including
// tensors created on "cpu"). The tensor keeps its device alive.
LOOM_API loom_device_t *loom_tensor_device(const loom_tensor_t *tensor);
// Copies `size` bytes (the tensor's byte size) from host memory into the
// tensor / from the tensor into host memory, host or device tensor alike;
// returns when the copy is done. Not concurrently with an invocation using
// the tensor.
LOOM_API loom_status_t loom_tensor_write(loom_tensor_t *tensor,
                                         const void *data, size_t size);
LOOM_API loom_status_t loom_tensor_read(const loom_tensor_t *tensor,
                                        void *data, size_t size);

LOOM_API loom_dtype_t loom_tensor_dtype(const loom_tensor_t *tensor);
LOOM_API int32_t loom_tensor_rank(const loom_tensor_t *tensor);
LOOM_API const int64_t *loom_tensor_shape(const loom_tensor_t *tensor);
LOOM_API int64_t loom_tensor_element_count(const loom_tensor_t *tensor);
LOOM_API size_t loom_tensor_byte_size(const loom_tensor_t *tensor);
// Host tensors: their data. Device tensors: the device address (not to be
// dereferenced on the host).
LOOM_API void *loom_tensor_data(loom_tensor_t *tensor);

//===----------------------------------------------------------------------===//
// Sessions and invocation
//===----------------------------------------------------------------------===//

typedef struct loom_session loom_session_t;

LOOM_API loom_status_t loom_session_create(loom_module_t *module,
                                           loom_session_t **out_session);
LOOM_API void loom_session_retain(loom_session_t *session);
LOOM_API void loom_session_release(loom_session_t *session);

// CUDA sessions replay repeated invocations with the same input shapes as
// one CUDA graph (runtime/README.md; LOOM_CUDA_GRAPHS=0 turns that off for
// the process). This turns it off for `session`, for good; a no-op on other
// devices.
LOOM_API loom_status_t loom_session_disable_gpu_graphs(
    loom_session_t *session);

// GPU sessions: with `on` nonzero, later invocations leave their outputs on
// the device: each output is a device tensor (loom_tensor_device is the
// session's device; loom_tensor_data is a device address) that the caller
// owns, read with loom_tensor_read, and whose memory goes back to the
// device's pool when it is released. Nothing is copied to the host. Such
// invocations are not replayed as CUDA graphs. Off by default; a no-op on
// the CPU, whose outputs are host memory.
LOOM_API loom_status_t loom_session_set_outputs_on_device(
    loom_session_t *session, int32_t on);

// Runs entry point `entry` (see loom_module_find_entry). Inputs are checked
// against the entry's metadata: count, dtype, rank, static dims, and every
// dim symbol bound to one size across all inputs; device tensors must be on
// the session's device. On success `outputs`
// (num_outputs == the entry's output count) receives one new tensor per
// output, which the caller releases; on failure it is left all NULL.
LOOM_API loom_status_t loom_session_invoke(
    loom_session_t *session, size_t entry, loom_tensor_t *const *inputs,
    size_t num_inputs, loom_tensor_t **outputs, size_t num_outputs);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // LOOM_RUNTIME_H
