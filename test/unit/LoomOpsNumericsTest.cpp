//===- LoomOpsNumericsTest.cpp - Loom ops compute the right numbers -------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Compiles small modules that use loom_quant and loom_moe ops with the full
// CPU pipeline (so through loom-convert-quant-to-linalg and
// loom-convert-moe-to-linalg), runs them and compares with plain C++
// references written from the ops' descriptions and ONNX's definitions.
//
//===----------------------------------------------------------------------===//

#include "test/unit/CompileForTest.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>
#include <vector>

using namespace mlir;
using namespace loom_test;

namespace {

//===----------------------------------------------------------------------===//
// References
//===----------------------------------------------------------------------===//

/// ONNX QuantizeLinear for integers: round half to even, add the zero
/// point, saturate.
int quantRef(float x, float scale, int zp, int qmin, int qmax) {
  float r = std::nearbyint(x / scale) + float(zp);
  return int(std::clamp(r, float(qmin), float(qmax)));
}

/// 8-bit float decoders written from the formats' definitions.
float decodeE4M3FN(uint8_t c) {
  int s = c >> 7, e = (c >> 3) & 15, m = c & 7;
  if (e == 15 && m == 7)
    return NAN;
  float v =
      e == 0 ? std::ldexp(float(m), -9) : std::ldexp(1.0f + m / 8.0f, e - 7);
  return s ? -v : v;
}
float decodeE5M2(uint8_t c) {
  int s = c >> 7, e = (c >> 2) & 31, m = c & 3;
  float v;
  if (e == 31)
    v = m == 0 ? INFINITY : NAN;
  else
    v = e == 0 ? std::ldexp(float(m), -16)
               : std::ldexp(1.0f + m / 4.0f, e - 15);
  return s ? -v : v;
}
/// Round to nearest representable (ties to the even code), saturating to
/// the largest finite value: a brute-force search over all codes.
uint8_t encodeRef(float x, float (*decode)(uint8_t)) {
  uint8_t best = 0;
  float bestErr = INFINITY;
  float ax = std::min(std::fabs(x), 1e6f); // saturate infinities too
  for (int c = 0; c < 128; ++c) {
    float v = decode(uint8_t(c));
    if (!std::isfinite(v))
      continue;
    float err = std::fabs(v - ax);
    if (err < bestErr || (err == bestErr && (c & 1) == 0 && (best & 1))) {
      best = uint8_t(c);
      bestErr = err;
    }
  }
  return std::signbit(x) ? uint8_t(best | 0x80) : best;
}

/// Frees the buffers of returned descriptors.
template <typename... Ds> void release(Ds &...ds) { (free(ds.allocated), ...); }

void expectClose(float actual, float expected, float relTol, float absTol,
                 const char *what, int64_t i) {
  EXPECT_NEAR(actual, expected, absTol + relTol * std::fabs(expected))
      << what << " at " << i;
}

class LoomOpsNumericsTest : public ::testing::Test {
protected:
  LoomOpsNumericsTest() : ctx(makeTestContext()) {}
  void compile(StringRef source, LoadedObject &out) {
    loom_test::compileAndLoad(ctx.get(), source, out);
  }
  std::unique_ptr<MLIRContext> ctx;
};

//===----------------------------------------------------------------------===//
// quantize / dequantize
//===----------------------------------------------------------------------===//

TEST_F(LoomOpsNumericsTest, QuantizeDequantizePerTensorI8) {
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
func.func @main(%x: tensor<2x5xf32>, %s: tensor<f32>)
    -> (tensor<2x5xi8>, tensor<2x5xf32>) {
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i8>}
      : tensor<2x5xf32>, tensor<f32> -> tensor<2x5xi8>
  %d = loom_quant.dequantize %q, %s {scheme = #loom_quant.scheme<i8>}
      : tensor<2x5xi8>, tensor<f32> -> tensor<2x5xf32>
  return %q, %d : tensor<2x5xi8>, tensor<2x5xf32>
}
)mlir",
                                  obj));
  // Ties (0.25, 0.75, 1.25, -0.25 over 0.5) and saturation both ways.
  std::vector<float> x = {0.25f,   0.75f, 1.25f, -0.25f, 100.0f,
                          -100.0f, 3.1f,  -7.4f, 0.0f,   63.5f};
  float scale = 0.5f;
  Desc<2> dx = makeDesc<2>(x.data(), {2, 5});
  Desc<0> ds = makeDesc<0>(&scale, {});
  struct {
    Desc<2> q, d;
  } r;
  void *args[] = {nullptr, &r, &dx, &ds};
  obj.entry("loom_call_main")(args);
  for (int i = 0; i < 10; ++i) {
    int expected = quantRef(x[i], scale, 0, -128, 127);
    EXPECT_EQ(r.q.data<int8_t>()[i], expected) << i;
    EXPECT_FLOAT_EQ(r.d.data<float>()[i], expected * scale) << i;
  }
  EXPECT_EQ(r.q.data<int8_t>()[0], 0); // 0.5 -> 0
  EXPECT_EQ(r.q.data<int8_t>()[1], 2); // 1.5 -> 2
  EXPECT_EQ(r.q.data<int8_t>()[2], 2); // 2.5 -> 2
  EXPECT_EQ(r.q.data<int8_t>()[4], 127);
  EXPECT_EQ(r.q.data<int8_t>()[5], -128);
  release(r.q, r.d);
}

