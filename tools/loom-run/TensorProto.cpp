//===- TensorProto.cpp - ONNX TensorProto without protobuf ----------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// A hand-written decoder for the protobuf wire format of onnx.TensorProto:
// loom-run links the runtime only. Every read is bounds-checked.
//
//===----------------------------------------------------------------------===//

#include "HostTensor.h"

#include "DTypeInfo.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <type_traits>

using namespace loom;
using namespace loom::run;

namespace {

enum WireType { kVarint = 0, kFixed64 = 1, kBytes = 2, kFixed32 = 5 };

// A bounds-checked cursor over protobuf bytes.
class WireReader {
public:
  WireReader(const uint8_t *p, size_t n) : p_(p), end_(p + n) {}
  bool done() const { return p_ == end_; }

  bool varint(uint64_t &v) {
    v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (p_ == end_)
        return false;
      uint8_t b = *p_++;
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80))
        return shift < 63 || b <= 1; // a 10th byte holds one bit only
    }
    return false;
  }
  bool fixed32(uint32_t &v) { return raw(&v, 4); }
  bool fixed64(uint64_t &v) { return raw(&v, 8); }
  bool bytes(const uint8_t *&data, size_t &n) {
    uint64_t len;
    if (!varint(len) || len > uint64_t(end_ - p_))
      return false;
    data = p_;
    n = size_t(len);
    p_ += n;
    return true;
  }
  bool skip(int wire) {
    uint64_t v;
    const uint8_t *d;
    size_t n;
    switch (wire) {
    case kVarint:
      return varint(v);
    case kFixed64:
      return fixed64(v);
    case kBytes:
      return bytes(d, n);
    case kFixed32: {
      uint32_t w;
      return fixed32(w);
    }
    default:
      return false; // groups (3, 4) and invalid types
    }
  }

private:
  bool raw(void *out, size_t n) {
    if (size_t(end_ - p_) < n)
      return false;
    std::memcpy(out, p_, n); // little-endian, like the hosts we run on
    p_ += n;
    return true;
  }
  const uint8_t *p_, *end_;
};

struct Fields {
  std::vector<int64_t> dims;
  int64_t dataType = 0;
  std::vector<float> floats;
  std::vector<int32_t> int32s;
  std::vector<int64_t> int64s;
  std::vector<uint64_t> uint64s;
  std::vector<double> doubles;
  bool hasStrings = false;
  bool hasRaw = false;
  const uint8_t *raw = nullptr;
  size_t rawSize = 0;
  std::string name;
  int64_t dataLocation = 0;
};

bool fail(std::string *error, const std::string &msg) {
  if (error)
    *error = msg;
  return false;
}

// A repeated varint field, packed (wire type 2) or one value (wire type 0).
template <typename T>
bool readVarints(WireReader &r, int wire, std::vector<T> &out) {
  uint64_t v;
  if (wire == kVarint) {
    if (!r.varint(v))
      return false;
    out.push_back(T(v));
    return true;
  }
  if (wire != kBytes)
    return false;
  const uint8_t *d;
  size_t n;
  if (!r.bytes(d, n))
    return false;
  WireReader packed(d, n);
  while (!packed.done()) {
    if (!packed.varint(v))
      return false;
    out.push_back(T(v));
  }
  return true;
}

// A repeated fixed-width field: packed, or one value of wire type `single`.
template <typename T>
bool readFixed(WireReader &r, int wire, int single, std::vector<T> &out) {
  if (wire == single) {
    // Bits through an integer of the same width, then memcpy: no punning.
    std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t> bits = 0;
    bool ok;
    if constexpr (sizeof(T) == 4)
      ok = r.fixed32(bits);
    else
      ok = r.fixed64(bits);
    T v;
    std::memcpy(&v, &bits, sizeof(T));
    if (ok)
      out.push_back(v);
    return ok;
  }
  if (wire != kBytes)
    return false;
  const uint8_t *d;
  size_t n;
  if (!r.bytes(d, n) || n % sizeof(T) != 0)
    return false;
  size_t old = out.size();
  out.resize(old + n / sizeof(T));
  if (n)
    std::memcpy(out.data() + old, d, n);
  return true;
}

