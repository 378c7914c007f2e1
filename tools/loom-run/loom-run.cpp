//===- loom-run.cpp - Runs a .loom artifact on test data
//-------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// loom-run MODEL.loom --data DIR [--device cpu|cuda|rocm] [--entry NAME]
//          [--input NAME=FILE]... [--rtol R --atol A] [--bench N]
//          [--output-dir DIR] [--list] [--verify-weights] [--bench-host-outputs]
//
// Exit status: 0 success, 1 an output differs from the expected one,
// 2 any other error (usage, artifact, data, invocation).
//
//===----------------------------------------------------------------------===//

#include "Compare.h"
#include "HostTensor.h"
#include "loom_runtime.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace loom::run;
namespace fs = std::filesystem;

namespace {

const char kUsage[] =
    "usage: loom-run MODEL.loom [--data DIR] [--input NAME=FILE]...\n"
    "                [--device cpu|cuda|rocm] [--entry NAME] [--rtol R]\n"
    "                [--atol A] [--bench N] [--output-dir DIR] [--list]\n"
    "                [--verify-weights] [--bench-host-outputs]\n"
    "\n"
    "  --data DIR        ONNX test data: input_<i>.pb and, if present,\n"
    "                    output_<i>.pb to compare against (TensorProto, or\n"
    "                    Sequence/OptionalProto: their tensors in order, as\n"
    "                    loomc flattens a sequence into NAME.0, NAME.1, ...)\n"
    "  --input NAME=FILE an input by name, .npy or TensorProto .pb (bf16 as <u2)\n"
    "                    (repeatable; overrides --data)\n"
    "  --device D        cpu (default), cuda or rocm\n"
    "  --entry NAME      entry point (default: the only one, or 'main')\n"
    "  --rtol/--atol     |actual-expected| <= atol + rtol*|expected|\n"
    "                    (defaults 1e-3 and 1e-5; NaN matches NaN)\n"
    "  --bench N         time N more invocations; print median and min,\n"
    "                    and compare the last one's outputs too.\n"
    "                    On cuda/rocm the inputs are uploaded to the device\n"
    "                    once, before any invocation (device tensors), so\n"
    "                    the time is the invocation's own: its kernels and\n"
    "                    the device-to-device copies of the inputs, not the\n"
    "                    upload. The timed runs leave their outputs on the\n"
    "                    device (loom_session_set_outputs_on_device), so\n"
    "                    they are not CUDA graph replays; the last run's\n"
    "                    outputs are read back to be compared\n"
    "  --bench-host-outputs  time --bench with outputs copied back to the\n"
    "                    host on every run, as callers without device\n"
    "                    tensors get them (CUDA graphs replay these runs)\n"
    "  --output-dir DIR  write each output as DIR/<name>.npy (bf16 as <u2)\n"
    "  --list            print the entry points and exit\n"
    "  --verify-weights  check the weights' CRC too (code is always checked)\n"
    "\n"
    "Environment: LOOM_CUDA_PROFILE=1 prints, after each invocation on cuda,\n"
    "one line to stderr: total kernel time, launches and the 5 kernels with\n"
    "the largest total time (name, count, ms); kernels are then launched one\n"
    "by one (no CUDA graphs). LOOM_CUDA_GRAPHS=0 turns graphs off,\n"
    "LOOM_GPU_TRACE=1 logs every driver call.\n"
    "\n"
    "Exit status: 0 ok, 1 outputs differ, 2 any other error.\n";

struct Options {
  std::string model;
  std::string dataDir;
  std::vector<std::pair<std::string, std::string>> inputs;
  std::string device = "cpu";
  std::string entry;
  double rtol = 1e-3, atol = 1e-5;
  int bench = 0;
  std::string outputDir;
  bool list = false;
  bool verifyWeights = false;
  bool benchHostOutputs = false;
};

int error(const std::string &msg) {
  std::fprintf(stderr, "loom-run: error: %s\n", msg.c_str());
  return 2;
}

// Prints and frees `st`; returns true if it was an error.
bool failed(loom_status_t st, const std::string &what) {
  if (!st)
    return false;
  std::fprintf(stderr, "loom-run: error: %s: %s: %s\n", what.c_str(),
               loom_status_code_name(loom_status_code(st)),
               loom_status_message(st));
  loom_status_free(st);
  return true;
}

bool parseDouble(const char *s, double &out) {
  char *end = nullptr;
  out = std::strtod(s, &end);
  return end != s && *end == '\0' && out >= 0;
}

std::optional<Options> parseArgs(int argc, char **argv, int &exitCode) {
  Options o;
  exitCode = 2;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char *name) -> const char * {
      if (i + 1 >= argc) {
        error(std::string(name) + " needs a value");
        return nullptr;
      }
      return argv[++i];
    };
    const char *v = nullptr;
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      exitCode = 0;
      return std::nullopt;
    } else if (a == "--list") {
      o.list = true;
    } else if (a == "--verify-weights") {
      o.verifyWeights = true;
    } else if (a == "--bench-host-outputs") {
      o.benchHostOutputs = true;
    } else if (a == "--data" || a == "--device" || a == "--entry" ||
               a == "--output-dir" || a == "--input" || a == "--rtol" ||
               a == "--atol" || a == "--bench") {
      if (!(v = value(a.c_str())))
        return std::nullopt;
      if (a == "--data") {
        o.dataDir = v;
      } else if (a == "--device") {
        o.device = v;
      } else if (a == "--entry") {
        o.entry = v;
      } else if (a == "--output-dir") {
        o.outputDir = v;
      } else if (a == "--input") {
        const char *eq = std::strchr(v, '=');
        if (!eq || eq == v || !eq[1]) {
          error(std::string("--input expects NAME=FILE, got '") + v + "'");
          return std::nullopt;
        }
        o.inputs.emplace_back(std::string(v, eq), std::string(eq + 1));
      } else if (a == "--bench") {
        char *end = nullptr;
        long n = std::strtol(v, &end, 10);
        if (end == v || *end || n < 1 || n > 1000000) {
          error(std::string("--bench expects a count >= 1, got '") + v + "'");
          return std::nullopt;
        }
        o.bench = int(n);
      } else if (!parseDouble(v, a == "--rtol" ? o.rtol : o.atol)) {
        error(a + " expects a number >= 0, got '" + v + "'");
        return std::nullopt;
      }
    } else if (!a.empty() && a[0] == '-') {
      error("unknown option '" + a + "'\n" + kUsage);
      return std::nullopt;
    } else if (o.model.empty()) {
      o.model = a;
    } else {
      error("more than one model given ('" + o.model + "', '" + a + "')");
      return std::nullopt;
    }
  }
  if (o.model.empty()) {
    std::fputs(kUsage, stderr);
    return std::nullopt;
  }
  return o;
}

