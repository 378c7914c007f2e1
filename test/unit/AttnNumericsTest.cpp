//===- AttnNumericsTest.cpp - loom_attn ops compute the right numbers -----===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Compiles small modules that use loom_attn ops with the full CPU pipeline
// (so through loom-convert-attn-to-linalg and its online softmax over
// blocks of 64 keys), runs them and compares with a naive reference written
// from the ops' descriptions: the whole score row, then one softmax in
// double.
//
//===----------------------------------------------------------------------===//

#include "test/unit/CompileForTest.h"

#include <optional>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <vector>

using namespace mlir;
using namespace loom_test;

namespace {

//===----------------------------------------------------------------------===//
// Reference
//===----------------------------------------------------------------------===//

/// Deterministic inputs in [-amp, amp].
std::vector<float> values(size_t n, int seed, float amp = 1.0f) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = amp * std::sin(0.7f * float(i) * (1.0f + 0.13f * seed) + seed);
  return v;
}

using Index4 = std::function<double(int, int, int, int)>;

/// A contiguous row-major [n0, n1, n2, n3] array read as doubles.
template <typename T>
Index4 reader(const std::vector<T> &v, int n1, int n2, int n3) {
  return [&v, n1, n2, n3](int a, int b, int c, int d) {
    return double(v[((size_t(a) * n1 + b) * n2 + c) * n3 + d]);
  };
}

/// Attention of one op, element by element from the description: scores
/// scaled, soft-capped, biased, masked, restricted (causal / window with
/// sinks / sparsity), softmax over the whole row, zeros for an empty row.
struct AttnRef {
  AttnRef(int B, int Hq, int Hkv, int Sq, int D, int Dv)
      : B(B), Hq(Hq), Hkv(Hkv), Sq(Sq), D(D), Dv(Dv) {}
  int B, Hq, Hkv, Sq, D, Dv;
  std::function<int(int)> skv; // keys of batch b
  Index4 query, key, value;    // [b, h, i|j, d]
  double scale = 0;            // 0: 1/sqrt(D)
  bool causal = false;
  int64_t left = -1, right = -1, sinks = 0; // -1: unbounded
  double softcap = 0;
  std::function<bool(int h, int i, int j)> sparse; // empty: dense
  Index4 bias, mask;                               // additive, [b, h, i, j]

  std::vector<double> run() const {
    std::vector<double> out(size_t(B) * Hq * Sq * Dv, 0.0);
    double sc = scale ? scale : 1.0 / std::sqrt(double(D));
    for (int b = 0; b < B; ++b)
      for (int h = 0; h < Hq; ++h)
        for (int i = 0; i < Sq; ++i) {
          int hk = h / (Hq / Hkv), keys = skv(b);
          int64_t pos = i + keys - Sq;
          std::vector<double> s(keys, -INFINITY);
          double mx = -INFINITY;
          for (int j = 0; j < keys; ++j) {
            bool keep = !causal || j <= pos;
            bool relaxed = (left < 0 || j >= pos - left) &&
                           (right < 0 || j <= pos + right) &&
                           (!sparse || sparse(h, i, j));
            keep = keep && (relaxed || j < sinks);
            if (!keep)
              continue;
            double x = 0;
            for (int d = 0; d < D; ++d)
              x += query(b, h, i, d) * key(b, hk, j, d);
            x *= sc;
            if (softcap)
              x = softcap * std::tanh(x / softcap);
            if (bias)
              x += bias(b, h, i, j);
            if (mask)
              x += mask(b, h, i, j);
            s[j] = x;
            mx = std::max(mx, x);
          }
          if (mx == -INFINITY)
            continue; // no visible key: zeros
          double sum = 0;
          for (double &x : s)
            sum += (x = std::exp(x - mx));
          double *o = &out[((size_t(b) * Hq + h) * Sq + i) * Dv];
          for (int j = 0; j < keys; ++j)
            for (int e = 0; e < Dv; ++e)
              o[e] += s[j] / sum * value(b, hk, j, e);
        }
    return out;
  }
};

template <typename... Ds> void release(Ds &...ds) { (free(ds.allocated), ...); }

int64_t numElements(const Desc<4> &d) {
  return d.sizes[0] * d.sizes[1] * d.sizes[2] * d.sizes[3];
}

template <typename T>
void expectNear(const Desc<4> &actual, const std::vector<double> &expected,
                double tol, const char *what) {
  ASSERT_EQ(numElements(actual), int64_t(expected.size())) << what;
  const T *a = actual.data<T>();
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(double(a[i]), expected[i], tol * (1 + std::fabs(expected[i])))
        << what << " at " << i;
}

class AttnNumericsTest : public ::testing::Test {
protected:
  AttnNumericsTest() : ctx(makeTestContext()) {}
  void compile(StringRef source, LoadedObject &out) {
    loom_test::compileAndLoad(ctx.get(), source, out);
  }
  /// Calls entry `name` with one rank-4 result.
  static Desc<4> call(const LoadedObject &obj, const char *name,
                      std::vector<void *> inputs) {
    Desc<4> r;
    std::vector<void *> args = {nullptr, &r};
    args.insert(args.end(), inputs.begin(), inputs.end());
    EntryFn fn = obj.entry(name);
    EXPECT_NE(fn, nullptr) << name;
    if (fn)
      fn(args.data());
    return r;
  }
  std::unique_ptr<MLIRContext> ctx;
};

