//===- Crc32.h - CRC-32 of artifact sections -------------------*- C++ -*-===//
//
// Part of the Loom project, under the Apache License v2.0 with LLVM Exceptions.
//
//===----------------------------------------------------------------------===//
//
// CRC-32 (IEEE 802.3, as zlib's crc32) over section bytes. Corrupted code
// must be refused before dlopen, which trusts what it maps and can fault on
// damaged relocations; a checksum is the only way to notice.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_ARTIFACT_CRC32_H
#define LOOM_RUNTIME_ARTIFACT_CRC32_H

#include <array>
#include <cstddef>
#include <cstdint>

namespace loom::artifact {

namespace detail {
constexpr std::array<uint32_t, 256> makeCrcTable() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k)
      c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}
inline constexpr std::array<uint32_t, 256> kCrcTable = makeCrcTable();
} // namespace detail

// crc32(bytes) with crc32("123456789") == 0xcbf43926.
inline uint32_t crc32(const void *data, size_t size, uint32_t crc = 0) {
  const uint8_t *p = static_cast<const uint8_t *>(data);
  crc = ~crc;
  for (size_t i = 0; i < size; ++i)
    crc = detail::kCrcTable[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

} // namespace loom::artifact

#endif // LOOM_RUNTIME_ARTIFACT_CRC32_H
