//===- AMDTargetTest.cpp - The AMD backend produces an HSACO --------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Compiles a small tensor program (an f32 matmul on MFMA, then tanh through
// the device libraries) for rocm:gfx942 and rocm:gfx90a through the
// backend's hooks, as the compiler does, and checks the section it would
// write: a host shared object with the runtime's entry point and, embedded,
// AMDGPU code objects for the chip. Nothing runs: no AMD GPU here.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/AMD/AMDBackend.h"
#include "test/unit/CompileForTest.h"

#include "llvm/Support/FileSystem.h"

#include <cstring>

using namespace mlir;
using namespace loom_test;

namespace {

constexpr const char *kSource = R"mlir(
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @main(%a: tensor<?x256xf32>, %w: tensor<256x64xf32>) -> tensor<?x64xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?x256xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<?x64xf32>) -> tensor<?x64xf32>
  %m = linalg.matmul ins(%a, %w : tensor<?x256xf32>, tensor<256x64xf32>)
                     outs(%f : tensor<?x64xf32>) -> tensor<?x64xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%m : tensor<?x64xf32>) outs(%e : tensor<?x64xf32>) {
  ^bb0(%x: f32, %o: f32):
    %t = math.tanh %x : f32
    linalg.yield %t : f32
  } -> tensor<?x64xf32>
  return %r : tensor<?x64xf32>
}
)mlir";

/// The AMDGPU ELF images embedded in `bytes` (e_machine 224), as the
/// EF_AMDGPU_MACH byte of each.
std::vector<uint32_t> embeddedCodeObjects(const std::vector<char> &bytes) {
  std::vector<uint32_t> machs;
  StringRef all(bytes.data(), bytes.size());
  for (size_t at = all.find("\x7f" "ELF", 1); at != StringRef::npos;
       at = all.find("\x7f" "ELF", at + 4)) {
    if (at + 64 > all.size())
      break;
    uint16_t machine;
    uint32_t flags;
    std::memcpy(&machine, all.data() + at + 18, sizeof(machine));
    std::memcpy(&flags, all.data() + at + 48, sizeof(flags));
    if (machine == 224)
      machs.push_back(flags & 0xff);
  }
  return machs;
}

class AMDTargetTest : public ::testing::Test {
protected:
  AMDTargetTest() : ctx(makeTestContext()) {}

  void compile(StringRef spec, loom::TargetBinary &out) {
    std::string error;
    auto backend = loom::createTargetBackend(spec, error);
    ASSERT_TRUE(succeeded(backend)) << error;
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(kSource, ctx.get());
    ASSERT_TRUE(module);
    PassManager pm(ctx.get());
    (*backend)->buildLoweringPipeline(pm);
    ASSERT_TRUE(succeeded(pm.run(*module)));
    FailureOr<loom::TargetBinary> binary = (*backend)->serialize(*module);
    ASSERT_TRUE(succeeded(binary));
    out = std::move(*binary);
    EXPECT_EQ(out.kind, "rocm-elf-so");
    EXPECT_EQ(out.target, spec.str());
    ASSERT_GT(out.bytes.size(), 4u);
    EXPECT_EQ(std::string(out.bytes.data() + 1, 3), "ELF");
    EXPECT_TRUE(StringRef(out.bytes.data(), out.bytes.size())
                    .contains("loom_call_main"));
  }

  std::unique_ptr<MLIRContext> ctx;
};

TEST_F(AMDTargetTest, Gfx942EmbedsCodeObjectsForTheChip) {
  loom::TargetBinary binary;
  ASSERT_NO_FATAL_FAILURE(compile("rocm:gfx942", binary));
  // Fill, MFMA matmul and tanh kernels: one code object each, for gfx942
  // (EF_AMDGPU_MACH_AMDGCN_GFX942 = 0x4c).
  std::vector<uint32_t> machs = embeddedCodeObjects(binary.bytes);
  ASSERT_EQ(machs.size(), 3u);
  for (uint32_t mach : machs)
    EXPECT_EQ(mach, 0x4cu);
}

TEST_F(AMDTargetTest, Gfx90aEmbedsCodeObjectsForTheChip) {
  loom::TargetBinary binary;
  ASSERT_NO_FATAL_FAILURE(compile("rocm:gfx90a", binary));
  std::vector<uint32_t> machs = embeddedCodeObjects(binary.bytes);
  ASSERT_EQ(machs.size(), 3u);
  for (uint32_t mach : machs)
    EXPECT_EQ(mach, 0x3fu); // EF_AMDGPU_MACH_AMDGCN_GFX90A
}

TEST_F(AMDTargetTest, BadArchitecturesAreRejectedWithAReason) {
  std::string error;
  EXPECT_TRUE(failed(loom::createTargetBackend("rocm:sm_90a", error)));
  EXPECT_NE(error.find("unknown or unsupported AMD architecture 'sm_90a'"),
            std::string::npos)
      << error;
  EXPECT_TRUE(failed(loom::createTargetBackend("rocm:gfx1100", error)));
  EXPECT_TRUE(succeeded(loom::createTargetBackend("rocm:gfx90a", error)));
  EXPECT_TRUE(succeeded(loom::createTargetBackend("rocm", error)));
}

TEST_F(AMDTargetTest, ToolkitDirectoryHasTheLinkerAndTheChipsLibraries) {
  std::string error;
  std::string dir = loom::amd::prepareROCmToolkit("gfx942", error);
  ASSERT_FALSE(dir.empty()) << error;
  for (const char *file :
       {"/llvm/bin/ld.lld", "/amdgcn/bitcode/ocml.bc",
        "/amdgcn/bitcode/oclc_isa_version_942.bc"})
    EXPECT_TRUE(llvm::sys::fs::exists(dir + file)) << dir + file;
}

} // namespace
