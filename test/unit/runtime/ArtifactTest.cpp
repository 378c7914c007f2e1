//===- ArtifactTest.cpp - .loom writing, loading and bad artifacts --------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "ArtifactFormat.h"
#include "Crc32.h"
#include "RuntimeTestUtil.h"
#include "TestArtifacts.h"
#include "loom_abi.h"
#include "loom_artifact_generated.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <unistd.h>

using namespace loom;
using namespace loom::test;
using artifact::ArtifactWriter;
using artifact::Preamble;
using artifact::SectionKind;

namespace {

class ArtifactTest : public RuntimeTest {};

std::string tempPath(const std::string &name) {
  const char *tmp = std::getenv("TMPDIR");
  return std::string(tmp && *tmp ? tmp : "/tmp") + "/loom-artifact-test-" +
         std::to_string(::getpid()) + "-" + name;
}

Preamble preambleOf(const std::vector<uint8_t> &bytes) {
  Preamble p;
  std::memcpy(&p, bytes.data(), sizeof(p));
  return p;
}

void setPreamble(std::vector<uint8_t> &bytes, const Preamble &p) {
  std::memcpy(bytes.data(), &p, sizeof(p));
}

// An artifact whose header `build` writes by hand (to reach what the writer
// refuses to produce), with the test kernels as "cpu" code and 4096 bytes of
// data region.
template <typename F> std::vector<uint8_t> craft(F build) {
  flatbuffers::FlatBufferBuilder fbb;
  auto root = build(fbb);
  fbb.Finish(root, artifact::kFileIdentifier);
  std::vector<uint8_t> code = kernelLibrary();
  Preamble p;
  std::memcpy(p.magic, artifact::kMagic, 8);
  p.versionMajor = artifact::kFormatVersionMajor;
  p.versionMinor = artifact::kFormatVersionMinor;
  p.headerSize = fbb.GetSize();
  p.dataOffset = (32 + fbb.GetSize() + 4095) / 4096 * 4096;
  std::vector<uint8_t> out(p.dataOffset + code.size() + 4096, 0);
  setPreamble(out, p);
  std::memcpy(out.data() + 32, fbb.GetBufferPointer(), fbb.GetSize());
  std::memcpy(out.data() + p.dataOffset, code.data(), code.size());
  return out;
}

flatbuffers::Offset<fb::Section> cpuCode(flatbuffers::FlatBufferBuilder &fbb) {
  std::vector<uint8_t> code = kernelLibrary();
  return fb::CreateSection(fbb, fb::SectionKind::DeviceCode,
                           fbb.CreateString("cpu"), fbb.CreateString("code"), 0,
                           code.size(), 64, LOOM_ABI_VERSION,
                           artifact::crc32(code.data(), code.size()));
}

// One entry "add" (the kernels define it) with input spec `spec`.
template <typename F> std::vector<uint8_t> craftSpec(F spec) {
  return craft([&](flatbuffers::FlatBufferBuilder &fbb) {
    std::vector<flatbuffers::Offset<fb::TensorSpec>> ins = {spec(fbb)};
    auto entry = fb::CreateEntryPoint(fbb, fbb.CreateString("add"),
                                      fbb.CreateVector(ins));
    std::vector<flatbuffers::Offset<fb::EntryPoint>> entries = {entry};
    std::vector<flatbuffers::Offset<fb::Section>> sections = {cpuCode(fbb)};
    return fb::CreateArtifact(fbb, 0, fbb.CreateVector(entries),
                              fbb.CreateVector(sections));
  });
}

} // namespace

//===----------------------------------------------------------------------===//
// Good artifacts
//===----------------------------------------------------------------------===//

