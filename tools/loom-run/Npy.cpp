//===- Npy.cpp - NumPy .npy files -----------------------------------------===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//

#include "HostTensor.h"

#include "DTypeInfo.h"

#include <cstring>

using namespace loom;
using namespace loom::run;

static bool fail(std::string *error, const std::string &msg) {
  if (error)
    *error = msg;
  return false;
}

namespace {
struct NpyType {
  const char *code; // after the byte-order character
  loom_dtype_t dtype;
};
const NpyType kNpyTypes[] = {
    {"b1", LOOM_DTYPE_BOOL}, {"i1", LOOM_DTYPE_I8},  {"u1", LOOM_DTYPE_U8},
    {"i2", LOOM_DTYPE_I16},  {"u2", LOOM_DTYPE_U16}, {"i4", LOOM_DTYPE_I32},
    {"u4", LOOM_DTYPE_U32},  {"i8", LOOM_DTYPE_I64}, {"u8", LOOM_DTYPE_U64},
    {"f2", LOOM_DTYPE_F16},  {"f4", LOOM_DTYPE_F32}, {"f8", LOOM_DTYPE_F64},
};

// The value text after `'key':` in the header dict, or npos.
size_t findKey(const std::string &h, const char *key) {
  std::string k = std::string("'") + key + "'";
  size_t p = h.find(k);
  if (p == std::string::npos)
    return p;
  p = h.find(':', p + k.size());
  if (p == std::string::npos)
    return p;
  p = h.find_first_not_of(" ", p + 1);
  return p;
}
} // namespace

bool loom::run::parseNpy(const uint8_t *data, size_t size, HostTensor &out,
                         std::string *error) {
  out = HostTensor();
  if (size < 10 || std::memcmp(data, "\x93NUMPY", 6) != 0)
    return fail(error, "not a .npy file (bad magic)");
  uint8_t major = data[6];
  size_t headerLen, start;
  if (major == 1) {
    headerLen = size_t(data[8]) | size_t(data[9]) << 8;
    start = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12)
      return fail(error, "truncated .npy header");
    headerLen = size_t(data[8]) | size_t(data[9]) << 8 |
                size_t(data[10]) << 16 | size_t(data[11]) << 24;
    start = 12;
  } else {
    return fail(error,
                ".npy version " + std::to_string(major) + " is not supported");
  }
  if (headerLen > size - start)
    return fail(error, "truncated .npy header");
  std::string h(reinterpret_cast<const char *>(data + start), headerLen);

  size_t p = findKey(h, "descr");
  if (p == std::string::npos || p >= h.size() || (h[p] != '\'' && h[p] != '"'))
    return fail(error, ".npy header has no 'descr'");
  size_t q = h.find(h[p], p + 1);
  if (q == std::string::npos)
    return fail(error, ".npy header has a malformed 'descr'");
  std::string descr = h.substr(p + 1, q - p - 1);
  if (descr.size() != 3 ||
      (descr[0] != '<' && descr[0] != '|' && descr[0] != '='))
    return fail(error, ".npy dtype '" + descr +
                           "' is not supported (big-endian or structured)");
  for (const NpyType &t : kNpyTypes)
    if (descr.compare(1, 2, t.code) == 0)
      out.dtype = t.dtype;
  if (out.dtype == LOOM_DTYPE_INVALID)
    return fail(error, ".npy dtype '" + descr + "' is not supported");

  p = findKey(h, "fortran_order");
  if (p == std::string::npos)
    return fail(error, ".npy header has no 'fortran_order'");
  if (h.compare(p, 4, "True") == 0)
    return fail(error, "Fortran-order .npy arrays are not supported (save "
                       "numpy.ascontiguousarray(x))");

  p = findKey(h, "shape");
  if (p == std::string::npos || h[p] != '(')
    return fail(error, ".npy header has no 'shape'");
  size_t close = h.find(')', p);
  if (close == std::string::npos)
    return fail(error, ".npy header has a malformed 'shape'");
  std::string dims = h.substr(p + 1, close - p - 1);
  size_t i = 0;
  while (i < dims.size()) {
    while (i < dims.size() && (dims[i] == ' ' || dims[i] == ','))
      ++i;
    if (i == dims.size())
      break;
    int64_t v = 0;
    size_t digits = 0;
    while (i < dims.size() && dims[i] >= '0' && dims[i] <= '9') {
      if (v > (INT64_MAX - 9) / 10)
        return fail(error, ".npy shape overflows");
      v = v * 10 + (dims[i++] - '0');
      ++digits;
    }
    if (i < dims.size() && dims[i] == 'L') // Python 2 longs
      ++i;
    if (!digits || (i < dims.size() && dims[i] != ',' && dims[i] != ' '))
      return fail(error, ".npy header has a malformed 'shape'");
    if (out.shape.size() == LOOM_MAX_RANK)
      return fail(error, ".npy rank exceeds " + std::to_string(LOOM_MAX_RANK));
    out.shape.push_back(v);
  }

  int64_t count = 0;
  uint64_t bytes = 0;
  if (!elementCount(out.shape.data(), int64_t(out.shape.size()), count) ||
      !dtypeByteSize(out.dtype, count, bytes))
    return fail(error, ".npy shape overflows");
  size_t body = size - start - headerLen;
  if (body != bytes)
    return fail(error, ".npy data has " + std::to_string(body) + " bytes, " +
                           describe(out) + " needs " + std::to_string(bytes));
  out.data.assign(data + start + headerLen, data + size);
  return true;
}

