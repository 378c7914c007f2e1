//===- ArtifactWriter.cpp - Builds .loom artifacts
//-------------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "ArtifactWriter.h"

#include "ArtifactFormat.h"
#include "Crc32.h"
#include "DTypeInfo.h"
#include "loom_abi.h"
#include "loom_artifact_generated.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

namespace loom::artifact {

struct ArtifactWriter::Section {
  SectionKind kind;
  std::string target;
  std::string name;
  std::vector<uint8_t> owned;
  const uint8_t *data; // into `owned`, or the caller's bytes
  size_t size;
  uint64_t alignment;
  uint32_t abiVersion;
};

// Everything but the section bytes: preamble + header + where each goes.
struct ArtifactWriter::Layout {
  Preamble preamble;
  std::vector<uint8_t> header;
  std::vector<uint64_t> fileOffsets; // absolute, per section
  uint64_t fileSize = 0;
};

ArtifactWriter::ArtifactWriter() = default;
ArtifactWriter::~ArtifactWriter() = default;

void ArtifactWriter::setProducer(std::string producer) {
  producer_ = std::move(producer);
}

void ArtifactWriter::addEntryPoint(EntryPoint entry) {
  entries_.push_back(std::move(entry));
}

static uint64_t defaultAlignment(SectionKind kind, uint64_t requested) {
  uint64_t min = kind == SectionKind::Weights ? kWeightsAlignment : 1;
  if (requested == 0)
    requested =
        kind == SectionKind::Weights ? kWeightsAlignment : kDefaultAlignment;
  return requested < min ? min : requested;
}

void ArtifactWriter::addSection(SectionKind kind, std::string target,
                                std::vector<uint8_t> bytes, uint64_t alignment,
                                std::string name, uint32_t abiVersion) {
  Section s{kind,
            std::move(target),
            std::move(name),
            std::move(bytes),
            nullptr,
            0,
            defaultAlignment(kind, alignment),
            abiVersion};
  s.data = s.owned.data();
  s.size = s.owned.size();
  // `owned` moves with the vector's growth but its heap buffer does not.
  sections_.push_back(std::move(s));
}

void ArtifactWriter::addSectionRef(SectionKind kind, std::string target,
                                   const void *data, size_t size,
                                   uint64_t alignment, std::string name,
                                   uint32_t abiVersion) {
  sections_.push_back(Section{kind,
                              std::move(target),
                              std::move(name),
                              {},
                              static_cast<const uint8_t *>(data),
                              size,
                              defaultAlignment(kind, alignment),
                              abiVersion});
}

static bool isIdentifier(const std::string &s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9'))
    return false;
  for (char c : s)
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9')))
      return false;
  return true;
}

static bool fail(std::string *error, std::string message) {
  if (error)
    *error = std::move(message);
  return false;
}

static bool validateSpec(const std::string &where, const TensorSpec &spec,
                         std::string *error) {
  if (!lookupDType(spec.dtype))
    return fail(error,
                where + ": invalid dtype " + std::to_string(int(spec.dtype)));
  if (spec.dims.size() > LOOM_MAX_RANK)
    return fail(error, where + ": rank " + std::to_string(spec.dims.size()) +
                           " exceeds " + std::to_string(LOOM_MAX_RANK));
  for (int64_t d : spec.dims)
    if (d < -1)
      return fail(error, where + ": dim " + std::to_string(d) +
                             " (use -1 for a dynamic dim)");
  if (!spec.dimSymbols.empty() && spec.dimSymbols.size() != spec.dims.size())
    return fail(error, where + ": " + std::to_string(spec.dimSymbols.size()) +
                           " dim symbols for rank " +
                           std::to_string(spec.dims.size()));
  for (size_t i = 0; i < spec.dimSymbols.size(); ++i)
    if (!spec.dimSymbols[i].empty() && spec.dims[i] != -1)
      return fail(error, where + ": static dim " + std::to_string(i) +
                             " has symbol '" + spec.dimSymbols[i] + "'");
  return true;
}

bool ArtifactWriter::validate(std::string *error) const {
  std::set<std::string> names;
  for (const EntryPoint &e : entries_) {
    if (!isIdentifier(e.name))
      return fail(error,
                  "entry point name '" + e.name + "' is not a C identifier");
    if (!names.insert(e.name).second)
      return fail(error, "duplicate entry point '" + e.name + "'");
    for (size_t i = 0; i < e.inputs.size(); ++i)
      if (!validateSpec("entry '" + e.name + "' input " + std::to_string(i),
                        e.inputs[i], error))
        return false;
    for (size_t i = 0; i < e.outputs.size(); ++i)
      if (!validateSpec("entry '" + e.name + "' output " + std::to_string(i),
                        e.outputs[i], error))
        return false;
  }
  for (const Section &s : sections_) {
    if ((s.alignment & (s.alignment - 1)) != 0 || s.alignment > kMaxAlignment)
      return fail(error, "section '" + s.name + "': alignment " +
                             std::to_string(s.alignment) +
                             " is not a power of two up to " +
                             std::to_string(kMaxAlignment));
    if (!s.data && s.size != 0)
      return fail(error, "section '" + s.name + "': null data");
  }
  return true;
}

static uint64_t alignUp(uint64_t v, uint64_t a) {
  return (v + a - 1) & ~(a - 1);
}

static flatbuffers::Offset<fb::TensorSpec>
buildSpec(flatbuffers::FlatBufferBuilder &fbb, const TensorSpec &spec) {
  auto name = fbb.CreateString(spec.name);
  auto dims = fbb.CreateVector(spec.dims);
  flatbuffers::Offset<
      flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>>
      symbols;
  if (!spec.dimSymbols.empty())
    symbols = fbb.CreateVectorOfStrings(spec.dimSymbols);
  return fb::CreateTensorSpec(fbb, name, int32_t(spec.dtype), dims, symbols);
}

bool ArtifactWriter::layout(Layout &out, std::string *error) const {
  if (!validate(error))
    return false;

  // Section offsets within the data region first; they do not depend on the
  // header's size, which is what makes one pass enough.
  std::vector<uint64_t> rel;
  uint64_t cursor = 0, maxAlign = kWeightsAlignment;
  for (const Section &s : sections_) {
    cursor = alignUp(cursor, s.alignment);
    rel.push_back(cursor);
    cursor += s.size;
    if (s.alignment > maxAlign)
      maxAlign = s.alignment;
  }

  flatbuffers::FlatBufferBuilder fbb(4096);
  std::vector<flatbuffers::Offset<fb::EntryPoint>> entries;
  for (const EntryPoint &e : entries_) {
    std::vector<flatbuffers::Offset<fb::TensorSpec>> ins, outs;
    for (const TensorSpec &t : e.inputs)
      ins.push_back(buildSpec(fbb, t));
    for (const TensorSpec &t : e.outputs)
      outs.push_back(buildSpec(fbb, t));
    entries.push_back(fb::CreateEntryPoint(fbb, fbb.CreateString(e.name),
                                           fbb.CreateVector(ins),
                                           fbb.CreateVector(outs)));
  }
  std::vector<flatbuffers::Offset<fb::Section>> sections;
  for (size_t i = 0; i < sections_.size(); ++i) {
    const Section &s = sections_[i];
    uint32_t abi = s.abiVersion;
    if (abi == 0 && s.kind == SectionKind::DeviceCode)
      abi = LOOM_ABI_VERSION;
    sections.push_back(fb::CreateSection(
        fbb, fb::SectionKind(uint16_t(s.kind)), fbb.CreateString(s.target),
        fbb.CreateString(s.name), rel[i], s.size, s.alignment, abi,
        crc32(s.data, s.size)));
  }
  auto root =
      fb::CreateArtifact(fbb, fbb.CreateString(producer_),
                         fbb.CreateVector(entries), fbb.CreateVector(sections));
  fbb.Finish(root, kFileIdentifier);

  out.header.assign(fbb.GetBufferPointer(),
                    fbb.GetBufferPointer() + fbb.GetSize());
  // Keep the data region's start a multiple of every alignment used.
  uint64_t dataOffset = alignUp(kPreambleSize + out.header.size(), maxAlign);
  std::memcpy(out.preamble.magic, kMagic, sizeof(kMagic));
  out.preamble.versionMajor = kFormatVersionMajor;
  out.preamble.versionMinor = kFormatVersionMinor;
  out.preamble.headerSize = out.header.size();
  out.preamble.dataOffset = dataOffset;
  out.fileOffsets.clear();
  for (uint64_t r : rel)
    out.fileOffsets.push_back(dataOffset + r);
  out.fileSize = dataOffset + cursor;
  return true;
}

bool ArtifactWriter::writeToMemory(std::vector<uint8_t> &out,
                                   std::string *error) const {
  Layout l;
  if (!layout(l, error))
    return false;
  out.assign(l.fileSize, 0);
  std::memcpy(out.data(), &l.preamble, sizeof(Preamble));
  std::memcpy(out.data() + kPreambleSize, l.header.data(), l.header.size());
  for (size_t i = 0; i < sections_.size(); ++i)
    if (sections_[i].size)
      std::memcpy(out.data() + l.fileOffsets[i], sections_[i].data,
                  sections_[i].size);
  return true;
}

bool ArtifactWriter::writeToFile(const std::string &path,
                                 std::string *error) const {
  Layout l;
  if (!layout(l, error))
    return false;
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    return fail(error, "cannot open '" + path +
                           "' for writing: " + std::strerror(errno));
  // Streams the sections so large weights are not copied once more.
  uint64_t pos = 0;
  static const uint8_t zeros[4096] = {};
  auto write = [&](const void *p, uint64_t n) {
    pos += n;
    return std::fwrite(p, 1, n, f) == n;
  };
  auto padTo = [&](uint64_t target) {
    while (pos < target) {
      uint64_t n = target - pos < sizeof(zeros) ? target - pos : sizeof(zeros);
      if (!write(zeros, n))
        return false;
    }
    return true;
  };
  bool ok = write(&l.preamble, sizeof(Preamble)) &&
            write(l.header.data(), l.header.size());
  for (size_t i = 0; ok && i < sections_.size(); ++i)
    ok =
        padTo(l.fileOffsets[i]) &&
        (sections_[i].size == 0 || write(sections_[i].data, sections_[i].size));
  ok = ok && padTo(l.fileSize);
  if (std::fclose(f) != 0)
    ok = false;
  if (!ok) {
    std::remove(path.c_str());
    return fail(error, "error writing '" + path + "': " + std::strerror(errno));
  }
  return true;
}

} // namespace loom::artifact
