//===- ArtifactReader.h - Checked parse of a .loom artifact ----*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Turns artifact bytes into plain structs after checking every offset, size,
// string and dtype, so nothing downstream reads the raw header again.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_SRC_ARTIFACTREADER_H
#define LOOM_RUNTIME_SRC_ARTIFACTREADER_H

#include "loom_runtime.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom {

struct TensorMeta {
  std::string name;
  loom_dtype_t dtype = LOOM_DTYPE_INVALID;
  std::vector<int64_t> dims;            // -1 = dynamic
  std::vector<std::string> symbols;     // one per dim, "" = none
  std::vector<const char *> symbolPtrs; // for loom_tensor_info_t; NULL = none
};

struct EntryMeta {
  std::string name;
  std::vector<TensorMeta> inputs;
  std::vector<TensorMeta> outputs;
};

struct SectionView {
  uint16_t kind; // loom::fb::SectionKind
  std::string target;
  std::string name;
  const uint8_t *data; // into the artifact bytes
  uint64_t size;
  uint32_t abiVersion;
  uint32_t crc32;
};

struct ParsedArtifact {
  uint32_t versionMajor = 0, versionMinor = 0;
  std::string producer;
  std::vector<EntryMeta> entries;
  std::vector<SectionView> sections;
};

// `data` must stay alive as long as `out` is used (sections point into it)
// and be 8-byte aligned. Checks the CRC of every section but the weights,
// and of the weights too with `verifyWeights` (they can be gigabytes).
loom_status_t parseArtifact(const uint8_t *data, size_t size,
                            bool verifyWeights, ParsedArtifact &out);

// Section kinds, as in loom_artifact.fbs.
enum : uint16_t {
  kSectionHostProgram = 1,
  kSectionDeviceCode = 2,
  kSectionWeights = 3,
};

// True if section target `target` runs on device target `device`: equal, or
// `device` followed by ':' and a variant ("cuda:sm_90a" on "cuda").
bool targetMatches(const std::string &target, const std::string &device);

} // namespace loom

#endif // LOOM_RUNTIME_SRC_ARTIFACTREADER_H