TEST_F(LoomOpsNumericsTest, QuantizeDequantizePerChannelU8ZeroPointToF16) {
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
func.func @main(%x: tensor<3x4xf32>, %s: tensor<4xf32>, %z: tensor<4xi8>)
    -> (tensor<3x4xi8>, tensor<3x4xf16>) {
  %q = loom_quant.quantize %x, %s, %z
      {scheme = #loom_quant.scheme<u8, per_channel(axis = 1), zero_point>}
      : tensor<3x4xf32>, tensor<4xf32>, tensor<4xi8> -> tensor<3x4xi8>
  %d = loom_quant.dequantize %q, %s, %z
      {scheme = #loom_quant.scheme<u8, per_channel(axis = 1), zero_point>}
      : tensor<3x4xi8>, tensor<4xf32>, tensor<4xi8> -> tensor<3x4xf16>
  return %q, %d : tensor<3x4xi8>, tensor<3x4xf16>
}
)mlir",
                                  obj));
  std::vector<float> x = {0.1f, -1.0f, 2.5f,  30.0f, -5.0f, 0.33f,
                          1.0f, -2.0f, 12.0f, 0.0f,  -0.6f, 7.7f};
  std::vector<float> s = {0.1f, 0.02f, 0.05f, 0.2f};
  std::vector<uint8_t> z = {0, 128, 255, 10};
  Desc<2> dx = makeDesc<2>(x.data(), {3, 4});
  Desc<1> dsc = makeDesc<1>(s.data(), {4});
  Desc<1> dz = makeDesc<1>(z.data(), {4});
  struct {
    Desc<2> q, d;
  } r;
  void *args[] = {nullptr, &r, &dx, &dsc, &dz};
  obj.entry("loom_call_main")(args);
  for (int i = 0; i < 12; ++i) {
    int c = i % 4;
    int expected = quantRef(x[i], s[c], z[c], 0, 255);
    EXPECT_EQ(r.q.data<uint8_t>()[i], expected) << i;
    float deq = float(expected - int(z[c])) * s[c];
    EXPECT_EQ(float(r.d.data<_Float16>()[i]), float(_Float16(deq))) << i;
  }
  release(r.q, r.d);
}

TEST_F(LoomOpsNumericsTest, PackedU4PerGroupWithZeroPointsOddLength) {
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
#scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 2), zero_point, packed>
func.func @main(%x: tensor<2x5xf32>, %s: tensor<2x3xf32>, %z: tensor<2x3xi4>)
    -> (tensor<2x3xi8>, tensor<2x5xf32>) {
  %q = loom_quant.quantize %x, %s, %z {scheme = #scheme}
      : tensor<2x5xf32>, tensor<2x3xf32>, tensor<2x3xi4> -> tensor<2x3xi8>
  %d = loom_quant.dequantize %q, %s, %z {scheme = #scheme}
      : tensor<2x3xi8>, tensor<2x3xf32>, tensor<2x3xi4> -> tensor<2x5xf32>
  return %q, %d : tensor<2x3xi8>, tensor<2x5xf32>
}
)mlir",
                                  obj));
  std::vector<float> x = {0.3f,  -0.4f, 1.7f,  9.0f,  0.05f,
                          -2.0f, 0.75f, 0.25f, -0.1f, 1.0f};
  std::vector<float> s = {0.1f, 0.25f, 0.5f, 0.2f, 0.5f, 0.125f};
  // i4 zero points, one per byte (u4 storage: 0..15).
  std::vector<uint8_t> z = {8, 3, 15, 12, 0, 7};
  Desc<2> dx = makeDesc<2>(x.data(), {2, 5});
  Desc<2> dsc = makeDesc<2>(s.data(), {2, 3});
  Desc<2> dz = makeDesc<2>(z.data(), {2, 3});
  struct {
    Desc<2> q, d;
  } r;
  void *args[] = {nullptr, &r, &dx, &dsc, &dz};
  obj.entry("loom_call_main")(args);
  for (int row = 0; row < 2; ++row) {
    int nib[6] = {0, 0, 0, 0, 0, 0};
    for (int c = 0; c < 5; ++c) {
      int g = row * 3 + c / 2;
      nib[c] = quantRef(x[row * 5 + c], s[g], z[g], 0, 15);
      EXPECT_FLOAT_EQ(r.d.data<float>()[row * 5 + c],
                      float(nib[c] - int(z[g])) * s[g])
          << row << "," << c;
    }
    for (int byte = 0; byte < 3; ++byte)
      EXPECT_EQ(r.q.data<uint8_t>()[row * 3 + byte],
                nib[2 * byte] | (nib[2 * byte + 1] << 4))
          << row << "," << byte;
  }
  release(r.q, r.d);
}

