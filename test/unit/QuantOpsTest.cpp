//===- QuantOpsTest.cpp - loom_quant ops built and verified from C++ ------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "dialects/quant/QuantDialect.h"
#include "loom/InitAll.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::loom::quant;

namespace {

class QuantOpsTest : public ::testing::Test {
protected:
  QuantOpsTest() : ctx(makeRegistry()), b(&ctx) {
    ctx.loadAllAvailableDialects();
    // Verifier failures are expected in some tests; keep them off stderr.
    handler = ctx.getDiagEngine().registerHandler([](Diagnostic &) {});
    module = ModuleOp::create(b.getUnknownLoc());
  }
  ~QuantOpsTest() override { ctx.getDiagEngine().eraseHandler(handler); }

  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    loom::registerAllDialects(registry);
    return registry;
  }

  /// A function whose arguments have `types`, with the builder inside it.
  func::FuncOp makeFunc(ArrayRef<Type> types) {
    b.setInsertionPointToEnd(module->getBody());
    auto fn = func::FuncOp::create(b, b.getUnknownLoc(), "f",
                                   b.getFunctionType(types, {}));
    b.setInsertionPointToStart(fn.addEntryBlock());
    return fn;
  }

  RankedTensorType t(ArrayRef<int64_t> shape, Type elt) {
    return RankedTensorType::get(shape, elt);
  }

  MLIRContext ctx;
  OpBuilder b;
  OwningOpRef<ModuleOp> module;
  DiagnosticEngine::HandlerID handler;
};

TEST_F(QuantOpsTest, SchemeProperties) {
  auto s4 = SchemeAttr::get(&ctx, StorageType::i4, Granularity::per_group, 1,
                            32, false, true);
  EXPECT_EQ(s4.getStorageBitWidth(), 4u);
  EXPECT_EQ(s4.getQMin(), -8);
  EXPECT_EQ(s4.getQMax(), 7);
  auto u8 = SchemeAttr::get(&ctx, StorageType::u8, Granularity::per_tensor, 0,
                            0, true, false);
  EXPECT_EQ(u8.getQMin(), 0);
  EXPECT_EQ(u8.getQMax(), 255);
  EXPECT_FALSE(u8.isSignedStorage());
  auto f8 = SchemeAttr::get(&ctx, StorageType::f8E4M3FN,
                            Granularity::per_tensor, 0, 0, false, false);
  EXPECT_TRUE(f8.isFloatStorage());
  EXPECT_TRUE(isa<Float8E4M3FNType>(f8.getStorageElementType(&ctx)));
}

// Combinations the textual syntax cannot spell are still rejected when a
// C++ caller (the importer) builds them.
TEST_F(QuantOpsTest, SchemeVerifierRejectsInconsistentParameters) {
  auto emit = [&] { return emitError(UnknownLoc::get(&ctx)); };
  EXPECT_TRUE(succeeded(SchemeAttr::verify(emit, StorageType::i8,
                                           Granularity::per_channel, 1, 0,
                                           false, false)));
  EXPECT_TRUE(failed(SchemeAttr::verify(emit, StorageType::i8,
                                        Granularity::per_channel, 1, 16,
                                        false, false)))
      << "group size without per_group";
  EXPECT_TRUE(failed(SchemeAttr::verify(emit, StorageType::i8,
                                        Granularity::per_tensor, 2, 0, false,
                                        false)))
      << "axis with per_tensor";
  EXPECT_TRUE(failed(SchemeAttr::verify(emit, StorageType::u8,
                                        Granularity::per_tensor, 0, 0, false,
                                        true)))
      << "packed 8-bit storage";
  EXPECT_TRUE(failed(SchemeAttr::verify(emit, StorageType::f8E5M2,
                                        Granularity::per_tensor, 0, 0, true,
                                        false)))
      << "fp8 with zero point";
}

TEST_F(QuantOpsTest, QuantizeDequantizeBuildAndVerify) {
  Type f32 = b.getF32Type(), i8 = b.getIntegerType(8);
  auto fn = makeFunc({t({4, 8}, f32), t({8}, f32), t({8}, i8)});
  Value x = fn.getArgument(0), s = fn.getArgument(1), z = fn.getArgument(2);
  auto scheme = SchemeAttr::get(&ctx, StorageType::u8,
                                Granularity::per_channel, 1, 0, true, false);
  auto q = QuantizeOp::create(b, b.getUnknownLoc(), t({4, 8}, i8), x, s, z,
                              scheme);
  EXPECT_TRUE(succeeded(q.verify()));
  auto dq = DequantizeOp::create(b, b.getUnknownLoc(), t({4, 8}, f32),
                                 q.getResult(), s, z, scheme);
  EXPECT_TRUE(succeeded(dq.verify()));

  // A per-channel scale along the wrong axis is caught.
  auto wrongAxis = SchemeAttr::get(&ctx, StorageType::u8,
                                   Granularity::per_channel, 0, 0, true, false);
  auto bad = QuantizeOp::create(b, b.getUnknownLoc(), t({4, 8}, i8), x, s, z,
                                wrongAxis);
  EXPECT_TRUE(failed(bad.verify()));
}

TEST_F(QuantOpsTest, MatmulW4A16LogicalShape) {
  Type f16 = b.getF16Type(), i8 = b.getIntegerType(8);
  // MatMulNBits layout: weight [N, K/2] bytes, scales [N, K/32].
  auto fn = makeFunc({t({4, 128}, f16), t({256, 64}, i8), t({256, 4}, f16)});
  auto scheme = SchemeAttr::get(&ctx, StorageType::i4, Granularity::per_group,
                                1, 32, false, true);
  auto mm = MatmulOp::create(
      b, b.getUnknownLoc(), t({4, 256}, f16), fn.getArgument(0),
      fn.getArgument(1), fn.getArgument(2), /*weight_zero_point=*/Value(),
      /*input_scale=*/Value(), /*input_zero_point=*/Value(), scheme,
      /*input_scheme=*/SchemeAttr(), /*transpose_weight=*/true);
  EXPECT_TRUE(succeeded(mm.verify()));
  SmallVector<int64_t, 2> kn = mm.getLogicalWeightKN();
  EXPECT_EQ(kn[0], 128);
  EXPECT_EQ(kn[1], 256);

  // Without transpose_weight the same storage means K = 256: mismatch.
  auto bad = MatmulOp::create(
      b, b.getUnknownLoc(), t({4, 128}, f16), fn.getArgument(0),
      fn.getArgument(1), fn.getArgument(2), Value(), Value(), Value(), scheme,
      SchemeAttr(), /*transpose_weight=*/false);
  EXPECT_TRUE(failed(bad.verify()));
}

} // namespace