bool decodeFields(const uint8_t *data, size_t size, Fields &f,
                  std::string *error) {
  WireReader r(data, size);
  while (!r.done()) {
    uint64_t key;
    if (!r.varint(key))
      return fail(error, "truncated or corrupted field key");
    uint64_t field = key >> 3;
    int wire = int(key & 7);
    if (field == 0)
      return fail(error, "field number 0");
    bool ok;
    uint64_t v = 0;
    const uint8_t *d;
    size_t n;
    switch (field) {
    case 1:
      ok = readVarints(r, wire, f.dims);
      break;
    case 2:
      ok = wire == kVarint && r.varint(v);
      f.dataType = int64_t(v);
      break;
    case 4:
      ok = readFixed(r, wire, kFixed32, f.floats);
      break;
    case 5:
      ok = readVarints(r, wire, f.int32s);
      break;
    case 6:
      ok = wire == kBytes && r.bytes(d, n);
      f.hasStrings = true;
      break;
    case 7:
      ok = readVarints(r, wire, f.int64s);
      break;
    case 8:
      ok = wire == kBytes && r.bytes(d, n);
      if (ok)
        f.name.assign(reinterpret_cast<const char *>(d), n);
      break;
    case 9:
      ok = wire == kBytes && r.bytes(f.raw, f.rawSize);
      f.hasRaw = true;
      break;
    case 10:
      ok = readFixed(r, wire, kFixed64, f.doubles);
      break;
    case 11:
      ok = readVarints(r, wire, f.uint64s);
      break;
    case 14:
      ok = wire == kVarint && r.varint(v);
      f.dataLocation = int64_t(v);
      break;
    default:
      ok = r.skip(wire);
      break;
    }
    if (!ok)
      return fail(error, "field " + std::to_string(field) + " (wire type " +
                             std::to_string(wire) +
                             ") is truncated or malformed");
  }
  return true;
}

// Copies `values` into `out`, narrowing each to the dtype's width.
template <typename T>
bool store(const std::vector<T> &values, uint64_t expected, const char *field,
           loom_dtype_t dtype, HostTensor &out, std::string *error) {
  if (values.size() != expected)
    return fail(error, std::string(field) + " has " +
                           std::to_string(values.size()) + " values, " +
                           loom_dtype_name(dtype) + " tensor needs " +
                           std::to_string(expected));
  int32_t bytes = loom_dtype_bits(dtype) == 4 ? 1 : loom_dtype_bits(dtype) / 8;
  out.data.resize(values.size() * size_t(bytes));
  uint8_t *p = out.data.data();
  for (T value : values) {
    if (dtype == LOOM_DTYPE_BOOL) {
      *p++ = value != 0;
      continue;
    }
    if constexpr (sizeof(T) == 4 && std::is_floating_point_v<T>) {
      std::memcpy(p, &value, 4);
    } else if constexpr (std::is_floating_point_v<T>) {
      std::memcpy(p, &value, 8);
    } else {
      uint64_t bits = uint64_t(value); // low bytes, little-endian
      std::memcpy(p, &bits, size_t(bytes));
    }
    p += bytes;
  }
  return true;
}

} // namespace