TEST_F(LoomOpsNumericsTest, PackedI4SignedPerChannel) {
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
func.func @main(%q: tensor<3x2xi8>, %s: tensor<3xf32>, %x: tensor<3x4xf32>)
    -> (tensor<3x4xf32>, tensor<3x2xi8>) {
  %d = loom_quant.dequantize %q, %s {scheme = #loom_quant.scheme<i4, per_channel(axis = 0), packed>}
      : tensor<3x2xi8>, tensor<3xf32> -> tensor<3x4xf32>
  %p = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<i4, per_channel(axis = 0), packed>}
      : tensor<3x4xf32>, tensor<3xf32> -> tensor<3x2xi8>
  return %d, %p : tensor<3x4xf32>, tensor<3x2xi8>
}
)mlir",
                                  obj));
  std::vector<uint8_t> q = {0x8F, 0x71, 0x00, 0xF7, 0x9A, 0x36};
  std::vector<float> s = {0.5f, 2.0f, 0.1f};
  std::vector<float> x = {1.0f,    -4.0f, 10.0f, -0.2f,  3.0f,  -3.0f,
                          -100.0f, 14.0f, 0.05f, -0.05f, 0.15f, -0.8f};
  Desc<2> dq = makeDesc<2>(q.data(), {3, 2});
  Desc<1> dsc = makeDesc<1>(s.data(), {3});
  Desc<2> dx = makeDesc<2>(x.data(), {3, 4});
  struct {
    Desc<2> d, p;
  } r;
  void *args[] = {nullptr, &r, &dq, &dsc, &dx};
  obj.entry("loom_call_main")(args);
  auto signedNibble = [](int v) { return v >= 8 ? v - 16 : v; };
  for (int row = 0; row < 3; ++row)
    for (int c = 0; c < 4; ++c) {
      uint8_t byte = q[row * 2 + c / 2];
      int v = signedNibble(c % 2 ? byte >> 4 : byte & 15);
      EXPECT_FLOAT_EQ(r.d.data<float>()[row * 4 + c], v * s[row])
          << row << "," << c;
    }
  EXPECT_FLOAT_EQ(r.d.data<float>()[0], -0.5f); // low nibble of 0x8F is -1
  EXPECT_FLOAT_EQ(r.d.data<float>()[1], -4.0f); // high nibble is -8
  for (int row = 0; row < 3; ++row)
    for (int byte = 0; byte < 2; ++byte) {
      int lo = quantRef(x[row * 4 + 2 * byte], s[row], 0, -8, 7);
      int hi = quantRef(x[row * 4 + 2 * byte + 1], s[row], 0, -8, 7);
      EXPECT_EQ(r.p.data<uint8_t>()[row * 2 + byte],
                uint8_t((lo & 15) | ((hi & 15) << 4)))
          << row << "," << byte;
    }
  release(r.d, r.p);
}

TEST_F(LoomOpsNumericsTest, Float8QuantizeDequantizeSaturates) {
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
func.func @main(%x: tensor<16xf32>, %s: tensor<1xf32>)
    -> (tensor<16xf8E4M3FN>, tensor<16xf32>, tensor<16xf8E5M2>, tensor<16xf32>) {
  %q = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<f8E4M3FN>}
      : tensor<16xf32>, tensor<1xf32> -> tensor<16xf8E4M3FN>
  %d = loom_quant.dequantize %q, %s {scheme = #loom_quant.scheme<f8E4M3FN>}
      : tensor<16xf8E4M3FN>, tensor<1xf32> -> tensor<16xf32>
  %q2 = loom_quant.quantize %x, %s {scheme = #loom_quant.scheme<f8E5M2>}
      : tensor<16xf32>, tensor<1xf32> -> tensor<16xf8E5M2>
  %d2 = loom_quant.dequantize %q2, %s {scheme = #loom_quant.scheme<f8E5M2>}
      : tensor<16xf8E5M2>, tensor<1xf32> -> tensor<16xf32>
  return %q, %d, %q2, %d2 : tensor<16xf8E4M3FN>, tensor<16xf32>, tensor<16xf8E5M2>, tensor<16xf32>
}
)mlir",
                                  obj));
  // Normals, subnormals of both formats, ties, saturation, infinities.
  std::vector<float> x = {0.0f,    -0.0f,         1.0f,     -1.0625f,
                          3.3f,    447.0f,        500.0f,   -1e6f,
                          0.001f,  0.0009765625f, 1.0e-5f,  1.125f,
                          -0.013f, 60000.0f,      INFINITY, -INFINITY};
  float scale = 0.5f;
  Desc<1> dx = makeDesc<1>(x.data(), {16});
  Desc<1> dsc = makeDesc<1>(&scale, {1});
  struct {
    Desc<1> q, d, q2, d2;
  } r;
  void *args[] = {nullptr, &r, &dx, &dsc};
  obj.entry("loom_call_main")(args);
  for (int i = 0; i < 16; ++i) {
    float v = x[i] / scale;
    uint8_t e4 = encodeRef(v, decodeE4M3FN), e5 = encodeRef(v, decodeE5M2);
    EXPECT_EQ(r.q.data<uint8_t>()[i], e4) << i << " " << v;
    EXPECT_EQ(r.q2.data<uint8_t>()[i], e5) << i << " " << v;
    EXPECT_EQ(r.d.data<float>()[i], decodeE4M3FN(e4) * scale) << i;
    EXPECT_EQ(r.d2.data<float>()[i], decodeE5M2(e5) * scale) << i;
  }
  EXPECT_EQ(r.q.data<uint8_t>()[6], 0x7E);   // 1000 saturates to 448
  EXPECT_EQ(r.q.data<uint8_t>()[14], 0x7E);  // +inf saturates too
  EXPECT_EQ(r.q2.data<uint8_t>()[15], 0xFB); // -inf to -57344
  release(r.q, r.d, r.q2, r.d2);
}

