//===- AttnOpsTest.cpp - loom_attn ops and attributes from C++ ------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// What the lit tests cannot reach: the C++ API that passes and the importer
// use (builders, the pattern's visibility rule, the default scale, the
// destination-style interface).
//
//===----------------------------------------------------------------------===//

#include "dialects/attn/AttnDialect.h"
#include "loom/InitAll.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mlir;
using namespace mlir::loom::attn;

namespace {

class AttnOpsTest : public ::testing::Test {
protected:
  AttnOpsTest() : ctx(makeRegistry()), builder(&ctx) {
    ctx.loadAllAvailableDialects();
    // Keep the diagnostics of the negative cases for inspection instead of
    // printing them.
    handler = std::make_unique<ScopedDiagnosticHandler>(
        &ctx, [this](Diagnostic &diag) {
          diagnostics.push_back(diag.str());
          return success();
        });
    module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
  }

  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    loom::registerAllDialects(registry);
    return registry;
  }

  RankedTensorType tensor(ArrayRef<int64_t> shape, Type elementType) {
    return RankedTensorType::get(shape, elementType);
  }

  /// A function with the given argument types, the builder before its
  /// terminator; returns the arguments.
  ValueRange makeFunc(TypeRange argTypes) {
    Location loc = builder.getUnknownLoc();
    auto func = func::FuncOp::create(builder, loc, "f",
                                     builder.getFunctionType(argTypes, {}));
    Block *body = func.addEntryBlock();
    builder.setInsertionPointToStart(body);
    builder.setInsertionPoint(func::ReturnOp::create(builder, loc));
    return body->getArguments();
  }

  PatternAttr pattern(bool causal, std::optional<int64_t> window,
                      int64_t sinks = 0) {
    return PatternAttr::get(&ctx, causal, window, sinks);
  }

  MLIRContext ctx;
  OpBuilder builder;
  std::unique_ptr<ScopedDiagnosticHandler> handler;
  std::vector<std::string> diagnostics;
  OwningOpRef<ModuleOp> module;
};

//===----------------------------------------------------------------------===//
// #loom_attn.pattern
//===----------------------------------------------------------------------===//

TEST_F(AttnOpsTest, CausalSeesOnlyThePast) {
  PatternAttr p = pattern(/*causal=*/true, std::nullopt);
  EXPECT_TRUE(p.isVisible(5, 0));
  EXPECT_TRUE(p.isVisible(5, 5));
  EXPECT_FALSE(p.isVisible(5, 6));
}

TEST_F(AttnOpsTest, WindowWithoutCausalIsTwoSided) {
  PatternAttr p = pattern(/*causal=*/false, 3);
  EXPECT_TRUE(p.isVisible(10, 8));
  EXPECT_TRUE(p.isVisible(10, 12));
  EXPECT_FALSE(p.isVisible(10, 7));
  EXPECT_FALSE(p.isVisible(10, 13));
}

TEST_F(AttnOpsTest, SinksStayVisibleOutsideTheWindow) {
  PatternAttr p = pattern(/*causal=*/true, 4, /*sinks=*/2);
  // Sinks: the first two keys, whatever the distance.
  EXPECT_TRUE(p.isVisible(100, 0));
  EXPECT_TRUE(p.isVisible(100, 1));
  EXPECT_FALSE(p.isVisible(100, 2));
  // The window: the query and the three keys before it.
  EXPECT_TRUE(p.isVisible(100, 97));
  EXPECT_FALSE(p.isVisible(100, 96));
  // Causality still applies to sinks: a query never sees a later key.
  EXPECT_FALSE(p.isVisible(0, 1));
}

TEST_F(AttnOpsTest, PatternPrintsInCanonicalOrder) {
  Attribute parsed = parseAttribute(
      "#loom_attn.pattern<sinks = 4, window = 16, causal>", &ctx);
  auto p = dyn_cast_or_null<PatternAttr>(parsed);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p.getCausal());
  EXPECT_EQ(p.getWindow(), std::optional<int64_t>(16));
  EXPECT_EQ(p.getSinks(), 4);
  std::string printed;
  llvm::raw_string_ostream os(printed);
  os << p; // (Attribute::print; PatternAttr::print writes the body only)
  EXPECT_EQ(printed, "#loom_attn.pattern<causal, window = 16, sinks = 4>");
  // Uniqued: the same parameters give the same attribute.
  EXPECT_EQ(p, pattern(true, 16, 4));
}

TEST_F(AttnOpsTest, InvalidPatternIsRejected) {
  auto emit = [&] { return emitError(builder.getUnknownLoc()); };
  // Exact parameter types, so that the generated (verifying) overload of
  // getChecked is the one chosen.
  auto checked = [&](bool causal, std::optional<int64_t> window,
                     int64_t sinks) {
    return PatternAttr::getChecked(emit, &ctx, causal, window, sinks);
  };
  EXPECT_FALSE(checked(false, std::nullopt, 0));
  EXPECT_FALSE(checked(true, std::nullopt, 2));
  EXPECT_FALSE(checked(true, 0, 0));
  ASSERT_EQ(diagnostics.size(), 3u);
  EXPECT_NE(diagnostics[1].find("sinks need a window"), std::string::npos);
}

