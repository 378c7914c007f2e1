//===- Status.h - Building loom_status_t values ----------------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_SRC_STATUS_H
#define LOOM_RUNTIME_SRC_STATUS_H

#include "loom_runtime.h"

#include <string>

struct loom_status {
  loom_status_code_t code;
  std::string message;
};

namespace loom {

// A new status; never fails (an allocation failure yields a shared,
// statically allocated out-of-memory status that loom_status_free ignores).
loom_status_t makeStatus(loom_status_code_t code, std::string message);

// Prefixes `context` to the message of `status` (which must not be NULL).
loom_status_t annotate(loom_status_t status, const std::string &context);

} // namespace loom

#endif // LOOM_RUNTIME_SRC_STATUS_H