// Files `<prefix><i>.pb` in `dir` for i = 0, 1, ... up to the first gap.
std::vector<std::string> numberedFiles(const std::string &dir,
                                       const std::string &prefix) {
  std::vector<std::string> files;
  for (size_t i = 0;; ++i) {
    fs::path p = fs::path(dir) / (prefix + std::to_string(i) + ".pb");
    std::error_code ec;
    if (!fs::exists(p, ec))
      break;
    files.push_back(p.string());
  }
  return files;
}

std::string shapeText(const loom_tensor_info_t &info) {
  std::string s = std::string(loom_dtype_name(info.dtype)) + "[";
  for (int32_t d = 0; d < info.rank; ++d) {
    s += d ? ", " : "";
    if (info.dims[d] >= 0)
      s += std::to_string(info.dims[d]);
    else
      s += info.dim_symbols[d] ? info.dim_symbols[d] : "?";
  }
  return s + "]";
}

std::string safeFileName(const std::string &name, size_t index) {
  std::string s;
  for (char c : name)
    s += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
          c == '.')
             ? c
             : '_';
  if (s.empty() || s[0] == '.')
    s = "output_" + std::to_string(index);
  return s;
}

// Holds C API objects for the length of main.
struct Handles {
  loom_runtime_t *runtime = nullptr;
  loom_device_t *device = nullptr;
  loom_module_t *module = nullptr;
  loom_session_t *session = nullptr;
  std::vector<loom_tensor_t *> inputs, outputs;
  void releaseOutputs() {
    for (loom_tensor_t *&t : outputs) {
      loom_tensor_release(t);
      t = nullptr;
    }
  }
  ~Handles() {
    releaseOutputs();
    for (loom_tensor_t *t : inputs)
      loom_tensor_release(t);
    loom_session_release(session);
    loom_module_release(module);
    loom_device_release(device);
    loom_runtime_release(runtime);
  }
};

