//===- CompileForTest.h - Compile for the CPU and load it -------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// For unit tests that run compiled code: compiles MLIR source with the CPU
// backend's full pipeline, loads the shared object straight from memory and
// hands out its entry points, which take `void **args` the way the runtime
// calls them (args[0] the context, args[1] the results, args[2 + i] the
// memref descriptor of input i).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TEST_UNIT_COMPILEFORTEST_H
#define LOOM_TEST_UNIT_COMPILEFORTEST_H

#include "loom/InitAll.h"
#include "loom/Target/TargetBackend.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <dlfcn.h>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

namespace loom_test {

/// MLIR's strided memref descriptor for a given rank.
template <int Rank> struct Desc {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[Rank];
  int64_t strides[Rank];

  template <typename T> T *data() const {
    return static_cast<T *>(aligned) + offset;
  }
};
/// Rank 0 has no size or stride arrays.
template <> struct Desc<0> {
  void *allocated;
  void *aligned;
  int64_t offset;

  template <typename T> T *data() const {
    return static_cast<T *>(aligned) + offset;
  }
};

/// A descriptor of a contiguous row-major buffer.
template <int Rank, typename T>
Desc<Rank> makeDesc(T *data, std::array<int64_t, Rank> sizes) {
  Desc<Rank> d;
  d.allocated = d.aligned = static_cast<void *>(data);
  d.offset = 0;
  if constexpr (Rank > 0) {
    int64_t stride = 1;
    for (int i = Rank - 1; i >= 0; --i) {
      d.sizes[i] = sizes[i];
      d.strides[i] = stride;
      stride *= sizes[i];
    }
  }
  return d;
}

using EntryFn = void (*)(void **);

/// A compiled shared object loaded from memory; closed on destruction.
struct LoadedObject {
  void *handle = nullptr;
  int fd = -1;
  ~LoadedObject() {
    if (handle)
      dlclose(handle);
    if (fd >= 0)
      close(fd);
  }
  EntryFn entry(const char *name) const {
    return reinterpret_cast<EntryFn>(dlsym(handle, name));
  }
};

/// A context with every Loom dialect registered and loaded.
inline std::unique_ptr<mlir::MLIRContext> makeTestContext() {
  mlir::DialectRegistry registry;
  mlir::loom::registerAllDialects(registry);
  auto ctx = std::make_unique<mlir::MLIRContext>(registry);
  ctx->loadAllAvailableDialects();
  return ctx;
}

/// Compiles `source` with the CPU backend and dlopens the result (use with
/// ASSERT_NO_FATAL_FAILURE).
inline void compileAndLoad(mlir::MLIRContext *ctx, llvm::StringRef source,
                           LoadedObject &out) {
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(source, ctx);
  ASSERT_TRUE(module);
  std::string error;
  auto backend = mlir::loom::createTargetBackend("cpu", error);
  ASSERT_TRUE(mlir::succeeded(backend)) << error;
  mlir::PassManager pm(ctx);
  (*backend)->buildLoweringPipeline(pm);
  ASSERT_TRUE(mlir::succeeded(pm.run(*module)));
  mlir::FailureOr<mlir::loom::TargetBinary> binary =
      (*backend)->serialize(*module);
  ASSERT_TRUE(mlir::succeeded(binary));
  EXPECT_EQ(binary->kind, "cpu-elf-so");
  ASSERT_GT(binary->bytes.size(), 4u);
  EXPECT_EQ(std::string(binary->bytes.data() + 1, 3), "ELF");

  out.fd = memfd_create("loom-test-so", MFD_CLOEXEC);
  ASSERT_GE(out.fd, 0);
  ASSERT_EQ(write(out.fd, binary->bytes.data(), binary->bytes.size()),
            ssize_t(binary->bytes.size()));
  std::string path = "/proc/self/fd/" + std::to_string(out.fd);
  out.handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(out.handle, nullptr) << dlerror();
}

} // namespace loom_test

#endif // LOOM_TEST_UNIT_COMPILEFORTEST_H