/// q [B, Hq, Sq, D], k [B, Hkv, Skv, D], v [B, Hkv, Skv, Dv] and their
/// descriptors, filled with distinct deterministic values.
struct Qkv {
  int B, Hq, Hkv, Sq, Skv, D, Dv;
  std::vector<float> q, k, v;
  Desc<4> dq, dk, dv;
  Qkv(int B, int Hq, int Hkv, int Sq, int Skv, int D, int Dv, float amp = 1)
      : B(B), Hq(Hq), Hkv(Hkv), Sq(Sq), Skv(Skv), D(D), Dv(Dv),
        q(values(size_t(B) * Hq * Sq * D, 1, amp)),
        k(values(size_t(B) * Hkv * Skv * D, 2, amp)),
        v(values(size_t(B) * Hkv * Skv * Dv, 3)) {
    dq = makeDesc<4>(q.data(), {B, Hq, Sq, D});
    dk = makeDesc<4>(k.data(), {B, Hkv, Skv, D});
    dv = makeDesc<4>(v.data(), {B, Hkv, Skv, Dv});
  }
  AttnRef ref() const {
    AttnRef r{B, Hq, Hkv, Sq, D, Dv};
    int keys = Skv;
    r.skv = [keys](int) { return keys; };
    r.query = reader(q, Hq, Sq, D);
    r.key = reader(k, Hkv, Skv, D);
    r.value = reader(v, Hkv, Skv, Dv);
    return r;
  }
};

//===----------------------------------------------------------------------===//
// attention
//===----------------------------------------------------------------------===//

TEST_F(AttnNumericsTest, MhaAndGqaOverSeveralBlocksWithTail) {
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
func.func @mha(%q: tensor<2x2x5x8xf32>, %k: tensor<2x2x70x8xf32>, %v: tensor<2x2x70x6xf32>) -> tensor<2x2x5x6xf32> {
  %o = loom_attn.attention %q, %k, %v : tensor<2x2x5x8xf32>, tensor<2x2x70x8xf32>, tensor<2x2x70x6xf32> -> tensor<2x2x5x6xf32>
  return %o : tensor<2x2x5x6xf32>
}
func.func @gqa(%q: tensor<1x4x3x8xf32>, %k: tensor<1x2x130x8xf32>, %v: tensor<1x2x130x8xf32>) -> tensor<1x4x3x8xf32> {
  %o = loom_attn.attention %q, %k, %v scale(0.3) : tensor<1x4x3x8xf32>, tensor<1x2x130x8xf32>, tensor<1x2x130x8xf32> -> tensor<1x4x3x8xf32>
  return %o : tensor<1x4x3x8xf32>
}
)mlir",
                                  obj));
  {
    Qkv t(2, 2, 2, 5, 70, 8, 6, 1.5f);
    Desc<4> r = call(obj, "loom_call_mha", {&t.dq, &t.dk, &t.dv});
    expectNear<float>(r, t.ref().run(), 1e-5, "mha");
    release(r);
  }
  {
    Qkv t(1, 4, 2, 3, 130, 8, 8, 1.5f);
    AttnRef ref = t.ref();
    ref.scale = 0.3;
    Desc<4> r = call(obj, "loom_call_gqa", {&t.dq, &t.dk, &t.dv});
    expectNear<float>(r, ref.run(), 1e-5, "gqa");
    release(r);
  }
}

TEST_F(AttnNumericsTest, CausalBottomRightAligned) {
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
func.func @decode(%q: tensor<2x4x1x8xf32>, %k: tensor<2x2x70x8xf32>, %v: tensor<2x2x70x8xf32>) -> tensor<2x4x1x8xf32> {
  %o = loom_attn.attention %q, %k, %v causal : tensor<2x4x1x8xf32>, tensor<2x2x70x8xf32>, tensor<2x2x70x8xf32> -> tensor<2x4x1x8xf32>
  return %o : tensor<2x4x1x8xf32>
}
func.func @chunk(%q: tensor<1x4x3x8xf32>, %k: tensor<1x2x70x8xf32>, %v: tensor<1x2x70x8xf32>) -> tensor<1x4x3x8xf32> {
  %o = loom_attn.attention %q, %k, %v causal : tensor<1x4x3x8xf32>, tensor<1x2x70x8xf32>, tensor<1x2x70x8xf32> -> tensor<1x4x3x8xf32>
  return %o : tensor<1x4x3x8xf32>
}
func.func @more_queries(%q: tensor<1x1x5x4xf32>, %k: tensor<1x1x3x4xf32>, %v: tensor<1x1x3x4xf32>) -> tensor<1x1x5x4xf32> {
  %o = loom_attn.attention %q, %k, %v causal : tensor<1x1x5x4xf32>, tensor<1x1x3x4xf32>, tensor<1x1x3x4xf32> -> tensor<1x1x5x4xf32>
  return %o : tensor<1x1x5x4xf32>
}
)mlir",
                                  obj));
  struct Case {
    const char *name;
    int B, Hq, Hkv, Sq, Skv, D;
  };
  for (Case c : {Case{"loom_call_decode", 2, 4, 2, 1, 70, 8},
                 Case{"loom_call_chunk", 1, 4, 2, 3, 70, 8},
                 Case{"loom_call_more_queries", 1, 1, 1, 5, 3, 4}}) {
    const char *name = c.name;
    Qkv t(c.B, c.Hq, c.Hkv, c.Sq, c.Skv, c.D, c.D, 1.5f);
    AttnRef ref = t.ref();
    ref.causal = true;
    std::vector<double> expected = ref.run();
    Desc<4> r = call(obj, name, {&t.dq, &t.dk, &t.dv});
    expectNear<float>(r, expected, 1e-5, name);
    if (t.Sq == 5) {
      // Queries 0 and 1 sit before the first key: no key, zeros.
      for (int e = 0; e < 8; ++e)
        EXPECT_EQ(r.data<float>()[e], 0.0f) << e;
      EXPECT_NE(r.data<float>()[8], 0.0f);
    }
    release(r);
  }
}