int run(const Options &o) {
  Handles h;
  if (failed(loom_runtime_create(&h.runtime), "creating the runtime") ||
      failed(loom_device_create(h.runtime, o.device.c_str(), &h.device),
             "creating device '" + o.device + "'") ||
      failed(loom_module_load_file(h.device, o.model.c_str(),
                                   o.verifyWeights ? LOOM_LOAD_VERIFY_WEIGHTS
                                                   : LOOM_LOAD_DEFAULT,
                                   &h.module),
             "loading the model"))
    return 2;

  size_t numEntries = loom_module_entry_count(h.module);
  if (o.list) {
    for (size_t e = 0; e < numEntries; ++e) {
      loom_entry_info_t info;
      if (failed(loom_module_entry_info(h.module, e, &info), "listing"))
        return 2;
      std::printf("entry %s\n", info.name);
      for (size_t i = 0; i < info.num_inputs + info.num_outputs; ++i) {
        bool in = i < info.num_inputs;
        loom_tensor_info_t t;
        loom_status_t st =
            in ? loom_module_input_info(h.module, e, i, &t)
               : loom_module_output_info(h.module, e, i - info.num_inputs, &t);
        if (failed(st, "listing"))
          return 2;
        std::printf("  %s %s: %s\n", in ? "input " : "output", t.name,
                    shapeText(t).c_str());
      }
    }
    return 0;
  }

  size_t entry = 0;
  if (!o.entry.empty() || numEntries != 1) {
    std::string name = o.entry.empty() ? "main" : o.entry;
    if (failed(loom_module_find_entry(h.module, name.c_str(), &entry),
               o.entry.empty() ? "the model has several entry points; pick "
                                 "one with --entry"
                               : "--entry"))
      return 2;
  }
  loom_entry_info_t info;
  if (failed(loom_module_entry_info(h.module, entry, &info), "entry"))
    return 2;

  // Inputs: --data files by position, then --input by name on top.
  std::vector<std::optional<HostTensor>> inputs(info.num_inputs);
  std::vector<HostTensor> expected;
  bool haveExpected = false;
  if (!o.dataDir.empty()) {
    std::error_code ec;
    if (!fs::is_directory(o.dataDir, ec))
      return error("--data '" + o.dataDir + "' is not a directory");
    // Sequence/optional files hold several (or no) tensors, flattened in
    // the order the importer flattened the graph's inputs and outputs.
    std::vector<HostTensor> flat;
    for (const std::string &file : numberedFiles(o.dataDir, "input_")) {
      std::string err;
      if (!readTestDataFile(file, flat, &err))
        return error(err);
    }
    if (flat.size() != info.num_inputs && o.inputs.empty())
      return error("the input_<i>.pb files of '" + o.dataDir + "' hold " +
                   std::to_string(flat.size()) + " tensors, entry '" +
                   info.name + "' takes " + std::to_string(info.num_inputs) +
                   " inputs");
    for (size_t i = 0; i < flat.size() && i < info.num_inputs; ++i) {
      inputs[i] = std::move(flat[i]);
      // ONNX 1.12's bfloat16 cases store their data as uint16 tensors.
      loom_tensor_info_t t;
      if (!failed(loom_module_input_info(h.module, entry, i, &t), "input") &&
          t.dtype == LOOM_DTYPE_BF16 && inputs[i]->dtype == LOOM_DTYPE_U16)
        inputs[i]->dtype = LOOM_DTYPE_BF16;
    }
    for (const std::string &file : numberedFiles(o.dataDir, "output_")) {
      haveExpected = true;
      std::string err;
      if (!readTestDataFile(file, expected, &err))
        return error(err);
    }
    if (!expected.empty() && expected.size() != info.num_outputs)
      return error("the output_<i>.pb files of '" + o.dataDir + "' hold " +
                   std::to_string(expected.size()) + " tensors, entry '" +
                   info.name + "' has " + std::to_string(info.num_outputs) +
                   " outputs");
  }
  for (const auto &[name, file] : o.inputs) {
    size_t idx = info.num_inputs;
    for (size_t i = 0; i < info.num_inputs; ++i) {
      loom_tensor_info_t t;
      if (!failed(loom_module_input_info(h.module, entry, i, &t), "input") &&
          name == t.name)
        idx = i;
    }
    if (idx == info.num_inputs)
      return error("entry '" + std::string(info.name) +
                   "' has no input named '" + name + "'");
    std::string err;
    inputs[idx].emplace();
    if (!readTensorFile(file, *inputs[idx], &err))
      return error(err);
    // numpy has no bfloat16: a bf16 input may come as its bits in a <u2 file
    // (the form --output-dir writes).
    loom_tensor_info_t t;
    if (!failed(loom_module_input_info(h.module, entry, idx, &t), "input") &&
        t.dtype == LOOM_DTYPE_BF16 && inputs[idx]->dtype == LOOM_DTYPE_U16)
      inputs[idx]->dtype = LOOM_DTYPE_BF16;
  }
  bool onGpu = std::strcmp(loom_device_target(h.device), "cpu") != 0;
  for (size_t i = 0; i < info.num_inputs; ++i) {
    loom_tensor_info_t t;
    if (failed(loom_module_input_info(h.module, entry, i, &t), "input"))
      return 2;
    if (!inputs[i])
      return error("input " + std::to_string(i) + " ('" + t.name +
                   "') has no data: give --data DIR or --input " + t.name +
                   "=FILE");
    const HostTensor &ht = *inputs[i];
    loom_tensor_t *tensor = nullptr;
    // GPU devices: inputs live on the device, uploaded here once.
    loom_status_t st =
        onGpu ? loom_tensor_create_on_device(h.device, ht.dtype,
                                             int32_t(ht.shape.size()),
                                             ht.shape.data(), &tensor)
              : loom_tensor_create_copy(ht.dtype, int32_t(ht.shape.size()),
                                        ht.shape.data(), ht.data.data(),
                                        ht.data.size(), &tensor);
    if (!st && onGpu)
      st = loom_tensor_write(tensor, ht.data.data(), ht.data.size());
    if (tensor)
      h.inputs.push_back(tensor);
    if (failed(st, "input '" + std::string(t.name) + "'"))
      return 2;
  }

  if (failed(loom_session_create(h.module, &h.session), "creating a session"))
    return 2;
  h.outputs.assign(info.num_outputs, nullptr);
  if (failed(loom_session_invoke(h.session, entry, h.inputs.data(),
                                 h.inputs.size(), h.outputs.data(),
                                 h.outputs.size()),
             "invoking '" + std::string(info.name) + "'"))
    return 2;

  int status = 0;
  for (size_t i = 0; i < info.num_outputs; ++i) {
    loom_tensor_info_t t;
    if (failed(loom_module_output_info(h.module, entry, i, &t), "output"))
      return 2;
    loom_tensor_t *out = h.outputs[i];
    HostTensor got;
    got.name = t.name;
    got.dtype = loom_tensor_dtype(out);
    got.shape.assign(loom_tensor_shape(out),
                     loom_tensor_shape(out) + loom_tensor_rank(out));
    const uint8_t *bytes = static_cast<const uint8_t *>(loom_tensor_data(out));
    got.data.assign(bytes, bytes + loom_tensor_byte_size(out));
    std::printf("output %zu '%s': %s", i, t.name, describe(got).c_str());

    if (i < expected.size()) {
      HostTensor &want = expected[i];
      // bf16 references stored as uint16 (ONNX 1.12's test data).
      if (want.dtype == LOOM_DTYPE_U16 && got.dtype == LOOM_DTYPE_BF16)
        want.dtype = LOOM_DTYPE_BF16;
      if (want.dtype != got.dtype || want.shape != got.shape) {
        std::printf("  MISMATCH: expected %s\n", describe(want).c_str());
        status = 1;
      } else {
        CompareResult r =
            compareTensors(got.dtype, got.data.data(), want.data.data(),
                           loom_tensor_element_count(out), o.rtol, o.atol);
        std::printf("  max abs err %.6g  max rel err %.6g  %s", r.maxAbsError,
                    r.maxRelError, r.match ? "ok" : "MISMATCH");
        if (!r.match) {
          std::printf(
              " (%lld of %lld elements; first at %lld: got %.9g, "
              "expected %.9g)",
              (long long)r.mismatches,
              (long long)loom_tensor_element_count(out),
              (long long)r.firstMismatch,
              elementAsDouble(got.dtype, got.data.data(), r.firstMismatch),
              elementAsDouble(want.dtype, want.data.data(), r.firstMismatch));
          status = 1;
        }
        std::printf("\n");
      }
    } else {
      // Nothing to compare with: show the first values instead.
      int64_t count = loom_tensor_element_count(out);
      std::printf("  =");
      for (int64_t k = 0; k < count && k < 8; ++k)
        std::printf(" %.6g", elementAsDouble(got.dtype, got.data.data(), k));
      std::printf("%s\n", count > 8 ? " ..." : "");
    }

    if (!o.outputDir.empty()) {
      std::error_code ec;
      fs::create_directories(o.outputDir, ec);
      std::vector<uint8_t> npy;
      std::string err;
      std::string path =
          (fs::path(o.outputDir) / (safeFileName(t.name, i) + ".npy")).string();
      if (!encodeNpy(got, npy, &err) || !writeFile(path, npy, &err))
        return error(err);
    }
  }

  if (o.bench > 0) {
    // GPU outputs stay on the device during the timed runs (the caller
    // reads them when it needs them); the last run's are read back below.
    bool deviceOutputs = onGpu && !o.benchHostOutputs;
    if (deviceOutputs &&
        failed(loom_session_set_outputs_on_device(h.session, 1),
               "keeping outputs on the device"))
      return 2;
    std::vector<double> ms;
    for (int k = 0; k < o.bench; ++k) {
      h.releaseOutputs();
      auto t0 = std::chrono::steady_clock::now();
      loom_status_t st = loom_session_invoke(h.session, entry, h.inputs.data(),
                                             h.inputs.size(), h.outputs.data(),
                                             h.outputs.size());
      auto t1 = std::chrono::steady_clock::now();
      if (failed(st, "benchmark run " + std::to_string(k)))
        return 2;
      ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    double median = ms.size() % 2
                        ? ms[ms.size() / 2]
                        : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
    std::printf("bench: %d runs%s  median %.4f ms  min %.4f ms\n", o.bench,
                deviceOutputs ? " (inputs and outputs resident on the device)"
                : onGpu       ? " (inputs resident on the device)"
                              : "",
                median,
                ms.front());
    // The last run is checked too, its outputs read back from the device.
    if (!expected.empty()) {
      size_t bad = 0;
      for (size_t i = 0; i < info.num_outputs; ++i) {
        loom_tensor_t *out = h.outputs[i];
        const HostTensor &want = expected[i];
        std::vector<int64_t> shape(loom_tensor_shape(out),
                                   loom_tensor_shape(out) +
                                       loom_tensor_rank(out));
        std::vector<uint8_t> bytes(loom_tensor_byte_size(out));
        if (failed(loom_tensor_read(out, bytes.data(), bytes.size()),
                   "reading output " + std::to_string(i)))
          return 2;
        bool same = want.dtype == loom_tensor_dtype(out) &&
                    want.shape == shape &&
                    compareTensors(want.dtype, bytes.data(),
                                   want.data.data(),
                                   loom_tensor_element_count(out), o.rtol,
                                   o.atol)
                        .match;
        bad += !same;
      }
      std::printf("bench: last run's outputs %s\n",
                  bad ? "differ from the expected ones" : "ok");
      if (bad)
        status = 1;
    }
  }
  if (haveExpected)
    std::printf("%s\n", status ? "FAILED: outputs differ from the expected "
                                 "ones"
                               : "PASSED");
  return status;
}

} // namespace

int main(int argc, char **argv) {
  int exitCode;
  std::optional<Options> o = parseArgs(argc, argv, exitCode);
  if (!o)
    return exitCode;
  return run(*o);
}
