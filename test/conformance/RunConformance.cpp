//===- RunConformance.cpp - ONNX node tests compiled and run on a device ---===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// For every case of ONNX's node test suite: import model.onnx, compile it
// into an artifact, load that with the runtime, run it on each
// test_data_set_* and compare with the expected outputs at the suite's
// tolerance. Each case runs in a child process, so a crash or a hang fails
// that case only; several children run at once.
//
// The result is checked against an expected-failure file (one line per
// case: `name  reason`): a listed case that passes, or an unlisted case that
// fails, makes the run fail, so the list always says the truth.
//
//===----------------------------------------------------------------------===//

#include "TestData.h"

#include "loom/Compiler.h"
#include "loom/Import/OnnxImporter.h"
#include "loom/InitAll.h"
#include "loom_runtime.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace mlir;

namespace {

/// A decoded TensorProto: dtype (ONNX numbering = loom_dtype_t), shape and
/// dense little-endian bytes.
struct HostTensor {
  loom_dtype_t dtype = LOOM_DTYPE_INVALID;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
};

template <typename T, typename Src>
void appendAs(std::vector<uint8_t> &out, const Src &values) {
  for (auto v : values) {
    T t = static_cast<T>(v);
    const auto *p = reinterpret_cast<const uint8_t *>(&t);
    out.insert(out.end(), p, p + sizeof(T));
  }
}

bool readTensor(const onnx::TensorProto &proto, const std::string &path,
                HostTensor &out, std::string &err) {
  out.dtype = static_cast<loom_dtype_t>(proto.data_type());
  out.shape.assign(proto.dims().begin(), proto.dims().end());
  if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    out.bytes.assign(raw.begin(), raw.end());
    return true;
  }
  switch (proto.data_type()) {
  case onnx::TensorProto::FLOAT:
    appendAs<float>(out.bytes, proto.float_data());
    return true;
  case onnx::TensorProto::DOUBLE:
    appendAs<double>(out.bytes, proto.double_data());
    return true;
  case onnx::TensorProto::INT64:
    appendAs<int64_t>(out.bytes, proto.int64_data());
    return true;
  case onnx::TensorProto::UINT64:
  case onnx::TensorProto::UINT32:
    if (proto.data_type() == onnx::TensorProto::UINT32)
      appendAs<uint32_t>(out.bytes, proto.uint64_data());
    else
      appendAs<uint64_t>(out.bytes, proto.uint64_data());
    return true;
  case onnx::TensorProto::INT32:
    appendAs<int32_t>(out.bytes, proto.int32_data());
    return true;
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
    appendAs<uint16_t>(out.bytes, proto.int32_data());
    return true;
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL:
    appendAs<uint8_t>(out.bytes, proto.int32_data());
    return true;
  default:
    err = "unsupported tensor data type " +
          std::to_string(proto.data_type()) + " in " + path;
    return false;
  }
}