//===----------------------------------------------------------------------===//
// dynamic_quantize
//===----------------------------------------------------------------------===//

/// ONNX DynamicQuantizeLinear's reference implementation, in f32.
struct DynQuant {
  std::vector<uint8_t> y;
  float scale;
  uint8_t zp;
};
DynQuant dynamicQuantizeRef(const std::vector<float> &x) {
  float maxx = std::max(0.0f, *std::max_element(x.begin(), x.end()));
  float minx = std::min(0.0f, *std::min_element(x.begin(), x.end()));
  float scale = (maxx == minx ? 1.0f : maxx - minx) / 255.0f;
  float zp = std::clamp(0.0f - minx / scale, 0.0f, 255.0f);
  float zpi = std::nearbyint(zp);
  DynQuant out{{}, scale, uint8_t(zpi)};
  for (float v : x)
    out.y.push_back(
        uint8_t(std::clamp(std::nearbyint(v / scale) + zpi, 0.0f, 255.0f)));
  return out;
}

TEST_F(LoomOpsNumericsTest, DynamicQuantizeLinearU8MatchesOnnx) {
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
func.func @main(%x: tensor<3x4xf32>) -> (tensor<3x4xi8>, tensor<f32>, tensor<i8>) {
  %q, %s, %z = loom_quant.dynamic_quantize %x {scheme = #loom_quant.scheme<u8, zero_point>}
      : tensor<3x4xf32> -> tensor<3x4xi8>, tensor<f32>, tensor<i8>
  return %q, %s, %z : tensor<3x4xi8>, tensor<f32>, tensor<i8>
}
func.func @per_token(%x: tensor<3x4xf32>) -> (tensor<3x4xi8>, tensor<3xf32>) {
  %q, %s = loom_quant.dynamic_quantize %x {scheme = #loom_quant.scheme<i8, per_channel(axis = 0)>}
      : tensor<3x4xf32> -> tensor<3x4xi8>, tensor<3xf32>
  return %q, %s : tensor<3x4xi8>, tensor<3xf32>
}
)mlir",
                                  obj));
  struct Case {
    std::vector<float> x;
    std::vector<uint8_t> onnxY; // expected outputs of ONNX's node tests
    float onnxScale;
    uint8_t onnxZp;
  };
  std::vector<Case> cases = {
      // test_dynamicquantizelinear (padded with zeros to 12 values).
      {{0, 2, -3, -2.5f, 1.34f, 0.5f, 0, 0, 0, 0, 0, 0},
       {153, 255, 0, 26, 221, 179, 153, 153, 153, 153, 153, 153},
       0.0196078438f,
       153},
      // test_dynamicquantizelinear_min_adjusted.
      {{1, 2.1f, 1.3f, 2.5f, 3.34f, 4.0f, 1.5f, 2.6f, 3.9f, 4.0f, 3.0f, 2.345f},
       {64, 134, 83, 159, 213, 255, 96, 166, 249, 255, 191, 149},
       0.0156862754f,
       0},
      // All zeros: the scale guard (1 / 255).
      {std::vector<float>(12, 0.0f), std::vector<uint8_t>(12, 0), 1.0f / 255.0f,
       0},
  };
  for (auto &c : cases) {
    Desc<2> dx = makeDesc<2>(c.x.data(), {3, 4});
    struct {
      Desc<2> q;
      Desc<0> s, z;
    } r;
    void *args[] = {nullptr, &r, &dx};
    obj.entry("loom_call_main")(args);
    DynQuant ref = dynamicQuantizeRef(c.x);
    EXPECT_EQ(*r.s.data<float>(), ref.scale);
    EXPECT_FLOAT_EQ(*r.s.data<float>(), c.onnxScale);
    EXPECT_EQ(*r.z.data<uint8_t>(), ref.zp);
    EXPECT_EQ(*r.z.data<uint8_t>(), c.onnxZp);
    for (int i = 0; i < 12; ++i) {
      EXPECT_EQ(r.q.data<uint8_t>()[i], ref.y[i]) << i;
      EXPECT_EQ(r.q.data<uint8_t>()[i], c.onnxY[i]) << i;
    }
    release(r.q, r.s, r.z);
  }

  // Per-token symmetric: max|x| of each row onto 127.
  std::vector<float> x = {1.0f, -2.0f, 0.5f,  0.25f, 0,    0,
                          0,    0,     -0.3f, 0.1f,  0.2f, 0.3f};
  Desc<2> dx = makeDesc<2>(x.data(), {3, 4});
  struct {
    Desc<2> q;
    Desc<1> s;
  } r;
  void *args[] = {nullptr, &r, &dx};
  obj.entry("loom_call_per_token")(args);
  for (int row = 0; row < 3; ++row) {
    float amax = 0;
    for (int c = 0; c < 4; ++c)
      amax = std::max(amax, std::fabs(x[row * 4 + c]));
    float scale = (amax == 0 ? 1.0f : amax) / 127.0f;
    EXPECT_EQ(r.s.data<float>()[row], scale) << row;
    for (int c = 0; c < 4; ++c)
      EXPECT_EQ(r.q.data<int8_t>()[row * 4 + c],
                quantRef(x[row * 4 + c], scale, 0, -128, 127))
          << row << "," << c;
  }
  release(r.q, r.s);
}

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

