//===- AttnOpsTest.cpp - loom_attn ops and attributes from C++ ------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// What the lit tests cannot reach: the C++ API that passes and the importer
// use (builders that infer result types, the sparsity attributes' queries,
// the default scale, the destination-style interface).
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
#include "llvm/ADT/StringExtras.h"

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

  /// Whether some collected diagnostic contains `text`.
  bool diagnosed(StringRef text) const {
    return llvm::any_of(diagnostics, [&](const std::string &diag) {
      return StringRef(diag).contains(text);
    });
  }

  MLIRContext ctx;
  OpBuilder builder;
  std::unique_ptr<ScopedDiagnosticHandler> handler;
  std::vector<std::string> diagnostics;
  OwningOpRef<ModuleOp> module;
};

//===----------------------------------------------------------------------===//
// #loom_attn.block_sparse and #loom_attn.strided
//===----------------------------------------------------------------------===//

TEST_F(AttnOpsTest, BlockSparseLayoutLookup) {
  // Two heads, two query blocks, three key blocks.
  bool bits[] = {true,  false, false, true, true, false,  // head 0
                 false, false, true,  true, false, true}; // head 1
  auto layoutType = tensor({2, 2, 3}, builder.getI1Type());
  auto layout = DenseElementsAttr::get(layoutType, ArrayRef<bool>(bits));
  auto attr = BlockSparseAttr::get(&ctx, 64, 32, layout);
  EXPECT_EQ(attr.getNumHeads(), 2);
  EXPECT_EQ(attr.getNumQueryBlocks(), 2);
  EXPECT_EQ(attr.getNumKeyBlocks(), 3);
  EXPECT_TRUE(attr.isBlockVisible(0, 0, 0));
  EXPECT_FALSE(attr.isBlockVisible(0, 0, 1));
  EXPECT_TRUE(attr.isBlockVisible(0, 1, 1));
  EXPECT_FALSE(attr.isBlockVisible(1, 0, 0));
  EXPECT_TRUE(attr.isBlockVisible(1, 0, 2));
  EXPECT_TRUE(attr.isBlockVisible(1, 1, 2));

  // A shared layout answers for every head.
  auto shared = BlockSparseAttr::get(
      &ctx, 16, 16,
      DenseElementsAttr::get(tensor({1, 1, 2}, builder.getI1Type()),
                             ArrayRef<bool>{false, true}));
  EXPECT_FALSE(shared.isBlockVisible(5, 0, 0));
  EXPECT_TRUE(shared.isBlockVisible(5, 0, 1));
}

TEST_F(AttnOpsTest, StridedShards) {
  auto attr = StridedAttr::get(&ctx, 16, 4, ArrayRef<int64_t>{0, 1, 2, 3});
  EXPECT_TRUE(attr.isBlockVisible(0, 0));
  EXPECT_TRUE(attr.isBlockVisible(0, 8));
  EXPECT_FALSE(attr.isBlockVisible(0, 1));
  EXPECT_TRUE(attr.isBlockVisible(3, 7));
  EXPECT_EQ(attr.getOffsetForHead(2), 2);
  auto shared = StridedAttr::get(&ctx, 16, 2, ArrayRef<int64_t>{1});
  EXPECT_EQ(shared.getOffsetForHead(7), 1);
  EXPECT_TRUE(shared.isBlockVisible(7, 3));
  EXPECT_FALSE(shared.isBlockVisible(7, 4));
}

TEST_F(AttnOpsTest, InvalidSparsityAttrsAreRejected) {
  auto emit = [&] { return emitError(builder.getUnknownLoc()); };
  // The textual form cannot spell empty offsets; the C++ API can.
  EXPECT_FALSE(
      StridedAttr::getChecked(emit, &ctx, int64_t(16), int64_t(4),
                              ArrayRef<int64_t>{}));
  EXPECT_TRUE(diagnosed("offsets must have at least one entry"));
  EXPECT_FALSE(
      StridedAttr::getChecked(emit, &ctx, int64_t(16), int64_t(4),
                              ArrayRef<int64_t>{0, 5}));
  EXPECT_TRUE(diagnosed("offset 5 of head 1 must be in [0, 4)"));
  auto layout = DenseElementsAttr::get(tensor({1, 1, 1}, builder.getI1Type()),
                                       ArrayRef<bool>{true});
  EXPECT_FALSE(BlockSparseAttr::getChecked(emit, &ctx, int64_t(0),
                                           int64_t(16), layout));
  EXPECT_TRUE(diagnosed("q_block must be positive, got 0"));
}

TEST_F(AttnOpsTest, SparsityAttrsRoundTripThroughText) {
  StringRef text =
      "#loom_attn.strided<block = 16, stride = 4, offsets = [0, 1, 2, 3]>";
  Attribute parsed = parseAttribute(text, &ctx);
  ASSERT_TRUE(isa_and_nonnull<StridedAttr>(parsed));
  std::string printed;
  llvm::raw_string_ostream os(printed);
  os << parsed;
  EXPECT_EQ(printed, text);
  EXPECT_EQ(parsed, StridedAttr::get(&ctx, 16, 4, {0, 1, 2, 3}));
}

