//===- CpuExecutable.cpp - Loads and calls CPU device code ----------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "CpuExecutable.h"

#include "DTypeInfo.h"
#include "Status.h"
#include "Tensor.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

using namespace loom;

//===----------------------------------------------------------------------===//
// Loading
//===----------------------------------------------------------------------===//

static bool writeAll(int fd, const uint8_t *data, uint64_t size) {
  while (size) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data += n;
    size -= uint64_t(n);
  }
  return true;
}

// ELF64, little-endian, a shared object for this machine, whose program
// headers and segments lie inside the section: the dynamic loader trusts
// them, and a truncated object would otherwise fault inside dlopen (SIGBUS
// on a segment past the end). Corrupted code is caught; a deliberately
// malicious artifact is code and can do anything, as any shared object can.
static loom_status_t checkElf(const SectionView &s) {
  auto bad = [&](const std::string &why) {
    return makeStatus(LOOM_INVALID_ARTIFACT,
                      "invalid artifact: device code section '" + s.name +
                          "' (target '" + s.target + "') " + why);
  };
  Elf64_Ehdr eh;
  if (s.size < sizeof(eh) || std::memcmp(s.data, ELFMAG, SELFMAG) != 0)
    return bad("is not an ELF file");
  std::memcpy(&eh, s.data, sizeof(eh));
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
    return bad("is not a 64-bit little-endian ELF file");
  if (eh.e_type != ET_DYN)
    return bad("is not an ELF shared object");
#if defined(__x86_64__)
  if (eh.e_machine != EM_X86_64)
    return bad("is not x86-64 code (ELF machine " +
               std::to_string(eh.e_machine) + ")");
#elif defined(__aarch64__)
  if (eh.e_machine != EM_AARCH64)
    return bad("is not AArch64 code (ELF machine " +
               std::to_string(eh.e_machine) + ")");
#endif
  auto inside = [&](uint64_t offset, uint64_t length) {
    return offset <= s.size && length <= s.size - offset;
  };
  if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
      !inside(eh.e_phoff, uint64_t(eh.e_phnum) * sizeof(Elf64_Phdr)))
    return bad("has a truncated or corrupted program header table");
  if (eh.e_shoff != 0 &&
      !inside(eh.e_shoff, uint64_t(eh.e_shnum) * eh.e_shentsize))
    return bad("has a truncated section header table");
  for (uint16_t i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    std::memcpy(&ph, s.data + eh.e_phoff + i * sizeof(Elf64_Phdr), sizeof(ph));
    if (!inside(ph.p_offset, ph.p_filesz) ||
        (ph.p_type == PT_LOAD && ph.p_filesz > ph.p_memsz))
      return bad("is truncated or corrupted (segment " + std::to_string(i) +
                 " lies outside it)");
  }
  return nullptr;
}

// dlerror() may be NULL; std::string must never see that.
static std::string lastDlError() {
  const char *e = ::dlerror();
  return e ? e : "unknown dlopen error";
}

// True if the dynamic loader already has a library under this name. glibc
// matches dlopen paths by name before it opens anything, so a descriptor
// number (or temporary name) reused from a module that is still loaded would
// hand back that module's code.
static bool nameTaken(const std::string &path) {
  if (void *h = ::dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD)) {
    ::dlclose(h);
    return true;
  }
  return false;
}

// dlopen from an in-memory file; falls back to an unlinked temporary file
// where memfd_create or /proc is unavailable (old kernels, sandboxes).
static loom_status_t openSharedObject(const SectionView &s, void *&handle) {
  std::string errors;
#ifdef MFD_CLOEXEC
  // LOOM_RUNTIME_NO_MEMFD forces the fallback (tests, odd sandboxes).
  const char *noMemfd = std::getenv("LOOM_RUNTIME_NO_MEMFD");
  int mfd =
      noMemfd && *noMemfd ? -1 : ::memfd_create("loom-cpu-code", MFD_CLOEXEC);
  if (mfd >= 0) {
    if (writeAll(mfd, s.data, s.size)) {
      // Skip descriptor numbers whose /proc name a loaded library holds;
      // the skipped ones stay open meanwhile so the next number differs.
      std::vector<int> held;
      int fd = mfd;
      std::string path = "/proc/self/fd/" + std::to_string(fd);
      while (fd >= 0 && held.size() < 64 && nameTaken(path)) {
        held.push_back(fd);
        fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
        path = "/proc/self/fd/" + std::to_string(fd);
      }
      if (fd >= 0)
        handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!handle)
        errors = std::string("memfd: ") +
                 (fd >= 0 ? lastDlError() : std::strerror(errno));
      for (int h : held)
        ::close(h);
      if (fd >= 0 && fd != mfd)
        ::close(fd);
    } else {
      errors = std::string("memfd write: ") + std::strerror(errno);
    }
    ::close(mfd);
    if (handle)
      return nullptr;
  } else {
    errors = noMemfd && *noMemfd
                 ? "memfd disabled by LOOM_RUNTIME_NO_MEMFD"
                 : std::string("memfd_create: ") + std::strerror(errno);
  }
