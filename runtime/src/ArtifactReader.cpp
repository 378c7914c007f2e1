//===- ArtifactReader.cpp - Checked parse of a .loom artifact -------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "ArtifactReader.h"

#include "ArtifactFormat.h"
#include "Crc32.h"
#include "DTypeInfo.h"
#include "Status.h"
#include "loom_artifact_generated.h"

#include <cstring>
#include <set>

using namespace loom;
using loom::artifact::Preamble;

static loom_status_t invalid(std::string message) {
  return makeStatus(LOOM_INVALID_ARTIFACT, "invalid artifact: " + message);
}

static std::string str(const flatbuffers::String *s) {
  return s ? std::string(s->c_str(), s->size()) : std::string();
}

static loom_status_t readSpec(const fb::TensorSpec *spec,
                              const std::string &where, TensorMeta &out) {
  if (!spec)
    return invalid(where + " is missing");
  out.name = str(spec->name());
  if (!lookupDType(spec->dtype()))
    return invalid(where + " ('" + out.name + "') has unknown dtype " +
                   std::to_string(spec->dtype()));
  out.dtype = loom_dtype_t(spec->dtype());
  if (spec->dims()) {
    if (spec->dims()->size() > LOOM_MAX_RANK)
      return invalid(where + " has rank " +
                     std::to_string(spec->dims()->size()) + " (max " +
                     std::to_string(LOOM_MAX_RANK) + ")");
    // memcpy: the verifier aligns the vector's length, not its 8-byte
    // elements, in a corrupted file.
    const uint8_t *raw = spec->dims()->Data();
    for (size_t i = 0; i < spec->dims()->size(); ++i) {
      int64_t d;
      std::memcpy(&d, raw + i * sizeof(int64_t), sizeof(d));
      if (d < -1)
        return invalid(where + " has dim " + std::to_string(d));
      out.dims.push_back(d);
    }
  }
  out.symbols.assign(out.dims.size(), std::string());
  if (const auto *syms = spec->dim_symbols(); syms && syms->size() != 0) {
    if (syms->size() != out.dims.size())
      return invalid(where + " has " + std::to_string(syms->size()) +
                     " dim symbols for rank " +
                     std::to_string(out.dims.size()));
    for (size_t i = 0; i < syms->size(); ++i) {
      out.symbols[i] = str(syms->Get(i));
      if (!out.symbols[i].empty() && out.dims[i] != -1)
        return invalid(where + " gives static dim " + std::to_string(i) +
                       " the symbol '" + out.symbols[i] + "'");
    }
  }
  // Filled after the vector stops moving (pointers into the strings).
  return nullptr;
}

static void fixSymbolPointers(TensorMeta &t) {
  t.symbolPtrs.clear();
  for (const std::string &s : t.symbols)
    t.symbolPtrs.push_back(s.empty() ? nullptr : s.c_str());
}