TEST_F(LoomOpsNumericsTest, MatmulW4A16MatMulNBitsLayout) {
  LoadedObject obj;
  // MatMulNBits: weight [N, K/2] of packed u4, per-group (8) scales and
  // zero points along K, a batch dimension on `a`, f16 in and out.
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
func.func @main(%a: tensor<2x3x16xf16>, %w: tensor<4x8xi8>, %s: tensor<4x2xf16>,
                %z: tensor<4x2xi4>) -> tensor<2x3x4xf16> {
  %y = loom_quant.matmul %a, %w scale %s zero_point %z {
         weight_scheme = #loom_quant.scheme<u4, per_group(axis = 1, size = 8), zero_point, packed>,
         transpose_weight}
         : (tensor<2x3x16xf16>, tensor<4x8xi8>, tensor<4x2xf16>, tensor<4x2xi4>)
         -> tensor<2x3x4xf16>
  return %y : tensor<2x3x4xf16>
}
func.func @i4_kn(%a: tensor<3x8xf32>, %w: tensor<8x2xi8>, %s: tensor<4xf32>)
    -> tensor<3x4xf32> {
  %y = loom_quant.matmul %a, %w scale %s {
         weight_scheme = #loom_quant.scheme<i4, per_channel(axis = 1), packed>}
         : (tensor<3x8xf32>, tensor<8x2xi8>, tensor<4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}
)mlir",
                                  obj));
  const int B = 2, M = 3, K = 16, N = 4, G = 8;
  std::vector<_Float16> a(B * M * K), s(N * K / G);
  std::vector<uint8_t> w(N * K / 2), z(N * K / G);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = _Float16(std::sin(0.37f * i) * 2.0f);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = uint8_t((i * 37 + 11) % 256);
  for (size_t i = 0; i < s.size(); ++i) {
    s[i] = _Float16(0.01f + 0.005f * i);
    z[i] = uint8_t((i * 5 + 3) % 16);
  }
  Desc<3> da = makeDesc<3>(a.data(), {B, M, K});
  Desc<2> dw = makeDesc<2>(w.data(), {N, K / 2});
  Desc<2> dsc = makeDesc<2>(s.data(), {N, K / G});
  Desc<2> dz = makeDesc<2>(z.data(), {N, K / G});
  Desc<3> r;
  void *args[] = {nullptr, &r, &da, &dw, &dsc, &dz};
  obj.entry("loom_call_main")(args);
  for (int b = 0; b < B; ++b)
    for (int m = 0; m < M; ++m)
      for (int n = 0; n < N; ++n) {
        float acc = 0;
        for (int k = 0; k < K; ++k) {
          uint8_t byte = w[n * (K / 2) + k / 2];
          int q = k % 2 ? byte >> 4 : byte & 15;
          int g = n * (K / G) + k / G;
          float wv = float(q - int(z[g])) * float(s[g]);
          acc += float(a[(b * M + m) * K + k]) * wv;
        }
        int i = (b * M + m) * N + n;
        expectClose(float(r.data<_Float16>()[i]), float(_Float16(acc)), 2e-3f,
                    1e-3f, "W4A16", i);
      }
  release(r);

  // [K, N] layout: the nibbles run along N, signed.
  std::vector<float> a2(3 * 8), s2 = {0.5f, 0.25f, 1.0f, 0.125f};
  std::vector<uint8_t> w2(8 * 2);
  for (size_t i = 0; i < a2.size(); ++i)
    a2[i] = 0.25f * float(int(i % 7) - 3);
  for (size_t i = 0; i < w2.size(); ++i)
    w2[i] = uint8_t((i * 91 + 7) % 256);
  Desc<2> da2 = makeDesc<2>(a2.data(), {3, 8});
  Desc<2> dw2 = makeDesc<2>(w2.data(), {8, 2});
  Desc<1> ds2 = makeDesc<1>(s2.data(), {4});
  Desc<2> r2;
  void *args2[] = {nullptr, &r2, &da2, &dw2, &ds2};
  obj.entry("loom_call_i4_kn")(args2);
  for (int m = 0; m < 3; ++m)
    for (int n = 0; n < 4; ++n) {
      float acc = 0;
      for (int k = 0; k < 8; ++k) {
        uint8_t byte = w2[k * 2 + n / 2];
        int q = n % 2 ? byte >> 4 : byte & 15;
        q = q >= 8 ? q - 16 : q;
        acc += a2[m * 8 + k] * float(q) * s2[n];
      }
      expectClose(r2.data<float>()[m * 4 + n], acc, 1e-6f, 1e-6f, "i4 KN",
                  m * 4 + n);
    }
  release(r2);
}