#endif
  const char *tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp && *tmp ? tmp : "/tmp") + "/loom-cpu-code-XXXXXX";
  std::vector<char> buf;
  int fd = -1;
  for (int attempt = 0; attempt < 64 && fd < 0; ++attempt) {
    buf.assign(pattern.begin(), pattern.end());
    buf.push_back('\0');
    fd = ::mkstemp(buf.data());
    if (fd < 0)
      break;
    if (nameTaken(buf.data())) { // a name an unlinked library still holds
      ::close(fd);
      ::unlink(buf.data());
      fd = -1;
    }
  }
  if (fd < 0)
    return makeStatus(LOOM_IO_ERROR, "cannot load CPU device code (" + errors +
                                         "; mkstemp in '" + pattern +
                                         "': " + std::strerror(errno) + ")");
  bool written = writeAll(fd, s.data, s.size);
  ::close(fd);
  if (written)
    handle = ::dlopen(buf.data(), RTLD_NOW | RTLD_LOCAL);
  std::string dlerr = handle ? "" : written ? lastDlError() : "write failed";
  ::unlink(buf.data());
  if (!handle)
    return makeStatus(LOOM_INVALID_ARTIFACT,
                      "cannot load CPU device code: " + dlerr +
                          (errors.empty() ? "" : " (" + errors + ")"));
  return nullptr;
}

loom_status_t CpuExecutable::load(const ParsedArtifact &artifact,
                                  std::unique_ptr<CpuExecutable> &out,
                                  const std::string &device) {
  const SectionView *code = nullptr, *weights = nullptr;
  std::string targets;
  for (const SectionView &s : artifact.sections) {
    if (s.kind == kSectionDeviceCode) {
      targets += (targets.empty() ? "" : ", ") + s.target;
      if (targetMatches(s.target, device) && (!code || s.target == device))
        code = code && code->target == device ? code : &s;
    } else if (s.kind == kSectionWeights &&
               (s.target.empty() || targetMatches(s.target, device))) {
      if (weights)
        return makeStatus(LOOM_INVALID_ARTIFACT,
                          "invalid artifact: more than one weights section "
                          "for target '" + device + "' ('" +
                              weights->name + "', '" + s.name + "')");
      weights = &s;
    }
  }
  if (!code)
    return makeStatus(LOOM_NOT_FOUND,
                      "artifact has no device code for target '" + device +
                          "' (it has: " +
                          (targets.empty() ? std::string("none") : targets) +
                          ")");
  if (code->abiVersion != LOOM_ABI_VERSION)
    return makeStatus(LOOM_VERSION_MISMATCH,
                      "CPU device code was built for ABI version " +
                          std::to_string(code->abiVersion) +
                          ", this runtime implements " +
                          std::to_string(LOOM_ABI_VERSION));
  if (loom_status_t st = checkElf(*code))
    return st;

  std::unique_ptr<CpuExecutable> exe(new CpuExecutable);
  if (loom_status_t st = openSharedObject(*code, exe->handle_))
    return st;
  for (const EntryMeta &e : artifact.entries) {
    std::string symbol = LOOM_ABI_ENTRY_PREFIX + e.name;
    void *fn = ::dlsym(exe->handle_, symbol.c_str());
    if (!fn)
      return makeStatus(LOOM_INVALID_ARTIFACT,
                        "invalid artifact: CPU device code does not define '" +
                            symbol + "' for entry point '" + e.name + "'");
    exe->functions_.push_back(reinterpret_cast<loom_abi_entry_fn>(fn));
  }
  if (const void *sym = ::dlsym(exe->handle_, LOOM_ABI_WEIGHTS_SIZE_SYMBOL)) {
    uint64_t expected;
    std::memcpy(&expected, sym, sizeof(expected));
    if (!weights)
      return makeStatus(LOOM_NOT_FOUND,
                        "artifact has no weights section for target '" + device + "', "
                        "but its code expects " +
                            std::to_string(expected) + " bytes of weights");
    if (weights->size != expected)
      return makeStatus(LOOM_INVALID_ARTIFACT,
                        "invalid artifact: weights section '" + weights->name +
                            "' has " + std::to_string(weights->size) +
                            " bytes, the code expects " +
                            std::to_string(expected));
  }
  exe->context_.abi_version = LOOM_ABI_VERSION;
  exe->context_.weights = weights ? weights->data : nullptr;
  exe->context_.weights_size = weights ? weights->size : 0;
  out = std::move(exe);
  return nullptr;
}