TEST_F(ArtifactTest, LayoutIsVersionedAndWeightsArePageAligned) {
  std::vector<uint8_t> bytes = makeArtifact();
  Preamble p = preambleOf(bytes);
  EXPECT_EQ(0, std::memcmp(p.magic, "LOOM\r\n\x1a\n", 8));
  EXPECT_EQ(p.versionMajor, artifact::kFormatVersionMajor);
  EXPECT_EQ(0, std::memcmp(bytes.data() + 32 + 4, "LOOM", 4));
  EXPECT_EQ(p.dataOffset % 4096, 0u);
  const fb::Artifact *a = fb::GetArtifact(bytes.data() + 32);
  ASSERT_EQ(a->sections()->size(), 2u);
  const fb::Section *w = a->sections()->Get(1);
  EXPECT_EQ(w->kind(), fb::SectionKind::Weights);
  EXPECT_EQ((p.dataOffset + w->offset()) % 4096, 0u);
  EXPECT_EQ(a->sections()->Get(0)->abi_version(), LOOM_ABI_VERSION);
  std::vector<uint8_t> code = kernelLibrary();
  EXPECT_EQ(a->sections()->Get(0)->crc32(),
            artifact::crc32(code.data(), code.size()));
  EXPECT_EQ(artifact::crc32("123456789", 9), 0xcbf43926u);
  EXPECT_EQ(a->producer()->str(), "loom unit tests");
}

TEST_F(ArtifactTest, ListsEntryPointsWithSignatures) {
  loom_module_t *m = nullptr;
  ASSERT_EQ(load(makeArtifact(), &m), LOOM_OK);
  EXPECT_EQ(loom_module_entry_count(m), 9u);
  size_t idx = 99;
  ASSERT_TRUE(ok(loom_module_find_entry(m, "split", &idx)));
  loom_entry_info_t info;
  ASSERT_TRUE(ok(loom_module_entry_info(m, idx, &info)));
  EXPECT_STREQ(info.name, "split");
  EXPECT_EQ(info.num_inputs, 1u);
  EXPECT_EQ(info.num_outputs, 2u);
  loom_tensor_info_t t;
  ASSERT_TRUE(ok(loom_module_output_info(m, idx, 1, &t)));
  EXPECT_STREQ(t.name, "thrice");
  EXPECT_EQ(t.dtype, LOOM_DTYPE_F32);
  ASSERT_EQ(t.rank, 1);
  EXPECT_EQ(t.dims[0], -1);
  EXPECT_STREQ(t.dim_symbols[0], "n");

  ASSERT_TRUE(ok(loom_module_find_entry(m, "transpose", &idx)));
  ASSERT_TRUE(ok(loom_module_input_info(m, idx, 0, &t)));
  EXPECT_EQ(t.rank, 2);
  EXPECT_EQ(t.dims[1], 3);
  EXPECT_EQ(t.dim_symbols[1], nullptr);

  std::string msg;
  EXPECT_EQ(codeOf(loom_module_find_entry(m, "nope", &idx), &msg),
            LOOM_NOT_FOUND);
  EXPECT_NE(msg.find("add"), std::string::npos) << msg;
  EXPECT_EQ(codeOf(loom_module_input_info(m, idx, 5, &t)),
            LOOM_INVALID_ARGUMENT);
  EXPECT_EQ(codeOf(loom_module_entry_info(m, 100, &info)),
            LOOM_INVALID_ARGUMENT);
  loom_module_release(m);
}

