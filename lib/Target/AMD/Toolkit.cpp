//===- Toolkit.cpp - ld.lld and device libraries for the ROCDL serializer -===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// MLIR's ROCDL serializer takes one "toolkit" directory and expects a ROCm
// install there: it runs `<toolkit>/llvm/bin/ld.lld` to link the code object
// and links `<toolkit>/amdgcn/bitcode/{ocml,ockl,hip,opencl,
// oclc_isa_version_<N>}.bc` into every kernel module. Debian has the pieces
// in other places (LLVM 22's ld.lld in /usr/lib/llvm-22/bin; the system
// ld.lld is lld-14, which rejects the code object ABI LLVM 22 emits; the
// device libraries of rocm-device-libs in /usr/lib/<triple>/amdgcn), so the
// directory is assembled from links under the temporary directory, once per
// user and input set. Debian's device libraries (ROCm 5.2) have no ISA
// version library for gfx941/942/950: it is one constant, written here.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/AMD/AMDBackend.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <mutex>
#include <unistd.h>

using namespace mlir;
using namespace mlir::loom;
namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

#ifndef LOOM_LLVM_TOOLS_DIR
#define LOOM_LLVM_TOOLS_DIR "/usr/lib/llvm-22/bin"
#endif

namespace {

constexpr const char *kCommonLibs[] = {"ocml", "ockl", "hip", "opencl"};

/// a/b[/c[/d]] (path::append would add a separator for empty parts).
std::string join(StringRef a, StringRef b, StringRef c = "",
                 StringRef d = "") {
  llvm::SmallString<256> p(a);
  for (StringRef part : {b, c, d})
    if (!part.empty())
      path::append(p, part);
  return std::string(p);
}

/// "942" for gfx942: the suffix of the device libraries' ISA file.
std::string isaSuffix(StringRef chip) { return chip.drop_front(3).str(); }

bool hasLibs(StringRef bitcodeDir, StringRef chip, bool withIsa) {
  for (const char *lib : kCommonLibs)
    if (!fs::is_regular_file(join(bitcodeDir, (Twine(lib) + ".bc").str())))
      return false;
  return !withIsa ||
         fs::is_regular_file(join(
             bitcodeDir, "oclc_isa_version_" + isaSuffix(chip) + ".bc"));
}

std::string findLLD() {
  for (const char *dir : {LOOM_LLVM_TOOLS_DIR, "/usr/lib/llvm-22/bin"}) {
    std::string lld = join(dir, "ld.lld");
    if (fs::can_execute(lld))
      return lld;
  }
  return "";
}

std::string findDeviceLibs(StringRef chip) {
  std::vector<std::string> candidates;
  for (const char *var : {"ROCM_PATH", "ROCM_ROOT", "ROCM_HOME"})
    if (std::optional<std::string> dir = llvm::sys::Process::GetEnv(var))
      candidates.push_back(join(*dir, "amdgcn", "bitcode"));
  candidates.push_back("/usr/lib/x86_64-linux-gnu/amdgcn/bitcode");
  candidates.push_back("/usr/lib/amdgcn/bitcode");
  candidates.push_back("/opt/rocm/amdgcn/bitcode");
  for (const std::string &dir : candidates)
    if (hasLibs(dir, chip, /*withIsa=*/false))
      return dir;
  return "";
}

/// The value of `__oclc_ISA_version` for gfxMMmS: M*1000 + m*100 + S, with
/// the stepping a hex digit (gfx90a: 9010, gfx942: 9402).
std::optional<unsigned> isaVersion(StringRef chip) {
  StringRef digits = chip.drop_front(3);
  if (digits.size() < 3)
    return std::nullopt;
  unsigned major, minor, stepping;
  if (digits.drop_back(2).getAsInteger(10, major) ||
      digits.substr(digits.size() - 2, 1).getAsInteger(10, minor) ||
      digits.take_back(1).getAsInteger(16, stepping))
    return std::nullopt;
  return major * 1000 + minor * 100 + stepping;
}

/// Writes the one-constant ISA version library for `chip` to `file`
/// (through a temporary file and a rename: other compilers may race).
bool writeIsaLibrary(StringRef chip, StringRef file, std::string &error) {
  std::optional<unsigned> version = isaVersion(chip);
  if (!version) {
    error = ("cannot derive the ISA version of '" + chip + "'").str();
    return false;
  }
  llvm::LLVMContext ctx;
  llvm::Module module("oclc_isa_version", ctx);
  module.setTargetTriple(llvm::Triple("amdgcn-amd-amdhsa"));
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  auto *gv = new llvm::GlobalVariable(
      module, i32, /*isConstant=*/true, llvm::GlobalValue::LinkOnceODRLinkage,
      llvm::ConstantInt::get(i32, *version), "__oclc_ISA_version", nullptr,
      llvm::GlobalValue::NotThreadLocal, /*AddressSpace=*/4);
  gv->setVisibility(llvm::GlobalValue::ProtectedVisibility);
  gv->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Local);
  gv->setAlignment(llvm::Align(4));
  llvm::SmallString<256> tmp;
  int fd;
  if (fs::createUniqueFile(file + ".%%%%%%", fd, tmp)) {
    error = ("cannot write " + file).str();
    return false;
  }
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    llvm::WriteBitcodeToFile(module, os);
  }
  if (fs::rename(tmp, file)) {
    (void)fs::remove(tmp);
    error = ("cannot write " + file).str();
    return false;
  }
  return true;
}

