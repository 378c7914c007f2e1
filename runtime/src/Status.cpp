//===- Status.cpp - Status values and dtype helpers of the C API ----------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "Status.h"

#include "DTypeInfo.h"

#include <new>

namespace {
// Returned when even the status cannot be allocated.
loom_status gOutOfMemory{LOOM_OUT_OF_MEMORY, "out of memory"};
} // namespace

loom_status_t loom::makeStatus(loom_status_code_t code, std::string message) {
  loom_status *s = new (std::nothrow) loom_status{code, std::move(message)};
  return s ? s : &gOutOfMemory;
}

loom_status_t loom::annotate(loom_status_t status, const std::string &context) {
  if (status == &gOutOfMemory)
    return status;
  status->message = context + ": " + status->message;
  return status;
}

extern "C" {

loom_status_t loom_status_create(loom_status_code_t code, const char *message) {
  if (code == LOOM_OK)
    return nullptr;
  return loom::makeStatus(code, message ? message : "");
}

loom_status_code_t loom_status_code(loom_status_t status) {
  return status ? status->code : LOOM_OK;
}

const char *loom_status_message(loom_status_t status) {
  return status ? status->message.c_str() : "";
}

void loom_status_free(loom_status_t status) {
  if (status != &gOutOfMemory)
    delete status;
}

const char *loom_status_code_name(loom_status_code_t code) {
  switch (code) {
  case LOOM_OK:
    return "OK";
  case LOOM_INVALID_ARGUMENT:
    return "INVALID_ARGUMENT";
  case LOOM_NOT_FOUND:
    return "NOT_FOUND";
  case LOOM_IO_ERROR:
    return "IO_ERROR";
  case LOOM_INVALID_ARTIFACT:
    return "INVALID_ARTIFACT";
  case LOOM_VERSION_MISMATCH:
    return "VERSION_MISMATCH";
  case LOOM_UNAVAILABLE:
    return "UNAVAILABLE";
  case LOOM_UNIMPLEMENTED:
    return "UNIMPLEMENTED";
  case LOOM_OUT_OF_MEMORY:
    return "OUT_OF_MEMORY";
  case LOOM_INTERNAL:
    return "INTERNAL";
  case LOOM_STATUS_CODE_MAX_ENUM:
    break;
  }
  return "UNKNOWN";
}

const char *loom_dtype_name(loom_dtype_t dtype) {
  const loom::DTypeEntry *e = loom::lookupDType(dtype);
  return e ? e->name : "invalid";
}

loom_dtype_t loom_dtype_from_name(const char *name) {
  const loom::DTypeEntry *e = loom::lookupDTypeByName(name);
  return e ? e->dtype : LOOM_DTYPE_INVALID;
}

int32_t loom_dtype_bits(loom_dtype_t dtype) {
  const loom::DTypeEntry *e = loom::lookupDType(dtype);
  return e ? e->bits : 0;
}

} // extern "C"