TEST_F(ArtifactTest, LoadsFromFileByMapping) {
  ArtifactWriter w;
  fillWriter(w);
  std::string path = tempPath("file.loom"), error;
  ASSERT_TRUE(w.writeToFile(path, &error)) << error;
  std::vector<uint8_t> inMemory;
  ASSERT_TRUE(w.writeToMemory(inMemory, &error)) << error;
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> onDisk((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
  EXPECT_EQ(onDisk, inMemory);

  loom_module_t *m = nullptr;
  ASSERT_TRUE(ok(loom_module_load_file(device, path.c_str(), 0, &m)));
  std::remove(path.c_str()); // the mapping keeps the data
  EXPECT_EQ(loom_module_entry_count(m), 9u);
  // The weights come straight from the mapping.
  size_t idx;
  ASSERT_TRUE(ok(loom_module_find_entry(m, "weights_sum", &idx)));
  loom_session_t *s = nullptr;
  ASSERT_TRUE(ok(loom_session_create(m, &s)));
  loom_tensor_t *out = nullptr;
  ASSERT_TRUE(ok(loom_session_invoke(s, idx, nullptr, 0, &out, 1)));
  EXPECT_EQ(*static_cast<float *>(loom_tensor_data(out)), 10.0f);
  loom_tensor_release(out);
  loom_session_release(s);
  loom_module_release(m);
}

TEST_F(ArtifactTest, LoadsBorrowedMemory) {
  std::vector<uint8_t> bytes = makeArtifact();
  void *aligned = std::aligned_alloc(4096, (bytes.size() + 4095) / 4096 * 4096);
  std::memcpy(aligned, bytes.data(), bytes.size());
  loom_module_t *m = nullptr;
  ASSERT_TRUE(ok(loom_module_load_memory(device, aligned, bytes.size(),
                                         LOOM_LOAD_BORROW, &m)));
  loom_module_release(m);
  EXPECT_EQ(
      codeOf(loom_module_load_memory(device, static_cast<char *>(aligned) + 8,
                                     bytes.size() - 8, LOOM_LOAD_BORROW, &m)),
      LOOM_INVALID_ARGUMENT);
  EXPECT_EQ(m, nullptr);
  std::free(aligned);
}

TEST_F(ArtifactTest, TempFileFallbackWhenMemfdIsUnavailable) {
  ::setenv("LOOM_RUNTIME_NO_MEMFD", "1", 1);
  loom_module_t *m = nullptr;
  loom_status_code_t c = load(makeArtifact(), &m);
  ::unsetenv("LOOM_RUNTIME_NO_MEMFD");
  ASSERT_EQ(c, LOOM_OK);
  loom_module_release(m);
}

// glibc matches dlopen paths by name first: a reused /proc/self/fd number or
// temporary name must not hand one module another module's code.
TEST_F(ArtifactTest, ModulesLoadedTogetherKeepTheirOwnCode) {
  ArtifactWriter w;
  w.addEntryPoint({"last_weight", {}, {f32Spec("w", {1})}});
  w.addSection(SectionKind::DeviceCode, "cpu", weightedLibrary());
  std::vector<float> weights = {1, 2, 3, 4};
  w.addSectionRef(SectionKind::Weights, "", weights.data(), 16);
  std::vector<uint8_t> weighted;
  ASSERT_TRUE(w.writeToMemory(weighted, nullptr));
  std::vector<uint8_t> kernels = makeArtifact();
  for (const char *noMemfd : {"", "1"}) {
    ::setenv("LOOM_RUNTIME_NO_MEMFD", noMemfd, 1);
    std::vector<loom_module_t *> mods;
    for (int k = 0; k < 6; ++k) {
      loom_module_t *m = nullptr;
      ASSERT_EQ(load(k % 2 ? weighted : kernels, &m), LOOM_OK) << k;
      mods.push_back(m);
      if (k == 3) { // free a slot in the middle: its number is reused next
        loom_module_release(mods[1]);
        mods[1] = nullptr;
      }
    }
    for (size_t k = 0; k < mods.size(); ++k) {
      if (!mods[k])
        continue;
      size_t idx;
      EXPECT_TRUE(ok(
          loom_module_find_entry(mods[k], k % 2 ? "last_weight" : "add", &idx)))
          << k;
      loom_module_release(mods[k]);
    }
  }
  ::unsetenv("LOOM_RUNTIME_NO_MEMFD");
}

TEST_F(ArtifactTest, PicksTheCpuSectionAmongSeveralTargets) {
  ArtifactWriter w;
  for (auto &e : kernelEntries())
    w.addEntryPoint(e);
  std::vector<uint8_t> junk(1000, 0xab);
  w.addSection(SectionKind::DeviceCode, "cuda:sm_90a", junk);
  w.addSection(SectionKind::HostProgram, "cuda:sm_90a", junk);
  w.addSection(SectionKind::DeviceCode, "rocm:gfx942", junk);
  w.addSection(SectionKind::DeviceCode, "cpu", kernelLibrary());
  std::vector<uint8_t> gpuWeights(64, 0);
  w.addSection(SectionKind::Weights, "cuda:sm_90a", gpuWeights);
  std::vector<uint8_t> bytes;
  std::string error;
  ASSERT_TRUE(w.writeToMemory(bytes, &error)) << error;
  loom_module_t *m = nullptr;
  ASSERT_EQ(load(bytes, &m), LOOM_OK);
  loom_module_release(m);
}

//===----------------------------------------------------------------------===//
// Bad artifacts
//===----------------------------------------------------------------------===//

TEST_F(ArtifactTest, RejectsEmptyTinyAndForeignFiles) {
  loom_module_t *m = nullptr;
  std::string msg;
  EXPECT_EQ(load({}, &m, &msg), LOOM_INVALID_ARTIFACT) << msg;
  EXPECT_EQ(load(std::vector<uint8_t>(10, 0), &m), LOOM_INVALID_ARTIFACT);
  std::vector<uint8_t> elf = kernelLibrary();
  EXPECT_EQ(load(elf, &m, &msg), LOOM_INVALID_ARTIFACT);
  EXPECT_NE(msg.find("magic"), std::string::npos) << msg;
  EXPECT_EQ(m, nullptr);
}

TEST_F(ArtifactTest, RejectsOtherMajorVersionsAndAcceptsNewerMinors) {
  std::vector<uint8_t> bytes = makeArtifact();
  Preamble p = preambleOf(bytes);
  p.versionMajor = artifact::kFormatVersionMajor + 1;
  std::vector<uint8_t> newer = bytes;
  setPreamble(newer, p);
  loom_module_t *m = nullptr;
  std::string msg;
  EXPECT_EQ(load(newer, &m, &msg), LOOM_VERSION_MISMATCH);
  EXPECT_NE(msg.find("version 2.0"), std::string::npos) << msg;

  p.versionMajor = artifact::kFormatVersionMajor;
  p.versionMinor = artifact::kFormatVersionMinor + 7;
  setPreamble(bytes, p);
  ASSERT_EQ(load(bytes, &m), LOOM_OK);
  loom_module_release(m);
}

TEST_F(ArtifactTest, RejectsEveryTruncation) {
  std::vector<uint8_t> bytes = makeArtifact();
  size_t dataOffset = preambleOf(bytes).dataOffset;
  for (size_t n = 0; n < bytes.size(); n += n < dataOffset + 64 ? 1 : 509) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + n);
    loom_module_t *m = nullptr;
    EXPECT_EQ(load(cut, &m), LOOM_INVALID_ARTIFACT) << "truncated to " << n;
    EXPECT_EQ(m, nullptr);
  }
}