CpuExecutable::~CpuExecutable() {
  if (handle_)
    ::dlclose(handle_);
}

//===----------------------------------------------------------------------===//
// Invocation
//===----------------------------------------------------------------------===//

static bool isRowMajor(const int64_t *sizes, const int64_t *strides,
                       size_t rank) {
  int64_t expected = 1;
  for (size_t i = rank; i-- > 0;) {
    if (sizes[i] != 1 && strides[i] != expected)
      return false;
    expected *= sizes[i];
  }
  return true;
}

// Dense copy of a strided view; the innermost dim is a memcpy when unit
// stride, element by element otherwise.
static void stridedCopy(uint8_t *dst, const uint8_t *src, const int64_t *sizes,
                        const int64_t *strides, size_t rank, size_t elem,
                        int64_t count) {
  if (count == 0)
    return;
  if (rank == 0) {
    std::memcpy(dst, src, elem);
    return;
  }
  std::vector<int64_t> idx(rank, 0);
  int64_t inner = sizes[rank - 1], innerStride = strides[rank - 1];
  for (int64_t done = 0; done < count; done += inner) {
    int64_t off = 0;
    for (size_t d = 0; d + 1 < rank; ++d)
      off += idx[d] * strides[d];
    const uint8_t *row = src + off * int64_t(elem);
    if (innerStride == 1) {
      std::memcpy(dst, row, size_t(inner) * elem);
      dst += size_t(inner) * elem;
    } else {
      for (int64_t k = 0; k < inner; ++k, dst += elem)
        std::memcpy(dst, row + k * innerStride * int64_t(elem), elem);
    }
    for (size_t d = rank - 1; d-- > 0;) {
      if (++idx[d] < sizes[d])
        break;
      idx[d] = 0;
    }
  }
}

static void freeBlock(void *user, void *) { std::free(user); }

