//===- CPUTargetTest.cpp - The CPU backend compiles code that runs ---------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Compiles small tensor programs with the CPU backend, loads the shared
// object it produces straight from memory and calls loom_call_<name> the way
// the runtime does, with memref descriptors built by hand. This checks the
// backend and the calling convention without the runtime library.
//
//===----------------------------------------------------------------------===//

#include "test/unit/CompileForTest.h"

#include <cmath>
#include <cstdlib>

using namespace mlir;
using namespace loom_test;

namespace {

class CPUTargetTest : public ::testing::Test {
protected:
  CPUTargetTest() : ctx(makeTestContext()) {}

  void compileAndLoad(StringRef source, LoadedObject &out) {
    loom_test::compileAndLoad(ctx.get(), source, out);
  }

  std::unique_ptr<MLIRContext> ctx;
};

TEST_F(CPUTargetTest, MatmulBiasTanhWithDynamicRows) {
  const char *source = R"mlir(
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @main(%a: tensor<?x4xf32>, %w: tensor<4x3xf32>, %b: tensor<3xf32>)
    -> (tensor<?x3xf32>, tensor<3xf32>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%n) : tensor<?x3xf32>
  %z = arith.constant 0.0 : f32
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<?x3xf32>) -> tensor<?x3xf32>
  %m = linalg.matmul ins(%a, %w : tensor<?x4xf32>, tensor<4x3xf32>)
                     outs(%f : tensor<?x3xf32>) -> tensor<?x3xf32>
  %r = linalg.generic {indexing_maps = [#id, #row, #id],
                       iterator_types = ["parallel", "parallel"]}
      ins(%m, %b : tensor<?x3xf32>, tensor<3xf32>) outs(%e : tensor<?x3xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %t = math.tanh %s : f32
    linalg.yield %t : f32
  } -> tensor<?x3xf32>
  return %r, %b : tensor<?x3xf32>, tensor<3xf32>
}
)mlir";
  LoadedObject object;
  ASSERT_NO_FATAL_FAILURE(compileAndLoad(source, object));
  auto entry = reinterpret_cast<EntryFn>(dlsym(object.handle, "loom_call_main"));
  ASSERT_NE(entry, nullptr);

  // Two different row counts through the same code: no recompilation.
  for (int64_t rows : {2, 5}) {
    std::vector<float> a(rows * 4), w(12), b = {0.1f, -0.2f, 0.3f};
    for (size_t i = 0; i < a.size(); ++i)
      a[i] = 0.05f * float(i) - 0.3f;
    for (size_t i = 0; i < w.size(); ++i)
      w[i] = 0.1f * float(i % 5) - 0.2f;
    Desc<2> da{a.data(), a.data(), 0, {rows, 4}, {4, 1}};
    Desc<2> dw{w.data(), w.data(), 0, {4, 3}, {3, 1}};
    Desc<1> db{b.data(), b.data(), 0, {3}, {1}};
    struct {
      Desc<2> r;
      Desc<1> b;
    } results;
    void *args[] = {nullptr, &results, &da, &dw, &db};
    entry(args);

    ASSERT_EQ(results.r.sizes[0], rows);
    ASSERT_EQ(results.r.sizes[1], 3);
    auto *r = static_cast<float *>(results.r.aligned) + results.r.offset;
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < 3; ++j) {
        float acc = 0;
        for (int64_t k = 0; k < 4; ++k)
          acc += a[i * 4 + k] * w[k * 3 + j];
        EXPECT_NEAR(r[i * results.r.strides[0] + j * results.r.strides[1]],
                    std::tanh(acc + b[j]), 1e-5f);
      }
    // The returned input comes back as a fresh copy the caller owns.
    auto *rb = static_cast<float *>(results.b.aligned) + results.b.offset;
    EXPECT_NE(results.b.allocated, static_cast<void *>(b.data()));
    for (int j = 0; j < 3; ++j)
      EXPECT_FLOAT_EQ(rb[j], b[j]);
    free(results.r.allocated);
    free(results.b.allocated);
  }
}