//===----------------------------------------------------------------------===//
// loom_attn.attention
//===----------------------------------------------------------------------===//

TEST_F(AttnOpsTest, AttentionBuilderInfersResultType) {
  Type bf16 = builder.getBF16Type(), f32 = builder.getF32Type();
  ValueRange args = makeFunc(
      {tensor({2, 32, 7, 128}, f32), tensor({2, 8, 40, 128}, f32),
       tensor({2, 8, 40, 96}, bf16), tensor({7, 40}, builder.getI1Type()),
       tensor({32, 1, 40}, f32)});
  auto op = AttentionOp::create(builder, builder.getUnknownLoc(), args[0],
                                args[1], args[2], /*mask=*/args[3],
                                /*bias=*/args[4]);
  // [B, Hq, Sq, Dv] in the value's element type.
  EXPECT_EQ(op.getType(), tensor({2, 32, 7, 96}, bf16));
  EXPECT_EQ(op.getMask(), args[3]);
  EXPECT_EQ(op.getBias(), args[4]);
  op.setCausal(true);
  op.setWindowAttr(builder.getDenseI64ArrayAttr({127, 0}));
  op.setSinksAttr(builder.getI64IntegerAttr(4));
  op.setSoftcapAttr(builder.getF32FloatAttr(30.0f));
  op.setSparsityAttr(StridedAttr::get(&ctx, 16, 4, {1})); // shared
  EXPECT_TRUE(succeeded(verify(op))) << llvm::join(diagnostics, "\n");
  EXPECT_TRUE(isMemoryEffectFree(op));

  // Without a mask or bias the optional operands stay absent.
  auto plain = AttentionOp::create(builder, builder.getUnknownLoc(), args[0],
                                   args[1], args[2]);
  EXPECT_FALSE(plain.getMask());
  EXPECT_FALSE(plain.getBias());
  EXPECT_TRUE(succeeded(verify(plain)));
}

TEST_F(AttnOpsTest, AttentionScaleOrDefault) {
  Type f32 = builder.getF32Type();
  ValueRange args = makeFunc({tensor({1, 4, 8, 64}, f32),
                              tensor({1, ShapedType::kDynamic, 8, 64}, f32),
                              tensor({1, 4, 8, ShapedType::kDynamic}, f32)});
  Location loc = builder.getUnknownLoc();
  auto implicit = AttentionOp::create(builder, loc, args[0], args[1], args[1]);
  EXPECT_EQ(implicit.getScaleOrDefault(), std::optional<double>(0.125));

  auto explicitScale =
      AttentionOp::create(builder, loc, args[0], args[1], args[1]);
  explicitScale.setScaleAttr(builder.getF32FloatAttr(0.5f));
  EXPECT_EQ(explicitScale.getScaleOrDefault(), std::optional<double>(0.5));

  // A dynamic head dim leaves the default to run time.
  auto dynamic = AttentionOp::create(builder, loc, args[2], args[2], args[2]);
  EXPECT_EQ(dynamic.getScaleOrDefault(), std::nullopt);
  EXPECT_TRUE(succeeded(verify(*module)));
}

TEST_F(AttnOpsTest, AttentionVerifierRejectsBadShapes) {
  Type f32 = builder.getF32Type();
  ValueRange args = makeFunc({tensor({1, 6, 8, 64}, f32),
                              tensor({1, 4, 8, 64}, f32),
                              tensor({1, 6, 8, 64}, f32),
                              tensor({1, 6, 8, 32}, f32)});
  Location loc = builder.getUnknownLoc();
  auto grouped = AttentionOp::create(builder, loc, args[0], args[1], args[1]);
  EXPECT_TRUE(failed(verify(grouped)));
  EXPECT_TRUE(
      diagnosed("query heads (6) must be a multiple of key/value heads (4)"));

  auto headDim = AttentionOp::create(builder, loc, args[0], args[3], args[2]);
  EXPECT_TRUE(failed(verify(headDim)));
  EXPECT_TRUE(diagnosed("head dim of key (32) differs from query (64)"));

  // A valid op with an attribute the shapes contradict.
  auto sparse = AttentionOp::create(builder, loc, args[0], args[2], args[2]);
  EXPECT_TRUE(succeeded(verify(sparse)));
  sparse.setSparsityAttr(StridedAttr::get(&ctx, 4, 2, {0, 1}));
  EXPECT_TRUE(failed(verify(sparse)));
  EXPECT_TRUE(diagnosed("strided offsets have 2 entries"));
}

//===----------------------------------------------------------------------===//
// loom_attn.kv_cache_write and loom_attn.paged_attention
//===----------------------------------------------------------------------===//

