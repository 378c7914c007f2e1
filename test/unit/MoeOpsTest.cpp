//===- MoeOpsTest.cpp - Building and verifying loom_moe ops in C++ --------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The lit tests cover the textual form; these cover what only C++ reaches:
// the builders that infer result types, and the verifiers on ops built by
// hand (as the importer and the passes will build them).
//
//===----------------------------------------------------------------------===//

#include "dialects/moe/MoeDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

#include <string>

using namespace mlir;
using namespace mlir::loom::moe;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

class MoeOpsTest : public ::testing::Test {
protected:
  MoeOpsTest() : builder(&ctx) {
    ctx.loadDialect<LoomMoeDialect>();
    builder.setInsertionPointToEnd(&block);
  }

  /// A fresh value of type tensor<shape x elementType>, standing in for
  /// whatever would produce it in a real function.
  Value tensor(ArrayRef<int64_t> shape, Type elementType) {
    return block.addArgument(RankedTensorType::get(shape, elementType), loc());
  }

  RankedTensorType type(ArrayRef<int64_t> shape, Type elementType) {
    return RankedTensorType::get(shape, elementType);
  }

  Location loc() { return builder.getUnknownLoc(); }
  Type f32() { return builder.getF32Type(); }
  Type bf16() { return builder.getBF16Type(); }
  Type i32() { return builder.getI32Type(); }

  /// Runs the full verifier on `op`. Returns "" when it passes, otherwise
  /// the diagnostics it emitted, so a test can check it failed for the
  /// reason it means to provoke.
  std::string verifyErrors(Operation *op) {
    std::string errors;
    ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &diag) {
      errors += diag.str() + "\n";
      return success();
    });
    if (succeeded(verify(op)))
      return "";
    return errors.empty() ? "failed without a message" : errors;
  }

  MLIRContext ctx;
  OpBuilder builder;
  // Owns the test's block arguments and ops, and destroys them with it.
  Block block;
};

//===----------------------------------------------------------------------===//
// route
//===----------------------------------------------------------------------===//

TEST_F(MoeOpsTest, RouteInfersResultTypes) {
  Value logits = tensor({16, 8}, f32());
  auto op = RouteOp::create(builder, loc(), logits, /*k=*/2, Scoring::Sigmoid,
                            /*normalize=*/true);
  EXPECT_EQ(op.getWeights().getType(), type({16, 2}, f32()));
  EXPECT_EQ(op.getIds().getType(), type({16, 2}, i32()));
  EXPECT_EQ(op.getK(), 2u);
  EXPECT_EQ(op.getScoring(), Scoring::Sigmoid);
  EXPECT_TRUE(op.getNormalize());
  EXPECT_EQ(verifyErrors(op), "");
}

TEST_F(MoeOpsTest, RouteDynamicTokensAndDefaultNormalize) {
  Value logits = tensor({kDyn, 64}, bf16());
  auto op = RouteOp::create(builder, loc(), logits, /*k=*/6, Scoring::Softmax);
  EXPECT_EQ(op.getWeights().getType(), type({kDyn, 6}, f32()));
  EXPECT_EQ(op.getIds().getType(), type({kDyn, 6}, i32()));
  EXPECT_FALSE(op.getNormalize());
  EXPECT_EQ(verifyErrors(op), "");
}

TEST_F(MoeOpsTest, RouteRejectsKAboveExperts) {
  Value logits = tensor({16, 2}, f32());
  auto op = RouteOp::create(builder, loc(), logits, /*k=*/3, Scoring::Softmax);
  EXPECT_NE(verifyErrors(op).find("k = 3 exceeds the 2 experts"),
            std::string::npos);
}

TEST_F(MoeOpsTest, RouteRejectsWrongWeightsShape) {
  Value logits = tensor({16, 8}, f32());
  auto op =
      RouteOp::create(builder, loc(), type({8, 2}, f32()), type({16, 2}, i32()),
                      logits, builder.getI64IntegerAttr(2),
                      ScoringAttr::get(&ctx, Scoring::Softmax), UnitAttr());
  EXPECT_NE(verifyErrors(op).find("'weights' dim 0 is 8, expected 16"),
            std::string::npos);
}

//===----------------------------------------------------------------------===//
// dispatch
//===----------------------------------------------------------------------===//

TEST_F(MoeOpsTest, DispatchInfersResultTypes) {
  Value x = tensor({16, 64}, bf16());
  Value ids = tensor({16, 2}, i32());
  auto op = DispatchOp::create(builder, loc(), x, ids, /*num_experts=*/8);
  EXPECT_EQ(op.getXSorted().getType(), type({32, 64}, bf16()));
  EXPECT_EQ(op.getExpertOffsets().getType(), type({9}, i32()));
  EXPECT_EQ(op.getPermutation().getType(), type({32}, i32()));
  EXPECT_EQ(verifyErrors(op), "");
}