// Large enough to take the threaded, vectorized path (scf.forall -> OpenMP,
// 8x32 register tiles, 16-lane reductions): a matmul with a dynamic row
// count and a row reduction, checked against plain loops.
TEST_F(CPUTargetTest, ParallelVectorizedMatmulAndRowSum) {
  const char *source = R"mlir(
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d0)>
func.func @main(%a: tensor<?x96xf32>, %w: tensor<96x160xf32>, %x: tensor<256x512xf32>)
    -> (tensor<?x160xf32>, tensor<256xf32>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?x96xf32>
  %e = tensor.empty(%n) : tensor<?x160xf32>
  %z = arith.constant 0.0 : f32
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<?x160xf32>) -> tensor<?x160xf32>
  %m = linalg.matmul ins(%a, %w : tensor<?x96xf32>, tensor<96x160xf32>)
                     outs(%f : tensor<?x160xf32>) -> tensor<?x160xf32>
  %se = tensor.empty() : tensor<256xf32>
  %sf = linalg.fill ins(%z : f32) outs(%se : tensor<256xf32>) -> tensor<256xf32>
  %s = linalg.generic {indexing_maps = [#in, #out],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<256x512xf32>) outs(%sf : tensor<256xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %t = arith.addf %v, %acc : f32
    linalg.yield %t : f32
  } -> tensor<256xf32>
  return %m, %s : tensor<?x160xf32>, tensor<256xf32>
}
)mlir";
  LoadedObject object;
  ASSERT_NO_FATAL_FAILURE(compileAndLoad(source, object));
  auto entry = reinterpret_cast<EntryFn>(dlsym(object.handle, "loom_call_main"));
  ASSERT_NE(entry, nullptr);
  std::vector<float> w(96 * 160), x(256 * 512);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = 0.01f * float(int(i % 17) - 8);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = 0.001f * float(int(i % 29) - 14);
  for (int64_t rows : {128, 37}) {
    std::vector<float> a(rows * 96);
    for (size_t i = 0; i < a.size(); ++i)
      a[i] = 0.02f * float(int(i % 13) - 6);
    Desc<2> da{a.data(), a.data(), 0, {rows, 96}, {96, 1}};
    Desc<2> dw{w.data(), w.data(), 0, {96, 160}, {160, 1}};
    Desc<2> dx{x.data(), x.data(), 0, {256, 512}, {512, 1}};
    struct {
      Desc<2> m;
      Desc<1> s;
    } results;
    void *args[] = {nullptr, &results, &da, &dw, &dx};
    entry(args);
    ASSERT_EQ(results.m.sizes[0], rows);
    auto *m = static_cast<float *>(results.m.aligned) + results.m.offset;
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < 160; ++j) {
        float acc = 0;
        for (int64_t k = 0; k < 96; ++k)
          acc += a[i * 96 + k] * w[k * 160 + j];
        ASSERT_NEAR(m[i * results.m.strides[0] + j * results.m.strides[1]],
                    acc, 1e-4f)
            << i << "," << j;
      }
    auto *s = static_cast<float *>(results.s.aligned) + results.s.offset;
    for (int64_t i = 0; i < 256; ++i) {
      float acc = 0;
      for (int64_t k = 0; k < 512; ++k)
        acc += x[i * 512 + k];
      ASSERT_NEAR(s[i * results.s.strides[0]], acc, 1e-4f) << i;
    }
    free(results.m.allocated);
    free(results.s.allocated);
  }
}

TEST_F(CPUTargetTest, UnknownTargetsAreRejectedWithAReason) {
  std::string error;
  EXPECT_TRUE(failed(loom::createTargetBackend("tpu", error)));
  EXPECT_NE(error.find("unknown target 'tpu'"), std::string::npos) << error;
  EXPECT_TRUE(failed(loom::createTargetBackend("rocm:sm_90a", error)));
  EXPECT_NE(error.find("unknown or unsupported AMD architecture"),
            std::string::npos)
      << error;
  EXPECT_TRUE(failed(loom::createTargetBackend("cuda:gfx942", error)));
  EXPECT_NE(error.find("unknown CUDA architecture"), std::string::npos)
      << error;
}

TEST_F(CPUTargetTest, ScalarEntryArgumentsAreRejected) {
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(
      "func.func @main(%x: f32) -> f32 { return %x : f32 }", ctx.get());
  ASSERT_TRUE(module);
  std::string error;
  auto backend = loom::createTargetBackend("cpu", error);
  ASSERT_TRUE(succeeded(backend));
  PassManager pm(ctx.get());
  (*backend)->buildLoweringPipeline(pm);
  ctx->getDiagEngine().registerHandler([](Diagnostic &) {});
  EXPECT_TRUE(failed(pm.run(*module)));
}

} // namespace