//===----------------------------------------------------------------------===//
// loom_attn.attention
//===----------------------------------------------------------------------===//

TEST_F(AttnOpsTest, AttentionBuilderInfersResultType) {
  Type bf16 = builder.getBF16Type();
  ValueRange args = makeFunc({tensor({2, 32, 7, 128}, bf16),
                              tensor({2, 8, 40, 128}, bf16),
                              tensor({2, 8, 40, 96}, bf16)});
  auto op = AttentionOp::create(builder, builder.getUnknownLoc(), args[0],
                                args[1], args[2], /*mask=*/Value(),
                                /*scale=*/FloatAttr(), pattern(true, 16));
  EXPECT_EQ(op.getType(), tensor({2, 32, 7, 96}, bf16));
  EXPECT_FALSE(op.getMask());
  EXPECT_TRUE(op.getPatternAttr().getCausal());
  EXPECT_TRUE(succeeded(verify(op)));
  EXPECT_TRUE(isMemoryEffectFree(op));
}

TEST_F(AttnOpsTest, AttentionDefaultScaleIsInverseSqrtHeadDim) {
  Type f32 = builder.getF32Type();
  ValueRange args = makeFunc({tensor({1, 4, 8, 64}, f32),
                              tensor({1, 4, 8, 64}, f32),
                              tensor({1, ShapedType::kDynamic, 8, 64}, f32),
                              tensor({1, 4, 8, ShapedType::kDynamic}, f32)});
  Location loc = builder.getUnknownLoc();
  auto implicit = AttentionOp::create(builder, loc, args[0], args[1], args[2]);
  EXPECT_EQ(implicit.getStaticScale(), std::optional<double>(0.125));

  auto explicitScale =
      AttentionOp::create(builder, loc, args[0], args[1], args[2], Value(),
                          builder.getF32FloatAttr(0.5f));
  EXPECT_EQ(explicitScale.getStaticScale(), std::optional<double>(0.5));

  // A dynamic head dim leaves the default to run time.
  auto dynamic = AttentionOp::create(builder, loc, args[3], args[3], args[3]);
  EXPECT_EQ(dynamic.getStaticScale(), std::nullopt);
  EXPECT_TRUE(succeeded(verify(*module)));
}

TEST_F(AttnOpsTest, AttentionVerifierNamesTheMismatch) {
  Type f32 = builder.getF32Type();
  ValueRange args = makeFunc({tensor({1, 6, 8, 64}, f32),
                              tensor({1, 4, 8, 64}, f32)});
  auto op = AttentionOp::create(builder, builder.getUnknownLoc(), args[0],
                                args[1], args[1]);
  EXPECT_TRUE(failed(verify(op)));
  ASSERT_FALSE(diagnostics.empty());
  EXPECT_NE(diagnostics.back().find(
                "query heads (6) must be a multiple of key/value heads (4)"),
            std::string::npos)
      << diagnostics.back();
}

//===----------------------------------------------------------------------===//
// loom_attn.paged_decode and loom_attn.kv_cache_write
//===----------------------------------------------------------------------===//

TEST_F(AttnOpsTest, WriteThenDecode) {
  Type f16 = builder.getF16Type();
  Type i32 = builder.getI32Type();
  RankedTensorType cacheType = tensor({64, 16, 2, 32}, f16);
  ValueRange args =
      makeFunc({tensor({4, 8, 32}, f16), tensor({4, 2, 32}, f16), cacheType,
                cacheType, tensor({4, 8}, i32), tensor({4}, i32)});
  Value query = args[0], newKeys = args[1], keyCache = args[2],
        valueCache = args[3], table = args[4], lens = args[5];
  Location loc = builder.getUnknownLoc();

  auto write = KvCacheWriteOp::create(builder, loc, cacheType, newKeys,
                                      keyCache, /*slots=*/lens);
  auto decode = PagedDecodeOp::create(
      builder, loc, tensor({4, 8, 32}, f16), query, write.getResult(),
      valueCache, table, lens, /*scale=*/FloatAttr(), /*pattern=*/nullptr);
  EXPECT_TRUE(succeeded(verify(*module)));
  EXPECT_NEAR(*decode.getStaticScale(), 1.0 / std::sqrt(32.0), 1e-12);

  // The cache is the destination: bufferization may write it in place.
  auto dps = dyn_cast<DestinationStyleOpInterface>(write.getOperation());
  ASSERT_TRUE(dps);
  ASSERT_EQ(dps.getNumDpsInits(), 1);
  EXPECT_EQ(dps.getDpsInitOperand(0)->get(), keyCache);
  EXPECT_EQ(dps.getTiedOpResult(dps.getDpsInitOperand(0)), write.getResult());
  EXPECT_TRUE(dps.isDpsInput(&write->getOpOperand(0)));
}

} // namespace