double toDouble(loom_dtype_t dtype, const uint8_t *p) {
  auto load = [p](auto v) {
    std::memcpy(&v, p, sizeof(v));
    return v;
  };
  switch (dtype) {
  case LOOM_DTYPE_F32:
    return load(float());
  case LOOM_DTYPE_F64:
    return load(double());
  case LOOM_DTYPE_F16: {
    uint16_t h = load(uint16_t());
    int exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    double v = exp == 0    ? std::ldexp(mant, -24)
               : exp == 31 ? (mant ? NAN : INFINITY)
                           : std::ldexp(mant + 1024, exp - 25);
    return (h & 0x8000) ? -v : v;
  }
  case LOOM_DTYPE_BF16: {
    uint32_t bits = uint32_t(load(uint16_t())) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
  case LOOM_DTYPE_I8:
    return load(int8_t());
  case LOOM_DTYPE_U8:
  case LOOM_DTYPE_BOOL:
    return load(uint8_t());
  case LOOM_DTYPE_I16:
    return load(int16_t());
  case LOOM_DTYPE_U16:
    return load(uint16_t());
  case LOOM_DTYPE_I32:
    return load(int32_t());
  case LOOM_DTYPE_U32:
    return load(uint32_t());
  case LOOM_DTYPE_I64:
    return double(load(int64_t()));
  case LOOM_DTYPE_U64:
    return double(load(uint64_t()));
  default:
    return NAN;
  }
}

/// Compares one output; returns "" when it matches.
std::string compare(const HostTensor &expected, loom_tensor_t *actual,
                    double rtol, double atol) {
  loom_dtype_t dtype = loom_tensor_dtype(actual);
  if (dtype != expected.dtype)
    return std::string("dtype ") + loom_dtype_name(dtype) + ", expected " +
           loom_dtype_name(expected.dtype);
  int32_t rank = loom_tensor_rank(actual);
  const int64_t *shape = loom_tensor_shape(actual);
  if (std::vector<int64_t>(shape, shape + rank) != expected.shape)
    return "shape differs from the expected output";
  int32_t bits = loom_dtype_bits(dtype);
  size_t bytes = loom_tensor_byte_size(actual);
  if (bytes != expected.bytes.size() || bits % 8 != 0)
    return "size differs from the expected output";
  bool isFloat = dtype == LOOM_DTYPE_F32 || dtype == LOOM_DTYPE_F64 ||
                 dtype == LOOM_DTYPE_F16 || dtype == LOOM_DTYPE_BF16;
  const auto *data = static_cast<const uint8_t *>(loom_tensor_data(actual));
  size_t step = bits / 8, count = bytes / step;
  for (size_t i = 0; i < count; ++i) {
    double a = toDouble(dtype, data + i * step);
    double e = toDouble(dtype, expected.bytes.data() + i * step);
    if (std::isnan(e) && std::isnan(a))
      continue;
    bool ok = isFloat ? (a == e || std::fabs(a - e) <= atol + rtol * std::fabs(e))
                      : a == e;
    if (!ok) {
      char msg[160];
      std::snprintf(msg, sizeof(msg), "element %zu is %.8g, expected %.8g", i,
                    a, e);
      return msg;
    }
  }
  return "";
}

/// The dtype entry 0 declares for an input or output.
loom_dtype_t declaredDType(loom_module_t *mod, bool input, size_t index) {
  loom_tensor_info_t info;
  loom_status_t status = input ? loom_module_input_info(mod, 0, index, &info)
                               : loom_module_output_info(mod, 0, index, &info);
  if (status) {
    loom_status_free(status);
    return LOOM_DTYPE_INVALID;
  }
  return info.dtype;
}

void releaseAll(std::vector<loom_tensor_t *> &tensors) {
  for (loom_tensor_t *t : tensors)
    loom_tensor_release(t);
  tensors.clear();
}

/// Compiles and runs one case; returns "" on success or the reason.
std::string runCase(const std::string &dir, const std::string &target) {
  DialectRegistry registry;
  loom::registerAllDialects(registry);
  loom::onnx_import::registerImporterDialects(registry);
  MLIRContext ctx(registry);
  ctx.disableMultithreading();
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &diag) {
    if (diagnostics.empty())
      diagnostics = diag.str();
    return success();
  });

  // Sequence lengths and absent optionals come from the first data set.
  onnx::ModelProto model;
  std::string dataErr;
  loom::onnx_import::ImportOptions importOptions;
  if (!loom_conformance::readModel(dir + "/model.onnx", model, dataErr) ||
      failed(loom::onnx_import::deriveImportOptionsFromData(
          dir + "/model.onnx", dir + "/test_data_set_0", importOptions,
          dataErr)))
    return "test data: " + dataErr;
  std::vector<const onnx::ValueInfoProto *> graphInputs =
      loom_conformance::dataInputs(model);
  auto module = loom::onnx_import::importOnnxFile(&ctx, dir + "/model.onnx",
                                                  importOptions);
  if (failed(module))
    return "import: " + diagnostics;
  loom::CompileOptions options;
  options.targets = {target};
  FailureOr<std::vector<uint8_t>> artifact =
      loom::compileToArtifact(module->get(), options);
  if (failed(artifact))
    return "compile: " + diagnostics;

  loom_runtime_t *runtime = nullptr;
  loom_device_t *device = nullptr;
  loom_module_t *mod = nullptr;
  loom_session_t *session = nullptr;
  std::string result;
  auto check = [&](loom_status_t status, const char *what) {
    if (!status)
      return true;
    result = std::string(what) + ": " + loom_status_message(status);
    loom_status_free(status);
    return false;
  };
  if (check(loom_runtime_create(&runtime), "runtime") &&
      check(loom_device_create(runtime, "cpu", &device), "device") &&
      check(loom_module_load_memory(device, artifact->data(), artifact->size(),
                                    LOOM_LOAD_DEFAULT, &mod),
            "load") &&
      check(loom_session_create(mod, &session), "session")) {
    std::error_code ec;
    int sets = 0;
    for (llvm::sys::fs::directory_iterator it(dir, ec), end;
         it != end && !ec && result.empty(); it.increment(ec)) {
      std::string set = it->path();
      if (llvm::sys::path::filename(set).find("test_data_set_") != 0)
        continue;
      ++sets;
      std::vector<loom_tensor_t *> inputs, outputs;
      std::vector<HostTensor> expected;
      std::string err;
      // Every file is flattened into the tensors the entry takes/returns.
      for (size_t i = 0; result.empty(); ++i) {
        std::string path = set + "/input_" + std::to_string(i) + ".pb";
        if (!llvm::sys::fs::exists(path))
          break;
        std::vector<onnx::TensorProto> protos;
        onnx::TypeProto tensorType;
        tensorType.mutable_tensor_type();
        if (!loom_conformance::readFlattened(
                path, i < graphInputs.size() ? graphInputs[i]->type() : tensorType,
                protos, err)) {
          result = err;
          break;
        }
        for (const onnx::TensorProto &proto : protos) {
          HostTensor t;
          loom_tensor_t *tensor = nullptr;
          bool ok = readTensor(proto, path, t, err);
          // ONNX 1.12's bfloat16 cases store their data as uint16 tensors.
          if (ok && t.dtype == LOOM_DTYPE_U16 &&
              declaredDType(mod, true, inputs.size()) == LOOM_DTYPE_BF16)
            t.dtype = LOOM_DTYPE_BF16;
          if (!ok ||
              !check(loom_tensor_create_copy(t.dtype, int32_t(t.shape.size()),
                                             t.shape.data(), t.bytes.data(),
                                             t.bytes.size(), &tensor),
                     "input")) {
            if (result.empty())
              result = err;
            break;
          }
          inputs.push_back(tensor);
        }
      }
      for (int i = 0; result.empty(); ++i) {
        std::string path = set + "/output_" + std::to_string(i) + ".pb";
        if (!llvm::sys::fs::exists(path))
          break;
        std::vector<onnx::TensorProto> protos;
        onnx::TypeProto tensorType;
        tensorType.mutable_tensor_type();
        if (!loom_conformance::readFlattened(
                path, i < model.graph().output_size()
                          ? model.graph().output(i).type() : tensorType,
                protos, err)) {
          result = err;
          break;
        }
        for (const onnx::TensorProto &proto : protos) {
          HostTensor t;
          if (!readTensor(proto, path, t, err)) {
            result = err;
            break;
          }
          if (t.dtype == LOOM_DTYPE_U16 &&
              declaredDType(mod, false, expected.size()) == LOOM_DTYPE_BF16)
            t.dtype = LOOM_DTYPE_BF16;
          expected.push_back(std::move(t));
        }
      }
      if (result.empty()) {
        outputs.assign(expected.size(), nullptr);
        if (check(loom_session_invoke(session, 0, inputs.data(), inputs.size(),
                                      outputs.data(), outputs.size()),
                  "run"))
          for (size_t i = 0; i < expected.size() && result.empty(); ++i) {
            std::string why = compare(expected[i], outputs[i], 1e-3, 1e-7);
            if (!why.empty())
              result = "output " + std::to_string(i) + ": " + why;
          }
      }
      for (loom_tensor_t *t : outputs)
        if (t)
          loom_tensor_release(t);
      releaseAll(inputs);
    }
    if (result.empty() && sets == 0)
      result = "no test_data_set_* folder";
  }
  if (session)
    loom_session_release(session);
  if (mod)
    loom_module_release(mod);
  if (device)
    loom_device_release(device);
  if (runtime)
    loom_runtime_release(runtime);
  return result;
}