// Causal prefill over several query blocks (the lowering tiles the queries
// by the key block size, 64, and stops each block's key loop at its last
// row's position): square, with a tail block, and with more keys than
// queries; static and dynamic sequence lengths.
TEST_F(AttnNumericsTest, CausalQueryBlocks) {
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
func.func @square(%q: tensor<1x4x150x8xf32>, %k: tensor<1x2x150x8xf32>, %v: tensor<1x2x150x8xf32>) -> tensor<1x4x150x8xf32> {
  %o = loom_attn.attention %q, %k, %v causal : tensor<1x4x150x8xf32>, tensor<1x2x150x8xf32>, tensor<1x2x150x8xf32> -> tensor<1x4x150x8xf32>
  return %o : tensor<1x4x150x8xf32>
}
func.func @offset_window(%q: tensor<1x2x130x8xf32>, %k: tensor<1x2x200x8xf32>, %v: tensor<1x2x200x8xf32>) -> tensor<1x2x130x8xf32> {
  %o = loom_attn.attention %q, %k, %v causal window(40, 0) : tensor<1x2x130x8xf32>, tensor<1x2x200x8xf32>, tensor<1x2x200x8xf32> -> tensor<1x2x130x8xf32>
  return %o : tensor<1x2x130x8xf32>
}
func.func @dyn(%q: tensor<1x4x?x8xf32>, %k: tensor<1x2x?x8xf32>, %v: tensor<1x2x?x8xf32>) -> tensor<1x4x?x8xf32> {
  %o = loom_attn.attention %q, %k, %v causal : tensor<1x4x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32> -> tensor<1x4x?x8xf32>
  return %o : tensor<1x4x?x8xf32>
}
)mlir",
                                  obj));
  struct Case {
    const char *name;
    int Hq, Hkv, Sq, Skv;
    std::optional<int> windowLeft;
  };
  for (Case c : {Case{"loom_call_square", 4, 2, 150, 150, std::nullopt},
                 Case{"loom_call_offset_window", 2, 2, 130, 200, 40},
                 Case{"loom_call_dyn", 4, 2, 150, 150, std::nullopt},
                 Case{"loom_call_dyn", 4, 2, 70, 135, std::nullopt}}) {
    Qkv t(1, c.Hq, c.Hkv, c.Sq, c.Skv, 8, 8, 1.5f);
    AttnRef ref = t.ref();
    ref.causal = true;
    if (c.windowLeft)
      ref.left = *c.windowLeft, ref.right = 0;
    Desc<4> r = call(obj, c.name, {&t.dq, &t.dk, &t.dv});
    expectNear<float>(r, ref.run(), 1e-5, c.name);
    release(r);
  }
}

