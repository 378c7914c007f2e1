//===- TestArtifacts.h - Artifacts built around the test kernels -*- C++
//-*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TEST_UNIT_RUNTIME_TESTARTIFACTS_H
#define LOOM_TEST_UNIT_RUNTIME_TESTARTIFACTS_H

#include "ArtifactWriter.h"

#include <string>
#include <vector>

namespace loom::test {

// The bytes of the shared object built from kernels/loom_test_kernels.c.
std::vector<uint8_t> kernelLibrary();
// The same for kernels/loom_test_weighted.c (expects 16 bytes of weights).
std::vector<uint8_t> weightedLibrary();

// f32 tensor spec; -1 dims get symbol `symbol` (if not empty).
artifact::TensorSpec f32Spec(std::string name, std::vector<int64_t> dims,
                             std::string symbol = "");

// Entry points matching the test kernels: add, echo, transpose, split,
// constant, weights_sum, bad_shape, weights_view, tail.
std::vector<artifact::EntryPoint> kernelEntries();

// A writer holding kernelEntries(), the kernel library as "cpu" device code
// and a 4-float weights section {1, 2, 3, 4}.
void fillWriter(artifact::ArtifactWriter &w);
std::vector<uint8_t> makeArtifact();

} // namespace loom::test

#endif // LOOM_TEST_UNIT_RUNTIME_TESTARTIFACTS_H