TEST_F(LoomOpsNumericsTest, MatmulW8A8WithInputScales) {
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
func.func @main(%a: tensor<3x8xi8>, %w: tensor<4x8xi8>, %ws: tensor<4xf32>,
                %as: tensor<f32>, %az: tensor<i8>) -> tensor<3x4xf32> {
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as input_zero_point %az {
         weight_scheme = #loom_quant.scheme<i8, per_channel(axis = 0)>,
         input_scheme = #loom_quant.scheme<u8, zero_point>, transpose_weight}
         : (tensor<3x8xi8>, tensor<4x8xi8>, tensor<4xf32>, tensor<f32>, tensor<i8>)
         -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}
func.func @per_token(%a: tensor<3x8xi8>, %w: tensor<8x4xi8>, %ws: tensor<4xf32>,
                     %as: tensor<3xf32>) -> tensor<3x4xf32> {
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as {
         weight_scheme = #loom_quant.scheme<i8, per_channel(axis = 1)>,
         input_scheme = #loom_quant.scheme<i8, per_channel(axis = 0)>}
         : (tensor<3x8xi8>, tensor<8x4xi8>, tensor<4xf32>, tensor<3xf32>)
         -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}
)mlir",
                                  obj));
  std::vector<uint8_t> a(24);
  std::vector<int8_t> w(32);
  for (int i = 0; i < 24; ++i)
    a[i] = uint8_t((i * 53 + 17) % 256);
  for (int i = 0; i < 32; ++i)
    w[i] = int8_t((i * 71 + 5) % 256 - 128);
  std::vector<float> ws = {0.01f, 0.02f, 0.005f, 0.03f};
  float as = 0.05f;
  uint8_t az = 131;
  {
    Desc<2> da = makeDesc<2>(a.data(), {3, 8});
    Desc<2> dw = makeDesc<2>(w.data(), {4, 8});
    Desc<1> dws = makeDesc<1>(ws.data(), {4});
    Desc<0> das = makeDesc<0>(&as, {});
    Desc<0> daz = makeDesc<0>(&az, {});
    Desc<2> r;
    void *args[] = {nullptr, &r, &da, &dw, &dws, &das, &daz};
    obj.entry("loom_call_main")(args);
    for (int m = 0; m < 3; ++m)
      for (int n = 0; n < 4; ++n) {
        // Exact integer dot product, then both scales.
        int64_t dot = 0;
        for (int k = 0; k < 8; ++k)
          dot += int64_t(int(a[m * 8 + k]) - int(az)) * w[n * 8 + k];
        expectClose(r.data<float>()[m * 4 + n], float(dot) * as * ws[n], 1e-5f,
                    1e-5f, "W8A8", m * 4 + n);
      }
    release(r);
  }
  {
    std::vector<float> as3 = {0.1f, 0.02f, 0.3f};
    Desc<2> da = makeDesc<2>(a.data(), {3, 8});
    Desc<2> dw = makeDesc<2>(w.data(), {8, 4});
    Desc<1> dws = makeDesc<1>(ws.data(), {4});
    Desc<1> das = makeDesc<1>(as3.data(), {3});
    Desc<2> r;
    void *args[] = {nullptr, &r, &da, &dw, &dws, &das};
    obj.entry("loom_call_per_token")(args);
    for (int m = 0; m < 3; ++m)
      for (int n = 0; n < 4; ++n) {
        int64_t dot = 0;
        for (int k = 0; k < 8; ++k)
          dot += int64_t(int8_t(a[m * 8 + k])) * w[k * 4 + n];
        expectClose(r.data<float>()[m * 4 + n], float(dot) * as3[m] * ws[n],
                    1e-5f, 1e-5f, "W8A8 per token", m * 4 + n);
      }
    release(r);
  }
}

TEST_F(LoomOpsNumericsTest, MatmulFP8) {
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
func.func @main(%a: tensor<2x4xf8E4M3FN>, %w: tensor<4x3xf8E4M3FN>, %ws: tensor<f32>,
                %as: tensor<f32>) -> tensor<2x3xf32> {
  %y = loom_quant.matmul %a, %w scale %ws input_scale %as {
         weight_scheme = #loom_quant.scheme<f8E4M3FN>,
         input_scheme = #loom_quant.scheme<f8E4M3FN>}
         : (tensor<2x4xf8E4M3FN>, tensor<4x3xf8E4M3FN>, tensor<f32>, tensor<f32>)
         -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
)mlir",
                                  obj));
  // Normals, a subnormal (0x03), negatives, the largest finite (0x7E).
  std::vector<uint8_t> a = {0x38, 0xB8, 0x03, 0x7E, 0x41, 0x00, 0xC4, 0x2A};
  std::vector<uint8_t> w = {0x40, 0x30, 0xB0, 0x01, 0x48, 0x3C,
                            0x20, 0xA8, 0x50, 0x39, 0x02, 0xB9};
  float ws = 0.5f, as = 0.25f;
  Desc<2> da = makeDesc<2>(a.data(), {2, 4});
  Desc<2> dw = makeDesc<2>(w.data(), {4, 3});
  Desc<0> dws = makeDesc<0>(&ws, {});
  Desc<0> das = makeDesc<0>(&as, {});
  Desc<2> r;
  void *args[] = {nullptr, &r, &da, &dw, &dws, &das};
  obj.entry("loom_call_main")(args);
  for (int m = 0; m < 2; ++m)
    for (int n = 0; n < 3; ++n) {
      float acc = 0;
      for (int k = 0; k < 4; ++k)
        acc +=
            decodeE4M3FN(a[m * 4 + k]) * as * decodeE4M3FN(w[k * 3 + n]) * ws;
      expectClose(r.data<float>()[m * 3 + n], acc, 1e-6f, 1e-9f, "FP8",
                  m * 3 + n);
    }
  release(r);
}

