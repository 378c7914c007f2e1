//===- QuantIntegerProductTest.cpp - W8A8 matmul as an integer product ----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The integer-product form of loom_quant.matmul (the NVIDIA pipeline's
// loom-convert-quant-to-linalg{integer-product}) run on the CPU: the module
// is lowered by that pass first, then by the CPU pipeline, and its result
// must be ONNX's MatMulInteger value (an exact integer) times the scales.
// The tensor-core kernel computes the same i32 sums, so this checks the
// zero-point corrections and the epilogue that the GPU runs.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/Passes.h"
#include "test/unit/CompileForTest.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

using namespace mlir;
using namespace loom_test;

namespace {

class QuantIntegerProductTest : public ::testing::Test {
protected:
  QuantIntegerProductTest() : ctx(makeTestContext()) {}

  /// Lowers the quantized matmuls as integer products (with
  /// `signedActivations`, u8 inputs re-centred as i8, as on AMD), then
  /// compiles the result for the CPU.
  void compile(StringRef source, LoadedObject &out,
               bool signedActivations = false) {
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(source, ctx.get());
    ASSERT_TRUE(module);
    PassManager pm(ctx.get());
    loom::ConvertQuantToLinalgPassOptions options;
    options.integerProduct = true;
    options.signedActivations = signedActivations;
    pm.addNestedPass<func::FuncOp>(
        loom::createConvertQuantToLinalgPass(options));
    ASSERT_TRUE(succeeded(pm.run(*module)));
    // Nothing is left for the CPU pipeline's own quant lowering: the
    // product really is the integer one.
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os);
    ASSERT_EQ(text.find("loom_quant."), std::string::npos) << text;
    ASSERT_NE(text.find("arith.muli"), std::string::npos) << text;
    if (signedActivations)
      ASSERT_NE(text.find("arith.xori"), std::string::npos) << text;
    compileAndLoad(ctx.get(), text, out);
  }

  std::unique_ptr<MLIRContext> ctx;
};

std::vector<uint8_t> randomBytes(size_t n, std::mt19937 &rng) {
  std::uniform_int_distribution<int> d(0, 255);
  std::vector<uint8_t> v(n);
  for (uint8_t &x : v)
    x = uint8_t(d(rng));
  return v;
}

/// Checks the [m, n] f32 result `r` against MatMulInteger's value times
/// `scale(i, j)`: the sum over l < k of (a[i, l] - aZp(i)) * weight(l, j),
/// with `a` the [m, k] input bytes (unsigned) and `weight` the weight's
/// value less its zero point.
void expectScaledMatMulInteger(
    const float *r, const std::vector<uint8_t> &a, int64_t m, int64_t k,
    int64_t n, llvm::function_ref<int32_t(int64_t)> aZp,
    llvm::function_ref<int32_t(int64_t, int64_t)> weight,
    llvm::function_ref<float(int64_t, int64_t)> scale) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int32_t sum = 0;
      for (int64_t l = 0; l < k; ++l)
        sum += (int32_t(a[i * k + l]) - aZp(i)) * weight(l, j);
      float expected = float(sum) * scale(i, j);
      EXPECT_EQ(r[i * n + j], expected) << i << ", " << j;
    }
}

// The int8 Llama's form: u8 activations [1, M, K] with a per-tensor zero
// point (DynamicQuantizeLinear), i8 weights [K, N] per tensor; M = 37 is
// not a multiple of the GPU's 16-row tiles.
TEST_F(QuantIntegerProductTest, U8ZeroPointTimesI8PerTensor) {
  // Both forms of the product: u8 x i8, and (a - 128) x i8 as on AMD.
  for (bool signedActs : {false, true}) {
    SCOPED_TRACE(signedActs);
    LoadedObject obj;
    ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
  func.func @main(%a: tensor<1x?x64xi8>, %w: tensor<64x32xi8>, %ws: tensor<f32>,
                  %as: tensor<f32>, %az: tensor<i8>) -> tensor<1x?x32xf32> {
    %y = loom_quant.matmul %a, %w scale %ws input_scale %as input_zero_point %az {
           input_scheme = #loom_quant.scheme<u8, zero_point>,
           weight_scheme = #loom_quant.scheme<i8>}
           : (tensor<1x?x64xi8>, tensor<64x32xi8>, tensor<f32>, tensor<f32>,
              tensor<i8>) -> tensor<1x?x32xf32>
    return %y : tensor<1x?x32xf32>
  }
  )mlir",
                                    obj, signedActs));
    const int64_t m = 37, k = 64, n = 32;
    std::mt19937 rng(7);
    std::vector<uint8_t> a = randomBytes(m * k, rng);
    std::vector<uint8_t> w = randomBytes(k * n, rng);
    float ws = 0.0123f, as = 0.0457f;
    uint8_t az = 131;
    Desc<3> da = makeDesc<3>(a.data(), {1, m, k});
    Desc<2> dw = makeDesc<2>(w.data(), {k, n});
    Desc<0> dws = makeDesc<0>(&ws, {});
    Desc<0> das = makeDesc<0>(&as, {});
    Desc<0> daz = makeDesc<0>(&az, {});
    Desc<3> r;
    void *args[] = {nullptr, &r, &da, &dw, &dws, &das, &daz};
    obj.entry("loom_call_main")(args);
    ASSERT_EQ(r.sizes[1], m);
    expectScaledMatMulInteger(
        r.data<float>(), a, m, k, n, [&](int64_t) { return int32_t(az); },
        [&](int64_t l, int64_t j) { return int32_t(int8_t(w[l * n + j])); },
        [&](int64_t, int64_t) { return as * ws; });
    free(r.allocated);
  }
}

