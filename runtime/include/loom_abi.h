//===- loom_abi.h - Calling contract of Loom's CPU device code -*- C -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// What the compiler emits for the CPU and what the runtime expects of it.
//
// Device code. A `.loom` section of kind DeviceCode with target "cpu" (or
// "cpu:<variant>") holds an ELF x86-64 shared object. The runtime loads it
// without a temporary file where it can (memfd_create, then
// dlopen("/proc/self/fd/N"); otherwise a temporary file under $TMPDIR that is
// unlinked right after dlopen) and resolves one symbol per entry point:
//
//     void loom_call_<entry_name>(void **args);
//
// so entry names are C identifiers ([A-Za-z_][A-Za-z0-9_]*). The object must
// be self-contained apart from libc and libm, listed as DT_NEEDED (link it
// with -lm -lc): no MLIR runtime libraries (memrefCopy and friends are
// lowered inline or linked into the object), as embedding apps lack them.
//
// Arguments.
//   args[0]      const loom_abi_context *: ABI version and the weights.
//   args[1]      the results buffer (see below), zero-filled by the runtime.
//   args[2 + i]  the memref descriptor of input i.
//
// Memref descriptors are MLIR's strided layout in natural C layout, every
// field 8 bytes:
//
//     struct { void *allocated; void *aligned; int64_t offset;
//              int64_t sizes[rank]; int64_t strides[rank]; };
//
// (rank 0: the first three fields only). Input descriptors have
// allocated == aligned == the tensor's data, offset 0 and row-major strides.
// Inputs are read-only: compiled code neither writes nor frees them.
//
// Results. The results buffer is the C struct of every result descriptor in
// result order, `struct { desc0; desc1; ... }`; as each field is 8 bytes,
// descriptor k starts at byte 8 * sum_{j<k} (3 + 2 * rank_j). The compiled
// code fills each descriptor; the runtime then reads `sizes` elements with
// `strides` from `aligned + offset * element_size` (copying into a dense
// row-major tensor when the layout is not row-major) and owns the memory:
//   - `allocated` is a block the compiled code malloc'ed: the runtime frees it
//     (once, with free()), possibly after adopting it as the output's storage;
//   - except when `allocated` is LOOM_ABI_CONSTANT_MARKER (MLIR's marker for a
//     constant global), points into an input (equal to its `allocated`, or
//     inside it) or into the weights, or was already seen for an earlier
//     result (aliasing): then the data are copied, never freed.
// The compiled code and the runtime therefore share one malloc: the shared
// object links the process's libc dynamically.
//
// Element storage. bool, i8, u8, f8e4m3fn and f8e5m2 take one byte each
// (bool is 0 or 1); f16, bf16, i16, u16 two; f32, i32, u32 four; f64, i64,
// u64 eight. u4/i4 have no ABI yet: the runtime refuses to invoke entry
// points that use them (LOOM_UNIMPLEMENTED).
//
// From MLIR. A func.func with {llvm.emit_c_interface} lowered by upstream
// passes gets `_mlir_ciface_<name>(results*, in0*, in1*, ...)`, where
// `results` points to the struct of result descriptors (one or several) in
// exactly the layout above; the entry point is then
//     void loom_call_<name>(void **a) { _mlir_ciface_<name>(a[1], a[2], ...); }
// (the context a[0] goes to the function as an extra pointer argument when
// it reads the weights). test/unit/runtime/mlir/ checks this end to end:
// memref.alloc {alignment} results (allocated != aligned), two results,
// and a result that is an input.
//
// Weights check. The object may export `const uint64_t loom_weights_size`
// (LOOM_ABI_WEIGHTS_SIZE_SYMBOL): the size of the weights section it was
// compiled against. The runtime then refuses to load an artifact whose
// weights for the target are missing or of another size (LOOM_NOT_FOUND /
// LOOM_INVALID_ARTIFACT) instead of letting the code read past them.
//
// Metadata. The artifact header describes each entry point: its name and,
// per input and output, a name, a dtype, dims (-1 = dynamic) and per dynamic
// dim an optional symbol ("batch"). The runtime checks inputs against it,
// binds each symbol to one size across all inputs, and checks the result
// descriptors against it too (a contradiction is LOOM_INTERNAL).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_ABI_H
#define LOOM_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Bumped whenever this contract changes incompatibly. A DeviceCode section
// records the version it was compiled for; the runtime refuses others.
#define LOOM_ABI_VERSION 1u

// Symbol name of entry point NAME is LOOM_ABI_ENTRY_PREFIX "NAME".
#define LOOM_ABI_ENTRY_PREFIX "loom_call_"

// Optional exported `const uint64_t`: the weights size the code expects.
#define LOOM_ABI_WEIGHTS_SIZE_SYMBOL "loom_weights_size"

// `allocated` value that MLIR uses for memrefs of constant globals.
#define LOOM_ABI_CONSTANT_MARKER ((void *)(uintptr_t)0xdeadbeef)

// args[0]. `weights` is the base of the artifact's weights section for this
// target (NULL, size 0, when the artifact has none); it is read-only and
// 4096-byte aligned.
typedef struct loom_abi_context {
  uint32_t abi_version; // LOOM_ABI_VERSION
  uint32_t reserved;    // 0
  const void *weights;
  uint64_t weights_size;
} loom_abi_context;

typedef void (*loom_abi_entry_fn)(void **args);

// The fixed head of every memref descriptor; sizes[rank] and strides[rank]
// follow it.
typedef struct loom_abi_memref_head {
  void *allocated;
  void *aligned;
  int64_t offset;
} loom_abi_memref_head;

// Byte size of a memref descriptor of rank `rank`.
static inline size_t loom_abi_memref_size(int32_t rank) {
  return (size_t)(3 + 2 * (int64_t)rank) * 8u;
}

#ifdef __cplusplus
} // extern "C"
#endif

#endif // LOOM_ABI_H
