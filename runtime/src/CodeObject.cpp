//===- CodeObject.cpp - AMDGPU code objects: kernels and kernargs ---------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// The ELF64 fields and the metadata keys are those of LLVM's AMDGPU usage
// document (code object V4-V6). MessagePack is read with a small bounded
// reader: only the metadata note is parsed, and malformed input yields an
// error, never a read past the image.
//
//===----------------------------------------------------------------------===//

#include "CodeObject.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

using namespace loom::amdgpu;

namespace {

constexpr uint16_t kEM_AMDGPU = 224;
constexpr uint8_t kOSABI_AMDGPU_HSA = 64;
constexpr uint32_t kSHT_NOTE = 7;
constexpr uint32_t kNT_AMDGPU_METADATA = 32;

template <typename T> T read(const uint8_t *p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

std::string chipOf(uint32_t eFlags) {
  switch (eFlags & 0xff) {
  case 0x02c: return "gfx900";
  case 0x02f: return "gfx906";
  case 0x030: return "gfx908";
  case 0x03f: return "gfx90a";
  case 0x04c: return "gfx942";
  case 0x04f: return "gfx950";
  case 0x041: return "gfx1100";
  case 0x036: return "gfx1030";
  default: {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "amdgcn mach 0x%x", eFlags & 0xff);
    return buf;
  }
  }
}

/// A MessagePack value: what the metadata uses (maps, arrays, strings,
/// integers, booleans; floats and binaries are skipped).
struct Value {
  enum Kind { Nil, Bool, Int, String, Array, Map, Other } kind = Nil;
  int64_t integer = 0;
  std::string string;
  std::vector<Value> items;                      // Array
  std::vector<std::pair<Value, Value>> entries;  // Map

  const Value *get(const char *key) const {
    for (const auto &[k, v] : entries)
      if (k.kind == String && k.string == key)
        return &v;
    return nullptr;
  }
  uint32_t u32(const char *key, uint32_t otherwise = 0) const {
    const Value *v = get(key);
    return v && v->kind == Int && v->integer >= 0 &&
                   v->integer <= int64_t(UINT32_MAX)
               ? uint32_t(v->integer)
               : otherwise;
  }
  std::string str(const char *key) const {
    const Value *v = get(key);
    return v && v->kind == String ? v->string : "";
  }
};

class Reader {
public:
  Reader(const uint8_t *p, size_t n) : p_(p), end_(p + n) {}

  bool parse(Value &v, int depth = 0) {
    if (depth > 16 || p_ >= end_)
      return false;
    uint8_t t = *p_++;
    if (t <= 0x7f) return integer(v, t);
    if (t >= 0xe0) return integer(v, int8_t(t));
    if ((t & 0xf0) == 0x80) return map(v, t & 0x0f, depth);
    if ((t & 0xf0) == 0x90) return array(v, t & 0x0f, depth);
    if ((t & 0xe0) == 0xa0) return string(v, t & 0x1f);
    uint64_t n;
    switch (t) {
    case 0xc0: v.kind = Value::Nil; return true;
    case 0xc2: case 0xc3:
      v.kind = Value::Bool;
      v.integer = t == 0xc3;
      return true;
    case 0xc4: return uint(1, n) && skip(n, v);
    case 0xc5: return uint(2, n) && skip(n, v);
    case 0xc6: return uint(4, n) && skip(n, v);
    case 0xca: return skip(4, v);
    case 0xcb: return skip(8, v);
    case 0xcc: return uint(1, n) && integer(v, int64_t(n));
    case 0xcd: return uint(2, n) && integer(v, int64_t(n));
    case 0xce: return uint(4, n) && integer(v, int64_t(n));
    case 0xcf: return uint(8, n) && integer(v, int64_t(n));
    case 0xd0: return uint(1, n) && integer(v, int8_t(n));
    case 0xd1: return uint(2, n) && integer(v, int16_t(n));
    case 0xd2: return uint(4, n) && integer(v, int32_t(n));
    case 0xd3: return uint(8, n) && integer(v, int64_t(n));
    case 0xd9: return uint(1, n) && string(v, n);
    case 0xda: return uint(2, n) && string(v, n);
    case 0xdb: return uint(4, n) && string(v, n);
    case 0xdc: return uint(2, n) && array(v, n, depth);
    case 0xdd: return uint(4, n) && array(v, n, depth);
    case 0xde: return uint(2, n) && map(v, n, depth);
    case 0xdf: return uint(4, n) && map(v, n, depth);
    default: return false; // extension types: not in code object metadata
    }
  }

private:
  // Big-endian unsigned of `bytes` bytes.
  bool uint(unsigned bytes, uint64_t &n) {
    if (size_t(end_ - p_) < bytes)
      return false;
    n = 0;
    for (unsigned i = 0; i < bytes; ++i)
      n = (n << 8) | *p_++;
    return true;
  }
  bool integer(Value &v, int64_t n) {
    v.kind = Value::Int;
    v.integer = n;
    return true;
  }
  bool skip(uint64_t n, Value &v) {
    if (uint64_t(end_ - p_) < n)
      return false;
    p_ += n;
    v.kind = Value::Other;
    return true;
  }
  bool string(Value &v, uint64_t n) {
    if (uint64_t(end_ - p_) < n)
      return false;
    v.kind = Value::String;
    v.string.assign(reinterpret_cast<const char *>(p_), size_t(n));
    p_ += n;
    return true;
  }
  bool array(Value &v, uint64_t n, int depth) {
    if (n > uint64_t(end_ - p_)) // each item takes at least one byte
      return false;
    v.kind = Value::Array;
    v.items.resize(size_t(n));
    for (Value &item : v.items)
      if (!parse(item, depth + 1))
        return false;
    return true;
  }
  bool map(Value &v, uint64_t n, int depth) {
    if (n > uint64_t(end_ - p_) / 2)
      return false;
    v.kind = Value::Map;
    v.entries.resize(size_t(n));
    for (auto &[key, value] : v.entries)
      if (!parse(key, depth + 1) || !parse(value, depth + 1))
        return false;
    return true;
  }

