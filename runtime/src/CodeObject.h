//===- CodeObject.h - AMDGPU code objects: kernels and kernargs -*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// What the HIP device needs to know about an HSACO (an AMDGPU ELF shared
// object) before handing it to libamdhip64: that it is one, which chip it
// was built for, and each kernel's metadata from the NT_AMDGPU_METADATA
// note (MessagePack): its arguments' offsets and sizes in the kernarg
// segment, its LDS and workgroup-size limits, its register counts. The
// launch path packs MLIR's per-argument pointers into one kernarg buffer at
// those offsets and checks a launch against the limits, so that a wrong
// launch fails with the kernel's name rather than a bare HIP error.
//
// No HIP headers and no device: unit-tested on its own (test/unit/runtime).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_CODEOBJECT_H
#define LOOM_RUNTIME_CODEOBJECT_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace loom::amdgpu {

struct KernelArg {
  uint32_t offset = 0;
  uint32_t size = 0;
  std::string valueKind; // "global_buffer", "by_value", "hidden_..."
  bool hidden() const { return valueKind.rfind("hidden_", 0) == 0; }
};

struct KernelInfo {
  std::string name;   // the function name (hipModuleGetFunction's)
  std::string symbol; // its kernel descriptor, "<name>.kd"
  uint32_t kernargSegmentSize = 0;
  uint32_t kernargSegmentAlign = 8;
  uint32_t groupSegmentFixedSize = 0;   // static LDS bytes
  uint32_t privateSegmentFixedSize = 0; // scratch bytes per work-item
  uint32_t maxFlatWorkgroupSize = 0;
  uint32_t wavefrontSize = 0;
  uint32_t vgprCount = 0, sgprCount = 0, agprCount = 0;
  std::vector<KernelArg> args; // in order, hidden arguments included

  size_t explicitArgCount() const;
};

struct CodeObject {
  std::string chip;      // "gfx942", from the ELF header's e_flags
  unsigned abiVersion;   // code object version (4, 5, 6)
  std::vector<KernelInfo> kernels;

  const KernelInfo *find(const std::string &name) const;
  /// "a, b, c": the kernels' names, for messages.
  std::string kernelNames() const;
};

/// The size of an ELF image from its header (the end of its section header
/// table or of its furthest section), for callers that only have a pointer.
/// 0 if `image` is not a 64-bit little-endian ELF.
size_t elfImageSize(const void *image);

/// Parses `size` bytes of an HSACO. Returns an empty string on success,
/// otherwise why the bytes are not a usable AMDGPU code object.
std::string parseCodeObject(const void *image, size_t size, CodeObject &out);

/// Packs MLIR's launch parameters (`params[i]` points at the value of the
/// i-th explicit argument) into `buffer` at the offsets of `kernel`'s
/// metadata; hidden arguments are left zero for the HIP runtime to fill.
/// `bufferBytes` is set to the end of the last explicit argument. Returns an
/// empty string, or what does not match (naming the kernel).
std::string packKernelArguments(const KernelInfo &kernel, void **params,
                                size_t paramCount,
                                std::vector<uint8_t> &buffer,
                                size_t &bufferBytes);

/// Checks a launch shape against the kernel's limits (flat workgroup size,
/// LDS per workgroup). Returns an empty string, or why it cannot run.
std::string checkLaunch(const KernelInfo &kernel, const unsigned block[3],
                        unsigned dynamicSharedBytes, unsigned ldsLimit);

} // namespace loom::amdgpu

#endif // LOOM_RUNTIME_CODEOBJECT_H
