//===- ImportConformance.cpp - Import every ONNX node test model ----------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// Walks the node suite of ONNX's test data (one folder per case with
// model.onnx and test_data_set_0/), imports and verifies each model in a
// forked child (so a crash is one FAIL, not the end of the run), checks the
// function's result shapes against the reference outputs, and prints
// PASS/FAIL per case and the pass rate. The run fails when a case outside
// the expected-failure list fails, or a listed case passes (so the list
// stays honest).
//
//===----------------------------------------------------------------------===//

#include "TestData.h"

#include "loom/Import/OnnxImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "onnx/onnx_pb.h"

#include <algorithm>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace mlir;

namespace {

/// Imports one case; returns "" on success or the reason it failed.
std::string runCase(const std::string &dir) {
  MLIRContext ctx;
  std::string firstError;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    if (d.getSeverity() == DiagnosticSeverity::Error && firstError.empty())
      firstError = d.str();
    return success();
  });
  // Sequence lengths and absent optionals come from the reference inputs.
  onnx::ModelProto model;
  std::string err;
  loom::onnx_import::ImportOptions options;
  if (!loom_conformance::readModel(dir + "/model.onnx", model, err) ||
      failed(loom::onnx_import::deriveImportOptionsFromData(
          dir + "/model.onnx", dir + "/test_data_set_0", options, err)))
    return "test data: " + err;
  auto module =
      loom::onnx_import::importOnnxFile(&ctx, dir + "/model.onnx", options);
  if (failed(module))
    return firstError.empty() ? "import failed" : firstError;
  auto func = (*module)->lookupSymbol<func::FuncOp>("main");
  if (!func)
    return "no @main";
  // Result shapes must agree with the reference outputs (sequences and
  // optionals flattened into their tensors).
  std::vector<onnx::TensorProto> refs;
  bool structured = false;
  for (int i = 0; i < model.graph().output_size(); ++i) {
    const onnx::TypeProto &ot = model.graph().output(i).type();
    structured |= ot.has_sequence_type() || ot.has_optional_type();
    std::string path =
        dir + "/test_data_set_0/output_" + std::to_string(i) + ".pb";
    if (!llvm::sys::fs::exists(path))
      break;
    if (!loom_conformance::readFlattened(path, model.graph().output(i).type(),
                                          refs, err))
      return "test data: " + err;
  }
  auto results = func.getFunctionType().getResults();
  if (structured && refs.size() != results.size())
    return "@main has " + std::to_string(results.size()) +
           " results, the reference outputs hold " +
           std::to_string(refs.size()) + " tensors";
  for (size_t i = 0; i < refs.size() && i < results.size(); ++i) {
    const onnx::TensorProto &ref = refs[i];
    auto t = dyn_cast<RankedTensorType>(results[i]);
    if (!t)
      return "result " + std::to_string(i) + " is not a ranked tensor";
    if (t.getRank() != ref.dims_size())
      return "result " + std::to_string(i) + " has rank " +
             std::to_string(t.getRank()) + ", reference has " +
             std::to_string(ref.dims_size());
    for (int d = 0; d < ref.dims_size(); ++d)
      if (!t.isDynamicDim(d) && t.getDimSize(d) != ref.dims(d))
        return "result " + std::to_string(i) + " dim " + std::to_string(d) +
               " is " + std::to_string(t.getDimSize(d)) + ", reference has " +
               std::to_string(ref.dims(d));
  }
  return "";
}

/// Runs runCase in a child process; a crash becomes a failure reason.
std::string runIsolated(const std::string &dir) {
  int fds[2];
  if (pipe(fds) != 0)
    return runCase(dir);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::string r = runCase(dir);
    r = r.empty() ? "OK" : r;
    (void)!write(fds[1], r.data(), r.size());
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t k;
  while ((k = read(fds[0], buf, sizeof(buf))) > 0)
    out.append(buf, k);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status))
    return "crash (signal " + std::to_string(WTERMSIG(status)) + ")";
  if (out == "OK")
    return "";
  return out.empty() ? "child exited without a result" : out;
}

std::string oneLine(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  if (s.size() > 300)
    s = s.substr(0, 300) + "...";
  return s;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    llvm::errs() << "usage: loom-import-conformance <node-suite-dir> "
                    "<xfail-file> [--write-xfail FILE] [case...]\n";
    return 2;
  }
  std::string root = argv[1], xfailPath = argv[2], writeXfail;
  std::vector<std::string> only;
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--write-xfail" && i + 1 < argc)
      writeXfail = argv[++i];
    else
      only.push_back(a);
  }

  // Expected failures: "case_name  # reason".
  llvm::StringMap<std::string> xfail;
  {
    std::ifstream in(xfailPath);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#')
        continue;
      size_t sp = line.find_first_of(" \t#");
      std::string name = line.substr(0, sp);
      xfail[name] = sp == std::string::npos ? "" : line.substr(sp);
    }
  }

  std::vector<std::string> cases;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(root, ec), end; it != end && !ec;
       it.increment(ec)) {
    std::string name = llvm::sys::path::filename(it->path()).str();
    if (!only.empty() && std::find(only.begin(), only.end(), name) == only.end())
      continue;
    if (llvm::sys::fs::exists(it->path() + "/model.onnx"))
      cases.push_back(name);
  }
  std::sort(cases.begin(), cases.end());
  if (cases.empty()) {
    llvm::errs() << "no cases under '" << root << "'\n";
    return 2;
  }

  int pass = 0, unexpectedFail = 0, unexpectedPass = 0;
  std::vector<std::pair<std::string, std::string>> failures;
  for (const std::string &name : cases) {
    std::string reason = oneLine(runIsolated(root + "/" + name));
    bool listed = xfail.count(name);
    if (reason.empty()) {
      ++pass;
      llvm::outs() << "PASS " << name << "\n";
      if (listed) {
        ++unexpectedPass;
        llvm::outs() << "  UNEXPECTED PASS: remove it from " << xfailPath
                     << "\n";
      }
    } else {
      failures.push_back({name, reason});
      llvm::outs() << (listed ? "XFAIL " : "FAIL ") << name << ": " << reason
                   << "\n";
      if (!listed)
        ++unexpectedFail;
    }
  }
  double rate = 100.0 * pass / cases.size();
  llvm::outs() << "\nimport pass rate: " << pass << "/" << cases.size()
               << " (" << llvm::format("%.1f", rate) << "%)\n"
               << "unexpected failures: " << unexpectedFail
               << ", unexpected passes: " << unexpectedPass << "\n";

  if (!writeXfail.empty()) {
    std::ofstream out(writeXfail);
    out << "# ONNX node tests the importer does not handle yet, one per line "
           "with the reason.\n"
           "# Regenerate with loom-import-conformance ... --write-xfail FILE; "
           "edit reasons by hand.\n";
    for (auto &[name, reason] : failures) {
      // Keep the list readable: drop the generic hint of unknown-op errors.
      std::string r = reason;
      const std::string hint = " (see loomc --list-ops for the supported ops)";
      if (size_t p = r.find(hint); p != std::string::npos)
        r.erase(p, hint.size());
      out << name << "  # " << r << "\n";
    }
  }
  return (unexpectedFail || unexpectedPass) ? 1 : 0;
}
