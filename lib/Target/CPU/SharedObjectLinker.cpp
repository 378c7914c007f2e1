//===- SharedObjectLinker.cpp - Object file to shared object, in memory ---===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// lld only reads and writes paths. The object goes in through an anonymous
// memory file (memfd) reached as /proc/self/fd/N, and the shared object
// comes out through a pipe drained by a thread: lld writes non-regular
// outputs in one piece at the end instead of through a temporary file next
// to the path. Nothing touches the file system, which the JIT relies on.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/CPUBackend.h"

#include "lld/Common/Driver.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <string>
#include <thread>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

LLD_HAS_DRIVER(elf)

using namespace mlir;

namespace {

/// An anonymous in-memory file, closed on destruction.
class MemFile {
public:
  explicit MemFile(const char *name) : fd(memfd_create(name, MFD_CLOEXEC)) {}
  ~MemFile() {
    if (fd >= 0)
      close(fd);
  }
  MemFile(const MemFile &) = delete;
  MemFile &operator=(const MemFile &) = delete;

  bool valid() const { return fd >= 0; }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd); }

  bool write(llvm::ArrayRef<char> bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return false;
      done += size_t(n);
    }
    return true;
  }

private:
  int fd;
};

} // namespace

FailureOr<std::vector<char>>
mlir::loom::cpu::linkSharedObject(ArrayRef<char> object, std::string &error) {
  MemFile input("loom-object");
  if (!input.valid()) {
    error = std::string("memfd_create failed: ") + std::strerror(errno);
    return failure();
  }
  if (!input.write(object)) {
    error = "cannot write the object file to memory";
    return failure();
  }
  int pipeFds[2];
  if (pipe2(pipeFds, O_CLOEXEC) != 0) {
    error = std::string("pipe failed: ") + std::strerror(errno);
    return failure();
  }
  std::vector<char> bytes;
  std::thread drain([&bytes, fd = pipeFds[0]] {
    char chunk[1 << 16];
    for (;;) {
      ssize_t n = read(fd, chunk, sizeof(chunk));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      bytes.insert(bytes.end(), chunk, chunk + n);
    }
    close(fd);
  });

  std::string in = input.path();
  std::string out = "/proc/self/fd/" + std::to_string(pipeFds[1]);
  // Parallel loops call libomp (__kmpc_*): with --as-needed it becomes a
  // DT_NEEDED only of objects that use it, found through the RUNPATH at
  // dlopen (runtime/include/loom_abi.h states the rule).
  const char *args[] = {"ld.lld",
                        "-shared",
                        "--as-needed",
                        "-O2",
                        "--gc-sections",
                        "-o",
                        out.c_str(),
                        in.c_str(),
                        "-L" LOOM_OPENMP_LIBDIR,
                        "-rpath",
                        LOOM_OPENMP_LIBDIR,
                        "-lomp"};

  std::string diagnostics;
  llvm::raw_string_ostream diag(diagnostics);
  static std::mutex lldMutex; // lld keeps global state per link.
  lld::Result result;
  {
    std::lock_guard<std::mutex> lock(lldMutex);
    result = lld::lldMain(args, diag, diag, {{lld::Gnu, &lld::elf::link}});
  }
  close(pipeFds[1]); // lld has closed its own end: the drain sees EOF.
  drain.join();
  if (result.retCode != 0) {
    error = diagnostics.empty() ? "lld failed" : diagnostics;
    return failure();
  }
  if (bytes.empty()) {
    error = "lld produced no output";
    return failure();
  }
  return bytes;
}