// Zero points on both sides, per token and per output channel, weight
// stored N x K: the row sums and the K * za * zw term enter too.
TEST_F(QuantIntegerProductTest, BothZeroPointsPerChannelTransposed) {
  // Both forms of the product: u8 x i8, and (a - 128) x i8 as on AMD.
  for (bool signedActs : {false, true}) {
    SCOPED_TRACE(signedActs);
    LoadedObject obj;
    ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
  func.func @main(%a: tensor<?x96xi8>, %w: tensor<24x96xi8>, %ws: tensor<24xf32>,
                  %wz: tensor<24xi8>, %as: tensor<?xf32>, %az: tensor<?xi8>)
      -> tensor<?x24xf32> {
    %y = loom_quant.matmul %a, %w scale %ws zero_point %wz input_scale %as
           input_zero_point %az {
           weight_scheme =
             #loom_quant.scheme<u8, per_channel(axis = 0), zero_point>,
           input_scheme =
             #loom_quant.scheme<u8, per_channel(axis = 0), zero_point>,
           transpose_weight}
           : (tensor<?x96xi8>, tensor<24x96xi8>, tensor<24xf32>, tensor<24xi8>,
              tensor<?xf32>, tensor<?xi8>) -> tensor<?x24xf32>
    return %y : tensor<?x24xf32>
  }
  )mlir",
                                    obj, signedActs));
    const int64_t m = 19, k = 96, n = 24;
    std::mt19937 rng(11);
    std::vector<uint8_t> a = randomBytes(m * k, rng);
    std::vector<uint8_t> w = randomBytes(n * k, rng);
    std::vector<uint8_t> az = randomBytes(m, rng), wz = randomBytes(n, rng);
    std::vector<float> as(m), ws(n);
    for (int64_t i = 0; i < m; ++i)
      as[i] = 0.001f * float(i + 3);
    for (int64_t j = 0; j < n; ++j)
      ws[j] = 0.002f * float(j + 1);
    Desc<2> da = makeDesc<2>(a.data(), {m, k});
    Desc<2> dw = makeDesc<2>(w.data(), {n, k});
    Desc<1> dws = makeDesc<1>(ws.data(), {n});
    Desc<1> dwz = makeDesc<1>(wz.data(), {n});
    Desc<1> das = makeDesc<1>(as.data(), {m});
    Desc<1> daz = makeDesc<1>(az.data(), {m});
    Desc<2> r;
    void *args[] = {nullptr, &r, &da, &dw, &dws, &dwz, &das, &daz};
    obj.entry("loom_call_main")(args);
    ASSERT_EQ(r.sizes[0], m);
    expectScaledMatMulInteger(
        r.data<float>(), a, m, k, n, [&](int64_t i) { return int32_t(az[i]); },
        [&](int64_t l, int64_t j) {
          return int32_t(w[j * k + l]) - int32_t(wz[j]);
        },
        [&](int64_t i, int64_t j) { return as[i] * ws[j]; });
    free(r.allocated);
  }
}

// A constant weight, whose column sums the lowering computes at compile
// time (signed bytes, so the sign extension of the fold is checked too).
TEST_F(QuantIntegerProductTest, ConstantWeightFoldsItsColumnSums) {
  const int64_t m = 5, k = 32, n = 8;
  std::mt19937 rng(3);
  std::vector<uint8_t> w = randomBytes(k * n, rng);
  std::string dense = "[";
  for (int64_t l = 0; l < k; ++l) {
    dense += l ? ", [" : "[";
    for (int64_t j = 0; j < n; ++j)
      dense += (j ? ", " : "") + std::to_string(int(int8_t(w[l * n + j])));
    dense += "]";
  }
  dense += "]";
  std::string source = R"mlir(
func.func @main(%a: tensor<?x32xi8>, %as: tensor<f32>, %az: tensor<i8>)
    -> tensor<?x8xf32> {
  %w = arith.constant dense<)mlir" +
                       dense + R"mlir(> : tensor<32x8xi8>
  %ws = arith.constant dense<0.25> : tensor<f32>
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as input_zero_point %az {
         input_scheme = #loom_quant.scheme<u8, zero_point>,
         weight_scheme = #loom_quant.scheme<i8>}
         : (tensor<?x32xi8>, tensor<32x8xi8>, tensor<f32>, tensor<f32>,
            tensor<i8>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
)mlir";
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(source, obj));
  std::vector<uint8_t> a = randomBytes(m * k, rng);
  float as = 0.03f;
  uint8_t az = 200;
  Desc<2> da = makeDesc<2>(a.data(), {m, k});
  Desc<0> das = makeDesc<0>(&as, {});
  Desc<0> daz = makeDesc<0>(&az, {});
  Desc<2> r;
  void *args[] = {nullptr, &r, &da, &das, &daz};
  obj.entry("loom_call_main")(args);
  ASSERT_EQ(r.sizes[0], m);
  expectScaledMatMulInteger(
      r.data<float>(), a, m, k, n, [&](int64_t) { return int32_t(az); },
      [&](int64_t l, int64_t j) { return int32_t(int8_t(w[l * n + j])); },
      [&](int64_t, int64_t) { return as * 0.25f; });
  free(r.allocated);
}

} // namespace