/// One case in a child process; the reason comes back through a pipe.
struct Child {
  pid_t pid;
  int fd;
  std::string name;
};

Child startCase(const std::string &suite, const std::string &name,
                const std::string &target, unsigned timeoutSeconds) {
  int fds[2];
  if (pipe(fds) != 0) {
    perror("pipe");
    exit(2);
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    alarm(timeoutSeconds);
    std::string why = runCase(suite + "/" + name, target);
    if (why.empty())
      why = "PASS";
    std::replace(why.begin(), why.end(), '\n', ' ');
    (void)!write(fds[1], why.data(), why.size());
    _exit(0);
  }
  close(fds[1]);
  return {pid, fds[0], name};
}

std::string finishCase(Child &child) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(child.fd, buf, sizeof(buf))) > 0)
    out.append(buf, size_t(n));
  close(child.fd);
  int status = 0;
  waitpid(child.pid, &status, 0);
  if (WIFSIGNALED(status))
    return std::string("crashed (") + strsignal(WTERMSIG(status)) + ")" +
           (WTERMSIG(status) == SIGALRM ? ": timed out" : "");
  if (out.empty())
    return "exited without a result";
  return out == "PASS" ? "" : out;
}

std::map<std::string, std::string> readExpectedFailures(const std::string &p) {
  std::map<std::string, std::string> xfail;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    llvm::StringRef l = llvm::StringRef(line).trim();
    if (l.empty() || l.starts_with("#"))
      continue;
    auto [name, reason] = l.split(' ');
    xfail[name.str()] = reason.trim().str();
  }
  return xfail;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: %s <node-suite-dir> <xfail-file> [--target T] "
                 "[--jobs N] [--write-xfail FILE] [case...]\n",
                 argv[0]);
    return 2;
  }
  std::string suite = argv[1], xfailPath = argv[2], target = "cpu",
              writeXfail;
  unsigned jobs = std::max(1u, unsigned(sysconf(_SC_NPROCESSORS_ONLN)));
  std::vector<std::string> cases;
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--target" && i + 1 < argc)
      target = argv[++i];
    else if (a == "--jobs" && i + 1 < argc)
      jobs = unsigned(std::max(1, std::atoi(argv[++i])));
    else if (a == "--write-xfail" && i + 1 < argc)
      writeXfail = argv[++i];
    else
      cases.push_back(a);
  }
  if (cases.empty()) {
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(suite, ec), end; it != end && !ec;
         it.increment(ec))
      if (llvm::sys::fs::exists(it->path() + "/model.onnx"))
        cases.push_back(llvm::sys::path::filename(it->path()).str());
    std::sort(cases.begin(), cases.end());
  }
  std::map<std::string, std::string> xfail = readExpectedFailures(xfailPath);

  std::map<std::string, std::string> failures;
  std::vector<Child> running;
  size_t next = 0, passed = 0;
  while (next < cases.size() || !running.empty()) {
    while (next < cases.size() && running.size() < jobs)
      running.push_back(startCase(suite, cases[next++], target, 120));
    Child child = running.front();
    running.erase(running.begin());
    std::string why = finishCase(child);
    if (why.empty()) {
      ++passed;
      std::printf("PASS %s\n", child.name.c_str());
    } else {
      failures[child.name] = why;
      std::printf("FAIL %s: %s\n", child.name.c_str(), why.c_str());
    }
    std::fflush(stdout);
  }

  size_t unexpectedFail = 0, unexpectedPass = 0;
  for (auto &[name, why] : failures)
    if (!xfail.count(name)) {
      ++unexpectedFail;
      std::printf("UNEXPECTED FAIL %s: %s\n", name.c_str(), why.c_str());
    }
  for (const std::string &name : cases)
    if (xfail.count(name) && !failures.count(name)) {
      ++unexpectedPass;
      std::printf("UNEXPECTED PASS %s (remove it from %s)\n", name.c_str(),
                  xfailPath.c_str());
    }
  if (!writeXfail.empty()) {
    std::ofstream out(writeXfail);
    out << "# ONNX node tests that do not yet run correctly on '" << target
        << "'; one line each: name reason.\n";
    for (auto &[name, why] : failures)
      out << name << " " << why.substr(0, 200) << "\n";
  }
  std::printf("\nnode tests passing numerically on %s: %zu/%zu (%.1f%%)\n",
              target.c_str(), passed, cases.size(),
              cases.empty() ? 0.0 : 100.0 * double(passed) / cases.size());
  std::printf("unexpected failures: %zu, unexpected passes: %zu\n",
              unexpectedFail, unexpectedPass);
  return unexpectedFail || unexpectedPass ? 1 : 0;
}