  const uint8_t *p_, *end_;
};

std::string readKernels(const Value &root, CodeObject &out) {
  const Value *kernels = root.get("amdhsa.kernels");
  if (!kernels || kernels->kind != Value::Array)
    return "its metadata lists no kernels (amdhsa.kernels)";
  for (const Value &k : kernels->items) {
    if (k.kind != Value::Map)
      return "malformed kernel metadata";
    KernelInfo info;
    info.name = k.str(".name");
    info.symbol = k.str(".symbol");
    if (info.name.empty())
      return "a kernel without a name in the metadata";
    info.kernargSegmentSize = k.u32(".kernarg_segment_size");
    info.kernargSegmentAlign = k.u32(".kernarg_segment_align", 8);
    info.groupSegmentFixedSize = k.u32(".group_segment_fixed_size");
    info.privateSegmentFixedSize = k.u32(".private_segment_fixed_size");
    info.maxFlatWorkgroupSize = k.u32(".max_flat_workgroup_size");
    info.wavefrontSize = k.u32(".wavefront_size");
    info.vgprCount = k.u32(".vgpr_count");
    info.sgprCount = k.u32(".sgpr_count");
    info.agprCount = k.u32(".agpr_count");
    if (const Value *args = k.get(".args"); args && args->kind == Value::Array)
      for (const Value &a : args->items) {
        KernelArg arg;
        arg.offset = a.u32(".offset");
        arg.size = a.u32(".size");
        arg.valueKind = a.str(".value_kind");
        if (uint64_t(arg.offset) + arg.size > info.kernargSegmentSize)
          return "kernel '" + info.name + "' has an argument past its "
                 "kernarg segment";
        info.args.push_back(std::move(arg));
      }
    out.kernels.push_back(std::move(info));
  }
  return "";
}

} // namespace

size_t KernelInfo::explicitArgCount() const {
  size_t n = 0;
  for (const KernelArg &a : args)
    n += !a.hidden();
  return n;
}

const KernelInfo *CodeObject::find(const std::string &name) const {
  for (const KernelInfo &k : kernels)
    if (k.name == name)
      return &k;
  return nullptr;
}

std::string CodeObject::kernelNames() const {
  std::string names;
  for (const KernelInfo &k : kernels)
    names += (names.empty() ? "" : ", ") + k.name;
  return names.empty() ? "none" : names;
}

size_t loom::amdgpu::elfImageSize(const void *image) {
  const auto *p = static_cast<const uint8_t *>(image);
  if (!p || std::memcmp(p, "\x7f" "ELF", 4) != 0 || p[4] != 2 || p[5] != 1)
    return 0;
  uint64_t shoff = read<uint64_t>(p + 40);
  uint16_t shentsize = read<uint16_t>(p + 58), shnum = read<uint16_t>(p + 60);
  uint64_t end = shoff + uint64_t(shentsize) * shnum;
  for (uint16_t i = 0; i < shnum && shentsize >= 40; ++i) {
    const uint8_t *sh = p + shoff + uint64_t(i) * shentsize;
    uint32_t type = read<uint32_t>(sh + 4);
    if (type == 8) // SHT_NOBITS: no bytes in the file
      continue;
    end = std::max(end, read<uint64_t>(sh + 24) + read<uint64_t>(sh + 32));
  }
  return size_t(end);
}