TEST_F(ArtifactTest, CorruptedHeaderBytesNeverCrash) {
  std::vector<uint8_t> bytes = makeArtifact();
  Preamble p = preambleOf(bytes);
  int failures = 0;
  for (size_t i = 0; i < 32 + p.headerSize; ++i) {
    for (uint8_t flip : {0xff, 0x80, 0x01}) {
      std::vector<uint8_t> bad = bytes;
      bad[i] ^= flip;
      loom_module_t *m = nullptr;
      if (load(bad, &m) != LOOM_OK)
        ++failures;
      loom_module_release(m);
    }
  }
  // Most flips must be caught; the rest hit bytes that do not matter
  // (padding, the producer string, ...).
  EXPECT_GT(failures, 0);
}

TEST_F(ArtifactTest, RandomCorruptionNeverCrashes) {
  // Anywhere in the file: header bytes, padding, code (caught by the CRC)
  // and weights (only read by entry points, none of which runs here).
  std::vector<uint8_t> bytes = makeArtifact();
  uint64_t state = 0x9e3779b97f4a7c15ull; // fixed seed: reproducible
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (int iter = 0; iter < 500; ++iter) {
    std::vector<uint8_t> bad = bytes;
    int edits = 1 + int(next() % 8);
    for (int e = 0; e < edits; ++e)
      bad[next() % (e % 2 ? 4096 : bad.size())] = uint8_t(next());
    loom_module_t *m = nullptr;
    load(bad, &m);
    loom_module_release(m);
  }
}

TEST_F(ArtifactTest, RejectsHeaderAndDataOffsetsOutsideTheFile) {
  std::vector<uint8_t> bytes = makeArtifact();
  Preamble p = preambleOf(bytes);
  loom_module_t *m = nullptr;
  for (uint64_t headerSize :
       {uint64_t(0), uint64_t(bytes.size()), UINT64_MAX, UINT64_MAX - 31}) {
    Preamble q = p;
    q.headerSize = headerSize;
    std::vector<uint8_t> bad = bytes;
    setPreamble(bad, q);
    EXPECT_EQ(load(bad, &m), LOOM_INVALID_ARTIFACT) << headerSize;
  }
  for (uint64_t dataOffset :
       {uint64_t(16), uint64_t(bytes.size() + 1), UINT64_MAX}) {
    Preamble q = p;
    q.dataOffset = dataOffset;
    std::vector<uint8_t> bad = bytes;
    setPreamble(bad, q);
    EXPECT_EQ(load(bad, &m), LOOM_INVALID_ARTIFACT) << dataOffset;
  }
}

