//===- ArtifactWriter.h - Builds .loom artifacts ---------------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The compiler packages its output with this (no LLVM needed): describe the
// entry points, add sections (device code per target, weights, ...), then
// write one file or buffer. Layout: ArtifactFormat.h.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_ARTIFACT_ARTIFACTWRITER_H
#define LOOM_RUNTIME_ARTIFACT_ARTIFACTWRITER_H

#include "loom_runtime.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace loom::artifact {

// Numbers as in loom_artifact.fbs.
enum class SectionKind : uint16_t {
  HostProgram = 1,
  DeviceCode = 2,
  Weights = 3,
};

struct TensorSpec {
  std::string name;
  loom_dtype_t dtype = LOOM_DTYPE_INVALID;
  std::vector<int64_t> dims; // -1 = dynamic
  // Empty, or one per dim: "" for none; only dynamic dims may have one.
  std::vector<std::string> dimSymbols;
};

struct EntryPoint {
  std::string name; // a C identifier
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> outputs;
};

class ArtifactWriter {
public:
  ArtifactWriter();
  ~ArtifactWriter();
  ArtifactWriter(const ArtifactWriter &) = delete;
  ArtifactWriter &operator=(const ArtifactWriter &) = delete;

  // Recorded in the header for diagnostics ("loomc 0.1.0").
  void setProducer(std::string producer);

  void addEntryPoint(EntryPoint entry);

  // Adds a section whose bytes the writer keeps. `alignment` 0 picks the
  // default: 4096 for weights, 64 otherwise; weights never get less than
  // 4096. `abiVersion` 0 means LOOM_ABI_VERSION for device code.
  void addSection(SectionKind kind, std::string target,
                  std::vector<uint8_t> bytes, uint64_t alignment = 0,
                  std::string name = "", uint32_t abiVersion = 0);
  // Same, but refers to `data` without copying; it must stay alive and
  // unchanged until the last write (large weights need no second copy).
  void addSectionRef(SectionKind kind, std::string target, const void *data,
                     size_t size, uint64_t alignment = 0, std::string name = "",
                     uint32_t abiVersion = 0);

  // Checks everything (entry names, dims, symbols, dtypes, alignments) and
  // writes. On failure returns false with a message in `*error`.
  bool writeToMemory(std::vector<uint8_t> &out, std::string *error) const;
  bool writeToFile(const std::string &path, std::string *error) const;

private:
  struct Section;
  struct Layout;
  bool validate(std::string *error) const;
  bool layout(Layout &out, std::string *error) const;

  std::string producer_;
  std::vector<EntryPoint> entries_;
  std::vector<Section> sections_;
};

} // namespace loom::artifact

#endif // LOOM_RUNTIME_ARTIFACT_ARTIFACTWRITER_H