bool loom::run::readNpyFile(const std::string &path, HostTensor &out,
                            std::string *error) {
  std::vector<uint8_t> bytes;
  if (!readFile(path, bytes, error))
    return false;
  if (!parseNpy(bytes.data(), bytes.size(), out, error)) {
    if (error)
      *error = path + ": " + *error;
    return false;
  }
  return true;
}

bool loom::run::encodeNpy(const HostTensor &t, std::vector<uint8_t> &out,
                          std::string *error) {
  const char *descr = nullptr;
  switch (t.dtype) {
  case LOOM_DTYPE_BOOL:
    descr = "|b1";
    break;
  case LOOM_DTYPE_I8:
    descr = "|i1";
    break;
  case LOOM_DTYPE_U8:
  case LOOM_DTYPE_F8E4M3FN:
  case LOOM_DTYPE_F8E5M2:
    descr = "|u1";
    break;
  case LOOM_DTYPE_I16:
    descr = "<i2";
    break;
  case LOOM_DTYPE_U16:
  case LOOM_DTYPE_BF16:
    descr = "<u2";
    break;
  case LOOM_DTYPE_I32:
    descr = "<i4";
    break;
  case LOOM_DTYPE_U32:
    descr = "<u4";
    break;
  case LOOM_DTYPE_I64:
    descr = "<i8";
    break;
  case LOOM_DTYPE_U64:
    descr = "<u8";
    break;
  case LOOM_DTYPE_F16:
    descr = "<f2";
    break;
  case LOOM_DTYPE_F32:
    descr = "<f4";
    break;
  case LOOM_DTYPE_F64:
    descr = "<f8";
    break;
  default:
    return fail(error, std::string("cannot write ") + loom_dtype_name(t.dtype) +
                           " tensors as .npy");
  }
  std::string h = std::string("{'descr': '") + descr +
                  "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < t.shape.size(); ++i)
    h += std::to_string(t.shape[i]) +
         (t.shape.size() == 1 || i + 1 < t.shape.size() ? ", " : "");
  h += "), }";
  // Pad so the data start is 64-byte aligned, as NumPy does.
  size_t total = 10 + h.size() + 1;
  h.append((64 - total % 64) % 64, ' ');
  h += '\n';
  if (h.size() > 65535)
    return fail(error, ".npy header too long");
  out.assign({0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, uint8_t(h.size() & 0xff),
              uint8_t(h.size() >> 8)});
  out.insert(out.end(), h.begin(), h.end());
  out.insert(out.end(), t.data.begin(), t.data.end());
  return true;
}

bool loom::run::readTensorFile(const std::string &path, HostTensor &out,
                               std::string *error) {
  if (path.size() >= 4 && path.compare(path.size() - 4, 4, ".npy") == 0)
    return readNpyFile(path, out, error);
  return readTensorProtoFile(path, out, error);
}