TEST_F(AttnNumericsTest, WindowSinksAndSoftcap) {
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
func.func @sliding(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x200x8xf32>, %v: tensor<1x2x200x8xf32>) -> tensor<1x2x6x8xf32> {
  %o = loom_attn.attention %q, %k, %v causal window(8, 0) sinks(3) : tensor<1x2x6x8xf32>, tensor<1x2x200x8xf32>, tensor<1x2x200x8xf32> -> tensor<1x2x6x8xf32>
  return %o : tensor<1x2x6x8xf32>
}
func.func @two_sided(%q: tensor<1x2x4x8xf32>, %k: tensor<1x1x20x8xf32>, %v: tensor<1x1x20x8xf32>) -> tensor<1x2x4x8xf32> {
  %o = loom_attn.attention %q, %k, %v window(2, 3) sinks(2) : tensor<1x2x4x8xf32>, tensor<1x1x20x8xf32>, tensor<1x1x20x8xf32> -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}
func.func @softcap(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x80x8xf32>, %v: tensor<1x2x80x8xf32>) -> tensor<1x2x4x8xf32> {
  %o = loom_attn.attention %q, %k, %v scale(1.0) softcap(2.5) : tensor<1x2x4x8xf32>, tensor<1x2x80x8xf32>, tensor<1x2x80x8xf32> -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}
)mlir",
                                  obj));
  {
    // Keys 64..127 are neither sinks nor in any query's window: skipped.
    Qkv t(1, 2, 2, 6, 200, 8, 8, 1.5f);
    AttnRef ref = t.ref();
    ref.causal = true;
    ref.left = 8;
    ref.right = 0;
    ref.sinks = 3;
    Desc<4> r = call(obj, "loom_call_sliding", {&t.dq, &t.dk, &t.dv});
    expectNear<float>(r, ref.run(), 1e-5, "sliding window with sinks");
    release(r);
  }
  {
    Qkv t(1, 2, 1, 4, 20, 8, 8, 1.5f);
    AttnRef ref = t.ref();
    ref.left = 2;
    ref.right = 3;
    ref.sinks = 2;
    Desc<4> r = call(obj, "loom_call_two_sided", {&t.dq, &t.dk, &t.dv});
    expectNear<float>(r, ref.run(), 1e-5, "two-sided window");
    release(r);
  }
  {
    // Scores up to ~18 before capping: the cap changes the result.
    Qkv t(1, 2, 2, 4, 80, 8, 8, 1.5f);
    AttnRef ref = t.ref();
    ref.scale = 1.0;
    ref.softcap = 2.5;
    Desc<4> r = call(obj, "loom_call_softcap", {&t.dq, &t.dk, &t.dv});
    expectNear<float>(r, ref.run(), 1e-5, "softcap");
    release(r);
  }
}

TEST_F(AttnNumericsTest, MasksAndBiasBroadcast) {
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
func.func @bool_mask(%q: tensor<2x2x3x8xf32>, %k: tensor<2x2x70x8xf32>, %v: tensor<2x2x70x8xf32>, %m: tensor<3x70xi1>) -> tensor<2x2x3x8xf32> {
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<3x70xi1>) : tensor<2x2x3x8xf32>, tensor<2x2x70x8xf32>, tensor<2x2x70x8xf32> -> tensor<2x2x3x8xf32>
  return %o : tensor<2x2x3x8xf32>
}
func.func @additive(%q: tensor<2x2x3x8xf32>, %k: tensor<2x2x70x8xf32>, %v: tensor<2x2x70x8xf32>, %m: tensor<2x1x1x70xf32>, %b: tensor<2x3x70xf16>) -> tensor<2x2x3x8xf32> {
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<2x1x1x70xf32>) bias(%b : tensor<2x3x70xf16>) : tensor<2x2x3x8xf32>, tensor<2x2x70x8xf32>, tensor<2x2x70x8xf32> -> tensor<2x2x3x8xf32>
  return %o : tensor<2x2x3x8xf32>
}
)mlir",
                                  obj));
  Qkv t(2, 2, 2, 3, 70, 8, 8, 1.5f);
  {
    // Row 1 sees nothing (zeros); the others a scattered subset.
    std::vector<bool> keep(3 * 70);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 70; ++j)
        keep[i * 70 + j] = i != 1 && (j * 7 + i) % 3 != 0;
    bool mask[3 * 70];
    for (int i = 0; i < 3 * 70; ++i)
      mask[i] = keep[i];
    Desc<2> dm = makeDesc<2>(mask, {3, 70});
    AttnRef ref = t.ref();
    ref.mask = [&](int, int, int i, int j) {
      return keep[i * 70 + j] ? 0.0 : -INFINITY;
    };
    Desc<4> r = call(obj, "loom_call_bool_mask", {&t.dq, &t.dk, &t.dv, &dm});
    expectNear<float>(r, ref.run(), 1e-5, "i1 mask");
    for (int e = 0; e < 8; ++e)
      EXPECT_EQ(r.data<float>()[1 * 8 + e], 0.0f);
    release(r);
  }
  {
    // Additive [B, 1, 1, Skv] with -inf (padding), bias [Hq, Sq, Skv] in f16.
    std::vector<float> mask = values(2 * 70, 4);
    for (int j = 60; j < 70; ++j)
      mask[j] = -INFINITY; // batch 0 pads its last 10 keys
    std::vector<_Float16> bias(2 * 3 * 70);
    std::vector<float> biasF = values(bias.size(), 5, 2.0f);
    for (size_t i = 0; i < bias.size(); ++i)
      bias[i] = _Float16(biasF[i]);
    Desc<4> dm = makeDesc<4>(mask.data(), {2, 1, 1, 70});
    Desc<3> db = makeDesc<3>(bias.data(), {2, 3, 70});
    AttnRef ref = t.ref();
    ref.mask = [&](int b, int, int, int j) { return double(mask[b * 70 + j]); };
    ref.bias = [&](int, int h, int i, int j) {
      return double(float(bias[(h * 3 + i) * 70 + j]));
    };
    Desc<4> r =
        call(obj, "loom_call_additive", {&t.dq, &t.dk, &t.dv, &dm, &db});
    expectNear<float>(r, ref.run(), 1e-5, "additive mask and bias");
    release(r);
  }
}