//===----------------------------------------------------------------------===//
// loom_moe
//===----------------------------------------------------------------------===//

/// Top-k of a row of scores: descending, ties to the lower id.
std::vector<int> topkRef(const std::vector<float> &scores, int k) {
  std::vector<int> ids(scores.size());
  std::iota(ids.begin(), ids.end(), 0);
  std::sort(ids.begin(), ids.end(), [&](int x, int y) {
    return scores[x] != scores[y] ? scores[x] > scores[y] : x < y;
  });
  ids.resize(k);
  return ids;
}

std::vector<float> softmaxRef(const float *logits, int e) {
  float mx = *std::max_element(logits, logits + e);
  std::vector<float> s(e);
  float sum = 0;
  for (int i = 0; i < e; ++i)
    sum += std::exp(logits[i] - mx);
  for (int i = 0; i < e; ++i)
    s[i] = std::exp(logits[i] - mx) / sum;
  return s;
}

TEST_F(LoomOpsNumericsTest, RouteSoftmaxNormalizeAndSigmoidWithTies) {
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
func.func @softmax(%l: tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>) {
  %w, %ids = loom_moe.route %l top 2 softmax normalize
      : tensor<?x4xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
  return %w, %ids : tensor<?x2xf32>, tensor<?x2xi32>
}
func.func @sigmoid(%l: tensor<4x5xf32>) -> (tensor<4x3xf32>, tensor<4x3xi32>) {
  %w, %ids = loom_moe.route %l top 3 sigmoid
      : tensor<4x5xf32> -> tensor<4x3xf32>, tensor<4x3xi32>
  return %w, %ids : tensor<4x3xf32>, tensor<4x3xi32>
}
)mlir",
                                  obj));
  {
    // Row 2 is all ties (ids 0, 1), row 3 ties at the k-th place (0, 1).
    std::vector<float> l = {0.1f,  2.0f, -1.0f, 0.5f, 3.0f, 3.5f, 0.0f,
                            -2.0f, 1.0f, 1.0f,  1.0f, 1.0f, 2.0f, 1.0f,
                            1.0f,  0.0f, -0.5f, 0.2f, 0.9f, 0.9f};
    const int T = 5, E = 4, K = 2;
    Desc<2> dl = makeDesc<2>(l.data(), {T, E});
    struct {
      Desc<2> w, ids;
    } r;
    void *args[] = {nullptr, &r, &dl};
    obj.entry("loom_call_softmax")(args);
    ASSERT_EQ(r.w.sizes[0], T);
    for (int t = 0; t < T; ++t) {
      std::vector<float> s = softmaxRef(&l[t * E], E);
      std::vector<int> ids = topkRef(s, K);
      float sum = 0;
      for (int j = 0; j < K; ++j)
        sum += s[ids[j]];
      for (int j = 0; j < K; ++j) {
        EXPECT_EQ(r.ids.data<int32_t>()[t * K + j], ids[j]) << t << "," << j;
        expectClose(r.w.data<float>()[t * K + j], s[ids[j]] / sum, 1e-6f, 1e-7f,
                    "softmax weight", t * K + j);
      }
    }
    EXPECT_EQ(r.ids.data<int32_t>()[2 * K + 0], 0);
    EXPECT_EQ(r.ids.data<int32_t>()[2 * K + 1], 1);
    EXPECT_EQ(r.ids.data<int32_t>()[4 * K + 0], 2);
    EXPECT_EQ(r.ids.data<int32_t>()[4 * K + 1], 3);
    release(r.w, r.ids);
  }
  {
    std::vector<float> l = {0.5f,  2.0f,  2.0f, -1.0f, 2.0f, // three-way tie
                            -3.0f, 0.0f,  1.0f, 4.0f,  0.0f, //
                            0.0f,  0.0f,  0.0f, 0.0f,  0.0f, // all equal
                            1.5f,  -1.5f, 2.5f, 0.3f,  1.5f};
    const int T = 4, E = 5, K = 3;
    Desc<2> dl = makeDesc<2>(l.data(), {T, E});
    struct {
      Desc<2> w, ids;
    } r;
    void *args[] = {nullptr, &r, &dl};
    obj.entry("loom_call_sigmoid")(args);
    for (int t = 0; t < T; ++t) {
      std::vector<float> s(E);
      for (int e = 0; e < E; ++e)
        s[e] = 1.0f / (1.0f + std::exp(-l[t * E + e]));
      std::vector<int> ids = topkRef(s, K);
      for (int j = 0; j < K; ++j) {
        EXPECT_EQ(r.ids.data<int32_t>()[t * K + j], ids[j]) << t << "," << j;
        expectClose(r.w.data<float>()[t * K + j], s[ids[j]], 1e-6f, 1e-7f,
                    "sigmoid weight", t * K + j);
      }
    }
    EXPECT_EQ(r.ids.data<int32_t>()[0], 1);
    EXPECT_EQ(r.ids.data<int32_t>()[1], 2);
    EXPECT_EQ(r.ids.data<int32_t>()[2], 4);
    release(r.w, r.ids);
  }
}