bool loom::run::parseTensorProto(const uint8_t *data, size_t size,
                                 HostTensor &out, std::string *error) {
  Fields f;
  if (!decodeFields(data, size, f, error))
    return false;
  out = HostTensor();
  out.name = f.name;
  if (f.dataLocation == 1)
    return fail(error, "tensor '" + f.name +
                           "' keeps its data in an external file, which "
                           "loom-run does not read");
  if (f.dataType == 8 || f.hasStrings)
    return fail(error, "tensor '" + f.name + "' holds strings (unsupported)");
  const DTypeEntry *dt = lookupDType(f.dataType);
  if (!dt)
    return fail(error, "tensor '" + f.name + "' has unsupported data_type " +
                           std::to_string(f.dataType));
  out.dtype = dt->dtype;
  if (f.dims.size() > LOOM_MAX_RANK)
    return fail(error, "tensor '" + f.name + "' has rank " +
                           std::to_string(f.dims.size()));
  out.shape = f.dims;
  int64_t count = 0;
  uint64_t bytes = 0;
  if (!elementCount(f.dims.data(), int64_t(f.dims.size()), count) ||
      !dtypeByteSize(out.dtype, count, bytes))
    return fail(error, "tensor '" + f.name + "' has invalid dims");

  size_t typed = f.floats.size() + f.int32s.size() + f.int64s.size() +
                 f.uint64s.size() + f.doubles.size();
  if (f.hasRaw) {
    if (typed)
      return fail(error,
                  "tensor '" + f.name + "' has both raw_data and typed data");
    if (f.rawSize != bytes)
      return fail(error, "tensor '" + f.name + "': raw_data has " +
                             std::to_string(f.rawSize) + " bytes, " +
                             describe(out) + " needs " + std::to_string(bytes));
    out.data.assign(f.raw, f.raw + f.rawSize);
    return true;
  }
  if (count == 0 && typed == 0)
    return true;
  uint64_t n = uint64_t(count);
  std::string where = "tensor '" + f.name + "': ";
  bool ok;
  size_t used; // values in the field this dtype reads
  switch (out.dtype) {
  case LOOM_DTYPE_F32:
    used = f.floats.size();
    ok = store(f.floats, n, "float_data", out.dtype, out, error);
    break;
  case LOOM_DTYPE_F64:
    used = f.doubles.size();
    ok = store(f.doubles, n, "double_data", out.dtype, out, error);
    break;
  case LOOM_DTYPE_I64:
    used = f.int64s.size();
    ok = store(f.int64s, n, "int64_data", out.dtype, out, error);
    break;
  case LOOM_DTYPE_U32:
  case LOOM_DTYPE_U64:
    used = f.uint64s.size();
    ok = store(f.uint64s, n, "uint64_data", out.dtype, out, error);
    break;
  case LOOM_DTYPE_U4:
  case LOOM_DTYPE_I4:
    // One int32 per byte, two 4-bit values packed in it.
    used = f.int32s.size();
    ok = store(f.int32s, bytes, "int32_data", LOOM_DTYPE_U8, out, error);
    break;
  default:
    used = f.int32s.size();
    ok = store(f.int32s, n, "int32_data", out.dtype, out, error);
    break;
  }
  if (ok && used != typed)
    ok = fail(error, "typed data in a field that " +
                         std::string(loom_dtype_name(out.dtype)) +
                         " does not use");
  if (!ok && error)
    *error = where + *error;
  return ok;
}

bool loom::run::readTensorProtoFile(const std::string &path, HostTensor &out,
                                    std::string *error) {
  std::vector<uint8_t> bytes;
  if (!readFile(path, bytes, error))
    return false;
  if (!parseTensorProto(bytes.data(), bytes.size(), out, error)) {
    if (error)
      *error = path + ": " + *error;
    return false;
  }
  return true;
}

static void putVarint(std::vector<uint8_t> &out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(uint8_t(v | 0x80));
    v >>= 7;
  }
  out.push_back(uint8_t(v));
}

std::vector<uint8_t> loom::run::encodeTensorProto(const HostTensor &t) {
  std::vector<uint8_t> out;
  for (int64_t d : t.shape) {
    putVarint(out, (1 << 3) | kVarint);
    putVarint(out, uint64_t(d));
  }
  putVarint(out, (2 << 3) | kVarint);
  putVarint(out, uint64_t(t.dtype));
  putVarint(out, (8 << 3) | kBytes);
  putVarint(out, t.name.size());
  out.insert(out.end(), t.name.begin(), t.name.end());
  putVarint(out, (9 << 3) | kBytes);
  putVarint(out, t.data.size());
  out.insert(out.end(), t.data.begin(), t.data.end());
  return out;
}