TEST_F(ArtifactTest, RejectsSectionsOutsideTheFileOrMisaligned) {
  struct Case {
    uint64_t offset, size, alignment;
    fb::SectionKind kind;
  };
  uint64_t codeSize = kernelLibrary().size();
  for (Case c : {Case{0, UINT64_MAX, 64, fb::SectionKind::DeviceCode},
                 Case{UINT64_MAX - 8, 16, 1, fb::SectionKind::DeviceCode},
                 Case{1 << 30, 16, 64, fb::SectionKind::DeviceCode},
                 Case{8, codeSize, 64, fb::SectionKind::DeviceCode},
                 Case{0, codeSize, 3, fb::SectionKind::DeviceCode},
                 Case{0, codeSize, 0, fb::SectionKind::DeviceCode},
                 Case{0, 16, 64, fb::SectionKind::Weights}}) {
    std::vector<uint8_t> bytes =
        craft([&](flatbuffers::FlatBufferBuilder &fbb) {
          std::vector<flatbuffers::Offset<fb::Section>> s = {fb::CreateSection(
              fbb, c.kind, fbb.CreateString("cpu"), fbb.CreateString("s"),
              c.offset, c.size, c.alignment, LOOM_ABI_VERSION)};
          return fb::CreateArtifact(fbb, 0, 0, fbb.CreateVector(s));
        });
    loom_module_t *m = nullptr;
    std::string msg;
    EXPECT_EQ(load(bytes, &m, &msg), LOOM_INVALID_ARTIFACT)
        << c.offset << " " << c.size << " " << c.alignment;
  }
}

TEST_F(ArtifactTest, RejectsBadTensorMetadata) {
  using FBB = flatbuffers::FlatBufferBuilder;
  auto spec = [](FBB &fbb, int dtype, std::vector<int64_t> dims,
                 std::vector<std::string> syms) {
    auto s = syms.empty() ? 0 : fbb.CreateVectorOfStrings(syms);
    return fb::CreateTensorSpec(fbb, fbb.CreateString("a"), dtype,
                                fbb.CreateVector(dims), s);
  };
  std::vector<std::vector<uint8_t>> bad = {
      craftSpec([&](FBB &f) { return spec(f, 99, {-1}, {}); }),
      craftSpec([&](FBB &f) { return spec(f, 8 /*string*/, {-1}, {}); }),
      craftSpec([&](FBB &f) { return spec(f, 1, {-2}, {}); }),
      craftSpec([&](FBB &f) { return spec(f, 1, {4}, {"n"}); }),
      craftSpec([&](FBB &f) {
        return spec(f, 1, {-1, -1}, {"n"});
      }),
      craftSpec([&](FBB &f) {
        return spec(f, 1, std::vector<int64_t>(LOOM_MAX_RANK + 1, 1), {});
      }),
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    loom_module_t *m = nullptr;
    std::string msg;
    EXPECT_EQ(load(bad[i], &m, &msg), LOOM_INVALID_ARTIFACT) << "case " << i;
    EXPECT_NE(msg.find("entry point 'add' input 0"), std::string::npos) << msg;
  }
  // The same artifact with a good spec loads.
  loom_module_t *m = nullptr;
  ASSERT_EQ(
      load(craftSpec([&](FBB &f) { return spec(f, 1, {-1}, {"n"}); }), &m),
      LOOM_OK);
  loom_module_release(m);
}

TEST_F(ArtifactTest, ReportsMissingCpuCode) {
  ArtifactWriter w;
  w.addEntryPoint(kernelEntries()[0]);
  w.addSection(SectionKind::DeviceCode, "cuda:sm_90a", {1, 2, 3});
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(w.writeToMemory(bytes, nullptr));
  loom_module_t *m = nullptr;
  std::string msg;
  EXPECT_EQ(load(bytes, &m, &msg), LOOM_NOT_FOUND);
  EXPECT_NE(msg.find("cuda:sm_90a"), std::string::npos) << msg;
}