std::string loom::amdgpu::parseCodeObject(const void *image, size_t size,
                                          CodeObject &out) {
  const auto *p = static_cast<const uint8_t *>(image);
  out = CodeObject{};
  if (!p || size < 64 || std::memcmp(p, "\x7f" "ELF", 4) != 0)
    return "not an ELF file";
  if (p[4] != 2 || p[5] != 1)
    return "not a 64-bit little-endian ELF file";
  if (read<uint16_t>(p + 18) != kEM_AMDGPU)
    return "an ELF file for another machine (e_machine " +
           std::to_string(read<uint16_t>(p + 18)) + ", AMDGPU is 224)";
  if (p[7] != kOSABI_AMDGPU_HSA)
    return "an AMDGPU ELF file that is not for the HSA runtime (OS ABI " +
           std::to_string(p[7]) + ")";
  out.abiVersion = p[8] + 2; // ELFABIVERSION_AMDGPU_HSA_V4 is 2
  out.chip = chipOf(read<uint32_t>(p + 48));

  uint64_t shoff = read<uint64_t>(p + 40);
  uint16_t shentsize = read<uint16_t>(p + 58), shnum = read<uint16_t>(p + 60);
  if (shentsize < 64 || shoff > size ||
      uint64_t(shnum) * shentsize > size - shoff)
    return "truncated section header table";
  for (uint16_t i = 0; i < shnum; ++i) {
    const uint8_t *sh = p + shoff + uint64_t(i) * shentsize;
    if (read<uint32_t>(sh + 4) != kSHT_NOTE)
      continue;
    uint64_t off = read<uint64_t>(sh + 24), len = read<uint64_t>(sh + 32);
    if (off > size || len > size - off)
      return "truncated note section";
    const uint8_t *n = p + off, *end = p + off + len;
    while (end - n >= 12) {
      uint32_t namesz = read<uint32_t>(n), descsz = read<uint32_t>(n + 4),
               type = read<uint32_t>(n + 8);
      uint64_t nameAligned = (uint64_t(namesz) + 3) & ~uint64_t(3);
      uint64_t descAligned = (uint64_t(descsz) + 3) & ~uint64_t(3);
      if (uint64_t(end - n) - 12 < nameAligned + descAligned)
        return "truncated note";
      const uint8_t *name = n + 12, *desc = name + nameAligned;
      if (type == kNT_AMDGPU_METADATA && namesz == 7 &&
          std::memcmp(name, "AMDGPU", 7) == 0) {
        Value root;
        Reader reader(desc, descsz);
        if (!reader.parse(root) || root.kind != Value::Map)
          return "malformed AMDGPU metadata note";
        return readKernels(root, out);
      }
      n = desc + descAligned;
    }
  }
  return "no AMDGPU metadata note (not a code object V3 or newer)";
}

std::string loom::amdgpu::packKernelArguments(const KernelInfo &kernel,
                                              void **params, size_t paramCount,
                                              std::vector<uint8_t> &buffer,
                                              size_t &bufferBytes) {
  size_t expected = kernel.explicitArgCount();
  if (paramCount != expected)
    return "kernel '" + kernel.name + "' takes " + std::to_string(expected) +
           " arguments, the launch passes " + std::to_string(paramCount);
  if (paramCount && !params)
    return "kernel '" + kernel.name + "' launched without its arguments";
  buffer.assign(kernel.kernargSegmentSize, 0);
  bufferBytes = 0;
  size_t i = 0;
  for (const KernelArg &arg : kernel.args) {
    if (arg.hidden())
      continue;
    if (!params[i])
      return "kernel '" + kernel.name + "': argument " + std::to_string(i) +
             " has no value";
    std::memcpy(buffer.data() + arg.offset, params[i], arg.size);
    bufferBytes = std::max<size_t>(bufferBytes, arg.offset + arg.size);
    ++i;
  }
  return "";
}

std::string loom::amdgpu::checkLaunch(const KernelInfo &kernel,
                                      const unsigned block[3],
                                      unsigned dynamicSharedBytes,
                                      unsigned ldsLimit) {
  uint64_t threads = uint64_t(block[0]) * block[1] * block[2];
  if (threads == 0)
    return "kernel '" + kernel.name + "' launched with an empty workgroup";
  if (kernel.maxFlatWorkgroupSize && threads > kernel.maxFlatWorkgroupSize)
    return "kernel '" + kernel.name + "' launched with " +
           std::to_string(threads) + " threads per workgroup, it was built "
           "for at most " + std::to_string(kernel.maxFlatWorkgroupSize);
  uint64_t lds = uint64_t(kernel.groupSegmentFixedSize) + dynamicSharedBytes;
  if (ldsLimit && lds > ldsLimit)
    return "kernel '" + kernel.name + "' needs " + std::to_string(lds) +
           " bytes of LDS per workgroup, the device has " +
           std::to_string(ldsLimit);
  return "";
}
