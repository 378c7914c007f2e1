//===- MoeTilesNumericsTest.cpp - Grouped matmul tiles, numerically ------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The CPU pipeline repacks constant grouped-matmul weights into column panels
// and runs an elementwise consumer of the gate and up matmuls inside their
// row tiles. This compiles such a pair in bf16 (two panels per expert, empty
// and half-tile row blocks) with the full CPU pipeline, runs it and
// compares with a C++ reference.
//
//===----------------------------------------------------------------------===//

#include "test/unit/CompileForTest.h"

#include <cstring>
#include <string>
#include <vector>

using namespace mlir;
using namespace loom_test;

namespace {

uint16_t toBF16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  bits += 0x7FFF + ((bits >> 16) & 1); // round to nearest even
  return uint16_t(bits >> 16);
}
float fromBF16(uint16_t h) {
  uint32_t bits = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

constexpr int E = 4, K = 8, N = 64, M = 21;
// Expert 1 has no rows; experts 0 and 3 have 5 (a half tile after the
// padding rule), expert 2 has 11 (a full tile and a half tile).
const int32_t kOffsets[E + 1] = {0, 5, 5, 16, 21};

/// Weights that bf16 holds exactly: multiples of 1/8 in [-0.5, 0.5].
float weight(int which, int i) { return float((i * (5 + which)) % 9 - 4) / 8; }

/// A [E, K, N] bf16 constant in MLIR's syntax.
std::string constant(int which) {
  std::string s = "dense<[";
  for (int e = 0; e < E; ++e) {
    s += e ? ", [" : "[";
    for (int c = 0; c < K; ++c) {
      s += c ? ", [" : "[";
      for (int n = 0; n < N; ++n) {
        s += n ? ", " : "";
        s += std::to_string(weight(which, (e * K + c) * N + n));
      }
      s += "]";
    }
    s += "]";
  }
  return s + "]> : tensor<4x8x64xbf16>";
}

TEST(MoeTilesNumericsTest, PanelsAndFusedEpilogueInBF16) {
  std::string source = R"mlir(
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @main(%x: tensor<?x8xbf16>, %off: tensor<5xi32>) -> tensor<?x64xbf16> {
  %c0 = arith.constant 0 : index
  %wg = arith.constant WG
  %wu = arith.constant WU
  %g = loom_moe.grouped_matmul %x, %wg, %off
      : tensor<?x8xbf16>, tensor<4x8x64xbf16>, tensor<5xi32> -> tensor<?x64xbf16>
  %u = loom_moe.grouped_matmul %x, %wu, %off
      : tensor<?x8xbf16>, tensor<4x8x64xbf16>, tensor<5xi32> -> tensor<?x64xbf16>
  %m = tensor.dim %x, %c0 : tensor<?x8xbf16>
  %e = tensor.empty(%m) : tensor<?x64xbf16>
  %h = linalg.generic {indexing_maps = [#id, #id, #id],
                       iterator_types = ["parallel", "parallel"]}
      ins(%g, %u : tensor<?x64xbf16>, tensor<?x64xbf16>)
      outs(%e : tensor<?x64xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %o: bf16):
    %p = arith.mulf %a, %b : bf16
    linalg.yield %p : bf16
  } -> tensor<?x64xbf16>
  return %h : tensor<?x64xbf16>
}
)mlir";
  source.replace(source.find("WG"), 2, constant(0));
  source.replace(source.find("WU"), 2, constant(1));
  auto ctx = makeTestContext();
  LoadedObject obj;
  ASSERT_NO_FATAL_FAILURE(compileAndLoad(ctx.get(), source, obj));

  std::vector<uint16_t> x(M * K);
  for (int i = 0; i < M * K; ++i)
    x[i] = toBF16(float((i * 3) % 7 - 3) / 4);
  std::vector<int32_t> off(kOffsets, kOffsets + E + 1);
  Desc<2> dx = makeDesc<2>(x.data(), {M, K});
  Desc<1> doff = makeDesc<1>(off.data(), {E + 1});
  Desc<2> out;
  void *args[] = {nullptr, &out, &dx, &doff};
  obj.entry("loom_call_main")(args);
  ASSERT_EQ(out.sizes[0], M);
  ASSERT_EQ(out.sizes[1], N);

  // Each matmul is exact in f32 and in bf16 (sums of products of
  // multiples of 1/8 and 1/4, below 4); the product of the two rounds once.
  for (int e = 0; e < E; ++e)
    for (int i = kOffsets[e]; i < kOffsets[e + 1]; ++i)
      for (int n = 0; n < N; ++n) {
        float g = 0, u = 0;
        for (int c = 0; c < K; ++c) {
          float xv = fromBF16(x[i * K + c]);
          g += xv * weight(0, (e * K + c) * N + n);
          u += xv * weight(1, (e * K + c) * N + n);
        }
        uint16_t expected = toBF16(fromBF16(toBF16(g)) * fromBF16(toBF16(u)));
        uint16_t actual = out.data<uint16_t>()[out.strides[0] * i + n];
        EXPECT_EQ(actual, expected)
            << "row " << i << " column " << n << ": " << fromBF16(actual)
            << " vs " << fromBF16(expected);
      }
  free(out.allocated);
}

} // namespace