loom_status_t CpuExecutable::invoke(const EntryMeta &entry, size_t entryIndex,
                                    loom_tensor_t *const *inputs,
                                    size_t numInputs, loom_tensor_t **outputs,
                                    CpuScratch &scratch,
                                    void (*afterCall)(void *),
                                    void *afterCallData,
                                    DeviceResultSink *deviceResults) const {
  for (const auto *list : {&entry.inputs, &entry.outputs})
    for (const TensorMeta &t : *list)
      if (loom_dtype_bits(t.dtype) == 4)
        return makeStatus(LOOM_UNIMPLEMENTED,
                          "entry '" + entry.name + "' uses " +
                              loom_dtype_name(t.dtype) + " ('" + t.name +
                              "'), which the CPU ABI does not support yet");
  scratch.bindings.clear();
  if (loom_status_t st =
          checkInputs(entry, inputs, numInputs, scratch.bindings))
    return st;

  // Input descriptors, then the argument array pointing into them.
  size_t inWords = 0, outWords = 0;
  for (const TensorMeta &t : entry.inputs)
    inWords += 3 + 2 * t.dims.size();
  for (const TensorMeta &t : entry.outputs)
    outWords += 3 + 2 * t.dims.size();
  scratch.inputDescs.assign(inWords, 0);
  scratch.results.assign(outWords ? outWords : 1, 0);
  scratch.args.assign(2 + numInputs, nullptr);
  scratch.context = context_;
  scratch.args[0] = &scratch.context;
  scratch.args[1] = scratch.results.data();
  int64_t *desc = scratch.inputDescs.data();
  for (size_t i = 0; i < numInputs; ++i) {
    const loom_tensor_t *t = inputs[i];
    size_t rank = t->shape.size();
    std::memcpy(&desc[0], &t->data, sizeof(void *));
    std::memcpy(&desc[1], &t->data, sizeof(void *));
    desc[2] = 0;
    int64_t stride = 1;
    for (size_t d = rank; d-- > 0;) {
      desc[3 + d] = t->shape[d];
      desc[3 + rank + d] = stride;
      stride *= t->shape[d];
    }
    scratch.args[2 + i] = desc;
    desc += 3 + 2 * rank;
  }

  functions_[entryIndex](scratch.args.data());
  if (afterCall)
    afterCall(afterCallData);
  bool onDevice = deviceResults && deviceResults->handedOut();

  // Decide ownership for every result before anything can fail, so that an
  // error below still frees each heap block exactly once.
  std::vector<CpuResultView> &views = scratch.views;
  std::vector<void *> &seen = scratch.seen;
  views.clear();
  seen.clear();
  const int64_t *r = scratch.results.data();
  for (const TensorMeta &t : entry.outputs) {
    size_t rank = t.dims.size();
    CpuResultView v;
    std::memcpy(&v.allocated, &r[0], sizeof(void *));
    std::memcpy(&v.aligned, &r[1], sizeof(void *));
    v.offset = r[2];
    v.sizes = r + 3;
    v.strides = r + 3 + rank;
    // Memory the code did not malloc: the constant marker, anything inside
    // an input (a view of it) or inside the weights. Ranges rather than
    // equality, so a descriptor built on an interior pointer is safe too.
    auto within = [&](const void *base, size_t size) {
      auto p = reinterpret_cast<uintptr_t>(v.allocated);
      auto b = reinterpret_cast<uintptr_t>(base);
      return base && p >= b && p - b < (size ? size : 1);
    };
    // Device results are device memory the host code allocated for the
    // caller (DeviceBuffers.cpp copies anything else).
    bool aliases = !onDevice && (v.allocated == LOOM_ABI_CONSTANT_MARKER ||
                                 within(context_.weights,
                                        size_t(context_.weights_size)));
    for (size_t i = 0; i < numInputs && !aliases && !onDevice; ++i)
      aliases = within(inputs[i]->data, inputs[i]->bytes);
    for (void *p : seen)
      aliases = aliases || p == v.allocated;
    v.owned = v.allocated && !aliases;
    if (v.allocated)
      seen.push_back(v.allocated);
    views.push_back(v);
    r += 3 + 2 * rank;
  }

  loom_status_t status = nullptr;
  size_t made = 0;
  for (; made < views.size(); ++made) {
    CpuResultView &v = views[made];
    const TensorMeta &meta = entry.outputs[made];
    size_t rank = meta.dims.size();
    if ((status = checkOutputShape(entry, made, v.sizes, scratch.bindings)))
      break;
    int64_t count = 0;
    elementCount(v.sizes, int64_t(rank), count);
    if (count > 0 && !v.aligned) {
      status = makeStatus(LOOM_INTERNAL, "entry '" + entry.name +
                                             "': compiled code returned no "
                                             "data for output '" +
                                             meta.name + "'");
      break;
    }
    size_t elem = size_t(loom_dtype_bits(meta.dtype) / 8);
    uint8_t *base = v.aligned + v.offset * int64_t(elem);
    if (onDevice) {
      // The whole allocation, dense, mentioned once: anything else is a
      // compiler bug, reported rather than guessed at.
      if ((count > 0 && (!v.owned || base != v.allocated ||
                         !isRowMajor(v.sizes, v.strides, rank))) ||
          (count == 0 && v.allocated && !v.owned)) {
        status = makeStatus(LOOM_INTERNAL,
                            "entry '" + entry.name + "': output '" +
                                meta.name +
                                "' left on the device is not a dense buffer "
                                "of its own");
        break;
      }
      v.owned = false;
      if ((status = deviceResults->adopt(meta.dtype, int32_t(rank), v.sizes,
                                         v.allocated, &outputs[made])))
        break;
      continue;
    }
    if (v.owned && isRowMajor(v.sizes, v.strides, rank)) {
      // Adopt the malloc'ed block: no copy; the tensor frees it.
      if ((status = createTensor(meta.dtype, int32_t(rank), v.sizes,
                                 count ? base : v.allocated, freeBlock,
                                 v.allocated, &outputs[made])))
        break;
      v.owned = false;
      continue;
    }
    if ((status = createTensor(meta.dtype, int32_t(rank), v.sizes, nullptr,
                               nullptr, nullptr, &outputs[made])))
      break;
    stridedCopy(static_cast<uint8_t *>(outputs[made]->data), base, v.sizes,
                v.strides, rank, elem, count);
  }
  for (CpuResultView &v : views)
    if (v.owned) {
      if (onDevice)
        deviceResults->discard(v.allocated);
      else
        std::free(v.allocated);
    }
  if (status) {
    for (size_t i = 0; i < made; ++i) {
      loom_tensor_release(outputs[i]);
      outputs[i] = nullptr;
    }
  }
  return status;
}
