//===- TestArtifacts.cpp - Artifacts built around the test kernels --------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "TestArtifacts.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace loom;
using namespace loom::artifact;

static std::vector<uint8_t> readLibrary(const char *path) {
  std::vector<uint8_t> bytes;
  FILE *f = std::fopen(path, "rb");
  if (!f) {
    std::fprintf(stderr, "cannot open %s\n", path);
    std::abort(); // a broken test setup, not user input
  }
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0)
    bytes.insert(bytes.end(), buf, buf + n);
  std::fclose(f);
  return bytes;
}

std::vector<uint8_t> test::kernelLibrary() {
  return readLibrary(LOOM_TEST_KERNELS_PATH);
}

std::vector<uint8_t> test::weightedLibrary() {
  return readLibrary(LOOM_TEST_WEIGHTED_PATH);
}

TensorSpec test::f32Spec(std::string name, std::vector<int64_t> dims,
                         std::string symbol) {
  TensorSpec t;
  t.name = std::move(name);
  t.dtype = LOOM_DTYPE_F32;
  t.dims = std::move(dims);
  if (!symbol.empty())
    for (int64_t d : t.dims)
      t.dimSymbols.push_back(d == -1 ? symbol : "");
  return t;
}

std::vector<EntryPoint> test::kernelEntries() {
  std::vector<EntryPoint> e;
  e.push_back({"add",
               {f32Spec("a", {-1}, "n"), f32Spec("b", {-1}, "n")},
               {f32Spec("sum", {-1}, "n")}});
  e.push_back({"echo", {f32Spec("x", {-1})}, {f32Spec("y", {-1})}});
  e.push_back({"transpose", {f32Spec("x", {2, 3})}, {f32Spec("y", {3, 2})}});
  e.push_back({"split",
               {f32Spec("x", {-1}, "n")},
               {f32Spec("twice", {-1}, "n"), f32Spec("thrice", {-1}, "n")}});
  TensorSpec c;
  c.name = "c";
  c.dtype = LOOM_DTYPE_I32;
  c.dims = {4};
  e.push_back({"constant", {}, {c}});
  e.push_back({"weights_sum", {}, {f32Spec("total", {})}});
  e.push_back({"bad_shape", {f32Spec("x", {-1})}, {f32Spec("y", {4})}});
  e.push_back({"weights_view", {}, {f32Spec("w", {4})}});
  e.push_back({"tail", {f32Spec("x", {-1})}, {f32Spec("y", {-1})}});
  return e;
}

void test::fillWriter(ArtifactWriter &w) {
  w.setProducer("loom unit tests");
  for (EntryPoint &e : kernelEntries())
    w.addEntryPoint(std::move(e));
  w.addSection(SectionKind::DeviceCode, "cpu", kernelLibrary(), 0,
               "test kernels");
  float weights[4] = {1, 2, 3, 4};
  std::vector<uint8_t> bytes(sizeof(weights));
  std::memcpy(bytes.data(), weights, sizeof(weights));
  w.addSection(SectionKind::Weights, "", std::move(bytes), 0, "weights");
}

std::vector<uint8_t> test::makeArtifact() {
  ArtifactWriter w;
  fillWriter(w);
  std::vector<uint8_t> out;
  std::string error;
  if (!w.writeToMemory(out, &error)) {
    std::fprintf(stderr, "writer failed: %s\n", error.c_str());
    std::abort();
  }
  return out;
}