TEST_F(MoeOpsTest, DispatchDynamicTokens) {
  Value x = tensor({kDyn, 64}, f32());
  Value ids = tensor({kDyn, 2}, i32());
  auto op = DispatchOp::create(builder, loc(), x, ids, /*num_experts=*/8);
  EXPECT_EQ(op.getXSorted().getType(), type({kDyn, 64}, f32()));
  EXPECT_EQ(op.getPermutation().getType(), type({kDyn}, i32()));
  EXPECT_EQ(verifyErrors(op), "");
}

TEST_F(MoeOpsTest, DispatchRejectsWrongOffsetsShape) {
  Value x = tensor({16, 64}, f32());
  Value ids = tensor({16, 2}, i32());
  auto op = DispatchOp::create(builder, loc(), type({32, 64}, f32()),
                               type({8}, i32()), type({32}, i32()), x, ids,
                               builder.getI64IntegerAttr(8));
  EXPECT_NE(verifyErrors(op).find("'expert_offsets' dim 0 is 8, expected 9"),
            std::string::npos);
}

TEST_F(MoeOpsTest, DispatchRejectsTokenMismatch) {
  Value x = tensor({16, 64}, f32());
  Value ids = tensor({8, 2}, i32());
  // The builder takes T from x; the verifier sees that ids disagrees.
  auto op = DispatchOp::create(builder, loc(), x, ids, /*num_experts=*/8);
  EXPECT_NE(verifyErrors(op).find("'ids' dim 0 is 8, expected 16"),
            std::string::npos);
}

//===----------------------------------------------------------------------===//
// grouped_matmul
//===----------------------------------------------------------------------===//

TEST_F(MoeOpsTest, GroupedMatmulInfersResultType) {
  Value x = tensor({kDyn, 64}, bf16());
  Value w = tensor({8, 64, 128}, bf16());
  Value offsets = tensor({9}, i32());
  auto op = GroupedMatmulOp::create(builder, loc(), x, w, offsets);
  EXPECT_EQ(op.getResult().getType(), type({kDyn, 128}, bf16()));
  EXPECT_EQ(verifyErrors(op), "");
}

TEST_F(MoeOpsTest, GroupedMatmulRejectsReductionMismatch) {
  Value x = tensor({32, 64}, f32());
  Value w = tensor({8, 32, 128}, f32());
  Value offsets = tensor({9}, i32());
  auto op = GroupedMatmulOp::create(builder, loc(), x, w, offsets);
  EXPECT_NE(verifyErrors(op).find("'w' dim 1 is 32, expected 64"),
            std::string::npos);
}

TEST_F(MoeOpsTest, GroupedMatmulRejectsExpertCountMismatch) {
  Value x = tensor({32, 64}, f32());
  Value w = tensor({8, 64, 128}, f32());
  Value offsets = tensor({5}, i32());
  auto op = GroupedMatmulOp::create(builder, loc(), x, w, offsets);
  EXPECT_NE(verifyErrors(op).find("'expert_offsets' dim 0 is 5, expected 9"),
            std::string::npos);
}

//===----------------------------------------------------------------------===//
// combine
//===----------------------------------------------------------------------===//

TEST_F(MoeOpsTest, CombineInfersResultType) {
  Value y = tensor({32, 64}, bf16());
  Value perm = tensor({32}, i32());
  Value weights = tensor({16, 2}, f32());
  auto op = CombineOp::create(builder, loc(), y, perm, weights);
  EXPECT_EQ(op.getResult().getType(), type({16, 64}, bf16()));
  EXPECT_EQ(verifyErrors(op), "");
}

TEST_F(MoeOpsTest, CombineRejectsRowMismatch) {
  Value y = tensor({30, 64}, f32());
  Value perm = tensor({kDyn}, i32());
  Value weights = tensor({16, 2}, f32());
  auto op = CombineOp::create(builder, loc(), y, perm, weights);
  EXPECT_NE(verifyErrors(op).find("'y_sorted' dim 0 is 30, expected 32"),
            std::string::npos);
}

//===----------------------------------------------------------------------===//
// The four ops chained, as a MoE layer uses them
//===----------------------------------------------------------------------===//

TEST_F(MoeOpsTest, LayerChainVerifies) {
  Value x = tensor({kDyn, 64}, f32());
  Value logits = tensor({kDyn, 8}, f32());
  Value w = tensor({8, 64, 64}, f32());

  auto route = RouteOp::create(builder, loc(), logits, /*k=*/2,
                               Scoring::Softmax, /*normalize=*/true);
  auto dispatch =
      DispatchOp::create(builder, loc(), x, route.getIds(), /*num_experts=*/8);
  auto matmul = GroupedMatmulOp::create(builder, loc(), dispatch.getXSorted(),
                                        w, dispatch.getExpertOffsets());
  auto combine =
      CombineOp::create(builder, loc(), matmul.getResult(),
                        dispatch.getPermutation(), route.getWeights());

  EXPECT_EQ(combine.getResult().getType(), type({kDyn, 64}, f32()));
  for (Operation *op : {route.getOperation(), dispatch.getOperation(),
                        matmul.getOperation(), combine.getOperation()})
    EXPECT_EQ(verifyErrors(op), "") << op->getName().getStringRef().str();
}

} // namespace