std::string loom::run::describe(const HostTensor &t) {
  std::string s = std::string(loom_dtype_name(t.dtype)) + "[";
  for (size_t i = 0; i < t.shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(t.shape[i]);
  return s + "]";
}

bool loom::run::readFile(const std::string &path, std::vector<uint8_t> &out,
                         std::string *error) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    return fail(error, "cannot open '" + path + "': " + std::strerror(errno));
  out.clear();
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0)
    out.insert(out.end(), buf, buf + n);
  bool bad = std::ferror(f);
  std::fclose(f);
  if (bad)
    return fail(error, "cannot read '" + path + "' (is it a directory?)");
  return true;
}

bool loom::run::writeFile(const std::string &path,
                          const std::vector<uint8_t> &bytes,
                          std::string *error) {
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    return fail(error, "cannot create '" + path + "': " + std::strerror(errno));
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  ok = std::fclose(f) == 0 && ok;
  if (!ok)
    return fail(error, "cannot write '" + path + "'");
  return true;
}

//===----------------------------------------------------------------------===//
// SequenceProto / OptionalProto (ONNX test data of sequence/optional values)
//===----------------------------------------------------------------------===//

// Both messages number their fields alike: name (1), elem_type (2), tensor
// value(s) (3), sparse (4), sequence value(s) (5), map (6), optional
// value(s) (7). Their tensors are appended in order, which is how the
// importer flattens a sequence/optional into entry inputs and outputs.
static bool flattenContainer(const uint8_t *data, size_t size, int depth,
                             std::vector<HostTensor> &out, std::string *error) {
  if (depth > 8)
    return fail(error, "sequence/optional nested too deeply");
  WireReader r(data, size);
  while (!r.done()) {
    uint64_t key;
    if (!r.varint(key))
      return fail(error, "truncated field key");
    int field = int(key >> 3), wire = int(key & 7);
    if (field >= 3 && field <= 7) {
      const uint8_t *d;
      size_t n;
      if (wire != kBytes || !r.bytes(d, n))
        return fail(error, "malformed field " + std::to_string(field));
      if (field == 4 || field == 6)
        return fail(error, "sparse tensors and maps are not supported");
      if (field == 3) {
        HostTensor t;
        if (!parseTensorProto(d, n, t, error))
          return false;
        out.push_back(std::move(t));
      } else if (!flattenContainer(d, n, depth + 1, out, error)) {
        return false;
      }
      continue;
    }
    // Fields 8 and up (name, raw_data, external_data, ...) only exist in a
    // TensorProto: a tensor the tensor decoder refused, not a container.
    if (field < 1 || field > 7 || (field == 1 && wire != kBytes) ||
        (field == 2 && wire != kVarint))
      return fail(error, "not a sequence or optional");
    if (!r.skip(wire))
      return fail(error, "malformed field " + std::to_string(field));
  }
  return true;
}

bool loom::run::readTestDataFile(const std::string &path,
                                 std::vector<HostTensor> &out,
                                 std::string *error) {
  std::vector<uint8_t> bytes;
  if (!readFile(path, bytes, error))
    return false;
  // The wire format does not say which message a file holds. A container
  // never decodes as a consistent tensor (its name would be read as dims,
  // with no data to match them), so a tensor is tried first.
  HostTensor t;
  std::string tensorError;
  if (parseTensorProto(bytes.data(), bytes.size(), t, &tensorError)) {
    out.push_back(std::move(t));
    return true;
  }
  std::vector<HostTensor> flat;
  std::string containerError;
  if (!flattenContainer(bytes.data(), bytes.size(), 0, flat, &containerError))
    return fail(error, path + ": " + tensorError);
  for (HostTensor &e : flat)
    out.push_back(std::move(e));
  return true;
}