bool link(StringRef target, StringRef at, std::string &error) {
  if (fs::exists(at))
    return true;
  std::error_code ec = fs::create_link(target, at);
  if (ec && !fs::exists(at)) {
    error = ("cannot link " + at + " -> " + target + ": " + ec.message())
                .str();
    return false;
  }
  return true;
}

} // namespace

std::string amd::prepareROCmToolkit(StringRef chip, std::string &error) {
  // A full ROCm install named by the environment wins.
  for (const char *var : {"ROCM_PATH", "ROCM_ROOT", "ROCM_HOME"})
    if (std::optional<std::string> dir = llvm::sys::Process::GetEnv(var))
      if (fs::can_execute(join(*dir, "llvm", "bin", "ld.lld")) &&
          hasLibs(join(*dir, "amdgcn", "bitcode"), chip, /*withIsa=*/true))
        return *dir;

  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  std::string lld = findLLD();
  if (lld.empty()) {
    error = "LLVM 22's ld.lld is missing (install Debian's lld-22)";
    return "";
  }
  std::string libs = findDeviceLibs(chip);
  if (libs.empty()) {
    error = "the ROCm device libraries are missing (install Debian's "
            "rocm-device-libs, or set ROCM_PATH)";
    return "";
  }
  // One directory per user and input set; links are created idempotently.
  llvm::SmallString<256> root;
  path::system_temp_directory(/*erasedOnReboot=*/true, root);
  std::string key = llvm::utohexstr(llvm::xxh3_64bits(lld + "\n" + libs));
  path::append(root, "loom-rocm-" + std::to_string(::getuid()) + "-" + key);
  std::string bin = join(root, "llvm", "bin");
  std::string bitcode = join(root, "amdgcn", "bitcode");
  if (fs::create_directories(bin) || fs::create_directories(bitcode)) {
    error = ("cannot create " + root).str();
    return "";
  }
  if (!link(lld, join(bin, "ld.lld"), error))
    return "";
  for (const char *lib : kCommonLibs) {
    std::string name = (Twine(lib) + ".bc").str();
    if (!link(join(libs, name), join(bitcode, name), error))
      return "";
  }
  std::string isaName = "oclc_isa_version_" + isaSuffix(chip) + ".bc";
  std::string isaFile = join(bitcode, isaName);
  if (!fs::exists(isaFile)) {
    std::string installed = join(libs, isaName);
    if (fs::is_regular_file(installed) ? !link(installed, isaFile, error)
                                       : !writeIsaLibrary(chip, isaFile, error))
      return "";
  }
  return std::string(root);
}