loom_status_t loom::parseArtifact(const uint8_t *data, size_t size,
                                  bool verifyWeights, ParsedArtifact &out) {
  using namespace loom::artifact;
  if (!data || size < kPreambleSize)
    return invalid("file of " + std::to_string(size) +
                   " bytes is too small for the 32-byte preamble");
  Preamble pre;
  std::memcpy(&pre, data, sizeof(pre));
  if (std::memcmp(pre.magic, kMagic, sizeof(kMagic)) != 0)
    return invalid("bad magic (not a .loom file)");
  out.versionMajor = pre.versionMajor;
  out.versionMinor = pre.versionMinor;
  if (pre.versionMajor != kFormatVersionMajor)
    return makeStatus(LOOM_VERSION_MISMATCH,
                      "artifact format version " +
                          std::to_string(pre.versionMajor) + "." +
                          std::to_string(pre.versionMinor) +
                          " is not supported (this runtime reads " +
                          std::to_string(kFormatVersionMajor) + ".x)");
  // Compare without adding, so huge values cannot wrap around.
  if (pre.headerSize == 0 || pre.headerSize > size - kPreambleSize)
    return invalid("header size " + std::to_string(pre.headerSize) +
                   " exceeds the file (" + std::to_string(size) + " bytes)");
  if (pre.dataOffset < kPreambleSize + pre.headerSize || pre.dataOffset > size)
    return invalid("data offset " + std::to_string(pre.dataOffset) +
                   " is outside the file or overlaps the header");

  // flatbuffers caps buffers below 2 GiB (and asserts on larger ones).
  if (pre.headerSize >= (uint64_t(1) << 31))
    return invalid("header size " + std::to_string(pre.headerSize) +
                   " exceeds the 2 GiB flatbuffers limit");
  const uint8_t *header = data + kPreambleSize;
  flatbuffers::Verifier verifier(header, size_t(pre.headerSize),
                                 /*max_depth=*/16, /*max_tables=*/1000000);
  if (pre.headerSize < 8 || !fb::ArtifactBufferHasIdentifier(header))
    return invalid("header lacks the \"LOOM\" file identifier");
  if (!fb::VerifyArtifactBuffer(verifier))
    return invalid("header failed flatbuffers verification (corrupted)");
  const fb::Artifact *root = fb::GetArtifact(header);
  out.producer = str(root->producer());

  if (root->sections()) {
    for (const fb::Section *s : *root->sections()) {
      SectionView v;
      v.kind = uint16_t(s->kind());
      v.target = str(s->target());
      v.name = str(s->name());
      v.abiVersion = s->abi_version();
      std::string where =
          "section '" + v.name + "' (target '" + v.target + "')";
      uint64_t avail = size - pre.dataOffset;
      if (s->offset() > avail || s->size() > avail - s->offset())
        return invalid(where + " [" + std::to_string(s->offset()) + ", +" +
                       std::to_string(s->size()) +
                       ") runs past the end of the file (truncated?)");
      uint64_t align = s->alignment();
      if (align == 0 || (align & (align - 1)) != 0 || align > kMaxAlignment)
        return invalid(where + " has alignment " + std::to_string(align));
      if ((pre.dataOffset + s->offset()) % align != 0)
        return invalid(where + " is not aligned to " + std::to_string(align));
      if (v.kind == kSectionWeights && align < kWeightsAlignment)
        return invalid(where + " holds weights aligned to only " +
                       std::to_string(align) + " bytes");
      v.data = data + pre.dataOffset + s->offset();
      v.size = s->size();
      v.crc32 = s->crc32();
      if ((v.kind != kSectionWeights || verifyWeights) &&
          artifact::crc32(v.data, v.size) != v.crc32)
        return invalid(where + " is corrupted (CRC-32 mismatch)");
      out.sections.push_back(std::move(v));
    }
  }

  std::set<std::string> names;
  if (root->entry_points()) {
    for (const fb::EntryPoint *e : *root->entry_points()) {
      EntryMeta m;
      m.name = str(e->name());
      if (m.name.empty())
        return invalid("an entry point has no name");
      if (!names.insert(m.name).second)
        return invalid("duplicate entry point '" + m.name + "'");
      std::string where = "entry point '" + m.name + "' ";
      if (e->inputs()) {
        m.inputs.resize(e->inputs()->size());
        for (size_t i = 0; i < m.inputs.size(); ++i)
          if (loom_status_t st =
                  readSpec(e->inputs()->Get(i),
                           where + "input " + std::to_string(i), m.inputs[i]))
            return st;
      }
      if (e->outputs()) {
        m.outputs.resize(e->outputs()->size());
        for (size_t i = 0; i < m.outputs.size(); ++i)
          if (loom_status_t st =
                  readSpec(e->outputs()->Get(i),
                           where + "output " + std::to_string(i), m.outputs[i]))
            return st;
      }
      out.entries.push_back(std::move(m));
    }
  }
  for (EntryMeta &e : out.entries) {
    for (TensorMeta &t : e.inputs)
      fixSymbolPointers(t);
    for (TensorMeta &t : e.outputs)
      fixSymbolPointers(t);
  }
  return nullptr;
}

bool loom::targetMatches(const std::string &target, const std::string &device) {
  if (target.compare(0, device.size(), device) != 0)
    return false;
  return target.size() == device.size() || target[device.size()] == ':';
}
