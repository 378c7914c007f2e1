//===- DialectsTest.cpp - Loom dialects load and register -----------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "loom/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mlir;

TEST(Dialects, AllLoomDialectsLoad) {
  DialectRegistry registry;
  loom::registerAllDialects(registry);
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  for (StringRef name : {"loom_attn", "loom_moe", "loom_quant"})
    EXPECT_NE(ctx.getLoadedDialect(name), nullptr) << name.str();
}