TEST_F(AttnNumericsTest, DynamicShapesAndRuntimeBroadcast) {
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
func.func @dyn(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>, %m: tensor<?x?xf32>) -> tensor<?x?x?x?xf32> {
  %o = loom_attn.attention %q, %k, %v mask(%m : tensor<?x?xf32>) causal : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}
func.func @dyn_seq(%q: tensor<1x4x?x8xf32>, %k: tensor<1x2x?x8xf32>, %v: tensor<1x2x?x8xf32>) -> tensor<1x4x?x8xf32> {
  %o = loom_attn.attention %q, %k, %v causal : tensor<1x4x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32> -> tensor<1x4x?x8xf32>
  return %o : tensor<1x4x?x8xf32>
}
)mlir",
                                  obj));
  Qkv t(1, 4, 2, 3, 77, 8, 8, 1.5f);
  {
    // The mask is [1, Skv] at run time: it broadcasts over the queries.
    std::vector<float> mask = values(77, 6);
    Desc<2> dm = makeDesc<2>(mask.data(), {1, 77});
    AttnRef ref = t.ref();
    ref.causal = true;
    ref.mask = [&](int, int, int, int j) { return double(mask[j]); };
    Desc<4> r = call(obj, "loom_call_dyn", {&t.dq, &t.dk, &t.dv, &dm});
    ASSERT_EQ(r.sizes[1], 4);
    ASSERT_EQ(r.sizes[2], 3);
    expectNear<float>(r, ref.run(), 1e-5, "dynamic");
    release(r);
  }
  {
    AttnRef ref = t.ref();
    ref.causal = true;
    Desc<4> r = call(obj, "loom_call_dyn_seq", {&t.dq, &t.dk, &t.dv});
    expectNear<float>(r, ref.run(), 1e-5, "dynamic sequence lengths");
    release(r);
  }
}

TEST_F(AttnNumericsTest, HalfPrecisionInputsAccumulateInF32) {
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
func.func @main(%q: tensor<1x2x3x16xf16>, %k: tensor<1x1x65x16xf16>, %v: tensor<1x1x65x16xf16>) -> tensor<1x2x3x16xf16> {
  %o = loom_attn.attention %q, %k, %v causal : tensor<1x2x3x16xf16>, tensor<1x1x65x16xf16>, tensor<1x1x65x16xf16> -> tensor<1x2x3x16xf16>
  return %o : tensor<1x2x3x16xf16>
}
)mlir",
                                  obj));
  auto half = [](const std::vector<float> &v) {
    return std::vector<_Float16>(v.begin(), v.end());
  };
  std::vector<_Float16> q = half(values(2 * 3 * 16, 1, 1.5f));
  std::vector<_Float16> k = half(values(65 * 16, 2, 1.5f));
  std::vector<_Float16> v = half(values(65 * 16, 3));
  Desc<4> dq = makeDesc<4>(q.data(), {1, 2, 3, 16});
  Desc<4> dk = makeDesc<4>(k.data(), {1, 1, 65, 16});
  Desc<4> dv = makeDesc<4>(v.data(), {1, 1, 65, 16});
  AttnRef ref{1, 2, 1, 3, 16, 16};
  ref.skv = [](int) { return 65; };
  ref.query = reader(q, 2, 3, 16);
  ref.key = reader(k, 1, 65, 16);
  ref.value = reader(v, 1, 65, 16);
  ref.causal = true;
  Desc<4> r = call(obj, "loom_call_main", {&dq, &dk, &dv});
  // One f16 rounding of the result (2^-11 relative) on top of f32 math.
  expectNear<_Float16>(r, ref.run(), 1e-3, "f16");
  release(r);
}

