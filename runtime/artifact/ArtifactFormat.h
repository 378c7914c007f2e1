//===- ArtifactFormat.h - Fixed layout of a .loom file --------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// A .loom file (all integers little-endian):
//
//   [0, 32)                    Preamble: magic, format version, header size,
//                              data offset. Fixed forever, so a reader can
//                              refuse an unknown version before parsing more.
//   [32, 32 + headerSize)      The header: a flatbuffer (loom_artifact.fbs,
//                              file identifier "LOOM") with the entry points
//                              and the section table.
//   [dataOffset, end)          The data region. Section i occupies
//                              [dataOffset + offset_i, ... + size_i), its
//                              absolute offset a multiple of its alignment
//                              (weights: 4096, so they can be mmap'ed).
//
// Section offsets are relative to dataOffset so the header can be built in
// one pass, before its own size is known.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_ARTIFACT_ARTIFACTFORMAT_H
#define LOOM_RUNTIME_ARTIFACT_ARTIFACTFORMAT_H

#include <cstdint>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the .loom format is little-endian and read in place"
#endif

namespace loom::artifact {

// "LOOM" then CR LF SUB LF, which catches text-mode mangling (as PNG does).
inline constexpr char kMagic[8] = {'L',  'O',  'O',    'M',
                                   '\r', '\n', '\x1a', '\n'};
inline constexpr char kFileIdentifier[] = "LOOM";

// Readers accept their own major version and any minor version: minor
// versions only add fields and section kinds that older readers skip.
inline constexpr uint32_t kFormatVersionMajor = 1;
inline constexpr uint32_t kFormatVersionMinor = 0;

inline constexpr uint64_t kPreambleSize = 32;
inline constexpr uint64_t kWeightsAlignment = 4096;
inline constexpr uint64_t kDefaultAlignment = 64;
// Larger alignments are refused; they would only waste file space.
inline constexpr uint64_t kMaxAlignment = uint64_t(1) << 21;

struct Preamble {
  char magic[8];
  uint32_t versionMajor;
  uint32_t versionMinor;
  uint64_t headerSize;
  uint64_t dataOffset;
};
static_assert(sizeof(Preamble) == kPreambleSize, "preamble is 32 bytes");

} // namespace loom::artifact

#endif // LOOM_RUNTIME_ARTIFACT_ARTIFACTFORMAT_H