TEST_F(AttnOpsTest, WriteThenPagedAttention) {
  Type f16 = builder.getF16Type();
  Type i32 = builder.getI32Type();
  RankedTensorType kCacheType = tensor({64, 16, 2, 32}, f16);
  RankedTensorType vCacheType = tensor({64, 16, 2, 48}, f16);
  ValueRange args = makeFunc(
      {tensor({4, 8, 1, 32}, f16), tensor({4, 2, 32}, f16),
       tensor({4, 2, 48}, f16), kCacheType, vCacheType, tensor({4, 8}, i32),
       tensor({4}, i32)});
  Value query = args[0], k = args[1], v = args[2], kCache = args[3],
        vCache = args[4], table = args[5], lens = args[6];
  Location loc = builder.getUnknownLoc();

  // Result types are the caches' types.
  auto write = KvCacheWriteOp::create(builder, loc, k, v, kCache, vCache,
                                      /*slot_mapping=*/lens);
  EXPECT_EQ(write.getNewKCache().getType(), kCacheType);
  EXPECT_EQ(write.getNewVCache().getType(), vCacheType);
  auto attend =
      PagedAttentionOp::create(builder, loc, query, write.getNewKCache(),
                               write.getNewVCache(), table, lens);
  EXPECT_EQ(attend.getType(), tensor({4, 8, 1, 48}, f16));
  attend.setCausal(true);
  EXPECT_TRUE(succeeded(verify(*module))) << llvm::join(diagnostics, "\n");
  EXPECT_NEAR(*attend.getScaleOrDefault(), 1.0 / std::sqrt(32.0), 1e-12);

  // The caches are the destinations: bufferization may write them in place.
  auto dps = dyn_cast<DestinationStyleOpInterface>(write.getOperation());
  ASSERT_TRUE(dps);
  ASSERT_EQ(dps.getNumDpsInits(), 2);
  EXPECT_EQ(dps.getDpsInitOperand(0)->get(), kCache);
  EXPECT_EQ(dps.getDpsInitOperand(1)->get(), vCache);
  EXPECT_EQ(dps.getTiedOpResult(dps.getDpsInitOperand(1)),
            write.getNewVCache());
  EXPECT_TRUE(dps.isDpsInput(&write->getOpOperand(0)));
  EXPECT_TRUE(dps.isDpsInput(&write->getOpOperand(4)));
}

TEST_F(AttnOpsTest, WriteAndPagedAttentionRejectBadShapes) {
  Type f16 = builder.getF16Type();
  Type i32 = builder.getI32Type();
  RankedTensorType cacheType = tensor({64, 16, 2, 32}, f16);
  ValueRange args = makeFunc({tensor({4, 8, 1, 32}, f16),
                              tensor({4, 4, 32}, f16), cacheType,
                              tensor({3, 8}, i32), tensor({4}, i32)});
  Location loc = builder.getUnknownLoc();
  // New keys with 4 heads into a cache of 2.
  auto write = KvCacheWriteOp::create(builder, loc, args[1], args[1], args[2],
                                      args[2], args[4]);
  EXPECT_TRUE(failed(verify(write)));
  EXPECT_TRUE(diagnosed("heads of k_cache (2) differs from k (4)"));
  // A block table for 3 sequences, 4 queries.
  auto attend = PagedAttentionOp::create(builder, loc, args[0], args[2],
                                         args[2], args[3], args[4]);
  EXPECT_TRUE(failed(verify(attend)));
  EXPECT_TRUE(diagnosed("batch of block_table (3) differs from query (4)"));
}

//===----------------------------------------------------------------------===//
// loom_attn.rope
//===----------------------------------------------------------------------===//

TEST_F(AttnOpsTest, Rope) {
  Type bf16 = builder.getBF16Type(), f32 = builder.getF32Type();
  ValueRange args = makeFunc(
      {tensor({1, 8, 16, 128}, bf16), tensor({1, 16}, builder.getI64Type()),
       tensor({4096, 64}, f32), tensor({4096, 32}, f32)});
  Location loc = builder.getUnknownLoc();
  // The result type is inferred: the type of x.
  auto full = RopeOp::create(builder, loc, args[0], args[1], args[2], args[2]);
  EXPECT_EQ(full.getType(), args[0].getType());
  EXPECT_EQ(full.getRotaryDimOrDefault(), std::optional<int64_t>(128));
  EXPECT_TRUE(succeeded(verify(full)));

  // Partial rotary: 64 channels need 32 columns.
  auto partial =
      RopeOp::create(builder, loc, args[0], args[1], args[3], args[3]);
  EXPECT_TRUE(failed(verify(partial)));
  EXPECT_TRUE(diagnosed("cos_cache has 32 columns; expected rotary_dim / 2 "
                        "= 64"));
  auto fixed = RopeOp::create(builder, loc, args[0], args[1], args[3],
                              args[3], /*interleaved=*/true,
                              /*rotary_dim=*/64);
  EXPECT_TRUE(fixed.getInterleaved());
  EXPECT_EQ(fixed.getRotaryDimOrDefault(), std::optional<int64_t>(64));
  EXPECT_TRUE(succeeded(verify(fixed))) << llvm::join(diagnostics, "\n");
}

} // namespace