TEST_F(AttnNumericsTest, BlockSparseAndStrided) {
  // The loop steps by 64 keys, a multiple of the pattern's key block; a loop
  // block that no head and query block sees is skipped whole.
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
func.func @block_sparse(%q: tensor<1x2x8x8xf32>, %k: tensor<1x2x192x8xf32>, %v: tensor<1x2x192x8xf32>) -> tensor<1x2x8x8xf32> {
  %o = loom_attn.attention %q, %k, %v sparsity(#loom_attn.block_sparse<q_block = 4, kv_block = 64,
      layout = dense<[[[true, false, true], [false, false, false]],
                      [[false, false, true], [true, false, false]]]> : tensor<2x2x3xi1>>)
      : tensor<1x2x8x8xf32>, tensor<1x2x192x8xf32>, tensor<1x2x192x8xf32> -> tensor<1x2x8x8xf32>
  return %o : tensor<1x2x8x8xf32>
}
func.func @fine_blocks(%q: tensor<1x1x4x8xf32>, %k: tensor<1x1x200x8xf32>, %v: tensor<1x1x200x8xf32>) -> tensor<1x1x4x8xf32> {
  %o = loom_attn.attention %q, %k, %v sinks(2) sparsity(#loom_attn.block_sparse<q_block = 4, kv_block = 16,
      layout = dense<[[[true, false, true, true, false, false, false, false,
                        false, true, false, false, true]]]> : tensor<1x1x13xi1>>)
      : tensor<1x1x4x8xf32>, tensor<1x1x200x8xf32>, tensor<1x1x200x8xf32> -> tensor<1x1x4x8xf32>
  return %o : tensor<1x1x4x8xf32>
}
func.func @strided(%q: tensor<1x4x8x8xf32>, %k: tensor<1x2x300x8xf32>, %v: tensor<1x2x300x8xf32>) -> tensor<1x4x8x8xf32> {
  %o = loom_attn.attention %q, %k, %v causal sinks(1)
      sparsity(#loom_attn.strided<block = 64, stride = 4, offsets = [0, 1, 2, 1]>)
      : tensor<1x4x8x8xf32>, tensor<1x2x300x8xf32>, tensor<1x2x300x8xf32> -> tensor<1x4x8x8xf32>
  return %o : tensor<1x4x8x8xf32>
}
)mlir",
                                  obj));
  {
    // Key block 1 is invisible to every head: the loop skips it.
    const bool layout[2][2][3] = {{{true, false, true}, {false, false, false}},
                                  {{false, false, true}, {true, false, false}}};
    Qkv t(1, 2, 2, 8, 192, 8, 8, 1.5f);
    AttnRef ref = t.ref();
    ref.sparse = [&](int h, int i, int j) { return layout[h][i / 4][j / 64]; };
    Desc<4> r = call(obj, "loom_call_block_sparse", {&t.dq, &t.dk, &t.dv});
    expectNear<float>(r, ref.run(), 1e-5, "block_sparse");
    // Head 0, queries 4..7: an all-false layout row gives zeros.
    for (int e = 4 * 8; e < 8 * 8; ++e)
      EXPECT_EQ(r.data<float>()[e], 0.0f) << e;
    release(r);
  }
  {
    // Pattern blocks of 16, four per loop block: keys 64..127 are skipped,
    // the others are masked within their loop block; sinks stay visible.
    const bool layout[13] = {true,  false, true, true,  false, false, false,
                             false, false, true, false, false, true};
    Qkv t(1, 1, 1, 4, 200, 8, 8, 1.5f);
    AttnRef ref = t.ref();
    ref.sinks = 2;
    ref.sparse = [&](int, int, int j) { return layout[j / 16]; };
    Desc<4> r = call(obj, "loom_call_fine_blocks", {&t.dq, &t.dk, &t.dv});
    expectNear<float>(r, ref.run(), 1e-5, "block_sparse, fine blocks");
    release(r);
  }
  {
    // No head reads block 3 (residue 3): the loop skips it.
    const int offsets[4] = {0, 1, 2, 1};
    Qkv t(1, 4, 2, 8, 300, 8, 8, 1.5f);
    AttnRef ref = t.ref();
    ref.causal = true;
    ref.sinks = 1;
    ref.sparse = [&](int h, int, int j) { return (j / 64) % 4 == offsets[h]; };
    Desc<4> r = call(obj, "loom_call_strided", {&t.dq, &t.dk, &t.dv});
    expectNear<float>(r, ref.run(), 1e-5, "strided");
    release(r);
  }
}

//===----------------------------------------------------------------------===//
// paged_attention, kv_cache_write
//===----------------------------------------------------------------------===//