TEST_F(ArtifactTest, RejectsDeviceCodeThatIsNotASharedObject) {
  ArtifactWriter w;
  w.addSection(SectionKind::DeviceCode, "cpu", std::vector<uint8_t>(200, 7));
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(w.writeToMemory(bytes, nullptr));
  loom_module_t *m = nullptr;
  std::string msg;
  EXPECT_EQ(load(bytes, &m, &msg), LOOM_INVALID_ARTIFACT);
  EXPECT_NE(msg.find("not an ELF"), std::string::npos) << msg;

  // Truncated shared objects: glibc's dlopen would map segments past the
  // end and fault, so the runtime must refuse them first.
  std::vector<uint8_t> elf = kernelLibrary();
  for (size_t n = 64; n < elf.size(); n += n < 4096 ? 61 : 997) {
    ArtifactWriter w2;
    w2.addSection(SectionKind::DeviceCode, "cpu",
                  std::vector<uint8_t>(elf.begin(), elf.begin() + n));
    ASSERT_TRUE(w2.writeToMemory(bytes, nullptr));
    EXPECT_EQ(load(bytes, &m, &msg), LOOM_INVALID_ARTIFACT) << n;
    EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
  }
}

TEST_F(ArtifactTest, ChecksumsCatchCorruptedSections) {
  // Damaged code could crash inside dlopen (it trusts relocations), so the
  // CRC is checked before; weights only on request.
  std::vector<uint8_t> bytes = makeArtifact();
  Preamble p = preambleOf(bytes);
  const fb::Artifact *a = fb::GetArtifact(bytes.data() + 32);
  uint64_t code = p.dataOffset + a->sections()->Get(0)->offset();
  uint64_t weights = p.dataOffset + a->sections()->Get(1)->offset();
  loom_module_t *m = nullptr;
  std::string msg;
  for (uint64_t at :
       {code, code + 1000, code + a->sections()->Get(0)->size() - 1}) {
    std::vector<uint8_t> bad = bytes;
    bad[at] ^= 0x10;
    EXPECT_EQ(load(bad, &m, &msg), LOOM_INVALID_ARTIFACT);
    EXPECT_NE(msg.find("CRC-32 mismatch"), std::string::npos) << msg;
  }
  std::vector<uint8_t> bad = bytes;
  bad[weights + 2] ^= 0x10;
  ASSERT_EQ(load(bad, &m), LOOM_OK);
  loom_module_release(m);
  m = nullptr;
  EXPECT_EQ(codeOf(loom_module_load_memory(device, bad.data(), bad.size(),
                                           LOOM_LOAD_VERIFY_WEIGHTS, &m),
                   &msg),
            LOOM_INVALID_ARTIFACT);
  EXPECT_NE(msg.find("'weights'"), std::string::npos) << msg;
  EXPECT_EQ(codeOf(loom_module_load_memory(device, bytes.data(), bytes.size(),
                                           8, &m)),
            LOOM_INVALID_ARGUMENT);
  EXPECT_EQ(
      codeOf(loom_module_load_file(device, "x.loom", LOOM_LOAD_BORROW, &m)),
      LOOM_INVALID_ARGUMENT);
}

TEST_F(ArtifactTest, RejectsMissingEntrySymbolAndOtherAbiVersions) {
  ArtifactWriter w;
  w.addEntryPoint({"not_in_the_library", {}, {}});
  w.addSection(SectionKind::DeviceCode, "cpu", kernelLibrary());
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(w.writeToMemory(bytes, nullptr));
  loom_module_t *m = nullptr;
  std::string msg;
  EXPECT_EQ(load(bytes, &m, &msg), LOOM_INVALID_ARTIFACT);
  EXPECT_NE(msg.find("loom_call_not_in_the_library"), std::string::npos) << msg;

  ArtifactWriter w2;
  w2.addSection(SectionKind::DeviceCode, "cpu", kernelLibrary(), 0, "",
                LOOM_ABI_VERSION + 1);
  ASSERT_TRUE(w2.writeToMemory(bytes, nullptr));
  EXPECT_EQ(load(bytes, &m, &msg), LOOM_VERSION_MISMATCH) << msg;
}

