//===- InitAll.h - Register Loom's dialects and passes ----------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// One place that knows which dialects and passes make up the compiler. Tools
// (loom-opt, loomc) and the JIT library call these instead of listing
// dialects themselves, so every entry point sees the same set.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_INITALL_H
#define LOOM_INITALL_H

namespace mlir {
class DialectRegistry;
namespace loom {

/// Registers the Loom dialects (loom_attn, loom_moe, loom_quant) and the
/// upstream dialects the compiler produces or consumes.
void registerAllDialects(DialectRegistry &registry);

/// Registers Loom's passes and pipelines and the upstream passes the
/// compiler uses, so that loom-opt can run each of them by name.
void registerAllPasses();

} // namespace loom
} // namespace mlir

#endif // LOOM_INITALL_H