TEST_F(AttnNumericsTest, PagedAttentionTwoSequencesOfDifferentLengths) {
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
func.func @causal(%q: tensor<2x4x2x8xf32>, %kc: tensor<8x4x2x8xf32>, %vc: tensor<8x4x2x8xf32>, %t: tensor<2x5xi32>, %l: tensor<2xi32>) -> tensor<2x4x2x8xf32> {
  %o = loom_attn.paged_attention %q, %kc, %vc, %t, %l causal : tensor<2x4x2x8xf32>, tensor<8x4x2x8xf32>, tensor<8x4x2x8xf32>, tensor<2x5xi32>, tensor<2xi32> -> tensor<2x4x2x8xf32>
  return %o : tensor<2x4x2x8xf32>
}
func.func @window(%q: tensor<2x4x2x8xf32>, %kc: tensor<8x4x2x8xf32>, %vc: tensor<8x4x2x8xf32>, %t: tensor<2x5xi32>, %l: tensor<2xi32>) -> tensor<2x4x2x8xf32> {
  %o = loom_attn.paged_attention %q, %kc, %vc, %t, %l scale(0.5) causal window(3, 0) sinks(1) : tensor<2x4x2x8xf32>, tensor<8x4x2x8xf32>, tensor<8x4x2x8xf32>, tensor<2x5xi32>, tensor<2xi32> -> tensor<2x4x2x8xf32>
  return %o : tensor<2x4x2x8xf32>
}
)mlir",
                                  obj));
  const int B = 2, Hq = 4, Hkv = 2, Sq = 2, D = 8, N = 8, P = 4, M = 5;
  std::vector<float> q = values(B * Hq * Sq * D, 1, 1.5f);
  std::vector<float> kc = values(N * P * Hkv * D, 2, 1.5f);
  std::vector<float> vc = values(N * P * Hkv * D, 3);
  // Page 4 belongs to nobody: poison it, nothing may read it.
  for (int i = 4 * P * Hkv * D; i < 5 * P * Hkv * D; ++i)
    kc[i] = vc[i] = NAN;
  // Sequence 0 has 7 tokens (pages 3, 6), sequence 1 has 18 (five pages);
  // entries past a sequence's length are garbage.
  std::vector<int32_t> table = {3, 6, -1, 999, -7, 0, 7, 2, 5, 1};
  std::vector<int32_t> lens = {7, 18};
  Desc<4> dq = makeDesc<4>(q.data(), {B, Hq, Sq, D});
  Desc<4> dkc = makeDesc<4>(kc.data(), {N, P, Hkv, D});
  Desc<4> dvc = makeDesc<4>(vc.data(), {N, P, Hkv, D});
  Desc<2> dt = makeDesc<2>(table.data(), {B, M});
  Desc<1> dl = makeDesc<1>(lens.data(), {B});

  auto cache = [&](const std::vector<float> &c) -> Index4 {
    return [&](int b, int hk, int j, int d) {
      int page = table[b * M + j / P];
      return double(c[((size_t(page) * P + j % P) * Hkv + hk) * D + d]);
    };
  };
  AttnRef ref{B, Hq, Hkv, Sq, D, D};
  ref.skv = [&](int b) { return lens[b]; };
  ref.query = reader(q, Hq, Sq, D);
  ref.key = cache(kc);
  ref.value = cache(vc);
  ref.causal = true;
  {
    Desc<4> r = call(obj, "loom_call_causal", {&dq, &dkc, &dvc, &dt, &dl});
    expectNear<float>(r, ref.run(), 1e-5, "paged causal");
    release(r);
  }
  {
    ref.scale = 0.5;
    ref.left = 3;
    ref.right = 0;
    ref.sinks = 1;
    Desc<4> r = call(obj, "loom_call_window", {&dq, &dkc, &dvc, &dt, &dl});
    expectNear<float>(r, ref.run(), 1e-5, "paged window");
    release(r);
  }
}

TEST_F(AttnNumericsTest, KvCacheWriteSkipsNegativeSlots) {
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
func.func @main(%k: tensor<3x2x3xf32>, %v: tensor<3x2x2xf32>, %kc: tensor<3x4x2x3xf32>, %vc: tensor<3x4x2x2xf32>, %s: tensor<3xi32>)
    -> (tensor<3x4x2x3xf32>, tensor<3x4x2x2xf32>) {
  %nk, %nv = loom_attn.kv_cache_write %k, %v into %kc, %vc at %s
      : tensor<3x2x3xf32>, tensor<3x2x2xf32>, tensor<3xi32> -> tensor<3x4x2x3xf32>, tensor<3x4x2x2xf32>
  return %nk, %nv : tensor<3x4x2x3xf32>, tensor<3x4x2x2xf32>
}
)mlir",
                                  obj));
  const int T = 3, H = 2, D = 3, Dv = 2, N = 3, P = 4;
  std::vector<float> k = values(T * H * D, 1), v = values(T * H * Dv, 2);
  std::vector<float> kc = values(N * P * H * D, 3),
                     vc = values(N * P * H * Dv, 4);
  std::vector<int32_t> slots = {5, -1, 9};
  // Expected caches, computed before the call (which may update in place).
  std::vector<float> ek = kc, ev = vc;
  for (int t = 0; t < T; ++t) {
    if (slots[t] < 0)
      continue;
    for (int i = 0; i < H * D; ++i)
      ek[slots[t] * H * D + i] = k[t * H * D + i];
    for (int i = 0; i < H * Dv; ++i)
      ev[slots[t] * H * Dv + i] = v[t * H * Dv + i];
  }
  Desc<3> dk = makeDesc<3>(k.data(), {T, H, D});
  Desc<3> dv = makeDesc<3>(v.data(), {T, H, Dv});
  Desc<4> dkc = makeDesc<4>(kc.data(), {N, P, H, D});
  Desc<4> dvc = makeDesc<4>(vc.data(), {N, P, H, Dv});
  Desc<1> ds = makeDesc<1>(slots.data(), {T});
  struct {
    Desc<4> k, v;
  } r;
  void *args[] = {nullptr, &r, &dk, &dv, &dkc, &dvc, &ds};
  obj.entry("loom_call_main")(args);
  for (size_t i = 0; i < ek.size(); ++i)
    EXPECT_EQ(r.k.data<float>()[i], ek[i]) << "k_cache " << i;
  for (size_t i = 0; i < ev.size(); ++i)
    EXPECT_EQ(r.v.data<float>()[i], ev[i]) << "v_cache " << i;
  // Results that alias the caller's buffers are not ours to free.
  if (r.k.allocated != kc.data())
    free(r.k.allocated);
  if (r.v.allocated != vc.data())
    free(r.v.allocated);
}