TEST_F(ArtifactTest, RejectsUnreadableFiles) {
  loom_module_t *m = nullptr;
  EXPECT_EQ(codeOf(loom_module_load_file(device, "/nonexistent/x.loom", 0, &m)),
            LOOM_NOT_FOUND);
  EXPECT_EQ(codeOf(loom_module_load_file(device, "/", 0, &m)), LOOM_IO_ERROR);
  std::string path = tempPath("empty.loom");
  { std::ofstream(path, std::ios::binary); }
  EXPECT_EQ(codeOf(loom_module_load_file(device, path.c_str(), 0, &m)),
            LOOM_INVALID_ARTIFACT);
  std::remove(path.c_str());
  EXPECT_EQ(codeOf(loom_module_load_file(device, nullptr, 0, &m)),
            LOOM_INVALID_ARGUMENT);
  EXPECT_EQ(m, nullptr);
}

//===----------------------------------------------------------------------===//
// The writer checks what it is given
//===----------------------------------------------------------------------===//

TEST(ArtifactWriterTest, RejectsInvalidDescriptions) {
  auto fails = [](auto setup, const char *needle) {
    ArtifactWriter w;
    setup(w);
    std::vector<uint8_t> out;
    std::string error;
    EXPECT_FALSE(w.writeToMemory(out, &error)) << needle;
    EXPECT_NE(error.find(needle), std::string::npos) << error;
  };
  fails(
      [](ArtifactWriter &w) {
        w.addEntryPoint({"bad name", {}, {}});
      },
      "not a C identifier");
  fails(
      [](ArtifactWriter &w) {
        w.addEntryPoint({"9lives", {}, {}});
      },
      "not a C identifier");
  fails(
      [](ArtifactWriter &w) {
        w.addEntryPoint({"f", {}, {}});
        w.addEntryPoint({"f", {}, {}});
      },
      "duplicate");
  fails(
      [](ArtifactWriter &w) {
        w.addEntryPoint({"f", {f32Spec("x", {3})}, {}});
        auto e = kernelEntries()[0];
        e.inputs[0].dimSymbols = {"n", "m"};
        w.addEntryPoint(e);
      },
      "dim symbols");
  fails(
      [](ArtifactWriter &w) {
        auto t = f32Spec("x", {3});
        t.dimSymbols = {"n"};
        w.addEntryPoint({"f", {t}, {}});
      },
      "static dim");
  fails(
      [](ArtifactWriter &w) {
        auto t = f32Spec("x", {-3});
        w.addEntryPoint({"f", {}, {t}});
      },
      "dim -3");
  fails(
      [](ArtifactWriter &w) {
        auto t = f32Spec("x", {1});
        t.dtype = loom_dtype_t(42);
        w.addEntryPoint({"f", {t}, {}});
      },
      "invalid dtype");
  fails(
      [](ArtifactWriter &w) {
        w.addSection(SectionKind::DeviceCode, "cpu", {1}, 48);
      },
      "power of two");
  std::string error;
  EXPECT_FALSE(ArtifactWriter().writeToFile("/nonexistent/dir/x.loom", &error));
  EXPECT_NE(error.find("cannot open"), std::string::npos) << error;
}

TEST(ArtifactWriterTest, WeightsAreAtLeastPageAlignedAndRefsAreNotCopied) {
  ArtifactWriter w;
  std::vector<uint8_t> big(10000, 5), small(3, 9);
  w.addSection(SectionKind::HostProgram, "cuda", small);
  w.addSectionRef(SectionKind::Weights, "", big.data(), big.size(), 16);
  big[0] = 6; // a reference sees later changes until the write
  std::vector<uint8_t> out;
  ASSERT_TRUE(w.writeToMemory(out, nullptr));
  const fb::Artifact *a = fb::GetArtifact(out.data() + 32);
  const fb::Section *s = a->sections()->Get(1);
  EXPECT_EQ(s->alignment(), 4096u);
  uint64_t at = preambleOf(out).dataOffset + s->offset();
  EXPECT_EQ(at % 4096, 0u);
  EXPECT_EQ(out[at], 6);
  EXPECT_EQ(out.size(), at + big.size());
}