TEST_F(LoomOpsNumericsTest, MoeLayerMatchesDenseReference) {
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
func.func @main(%x: tensor<?x4xf32>, %logits: tensor<?x4xf32>, %w: tensor<4x4x3xf32>)
    -> (tensor<?x3xf32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>) {
  %weights, %ids = loom_moe.route %logits top 2 softmax normalize
      : tensor<?x4xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
  %xs, %off, %perm = loom_moe.dispatch %x, %ids experts 4
      : tensor<?x4xf32>, tensor<?x2xi32> -> tensor<?x4xf32>, tensor<5xi32>, tensor<?xi32>
  %y = loom_moe.grouped_matmul %xs, %w, %off
      : tensor<?x4xf32>, tensor<4x4x3xf32>, tensor<5xi32> -> tensor<?x3xf32>
  %o = loom_moe.combine %y, %perm, %weights
      : tensor<?x3xf32>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x3xf32>
  return %o, %off, %perm, %ids : tensor<?x3xf32>, tensor<5xi32>, tensor<?xi32>, tensor<?x2xi32>
}
)mlir",
                                  obj));
  const int T = 5, D = 4, E = 4, K = 2, N = 3;
  std::vector<float> x(T * D), logits(T * E), w(E * D * N);
  for (int i = 0; i < T * D; ++i)
    x[i] = std::cos(0.7f * i);
  // Expert 3 is never chosen: its block is empty.
  float l[T * E] = {2.0f,  1.0f,  0.5f, -3.0f, 0.1f,  0.3f,  1.2f,
                    -2.0f, 1.0f,  1.0f, 0.0f,  -1.0f, -0.5f, 2.5f,
                    0.4f,  -4.0f, 0.9f, 0.2f,  0.8f,  -5.0f};
  std::copy(l, l + T * E, logits.begin());
  for (int i = 0; i < E * D * N; ++i)
    w[i] = 0.1f * float((i * 7) % 11) - 0.5f;
  Desc<2> dx = makeDesc<2>(x.data(), {T, D});
  Desc<2> dl = makeDesc<2>(logits.data(), {T, E});
  Desc<3> dw = makeDesc<3>(w.data(), {E, D, N});
  struct {
    Desc<2> out;
    Desc<1> off, perm;
    Desc<2> ids;
  } r;
  void *args[] = {nullptr, &r, &dx, &dl, &dw};
  obj.entry("loom_call_main")(args);

  ASSERT_EQ(r.out.sizes[0], T);
  ASSERT_EQ(r.perm.sizes[0], T * K);
  // Dense reference: every token times its k experts, weighted.
  std::vector<int> counts(E, 0);
  for (int t = 0; t < T; ++t) {
    std::vector<float> s = softmaxRef(&logits[t * E], E);
    std::vector<int> ids = topkRef(s, K);
    float sum = s[ids[0]] + s[ids[1]];
    for (int n = 0; n < N; ++n) {
      float acc = 0;
      for (int j = 0; j < K; ++j) {
        float y = 0;
        for (int c = 0; c < D; ++c)
          y += x[t * D + c] * w[(ids[j] * D + c) * N + n];
        acc += s[ids[j]] / sum * y;
      }
      expectClose(r.out.data<float>()[t * N + n], acc, 1e-5f, 1e-6f, "moe out",
                  t * N + n);
    }
    for (int j = 0; j < K; ++j) {
      EXPECT_EQ(r.ids.data<int32_t>()[t * K + j], ids[j]);
      ++counts[ids[j]];
    }
  }
  EXPECT_EQ(counts[3], 0);
  // Offsets are the prefix sums; the permutation is the stable sort.
  int expectedOff = 0;
  for (int e = 0; e <= E; ++e) {
    EXPECT_EQ(r.off.data<int32_t>()[e], expectedOff) << e;
    if (e < E)
      expectedOff += counts[e];
  }
  std::vector<int> flat(T * K);
  std::iota(flat.begin(), flat.end(), 0);
  const int32_t *chosen = r.ids.data<int32_t>();
  std::sort(flat.begin(), flat.end(), [&](int a, int b) {
    return chosen[a] != chosen[b] ? chosen[a] < chosen[b] : a < b;
  });
  for (int i = 0; i < T * K; ++i)
    EXPECT_EQ(r.perm.data<int32_t>()[i], flat[i]) << i;
  release(r.out, r.off, r.perm, r.ids);
}

} // namespace