//===----------------------------------------------------------------------===//
// rope
//===----------------------------------------------------------------------===//

TEST_F(AttnNumericsTest, RopeHalfSplitAndInterleavedPartialRotary) {
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compile(R"mlir(
func.func @half(%x: tensor<1x2x3x8xf32>, %p: tensor<1x3xi64>, %c: tensor<16x2xf32>, %s: tensor<16x2xf32>) -> tensor<1x2x3x8xf32> {
  %r = loom_attn.rope %x, %p, %c, %s rotary_dim(4) : tensor<1x2x3x8xf32>, tensor<1x3xi64>, tensor<16x2xf32>, tensor<16x2xf32>
  return %r : tensor<1x2x3x8xf32>
}
func.func @interleaved(%x: tensor<2x1x2x10xf16>, %p: tensor<2x2xi32>, %c: tensor<8x3xf32>, %s: tensor<8x3xf32>) -> tensor<2x1x2x10xf16> {
  %r = loom_attn.rope %x, %p, %c, %s interleaved rotary_dim(6) : tensor<2x1x2x10xf16>, tensor<2x2xi32>, tensor<8x3xf32>, tensor<8x3xf32>
  return %r : tensor<2x1x2x10xf16>
}
)mlir",
                                  obj));
  // Tables as a model would build them: angle = pos * 10000^(-2i/R).
  auto tables = [](int maxPos, int half, std::vector<float> &cosT,
                   std::vector<float> &sinT) {
    for (int p = 0; p < maxPos; ++p)
      for (int i = 0; i < half; ++i) {
        double angle = p * std::pow(10000.0, -double(i) / half);
        cosT.push_back(float(std::cos(angle)));
        sinT.push_back(float(std::sin(angle)));
      }
  };
  {
    const int H = 2, S = 3, D = 8, R = 4;
    std::vector<float> x = values(H * S * D, 1), cosT, sinT;
    tables(16, R / 2, cosT, sinT);
    std::vector<int64_t> pos = {0, 5, 13};
    Desc<4> dx = makeDesc<4>(x.data(), {1, H, S, D});
    Desc<2> dp = makeDesc<2>(pos.data(), {1, S});
    Desc<2> dc = makeDesc<2>(cosT.data(), {16, R / 2});
    Desc<2> ds = makeDesc<2>(sinT.data(), {16, R / 2});
    Desc<4> r = call(obj, "loom_call_half", {&dx, &dp, &dc, &ds});
    std::vector<double> expected(x.size());
    for (int h = 0; h < H; ++h)
      for (int s = 0; s < S; ++s) {
        const float *row = &x[(h * S + s) * D];
        double *out = &expected[(h * S + s) * D];
        for (int c = 0; c < D; ++c)
          out[c] = row[c];
        for (int i = 0; i < R / 2; ++i) {
          double cs = cosT[pos[s] * (R / 2) + i],
                 sn = sinT[pos[s] * (R / 2) + i];
          out[i] = row[i] * cs - row[i + R / 2] * sn;
          out[i + R / 2] = row[i + R / 2] * cs + row[i] * sn;
        }
      }
    expectNear<float>(r, expected, 1e-6, "rope half-split");
    release(r);
  }
  {
    const int B = 2, S = 2, D = 10, R = 6;
    std::vector<float> xf = values(B * S * D, 2), cosT, sinT;
    std::vector<_Float16> x(xf.begin(), xf.end());
    tables(8, R / 2, cosT, sinT);
    std::vector<int32_t> pos = {1, 7, 3, 0};
    Desc<4> dx = makeDesc<4>(x.data(), {B, 1, S, D});
    Desc<2> dp = makeDesc<2>(pos.data(), {B, S});
    Desc<2> dc = makeDesc<2>(cosT.data(), {8, R / 2});
    Desc<2> ds = makeDesc<2>(sinT.data(), {8, R / 2});
    Desc<4> r = call(obj, "loom_call_interleaved", {&dx, &dp, &dc, &ds});
    std::vector<double> expected(x.size());
    for (int bs = 0; bs < B * S; ++bs) {
      const _Float16 *row = &x[bs * D];
      double *out = &expected[bs * D];
      for (int c = 0; c < D; ++c)
        out[c] = double(row[c]);
      for (int i = 0; i < R / 2; ++i) {
        double cs = cosT[pos[bs] * (R / 2) + i],
               sn = sinT[pos[bs] * (R / 2) + i];
        double x1 = double(row[2 * i]), x2 = double(row[2 * i + 1]);
        out[2 * i] = x1 * cs - x2 * sn;
        out[2 * i + 1] = x2 * cs + x1 * sn;
      }
    }
    // f16 result: one rounding.
    expectNear<_Float16>(r, expected, 1e-3, "rope interleaved");
    // Channels past rotary_dim pass through bit for bit.
    for (int bs = 0; bs < B * S; ++bs)
      for (int c = R; c < D; ++c)
        EXPECT_EQ(float(r.data<_Float16>()[bs * D + c]), float(x[bs * D + c]));
    release(r);
  }
}

} // namespace
