//===- MakeTestArtifact.cpp - Test data for the loom-run ctest cases ------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// loom-test-make-artifact OUTDIR writes:
//   OUTDIR/kernels.loom   every test kernel (needs --entry)
//   OUTDIR/add.loom       the add entry point alone
//   OUTDIR/ok/            input_0.pb, input_1.pb, output_0.pb (a + b)
//   OUTDIR/wrong/         the same with a wrong output_0.pb
//   OUTDIR/int-input/     input_1.pb is i32, not f32
//   OUTDIR/a.npy          input a as .npy
// and, given MLIR_SO (mlir/add_and_alias.mlir lowered by upstream MLIR):
//   OUTDIR/mlir_add.loom  its entry add_and_alias(a, b) -> (a + b, a)
//   OUTDIR/mlir/          input_0.pb, input_1.pb, output_0.pb, output_1.pb
//
//===----------------------------------------------------------------------===//

#include "HostTensor.h"
#include "TestArtifacts.h"

#include <cstdio>
#include <cstring>
#include <filesystem>

using namespace loom;
using namespace loom::run;

static HostTensor f32(const char *name, std::vector<float> v) {
  HostTensor t;
  t.name = name;
  t.dtype = LOOM_DTYPE_F32;
  t.shape = {int64_t(v.size())};
  t.data.resize(v.size() * 4);
  std::memcpy(t.data.data(), v.data(), t.data.size());
  return t;
}

int main(int argc, char **argv) {
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: loom-test-make-artifact OUTDIR [MLIR_SO]\n");
    return 2;
  }
  namespace fs = std::filesystem;
  fs::path out = argv[1];
  std::error_code ec;
  fs::create_directories(out / "ok", ec);
  fs::create_directories(out / "wrong", ec);
  fs::create_directories(out / "int-input", ec);
  std::string error;

  artifact::ArtifactWriter all;
  test::fillWriter(all);
  artifact::ArtifactWriter add;
  add.addEntryPoint(test::kernelEntries()[0]);
  add.addSection(artifact::SectionKind::DeviceCode, "cpu",
                 test::kernelLibrary());
  HostTensor a = f32("a", {1, 2, 3, 4}), b = f32("b", {0.5, 0.25, -3, 10});
  HostTensor sum = f32("sum", {1.5, 2.25, 0, 14});
  HostTensor bad = f32("sum", {1.5, 2.25, 0.01, 14});
  std::vector<uint8_t> npy;
  bool ok = all.writeToFile((out / "kernels.loom").string(), &error) &&
            add.writeToFile((out / "add.loom").string(), &error) &&
            encodeNpy(a, npy, &error) &&
            writeFile((out / "a.npy").string(), npy, &error);
  for (const char *dir : {"ok", "wrong"}) {
    ok = ok &&
         writeFile((out / dir / "input_0.pb").string(), encodeTensorProto(a),
                   &error) &&
         writeFile((out / dir / "input_1.pb").string(), encodeTensorProto(b),
                   &error) &&
         writeFile((out / dir / "output_0.pb").string(),
                   encodeTensorProto(std::strcmp(dir, "ok") ? bad : sum),
                   &error);
  }
  HostTensor ints = b;
  ints.dtype = LOOM_DTYPE_I32;
  ok = ok &&
       writeFile((out / "int-input" / "input_0.pb").string(),
                 encodeTensorProto(a), &error) &&
       writeFile((out / "int-input" / "input_1.pb").string(),
                 encodeTensorProto(ints), &error);
  if (ok && argc == 3) {
    std::vector<uint8_t> so;
    ok = readFile(argv[2], so, &error);
    artifact::ArtifactWriter mlir;
    mlir.addEntryPoint(
        {"add_and_alias",
         {test::f32Spec("a", {-1}, "n"), test::f32Spec("b", {-1}, "n")},
         {test::f32Spec("sum", {-1}, "n"),
          test::f32Spec("a_again", {-1}, "n")}});
    mlir.addSection(artifact::SectionKind::DeviceCode, "cpu", std::move(so));
    HostTensor again = a;
    again.name = "a_again";
    fs::create_directories(out / "mlir", ec);
    ok = ok && mlir.writeToFile((out / "mlir_add.loom").string(), &error) &&
         writeFile((out / "mlir" / "input_0.pb").string(), encodeTensorProto(a),
                   &error) &&
         writeFile((out / "mlir" / "input_1.pb").string(), encodeTensorProto(b),
                   &error) &&
         writeFile((out / "mlir" / "output_0.pb").string(),
                   encodeTensorProto(sum), &error) &&
         writeFile((out / "mlir" / "output_1.pb").string(),
                   encodeTensorProto(again), &error);
  }
  if (!ok) {
    std::fprintf(stderr, "loom-test-make-artifact: %s\n", error.c_str());
    return 1;
  }
  return 0;
}
