//===- NVIDIATargetTest.cpp - The NVIDIA backend produces a binary --------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Compiles a small tensor program for cuda:sm_90a and cuda:sm_80 through the
// backend's hooks, as the compiler does, and checks the section it would
// write: a host shared object with the runtime's entry point and the device
// code embedded (a cubin when ptxas is installed, PTX otherwise). Nothing
// runs: the host code needs a GPU and the runtime's mgpu* functions.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/NVIDIA/NVIDIABackend.h"
#include "test/unit/CompileForTest.h"

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

class NVIDIATargetTest : public ::testing::Test {
protected:
  NVIDIATargetTest() : ctx(makeTestContext()) {}

  /// Lowers kSource with `backend` and serializes it.
  void compile(const loom::TargetBackend &backend, loom::TargetBinary &out) {
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(kSource, ctx.get());
    ASSERT_TRUE(module);
    PassManager pm(ctx.get());
    backend.buildLoweringPipeline(pm);
    ASSERT_TRUE(succeeded(pm.run(*module)));
    FailureOr<loom::TargetBinary> binary = backend.serialize(*module);
    ASSERT_TRUE(succeeded(binary));
    out = std::move(*binary);
    EXPECT_EQ(out.kind, "cuda-elf-so");
    ASSERT_GT(out.bytes.size(), 4u);
    EXPECT_EQ(std::string(out.bytes.data() + 1, 3), "ELF");
    EXPECT_TRUE(contains(out.bytes, "loom_call_main"));
  }

  static bool contains(const std::vector<char> &bytes, StringRef needle) {
    return StringRef(bytes.data(), bytes.size()).contains(needle);
  }

  std::unique_ptr<MLIRContext> ctx;
};

TEST_F(NVIDIATargetTest, Sm90aEmbedsACubin) {
  if (loom::nvidia::findCUDAToolkit().empty())
    GTEST_SKIP() << "no CUDA toolkit with bin/ptxas ($CUDA_HOME, $CUDA_PATH, "
                    "/usr/local/cuda): the backend embeds PTX instead";
  std::string error;
  auto backend = loom::createTargetBackend("cuda:sm_90a", error);
  ASSERT_TRUE(succeeded(backend)) << error;
  loom::TargetBinary binary;
  ASSERT_NO_FATAL_FAILURE(compile(**backend, binary));
  EXPECT_EQ(binary.target, "cuda:sm_90a");

  // The cubin is a second ELF inside the host object, for machine EM_CUDA.
  StringRef bytes(binary.bytes.data(), binary.bytes.size());
  size_t inner = bytes.find("\x7f"
                            "ELF",
                            1);
  ASSERT_NE(inner, StringRef::npos) << "no embedded cubin";
  ASSERT_LT(inner + 20, bytes.size());
  uint16_t machine;
  std::memcpy(&machine, bytes.data() + inner + 18, sizeof(machine));
  EXPECT_EQ(machine, 190u) << "embedded ELF is not a CUDA cubin";
}

TEST_F(NVIDIATargetTest, Sm80EmbedsPTXForTheDriverWithoutPtxas) {
  // Forcing the PTX format is what a machine without ptxas gets.
  loom::NVIDIABackend backend("cuda:sm_80", "sm_80", /*format=*/"isa");
  loom::TargetBinary binary;
  ASSERT_NO_FATAL_FAILURE(compile(backend, binary));
  EXPECT_TRUE(contains(binary.bytes, ".target sm_80"));
  EXPECT_TRUE(contains(binary.bytes, ".visible .entry main_kernel"));
}

TEST_F(NVIDIATargetTest, BadArchitecturesAreRejectedWithAReason) {
  std::string error;
  EXPECT_TRUE(failed(loom::createTargetBackend("cuda:gfx942", error)));
  EXPECT_NE(error.find("unknown CUDA architecture 'gfx942'"), std::string::npos)
      << error;
  EXPECT_TRUE(succeeded(loom::createTargetBackend("cuda:sm_80", error)));
}

} // namespace
